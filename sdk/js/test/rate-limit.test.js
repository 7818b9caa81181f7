import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';

import { HookError, definePreHook, rateLimit } from '../src/index.js';
import { calls, host, resetFake } from './fake-host/rate-limit.js';
import { FakeRequestContext, callExport } from './fake-host/request-context.js';

beforeEach(resetFake);

const FIVE_PER_MINUTE = { maxRequests: 5, perSeconds: 60 };

test('byIp passes the options and answers the reference result object', () => {
  const result = rateLimit.byIp(FIVE_PER_MINUTE);

  assert.deepEqual(calls, [['byIp', { maxRequests: 5, perSeconds: 60 }]]);
  assert.deepEqual(Object.keys(result), ['allowed', 'remaining', 'resetAt', 'retryAfter', 'limit', 'window']);
  assert.deepEqual(result, {
    allowed: true,
    remaining: 4,
    resetAt: host.now + 60,
    retryAfter: 0,
    limit: 5,
    window: 60,
  });
});

test('the result serialises to JSON: resetAt is a number, not a BigInt', () => {
  const result = rateLimit.byIp(FIVE_PER_MINUTE);

  assert.equal(typeof result.resetAt, 'number');
  assert.equal(
    JSON.stringify(result),
    `{"allowed":true,"remaining":4,"resetAt":${host.now + 60},"retryAfter":0,"limit":5,"window":60}`,
  );
});

test('a request over the limit is not allowed and says when to retry', () => {
  for (let i = 0; i < 5; i += 1) {
    assert.equal(rateLimit.byIp(FIVE_PER_MINUTE).allowed, true);
  }
  host.now += 15;
  const result = rateLimit.byIp(FIVE_PER_MINUTE);

  assert.deepEqual(result, { allowed: false, remaining: 0, resetAt: host.now + 45, retryAfter: 45, limit: 5, window: 60 });
});

test('every template calls its own WIT function', () => {
  host.userId = 7;
  rateLimit.byIp(FIVE_PER_MINUTE);
  rateLimit.byUser(FIVE_PER_MINUTE);
  rateLimit.byRoute(FIVE_PER_MINUTE);
  rateLimit.byIpGlobal(FIVE_PER_MINUTE);
  rateLimit.byUserGlobal(FIVE_PER_MINUTE);

  assert.deepEqual(calls.map((call) => call[0]), ['byIp', 'byUser', 'byRoute', 'byIpGlobal', 'byUserGlobal']);
});

test('check counts against a custom key; status only looks; reset forgets', () => {
  const limit = { maxRequests: 2, perSeconds: 10 };
  rateLimit.check('login:ada', limit);

  assert.equal(rateLimit.status('login:ada', limit).remaining, 1);
  assert.equal(rateLimit.status('login:ada', limit).remaining, 1);
  assert.equal(rateLimit.check('login:ada', limit).remaining, 0);
  assert.equal(rateLimit.check('login:ada', limit).allowed, false);
  rateLimit.reset('login:ada');
  assert.equal(rateLimit.status('login:ada', limit).remaining, 2);
  assert.deepEqual(calls.at(-2), ['reset', 'login:ada']);
});

test('tooMany is a 429 RATE_LIMITED with Retry-After and the X-RateLimit headers', () => {
  const result = { allowed: false, remaining: 0, resetAt: 1_700_000_060, retryAfter: 42, limit: 5, window: 60 };
  const error = rateLimit.tooMany(result, 'Too many login attempts');

  assert.ok(error instanceof HookError);
  assert.deepEqual(
    { status: error.status, code: error.code, message: error.message, headers: error.headers },
    {
      status: 429,
      code: 'RATE_LIMITED',
      message: 'Too many login attempts',
      headers: [
        ['Retry-After', '42'],
        ['X-RateLimit-Limit', '5'],
        ['X-RateLimit-Remaining', '0'],
        ['X-RateLimit-Reset', '1700000060'],
      ],
    },
  );
});

test('a preHook throwing tooMany fails the request with the 429 and its headers', async () => {
  const preHook = definePreHook(() => {
    const result = rateLimit.byIp({ maxRequests: 1, perSeconds: 60 });
    if (!result.allowed) {
      throw rateLimit.tooMany(result, `Too many login attempts. Try again in ${result.retryAfter}s`);
    }
  });
  const ctx = new FakeRequestContext({ phase: 'pre-hook' });

  assert.deepEqual(await callExport(() => preHook.run(ctx)), { tag: 'ok', val: undefined });
  assert.deepEqual(await callExport(() => preHook.run(ctx)), {
    tag: 'err',
    val: {
      status: 429,
      code: 'RATE_LIMITED',
      message: 'Too many login attempts. Try again in 60s',
      headers: [
        ['Retry-After', '60'],
        ['X-RateLimit-Limit', '1'],
        ['X-RateLimit-Remaining', '0'],
        ['X-RateLimit-Reset', String(host.now + 60)],
      ],
    },
  });
});

test('a by-user limit without a user is a 401 NO_USER', () => {
  assert.throws(() => rateLimit.byUser(FIVE_PER_MINUTE), (error) => {
    assert.ok(error instanceof HookError);
    assert.equal(error.status, 401);
    assert.equal(error.code, 'NO_USER');
    assert.equal(error.message, 'by-user rate limits need an authenticated user');
    return true;
  });
  assert.throws(() => rateLimit.byUserGlobal(FIVE_PER_MINUTE), { status: 401, code: 'NO_USER' });
});

test('a limiter that is down is a 503 RATE_LIMIT_UNAVAILABLE', () => {
  host.unavailable = true;

  assert.throws(() => rateLimit.byRoute(FIVE_PER_MINUTE), { status: 503, code: 'RATE_LIMIT_UNAVAILABLE' });
  assert.throws(() => rateLimit.reset('k'), { status: 503, code: 'RATE_LIMIT_UNAVAILABLE' });
});

test('other refusals are a 400 with the host code', () => {
  assert.throws(() => rateLimit.byIpGlobal({ maxRequests: 0, perSeconds: 60 }), { status: 400, code: 'INVALID_OPTIONS' });
  assert.throws(() => rateLimit.check('', FIVE_PER_MINUTE), { status: 400, code: 'INVALID_KEY' });
  assert.throws(() => rateLimit.reset(''), { status: 400, code: 'INVALID_KEY' });
});

test('options that are not whole u32 numbers are a 400 INVALID_OPTIONS and the host is not called', () => {
  const bad = [
    { maxRequests: 1.5, perSeconds: 60 },
    { maxRequests: 5, perSeconds: -1 },
    { maxRequests: 2 ** 32, perSeconds: 60 },
    { maxRequests: '5', perSeconds: 60 },
    { maxRequests: 5 },
    undefined,
  ];
  for (const options of bad) {
    assert.throws(() => rateLimit.check('k', /** @type {any} */ (options)), { status: 400, code: 'INVALID_OPTIONS' });
  }
  assert.deepEqual(calls, []);
});

test('the rateLimit object cannot be changed by a plugin', () => {
  assert.ok(Object.isFrozen(rateLimit));
});
