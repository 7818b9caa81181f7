// @ts-check
/**
 * @module
 * Handler: answers the URL slug of the `text` in the JSON body, made by the host's `autoSlug`
 * helper, e.g. `{"text": "My Product Name"}` → `{"slug": "my-product-name"}`. A body without a
 * string `text` is a 400 `text is required`.
 */

import { defineHandler, helpers, throwError } from '@hookline/sdk';

export const handler = defineHandler((ctx) => {
  const text = ctx.body()?.text;
  if (typeof text !== 'string') {
    throwError(400, 'text is required');
  }
  return { slug: helpers.autoSlug(text) };
});
