// Fake of the host's `request-context` resource and of the glue componentize-js generates
// around exports, so the SDK's conversions can be checked without building a component.

import { runInNewContext } from 'node:vm';

/**
 * What componentize-js' import glue throws for the `err` of a WIT `result`. The glue runs in a
 * realm of its own, so its errors are not `instanceof Error` in the plugin's realm.
 */
const GlueRealmError = runInNewContext('Error');

export class ComponentError extends GlueRealmError {
  constructor(payload) {
    super(`${String(payload)} (see error.payload)`);
    Object.defineProperty(this, 'payload', { value: payload, enumerable: true });
  }
}

/** A request as the host would lend it, with the host's phase rules for setters. */
export class FakeRequestContext {
  constructor({ phase = 'handler', params = {}, body = null, share = {}, config = {}, user } = {}) {
    this.state = { phase, params, body, share, config, user, data: null, status: 200 };
  }

  phase() { return this.state.phase; }
  method() { return 'POST'; }
  path() { return '/test'; }
  route() { return '/test'; }
  params() { return JSON.stringify(this.state.params); }
  query() { return '{}'; }
  header() { return undefined; }
  headers() { return []; }
  clientIp() { return '127.0.0.1'; }
  body() { return JSON.stringify(this.state.body); }
  rawBody() { return new Uint8Array(); }
  user() { return this.state.user; }
  config() { return JSON.stringify(this.state.config); }
  share() { return JSON.stringify(this.state.share); }
  data() { return JSON.stringify(this.state.data); }
  status() { return this.state.status; }
  error() { return undefined; }

  setBody(body) {
    this.#onlyIn('pre-hook', 'setBody');
    this.state.body = JSON.parse(body);
  }
  setShare(share) {
    const value = JSON.parse(share);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new ComponentError({ status: 500, code: 'INVALID_SHARE', message: 'share must be a JSON object' });
    }
    this.state.share = value;
  }
  setData(data) {
    this.#onlyIn('handler', 'setData');
    this.state.data = JSON.parse(data);
  }

  #onlyIn(phase, setter) {
    if (this.state.phase !== phase) {
      throw new ComponentError({
        status: 500,
        code: 'PHASE_VIOLATION',
        message: `${setter} is not allowed in ${this.state.phase}`,
        details: JSON.stringify({ setter }),
      });
    }
  }
}

/**
 * Calls an export as the generated glue behaves in the plugin's realm: the value is `ok`; a
 * thrown value's own `payload` is `err`, and an exception while reading it escapes (a trap);
 * anything else thrown is sent as the `err` itself, because the glue's `instanceof Error`
 * check cannot recognise the plugin's errors.
 */
export async function callExport(call) {
  try {
    return { tag: 'ok', val: await call() };
  } catch (error) {
    if (error && Object.hasOwn(error, 'payload')) {
      return { tag: 'err', val: error.payload };
    }
    return { tag: 'err', val: error };
  }
}
