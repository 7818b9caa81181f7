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
export declare const cache: Readonly<{
    /**
     * The value stored under `key`, or `null` when it is absent or expired (a stored `null`
     * reads the same).
     * @param {string} key
     * @returns {any}
     * @throws {HookError} the host's refusal: 400 `INVALID_KEY`, 503 `CACHE_UNAVAILABLE`.
     */
    get(key: string): any;
    /**
     * Stores `value` under `key` for `ttlMs` milliseconds (1 ms to one year).
     * @param {string} key
     * @param {unknown} value Any JSON value.
     * @param {number | bigint} ttlMs Whole milliseconds.
     * @throws {HookError} 400 `INVALID_KEY`, `INVALID_TTL` or `VALUE_TOO_LARGE`; 503
     *   `CACHE_UNAVAILABLE`; 500 `NOT_SERIALIZABLE` for a value JSON cannot represent.
     */
    set(key: string, value: unknown, ttlMs: number | bigint): void;
    /**
     * Stores `value` under `key` without expiry; the cache quota can still evict it.
     * @param {string} key
     * @param {unknown} value Any JSON value.
     * @throws {HookError} as {@link cache.set}, without `INVALID_TTL`.
     */
    setNoExpire(key: string, value: unknown): void;
    /**
     * Takes the lock `key` for `owner` for `ttlMs` milliseconds.
     * @param {string} key
     * @param {unknown} owner Any JSON value naming the holder; {@link cache.release} needs the same.
     * @param {number | bigint} ttlMs Whole milliseconds, 1 ms to one year.
     * @returns {boolean} `true` when taken; `false` when it is held (by another owner or this one).
     * @throws {HookError} as {@link cache.set}.
     */
    acquire(key: string, owner: unknown, ttlMs: number | bigint): boolean;
    /**
     * Releases the lock `key` if `owner` holds it.
     * @param {string} key
     * @param {unknown} owner The owner given to {@link cache.acquire}.
     * @returns {boolean} `false` when it is held by another owner, expired or was never taken.
     * @throws {HookError} as {@link cache.get}, or 500 `NOT_SERIALIZABLE`.
     */
    release(key: string, owner: unknown): boolean;
    /**
     * Whether `key` holds `value`, as a cached value or as the owner of the lock `key`. JSON
     * values compare by content: the order of object keys does not matter.
     * @param {string} key
     * @param {unknown} value
     * @returns {boolean}
     * @throws {HookError} as {@link cache.get}, or 500 `NOT_SERIALIZABLE`.
     */
    exists(key: string, value: unknown): boolean;
    /**
     * Removes the value under `key`.
     * @param {string} key
     * @returns {boolean} `true` when there was one.
     * @throws {HookError} as {@link cache.get}.
     */
    deleteKey(key: string): boolean;
}>;
