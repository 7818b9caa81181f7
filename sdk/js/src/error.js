// @ts-check
/**
 * @module
 * `HookError`, how a hook fails its request with an HTTP error, and `throwError`.
 */

/**
 * Machine codes of the errors the SDK raises by itself; a hook's own errors carry the codes it
 * chooses (or none, which the host answers as `HOOK_ERROR`).
 */
export const codes = Object.freeze({
  /**
   * A value the hook handed to the host could not be serialised to JSON (e.g. a `BigInt`);
   * a bug in the hook, hence a 500.
   */
  NOT_SERIALIZABLE: 'NOT_SERIALIZABLE',
});

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
export class HookError extends Error {
  /**
   * @param {number} status HTTP status, 400 to 599; the host answers anything else as 500.
   * @param {string} message Human-readable message (`message`).
   * @param {HookErrorOptions} [options]
   */
  constructor(status, message, options = {}) {
    super(message);
    this.name = 'HookError';
    /** HTTP status, 400 to 599; the host answers anything else as 500. */
    this.status = status;
    /** @type {string | undefined} Stable machine code; `undefined` is answered as `HOOK_ERROR`. */
    this.code = options.code;
    /** @type {unknown} Extra JSON for the client (`error.details`). */
    this.details = options.details;
    /** @type {Array<[string, string]>} Response headers of the error, as `[name, value]` pairs. */
    this.headers = headerPairs(options.headers);
    // The export glue componentize-js generates turns a thrown value's own `payload` property
    // into the `err` of the WIT `result`; an Error without one is a trap. An accessor keeps the
    // payload in step with fields changed after construction.
    Object.defineProperty(this, 'payload', { get: () => toWitHookError(this), enumerable: false });
  }

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
  withHeader(name, value) {
    this.headers.push([String(name), String(value)]);
    return this;
  }

  /**
   * A 400 Bad Request: the client sent something wrong.
   * @param {string} message
   * @param {HookErrorOptions} [options]
   */
  static badRequest(message, options) {
    return new HookError(400, message, options);
  }

  /**
   * A 401 Unauthorized: the client is not authenticated.
   * @param {string} message
   * @param {HookErrorOptions} [options]
   */
  static unauthorized(message, options) {
    return new HookError(401, message, options);
  }

  /**
   * A 403 Forbidden: the client is authenticated but not allowed.
   * @param {string} message
   * @param {HookErrorOptions} [options]
   */
  static forbidden(message, options) {
    return new HookError(403, message, options);
  }

  /**
   * A 404 Not Found.
   * @param {string} message
   * @param {HookErrorOptions} [options]
   */
  static notFound(message, options) {
    return new HookError(404, message, options);
  }

  /**
   * Converts an error the host returned (a refused setter's `hook-error`, a `repo-error`) into a
   * `HookError` with its status, code, message, details and headers.
   * @param {import('hookline:plugin/types@0.1.0').HookError | import('hookline:plugin/repos@0.1.0').RepoError} error
   * @returns {HookError}
   */
  static fromWit(error) {
    return new HookError(error.status, error.message, {
      code: error.code,
      details: error.details === undefined ? undefined : JSON.parse(error.details),
      headers: ('headers' in error ? error.headers : undefined) ?? [],
    });
  }
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
export function throwError(status, message, options) {
  throw new HookError(status, message, options);
}

/**
 * The record the WIT exports return as their `err`.
 *
 * Details that JSON cannot represent would leave the hook without a way to report its error,
 * so they are replaced by a 500 `NOT_SERIALIZABLE` naming the original message.
 *
 * @param {HookError} error
 * @returns {import('hookline:plugin/types@0.1.0').HookError}
 */
function toWitHookError(error) {
  const record = {
    status: error.status,
    code: error.code,
    message: error.message,
    headers: headerPairs(error.headers),
  };
  if (error.details === undefined) {
    return record;
  }
  try {
    const details = JSON.stringify(error.details);
    return details === undefined ? record : { ...record, details };
  } catch (cause) {
    return {
      status: 500,
      code: codes.NOT_SERIALIZABLE,
      message: `details of the error "${error.message}" are not serialisable to JSON: ${
        cause instanceof Error ? cause.message : String(cause)
      }`,
      headers: [],
    };
  }
}

/**
 * Headers as the WIT's `list<tuple<string, string>>`: fresh `[name, value]` pairs of strings.
 * An object gives its own entries; anything else iterable gives its pairs; nothing gives none.
 *
 * @param {ErrorHeaders | undefined} headers
 * @returns {Array<[string, string]>}
 */
function headerPairs(headers) {
  if (headers === undefined || headers === null) {
    return [];
  }
  const pairs = Symbol.iterator in Object(headers)
    ? Array.from(/** @type {Iterable<readonly [string, string | number]>} */ (headers))
    : Object.entries(headers);
  return pairs.map(([name, value]) => [String(name), String(value)]);
}
