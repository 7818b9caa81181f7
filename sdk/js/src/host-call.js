// @ts-check
/**
 * @module
 * Calling the host's WIT imports that answer `result<T, E>`, where `E` is a record of a `code`
 * and a `message` (`helper-error`, `cache-error`, `rate-limit-error`), and checking the
 * integers handed to them.
 */

import { HookError } from './error.js';

/** The largest value of a WIT `u32`. */
const U32_MAX = 0xffff_ffff;

/** The largest value of a WIT `u64`. */
const U64_MAX = 2n ** 64n - 1n;

/**
 * Calls a WIT import, turning the `err` of its `result` into a {@link HookError} with the
 * host's code and message, and the status `statusOf` gives that code.
 *
 * The import glue componentize-js generates throws an error whose own `payload` property is the
 * `err` value; it comes from the glue's realm, so it is recognised by that property alone.
 * Anything else thrown passes through unchanged.
 *
 * @template T
 * @param {() => T} call
 * @param {(code: string) => number} statusOf
 * @returns {T}
 */
export function callHost(call, statusOf) {
  try {
    return call();
  } catch (error) {
    if (typeof error === 'object' && error !== null && Object.hasOwn(error, 'payload')) {
      const { code, message } = /** @type {{ payload: { code: string, message: string } }} */ (
        /** @type {unknown} */ (error)
      ).payload;
      throw new HookError(statusOf(code), message, { code });
    }
    throw error;
  }
}

/**
 * Whether `value` is a whole number a WIT `u32` holds (0 to 2^32 - 1): the glue would
 * silently wrap any other number.
 * @param {unknown} value
 * @returns {value is number}
 */
export function isU32(value) {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= U32_MAX;
}

/**
 * `value` as a WIT `u64` when it is a whole number from 0 to 2^64 - 1 (a safe-integer number or
 * a `BigInt`), else `undefined`.
 * @param {unknown} value
 * @returns {bigint | undefined}
 */
export function u64Of(value) {
  const whole = (typeof value === 'number' && Number.isSafeInteger(value)) || typeof value === 'bigint';
  if (whole) {
    const u64 = BigInt(/** @type {number | bigint} */ (value));
    if (u64 >= 0n && u64 <= U64_MAX) {
      return u64;
    }
  }
  return undefined;
}
