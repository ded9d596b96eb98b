/*
 * statements.test.mjs — every statement the store sends about a company's
 * rows names the company, read from the SQL the driver saw in this test
 * run: with PAMINN_SQL_TRACE=FILE every store handle appends each
 * statement it prepares to FILE (src/store/sql.c), and CTest sets it for
 * every test (CMakeLists.txt), this one running last as the cleanup of the
 * "sqltrace" fixture.
 *
 * A statement that reads or writes a company-owned table (tables.mjs) must
 * filter on company_id, and each JOIN of such a table must join on it, so
 * that on a database sharded by company (Citus) the statement goes to one
 * node.  The few statements that work across companies by design are
 * listed in ACROSS with the reason, and in docs/operations.md.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';

import { GLOBAL, schemaTables } from './tables.mjs';

const TRACE = process.env.PAMINN_SQL_TRACE;

/* Statements that span companies on purpose: a distinctive piece of their
 * text, and why. */
export const ACROSS = [
  { text: 'DELETE FROM idempotency_keys WHERE created_at < $1',
    why: 'expiry of old idempotency records, all companies at once: a multi-shard DELETE on Citus' },
  { text: "SELECT count(*) FROM outbox WHERE state IN ('pending', 'in_flight')",
    why: 'the queue length /healthz and shutdown report: a multi-shard read' },
  { text: "FROM amili_activations AS a LEFT JOIN users AS u ON u.id = a.accepted_by_user WHERE a.state = 'active' AND a.company_id > $1",
    why: 'the status sync pages through the active companies: a multi-shard read (users is a reference table)' },
  { text: 'SELECT company_id FROM outbox WHERE state IN (\'pending\', \'in_flight\') AND next_attempt_at <= $1',
    why: 'the dispatcher finds the companies with due messages (no locks), then leases each company\'s rows by a statement that names it: a multi-shard read' },
  { text: 'SELECT company_id FROM dunning_policies WHERE customer_id IS NULL AND enabled = 1',
    why: 'the daily dunning scheduler pages through the companies with dunning switched on: a multi-shard read' },
  { text: "SELECT count(*) FROM mail_outbox WHERE state IN ('queued', 'sending', 'retry')",
    why: 'the mail queue\'s length for /healthz: a multi-shard read' },
  { text: "SELECT company_id FROM mail_outbox WHERE state IN ('queued', 'sending', 'retry') AND next_attempt_at <= $1",
    why: 'the mail dispatcher finds the companies with due e-mails (no locks), then leases each company\'s mails by a statement that names it: a multi-shard read' },
  { text: "SELECT count(*) FROM webhook_deliveries WHERE state IN ('queued', 'sending', 'retry')",
    why: 'the webhook queue\'s length: a multi-shard read' },
  { text: "SELECT company_id FROM webhook_deliveries WHERE state IN ('queued', 'sending', 'retry') AND next_attempt_at <= $1",
    why: 'the webhook dispatcher finds the companies with due deliveries (no locks), then leases each company\'s deliveries by a statement that names it: a multi-shard read' },
];

const KEYWORDS = new Set(['select', 'where', 'on', 'set', 'values', 'using', 'as', 'left', 'inner', 'join',
  'group', 'order', 'limit', 'returning', 'for', 'union', 'except', 'natural', 'cross', 'default', 'on', 'do']);

/* The company-owned tables a statement names, each with the text that
 * joins it (its ON/USING clause) when it is joined. */
export function tablesOf(sql, owned) {
  const found = [];
  const re = /\b(from|join|update|into|copy)\s+([a-z_0-9]+)(?:\s+(?:as\s+)?([a-z_0-9]+))?/gi;
  for (const m of sql.matchAll(re)) {
    const table = m[2].toLowerCase();
    if (!owned.has(table)) continue;
    /* COPY t (columns) FROM STDIN writes rows as an INSERT does */
    if (m[1].toLowerCase() === 'copy') {
      found.push({ table, alias: null, on: null, kind: 'into' });
      continue;
    }
    const alias = m[3] && !KEYWORDS.has(m[3].toLowerCase()) ? m[3] : null;
    let on = null;
    if (m[1].toLowerCase() === 'join') {
      const rest = sql.slice(m.index + m[0].length);
      const end = rest.search(/\b(join|where|group|order|limit|union|returning)\b|\)\s*(,|$)/i);
      on = end < 0 ? rest : rest.slice(0, end);
    }
    found.push({ table, alias, on, kind: m[1].toLowerCase() });
  }
  return found;
}

/* A predicate that keeps a statement to one company: company_id compared
 * with a parameter ($n, CAST($n ...)), with or without a table's alias.
 * (company_id = other.company_id only joins.) */
const FILTER = /\bcompany_id\s*=\s*(\$\d|CAST\s*\(\s*\$)/i;

export function problems(sql, owned) {
  const tables = tablesOf(sql, owned);
  if (!tables.length) return [];
  const out = [];
  const reads = tables.filter((t) => t.kind !== 'into');
  if (reads.length && !FILTER.test(sql)) out.push(`does not filter on company_id: ${reads.map((t) => t.table).join(', ')}`);
  for (const t of tables) {
    if (t.on !== null) {
      /* JOIN ... ON/USING names the company; a CROSS JOIN does so in the
       * WHERE clause, through the table's alias */
      const joined = /^\s*(on|using)\b/i.test(t.on)
        ? /company_id/i.test(t.on)
        : new RegExp(`\\b${t.alias ?? t.table}\\.company_id\\s*=`, 'i').test(sql);
      if (!joined) out.push(`joins ${t.table} without company_id`);
    }
    if (t.kind === 'into') {
      const cols = sql.slice(sql.search(new RegExp(`(into|copy)\\s+${t.table}`, 'i'))).match(/\(([^)]*)\)/);
      if (!cols || !/\bcompany_id\b/.test(cols[1])) out.push(`inserts into ${t.table} without company_id`);
    }
  }
  return out;
}

test('the check finds a statement that does not keep to one company', () => {
  const owned = new Set(['invoices', 'customers', 'outbox']);
  assert.deepEqual(problems('SELECT id FROM invoices WHERE company_id = $1 AND number = $2', owned), []);
  assert.deepEqual(problems('SELECT id FROM invoices WHERE number = $1', owned),
    ['does not filter on company_id: invoices']);
  assert.deepEqual(problems('SELECT i.id FROM invoices AS i JOIN customers AS c ON c.id = i.customer_id'
    + ' WHERE i.company_id = $1', owned), ['joins customers without company_id']);
  assert.deepEqual(problems('SELECT i.id FROM invoices AS i JOIN customers AS c ON c.company_id = i.company_id'
    + ' AND c.id = i.customer_id WHERE i.company_id = $1', owned), []);
  assert.deepEqual(problems('UPDATE outbox AS o SET state = $1 FROM due WHERE o.company_id = due.company_id', owned),
    ['does not filter on company_id: outbox']);
  assert.deepEqual(problems('SELECT 1 FROM customers AS c CROSS JOIN invoices AS i WHERE i.company_id = c.company_id'
    + ' AND c.company_id = $1', owned), []);
  assert.deepEqual(problems('SELECT 1 FROM customers AS c CROSS JOIN invoices AS i WHERE c.company_id = $1', owned),
    ['joins invoices without company_id']);
  assert.deepEqual(problems('INSERT INTO invoices (id, number) VALUES ($1, $2)', owned),
    ['inserts into invoices without company_id']);
  assert.deepEqual(problems('INSERT INTO invoices (company_id, id) VALUES ($1, $2)', owned), []);
  assert.deepEqual(problems('COPY invoices (company_id, id) FROM STDIN', owned), []);
  assert.deepEqual(problems('COPY invoices (id, number) FROM STDIN', owned),
    ['inserts into invoices without company_id']);
  assert.deepEqual(problems('SELECT id FROM users WHERE email = $1', owned), []);
});

test('every statement on a company\'s table names the company', (t) => {
  assert.ok(TRACE, 'PAMINN_SQL_TRACE is set (CMakeLists.txt sets it for every test)');
  if (!existsSync(TRACE)) {
    /* e.g. `ctest -R unit.money`: no test of this run opened a store */
    t.skip(`no test of this run prepared a statement (${TRACE} is missing)`);
    return;
  }
  const owned = new Set([...schemaTables()].filter((t) => !GLOBAL.has(t)));
  const statements = new Map();
  for (const line of readFileSync(TRACE, 'utf8').split('\n')) {
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    statements.set(line.slice(tab + 1), line.slice(0, tab));
  }
  assert.ok(statements.size > 0, `${TRACE} holds statements`);
  const wrong = [];
  let checked = 0;
  for (const sql of statements.keys()) {
    const p = problems(sql, owned);
    if (tablesOf(sql, owned).length) checked++;
    if (!p.length) continue;
    const allowed = ACROSS.find((a) => sql.includes(a.text));
    if (allowed) continue;
    wrong.push(`${p.join('; ')}\n    ${sql}`);
  }
  assert.deepEqual(wrong, [], `of ${checked} statements on company-owned tables`);
  /* an exception no statement needs any more is taken off the list */
  const used = [...statements.keys()];
  for (const a of ACROSS) {
    if (!used.some((sql) => sql.includes(a.text))) console.log(`# not seen in this run: ${a.text}`);
  }
});
