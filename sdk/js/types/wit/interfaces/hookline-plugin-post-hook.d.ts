/// <reference path="./hookline-plugin-context.d.ts" />
/// <reference path="./hookline-plugin-types.d.ts" />
declare module 'hookline:plugin/post-hook@0.1.0' {
  export function run(ctx: RequestContext): void;
  export type HookError = import('hookline:plugin/types@0.1.0').HookError;
  export type RequestContext = import('hookline:plugin/context@0.1.0').RequestContext;
}
