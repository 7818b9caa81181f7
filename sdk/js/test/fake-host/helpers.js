// Fake of `hookline:plugin/helpers@0.1.0`: the host's helpers on node:crypto, with the host's
// helper-error codes, and the glue's argument checks (an encoding outside the WIT enum, a
// `u64` that is not a BigInt). Records every call in `calls`.

import { createHash, createHmac, randomBytes as nodeRandomBytes, randomUUID } from 'node:crypto';

import { ComponentError } from './request-context.js';

/** Every helper call, as `[name, ...arguments]`. */
export const calls = [];

const ENCODINGS = ['hex', 'base64', 'base64url'];

function checkEncoding(encoding) {
  if (!ENCODINGS.includes(encoding)) {
    throw new TypeError(`"${encoding}" is not one of the cases of encoding`);
  }
  return encoding;
}

function helperError(code, message) {
  return new ComponentError({ code, message });
}

export function jwt(payload, expiration) {
  calls.push(['jwt', payload, expiration]);
  const match = /^(\d+)([smhd])$/.exec(expiration);
  if (match === null) {
    throw helperError('INVALID_EXPIRATION', `invalid expiration "${expiration}": use e.g. 15m, 1h, 7d`);
  }
  const claims = JSON.parse(payload);
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
    throw helperError('INVALID_PAYLOAD', 'the payload must be a JSON object');
  }
  const seconds = Number(match[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[match[2]];
  const iat = 1_700_000_000;
  const body = Buffer.from(JSON.stringify({ ...claims, iat, exp: iat + seconds })).toString('base64url');
  return `eyJhbGciOiJIUzI1NiJ9.${body}.fake-signature`;
}

export function bcryptHash(plain) {
  calls.push(['bcryptHash', plain]);
  if (Buffer.byteLength(plain) > 72) {
    throw helperError('BCRYPT_FAILED', 'password longer than 72 bytes');
  }
  return `$2b$04$fake${Buffer.from(plain).toString('hex')}`;
}

export function bcryptCompare(plain, hash) {
  calls.push(['bcryptCompare', plain, hash]);
  return hash === `$2b$04$fake${Buffer.from(plain).toString('hex')}`;
}

export function autoSlug(text) {
  calls.push(['autoSlug', text]);
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 100);
}

export function randomUuid() {
  calls.push(['randomUuid']);
  return randomUUID();
}

export function randomBytes(size, encoding) {
  calls.push(['randomBytes', size, encoding]);
  checkEncoding(encoding);
  if (size > 4096) {
    throw helperError('INVALID_SIZE', `at most 4096 random bytes, asked for ${size}`);
  }
  return nodeRandomBytes(size).toString(encoding);
}

export function sha256(data, encoding) {
  calls.push(['sha256', data, encoding]);
  return createHash('sha256').update(data).digest(checkEncoding(encoding));
}

export function hmacSha256(data, secret, encoding) {
  calls.push(['hmacSha256', data, secret, encoding]);
  return createHmac('sha256', secret).update(data).digest(checkEncoding(encoding));
}

export function generateSshKeyPair(comment) {
  calls.push(['generateSshKeyPair', comment]);
  return {
    publicKey: `ssh-rsa AAAAB3NzaC1yc2EAAAADAQABfake ${comment}`,
    privateKey: '-----BEGIN RSA PRIVATE KEY-----\nfake\n-----END RSA PRIVATE KEY-----\n',
  };
}

export function sleep(ms) {
  calls.push(['sleep', ms]);
  if (typeof ms !== 'bigint' || ms < 0n || ms >= 2n ** 64n) {
    throw new TypeError(`${String(ms)} is not a u64`);
  }
}
