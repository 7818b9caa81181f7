import assert from 'node:assert/strict';
import { test } from 'node:test';

import { HookError, defineHandler, definePostHook, definePreHook, throwError } from '../src/index.js';
import { FakeRequestContext, callExport } from './fake-host/request-context.js';

test('a handler value becomes the response data as JSON', async () => {
  const handler = defineHandler((ctx) => ({ message: `hello, ${ctx.param('name')}` }));
  const ctx = new FakeRequestContext({ params: { name: 'ada' } });

  assert.deepEqual(await callExport(() => handler.handle(ctx)), { tag: 'ok', val: '{"message":"hello, ada"}' });
});

test('a handler returning nothing answers null', async () => {
  const handler = defineHandler(() => {});

  assert.deepEqual(await callExport(() => handler.handle(new FakeRequestContext())), { tag: 'ok', val: 'null' });
});

test('an async handler is awaited', async () => {
  const handler = defineHandler(async () => {
    await Promise.resolve();
    return [1, 2];
  });

  assert.deepEqual(await callExport(() => handler.handle(new FakeRequestContext())), { tag: 'ok', val: '[1,2]' });
});

test('a preHook returning nothing continues', async () => {
  const preHook = definePreHook(() => {});
  const ctx = new FakeRequestContext({ phase: 'pre-hook' });

  assert.deepEqual(await callExport(() => preHook.run(ctx)), { tag: 'ok', val: undefined });
});

test('a preHook returning a value, null included, answers with it', async () => {
  for (const [response, json] of [[{ cached: true }, '{"cached":true}'], [null, 'null']]) {
    const preHook = definePreHook(() => response);
    const ctx = new FakeRequestContext({ phase: 'pre-hook' });

    assert.deepEqual(await callExport(() => preHook.run(ctx)), { tag: 'ok', val: json });
  }
});

test('throwError without code or details leaves both out of the WIT error and sends no headers', async () => {
  const preHook = definePreHook(() => throwError(400, 'Email is required'));
  const ctx = new FakeRequestContext({ phase: 'pre-hook', body: {} });

  assert.deepEqual(await callExport(() => preHook.run(ctx)), {
    tag: 'err',
    val: { status: 400, code: undefined, message: 'Email is required', headers: [] },
  });
  assert.deepEqual(ctx.state.body, {});
});

test('a HookError with code and details sends the details as JSON text', async () => {
  const handler = defineHandler(() => {
    throw new HookError(422, 'Age must be positive', { code: 'AGE_INVALID', details: { field: 'age' } });
  });

  assert.deepEqual(await callExport(() => handler.handle(new FakeRequestContext())), {
    tag: 'err',
    val: {
      status: 422,
      code: 'AGE_INVALID',
      message: 'Age must be positive',
      headers: [],
      details: '{"field":"age"}',
    },
  });
});

test('a postHook error becomes the WIT error and its return value is ignored', async () => {
  const ok = definePostHook(() => 'ignored');
  const failing = definePostHook(() => throwError(503, 'audit store down', { code: 'AUDIT_DOWN' }));
  const ctx = new FakeRequestContext({ phase: 'post-hook' });

  assert.deepEqual(await callExport(() => ok.run(ctx)), { tag: 'ok', val: undefined });
  assert.deepEqual(await callExport(() => failing.run(ctx)), {
    tag: 'err',
    val: { status: 503, code: 'AUDIT_DOWN', message: 'audit store down', headers: [] },
  });
});

test('a setter the host refuses fails the hook with the host error', async () => {
  const handler = defineHandler((ctx) => {
    ctx.setBody({ email: 'x' });
    return 'unreachable';
  });
  const ctx = new FakeRequestContext({ phase: 'handler', body: { email: 'a' } });

  assert.deepEqual(await callExport(() => handler.handle(ctx)), {
    tag: 'err',
    val: {
      status: 500,
      code: 'PHASE_VIOLATION',
      message: 'setBody is not allowed in handler',
      headers: [],
      details: '{"setter":"setBody"}',
    },
  });
  assert.deepEqual(ctx.state.body, { email: 'a' });
});

test('a refused setter surfaces as a HookError the hook can catch', async () => {
  let caught;
  const handler = defineHandler((ctx) => {
    try {
      ctx.setShare([]);
    } catch (error) {
      caught = error;
    }
    return 'recovered';
  });

  assert.deepEqual(await callExport(() => handler.handle(new FakeRequestContext())), { tag: 'ok', val: '"recovered"' });
  assert.ok(caught instanceof HookError);
  assert.equal(caught.code, 'INVALID_SHARE');
});

test('a value JSON cannot represent is a 500 NOT_SERIALIZABLE', async () => {
  const handler = defineHandler(() => ({ id: 1n }));
  const result = await callExport(() => handler.handle(new FakeRequestContext()));

  assert.equal(result.tag, 'err');
  assert.equal(result.val.status, 500);
  assert.equal(result.val.code, 'NOT_SERIALIZABLE');
});

test('error details JSON cannot represent become a 500 NOT_SERIALIZABLE', async () => {
  const handler = defineHandler(() => throwError(400, 'bad', { details: { n: 1n } }));
  const result = await callExport(() => handler.handle(new FakeRequestContext()));

  assert.equal(result.val.status, 500);
  assert.equal(result.val.code, 'NOT_SERIALIZABLE');
  assert.match(result.val.message, /"bad"/);
});

test('any other exception escapes the glue, which traps the instance', async () => {
  const handler = defineHandler(() => {
    throw new TypeError('boom');
  });

  await assert.rejects(callExport(() => handler.handle(new FakeRequestContext())), { name: 'TypeError', message: 'boom' });
});

test('a thrown non-Error value traps instead of reaching the host as a malformed error', async () => {
  const handler = defineHandler(() => {
    throw 'oops';
  });

  await assert.rejects(callExport(() => handler.handle(new FakeRequestContext())), /non-Error value: oops/);
});

test('a synchronous hook is answered without a promise, an async one with one', async () => {
  const sync = defineHandler(() => ({ ok: true }));
  const asyncHandler = defineHandler(async () => ({ ok: true }));
  const ctx = new FakeRequestContext();

  assert.equal(sync.handle(ctx), '{"ok":true}');
  const pending = asyncHandler.handle(ctx);
  assert.ok(pending instanceof Promise);
  assert.equal(await pending, '{"ok":true}');
});

test('an async hook rejecting with a HookError or another error fails like a synchronous one', async () => {
  const rejecting = defineHandler(async () => throwError(409, 'Taken', { code: 'TAKEN' }));
  const buggy = defineHandler(async () => {
    throw new TypeError('oops');
  });

  assert.deepEqual(await callExport(() => rejecting.handle(new FakeRequestContext())), {
    tag: 'err',
    val: { status: 409, code: 'TAKEN', message: 'Taken', headers: [] },
  });
  await assert.rejects(callExport(() => buggy.handle(new FakeRequestContext())), { name: 'TypeError', message: 'oops' });
});
