/*
 * openapi.mjs — the two route lists the completeness test compares, read
 * without a YAML library or a C parser:
 *
 * - documentedRoutes(): the `paths:` keys of docs/api/openapi.yaml and the
 *   HTTP method keys under each, from the indentation of the lines;
 * - serverRoutes(): the route table of src/api/*.c, written as data
 *   {"GET", "/api/v1/companies/{cid}", ...}.
 *
 * Both give a sorted array of "METHOD /path" strings.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

import { REPO } from './server.mjs';

export const OPENAPI_FILE = path.join(REPO, 'docs', 'api', 'openapi.yaml');
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

export function documentedRoutes(text = readFileSync(OPENAPI_FILE, 'utf8')) {
  const routes = [];
  const lines = text.split(/\r?\n/);
  let inPaths = false;
  let pathIndent = -1;
  let methodIndent = -1;
  let current = null;
  for (const raw of lines) {
    if (/^\s*(#.*)?$/.test(raw)) continue;
    const indent = raw.length - raw.trimStart().length;
    const line = raw.trim();
    if (indent === 0) {
      inPaths = /^paths:\s*$/.test(line);
      current = null;
      pathIndent = -1;
      continue;
    }
    if (!inPaths) continue;
    const key = /^(?:"([^"]+)"|'([^']+)'|([^:\s][^:]*)):(\s|$)/.exec(line);
    if (!key) continue;
    const name = key[1] ?? key[2] ?? key[3];
    if (pathIndent < 0) pathIndent = indent;
    if (indent === pathIndent) {
      current = name.startsWith('/') ? name : null;
      methodIndent = -1;
      continue;
    }
    if (!current || indent < pathIndent) continue;
    if (methodIndent < 0) methodIndent = indent;
    if (indent === methodIndent && METHODS.includes(name)) routes.push(`${name.toUpperCase()} ${current}`);
  }
  return routes.sort();
}

/*
 * A C string expression made of literals and macro names ("V1 \"/x\"" with
 * #define V1 "/api/v1"), joined as the compiler would; null when some token
 * is neither.
 */
function cString(expr, macros, depth = 0) {
  let out = '';
  const tokens = expr.match(/"(?:[^"\\]|\\.)*"|[A-Za-z_]\w*|\S/g) ?? [];
  for (const tok of tokens) {
    if (tok.startsWith('"')) out += tok.slice(1, -1);
    else if (/^[A-Za-z_]\w*$/.test(tok) && macros.has(tok) && depth < 10) {
      const v = cString(macros.get(tok), macros, depth + 1);
      if (v === null) return null;
      out += v;
    } else return null;
  }
  return out;
}

export function serverRoutes(dir = path.join(REPO, 'src', 'api')) {
  const routes = new Set();
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.c')) continue;
    const src = readFileSync(path.join(dir, f), 'utf8');
    const macros = new Map();
    for (const m of src.matchAll(/^#define\s+([A-Za-z_]\w*)\s+(.+)$/gm)) macros.set(m[1], m[2].trim());
    /* {"METHOD", <string expression>, ...} */
    const re = /\{\s*"(GET|POST|PATCH|PUT|DELETE|HEAD|OPTIONS)"\s*,\s*((?:"(?:[^"\\]|\\.)*"|[A-Za-z_]\w*|\s)+?)\s*,/g;
    for (const m of src.matchAll(re)) {
      const p = cString(m[2], macros);
      if (p !== null && p.startsWith('/')) routes.add(`${m[1]} ${p}`);
    }
  }
  return [...routes].sort();
}
