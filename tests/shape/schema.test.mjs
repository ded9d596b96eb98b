/*
 * schema.test.mjs — the schema is ready to be sharded by company (Citus),
 * read from PostgreSQL's catalog after `paminn migrate` on a fresh
 * database: every company-owned table (tables.mjs) has company_id first in
 * its primary key, in every unique constraint and unique index, and in
 * every foreign key except those to a global table (a reference table in
 * Citus, which any shard may refer to); every global table is named in
 * docs/operations.md.  Needs PAMINN_TEST_DSN (scripts/pg-server.sh with-db)
 * and the paminn binary in PAMINN_BIN.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { PSQL } from '../api/lib/db.mjs';
import { GLOBAL, SOURCE_DIR, schemaTables } from './tables.mjs';

const DSN = process.env.PAMINN_TEST_DSN;
const PAMINN = process.env.PAMINN_BIN;

function query(sql) {
  const out = execFileSync(PSQL, ['-X', '-q', '-A', '-t', '-F', '|', '-d', DSN, '-c', sql], { encoding: 'utf8' });
  return out.split('\n').filter(Boolean).map((l) => l.split('|'));
}

test('the schema of a fresh database is shaped for sharding by company', { skip: !DSN && 'PostgreSQL only' }, () => {
  assert.ok(PAMINN, 'PAMINN_BIN names the paminn binary');
  execFileSync(PAMINN, ['--db', DSN, 'migrate'], { encoding: 'utf8' });

  const tables = new Set(query(`select tablename from pg_tables where schemaname = 'public'`).map((r) => r[0]));
  assert.deepEqual([...tables].sort(), [...schemaTables()].sort(), 'tables.mjs reads the same tables as the migrations make');
  const owned = [...tables].filter((t) => !GLOBAL.has(t));
  assert.ok(owned.length >= 20, `company-owned tables found: ${owned.length}`);

  const columns = new Map();
  for (const [t, c] of query(`select table_name, column_name from information_schema.columns where table_schema = 'public'`)) {
    if (!columns.has(t)) columns.set(t, new Set());
    columns.get(t).add(c);
  }
  /* constraints: table | kind | name | columns in key order | referenced table */
  const constraints = query(`
    select c.conrelid::regclass::text, c.contype, c.conname,
           (select string_agg(a.attname, ',' order by k.ord)
              from unnest(c.conkey) with ordinality k(att, ord)
              join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.att),
           coalesce(c.confrelid::regclass::text, '')
      from pg_constraint c
      join pg_class r on r.oid = c.conrelid
      join pg_namespace n on n.oid = r.relnamespace
     where n.nspname = 'public' and c.contype in ('p', 'u', 'f')`);
  /* unique indexes that are no constraint: table | name | first key column (or an expression) */
  const indexes = query(`
    select i.indrelid::regclass::text, i.indexrelid::regclass::text,
           coalesce((select a.attname from pg_attribute a where a.attrelid = i.indrelid and a.attnum = i.indkey[0]), '(expression)')
      from pg_index i
      join pg_class r on r.oid = i.indrelid
      join pg_namespace n on n.oid = r.relnamespace
     where n.nspname = 'public' and i.indisunique
       and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)`);

  const wrong = [];
  for (const t of owned) {
    if (!columns.get(t)?.has('company_id')) wrong.push(`${t}: no company_id column`);
    const pk = constraints.find(([rel, kind]) => rel === t && kind === 'p');
    if (!pk) wrong.push(`${t}: no primary key`);
    else if (pk[3].split(',')[0] !== 'company_id') wrong.push(`${t}: primary key (${pk[3]})`);
  }
  for (const [rel, kind, name, cols, ref] of constraints) {
    if (GLOBAL.has(rel)) continue;
    const first = cols.split(',')[0];
    if (kind === 'u' && first !== 'company_id') wrong.push(`${rel}: unique ${name} (${cols})`);
    if (kind === 'f' && !GLOBAL.has(ref) && (first !== 'company_id' || !cols.includes(','))) {
      wrong.push(`${rel}: foreign key ${name} (${cols}) to ${ref}`);
    }
  }
  for (const [rel, name, first] of indexes) {
    if (!GLOBAL.has(rel) && first !== 'company_id') wrong.push(`${rel}: unique index ${name} starts with ${first}`);
  }
  assert.deepEqual(wrong, [], 'every key of a company-owned table starts with company_id');

  /* the global tables, each with its handling, in the operations guide */
  const ops = readFileSync(path.join(SOURCE_DIR, 'docs/operations.md'), 'utf8');
  for (const t of GLOBAL.keys()) {
    assert.ok(tables.has(t), `${t} is a table of the schema`);
    assert.match(ops, new RegExp(`\\| \`${t}\` \\|`), `docs/operations.md lists the global table ${t}`);
  }
  /* and its Citus set-up distributes every company-owned table */
  const setup = ops.slice(ops.indexOf("create_distributed_table('customers'"));
  const distributed = new Set([...setup.slice(0, setup.indexOf('```')).matchAll(/'([a-z_0-9]+)'/g)].map((m) => m[1]));
  distributed.delete('company_id'); /* the distribution column, not a table */
  assert.deepEqual([...distributed].sort(), owned.sort(), 'docs/operations.md distributes every company-owned table');
});
