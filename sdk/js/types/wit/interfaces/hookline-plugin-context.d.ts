/// <reference path="./hookline-plugin-types.d.ts" />
declare module 'hookline:plugin/context@0.1.0' {
  export type Json = import('hookline:plugin/types@0.1.0').Json;
  export type HookError = import('hookline:plugin/types@0.1.0').HookError;
  export type User = import('hookline:plugin/types@0.1.0').User;
  export type ErrorInfo = import('hookline:plugin/types@0.1.0').ErrorInfo;
  /**
   * The lifecycle phase the current hook runs in.
   * # Variants
   * 
   * ## `"pre-hook"`
   * 
   * ## `"handler"`
   * 
   * ## `"post-hook"`
   */
  export type Phase = 'pre-hook' | 'handler' | 'post-hook';
  
  export class RequestContext implements Disposable {
    /**
     * This type does not have a public constructor.
     */
    private constructor();
    phase(): Phase;
    method(): string;
    /**
    * The request path, e.g. `/hello/ada`.
    */
    path(): string;
    /**
    * The matched route pattern, e.g. `/hello/:name`.
    */
    route(): string;
    /**
    * JSON object of route parameters (string values).
    */
    params(): Json;
    /**
    * JSON object of query parameters (string values; a repeated key becomes an array).
    */
    query(): Json;
    /**
    * A request header, by case-insensitive name; several values are joined with `, `.
    */
    header(name: string): string | undefined;
    headers(): Array<[string, string]>;
    clientIp(): string;
    /**
    * The JSON body, `null` when the request had none or it was not JSON.
    */
    body(): Json;
    rawBody(): Uint8Array;
    user(): User | undefined;
    /**
    * The configuration JSON attached to this hook or handler (`{}` when none).
    */
    config(): Json;
    /**
    * The `share` object, visible to every later hook of the request.
    */
    share(): Json;
    /**
    * postHooks: the response data so far (`null` on the error path).
    */
    data(): Json;
    /**
    * postHooks: the response status so far.
    */
    status(): number;
    /**
    * postHooks: the error of an earlier phase, if any.
    */
    error(): ErrorInfo | undefined;
    /**
    * preHooks only.
    */
    setBody(body: Json): void;
    /**
    * preHooks only; a JSON object.
    */
    setQuery(query: Json): void;
    /**
    * preHooks only; a JSON object of strings.
    */
    setParams(params: Json): void;
    /**
    * Any phase; a JSON object.
    */
    setShare(share: Json): void;
    /**
    * Handler and postHooks.
    */
    setData(data: Json): void;
    /**
    * Handler and postHooks; 100 to 599.
    */
    setStatus(status: number): void;
    /**
    * Handler and postHooks; a valid header name and value.
    */
    setHeader(name: string, value: string): void;
    [Symbol.dispose](): void;
  }
}
