import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';

import { HookError, codes, defineHandler, repos } from '../src/index.js';
import { calls, host, resetFake } from './fake-host/repos.js';
import { FakeRequestContext, callExport } from './fake-host/request-context.js';

beforeEach(resetFake);

/** Creates the posts `titles` in order; their ids are 1, 2, ... */
function seed(...titles) {
  for (const title of titles) {
    repos.create('posts', { title, slug: title.toLowerCase(), published: title.startsWith('P') });
  }
  calls.length = 0;
}

test('create sends the data as JSON and answers the stored row', () => {
  const row = repos.create('posts', { title: 'Hello', slug: 'hello' });

  assert.deepEqual(row, { id: 1, published: false, title: 'Hello', slug: 'hello' });
  assert.deepEqual(calls, [['create', 'posts', '{"title":"Hello","slug":"hello"}']]);
});

test('find sends the query as JSON and answers the rows and the meta asked for', () => {
  seed('Published one', 'draft', 'Published two');
  const query = { filter: { published: { _eq: true } }, sort: ['-id'], limit: 1, meta: ['totalCount', 'filterCount'] };

  assert.deepEqual(repos.find('posts', query), {
    data: [{ id: 3, published: true, title: 'Published two', slug: 'published two' }],
    meta: { totalCount: 3, filterCount: 2 },
  });
  assert.deepEqual(calls, [['find', 'posts', JSON.stringify(query)]]);
});

test('find without a query sends an empty one and answers no meta', () => {
  seed('a', 'b');

  const result = repos.find('posts');

  assert.deepEqual(result.data.map((row) => row.id), [1, 2]);
  assert.equal(Object.hasOwn(result, 'meta'), false);
  assert.deepEqual(calls, [['find', 'posts', '{}']]);
});

test('findOne answers the first row found, or null', () => {
  seed('a', 'b');

  assert.deepEqual(repos.findOne('posts', { filter: { id: { _gt: 1 } } })?.title, 'b');
  assert.equal(repos.findOne('posts', { filter: { title: { _eq: 'zzz' } } }), null);
  assert.deepEqual(calls.map((call) => call[0]), ['findOne', 'findOne']);
});

test('update sends the id as an s64 BigInt and answers the changed row', () => {
  seed('a');

  assert.deepEqual(repos.update('posts', 1, { title: 'A' }), { id: 1, published: false, title: 'A', slug: 'a' });
  assert.equal(repos.update('posts', 1n, { published: true }).published, true);
  assert.deepEqual(calls, [
    ['update', 'posts', 1n, '{"title":"A"}'],
    ['update', 'posts', 1n, '{"published":true}'],
  ]);
});

test('delete, and its alias remove, delete a row and answer what it was', () => {
  seed('a', 'b');

  assert.equal(repos.delete('posts', 1).title, 'a');
  assert.equal(repos.remove('posts', 2n).title, 'b');
  assert.equal(repos.remove, repos.delete);
  assert.deepEqual(calls, [['delete', 'posts', 1n], ['delete', 'posts', 2n]]);
  assert.equal(repos.count('posts'), 0);
});

test('count answers a number, for a filter or (without one) every row', () => {
  seed('Published', 'draft', 'other');

  const all = repos.count('posts');
  assert.equal(typeof all, 'number');
  assert.equal(all, 3);
  assert.equal(repos.count('posts', { published: { _eq: true } }), 1);
  assert.equal(repos.count('posts', null), 3);
  assert.deepEqual(calls.map((call) => call[2]), ['null', '{"published":{"_eq":true}}', 'null']);
});

test('a refused call is a HookError with the status, code and message the host gave', () => {
  seed('a');
  assert.throws(() => repos.find('users'), (error) => {
    assert.ok(error instanceof HookError);
    assert.equal(error.status, 403);
    assert.equal(error.code, 'TABLE_NOT_ALLOWED');
    assert.equal(error.message, 'this hook may not use the table "users"');
    assert.equal(error.details, undefined);
    return true;
  });
  assert.throws(() => repos.update('posts', 9, { title: 'x' }), { status: 404, code: 'NOT_FOUND' });
  assert.throws(() => repos.find('posts', { filter: { id: { _like: 1 } } }), { status: 400, code: 'INVALID_FILTER' });
  assert.throws(() => repos.findOne('posts', { where: {} }), { status: 400, code: 'INVALID_QUERY' });
  assert.throws(() => repos.create('posts', { title: 'A', slug: 'a' }), { status: 409, code: 'UNIQUE_VIOLATION' });
});

test('a validation error carries its per-field messages as details', () => {
  assert.throws(() => repos.create('posts', { slug: 'x', colour: 'red' }), {
    name: 'HookError',
    status: 400,
    code: 'VALIDATION_ERROR',
    message: 'the row is not valid',
    details: { colour: 'is not a column', title: 'is required' },
  });
});

test('a database that does not answer is a 504 REPO_TIMEOUT', () => {
  host.timeout = true;

  for (const call of [() => repos.find('posts'), () => repos.delete('posts', 1), () => repos.count('posts')]) {
    assert.throws(call, { status: 504, code: 'REPO_TIMEOUT' });
  }
});

test('an id that is not a whole number from 0 to 2^63 - 1 is a 400 INVALID_ID and the host is not called', () => {
  // Negative ids included: componentize-js traps on a negative s64 argument.
  for (const id of [1.5, Number.NaN, 2 ** 53, '7', null, undefined, -1, -1n, 2n ** 63n]) {
    assert.throws(() => repos.update('posts', /** @type {any} */ (id), {}), { status: 400, code: 'INVALID_ID' });
    assert.throws(() => repos.delete('posts', /** @type {any} */ (id)), { status: 400, code: 'INVALID_ID' });
  }
  assert.deepEqual(calls, []);
});

test('a value JSON cannot represent is a 500 NOT_SERIALIZABLE and the host is not called', () => {
  const big = { n: 1n };
  for (const call of [
    () => repos.find('posts', big),
    () => repos.findOne('posts', big),
    () => repos.create('posts', big),
    () => repos.update('posts', 1, big),
    () => repos.count('posts', big),
  ]) {
    assert.throws(call, { status: 500, code: codes.NOT_SERIALIZABLE });
  }
  assert.deepEqual(calls, []);
});

test('an uncaught repo error fails the request with it, details included', async () => {
  const handler = defineHandler((ctx) => repos.create('posts', ctx.body()));
  const ctx = new FakeRequestContext({ body: { slug: 'no-title' } });

  assert.deepEqual(await callExport(() => handler.handle(ctx)), {
    tag: 'err',
    val: {
      status: 400,
      code: 'VALIDATION_ERROR',
      message: 'the row is not valid',
      details: '{"title":"is required"}',
      headers: [],
    },
  });
});

test('a handler can list the published posts with their count', async () => {
  seed('Published one', 'draft', 'Published two');
  const handler = defineHandler(() => {
    const { data, meta } = repos.find('posts', {
      filter: { published: { _eq: true } },
      sort: ['-id'],
      limit: 5,
      meta: ['filterCount'],
    });
    return { titles: data.map((post) => post.title), total: meta?.filterCount };
  });

  assert.deepEqual(await callExport(() => handler.handle(new FakeRequestContext())), {
    tag: 'ok',
    val: '{"titles":["Published two","Published one"],"total":2}',
  });
});

test('the repos object cannot be changed by a plugin', () => {
  assert.ok(Object.isFrozen(repos));
});
