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
import { HookError } from './error.js';
export type RateLimitOptions = {
    /**
     * Most requests allowed in the window, 1 to 100000.
     */
    maxRequests: number;
    /**
     * The window, 1 second to a year (31536000).
     */
    perSeconds: number;
};
export type RateLimitResult = {
    /**
     * Whether the request is allowed (and, for a check, counted).
     */
    allowed: boolean;
    /**
     * Requests still allowed in the window.
     */
    remaining: number;
    /**
     * Unix time, seconds, when the oldest counted request leaves the window.
     */
    resetAt: number;
    /**
     * Seconds to wait before a retry can succeed; 0 when allowed.
     */
    retryAfter: number;
    /**
     * `maxRequests`.
     */
    limit: number;
    /**
     * `perSeconds`.
     */
    window: number;
};
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
export declare const rateLimit: Readonly<{
    /**
     * Counts this request against `ip:{ip}:{route}`.
     * @param {RateLimitOptions} options
     * @returns {RateLimitResult}
     * @throws {HookError} 400 `INVALID_OPTIONS`, 503 `RATE_LIMIT_UNAVAILABLE`.
     */
    byIp(options: RateLimitOptions): RateLimitResult;
    /**
     * Counts this request against `user:{userId}:{route}`.
     * @param {RateLimitOptions} options
     * @returns {RateLimitResult}
     * @throws {HookError} 401 `NO_USER` for an anonymous request, else as {@link rateLimit.byIp}.
     */
    byUser(options: RateLimitOptions): RateLimitResult;
    /**
     * Counts this request against `route:{route}`, shared by every client.
     * @param {RateLimitOptions} options
     * @returns {RateLimitResult}
     * @throws {HookError} as {@link rateLimit.byIp}.
     */
    byRoute(options: RateLimitOptions): RateLimitResult;
    /**
     * Counts this request against `ip:{ip}`, across all routes.
     * @param {RateLimitOptions} options
     * @returns {RateLimitResult}
     * @throws {HookError} as {@link rateLimit.byIp}.
     */
    byIpGlobal(options: RateLimitOptions): RateLimitResult;
    /**
     * Counts this request against `user:{userId}`, across all routes.
     * @param {RateLimitOptions} options
     * @returns {RateLimitResult}
     * @throws {HookError} 401 `NO_USER` for an anonymous request, else as {@link rateLimit.byIp}.
     */
    byUserGlobal(options: RateLimitOptions): RateLimitResult;
    /**
     * Counts this request against a custom `key`.
     * @param {string} key
     * @param {RateLimitOptions} options
     * @returns {RateLimitResult}
     * @throws {HookError} 400 `INVALID_KEY` or `INVALID_OPTIONS`, 503 `RATE_LIMIT_UNAVAILABLE`.
     */
    check(key: string, options: RateLimitOptions): RateLimitResult;
    /**
     * What {@link rateLimit.check} would answer now, without counting.
     * @param {string} key
     * @param {RateLimitOptions} options
     * @returns {RateLimitResult}
     * @throws {HookError} as {@link rateLimit.check}.
     */
    status(key: string, options: RateLimitOptions): RateLimitResult;
    /**
     * Forgets every counted request of `key`.
     * @param {string} key
     * @throws {HookError} 400 `INVALID_KEY`, 503 `RATE_LIMIT_UNAVAILABLE`.
     */
    reset(key: string): void;
    /**
     * A 429 `RATE_LIMITED` error with `Retry-After` and the `X-RateLimit-Limit`,
     * `X-RateLimit-Remaining` and `X-RateLimit-Reset` headers of `result`, to throw when it is
     * not `allowed`.
     * @param {RateLimitResult} result
     * @param {string} message
     * @returns {HookError}
     */
    tooMany(result: RateLimitResult, message: string): HookError;
}>;
