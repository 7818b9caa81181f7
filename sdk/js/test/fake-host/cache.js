// Fake of `hookline:plugin/cache@0.1.0`: an in-memory user cache and locks with the host's
// cache-error codes, and the glue's argument check (a `u64` that is not a BigInt). Records every
// call in `calls`; `host.unavailable` makes every call fail as a backend that does not answer.

import { ComponentError } from './request-context.js';

/** Every cache call, as `[name, ...arguments]`. */
export const calls = [];

/** Switches of the fake host. */
export const host = { unavailable: false };

/** Cached values (JSON text) and locks (owner JSON text), by key. */
const values = new Map();
const locks = new Map();

/** One year in milliseconds, the host's longest TTL. */
const MAX_TTL_MS = 365n * 24n * 3600n * 1000n;

/** Empties the cache and forgets the calls and switches. */
export function resetFake() {
  calls.length = 0;
  values.clear();
  locks.clear();
  host.unavailable = false;
}

function cacheError(code, message) {
  return new ComponentError({ code, message });
}

/** The host's checks common to every call. */
function checkKey(key) {
  if (host.unavailable) {
    throw cacheError('CACHE_UNAVAILABLE', 'the cache did not answer in time');
  }
  if (typeof key !== 'string' || key.length === 0 || key.length > 512) {
    throw cacheError('INVALID_KEY', 'key must be 1 to 512 bytes');
  }
}

function checkTtl(ttlMs) {
  if (typeof ttlMs !== 'bigint' || ttlMs < 0n || ttlMs >= 2n ** 64n) {
    throw new TypeError(`${String(ttlMs)} is not a u64`);
  }
  if (ttlMs === 0n || ttlMs > MAX_TTL_MS) {
    throw cacheError('INVALID_TTL', `ttl-ms must be between 1 and ${MAX_TTL_MS} (one year), got ${ttlMs}`);
  }
}

/** JSON text with object keys sorted, so that equal documents compare equal. */
function canonical(json) {
  const sort = (value) => {
    if (Array.isArray(value)) return value.map(sort);
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sort(value[key])]));
    }
    return value;
  };
  return JSON.stringify(sort(JSON.parse(json)));
}

export function get(key) {
  calls.push(['get', key]);
  checkKey(key);
  return values.get(key);
}

export function set(key, value, ttlMs) {
  calls.push(['set', key, value, ttlMs]);
  checkTtl(ttlMs);
  checkKey(key);
  values.set(key, value);
}

export function setNoExpire(key, value) {
  calls.push(['setNoExpire', key, value]);
  checkKey(key);
  values.set(key, value);
}

export function acquire(key, owner, ttlMs) {
  calls.push(['acquire', key, owner, ttlMs]);
  checkTtl(ttlMs);
  checkKey(key);
  if (locks.has(key)) {
    return false;
  }
  locks.set(key, owner);
  return true;
}

export function release(key, owner) {
  calls.push(['release', key, owner]);
  checkKey(key);
  if (!locks.has(key) || canonical(locks.get(key)) !== canonical(owner)) {
    return false;
  }
  locks.delete(key);
  return true;
}

export function exists(key, value) {
  calls.push(['exists', key, value]);
  checkKey(key);
  const held = [values.get(key), locks.get(key)].filter((json) => json !== undefined);
  return held.some((json) => canonical(json) === canonical(value));
}

export function deleteKey(key) {
  calls.push(['deleteKey', key]);
  checkKey(key);
  return values.delete(key);
}
