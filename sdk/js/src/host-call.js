// @ts-check
/**
 * @module
 * Calling the host's WIT imports that answer `result<T, E>`, where `E` is a record of a `code`
 * and a `message` (`helper-error`, `cache-error`, `rate-limit-error`) or a record that carries
 * its own status too (`repo-error`, `hook-error`), and checking the integers handed to them.
 */

import { HookError } from './error.js';

/** The largest value of a WIT `u32`. */
const U32_MAX = 0xffff_ffff;

/** The largest value of a WIT `u64`. */
const U64_MAX = 2n ** 64n - 1n;

/** The largest value of a WIT `s64`. */
const S64_MAX = 2n ** 63n - 1n;

/**
 * Calls a WIT import, turning the `err` of its `result` into a {@link HookError} with the
 * host's code and message, and the status `statusOf` gives that code.
 *
 * @template T
 * @param {() => T} call
 * @param {(code: string) => number} statusOf
 * @returns {T}
 */
export function callHost(call, statusOf) {
  return callHostWith(
    call,
    /** @param {{ code: string, message: string }} err */
    ({ code, message }) => new HookError(statusOf(code), message, { code }),
  );
}

/**
 * Calls a WIT import, turning the `err` of its `result` into the {@link HookError} `toError`
 * makes of it.
 *
 * The import glue componentize-js generates throws an error whose own `payload` property is the
 * `err` value; it comes from the glue's realm, so it is recognised by that property alone.
 * Anything else thrown passes through unchanged.
 *
 * @template T, E
 * @param {() => T} call
 * @param {(err: E) => HookError} toError
 * @returns {T}
 */
export function callHostWith(call, toError) {
  try {
    return call();
  } catch (error) {
    if (typeof error === 'object' && error !== null && Object.hasOwn(error, 'payload')) {
      throw toError(/** @type {{ payload: E }} */ (/** @type {unknown} */ (error)).payload);
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
  return bigIntIn(value, 0n, U64_MAX);
}

/**
 * `value` as a WIT `s64` when it is a whole number from 0 to 2^63 - 1 (a safe-integer number or
 * a `BigInt`), else `undefined`. Negative values are left out: componentize-js 0.22 cannot
 * lower a negative `s64` argument and traps the instance instead (ComponentizeJS issue #343).
 * @param {unknown} value
 * @returns {bigint | undefined}
 */
export function nonNegativeS64Of(value) {
  return bigIntIn(value, 0n, S64_MAX);
}

/**
 * `value` as a `BigInt` when it is a safe-integer number or a `BigInt` from `min` to `max`,
 * else `undefined`.
 * @param {unknown} value
 * @param {bigint} min
 * @param {bigint} max
 * @returns {bigint | undefined}
 */
function bigIntIn(value, min, max) {
  const whole = (typeof value === 'number' && Number.isSafeInteger(value)) || typeof value === 'bigint';
  if (whole) {
    const big = BigInt(/** @type {number | bigint} */ (value));
    if (big >= min && big <= max) {
      return big;
    }
  }
  return undefined;
}
