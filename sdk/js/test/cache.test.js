import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';

import { HookError, cache, defineHandler } from '../src/index.js';
import { calls, host, resetFake } from './fake-host/cache.js';
import { FakeRequestContext, callExport } from './fake-host/request-context.js';

beforeEach(resetFake);

test('set sends the value as JSON and the TTL as a u64; get parses it back', () => {
  cache.set('user:7', { name: 'Ada', tags: ['x'] }, 60_000);

  assert.deepEqual(cache.get('user:7'), { name: 'Ada', tags: ['x'] });
  assert.deepEqual(calls, [
    ['set', 'user:7', '{"name":"Ada","tags":["x"]}', 60_000n],
    ['get', 'user:7'],
  ]);
});

test('get of an absent key is null', () => {
  assert.equal(cache.get('missing'), null);
});

test('setNoExpire stores without a TTL', () => {
  cache.setNoExpire('config', [1, 2]);

  assert.deepEqual(cache.get('config'), [1, 2]);
  assert.deepEqual(calls[0], ['setNoExpire', 'config', '[1,2]']);
});

test('a TTL may be given as a BigInt', () => {
  cache.set('k', 1, 5_000n);

  assert.deepEqual(calls[0], ['set', 'k', '1', 5_000n]);
});

test('acquire takes a free lock once, and release needs the same owner', () => {
  assert.equal(cache.acquire('lock:job', { worker: 1 }, 5_000), true);
  assert.equal(cache.acquire('lock:job', { worker: 2 }, 5_000), false);
  assert.equal(cache.release('lock:job', { worker: 2 }), false);
  assert.equal(cache.release('lock:job', { worker: 1 }), true);
  assert.equal(cache.release('lock:job', { worker: 1 }), false);
  assert.deepEqual(calls[0], ['acquire', 'lock:job', '{"worker":1}', 5_000n]);
});

test('exists compares JSON values by content, for values and lock owners', () => {
  cache.set('user:7', { a: 1, b: 2 }, 1_000);
  cache.acquire('lock:7', 'owner-1', 1_000);

  assert.equal(cache.exists('user:7', { b: 2, a: 1 }), true);
  assert.equal(cache.exists('user:7', { a: 1 }), false);
  assert.equal(cache.exists('lock:7', 'owner-1'), true);
  assert.equal(cache.exists('missing', null), false);
});

test('deleteKey says whether there was a value', () => {
  cache.set('k', 'v', 1_000);

  assert.equal(cache.deleteKey('k'), true);
  assert.equal(cache.deleteKey('k'), false);
  assert.equal(cache.get('k'), null);
});

test('a refused call is a 400 HookError with the host code and message', () => {
  assert.throws(() => cache.get(''), (error) => {
    assert.ok(error instanceof HookError);
    assert.equal(error.status, 400);
    assert.equal(error.code, 'INVALID_KEY');
    assert.equal(error.message, 'key must be 1 to 512 bytes');
    return true;
  });
  assert.throws(() => cache.set('k', 1, 0), { status: 400, code: 'INVALID_TTL' });
  assert.throws(() => cache.acquire('k', 1, 366 * 86_400_000), { status: 400, code: 'INVALID_TTL' });
});

test('a cache that does not answer is a 503 CACHE_UNAVAILABLE', () => {
  host.unavailable = true;

  for (const call of [() => cache.get('k'), () => cache.setNoExpire('k', 1), () => cache.deleteKey('k')]) {
    assert.throws(call, { status: 503, code: 'CACHE_UNAVAILABLE' });
  }
});

test('a TTL that is not a whole number of milliseconds is a 400 INVALID_TTL and the host is not called', () => {
  for (const ttl of [1.5, -1, Number.NaN, Number.POSITIVE_INFINITY, '1000', undefined, -1n, 2n ** 64n]) {
    assert.throws(() => cache.set('k', 1, /** @type {any} */ (ttl)), { status: 400, code: 'INVALID_TTL' });
    assert.throws(() => cache.acquire('k', 1, /** @type {any} */ (ttl)), { status: 400, code: 'INVALID_TTL' });
  }
  assert.deepEqual(calls, []);
});

test('a value JSON cannot represent is a 500 NOT_SERIALIZABLE and the host is not called', () => {
  assert.throws(() => cache.set('k', { n: 1n }, 1_000), { status: 500, code: 'NOT_SERIALIZABLE' });
  assert.throws(() => cache.setNoExpire('k', undefined), { status: 500, code: 'NOT_SERIALIZABLE' });
  assert.throws(() => cache.exists('k', () => {}), { status: 500, code: 'NOT_SERIALIZABLE' });
  assert.deepEqual(calls, []);
});

test('an uncaught cache error fails the request with it', async () => {
  host.unavailable = true;
  const handler = defineHandler(() => cache.get('visits'));

  assert.deepEqual(await callExport(() => handler.handle(new FakeRequestContext())), {
    tag: 'err',
    val: { status: 503, code: 'CACHE_UNAVAILABLE', message: 'the cache did not answer in time', headers: [] },
  });
});

test('a handler can count visits with a lock', async () => {
  const handler = defineHandler((ctx) => {
    const key = `visits:${ctx.clientIp()}`;
    if (!cache.acquire(`lock:${key}`, 'counter', 5_000)) {
      throw new HookError(409, 'busy, try again');
    }
    const count = (cache.get(key) ?? 0) + 1;
    cache.set(key, count, 60_000);
    cache.release(`lock:${key}`, 'counter');
    return { count };
  });

  await callExport(() => handler.handle(new FakeRequestContext()));
  assert.deepEqual(await callExport(() => handler.handle(new FakeRequestContext())), { tag: 'ok', val: '{"count":2}' });
});

test('the cache object cannot be changed by a plugin', () => {
  assert.ok(Object.isFrozen(cache));
});
