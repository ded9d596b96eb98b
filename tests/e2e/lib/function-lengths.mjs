#!/usr/bin/env node
/*
 * function-lengths.mjs — the longest functions of the web UI, in lines from
 * the line the function starts on to the line it ends on (nested functions
 * count in their parent too).  Finds `function` declarations and
 * expressions, arrow functions (block or expression body) and methods of
 * classes and object literals.
 *
 *   node tests/e2e/lib/function-lengths.mjs [DIR] [--top N] [--max LINES]
 *
 * DIR (a directory or one file) defaults to web/js.  Prints the N longest (default 15); with --max,
 * exits 1 when any function is longer than LINES.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tokenize } from './js-tokens.mjs';

const NOT_METHODS = new Set(['if', 'for', 'while', 'switch', 'catch', 'with', 'function', 'return', 'typeof', 'await']);
const OPEN = { '(': ')', '[': ']', '{': '}' };

function matchBrackets(toks) {
  const match = new Array(toks.length).fill(-1);
  const stack = [];
  toks.forEach((tk, i) => {
    if (tk.type !== 'punct') return;
    if (OPEN[tk.value]) stack.push(i);
    else if (tk.value === ')' || tk.value === ']' || tk.value === '}') {
      const j = stack.pop();
      if (j === undefined || OPEN[toks[j].value] !== tk.value) throw new Error(`unbalanced '${tk.value}' at line ${tk.line}`);
      match[i] = j;
      match[j] = i;
    }
  });
  if (stack.length) throw new Error(`unclosed '${toks[stack[stack.length - 1]].value}' at line ${toks[stack[stack.length - 1]].line}`);
  return match;
}

const is = (tk, v) => tk && tk.type === 'punct' && tk.value === v;

/* A name for the function starting at token s: `const x =`, `x:`, `x =`. */
function nameBefore(toks, s) {
  const p = toks[s - 1];
  const q = toks[s - 2];
  if ((is(p, '=') || is(p, ':')) && q && (q.type === 'name' || q.type === 'str')) return q.value;
  return null;
}

/* The last token of an arrow's expression body starting at token b. */
function expressionEnd(toks, match, b) {
  let i = b;
  for (; i < toks.length; i++) {
    const tk = toks[i];
    if (tk.type === 'punct' && OPEN[tk.value]) { i = match[i]; continue; }
    if (tk.type === 'punct' && [',', ';', ')', ']', '}'].includes(tk.value)) break;
  }
  return i - 1;
}

export function functionsIn(src) {
  const toks = tokenize(src);
  const match = matchBrackets(toks);
  const found = [];
  const add = (start, end, name) => found.push({ name, start: toks[start].line, end: toks[end].line, lines: toks[end].line - toks[start].line + 1 });
  for (let i = 0; i < toks.length; i++) {
    const tk = toks[i];
    if (tk.type === 'name' && tk.value === 'function' && !is(toks[i - 1], '.')) {
      let j = i + 1;
      if (is(toks[j], '*')) j += 1;
      let name = null;
      if (toks[j].type === 'name') name = toks[j++].value;
      if (!is(toks[j], '(')) continue;
      const body = match[j] + 1;
      if (!is(toks[body], '{')) continue;
      const start = toks[i - 1]?.value === 'async' ? i - 1 : i;
      add(start, match[body], name ?? nameBefore(toks, start) ?? '<function>');
    } else if (is(tk, '=>')) {
      let start = i - 1;
      if (is(toks[start], ')')) start = match[start];
      if (toks[start - 1]?.type === 'name' && toks[start - 1].value === 'async') start -= 1;
      const end = is(toks[i + 1], '{') ? match[i + 1] : expressionEnd(toks, match, i + 1);
      add(start, end, nameBefore(toks, start) ?? '<arrow>');
    } else if (tk.type === 'name' && !NOT_METHODS.has(tk.value) && is(toks[i + 1], '(')
      && toks[i - 1]?.value !== 'function' && !is(toks[i - 1], '.') && is(toks[match[i + 1] + 1], '{')) {
      add(i, match[match[i + 1] + 1], tk.value);
    }
  }
  return found;
}

function jsFiles(dir) {
  if (fs.statSync(dir).isFile()) return [dir];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return jsFiles(p);
    return /\.m?js$/.test(e.name) ? [p] : [];
  }).sort();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (name, def) => {
    const k = args.indexOf(name);
    if (k < 0) return def;
    const v = Number(args[k + 1]);
    args.splice(k, 2);
    return v;
  };
  const top = opt('--top', 15);
  const max = opt('--max', null);
  const root = args[0] ?? 'web/js';
  const all = [];
  for (const file of jsFiles(root)) {
    for (const f of functionsIn(fs.readFileSync(file, 'utf8'))) all.push({ file: path.relative(process.cwd(), file), ...f });
  }
  all.sort((a, b) => b.lines - a.lines || a.file.localeCompare(b.file) || a.start - b.start);
  console.log(`${all.length} functions in ${root}; the ${Math.min(top, all.length)} longest:`);
  for (const f of all.slice(0, top)) console.log(`${String(f.lines).padStart(5)}  ${f.file}:${f.start}  ${f.name}`);
  if (max !== null) {
    const over = all.filter((f) => f.lines > max);
    console.log(over.length ? `${over.length} over ${max} lines` : `none over ${max} lines`);
    process.exitCode = over.length ? 1 : 0;
  }
}
