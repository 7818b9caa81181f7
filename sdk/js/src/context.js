// @ts-check
/**
 * @module
 * `Context`: a hook's view of the request, over the host's `request-context` resource.
 *
 * Every read asks the host for just that value, so a hook pays only for what it uses; nothing
 * is cached here, because a setter's effect must be visible to the next read.
 */

import { write } from 'hookline:plugin/log@0.1.0';

import { HookError } from './error.js';
import { callHostWith } from './host-call.js';
import { parseHostJson, toJson } from './json.js';

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
export class Context {
  /** @type {import('hookline:plugin/context@0.1.0').RequestContext} */
  #inner;

  /**
   * Wraps the resource the host lent to the current export call.
   * @param {import('hookline:plugin/context@0.1.0').RequestContext} inner
   */
  constructor(inner) {
    this.#inner = inner;
  }

  /** The lifecycle phase the hook runs in: `'pre-hook'`, `'handler'` or `'post-hook'`. */
  phase() {
    return this.#inner.phase();
  }

  /** The HTTP method, e.g. `POST`. */
  method() {
    return this.#inner.method();
  }

  /** The request path, e.g. `/hello/ada`. */
  path() {
    return this.#inner.path();
  }

  /** The matched route pattern, e.g. `/hello/:name`. */
  route() {
    return this.#inner.route();
  }

  /**
   * The route parameters.
   * @returns {Record<string, string>}
   */
  params() {
    return parseHostJson(this.#inner.params());
  }

  /**
   * One route parameter, e.g. `name` for the route `/hello/:name`; `undefined` when absent.
   * @param {string} name
   * @returns {string | undefined}
   */
  param(name) {
    const params = this.params();
    return Object.hasOwn(params, name) ? params[name] : undefined;
  }

  /**
   * The query parameters: string values, or an array of strings for a repeated key.
   * @returns {Record<string, string | string[]>}
   */
  query() {
    return parseHostJson(this.#inner.query());
  }

  /**
   * A request header by case-insensitive name; several values are joined with `, `.
   * @param {string} name
   * @returns {string | undefined}
   */
  header(name) {
    return this.#inner.header(name);
  }

  /**
   * Every request header as `[name, value]` pairs.
   * @returns {Array<[string, string]>}
   */
  headers() {
    return this.#inner.headers();
  }

  /** The client's IP address. */
  clientIp() {
    return this.#inner.clientIp();
  }

  /**
   * The parsed JSON body; `null` when the request had none or it was not JSON.
   * @returns {any}
   */
  body() {
    return parseHostJson(this.#inner.body());
  }

  /**
   * The body bytes exactly as received.
   * @returns {Uint8Array}
   */
  rawBody() {
    return this.#inner.rawBody();
  }

  /**
   * The authenticated user; `undefined` for an anonymous request.
   * @returns {User | undefined}
   */
  user() {
    const user = this.#inner.user();
    if (user === undefined) {
      return undefined;
    }
    return {
      id: Number(user.id),
      email: user.email,
      role: user.role,
      isRootAdmin: user.isRootAdmin,
      verified: user.verified,
      organization: user.organization === undefined ? undefined : Number(user.organization),
    };
  }

  /**
   * The configuration attached to this hook or handler; `{}` when none is attached.
   * @returns {any}
   */
  config() {
    return parseHostJson(this.#inner.config());
  }

  /**
   * The `share` object that every later hook of the request sees.
   * @returns {Record<string, any>}
   */
  share() {
    return parseHostJson(this.#inner.share());
  }

  /**
   * postHooks: the response data so far; `null` on the error path.
   * @returns {any}
   */
  data() {
    return parseHostJson(this.#inner.data());
  }

  /** postHooks: the response status so far. */
  status() {
    return this.#inner.status();
  }

  /**
   * postHooks: the error of an earlier phase, if the request failed.
   * @returns {ErrorInfo | undefined}
   */
  error() {
    const error = this.#inner.error();
    if (error === undefined) {
      return undefined;
    }
    return {
      message: error.message,
      name: error.name,
      statusCode: error.statusCode,
      details: error.details === undefined ? undefined : parseHostJson(error.details),
      timestamp: error.timestamp,
    };
  }

  /**
   * preHooks: replaces the request body the handler will see.
   * @param {unknown} body
   * @throws {HookError} what the host refuses (e.g. outside a preHook), or `NOT_SERIALIZABLE`.
   */
  setBody(body) {
    const json = toJson(body);
    callHost(() => this.#inner.setBody(json));
  }

  /**
   * preHooks: replaces the query parameters; a JSON object.
   * @param {Record<string, string | string[]>} query
   * @throws {HookError} what the host refuses (outside a preHook, not an object), or
   *   `NOT_SERIALIZABLE`.
   */
  setQuery(query) {
    const json = toJson(query);
    callHost(() => this.#inner.setQuery(json));
  }

  /**
   * preHooks: replaces the route parameters; a JSON object of strings.
   * @param {Record<string, string>} params
   * @throws {HookError} what the host refuses (outside a preHook, not an object of strings),
   *   or `NOT_SERIALIZABLE`.
   */
  setParams(params) {
    const json = toJson(params);
    callHost(() => this.#inner.setParams(json));
  }

  /**
   * Any phase: replaces the `share` object; a JSON object. To add one key, read
   * {@link Context#share}, add it, and write the object back.
   * @param {Record<string, unknown>} share
   * @throws {HookError} what the host refuses (not an object), or `NOT_SERIALIZABLE`.
   */
  setShare(share) {
    const json = toJson(share);
    callHost(() => this.#inner.setShare(json));
  }

  /**
   * Handler and postHooks: replaces the response data.
   * @param {unknown} data
   * @throws {HookError} what the host refuses (e.g. in a preHook), or `NOT_SERIALIZABLE`.
   */
  setData(data) {
    const json = toJson(data);
    callHost(() => this.#inner.setData(json));
  }

  /**
   * Handler and postHooks: sets the response status, 100 to 599.
   * @param {number} status
   * @throws {HookError} what the host refuses (e.g. in a preHook, or a status out of range).
   */
  setStatus(status) {
    callHost(() => this.#inner.setStatus(status));
  }

  /**
   * Handler and postHooks: sets a response header.
   * @param {string} name
   * @param {string} value
   * @throws {HookError} what the host refuses (e.g. in a preHook, or an invalid name or value).
   */
  setHeader(name, value) {
    callHost(() => this.#inner.setHeader(name, value));
  }

  /**
   * Logs at info level to the response's `logs` array and the server log.
   * @param {string} message
   */
  log(message) {
    write('info', message);
  }

  /**
   * Logs at the given level to the response's `logs` array and the server log.
   * @param {LogLevel} level `'debug'`, `'info'`, `'warn'` or `'error'`.
   * @param {string} message
   */
  logLevel(level, message) {
    write(level, message);
  }
}

/**
 * Calls a host setter, turning the `err` of its WIT `result` (a `hook-error`) into a
 * {@link HookError} with the host's status, code, message, details and headers.
 *
 * @param {() => void} call
 */
function callHost(call) {
  callHostWith(call, HookError.fromWit);
}
