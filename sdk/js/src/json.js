// @ts-check
/**
 * @module
 * JSON across the Wasm boundary: the WIT passes every structured value as JSON text.
 */

import { HookError, codes } from './error.js';

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
export function parseHostJson(text) {
  return JSON.parse(text);
}

/**
 * Serialises a value the hook hands to the host.
 *
 * @param {unknown} value
 * @returns {string}
 * @throws {HookError} a 500 with code `NOT_SERIALIZABLE` for a value JSON cannot represent
 *   (`undefined`, a function, a `BigInt`, a cycle): only a bug in the hook does that.
 */
export function toJson(value) {
  let text;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw notSerializable(error instanceof Error ? error.message : String(error));
  }
  if (text === undefined) {
    throw notSerializable(`${typeof value} has no JSON representation`);
  }
  return text;
}

/** @param {string} reason */
function notSerializable(reason) {
  return new HookError(500, `value is not serialisable to JSON: ${reason}`, {
    code: codes.NOT_SERIALIZABLE,
  });
}
