/*
 * links.js — which addresses the UI puts into an href that it did not write
 * itself.  A ?return= parameter comes from the address bar (anyone can send
 * a link), the agency's case address from another system: only in-app
 * routes (#/...) and https: links (plain http: to this machine only, where
 * the local agency sandbox runs) are used; anything else (javascript:,
 * data:, another scheme) is dropped.  Imports nothing.
 */

/* value when it is an in-app route (#/...), else fallback. */
export function appReturn(value, fallback = null) {
  if (typeof value !== 'string' || !/^#\/[^\s\\]*$/.test(value)) return fallback;
  return value;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/* url when it is an https: address (or http: to this machine), else null. */
export function agencyLink(url) {
  if (typeof url !== 'string' || !url) return null;
  let u;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol === 'https:' || (u.protocol === 'http:' && LOOPBACK.has(u.hostname))) return u.href;
  return null;
}
