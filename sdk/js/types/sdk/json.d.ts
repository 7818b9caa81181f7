/**
 * @module
 * JSON across the Wasm boundary: the WIT passes every structured value as JSON text.
 */
/**
 * Parses JSON produced by the host.
 *
 * The host serialises every `json` value with a JSON library, so invalid text means the host
 * broke the WIT contract; the `SyntaxError` escapes the hook, which traps (a 500 `HOOK_TRAP`)
 * rather than letting the hook act on made-up data.
 *
 * @param {string} text
 * @returns {any}
 */
export declare function parseHostJson(text: string): any;
/**
 * Serialises a value the hook hands to the host.
 *
 * @param {unknown} value
 * @returns {string}
 * @throws {HookError} a 500 with code `NOT_SERIALIZABLE` for a value JSON cannot represent
 *   (`undefined`, a function, a `BigInt`, a cycle): only a bug in the hook does that.
 */
export declare function toJson(value: unknown): string;
