// @ts-check
/**
 * @module
 * `cache`: the host's user cache and distributed locks (`hookline:plugin/cache`), the
 * reference's `$ctx.$cache`.
 *
 * Keys are logical (`user:123`); the server namespaces them, so a plugin never sees or passes
 * its prefix. Values are anything JSON can represent: they are stored as JSON text and parsed
 * again on the way out. The cache has a soft quota: when a write would exceed it, the
 * least-recently-used values are evicted (locks are not).
 *
 * Every call is synchronous: the hook waits while the host (or its Redis) answers. A refused
 * call (a bad key or TTL, a value larger than the whole quota) throws a {@link HookError} with
 * status 400 and the host's code (`INVALID_KEY`, `INVALID_TTL`, `INVALID_JSON`,
 * `VALUE_TOO_LARGE`); a cache backend that does not answer in time is a 503
 * `CACHE_UNAVAILABLE`. Uncaught, it fails the request with it; catch it to recover.
 */

import {
  acquire as witAcquire,
  deleteKey as witDeleteKey,
  exists as witExists,
  get as witGet,
  release as witRelease,
  set as witSet,
  setNoExpire as witSetNoExpire,
} from 'hookline:plugin/cache@0.1.0';

import { HookError } from './error.js';
import { callHost, u64Of } from './host-call.js';
import { parseHostJson, toJson } from './json.js';

/** The status of a refused cache call, unless the backend is unavailable. */
const REFUSED_STATUS = 400;

/** The status of a `CACHE_UNAVAILABLE`: the backend did not answer in time. */
const UNAVAILABLE_STATUS = 503;

/**
 * The user cache and locks.
 *
 * @example
 * import { cache, defineHandler, HookError } from '@hookline/sdk';
 *
 * export const handler = defineHandler((ctx) => {
 *   const key = `visits:${ctx.clientIp()}`;
 *   const lock = `lock:${key}`;
 *   if (!cache.acquire(lock, 'counter', 5_000)) {
 *     throw new HookError(409, 'busy, try again');
 *   }
 *   const count = (cache.get(key) ?? 0) + 1;
 *   cache.set(key, count, 60_000);
 *   cache.release(lock, 'counter');
 *   return { count };
 * });
 */
export const cache = /* @__PURE__ */ Object.freeze({
  /**
   * The value stored under `key`, or `null` when it is absent or expired (a stored `null`
   * reads the same).
   * @param {string} key
   * @returns {any}
   * @throws {HookError} the host's refusal: 400 `INVALID_KEY`, 503 `CACHE_UNAVAILABLE`.
   */
  get(key) {
    const text = callHost(() => witGet(key), cacheStatus);
    return text === undefined ? null : parseHostJson(text);
  },

  /**
   * Stores `value` under `key` for `ttlMs` milliseconds (1 ms to one year).
   * @param {string} key
   * @param {unknown} value Any JSON value.
   * @param {number | bigint} ttlMs Whole milliseconds.
   * @throws {HookError} 400 `INVALID_KEY`, `INVALID_TTL` or `VALUE_TOO_LARGE`; 503
   *   `CACHE_UNAVAILABLE`; 500 `NOT_SERIALIZABLE` for a value JSON cannot represent.
   */
  set(key, value, ttlMs) {
    const json = toJson(value);
    const ttl = ttlOf(ttlMs);
    callHost(() => witSet(key, json, ttl), cacheStatus);
  },

  /**
   * Stores `value` under `key` without expiry; the cache quota can still evict it.
   * @param {string} key
   * @param {unknown} value Any JSON value.
   * @throws {HookError} as {@link cache.set}, without `INVALID_TTL`.
   */
  setNoExpire(key, value) {
    const json = toJson(value);
    callHost(() => witSetNoExpire(key, json), cacheStatus);
  },

  /**
   * Takes the lock `key` for `owner` for `ttlMs` milliseconds.
   * @param {string} key
   * @param {unknown} owner Any JSON value naming the holder; {@link cache.release} needs the same.
   * @param {number | bigint} ttlMs Whole milliseconds, 1 ms to one year.
   * @returns {boolean} `true` when taken; `false` when it is held (by another owner or this one).
   * @throws {HookError} as {@link cache.set}.
   */
  acquire(key, owner, ttlMs) {
    const json = toJson(owner);
    const ttl = ttlOf(ttlMs);
    return callHost(() => witAcquire(key, json, ttl), cacheStatus);
  },

  /**
   * Releases the lock `key` if `owner` holds it.
   * @param {string} key
   * @param {unknown} owner The owner given to {@link cache.acquire}.
   * @returns {boolean} `false` when it is held by another owner, expired or was never taken.
   * @throws {HookError} as {@link cache.get}, or 500 `NOT_SERIALIZABLE`.
   */
  release(key, owner) {
    const json = toJson(owner);
    return callHost(() => witRelease(key, json), cacheStatus);
  },

  /**
   * Whether `key` holds `value`, as a cached value or as the owner of the lock `key`. JSON
   * values compare by content: the order of object keys does not matter.
   * @param {string} key
   * @param {unknown} value
   * @returns {boolean}
   * @throws {HookError} as {@link cache.get}, or 500 `NOT_SERIALIZABLE`.
   */
  exists(key, value) {
    const json = toJson(value);
    return callHost(() => witExists(key, json), cacheStatus);
  },

  /**
   * Removes the value under `key`.
   * @param {string} key
   * @returns {boolean} `true` when there was one.
   * @throws {HookError} as {@link cache.get}.
   */
  deleteKey(key) {
    return callHost(() => witDeleteKey(key), cacheStatus);
  },
});

/**
 * The TTL as the WIT's `u64`; anything but a whole, non-negative number of milliseconds a `u64`
 * holds is a 400 `INVALID_TTL` (the host refuses 0 and more than a year with the same code).
 * @param {unknown} ttlMs
 * @returns {bigint}
 */
function ttlOf(ttlMs) {
  const ttl = u64Of(ttlMs);
  if (ttl !== undefined) {
    return ttl;
  }
  throw new HookError(
    REFUSED_STATUS,
    `ttlMs must be a whole number of milliseconds, 1 to one year, got ${String(ttlMs)}`,
    { code: 'INVALID_TTL' },
  );
}

/**
 * The status of a refused cache call: 503 for `CACHE_UNAVAILABLE`, else 400.
 * @param {string} code The host's `cache-error` code.
 * @returns {number}
 */
function cacheStatus(code) {
  return code === 'CACHE_UNAVAILABLE' ? UNAVAILABLE_STATUS : REFUSED_STATUS;
}
