import assert from 'node:assert/strict';
import { test } from 'node:test';

import { HookError, defineHandler, throwError } from '../src/index.js';
import { FakeRequestContext, callExport } from './fake-host/request-context.js';

/** The WIT `err` a handler failing with `error` returns. */
async function witErrorOf(error) {
  const handler = defineHandler(() => {
    throw error;
  });
  const result = await callExport(() => handler.handle(new FakeRequestContext()));
  assert.equal(result.tag, 'err');
  return result.val;
}

test('a HookError has no headers unless given', () => {
  assert.deepEqual(new HookError(400, 'bad').headers, []);
});

test('headers given as an object, pairs or a Map become the WIT list of pairs', async () => {
  const given = [
    { 'Retry-After': '30', 'X-Reason': 'maintenance' },
    [['Retry-After', '30'], ['X-Reason', 'maintenance']],
    new Map([['Retry-After', '30'], ['X-Reason', 'maintenance']]),
  ];
  for (const headers of given) {
    assert.deepEqual(await witErrorOf(new HookError(503, 'down', { code: 'DOWN', headers })), {
      status: 503,
      code: 'DOWN',
      message: 'down',
      headers: [['Retry-After', '30'], ['X-Reason', 'maintenance']],
    });
  }
});

test('pairs keep repeated names in order', async () => {
  const error = new HookError(400, 'bad', { headers: [['Vary', 'a'], ['Vary', 'b']] });

  assert.deepEqual((await witErrorOf(error)).headers, [['Vary', 'a'], ['Vary', 'b']]);
});

test('withHeader adds a header, converts the value to a string and chains', async () => {
  const error = new HookError(503, 'Maintenance', { headers: { 'X-Reason': 'upgrade' } }).withHeader('Retry-After', 600);

  assert.ok(error instanceof HookError);
  assert.deepEqual(error.headers, [['X-Reason', 'upgrade'], ['Retry-After', '600']]);
  assert.deepEqual((await witErrorOf(error)).headers, [['X-Reason', 'upgrade'], ['Retry-After', '600']]);
});

test('headers changed after construction are the ones sent', async () => {
  const error = new HookError(429, 'slow down');
  error.headers.push(['Retry-After', '5']);

  assert.deepEqual((await witErrorOf(error)).headers, [['Retry-After', '5']]);
});

test('throwError passes headers on', async () => {
  const handler = defineHandler(() => throwError(401, 'login first', { headers: { 'WWW-Authenticate': 'Bearer' } }));

  assert.deepEqual(await callExport(() => handler.handle(new FakeRequestContext())), {
    tag: 'err',
    val: { status: 401, code: undefined, message: 'login first', headers: [['WWW-Authenticate', 'Bearer']] },
  });
});

test('an error whose details JSON cannot represent drops its headers with them', async () => {
  const error = new HookError(429, 'slow down', { details: { n: 1n }, headers: { 'Retry-After': '5' } });
  const wit = await witErrorOf(error);

  assert.equal(wit.code, 'NOT_SERIALIZABLE');
  assert.deepEqual(wit.headers, []);
});

test('fromWit reads the headers and details of a host error', () => {
  const error = HookError.fromWit({
    status: 503,
    code: 'CACHE_UNAVAILABLE',
    message: 'try later',
    details: '{"backend":"redis"}',
    headers: [['Retry-After', '1']],
  });

  assert.deepEqual(
    { status: error.status, code: error.code, details: error.details, headers: error.headers },
    { status: 503, code: 'CACHE_UNAVAILABLE', details: { backend: 'redis' }, headers: [['Retry-After', '1']] },
  );
});
