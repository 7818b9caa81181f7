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
export type Hook<T> = (ctx: Context) => T | Promise<T>;
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
export declare function definePreHook(hook: Hook<unknown>): {
    run(ctx: import('hookline:plugin/context@0.1.0').RequestContext): string | undefined | Promise<string | undefined>;
};
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
export declare function defineHandler(handler: Hook<unknown>): {
    handle(ctx: import('hookline:plugin/context@0.1.0').RequestContext): string | Promise<string>;
};
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
export declare function definePostHook(hook: Hook<unknown>): {
    run(ctx: import('hookline:plugin/context@0.1.0').RequestContext): void | Promise<void>;
};
