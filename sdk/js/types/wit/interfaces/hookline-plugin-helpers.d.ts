/// <reference path="./hookline-plugin-types.d.ts" />
declare module 'hookline:plugin/helpers@0.1.0' {
  /**
   * Signs `payload` (a JSON object) with the server's secret (HS256), adding `iat` and `exp`
   * from `expiration`: a number with `s`, `m`, `h` or `d`, e.g. `15m`, `1h`, `7d`, `30d`.
   * A payload with a user `id` is accepted by Hookline's own bearer authentication.
   */
  export function jwt(payload: Json, expiration: string): string;
  /**
   * bcrypt hash (`$2b$`) of `plain` at the server's configured cost.
   */
  export function bcryptHash(plain: string): string;
  /**
   * Whether `plain` matches `hash` (`$2a$`, `$2b$` or `$2y$`); a malformed hash is `false`.
   */
  export function bcryptCompare(plain: string, hash: string): boolean;
  /**
   * URL slug: `My Product Name` → `my-product-name`; other scripts transliterated to ASCII,
   * separator runs collapsed, trimmed, at most 100 characters.
   */
  export function autoSlug(text: string): string;
  /**
   * A random (version 4) UUID.
   */
  export function randomUuid(): string;
  /**
   * `size` random bytes (at most 4096), encoded.
   */
  export function randomBytes(size: number, encoding: Encoding): string;
  /**
   * SHA-256 of `data`, encoded.
   */
  export function sha256(data: string, encoding: Encoding): string;
  /**
   * HMAC-SHA256 of `data` keyed with `secret`, encoded.
   */
  export function hmacSha256(data: string, secret: string, encoding: Encoding): string;
  /**
   * A fresh RSA key pair; `comment` ends the public key line.
   */
  export function generateSshKeyPair(comment: string): SshKeyPair;
  /**
   * Pauses for `ms` milliseconds, clamped to 0..=30000, and ends early at the hook's deadline.
   */
  export function sleep(ms: bigint): void;
  export type Json = import('hookline:plugin/types@0.1.0').Json;
  /**
   * An error a helper reports for bad input; the guest can handle it.
   */
  export interface HelperError {
    /**
     * Stable machine code, e.g. `INVALID_EXPIRATION`.
     */
    code: string,
    message: string,
  }
  /**
   * Output encoding of bytes.
   * # Variants
   * 
   * ## `"hex"`
   * 
   * ## `"base64"`
   * 
   * ## `"base64url"`
   * 
   * URL-safe alphabet, no padding.
   */
  export type Encoding = 'hex' | 'base64' | 'base64url';
  export interface SshKeyPair {
    /**
     * OpenSSH format: `ssh-rsa AAAA... <comment>`.
     */
    publicKey: string,
    /**
     * RSA private key, PKCS#1 PEM (`-----BEGIN RSA PRIVATE KEY-----`).
     */
    privateKey: string,
  }
}
