/*
 * js-tokens.mjs — a small tokenizer for the web UI's JavaScript, enough for
 * the source checks next to it (function lengths, import cycles): comments
 * are dropped; strings, template literals (with nested ${…}) and regular
 * expression literals become single tokens, so braces and keywords inside
 * them are never mistaken for code.  Not a parser; no dependencies.
 *
 * tokenize(src) → [{type, value, line}] with type one of
 *   'name' (identifiers and keywords), 'num', 'str', 'tpl', 'regex', 'punct'.
 */

const PUNCT = ['>>>=', '...', '===', '!==', '**=', '<<=', '>>=', '>>>', '&&=', '||=', '??=',
  '=>', '==', '!=', '<=', '>=', '&&', '||', '??', '?.', '++', '--', '+=', '-=', '*=', '/=', '%=',
  '&=', '|=', '^=', '<<', '>>', '**'];

/* After these keywords an expression starts, so '/' opens a regex. */
const EXPR_KEYWORDS = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void',
  'throw', 'case', 'do', 'else', 'yield', 'await']);

function regexAllowed(prev) {
  if (!prev) return true;
  if (prev.type === 'num' || prev.type === 'str' || prev.type === 'tpl' || prev.type === 'regex') return false;
  if (prev.type === 'name') return EXPR_KEYWORDS.has(prev.value);
  return ![')', ']', '}'].includes(prev.value);
}

export function tokenize(src) {
  const out = [];
  let i = 0;
  let line = 1;
  const braces = []; /* for each open '{' or '${': whether it is a template hole */
  const push = (type, value, at) => out.push({ type, value, line: at });
  const count = (s) => {
    for (const c of s) if (c === '\n') line += 1;
  };

  /* Reads template text from i (just after ` or the } of a hole) to the next ${ or closing `. */
  const templatePart = () => {
    const start = i;
    const at = line;
    while (i < src.length) {
      const c = src[i];
      if (c === '\\') { i += 2; continue; }
      if (c === '`') { i += 1; count(src.slice(start, i)); push('tpl', src.slice(start, i), at); return; }
      if (c === '$' && src[i + 1] === '{') {
        i += 2;
        count(src.slice(start, i));
        push('tpl', src.slice(start, i), at);
        braces.push(true);
        return;
      }
      i += 1;
    }
    throw new Error(`unterminated template literal at line ${at}`);
  };

  while (i < src.length) {
    const c = src[i];
    if (c === '\n') { line += 1; i += 1; continue; }
    if (/\s/.test(c)) { i += 1; continue; }
    if (c === '/' && src[i + 1] === '/') {
      while (i < src.length && src[i] !== '\n') i += 1;
      continue;
    }
    if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) throw new Error(`unterminated comment at line ${line}`);
      count(src.slice(i, end + 2));
      i = end + 2;
      continue;
    }
    if (c === '"' || c === "'") {
      const start = i;
      i += 1;
      while (i < src.length && src[i] !== c) {
        if (src[i] === '\\') i += 1;
        else if (src[i] === '\n') throw new Error(`unterminated string at line ${line}`);
        i += 1;
      }
      i += 1;
      push('str', src.slice(start, i), line);
      continue;
    }
    if (c === '`') {
      i += 1;
      templatePart();
      continue;
    }
    if (/[A-Za-z_$\u00c0-\uffff]/.test(c)) {
      const m = /^[\w$\u00c0-\uffff]+/.exec(src.slice(i, i + 200));
      push('name', m[0], line);
      i += m[0].length;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1]))) {
      const m = /^(?:0[xXbBoO][\da-fA-F_]+n?|[\d_]*\.?[\d_]+(?:[eE][+-]?\d+)?n?)/.exec(src.slice(i, i + 100));
      push('num', m[0], line);
      i += m[0].length;
      continue;
    }
    if (c === '/' && regexAllowed(out[out.length - 1])) {
      const start = i;
      let inClass = false;
      i += 1;
      while (i < src.length) {
        const d = src[i];
        if (d === '\\') { i += 2; continue; }
        if (d === '\n') throw new Error(`unterminated regex at line ${line}`);
        if (d === '[') inClass = true;
        else if (d === ']') inClass = false;
        else if (d === '/' && !inClass) break;
        i += 1;
      }
      i += 1;
      while (/[a-z]/i.test(src[i] ?? '')) i += 1;
      push('regex', src.slice(start, i), line);
      continue;
    }
    if (c === '{') { braces.push(false); push('punct', c, line); i += 1; continue; }
    if (c === '}') {
      if (braces.pop()) {
        i += 1;
        templatePart();
        continue;
      }
      push('punct', c, line);
      i += 1;
      continue;
    }
    const p = PUNCT.find((q) => src.startsWith(q, i)) ?? c;
    push('punct', p, line);
    i += p.length;
  }
  return out;
}
