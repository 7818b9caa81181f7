/**
 * @module
 * `HookError`, how a hook fails its request with an HTTP error, and `throwError`.
 */
/**
 * Machine codes of the errors the SDK raises by itself; a hook's own errors carry the codes it
 * chooses (or none, which the host answers as `HOOK_ERROR`).
 */
export declare const codes: Readonly<{
    /**
     * A value the hook handed to the host could not be serialised to JSON (e.g. a `BigInt`);
     * a bug in the hook, hence a 500.
     */
    NOT_SERIALIZABLE: "NOT_SERIALIZABLE";
}>;
export type HookErrorOptions = {
    /**
     * Stable machine code for clients (`error.code`); without one the
     * host answers `HOOK_ERROR`.
     */
    code?: string;
    /**
     * Extra JSON for the client (`error.details`).
     */
    details?: unknown;
    /**
     * Response headers of the error, e.g. `Retry-After` on a
     * 429: an object of names to values, or `[name, value]` pairs (an array, a `Map`).
     */
    headers?: ErrorHeaders;
};
export type ErrorHeaders = Record<string, string | number> | Iterable<readonly [string, string | number]>;
/**
 * @typedef {object} HookErrorOptions
 * @property {string} [code] Stable machine code for clients (`error.code`); without one the
 *   host answers `HOOK_ERROR`.
 * @property {unknown} [details] Extra JSON for the client (`error.details`).
 * @property {ErrorHeaders} [headers] Response headers of the error, e.g. `Retry-After` on a
 *   429: an object of names to values, or `[name, value]` pairs (an array, a `Map`).
 */
/**
 * Response headers given to a {@link HookError}: `{ 'Retry-After': '30' }` or
 * `[['Retry-After', '30']]`. Values that are not strings (e.g. numbers) are converted with
 * `String`.
 * @typedef {Record<string, string | number> | Iterable<readonly [string, string | number]>} ErrorHeaders
 */
/**
 * An error that ends the hook and becomes the request's HTTP error response.
 *
 * Throw it from any hook defined with `definePreHook`, `defineHandler` or `definePostHook`, or
 * use {@link throwError}. The setters of `Context` throw it too when the host refuses a change,
 * with the host's status and code, so an uncaught refusal fails the request as the host said.
 *
 * @example
 * throw new HookError(422, 'Age must be positive', { code: 'AGE_INVALID', details: { field: 'age' } });
 * throw new HookError(503, 'Try again later', { headers: { 'Retry-After': '30' } });
 */
export declare class HookError extends Error {
    /** HTTP status, 400 to 599; the host answers anything else as 500. */
    status: number;
    /** @type {string | undefined} Stable machine code; `undefined` is answered as `HOOK_ERROR`. */
    code: string | undefined;
    /** @type {unknown} Extra JSON for the client (`error.details`). */
    details: unknown;
    /** @type {Array<[string, string]>} Response headers of the error, as `[name, value]` pairs. */
    headers: Array<[string, string]>;
    /**
     * @param {number} status HTTP status, 400 to 599; the host answers anything else as 500.
     * @param {string} message Human-readable message (`message`).
     * @param {HookErrorOptions} [options]
     */
    constructor(status: number, message: string, options?: HookErrorOptions);
    /**
     * Adds a response header to the error, e.g. `Retry-After` on a 429; returns the error, so
     * calls chain.
     *
     * @example
     * throw new HookError(503, 'Maintenance').withHeader('Retry-After', 600);
     *
     * @param {string} name
     * @param {string | number} value Converted with `String`.
     * @returns {this}
     */
    withHeader(name: string, value: string | number): this;
    /**
     * A 400 Bad Request: the client sent something wrong.
     * @param {string} message
     * @param {HookErrorOptions} [options]
     */
    static badRequest(message: string, options?: HookErrorOptions): HookError;
    /**
     * A 401 Unauthorized: the client is not authenticated.
     * @param {string} message
     * @param {HookErrorOptions} [options]
     */
    static unauthorized(message: string, options?: HookErrorOptions): HookError;
    /**
     * A 403 Forbidden: the client is authenticated but not allowed.
     * @param {string} message
     * @param {HookErrorOptions} [options]
     */
    static forbidden(message: string, options?: HookErrorOptions): HookError;
    /**
     * A 404 Not Found.
     * @param {string} message
     * @param {HookErrorOptions} [options]
     */
    static notFound(message: string, options?: HookErrorOptions): HookError;
    /**
     * Converts an error the host returned (a refused setter's `hook-error`, a `repo-error`) into a
     * `HookError` with its status, code, message, details and headers.
     * @param {import('hookline:plugin/types@0.1.0').HookError | import('hookline:plugin/repos@0.1.0').RepoError} error
     * @returns {HookError}
     */
    static fromWit(error: import('hookline:plugin/types@0.1.0').HookError | import('hookline:plugin/repos@0.1.0').RepoError): HookError;
}
/**
 * Throws a {@link HookError}: ends the hook and fails the request with this HTTP error.
 *
 * @example
 * if (typeof body.email !== 'string') throwError(400, 'Email is required');
 *
 * @param {number} status HTTP status, 400 to 599.
 * @param {string} message Human-readable message.
 * @param {HookErrorOptions} [options] `code`, `details` and `headers`.
 * @returns {never}
 */
export declare function throwError(status: number, message: string, options?: HookErrorOptions): never;
