// The package's type entry point: the SDK's declarations (generated from the JSDoc in src/ by
// `npm run types`) plus the ambient `hookline:plugin/*` modules they refer to (generated from
// the WIT by `jco guest-types`).
/// <reference path="./wit/hookline.d.ts" />
export * from './sdk/index.js';
