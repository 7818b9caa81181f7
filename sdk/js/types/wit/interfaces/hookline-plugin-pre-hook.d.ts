/// <reference path="./hookline-plugin-context.d.ts" />
/// <reference path="./hookline-plugin-types.d.ts" />
declare module 'hookline:plugin/pre-hook@0.1.0' {
  /**
   * `ok(none)` continues; `ok(some(value))` makes `value` the response and skips the handler
   * (postHooks still run); `err` fails the request with that HTTP error.
   */
  export function run(ctx: RequestContext): Json | undefined;
  export type Json = import('hookline:plugin/types@0.1.0').Json;
  export type HookError = import('hookline:plugin/types@0.1.0').HookError;
  export type RequestContext = import('hookline:plugin/context@0.1.0').RequestContext;
}
