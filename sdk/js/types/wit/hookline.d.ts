/// <reference path="./interfaces/hookline-plugin-cache.d.ts" />
/// <reference path="./interfaces/hookline-plugin-context.d.ts" />
/// <reference path="./interfaces/hookline-plugin-handler.d.ts" />
/// <reference path="./interfaces/hookline-plugin-helpers.d.ts" />
/// <reference path="./interfaces/hookline-plugin-log.d.ts" />
/// <reference path="./interfaces/hookline-plugin-post-hook.d.ts" />
/// <reference path="./interfaces/hookline-plugin-pre-hook.d.ts" />
/// <reference path="./interfaces/hookline-plugin-rate-limit.d.ts" />
/// <reference path="./interfaces/hookline-plugin-repos.d.ts" />
/// <reference path="./interfaces/hookline-plugin-types.d.ts" />
declare module 'hookline:plugin/plugin@0.1.0' {
  export type * as HooklinePluginCache010 from 'hookline:plugin/cache@0.1.0'; // import hookline:plugin/cache@0.1.0
  export type * as HooklinePluginContext010 from 'hookline:plugin/context@0.1.0'; // import hookline:plugin/context@0.1.0
  export type * as HooklinePluginHelpers010 from 'hookline:plugin/helpers@0.1.0'; // import hookline:plugin/helpers@0.1.0
  export type * as HooklinePluginLog010 from 'hookline:plugin/log@0.1.0'; // import hookline:plugin/log@0.1.0
  export type * as HooklinePluginRateLimit010 from 'hookline:plugin/rate-limit@0.1.0'; // import hookline:plugin/rate-limit@0.1.0
  export type * as HooklinePluginRepos010 from 'hookline:plugin/repos@0.1.0'; // import hookline:plugin/repos@0.1.0
  export type * as HooklinePluginTypes010 from 'hookline:plugin/types@0.1.0'; // import hookline:plugin/types@0.1.0
  export * as preHook from 'hookline:plugin/pre-hook@0.1.0'; // export hookline:plugin/pre-hook@0.1.0
  export * as handler from 'hookline:plugin/handler@0.1.0'; // export hookline:plugin/handler@0.1.0
  export * as postHook from 'hookline:plugin/post-hook@0.1.0'; // export hookline:plugin/post-hook@0.1.0
}
