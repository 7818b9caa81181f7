/// <reference path="./hookline-plugin-types.d.ts" />
declare module 'hookline:plugin/cache@0.1.0' {
  /**
   * The value stored under `key`, or none when it is absent or expired.
   */
  export function get(key: string): Json | undefined;
  /**
   * Stores `value` under `key` for `ttl-ms` milliseconds (1 ms to one year).
   */
  export function set(key: string, value: Json, ttlMs: bigint): void;
  /**
   * Stores `value` under `key` without expiry; it can still be evicted by the quota.
   */
  export function setNoExpire(key: string, value: Json): void;
  /**
   * Takes the lock `key` for `owner` for `ttl-ms` milliseconds. True when taken; false when
   * another owner (or this one) holds it.
   */
  export function acquire(key: string, owner: Json, ttlMs: bigint): boolean;
  /**
   * Releases the lock `key` when `owner` holds it. False when it is held by someone else,
   * expired or was never taken.
   */
  export function release(key: string, owner: Json): boolean;
  /**
   * Whether `key` currently holds `value`: as a cached value, or as the owner of the lock
   * `key`. JSON values compare by content (object key order does not matter).
   */
  export function exists(key: string, value: Json): boolean;
  /**
   * Removes the cached value under `key`; true when there was one.
   */
  export function deleteKey(key: string): boolean;
  export type Json = import('hookline:plugin/types@0.1.0').Json;
  /**
   * A cache call the host could not carry out; the guest can handle it.
   */
  export interface CacheError {
    /**
     * Stable machine code: `INVALID_KEY`, `INVALID_TTL`, `INVALID_JSON`,
     * `VALUE_TOO_LARGE` (a single value over the quota) or `CACHE_UNAVAILABLE` (the
     * backend did not answer in time).
     */
    code: string,
    message: string,
  }
}
