declare module 'hookline:plugin/types@0.1.0' {
  /**
   * A JSON document as UTF-8 text. Structured values cross the Wasm boundary as JSON so that
   * every guest language can use its own JSON library.
   */
  export type Json = string;
  /**
   * An error that ends the hook and becomes the HTTP error response.
   */
  export interface HookError {
    /**
     * HTTP status, 400 to 599; anything else is answered as 500.
     */
    status: number,
    /**
     * Stable machine code for clients (`error.code`); none means `HOOK_ERROR`.
     */
    code?: string,
    /**
     * Human-readable message (`message`).
     */
    message: string,
    /**
     * Extra JSON for the client (`error.details`).
     */
    details?: Json,
    /**
     * Response headers of the error, e.g. `Retry-After` on a 429; `Content-Length`,
     * `Transfer-Encoding` and invalid names or values are dropped with a server log line.
     */
    headers: Array<[string, string]>,
  }
  /**
   * The authenticated user as a plugin sees it. Never carries secrets.
   */
  export interface User {
    id: bigint,
    email: string,
    role?: string,
    isRootAdmin: boolean,
    verified: boolean,
    organization?: bigint,
  }
  /**
   * What a postHook sees when an earlier phase failed.
   */
  export interface ErrorInfo {
    message: string,
    name: string,
    statusCode: number,
    details?: Json,
    /**
     * RFC 3339.
     */
    timestamp: string,
  }
}
