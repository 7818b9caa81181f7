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
export type RepoQuery = {
    filter?: Record<string, unknown>;
    fields?: string[] | string;
    sort?: string[] | string;
    limit?: number;
    page?: number;
    meta?: Array<'totalCount' | 'filterCount'> | string;
};
export type Row = Record<string, any>;
export type FindResult = {
    data: Row[];
    meta?: {
        totalCount?: number;
        filterCount?: number;
    };
};
/**
 * Deletes row `id` of `table`.
 * @param {string} table
 * @param {number | bigint} id
 * @returns {Row} The row as it was.
 * @throws {HookError} 404 `NOT_FOUND`, 400 `INVALID_ID`, or as {@link repos.find}.
 */
declare function deleteRow(table: string, id: number | bigint): Row;
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
export declare const repos: Readonly<{
    /**
     * The page of rows of `table` that `query` finds.
     * @param {string} table
     * @param {RepoQuery} [query] Without one, the first 10 rows.
     * @returns {FindResult}
     * @throws {HookError} 403 `TABLE_NOT_ALLOWED`, 400 `INVALID_FILTER` or `INVALID_QUERY`, 504
     *   `REPO_TIMEOUT`, ...; 500 `NOT_SERIALIZABLE` for a query JSON cannot represent.
     */
    find(table: string, query?: RepoQuery): FindResult;
    /**
     * The first row of `table` that `query` finds.
     * @param {string} table
     * @param {RepoQuery} [query] Without one, any row.
     * @returns {Row | null} `null` when none matches.
     * @throws {HookError} as {@link repos.find}.
     */
    findOne(table: string, query?: RepoQuery): Row | null;
    /**
     * Inserts a row into `table`, checked against its columns.
     * @param {string} table
     * @param {Record<string, unknown>} data The row's fields.
     * @returns {Row} The row as stored, with its id.
     * @throws {HookError} 400 `VALIDATION_ERROR` (per-field messages in `details`), 409
     *   `UNIQUE_VIOLATION`, or as {@link repos.find}.
     */
    create(table: string, data: Record<string, unknown>): Row;
    /**
     * Changes the given fields of row `id` of `table`.
     * @param {string} table
     * @param {number | bigint} id
     * @param {Record<string, unknown>} data The fields to change.
     * @returns {Row} The row as changed.
     * @throws {HookError} 404 `NOT_FOUND`, 400 `INVALID_ID`, or as {@link repos.create}.
     */
    update(table: string, id: number | bigint, data: Record<string, unknown>): Row;
    /**
     * Deletes row `id` of `table` and answers what it was; {@link repos.remove} is the same.
     * @throws {HookError} 404 `NOT_FOUND`, 400 `INVALID_ID`, or as {@link repos.find}.
     */
    delete: typeof deleteRow;
    /** The same as {@link repos.delete}, under a name that is no keyword. */
    remove: typeof deleteRow;
    /**
     * How many rows of `table` match `filter`.
     * @param {string} table
     * @param {Record<string, unknown> | null} [filter] A filter as in {@link RepoQuery}; without
     *   one (or `null`), every row.
     * @returns {number}
     * @throws {HookError} as {@link repos.find}.
     */
    count(table: string, filter?: Record<string, unknown> | null): number;
}>;
export {};
