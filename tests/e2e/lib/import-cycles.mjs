#!/usr/bin/env node
/*
 * import-cycles.mjs — walks the static imports of the web UI's modules
 * (`import … from '…'`, `import '…'`, `export … from '…'` and dynamic
 * `import('…')` with a literal) and reports every import circle, one per
 * strongly connected group of modules, with one path around it.
 *
 *   node tests/e2e/lib/import-cycles.mjs [DIR]
 *
 * DIR defaults to web/js.  Exits 1 when there is a circle.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tokenize } from './js-tokens.mjs';

/* The relative module specifiers a file imports. */
export function importsOf(src) {
  const toks = tokenize(src);
  const specs = [];
  const isPunct = (tk, v) => tk && tk.type === 'punct' && tk.value === v;
  for (let i = 0; i < toks.length; i++) {
    const tk = toks[i];
    if (tk.type !== 'name' || isPunct(toks[i - 1], '.')) continue;
    if (tk.value === 'import' && isPunct(toks[i + 1], '(') && toks[i + 2]?.type === 'str') {
      specs.push(toks[i + 2].value.slice(1, -1));
    } else if (tk.value === 'import' && toks[i + 1]?.type === 'str') {
      specs.push(toks[i + 1].value.slice(1, -1));
    } else if (tk.value === 'from' && toks[i + 1]?.type === 'str') {
      specs.push(toks[i + 1].value.slice(1, -1));
    }
  }
  return specs.filter((s) => s.startsWith('./') || s.startsWith('../') || s.startsWith('/'));
}

function jsFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return jsFiles(p);
    return /\.m?js$/.test(e.name) ? [p] : [];
  }).sort();
}

export function graphOf(root) {
  const graph = new Map();
  for (const file of jsFiles(root)) {
    const deps = importsOf(fs.readFileSync(file, 'utf8')).map((s) => path.resolve(path.dirname(file), s));
    for (const d of deps) if (!fs.existsSync(d)) throw new Error(`${file} imports missing ${d}`);
    graph.set(path.resolve(file), [...new Set(deps)]);
  }
  return graph;
}

/* Tarjan's strongly connected components; the groups with a circle. */
export function cyclesOf(graph) {
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const onStack = new Set();
  const stack = [];
  const groups = [];
  const visit = (v) => {
    idx.set(v, index);
    low.set(v, index);
    index += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const group = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1 || (graph.get(v) ?? []).includes(v)) groups.push(group.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return groups;
}

/* One circle through the group's first module (breadth-first, shortest). */
function pathAround(graph, group) {
  const inGroup = new Set(group);
  const start = group[0];
  const prev = new Map();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift();
    for (const w of graph.get(v) ?? []) {
      if (!inGroup.has(w)) continue;
      if (w === start) {
        const loop = [v];
        while (loop[0] !== start) loop.unshift(prev.get(loop[0]));
        return [...loop, start];
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = process.argv[2] ?? 'web/js';
  const graph = graphOf(root);
  const rel = (f) => path.relative(path.resolve(root), f);
  const edges = [...graph.values()].reduce((n, d) => n + d.length, 0);
  const groups = cyclesOf(graph);
  console.log(`${graph.size} modules, ${edges} imports in ${root}`);
  if (!groups.length) console.log('no import circles');
  for (const g of groups) {
    console.log(`circle among ${g.length} modules: ${g.map(rel).join(', ')}`);
    console.log(`  e.g. ${pathAround(graph, g).map(rel).join(' → ')}`);
  }
  process.exitCode = groups.length ? 1 : 0;
}
