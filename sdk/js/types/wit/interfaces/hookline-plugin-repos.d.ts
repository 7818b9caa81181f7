/// <reference path="./hookline-plugin-types.d.ts" />
declare module 'hookline:plugin/repos@0.1.0' {
  /**
   * `{"data": [rows], "meta"?: {"totalCount", "filterCount"}}`.
   */
  export function find(table: string, query: Json): Json;
  /**
   * The first row the query finds, if any.
   */
  export function findOne(table: string, query: Json): Json | undefined;
  /**
   * Inserts a row (checked against the columns) and returns it.
   */
  export function create(table: string, data: Json): Json;
  /**
   * Changes the given fields of row `id` and returns it.
   */
  export function update(table: string, id: bigint, data: Json): Json;
  /**
   * Deletes row `id` and returns what it was.
   */
  export { _delete as delete };
  function _delete(table: string, id: bigint): Json;
  /**
   * How many rows match `filter` (a filter object, or null for all).
   */
  export function count(table: string, filter: Json): bigint;
  export type Json = import('hookline:plugin/types@0.1.0').Json;
  /**
   * A refused or failed repository call; the guest can handle it.
   */
  export interface RepoError {
    /**
     * HTTP status the error would answer with (400, 403, 404, 409, 504, ...).
     */
    status: number,
    /**
     * Stable machine code: `TABLE_NOT_ALLOWED`, `VALIDATION_ERROR`, `INVALID_FILTER`,
     * `INVALID_QUERY`, `UNIQUE_VIOLATION`, `NOT_FOUND`, `REPO_TIMEOUT`, ...
     */
    code: string,
    message: string,
    /**
     * Per-field messages of a `VALIDATION_ERROR`, as a JSON object.
     */
    details?: Json,
  }
}
