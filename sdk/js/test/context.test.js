import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Context } from '../src/index.js';
import { FakeRequestContext } from './fake-host/request-context.js';
import { written } from './fake-host/log.js';

test('param returns one route parameter and undefined when it is absent', () => {
  const ctx = new Context(new FakeRequestContext({ params: { name: 'ada' } }));

  assert.equal(ctx.param('name'), 'ada');
  assert.equal(ctx.param('missing'), undefined);
  assert.equal(ctx.param('toString'), undefined);
});

test('body, config and share are parsed JSON', () => {
  const ctx = new Context(
    new FakeRequestContext({ body: { email: 'a' }, config: { greeting: 'hi' }, share: { seen: 1 } }),
  );

  assert.deepEqual(ctx.body(), { email: 'a' });
  assert.deepEqual(ctx.config(), { greeting: 'hi' });
  assert.deepEqual(ctx.share(), { seen: 1 });
});

test('setShare replaces the share object that later reads see', () => {
  const ctx = new Context(new FakeRequestContext({ share: { seen: 1 } }));

  ctx.setShare({ ...ctx.share(), validationPassed: true });

  assert.deepEqual(ctx.share(), { seen: 1, validationPassed: true });
});

test('user ids arrive as numbers so the user serialises to JSON', () => {
  const ctx = new Context(
    new FakeRequestContext({
      user: { id: 7n, email: 'a@b.c', role: undefined, isRootAdmin: true, verified: true, organization: 3n },
    }),
  );

  assert.equal(JSON.stringify(ctx.user()), '{"id":7,"email":"a@b.c","isRootAdmin":true,"verified":true,"organization":3}');
  assert.equal(new Context(new FakeRequestContext()).user(), undefined);
});

test('log writes at info level and logLevel at the level given', () => {
  const ctx = new Context(new FakeRequestContext());
  written.length = 0;

  ctx.log('hello');
  ctx.logLevel('warn', 'careful');

  assert.deepEqual(written, [
    { level: 'info', message: 'hello' },
    { level: 'warn', message: 'careful' },
  ]);
});
