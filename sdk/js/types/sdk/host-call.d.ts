/**
 * @module
 * Calling the host's WIT imports that answer `result<T, E>`, where `E` is a record of a `code`
 * and a `message` (`helper-error`, `cache-error`, `rate-limit-error`) or a record that carries
 * its own status too (`repo-error`, `hook-error`), and checking the integers handed to them.
 */
import { HookError } from './error.js';
/**
 * Calls a WIT import, turning the `err` of its `result` into a {@link HookError} with the
 * host's code and message, and the status `statusOf` gives that code.
 *
 * @template T
 * @param {() => T} call
 * @param {(code: string) => number} statusOf
 * @returns {T}
 */
export declare function callHost<T>(call: () => T, statusOf: (code: string) => number): T;
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
export declare function callHostWith<T, E>(call: () => T, toError: (err: E) => HookError): T;
/**
 * Whether `value` is a whole number a WIT `u32` holds (0 to 2^32 - 1): the glue would
 * silently wrap any other number.
 * @param {unknown} value
 * @returns {value is number}
 */
export declare function isU32(value: unknown): value is number;
/**
 * `value` as a WIT `u64` when it is a whole number from 0 to 2^64 - 1 (a safe-integer number or
 * a `BigInt`), else `undefined`.
 * @param {unknown} value
 * @returns {bigint | undefined}
 */
export declare function u64Of(value: unknown): bigint | undefined;
/**
 * `value` as a WIT `s64` when it is a whole number from 0 to 2^63 - 1 (a safe-integer number or
 * a `BigInt`), else `undefined`. Negative values are left out: componentize-js 0.22 cannot
 * lower a negative `s64` argument and traps the instance instead (ComponentizeJS issue #343).
 * @param {unknown} value
 * @returns {bigint | undefined}
 */
export declare function nonNegativeS64Of(value: unknown): bigint | undefined;
