// @ts-check
/**
 * @module
 * `helpers`: the host's native helpers (`hookline:plugin/helpers`) — tokens, password hashing,
 * slugs, bounded crypto and sleep — under the names of the reference's `$ctx.$helpers`.
 *
 * Every helper is synchronous: the host does the work (bcrypt and RSA key generation off its
 * request threads) while the hook waits. Code written for the reference's `await
 * $ctx.$helpers.$jwt(...)` still works, since `await` on a plain value is that value.
 *
 * Bad input (an expiration like `'7x'`, more than 4096 random bytes) throws a {@link HookError}
 * with status 400 and the helper's code (`INVALID_EXPIRATION`, `INVALID_SIZE`, ...): uncaught, it
 * fails the request with it; a hook that wants to recover catches it.
 */

import {
  autoSlug as witAutoSlug,
  bcryptCompare as witBcryptCompare,
  bcryptHash as witBcryptHash,
  generateSshKeyPair as witGenerateSshKeyPair,
  hmacSha256 as witHmacSha256,
  jwt as witJwt,
  randomBytes as witRandomBytes,
  randomUuid as witRandomUuid,
  sha256 as witSha256,
  sleep as witSleep,
} from 'hookline:plugin/helpers@0.1.0';

import { HookError } from './error.js';
import { callHost, isU32 } from './host-call.js';
import { toJson } from './json.js';

/**
 * How bytes are encoded as text: `'hex'` (lower case), `'base64'` (padded) or `'base64url'`
 * (URL-safe alphabet, no padding).
 * @typedef {import('hookline:plugin/helpers@0.1.0').Encoding} Encoding
 */

/**
 * An RSA key pair from {@link helpers.crypto.generateSshKeyPair}.
 *
 * @typedef {object} SshKeyPair
 * @property {string} publicKey OpenSSH format: `ssh-rsa AAAA... <comment>`.
 * @property {string} privateKey PKCS#1 PEM: `-----BEGIN RSA PRIVATE KEY-----...`.
 */

/** The status of the {@link HookError} a helper's bad-input error becomes. */
const HELPER_ERROR_STATUS = 400;

/** The longest pause the host grants, in milliseconds. */
const MAX_SLEEP_MS = 30_000;

/** @type {ReadonlyArray<Encoding>} */
const ENCODINGS = ['hex', 'base64', 'base64url'];

/**
 * The host's native helpers.
 *
 * @example
 * import { defineHandler, helpers } from '@hookline/sdk';
 *
 * export const handler = defineHandler((ctx) => {
 *   const user = ctx.user();
 *   const token = helpers.jwt({ id: user?.id }, '7d');
 *   return { token, slug: helpers.autoSlug('My Product Name') }; // 'my-product-name'
 * });
 */
export const helpers = /* @__PURE__ */ Object.freeze({
  /**
   * Signs a token (HS256, the server's secret) for `payload` plus `iat` and `exp`. A payload with
   * a user `id` is accepted by Hookline's bearer authentication.
   *
   * @param {object} payload The claims: a plain JSON object (not an array).
   * @param {string} expiration A number and a unit `s`, `m`, `h` or `d`: `'15m'`, `'1h'`, `'7d'`, `'30d'`.
   * @returns {string} The token.
   * @throws {HookError} 400 `INVALID_EXPIRATION` or `INVALID_PAYLOAD` (not an object); 500
   *   `NOT_SERIALIZABLE` for a payload JSON cannot represent.
   */
  jwt(payload, expiration) {
    const json = toJson(payload);
    return callHost(() => witJwt(json, expiration), helperStatus);
  },

  /** Password hashing with bcrypt, done by the host at the server's configured cost. */
  bcrypt: /* @__PURE__ */ Object.freeze({
    /**
     * A bcrypt hash (`$2b$...`) of `plain`.
     * @param {string} plain
     * @returns {string}
     * @throws {HookError} 400 `BCRYPT_FAILED` when bcrypt refuses the input.
     */
    hash(plain) {
      return callHost(() => witBcryptHash(plain), helperStatus);
    },

    /**
     * Whether `plain` matches `hash` (`$2a$`, `$2b$` or `$2y$`); a malformed hash is `false`.
     * @param {string} plain
     * @param {string} hash
     * @returns {boolean}
     */
    compare(plain, hash) {
      return witBcryptCompare(plain, hash);
    },
  }),

  /**
   * A URL slug: `'My Product Name'` → `'my-product-name'`. Accents are stripped and other
   * scripts transliterated to ASCII, runs of separators collapse to one `-`, at most 100
   * characters.
   * @param {string} text
   * @returns {string}
   */
  autoSlug(text) {
    return witAutoSlug(text);
  },

  /** Bounded crypto: random ids and bytes, digests, signatures and SSH keys. */
  crypto: /* @__PURE__ */ Object.freeze({
    /**
     * A random (version 4) UUID, e.g. `'0b7d5b8e-3c0e-4f2a-9a57-2f1c1b0d6e3a'`.
     * @returns {string}
     */
    randomUUID() {
      return witRandomUuid();
    },

    /**
     * `size` random bytes from the host's CSPRNG, encoded.
     * @param {number} size 0 to 4096.
     * @param {Encoding} [encoding] `'hex'` (default), `'base64'` or `'base64url'`.
     * @returns {string}
     * @throws {HookError} 400 `INVALID_SIZE` (not an integer from 0 to 4096) or
     *   `INVALID_ENCODING`.
     */
    randomBytes(size, encoding = 'hex') {
      if (!isU32(size)) {
        throw new HookError(HELPER_ERROR_STATUS, `size must be an integer from 0 to 4096, got ${size}`, {
          code: 'INVALID_SIZE',
        });
      }
      const witEncoding = checkEncoding(encoding);
      return callHost(() => witRandomBytes(size, witEncoding), helperStatus);
    },

    /**
     * SHA-256 of `data` (its UTF-8 bytes), encoded.
     * @param {string} data
     * @param {Encoding} [encoding] `'hex'` (default), `'base64'` or `'base64url'`.
     * @returns {string}
     * @throws {HookError} 400 `INVALID_ENCODING`.
     */
    sha256(data, encoding = 'hex') {
      return witSha256(data, checkEncoding(encoding));
    },

    /**
     * HMAC-SHA256 of `data` keyed with `secret` (both as UTF-8), encoded.
     * @param {string} data
     * @param {string} secret
     * @param {Encoding} [encoding] `'hex'` (default), `'base64'` or `'base64url'`.
     * @returns {string}
     * @throws {HookError} 400 `INVALID_ENCODING`.
     */
    hmacSha256(data, secret, encoding = 'hex') {
      return witHmacSha256(data, secret, checkEncoding(encoding));
    },

    /**
     * A fresh RSA key pair.
     * @param {string} comment Ends the public key line, e.g. an email address.
     * @returns {SshKeyPair}
     * @throws {HookError} 400 `KEY_GENERATION_FAILED`.
     */
    generateSshKeyPair(comment) {
      const pair = callHost(() => witGenerateSshKeyPair(comment), helperStatus);
      return { publicKey: pair.publicKey, privateKey: pair.privateKey };
    },
  }),

  /**
   * Pauses the hook for `ms` milliseconds, clamped to 0..30000; the pause ends early at the
   * hook's deadline (the request then fails with the hook's timeout). Not a number is 0.
   * @param {number} ms
   */
  sleep(ms) {
    const wanted = Math.trunc(Number(ms));
    witSleep(BigInt(Number.isNaN(wanted) ? 0 : Math.min(Math.max(wanted, 0), MAX_SLEEP_MS)));
  },
});

/**
 * The encoding as the WIT enum, or a 400 `INVALID_ENCODING` for any other value.
 * @param {unknown} encoding
 * @returns {Encoding}
 */
function checkEncoding(encoding) {
  if (typeof encoding === 'string' && ENCODINGS.includes(/** @type {Encoding} */ (encoding))) {
    return /** @type {Encoding} */ (encoding);
  }
  throw new HookError(
    HELPER_ERROR_STATUS,
    `encoding must be one of ${ENCODINGS.join(', ')}, got ${String(encoding)}`,
    { code: 'INVALID_ENCODING' },
  );
}

/**
 * The status of a helper's `helper-error`, whatever its code: 400, since it is bad input.
 * @returns {number}
 */
function helperStatus() {
  return HELPER_ERROR_STATUS;
}
