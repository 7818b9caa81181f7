// Fake of `hookline:plugin/repos@0.1.0`: user tables in memory, with the host's repo-error
// records (their own status, code, message and JSON details), a small part of the query
// language (`filter` with `_eq`, `_gt` and `_and`; `sort`; `limit`; `page`; `meta`), and the
// glue's argument check (an `s64` id that is not a BigInt from 0). Records every call in `calls`;
// `host.allowed` names the tables the hook may use, `host.timeout` makes every call time out.

import { ComponentError } from './request-context.js';

/** Every repos call, as `[name, ...arguments]`. */
export const calls = [];

/** Switches of the fake host. */
export const host = { allowed: ['posts'], timeout: false };

/** The rows of each table by id, and the next id. */
const tables = new Map();

/** The columns of the fake's `posts` table besides `id`; `title` is required, `slug` unique. */
const COLUMNS = ['title', 'slug', 'published'];

const QUERY_KEYS = ['filter', 'fields', 'sort', 'limit', 'page', 'meta'];

/** Empties the tables and forgets the calls and switches. */
export function resetFake() {
  calls.length = 0;
  tables.clear();
  Object.assign(host, { allowed: ['posts'], timeout: false });
}

function repoError(status, code, message, details) {
  return new ComponentError({
    status,
    code,
    message,
    details: details === undefined ? undefined : JSON.stringify(details),
  });
}

/** The rows of `table`, after the host's checks common to every call. */
function tableOf(table) {
  if (host.timeout) {
    throw repoError(504, 'REPO_TIMEOUT', 'the database did not answer in time');
  }
  if (!host.allowed.includes(table)) {
    throw repoError(403, 'TABLE_NOT_ALLOWED', `this hook may not use the table "${table}"`);
  }
  if (!tables.has(table)) {
    tables.set(table, { nextId: 1, rows: new Map() });
  }
  return tables.get(table);
}

function checkId(id) {
  // componentize-js lowers only BigInts from 0 to 2^63 - 1 as an s64; it traps on a negative one.
  if (typeof id !== 'bigint' || id < 0n || id >= 2n ** 63n) {
    throw new TypeError(`${String(id)} is not an s64 componentize-js can lower`);
  }
  return Number(id);
}

function rowOf(rows, id) {
  const row = rows.get(id);
  if (row === undefined) {
    throw repoError(404, 'NOT_FOUND', `no row ${id}`);
  }
  return row;
}

/** The fields of `data`, checked against the columns; `creating` requires the title. */
function checked(data, rows, creating, id) {
  const fields = JSON.parse(data);
  const problems = {};
  for (const name of Object.keys(fields)) {
    if (!COLUMNS.includes(name)) problems[name] = 'is not a column';
  }
  if ((creating || 'title' in fields) && typeof fields.title !== 'string') {
    problems.title = 'is required';
  }
  if (Object.keys(problems).length > 0) {
    throw repoError(400, 'VALIDATION_ERROR', 'the row is not valid', problems);
  }
  const taken = [...rows.values()].some((row) => row.id !== id && fields.slug !== undefined && row.slug === fields.slug);
  if (taken) {
    throw repoError(409, 'UNIQUE_VIOLATION', `slug "${fields.slug}" is taken`);
  }
  return fields;
}

/** Whether `row` matches the filter object `filter`. */
function matches(row, filter) {
  return Object.entries(filter).every(([name, condition]) => {
    if (name === '_and') {
      return condition.every((part) => matches(row, part));
    }
    return Object.entries(condition).every(([operator, value]) => {
      if (operator === '_eq') return row[name] === value;
      if (operator === '_gt') return row[name] > value;
      throw repoError(400, 'INVALID_FILTER', `unknown operator ${operator}`);
    });
  });
}

/** The rows `query` finds, and the counts before paging. */
function select(table, query) {
  const { rows } = tableOf(table);
  const parsed = JSON.parse(query) ?? {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw repoError(400, 'INVALID_QUERY', 'a query is a JSON object');
  }
  const unknown = Object.keys(parsed).find((key) => !QUERY_KEYS.includes(key));
  if (unknown !== undefined) {
    throw repoError(400, 'INVALID_QUERY', `"${unknown}" is not one of ${QUERY_KEYS.join(', ')}`);
  }
  const all = [...rows.values()];
  const found = all.filter((row) => matches(row, parsed.filter ?? {}));
  for (const key of [...(parsed.sort ?? [])].reverse()) {
    const [name, sign] = key.startsWith('-') ? [key.slice(1), -1] : [key, 1];
    found.sort((a, b) => (a[name] < b[name] ? -sign : a[name] > b[name] ? sign : 0));
  }
  const limit = parsed.limit === 0 ? found.length : (parsed.limit ?? 10);
  const start = ((parsed.page ?? 1) - 1) * limit;
  const counts = { totalCount: all.length, filterCount: found.length };
  const meta = Object.fromEntries((parsed.meta ?? []).map((name) => [name, counts[name]]));
  return { data: found.slice(start, start + limit), meta };
}

export function find(table, query) {
  calls.push(['find', table, query]);
  const { data, meta } = select(table, query);
  return JSON.stringify(Object.keys(meta).length > 0 ? { data, meta } : { data });
}

export function findOne(table, query) {
  calls.push(['findOne', table, query]);
  const [row] = select(table, query).data;
  return row === undefined ? undefined : JSON.stringify(row);
}

export function create(table, data) {
  calls.push(['create', table, data]);
  const state = tableOf(table);
  const row = { id: state.nextId, published: false, ...checked(data, state.rows, true) };
  state.nextId += 1;
  state.rows.set(row.id, row);
  return JSON.stringify(row);
}

export function update(table, id, data) {
  calls.push(['update', table, id, data]);
  const key = checkId(id);
  const { rows } = tableOf(table);
  const row = rowOf(rows, key);
  Object.assign(row, checked(data, rows, false, key));
  return JSON.stringify(row);
}

function deleteRow(table, id) {
  calls.push(['delete', table, id]);
  const key = checkId(id);
  const { rows } = tableOf(table);
  const row = rowOf(rows, key);
  rows.delete(key);
  return JSON.stringify(row);
}

export { deleteRow as delete };

export function count(table, filter) {
  calls.push(['count', table, filter]);
  const { rows } = tableOf(table);
  const parsed = JSON.parse(filter) ?? {};
  return BigInt([...rows.values()].filter((row) => matches(row, parsed)).length);
}
