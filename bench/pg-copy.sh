#!/usr/bin/env bash
# Copy a Påminn SQLite database into an empty PostgreSQL database, table by
# table with COPY, for the benchmarks: `paminn demo-data` writes through the
# store one invoice at a time, which at a million invoices takes hours on
# PostgreSQL; the copy gives the PostgreSQL runs the very same rows in
# minutes.
#
#   bench/pg-copy.sh SQLITE_FILE POSTGRESQL_DSN
#
# The DSN's user must be a superuser: the load runs with
# session_replication_role = replica (no triggers, no foreign-key checks;
# the rows are consistent already, they come from a database that checked
# them).  The schema comes from `paminn migrate` (PAMINN_BIN, default
# build/default/paminn), so the column lists are the PostgreSQL engine's.
set -euo pipefail
[ $# -eq 2 ] || { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
src=$1 dsn=$2
bin=${PAMINN_BIN:-build/default/paminn}
psql_bin=$(ls -d /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -t/ -k5,5n | tail -n 1)
psql_bin=${psql_bin:-psql}
psql() { "$psql_bin" -X -q -v ON_ERROR_STOP=1 -d "$dsn" "$@"; }

"$bin" --db "$dsn" migrate >/dev/null
tables=$(psql -At -c "select table_name from information_schema.tables
  where table_schema = 'public' and table_type = 'BASE TABLE' and table_name <> 'schema_migrations'
  order by table_name")
for t in $tables; do
  [ "$(sqlite3 "$src" "select count(*) from sqlite_schema where type = 'table' and name = '$t'")" = 1 ] || continue
  # Per column: the SQLite expression (bytea as \x hex) and, for NOT NULL
  # text columns, FORCE_NOT_NULL so that an empty value stays ''.
  cols="" exprs="" notnull=""
  while IFS='|' read -r name type nullable; do
    cols+="${cols:+, }$name"
    if [ "$type" = bytea ]; then
      exprs+="${exprs:+, }CASE WHEN $name IS NULL THEN NULL ELSE '\\x' || hex($name) END"
    else
      exprs+="${exprs:+, }$name"
    fi
    if [ "$type" = text ] && [ "$nullable" = NO ]; then
      notnull+="${notnull:+, }$name"
    fi
  done < <(psql -At -c "select column_name, data_type, is_nullable from information_schema.columns
    where table_schema = 'public' and table_name = '$t' order by ordinal_position")
  n=$(sqlite3 "$src" "select count(*) from $t")
  [ "$n" -gt 0 ] || continue
  printf 'bench: copying %s (%s rows)\n' "$t" "$n" >&2
  opts="FORMAT csv"
  [ -z "$notnull" ] || opts+=", FORCE_NOT_NULL ($notnull)"
  sqlite3 -csv "$src" "select $exprs from $t" |
    psql -c "SET session_replication_role = replica" -c "COPY $t ($cols) FROM STDIN ($opts)"
done
psql -c "ANALYZE"
