// @ts-check
/**
 * @module
 * Handler: greets the `name` route parameter, e.g. `GET /hello/ada` on the route
 * `/hello/:name` answers `{"message": "hello, ada"}`. The JavaScript twin of `plugins/hello`.
 *
 * Config `{"greeting": "hi"}` replaces the word `hello`.
 */

import { defineHandler } from '@hookline/sdk';

/** The greeting when the config names none. */
const DEFAULT_GREETING = 'hello';

/** Who is greeted when the route has no `name` parameter. */
const DEFAULT_NAME = 'world';

export const handler = defineHandler((ctx) => {
  const { greeting } = ctx.config();
  const name = ctx.param('name') ?? DEFAULT_NAME;
  return { message: `${typeof greeting === 'string' ? greeting : DEFAULT_GREETING}, ${name}` };
});
