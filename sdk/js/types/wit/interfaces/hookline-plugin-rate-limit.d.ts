declare module 'hookline:plugin/rate-limit@0.1.0' {
  export function byIp(options: Options): RateLimitResult;
  export function byUser(options: Options): RateLimitResult;
  export function byRoute(options: Options): RateLimitResult;
  export function byIpGlobal(options: Options): RateLimitResult;
  export function byUserGlobal(options: Options): RateLimitResult;
  /**
   * Counts a request against a custom `key`.
   */
  export function check(key: string, options: Options): RateLimitResult;
  /**
   * Forgets every counted request of `key`.
   */
  export function reset(key: string): void;
  /**
   * What a check would answer now, without counting.
   */
  export function status(key: string, options: Options): RateLimitResult;
  /**
   * The limit to apply.
   */
  export interface Options {
    /**
     * At most this many requests (1 to 100000) ...
     */
    maxRequests: number,
    /**
     * ... in any window of this many seconds (1 to 31536000).
     */
    perSeconds: number,
  }
  /**
   * The reference's Result Object.
   */
  export interface RateLimitResult {
    /**
     * Whether the request is allowed (and, for a check, counted).
     */
    allowed: boolean,
    /**
     * Requests still allowed in the current window.
     */
    remaining: number,
    /**
     * Unix time, seconds, when the oldest counted request leaves the window.
     */
    resetAt: bigint,
    /**
     * Seconds to wait before a retry can succeed; 0 when allowed.
     */
    retryAfter: number,
    /**
     * `max-requests`.
     */
    limit: number,
    /**
     * `per-seconds`.
     */
    window: number,
  }
  /**
   * A check the host refused; the guest can handle it.
   */
  export interface RateLimitError {
    /**
     * Stable machine code: `INVALID_OPTIONS`, `INVALID_KEY`, `NO_USER` (a by-user
     * template without an authenticated user) or `RATE_LIMIT_UNAVAILABLE` (the backend is
     * down and the server's policy is to report it).
     */
    code: string,
    message: string,
  }
}
