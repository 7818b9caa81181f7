/// <reference path="./hookline-plugin-context.d.ts" />
/// <reference path="./hookline-plugin-types.d.ts" />
declare module 'hookline:plugin/handler@0.1.0' {
  export function handle(ctx: RequestContext): Json;
  export type Json = import('hookline:plugin/types@0.1.0').Json;
  export type HookError = import('hookline:plugin/types@0.1.0').HookError;
  export type RequestContext = import('hookline:plugin/context@0.1.0').RequestContext;
}
