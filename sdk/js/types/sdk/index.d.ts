/**
 * @module
 * Write Hookline preHooks, handlers and postHooks in JavaScript or TypeScript.
 *
 * A plugin is an ES module built into a WebAssembly component with `jco componentize` against
 * a world of `hookline:plugin` (`pre-hook-plugin`, `handler-plugin`, `post-hook-plugin`,
 * `hooks-plugin` or `plugin`). It exports `preHook`, `handler` and/or `postHook`, each made by
 * the matching `define*` function, exactly as the world asks. `helpers` reaches the host's
 * native helpers (tokens, bcrypt, slugs, crypto, sleep), `cache` its user cache and locks,
 * `rateLimit` its sliding-window rate limits, and `repos` the user tables.
 *
 * @example
 * import { defineHandler, throwError } from '@hookline/sdk';
 *
 * export const handler = defineHandler((ctx) => {
 *   const name = ctx.param('name') ?? throwError(400, 'name is required');
 *   return { message: `hello, ${name}` };
 * });
 */
export { cache } from './cache.js';
export { Context } from './context.js';
export { HookError, codes, throwError } from './error.js';
export { defineHandler, definePostHook, definePreHook } from './export.js';
export { helpers } from './helpers.js';
export { rateLimit } from './rate-limit.js';
export { repos } from './repos.js';
export type User = import('./context.js').User;
export type ErrorInfo = import('./context.js').ErrorInfo;
export type Phase = import('./context.js').Phase;
export type LogLevel = import('./context.js').LogLevel;
export type HookErrorOptions = import('./error.js').HookErrorOptions;
export type ErrorHeaders = import('./error.js').ErrorHeaders;
export type Encoding = import('./helpers.js').Encoding;
export type SshKeyPair = import('./helpers.js').SshKeyPair;
export type RateLimitOptions = import('./rate-limit.js').RateLimitOptions;
export type RateLimitResult = import('./rate-limit.js').RateLimitResult;
export type RepoQuery = import('./repos.js').RepoQuery;
export type Row = import('./repos.js').Row;
export type FindResult = import('./repos.js').FindResult;
export type Hook<T> = import('./export.js').Hook<T>;
/** @typedef {import('./context.js').User} User */
/** @typedef {import('./context.js').ErrorInfo} ErrorInfo */
/** @typedef {import('./context.js').Phase} Phase */
/** @typedef {import('./context.js').LogLevel} LogLevel */
/** @typedef {import('./error.js').HookErrorOptions} HookErrorOptions */
/** @typedef {import('./error.js').ErrorHeaders} ErrorHeaders */
/** @typedef {import('./helpers.js').Encoding} Encoding */
/** @typedef {import('./helpers.js').SshKeyPair} SshKeyPair */
/** @typedef {import('./rate-limit.js').RateLimitOptions} RateLimitOptions */
/** @typedef {import('./rate-limit.js').RateLimitResult} RateLimitResult */
/** @typedef {import('./repos.js').RepoQuery} RepoQuery */
/** @typedef {import('./repos.js').Row} Row */
/** @typedef {import('./repos.js').FindResult} FindResult */
/**
 * @template T
 * @typedef {import('./export.js').Hook<T>} Hook
 */
