/**
 * @module
 * `Context`: a hook's view of the request, over the host's `request-context` resource.
 *
 * Every read asks the host for just that value, so a hook pays only for what it uses; nothing
 * is cached here, because a setter's effect must be visible to the next read.
 */
export type Phase = import('hookline:plugin/context@0.1.0').Phase;
export type LogLevel = import('hookline:plugin/log@0.1.0').Level;
export type User = {
    /**
     * The user's id.
     */
    id: number;
    /**
     * The user's email address.
     */
    email: string;
    /**
     * The user's role, when one is assigned.
     */
    role?: string;
    /**
     * Whether the user administers the whole server.
     */
    isRootAdmin: boolean;
    /**
     * Whether the user confirmed their email address.
     */
    verified: boolean;
    /**
     * The id of the user's organization, when they belong to one.
     */
    organization?: number;
};
export type ErrorInfo = {
    /**
     * The error message sent to the client.
     */
    message: string;
    /**
     * The error's kind, e.g. `HookError`.
     */
    name: string;
    /**
     * The HTTP status of the error response.
     */
    statusCode: number;
    /**
     * The `error.details` sent to the client, if any.
     */
    details?: unknown;
    /**
     * When the error happened, RFC 3339.
     */
    timestamp: string;
};
/**
 * The lifecycle phase a hook runs in; it decides which setters the host accepts.
 * @typedef {import('hookline:plugin/context@0.1.0').Phase} Phase
 */
/**
 * Severity of a log message.
 * @typedef {import('hookline:plugin/log@0.1.0').Level} LogLevel
 */
/**
 * The authenticated user of the request. Never carries secrets. Ids are numbers (the WIT's
 * `s64` arrives as a `BigInt`, which `JSON.stringify` rejects), exact up to 2^53.
 *
 * @typedef {object} User
 * @property {number} id The user's id.
 * @property {string} email The user's email address.
 * @property {string} [role] The user's role, when one is assigned.
 * @property {boolean} isRootAdmin Whether the user administers the whole server.
 * @property {boolean} verified Whether the user confirmed their email address.
 * @property {number} [organization] The id of the user's organization, when they belong to one.
 */
/**
 * The error of an earlier phase, as a postHook sees it on the error path.
 *
 * @typedef {object} ErrorInfo
 * @property {string} message The error message sent to the client.
 * @property {string} name The error's kind, e.g. `HookError`.
 * @property {number} statusCode The HTTP status of the error response.
 * @property {unknown} [details] The `error.details` sent to the client, if any.
 * @property {string} timestamp When the error happened, RFC 3339.
 */
/**
 * The request a hook runs for: read it, change it (as the phase allows), and log.
 *
 * One request has one context through every hook of its lifecycle, so what a preHook stores
 * with {@link Context#setShare} is what later hooks read with {@link Context#share}. The hook
 * receives it from `definePreHook`, `defineHandler` or `definePostHook`; it is valid only
 * during that call.
 */
export declare class Context {
    #private;
    /**
     * Wraps the resource the host lent to the current export call.
     * @param {import('hookline:plugin/context@0.1.0').RequestContext} inner
     */
    constructor(inner: import('hookline:plugin/context@0.1.0').RequestContext);
    /** The lifecycle phase the hook runs in: `'pre-hook'`, `'handler'` or `'post-hook'`. */
    phase(): import("hookline:plugin/context@0.1.0").Phase;
    /** The HTTP method, e.g. `POST`. */
    method(): string;
    /** The request path, e.g. `/hello/ada`. */
    path(): string;
    /** The matched route pattern, e.g. `/hello/:name`. */
    route(): string;
    /**
     * The route parameters.
     * @returns {Record<string, string>}
     */
    params(): Record<string, string>;
    /**
     * One route parameter, e.g. `name` for the route `/hello/:name`; `undefined` when absent.
     * @param {string} name
     * @returns {string | undefined}
     */
    param(name: string): string | undefined;
    /**
     * The query parameters: string values, or an array of strings for a repeated key.
     * @returns {Record<string, string | string[]>}
     */
    query(): Record<string, string | string[]>;
    /**
     * A request header by case-insensitive name; several values are joined with `, `.
     * @param {string} name
     * @returns {string | undefined}
     */
    header(name: string): string | undefined;
    /**
     * Every request header as `[name, value]` pairs.
     * @returns {Array<[string, string]>}
     */
    headers(): Array<[string, string]>;
    /** The client's IP address. */
    clientIp(): string;
    /**
     * The parsed JSON body; `null` when the request had none or it was not JSON.
     * @returns {any}
     */
    body(): any;
    /**
     * The body bytes exactly as received.
     * @returns {Uint8Array}
     */
    rawBody(): Uint8Array;
    /**
     * The authenticated user; `undefined` for an anonymous request.
     * @returns {User | undefined}
     */
    user(): User | undefined;
    /**
     * The configuration attached to this hook or handler; `{}` when none is attached.
     * @returns {any}
     */
    config(): any;
    /**
     * The `share` object that every later hook of the request sees.
     * @returns {Record<string, any>}
     */
    share(): Record<string, any>;
    /**
     * postHooks: the response data so far; `null` on the error path.
     * @returns {any}
     */
    data(): any;
    /** postHooks: the response status so far. */
    status(): number;
    /**
     * postHooks: the error of an earlier phase, if the request failed.
     * @returns {ErrorInfo | undefined}
     */
    error(): ErrorInfo | undefined;
    /**
     * preHooks: replaces the request body the handler will see.
     * @param {unknown} body
     * @throws {HookError} what the host refuses (e.g. outside a preHook), or `NOT_SERIALIZABLE`.
     */
    setBody(body: unknown): void;
    /**
     * preHooks: replaces the query parameters; a JSON object.
     * @param {Record<string, string | string[]>} query
     * @throws {HookError} what the host refuses (outside a preHook, not an object), or
     *   `NOT_SERIALIZABLE`.
     */
    setQuery(query: Record<string, string | string[]>): void;
    /**
     * preHooks: replaces the route parameters; a JSON object of strings.
     * @param {Record<string, string>} params
     * @throws {HookError} what the host refuses (outside a preHook, not an object of strings),
     *   or `NOT_SERIALIZABLE`.
     */
    setParams(params: Record<string, string>): void;
    /**
     * Any phase: replaces the `share` object; a JSON object. To add one key, read
     * {@link Context#share}, add it, and write the object back.
     * @param {Record<string, unknown>} share
     * @throws {HookError} what the host refuses (not an object), or `NOT_SERIALIZABLE`.
     */
    setShare(share: Record<string, unknown>): void;
    /**
     * Handler and postHooks: replaces the response data.
     * @param {unknown} data
     * @throws {HookError} what the host refuses (e.g. in a preHook), or `NOT_SERIALIZABLE`.
     */
    setData(data: unknown): void;
    /**
     * Handler and postHooks: sets the response status, 100 to 599.
     * @param {number} status
     * @throws {HookError} what the host refuses (e.g. in a preHook, or a status out of range).
     */
    setStatus(status: number): void;
    /**
     * Handler and postHooks: sets a response header.
     * @param {string} name
     * @param {string} value
     * @throws {HookError} what the host refuses (e.g. in a preHook, or an invalid name or value).
     */
    setHeader(name: string, value: string): void;
    /**
     * Logs at info level to the response's `logs` array and the server log.
     * @param {string} message
     */
    log(message: string): void;
    /**
     * Logs at the given level to the response's `logs` array and the server log.
     * @param {LogLevel} level `'debug'`, `'info'`, `'warn'` or `'error'`.
     * @param {string} message
     */
    logLevel(level: LogLevel, message: string): void;
}
