/*
 * store_agency_sql.h — what the files of the agency's operations
 * (store_agency.c, store_agency_outbox.c, store_agency_cases.c) share
 * beside sql.h.  Internal to src/store; callers use store_agency.h.
 */
#ifndef PM_STORE_AGENCY_SQL_H
#define PM_STORE_AGENCY_SQL_H

#include "store/sql.h"

/*
 * Run the bound write q as one atomic unit.  Alone it simply runs (one
 * statement is atomic by itself); inside the caller's transaction it runs
 * under a savepoint, so that a statement that fails — a conflict the caller
 * handles, a transient conflict the dispatcher carries on after — leaves
 * that transaction usable: on PostgreSQL a failed statement would otherwise
 * abort the whole transaction, where SQLite undoes the statement only.
 * When `missing` is not NULL, a write that changed no row is
 * PM_ERR_NOT_FOUND with that field and message.
 * q stays the caller's to sql_done().
 */
enum pm_err store_agency_write(struct store *st, struct store_stmt *q, const char *field,
                               const char *missing);
/* The same for sql bound by fmt (sql.h), in one call:
 * store_agency_writef(st, field, missing, sql, fmt, args...). */
#define store_agency_writef(st, field_, missing_, sql, ...)     \
    sql_do((st),                                                \
           &(const struct sql_do){.kind = SQL_DO_WRITE,         \
                                  .field = (field_),            \
                                  .missing = (missing_),        \
                                  .write = store_agency_write}, \
           (sql), __VA_ARGS__)

/*
 * A work-queue lease company by company, as every outbox of the store
 * takes it (the agency's, the e-mail's, the webhooks'): per pass, the
 * companies with due rows are read first (due_companies: $1 now, $2 how
 * many; no locks), then each company's rows are leased by a statement
 * that names it (lease: $1 owner, $2 lease_until, $3 now, $4 how many,
 * $5 the company), until cap rows of size bytes are read into out with
 * reader.  The whole lease is one READ COMMITTED unit; *n rows.
 */
struct store_lease_pass {
    const char *due_companies;
    const struct sql_variant *lease;
};

struct store_lease {
    const struct store_lease_pass *passes;
    size_t n_passes;
    const struct sql_reader *reader;
    size_t owner_max;
};

enum pm_err store_lease_by_company(struct store *st, const struct store_lease *l, const char *owner,
                                   int64_t now, int64_t lease_until, void *out, size_t size,
                                   size_t cap, size_t *n);

#endif
