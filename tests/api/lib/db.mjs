/*
 * db.mjs — the test suites' look into Påminn's database, on either engine.
 *
 * Without PAMINN_TEST_DSN every fixture gets a fresh SQLite file, read with
 * the `sqlite3` command line.  With PAMINN_TEST_DSN=postgresql://... (set by
 * `scripts/pg-server.sh with-db`, see CMakeLists.txt) every fixture gets a
 * fresh database of its own on that server, created and dropped here, and
 * read with `psql`.  The same tests then run unchanged on both engines: the
 * `--db` value a fixture hands to `paminn` is a path or a DSN, and query()
 * prints rows the same way on both (columns separated by "|", NULL as "").
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

export const PG_DSN = process.env.PAMINN_TEST_DSN ?? '';
export const ENGINE = PG_DSN ? 'postgresql' : 'sqlite';
export const isPg = ENGINE === 'postgresql';

/* The DSN of database `name` on the server of dsn. */
function withDatabase(dsn, name) {
  const u = new URL(dsn);
  u.pathname = `/${name}`;
  return u.toString();
}

function databaseOf(dsn) {
  return decodeURIComponent(new URL(dsn).pathname.slice(1));
}

/* The server's own psql: /usr/bin/psql is Debian's Perl wrapper, which
 * costs a quarter of a second per call. */
function findPsql() {
  try {
    const versions = readdirSync('/usr/lib/postgresql').filter((v) => /^\d+$/.test(v)).sort((x, y) => y - x);
    for (const v of versions) {
      const p = `/usr/lib/postgresql/${v}/bin/psql`;
      if (existsSync(p)) return p;
    }
  } catch {
    /* not a Debian layout */
  }
  return 'psql';
}
export const PSQL = findPsql();

function psql(dsn, args, opts = {}) {
  return execFileSync(PSQL, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', dsn, ...args],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
}

/* Whether a `--db` value names a PostgreSQL database. */
export const onPg = (db) => /^postgres(ql)?:\/\//.test(db);

/* A fresh, empty database for one fixture: a file in dir (SQLite) or a new
 * database on the server of pgDsn (default PAMINN_TEST_DSN; '' = SQLite).
 * Returns the `--db` value. */
export function freshDb(dir, { file = 'paminn.db', pgDsn = PG_DSN } = {}) {
  if (!pgDsn) return path.join(dir, file);
  const name = `pm_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  psql(pgDsn, ['-c', `CREATE DATABASE ${name}`]);
  return withDatabase(pgDsn, name);
}

/* Drop a database freshDb() made (a file goes with its directory). */
export function dropDb(db) {
  if (!onPg(db)) return;
  const name = databaseOf(db);
  if (!/^pm_t_[0-9a-z_]+$/.test(name)) return;
  try {
    psql(withDatabase(db, 'postgres'), ['-c', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]);
  } catch {
    /* the server may already be gone at the end of a run */
  }
}

/* Run SQL read-only; the output text as `sqlite3` prints it ("|" between
 * columns, one row a line, NULL as ""), trimmed. */
export function query(db, sql) {
  if (!onPg(db)) {
    return execFileSync('sqlite3', ['-readonly', '-cmd', '.timeout 5000', db, sql], { encoding: 'utf8' }).trim();
  }
  return psql(db, ['-A', '-t', '-c', sql], { env: readOnlyEnv() }).trim();
}

/* Rows as objects (integers as numbers, text as strings). */
export function rows(db, sql) {
  if (!onPg(db)) {
    const out = execFileSync('sqlite3', ['-readonly', '-json', '-cmd', '.timeout 5000', db, sql], { encoding: 'utf8' }).trim();
    return out ? JSON.parse(out) : [];
  }
  const out = psql(db, ['-A', '-t', '-c', `select coalesce(json_agg(t), '[]'::json) from (${sql}) t`],
    { env: readOnlyEnv() }).trim();
  return JSON.parse(out);
}

/* Run SQL that writes (what the agency side or an operator would do);
 * throws on failure. */
export function exec(db, sql) {
  if (!onPg(db)) return execFileSync('sqlite3', ['-cmd', '.timeout 5000', db, sql], { encoding: 'utf8' });
  return psql(db, ['-c', sql]);
}

/* The same without throwing: {status, stdout, stderr}. */
export function tryExec(db, sql) {
  const r = onPg(db)
    ? spawnSync(PSQL, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', db, '-c', sql], { encoding: 'utf8' })
    : spawnSync('sqlite3', ['-cmd', '.timeout 5000', db, sql], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/* SQL for the text of member `key` of the JSON text in column col. */
export function jsonText(col, key) {
  return isPg ? `(${col}::jsonb ->> '${key}')` : `json_extract(${col}, '$.${key}')`;
}

function readOnlyEnv() {
  return { ...process.env, PGOPTIONS: '-c default_transaction_read_only=on' };
}
