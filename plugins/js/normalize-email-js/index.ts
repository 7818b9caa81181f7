/**
 * @module
 * preHook: requires a string `email` in the JSON body and normalises it (trimmed, lowercase),
 * then marks the request with `share.validationPassed = true` for later hooks. The TypeScript
 * twin of `plugins/normalize-email`.
 */

import { definePreHook, throwError } from '@hookline/sdk';

export const preHook = definePreHook((ctx) => {
  const body = ctx.body();
  const email: unknown = body?.email;
  if (typeof email !== 'string') {
    throwError(400, 'Email is required');
  }
  body.email = email.trim().toLowerCase();
  ctx.setBody(body);

  ctx.setShare({ ...ctx.share(), validationPassed: true });
});
