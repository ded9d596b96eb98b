/*
 * api.js — the one way the UI talks to the Påminn API (/api/v1).
 *
 * Adds Accept-Language, the session's X-CSRF-Token on state-changing
 * requests and an Idempotency-Key on POSTs (kept per user action and reused
 * only when the previous attempt's outcome is unknown: network error or 5xx).
 * Every failure becomes an ApiError with a message a person can read; a 401
 * calls the registered handler (show login, keep drafts) before throwing.
 */
import { getLang, has, t } from './i18n.js';

let csrfToken = null;
let unauthorizedHandler = null;

export function setCsrf(token) {
  csrfToken = token;
}

export function onUnauthorized(fn) {
  unauthorizedHandler = fn;
}

export class ApiError extends Error {
  constructor(status, code, message, field, body) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field ?? null;
    this.body = body ?? null;
    this.error = body?.error ?? null;
  }
}

export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/*
 * One user action's Idempotency-Key: the same key for a retry of the same
 * body after an unknown outcome, a fresh key otherwise.
 */
export class Action {
  constructor() {
    this.key = null;
    this.body = null;
  }
  keyFor(bodyText) {
    if (!this.key || this.body !== bodyText) {
      this.key = uuid();
      this.body = bodyText;
    }
    return this.key;
  }
  settle(status) {
    if (status > 0 && status < 500) this.key = null;
  }
}

function genericMessage(status) {
  if (status === 0) return t('err.network');
  if (status === 401) return t('err.401');
  if (status === 403) return t('err.403');
  if (status === 404) return t('err.404');
  if (status === 409) return t('err.409');
  if (status === 413) return t('err.413');
  if (status === 429) return t('err.429');
  if (status >= 500) return t('err.5xx', { status });
  return t('err.other', { status });
}

/*
 * api(method, path, {body, query, action}) → parsed JSON (or null for 204).
 * path is relative to /api/v1.  Throws ApiError.  A file's bytes go as
 * they are with {raw: ArrayBuffer, contentType} instead of a JSON body.
 */
export async function api(method, path, opts = {}) {
  const headers = { Accept: 'application/json', 'Accept-Language': getLang() === 'en' ? 'en' : 'sv' };
  let url = `/api/v1${path}`;
  if (opts.query) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query)) if (v !== undefined && v !== null && v !== '') qs.set(k, v);
    const s = qs.toString();
    if (s) url += `?${s}`;
  }
  let payload;
  if (opts.raw !== undefined) {
    payload = opts.raw;
    headers['Content-Type'] = opts.contentType ?? 'application/octet-stream';
  } else if (opts.body !== undefined) {
    payload = JSON.stringify(opts.body);
    headers['Content-Type'] = 'application/json';
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const action = method === 'POST' ? (opts.action ?? new Action()) : null;
  if (action) headers['Idempotency-Key'] = action.keyFor(payload ?? '');
  let res;
  try {
    res = await fetch(url, { method, headers, body: payload, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'network', genericMessage(0));
  }
  if (action) action.settle(res.status);
  let body = null;
  const text = await res.text();
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
  }
  if (res.ok) return res.status === 204 ? null : body;
  const e = body && body.error ? body.error : null;
  /* A refusal with a reason ("check_digit") gets the UI's own explanation of it. */
  let why = e?.reason && has(`err.reason.${e.reason}`) ? t(`err.reason.${e.reason}`) : null;
  /* A refusal that names its reason in both languages (reminders_stopped). */
  if (!why && e?.reason_sv) why = getLang() === 'en' ? e.reason_en : e.reason_sv;
  const err = new ApiError(res.status, e?.code ?? `http_${res.status}`, why || e?.message || genericMessage(res.status), e?.field, body);
  if (res.status === 401 && !opts.noAuthRedirect && unauthorizedHandler) {
    err.handled = true;
    unauthorizedHandler(err);
  }
  throw err;
}

export const get = (path, query) => api('GET', path, { query });
