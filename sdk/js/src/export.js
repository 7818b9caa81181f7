// @ts-check
/**
 * @module
 * The glue between the WIT exports and a plugin's functions.
 *
 * componentize-js binds the world's exports to same-named ES module exports: `preHook`,
 * `handler` and `postHook`, each an object with the interface's function (`run` or `handle`).
 * The functions here build those objects, so conversion logic (JSON, errors) lives in one place
 * rather than in every plugin.
 */

import { Context } from './context.js';
import { HookError } from './error.js';
import { toJson } from './json.js';

/**
 * A hook function: sync or async. componentize-js runs the event loop until a returned promise
 * settles, so `await` works inside hooks.
 *
 * @template T
 * @typedef {(ctx: Context) => T | Promise<T>} Hook
 */

/**
 * Defines a preHook; export the result as `preHook`.
 *
 * Returning `undefined` (or nothing) continues to the next hook and the handler; any other
 * value, `null` included, becomes the response data and skips the handler (postHooks still run).
 * Throwing a {@link HookError} fails the request with that error.
 *
 * @example
 * export const preHook = definePreHook((ctx) => {
 *   if (!ctx.header('x-api-key')) throwError(401, 'API key required', { code: 'API_KEY_MISSING' });
 * });
 *
 * @param {Hook<unknown>} hook
 * @returns {{ run(ctx: import('hookline:plugin/context@0.1.0').RequestContext): string | undefined | Promise<string | undefined> }}
 */
export function definePreHook(hook) {
  return {
    run: (ctx) =>
      runHook(ctx, hook, (response) => (response === undefined ? undefined : toJson(response))),
  };
}

/**
 * Defines a handler; export the result as `handler`.
 *
 * The returned value becomes the response data (`undefined` is sent as `null`). Throwing a
 * {@link HookError} fails the request with that error.
 *
 * @example
 * export const handler = defineHandler((ctx) => ({ path: ctx.path() }));
 *
 * @param {Hook<unknown>} handler
 * @returns {{ handle(ctx: import('hookline:plugin/context@0.1.0').RequestContext): string | Promise<string> }}
 */
export function defineHandler(handler) {
  return {
    handle: (ctx) => runHook(ctx, handler, (data) => toJson(data === undefined ? null : data)),
  };
}

/**
 * Defines a postHook; export the result as `postHook`. It runs after the handler on success
 * and on error (see `ctx.error()`); what it returns is ignored.
 *
 * @example
 * export const postHook = definePostHook((ctx) => ctx.log(`answered ${ctx.status()}`));
 *
 * @param {Hook<unknown>} hook
 * @returns {{ run(ctx: import('hookline:plugin/context@0.1.0').RequestContext): void | Promise<void> }}
 */
export function definePostHook(hook) {
  return { run: (ctx) => runHook(ctx, hook, () => undefined) };
}

/**
 * Runs a hook over the lent context and converts its outcome for the export glue.
 *
 * A hook that returns a plain value is answered synchronously: no promise is made and the
 * engine's event loop does not run, which halves the cost of a call in componentize-js (a
 * promise job per call is interpreted bytecode). A hook that returns a promise is awaited.
 *
 * A {@link HookError} carries the `payload` the glue returns as the WIT `err`. Any other
 * exception is a bug in the hook and traps the instance (a 500 `HOOK_TRAP`, the message and
 * stack going to the server log only), as a panic does in a Rust plugin.
 *
 * @template T, R
 * @param {import('hookline:plugin/context@0.1.0').RequestContext} inner
 * @param {Hook<T>} hook
 * @param {(value: T) => R} convert
 * @returns {R | Promise<R>}
 */
function runHook(inner, hook, convert) {
  /** @type {T | Promise<T>} */
  let result;
  try {
    result = hook(new Context(inner));
  } catch (error) {
    throw failure(error);
  }
  if (isThenable(result)) {
    return Promise.resolve(result).then(
      (value) => convertOrFail(convert, value),
      (error) => {
        throw failure(error);
      },
    );
  }
  return convertOrFail(convert, result);
}

/**
 * `convert(value)`, with what it throws turned into what the glue expects.
 *
 * @template T, R
 * @param {(value: T) => R} convert
 * @param {T} value
 * @returns {R}
 */
function convertOrFail(convert, value) {
  try {
    return convert(value);
  } catch (error) {
    throw failure(error);
  }
}

/**
 * Whether a hook returned a promise (or any thenable) rather than its value.
 *
 * @param {unknown} value
 * @returns {value is PromiseLike<any>}
 */
function isThenable(value) {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (/** @type {{ then?: unknown }} */ (value).then) === 'function'
  );
}

/**
 * What a hook's exception becomes: a {@link HookError} as it is, anything else a trap.
 *
 * @param {unknown} error
 */
function failure(error) {
  return error instanceof HookError ? error : trapWith(error);
}

/**
 * What to throw so that the export glue traps with `error` instead of answering the client.
 *
 * The glue returns a thrown value's `payload` as the WIT `err`, and meant to rethrow other
 * Errors; but it runs in its own realm, where the plugin's Errors fail `instanceof Error`, so
 * it would send them to the host as a hook-error carrying the exception's message to the
 * client. Reading this `payload` throws instead, and an exception escaping the glue makes the
 * engine print it with its stack to stderr and abort: a trap.
 *
 * @param {unknown} error
 */
function trapWith(error) {
  const reason = error instanceof Error ? error : new Error(`hook threw a non-Error value: ${String(error)}`);
  return {
    get payload() {
      throw reason;
    },
  };
}
