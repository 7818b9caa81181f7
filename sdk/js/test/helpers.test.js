import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { beforeEach, test } from 'node:test';

import { HookError, defineHandler, helpers } from '../src/index.js';
import { calls } from './fake-host/helpers.js';
import { FakeRequestContext, callExport } from './fake-host/request-context.js';

beforeEach(() => {
  calls.length = 0;
});

/** The claims of a token from the fake host. */
function claimsOf(token) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
}

test('jwt sends the payload as JSON and returns the token', () => {
  const token = helpers.jwt({ id: 7, email: 'a@b.c' }, '7d');

  assert.deepEqual(calls, [['jwt', '{"id":7,"email":"a@b.c"}', '7d']]);
  const claims = claimsOf(token);
  assert.equal(claims.id, 7);
  assert.equal(claims.exp - claims.iat, 7 * 86400);
});

test('a helper error is a 400 HookError with the helper code and message', () => {
  assert.throws(() => helpers.jwt({ id: 1 }, '7 days'), (error) => {
    assert.ok(error instanceof HookError);
    assert.equal(error.status, 400);
    assert.equal(error.code, 'INVALID_EXPIRATION');
    assert.match(error.message, /7 days/);
    return true;
  });
  assert.throws(() => helpers.jwt([1], '1h'), { status: 400, code: 'INVALID_PAYLOAD' });
});

test('an uncaught helper error fails the request with it', async () => {
  const handler = defineHandler(() => ({ token: helpers.jwt({ id: 1 }, 'soon') }));

  assert.deepEqual(await callExport(() => handler.handle(new FakeRequestContext())), {
    tag: 'err',
    val: {
      status: 400,
      code: 'INVALID_EXPIRATION',
      message: 'invalid expiration "soon": use e.g. 15m, 1h, 7d',
      headers: [],
    },
  });
});

test('a caught helper error lets the hook carry on', async () => {
  const handler = defineHandler(() => {
    try {
      return helpers.crypto.randomBytes(5000);
    } catch (error) {
      return { fallback: error instanceof HookError && error.code };
    }
  });

  assert.deepEqual(await callExport(() => handler.handle(new FakeRequestContext())), {
    tag: 'ok',
    val: '{"fallback":"INVALID_SIZE"}',
  });
});

test('a jwt payload JSON cannot represent is a 500 NOT_SERIALIZABLE and the host is not called', () => {
  assert.throws(() => helpers.jwt({ id: 1n }, '1h'), { status: 500, code: 'NOT_SERIALIZABLE' });
  assert.deepEqual(calls, []);
});

test('bcrypt hash and compare go to the host', () => {
  const hash = helpers.bcrypt.hash('myPassword123');

  assert.equal(helpers.bcrypt.compare('myPassword123', hash), true);
  assert.equal(helpers.bcrypt.compare('wrong', hash), false);
  assert.throws(() => helpers.bcrypt.hash('x'.repeat(73)), { status: 400, code: 'BCRYPT_FAILED' });
});

test('autoSlug returns the host slug', () => {
  assert.equal(helpers.autoSlug('My Product Name'), 'my-product-name');
  assert.deepEqual(calls, [['autoSlug', 'My Product Name']]);
});

test('randomUUID returns the host uuid', () => {
  assert.match(helpers.crypto.randomUUID(), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

test('randomBytes encodes as hex unless told', () => {
  assert.match(helpers.crypto.randomBytes(4), /^[0-9a-f]{8}$/);
  assert.match(helpers.crypto.randomBytes(32, 'base64url'), /^[A-Za-z0-9_-]{43}$/);
  assert.match(helpers.crypto.randomBytes(2, 'base64'), /^[A-Za-z0-9+/]{3}=$/);
  assert.deepEqual(calls.map((call) => call[2]), ['hex', 'base64url', 'base64']);
});

test('randomBytes refuses a size that is not a u32 before calling the host', () => {
  for (const size of [-1, 1.5, Number.NaN, 2 ** 32, '8']) {
    assert.throws(() => helpers.crypto.randomBytes(/** @type {any} */ (size)), {
      status: 400,
      code: 'INVALID_SIZE',
    });
  }
  assert.deepEqual(calls, []);
});

test('sha256 and hmacSha256 default to hex and pass the encoding through', () => {
  assert.equal(helpers.crypto.sha256('payload'), createHash('sha256').update('payload').digest('hex'));
  assert.equal(helpers.crypto.sha256('payload', 'base64'), createHash('sha256').update('payload').digest('base64'));
  assert.equal(
    helpers.crypto.hmacSha256('payload', 'shared-secret'),
    createHmac('sha256', 'shared-secret').update('payload').digest('hex'),
  );
  assert.equal(
    helpers.crypto.hmacSha256('payload', 'shared-secret', 'base64url'),
    createHmac('sha256', 'shared-secret').update('payload').digest('base64url'),
  );
});

test('an unknown encoding is a 400 INVALID_ENCODING and the host is not called', () => {
  assert.throws(() => helpers.crypto.sha256('payload', /** @type {any} */ ('utf8')), {
    status: 400,
    code: 'INVALID_ENCODING',
  });
  assert.throws(() => helpers.crypto.hmacSha256('a', 'b', /** @type {any} */ ('HEX')), { code: 'INVALID_ENCODING' });
  assert.throws(() => helpers.crypto.randomBytes(4, /** @type {any} */ (null)), { code: 'INVALID_ENCODING' });
  assert.deepEqual(calls, []);
});

test('generateSshKeyPair returns publicKey and privateKey', () => {
  const pair = helpers.crypto.generateSshKeyPair('ada@example.com');

  assert.deepEqual(Object.keys(pair), ['publicKey', 'privateKey']);
  assert.match(pair.publicKey, /^ssh-rsa \S+ ada@example\.com$/);
  assert.match(pair.privateKey, /^-----BEGIN RSA PRIVATE KEY-----/);
});

test('sleep passes whole milliseconds as a u64, clamped to 0..30000', () => {
  for (const ms of [1000, 2.7, -5, 1e12, Number.POSITIVE_INFINITY, Number.NaN]) {
    helpers.sleep(ms);
  }

  assert.deepEqual(
    calls.map((call) => call[1]),
    [1000n, 2n, 0n, 30000n, 30000n, 0n],
  );
});

test('the helpers object cannot be changed by a plugin', () => {
  assert.ok(Object.isFrozen(helpers));
  assert.ok(Object.isFrozen(helpers.bcrypt));
  assert.ok(Object.isFrozen(helpers.crypto));
});
