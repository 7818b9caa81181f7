// @ts-check
/**
 * @module
 * `rateLimit`: the host's sliding-window rate limits (`hookline:plugin/rate-limit`), the
 * reference's `$ctx.$helpers.$rateLimit`.
 *
 * At most `maxRequests` counted requests in any window of `perSeconds`; a refused request does
 * not count. Keys of the templates (`{route}` is the matched route pattern): `byIp` →
 * `ip:{ip}:{route}`, `byUser` → `user:{userId}:{route}`, `byRoute` → `route:{route}`,
 * `byIpGlobal` → `ip:{ip}`, `byUserGlobal` → `user:{userId}`; `check`, `status` and `reset` take
 * such a key or a custom one.
 *
 * A refused call throws a {@link HookError} with the host's code: 401 `NO_USER` (a by-user
 * template without an authenticated user), 503 `RATE_LIMIT_UNAVAILABLE` (the backend is down),
 * 400 for the rest (`INVALID_OPTIONS`, `INVALID_KEY`). A request over the limit is no error:
 * the result says `allowed: false`, and {@link rateLimit.tooMany} makes the 429 to throw.
 */

import {
  byIp as witByIp,
  byIpGlobal as witByIpGlobal,
  byRoute as witByRoute,
  byUser as witByUser,
  byUserGlobal as witByUserGlobal,
  check as witCheck,
  reset as witReset,
  status as witStatus,
} from 'hookline:plugin/rate-limit@0.1.0';

import { HookError } from './error.js';
import { callHost, isU32 } from './host-call.js';

/**
 * The limit to apply: at most `maxRequests` requests in any window of `perSeconds`.
 *
 * @typedef {object} RateLimitOptions
 * @property {number} maxRequests Most requests allowed in the window, 1 to 100000.
 * @property {number} perSeconds The window, 1 second to a year (31536000).
 */

/**
 * The reference's Result Object.
 *
 * @typedef {object} RateLimitResult
 * @property {boolean} allowed Whether the request is allowed (and, for a check, counted).
 * @property {number} remaining Requests still allowed in the window.
 * @property {number} resetAt Unix time, seconds, when the oldest counted request leaves the window.
 * @property {number} retryAfter Seconds to wait before a retry can succeed; 0 when allowed.
 * @property {number} limit `maxRequests`.
 * @property {number} window `perSeconds`.
 */

/** The status of a refused check whose code has no status of its own. */
const REFUSED_STATUS = 400;

/** The statuses of the codes that have one. */
const STATUS_OF_CODE = Object.freeze({ NO_USER: 401, RATE_LIMIT_UNAVAILABLE: 503 });

/**
 * The host's rate limits.
 *
 * @example
 * import { definePreHook, rateLimit } from '@hookline/sdk';
 *
 * // preHook on `POST /auth/login`: 5 attempts per minute per client IP.
 * export const preHook = definePreHook(() => {
 *   const result = rateLimit.byIp({ maxRequests: 5, perSeconds: 60 });
 *   if (!result.allowed) {
 *     throw rateLimit.tooMany(result, `Too many login attempts. Try again in ${result.retryAfter}s`);
 *   }
 * });
 */
export const rateLimit = /* @__PURE__ */ Object.freeze({
  /**
   * Counts this request against `ip:{ip}:{route}`.
   * @param {RateLimitOptions} options
   * @returns {RateLimitResult}
   * @throws {HookError} 400 `INVALID_OPTIONS`, 503 `RATE_LIMIT_UNAVAILABLE`.
   */
  byIp(options) {
    const limit = optionsOf(options);
    return answer(() => witByIp(limit));
  },

  /**
   * Counts this request against `user:{userId}:{route}`.
   * @param {RateLimitOptions} options
   * @returns {RateLimitResult}
   * @throws {HookError} 401 `NO_USER` for an anonymous request, else as {@link rateLimit.byIp}.
   */
  byUser(options) {
    const limit = optionsOf(options);
    return answer(() => witByUser(limit));
  },

  /**
   * Counts this request against `route:{route}`, shared by every client.
   * @param {RateLimitOptions} options
   * @returns {RateLimitResult}
   * @throws {HookError} as {@link rateLimit.byIp}.
   */
  byRoute(options) {
    const limit = optionsOf(options);
    return answer(() => witByRoute(limit));
  },

  /**
   * Counts this request against `ip:{ip}`, across all routes.
   * @param {RateLimitOptions} options
   * @returns {RateLimitResult}
   * @throws {HookError} as {@link rateLimit.byIp}.
   */
  byIpGlobal(options) {
    const limit = optionsOf(options);
    return answer(() => witByIpGlobal(limit));
  },

  /**
   * Counts this request against `user:{userId}`, across all routes.
   * @param {RateLimitOptions} options
   * @returns {RateLimitResult}
   * @throws {HookError} 401 `NO_USER` for an anonymous request, else as {@link rateLimit.byIp}.
   */
  byUserGlobal(options) {
    const limit = optionsOf(options);
    return answer(() => witByUserGlobal(limit));
  },

  /**
   * Counts this request against a custom `key`.
   * @param {string} key
   * @param {RateLimitOptions} options
   * @returns {RateLimitResult}
   * @throws {HookError} 400 `INVALID_KEY` or `INVALID_OPTIONS`, 503 `RATE_LIMIT_UNAVAILABLE`.
   */
  check(key, options) {
    const limit = optionsOf(options);
    return answer(() => witCheck(key, limit));
  },

  /**
   * What {@link rateLimit.check} would answer now, without counting.
   * @param {string} key
   * @param {RateLimitOptions} options
   * @returns {RateLimitResult}
   * @throws {HookError} as {@link rateLimit.check}.
   */
  status(key, options) {
    const limit = optionsOf(options);
    return answer(() => witStatus(key, limit));
  },

  /**
   * Forgets every counted request of `key`.
   * @param {string} key
   * @throws {HookError} 400 `INVALID_KEY`, 503 `RATE_LIMIT_UNAVAILABLE`.
   */
  reset(key) {
    callHost(() => witReset(key), rateLimitStatus);
  },

  /**
   * A 429 `RATE_LIMITED` error with `Retry-After` and the `X-RateLimit-Limit`,
   * `X-RateLimit-Remaining` and `X-RateLimit-Reset` headers of `result`, to throw when it is
   * not `allowed`.
   * @param {RateLimitResult} result
   * @param {string} message
   * @returns {HookError}
   */
  tooMany(result, message) {
    return new HookError(429, message, {
      code: 'RATE_LIMITED',
      headers: [
        ['Retry-After', String(result.retryAfter)],
        ['X-RateLimit-Limit', String(result.limit)],
        ['X-RateLimit-Remaining', String(result.remaining)],
        ['X-RateLimit-Reset', String(result.resetAt)],
      ],
    });
  },
});

/**
 * The options as the WIT record; a field that is not a whole number a `u32` holds is a 400
 * `INVALID_OPTIONS` (the host refuses values out of its own ranges with the same code).
 * @param {RateLimitOptions} options
 * @returns {import('hookline:plugin/rate-limit@0.1.0').Options}
 */
function optionsOf(options) {
  const { maxRequests, perSeconds } = options ?? {};
  return { maxRequests: u32Of('maxRequests', maxRequests), perSeconds: u32Of('perSeconds', perSeconds) };
}

/**
 * `value` when it is a whole number from 0 to 2^32 - 1, else a 400 `INVALID_OPTIONS` naming
 * the option: the glue would silently wrap it.
 * @param {string} name
 * @param {unknown} value
 * @returns {number}
 */
function u32Of(name, value) {
  if (isU32(value)) {
    return value;
  }
  throw new HookError(REFUSED_STATUS, `${name} must be a whole number, got ${String(value)}`, {
    code: 'INVALID_OPTIONS',
  });
}

/**
 * Calls a check and converts its result; `resetAt` arrives as a `BigInt` (a `u64`), which
 * `JSON.stringify` rejects, and becomes a number.
 * @param {() => import('hookline:plugin/rate-limit@0.1.0').RateLimitResult} call
 * @returns {RateLimitResult}
 */
function answer(call) {
  const result = callHost(call, rateLimitStatus);
  return {
    allowed: result.allowed,
    remaining: result.remaining,
    resetAt: Number(result.resetAt),
    retryAfter: result.retryAfter,
    limit: result.limit,
    window: result.window,
  };
}

/**
 * The status of a refused rate-limit call: 401 for `NO_USER`, 503 for `RATE_LIMIT_UNAVAILABLE`,
 * else 400.
 * @param {string} code The host's `rate-limit-error` code.
 * @returns {number}
 */
function rateLimitStatus(code) {
  return Object.hasOwn(STATUS_OF_CODE, code)
    ? STATUS_OF_CODE[/** @type {keyof typeof STATUS_OF_CODE} */ (code)]
    : REFUSED_STATUS;
}
