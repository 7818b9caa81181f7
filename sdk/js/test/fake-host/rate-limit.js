// Fake of `hookline:plugin/rate-limit@0.1.0`: sliding windows in memory on a fixed clock, with
// the host's key templates and rate-limit-error codes, and the glue's argument check (options
// fields that are not numbers). Records every call in `calls`; `host` holds the request's user
// and the switch for a backend that is down.

import { ComponentError } from './request-context.js';

/** Every rate-limit call, as `[name, ...arguments]`. */
export const calls = [];

/** The request the limits apply to, the fake clock (Unix seconds) and the backend switch. */
export const host = { ip: '127.0.0.1', route: '/auth/login', userId: undefined, now: 1_700_000_000, unavailable: false };

/** The times (Unix seconds) of the counted requests, by key. */
const windows = new Map();

/** Forgets every window, call and switch. */
export function resetFake() {
  calls.length = 0;
  windows.clear();
  Object.assign(host, { userId: undefined, now: 1_700_000_000, unavailable: false });
}

function rateLimitError(code, message) {
  return new ComponentError({ code, message });
}

/** Counts (or, for `status`, only looks) against `key`, as the host's limiter does. */
function limit(key, options, counting) {
  const { maxRequests, perSeconds } = options;
  if (typeof maxRequests !== 'number' || typeof perSeconds !== 'number') {
    throw new TypeError('options fields must be numbers');
  }
  if (host.unavailable) {
    throw rateLimitError('RATE_LIMIT_UNAVAILABLE', 'the rate limiter is unavailable');
  }
  if (maxRequests < 1 || maxRequests > 100_000 || perSeconds < 1 || perSeconds > 31_536_000) {
    throw rateLimitError('INVALID_OPTIONS', 'max-requests must be 1 to 100000 and per-seconds 1 to 31536000');
  }
  if (key.length === 0) {
    throw rateLimitError('INVALID_KEY', 'key must not be empty');
  }
  const hits = (windows.get(key) ?? []).filter((time) => time > host.now - perSeconds);
  const allowed = hits.length < maxRequests;
  if (allowed && counting) {
    hits.push(host.now);
  }
  windows.set(key, hits);
  const oldest = hits[0] ?? host.now;
  return {
    allowed,
    remaining: Math.max(maxRequests - hits.length, 0),
    resetAt: BigInt(oldest + perSeconds),
    retryAfter: allowed ? 0 : oldest + perSeconds - host.now,
    limit: maxRequests,
    window: perSeconds,
  };
}

function userKey() {
  if (host.userId === undefined) {
    throw rateLimitError('NO_USER', 'by-user rate limits need an authenticated user');
  }
  return `user:${host.userId}`;
}

export function byIp(options) {
  calls.push(['byIp', options]);
  return limit(`ip:${host.ip}:${host.route}`, options, true);
}

export function byUser(options) {
  calls.push(['byUser', options]);
  return limit(`${userKey()}:${host.route}`, options, true);
}

export function byRoute(options) {
  calls.push(['byRoute', options]);
  return limit(`route:${host.route}`, options, true);
}

export function byIpGlobal(options) {
  calls.push(['byIpGlobal', options]);
  return limit(`ip:${host.ip}`, options, true);
}

export function byUserGlobal(options) {
  calls.push(['byUserGlobal', options]);
  return limit(userKey(), options, true);
}

export function check(key, options) {
  calls.push(['check', key, options]);
  return limit(key, options, true);
}

export function status(key, options) {
  calls.push(['status', key, options]);
  return limit(key, options, false);
}

export function reset(key) {
  calls.push(['reset', key]);
  if (host.unavailable) {
    throw rateLimitError('RATE_LIMIT_UNAVAILABLE', 'the rate limiter is unavailable');
  }
  if (key.length === 0) {
    throw rateLimitError('INVALID_KEY', 'key must not be empty');
  }
  windows.delete(key);
}
