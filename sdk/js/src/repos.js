// @ts-check
/**
 * @module
 * `repos`: repositories over the server's user tables (`hookline:plugin/repos`), the reference's
 * `$ctx.$repos`.
 *
 * A hook may use the tables its route targets and the tables its own attachment adds; any other
 * table is refused with a 403 `TABLE_NOT_ALLOWED`. Queries, data and filters are plain values
 * sent as JSON; rows come back parsed. Ids are whole numbers from 0 (a number or a `BigInt`).
 *
 * Every call is synchronous: the hook waits while the host queries the database. A refused or
 * failed call throws a {@link HookError} with the status, code, message and details the host
 * gave: 400 `VALIDATION_ERROR` (per-field messages in `details`), `INVALID_FILTER` or
 * `INVALID_QUERY`; 403 `TABLE_NOT_ALLOWED`; 404 `NOT_FOUND`; 409 `UNIQUE_VIOLATION`; 504
 * `REPO_TIMEOUT`; ... Uncaught, it fails the request with it; catch it to recover.
 */

import {
  count as witCount,
  create as witCreate,
  delete as witDelete,
  find as witFind,
  findOne as witFindOne,
  update as witUpdate,
} from 'hookline:plugin/repos@0.1.0';

import { HookError } from './error.js';
import { callHostWith, nonNegativeS64Of } from './host-call.js';
import { parseHostJson, toJson } from './json.js';

/**
 * What to find: `filter` is `{ field: { _eq: value } }` (also `_neq`, `_gt`, `_gte`, `_lt`,
 * `_lte`, `_in`, `_nin`, `_contains`, `_starts_with`, `_ends_with`, `_between`, `_is_null`,
 * `_is_not_null`), combined with `_and`, `_or`, `_not` and nested through relations; `fields` the
 * columns to answer (or `'*'`); `sort` column names, `-name` descending; `limit` rows per page
 * (default 10, 0 = the server's maximum); `page` from 1; `meta` which counts to add.
 *
 * @typedef {object} RepoQuery
 * @property {Record<string, unknown>} [filter]
 * @property {string[] | string} [fields]
 * @property {string[] | string} [sort]
 * @property {number} [limit]
 * @property {number} [page]
 * @property {Array<'totalCount' | 'filterCount'> | string} [meta]
 */

/**
 * A row of a user table, as JSON.
 * @typedef {Record<string, any>} Row
 */

/**
 * What {@link repos.find} answers: the page of rows, and the counts `meta` asked for.
 *
 * @typedef {object} FindResult
 * @property {Row[]} data
 * @property {{ totalCount?: number, filterCount?: number }} [meta]
 */

/** The status of an id that is not a whole number an `s64` holds. */
const INVALID_ID_STATUS = 400;

/**
 * Deletes row `id` of `table`.
 * @param {string} table
 * @param {number | bigint} id
 * @returns {Row} The row as it was.
 * @throws {HookError} 404 `NOT_FOUND`, 400 `INVALID_ID`, or as {@link repos.find}.
 */
function deleteRow(table, id) {
  const key = idOf(id);
  return parseHostJson(callRepo(() => witDelete(table, key)));
}

/**
 * The user tables the hook may use.
 *
 * @example
 * import { defineHandler, repos } from '@hookline/sdk';
 *
 * export const handler = defineHandler((ctx) => {
 *   const { data, meta } = repos.find('posts', {
 *     filter: { published: { _eq: true } },
 *     sort: ['-created_at'],
 *     limit: 5,
 *     meta: ['filterCount'],
 *   });
 *   return { posts: data, total: meta?.filterCount };
 * });
 */
export const repos = /* @__PURE__ */ Object.freeze({
  /**
   * The page of rows of `table` that `query` finds.
   * @param {string} table
   * @param {RepoQuery} [query] Without one, the first 10 rows.
   * @returns {FindResult}
   * @throws {HookError} 403 `TABLE_NOT_ALLOWED`, 400 `INVALID_FILTER` or `INVALID_QUERY`, 504
   *   `REPO_TIMEOUT`, ...; 500 `NOT_SERIALIZABLE` for a query JSON cannot represent.
   */
  find(table, query = {}) {
    const json = toJson(query);
    return parseHostJson(callRepo(() => witFind(table, json)));
  },

  /**
   * The first row of `table` that `query` finds.
   * @param {string} table
   * @param {RepoQuery} [query] Without one, any row.
   * @returns {Row | null} `null` when none matches.
   * @throws {HookError} as {@link repos.find}.
   */
  findOne(table, query = {}) {
    const json = toJson(query);
    const text = callRepo(() => witFindOne(table, json));
    return text === undefined ? null : parseHostJson(text);
  },

  /**
   * Inserts a row into `table`, checked against its columns.
   * @param {string} table
   * @param {Record<string, unknown>} data The row's fields.
   * @returns {Row} The row as stored, with its id.
   * @throws {HookError} 400 `VALIDATION_ERROR` (per-field messages in `details`), 409
   *   `UNIQUE_VIOLATION`, or as {@link repos.find}.
   */
  create(table, data) {
    const json = toJson(data);
    return parseHostJson(callRepo(() => witCreate(table, json)));
  },

  /**
   * Changes the given fields of row `id` of `table`.
   * @param {string} table
   * @param {number | bigint} id
   * @param {Record<string, unknown>} data The fields to change.
   * @returns {Row} The row as changed.
   * @throws {HookError} 404 `NOT_FOUND`, 400 `INVALID_ID`, or as {@link repos.create}.
   */
  update(table, id, data) {
    const key = idOf(id);
    const json = toJson(data);
    return parseHostJson(callRepo(() => witUpdate(table, key, json)));
  },

  /**
   * Deletes row `id` of `table` and answers what it was; {@link repos.remove} is the same.
   * @throws {HookError} 404 `NOT_FOUND`, 400 `INVALID_ID`, or as {@link repos.find}.
   */
  delete: deleteRow,

  /** The same as {@link repos.delete}, under a name that is no keyword. */
  remove: deleteRow,

  /**
   * How many rows of `table` match `filter`.
   * @param {string} table
   * @param {Record<string, unknown> | null} [filter] A filter as in {@link RepoQuery}; without
   *   one (or `null`), every row.
   * @returns {number}
   * @throws {HookError} as {@link repos.find}.
   */
  count(table, filter = null) {
    const json = toJson(filter);
    return Number(callRepo(() => witCount(table, json)));
  },
});

/**
 * Calls a repos import; its `repo-error` becomes a {@link HookError} with the error's own
 * status, code, message and details.
 * @template T
 * @param {() => T} call
 * @returns {T}
 */
function callRepo(call) {
  return callHostWith(call, HookError.fromWit);
}

/**
 * The id as the WIT's `s64`; anything but a whole number from 0 to 2^63 - 1 is a 400
 * `INVALID_ID` (the code the server answers for a path id that is not a number). No row has a
 * negative id, and componentize-js traps on a negative `s64` argument rather than passing it.
 * @param {unknown} id
 * @returns {bigint}
 */
function idOf(id) {
  const key = nonNegativeS64Of(id);
  if (key !== undefined) {
    return key;
  }
  throw new HookError(INVALID_ID_STATUS, `id must be a whole number from 0, got ${String(id)}`, {
    code: 'INVALID_ID',
  });
}
