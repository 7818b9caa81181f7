/**
 * @module
 * Calling the host's WIT imports that answer `result<T, E>`, where `E` is a record of a `code`
 * and a `message` (`helper-error`, `cache-error`, `rate-limit-error`), and checking the
 * integers handed to them.
 */
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
export declare function callHost<T>(call: () => T, statusOf: (code: string) => number): T;
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
