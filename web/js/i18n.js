/*
 * i18n.js — the UI's words in Swedish (default) and English.
 *
 * t('key', {n: 3}) looks the key up in the current language, falls back to
 * Swedish, and fills {placeholders}.  The choice is kept in localStorage and
 * sent to the API as Accept-Language so that error messages match.
 */
import sv from './i18n/sv.js';
import en from './i18n/en.js';

const dicts = { sv, en };
let lang = 'sv';
try {
  const saved = localStorage.getItem('paminn.lang');
  if (saved === 'en' || saved === 'sv') lang = saved;
} catch {
  /* storage unavailable: Swedish */
}

export function getLang() {
  return lang;
}

export function setLang(l) {
  lang = l === 'en' ? 'en' : 'sv';
  try {
    localStorage.setItem('paminn.lang', lang);
  } catch {
    /* ignore */
  }
  document.documentElement.lang = lang;
}

export function t(key, params) {
  let s = dicts[lang][key] ?? dicts.sv[key];
  if (s === undefined) return key;
  if (params) s = s.replace(/\{(\w+)\}/g, (m, k) => (params[k] !== undefined ? String(params[k]) : m));
  return s;
}

/* A plural: t(key + '.one') when n === 1, else t(key + '.other'). */
export function tn(key, n, params = {}) {
  return t(`${key}.${n === 1 ? 'one' : 'other'}`, { n, ...params });
}

/* Whether a key exists (for optional labels such as history kinds). */
export function has(key) {
  return dicts[lang][key] !== undefined || dicts.sv[key] !== undefined;
}
