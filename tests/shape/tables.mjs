/*
 * tables.mjs — which of Påminn's tables belong to a company and which are
 * global, for the shape tests of a database sharded by company (Citus:
 * docs/operations.md, "Several database servers and Citus").
 *
 * Every table not listed in GLOBAL is company-owned: it has a company_id
 * column that starts its primary key, its unique constraints and its
 * foreign keys (other than those to a global table), and every statement
 * on it filters on company_id.  A global table is kept whole on every
 * node (a Citus reference table) or, for the migrations' own table, is the
 * coordinator's; each has its reason here and the same line in
 * docs/operations.md.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const SOURCE_DIR = path.resolve(import.meta.dirname, '..', '..');

export const GLOBAL = new Map([
  ['schema_migrations', 'the schema version: the coordinator\'s own, not distributed'],
  ['deferred_indexes', 'indexes a bulk load set aside, to be built again: the schema\'s own, on the coordinator'],
  ['companies', 'the tenants themselves: a reference table (every company-owned table refers to it)'],
  ['users', 'a person may belong to several companies: a reference table'],
  ['memberships', 'who belongs to which company, read by user at login across companies: a reference table'],
  ['sessions', 'a login is found by its cookie before any company is known: a reference table'],
  ['api_tokens', 'a token is found by its hash before its company is known: a reference table'],
  ['agency_tokens', 'the agency\'s access token per API key, shared by every company: a reference table'],
  ['reference_rates', 'Riksbanken\'s reference rates, the same for every company: a reference table'],
]);

/* Every table the migrations leave, by name: CREATE TABLE, then renames. */
export function schemaTables() {
  const text = readFileSync(path.join(SOURCE_DIR, 'src/store/store_schema.h'), 'utf8');
  const names = new Set(['schema_migrations']);
  const re = /CREATE TABLE (?:IF NOT EXISTS )?([a-z_0-9]+)|ALTER TABLE ([a-z_0-9]+) RENAME TO ([a-z_0-9]+)|DROP TABLE (?:IF EXISTS )?([a-z_0-9]+)/g;
  for (const m of text.matchAll(re)) {
    if (m[1]) names.add(m[1]);
    else if (m[2]) { names.delete(m[2]); names.add(m[3]); }
    else names.delete(m[4]);
  }
  return names;
}
