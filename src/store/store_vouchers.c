/*
 * store_vouchers.c — vouchers (verifikationer), written once in SQL over
 * the storage driver (sql.h): booking one, listing them with their rows and
 * the invoice each concerns, and the balance per account.
 *
 * What may be booked and how it is numbered are core/voucher.c's rules
 * (voucher_check, voucher_year, voucher_next_number); the store checks a
 * voucher with them before it writes anything, and only stores.  The
 * database holds the same line underneath (migration 1's triggers): the
 * rows go in first, the head last, and the head's insert trigger refuses
 * it unless its rows balance; rows and heads can be neither changed nor
 * deleted, and rows whose head never comes fail the deferred foreign key
 * at COMMIT.
 *
 * A voucher's rows go in as one statement (one round trip on PostgreSQL
 * however many rows): they travel as one JSON object {"1": [account,
 * debit, credit], "2": ...} that json_each() — the same function on both
 * engines — turns into rows keyed by row number.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fiscal.h"
#include "store/sql.h"
#include "store/store_books.h"

/* {"1":[account,debit,credit],"2":...}: a checked row takes at most 52
 * characters (,"24":[9999,<19 digits>,<19 digits>]), plus the braces and
 * the NUL. */
#define ROWS_JSON_MAX (VOUCHER_ROWS_MAX * 64 + 4)

static void rows_json(const struct voucher *v, char *dst, size_t cap)
{
    size_t len = 0, i;
    int w;

    dst[len++] = '{';
    for (i = 0; i < v->n_rows && len < cap; i++) {
        w = snprintf(dst + len, cap - len, "%s\"%zu\":[%d,%" PRId64 ",%" PRId64 "]", i ? "," : "",
                     i + 1, v->rows[i].account, v->rows[i].debit_minor, v->rows[i].credit_minor);
        if (w > 0)
            len += (size_t)w;
    }
    if (len < cap - 1) {
        dst[len++] = '}';
        dst[len] = '\0';
    } else {
        dst[cap - 1] = '\0'; /* cannot happen: ROWS_JSON_MAX holds the most rows */
    }
}

struct voucher_insert {
    const struct voucher *v;
    const char *rows; /* rows_json() */
    int year;         /* out */
    int64_t number;   /* out */
};

/* The company's fiscal year start month (1..12), read in the voucher's
 * transaction: the company's settings refuse a change of it once vouchers
 * exist (app_companies_update), and a company's writers queue behind each
 * other (store_begin_for), so the series cannot shift under a booking. */
static enum pm_err fiscal_start_month(struct store *st, int64_t company_id, int *out)
{
    static const char sql[] = "SELECT fiscal_year_start_month FROM companies WHERE id = $1";
    int64_t month = FISCAL_START_MONTH_DEFAULT;
    enum pm_err err;

    err = sql_getf(st, "company_id", "no such company", &sql_int_reader, &month, sql, "i",
                   company_id);
    if (!err && !fiscal_start_month_valid((int)month))
        err = pm_error_set(&st->error, PM_ERR_INTERNAL, "fiscal_year_start_month",
                           "the company's fiscal year starts in month %lld", (long long)month);
    if (!err)
        *out = (int)month;
    return err;
}

/* The next number of the company's fiscal year: one above the highest
 * voucher's.  The series row "voucher-YYYY" (YYYY the year's label) in
 * sequences is locked first (created when missing, never updated), so
 * writers of one company and year take numbers in turn — on SQLite the
 * single writer does so anyway.  Not sql_next_id(): its blocks of ids
 * would leave gaps, and on PostgreSQL updating one row again and again
 * inside a long transaction, each time in a new savepoint, costs time that
 * grows with every update (a BgMax import of 10 000 payments books 10 000
 * vouchers in one request), while locking a row already locked by the
 * transaction costs nothing.  Vouchers are never deleted and a failed
 * insert takes its savepoint's rows with it, so the year's numbers have no
 * gaps. */
static enum pm_err voucher_number(struct store *st, struct voucher_insert *c)
{
    static const char lock_sql[] =
        "INSERT INTO sequences (company_id, name, next_value) VALUES ($1, $2, 1)"
        " ON CONFLICT (company_id, name) DO UPDATE SET next_value = sequences.next_value"
        " WHERE false";
    static const char max_sql[] = "SELECT coalesce(max(number), 0) FROM vouchers"
                                  " WHERE company_id = $1 AND year = $2";
    char series[32];
    int64_t highest = 0;
    enum pm_err err;

    snprintf(series, sizeof(series), "voucher-%04d", c->year);
    err = sql_runf(st, lock_sql, "it", c->v->company_id, SQL_ARR(series));
    if (!err)
        err = sql_getf(st, "", "allocating a voucher number: no row", &sql_int_reader, &highest,
                       max_sql, "id", c->v->company_id, c->year);
    if (!err && voucher_next_number(highest, &c->number))
        err = pm_error_set(&st->error, PM_ERR_RANGE, "number", "voucher numbers of %d run out",
                           c->year);
    return err;
}

static enum pm_err voucher_insert(struct store *st, void *ctx)
{
    static const char row_sql[] =
        "INSERT INTO voucher_rows (company_id, year, number, row_no, account, debit_minor,"
        " credit_minor)"
        " SELECT CAST($1 AS BIGINT), CAST($2 AS BIGINT), CAST($3 AS BIGINT),"
        " CAST(r.key AS BIGINT), CAST(r.value ->> 0 AS BIGINT), CAST(r.value ->> 1 AS BIGINT),"
        " CAST(r.value ->> 2 AS BIGINT) FROM json_each($4) AS r";
    static const char head_sql[] =
        "INSERT INTO vouchers (company_id, year, number, date, text, source, created_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7)";
    static const char link_sql[] =
        "INSERT INTO voucher_invoices (company_id, year, number, invoice_id)"
        " VALUES ($1, $2, $3, $4)";
    struct voucher_insert *c = ctx;
    const struct voucher *v = c->v;
    int start_month = FISCAL_START_MONTH_DEFAULT;
    enum pm_err err;

    c->number = 0;
    err = fiscal_start_month(st, v->company_id, &start_month);
    if (!err) {
        c->year = voucher_year(v->date, start_month);
        err = voucher_number(st, c);
    }
    if (!err)
        err = sql_runf(st, row_sql, "idit", v->company_id, c->year, c->number,
                       SQL_CAP(c->rows, ROWS_JSON_MAX));
    if (!err)
        err = sql_runf(st, head_sql, "ididtti", v->company_id, c->year, c->number, v->date,
                       SQL_ARR(v->text), SQL_ARR(v->source), v->created_at);
    if (!err && v->invoice_id)
        err = sql_runf(st, link_sql, "idii", v->company_id, c->year, c->number, v->invoice_id);
    return err;
}

enum pm_err store_books_voucher_insert(struct store *st, struct voucher *v)
{
    struct voucher_insert c = {.v = v};
    char rows[ROWS_JSON_MAX];
    enum pm_err err;

    err = voucher_check(v, &st->error);
    if (err)
        return err;
    rows_json(v, rows, sizeof(rows));
    c.rows = rows;
    if (!v->created_at)
        v->created_at = sql_now();
    err = sql_atomic(st, voucher_insert, &c);
    if (!err) {
        v->year = c.year;
        v->number = c.number;
    }
    return err;
}

/* ---- many vouchers in one unit ---- */

struct voucher_row_row {
    int64_t company_id;
    int year;
    int64_t number, row_no;
    int account;
    int64_t debit_minor, credit_minor;
};

static const struct sql_col voucher_row_row_cols[] = SQL_COLS(
    struct voucher_row_row, company_id, year, number, row_no, account, debit_minor, credit_minor);

static const struct sql_bulk voucher_row_bulk =
    SQL_BULK("voucher_rows", "company_id, year, number, row_no, account, debit_minor, credit_minor",
             voucher_row_row_cols);

struct voucher_head_row {
    int64_t company_id;
    int year;
    int64_t number;
    int date;
    char text[VOUCHER_TEXT_MAX];
    char source[32];
    int64_t created_at;
};

static const struct sql_col voucher_head_row_cols[] =
    SQL_COLS(struct voucher_head_row, company_id, year, number, date, text, source, created_at);

static const struct sql_bulk voucher_head_bulk = SQL_BULK(
    "vouchers", "company_id, year, number, date, text, source, created_at", voucher_head_row_cols);

struct voucher_link_row {
    int64_t company_id;
    int year;
    int64_t number, invoice_id;
};

static const struct sql_col voucher_link_row_cols[] =
    SQL_COLS(struct voucher_link_row, company_id, year, number, invoice_id);

static const struct sql_bulk voucher_link_bulk =
    SQL_BULK("voucher_invoices", "company_id, year, number, invoice_id", voucher_link_row_cols);

struct voucher_batch {
    struct voucher *v;
    size_t n;
    int *years;       /* out: per voucher */
    int64_t *numbers; /* out: per voucher */
    struct voucher_row_row *rows;
    struct voucher_head_row *heads;
    struct voucher_link_row *links;
};

/* Numbers for every voucher: per fiscal year, the series row locked and
 * its highest number read once (voucher_number), then counted on in the
 * order of the batch. */
static enum pm_err batch_numbers(struct store *st, struct voucher_batch *b, int start_month)
{
    struct voucher_insert c = {0};
    enum pm_err err = PM_OK;
    size_t i, j;

    for (i = 0; i < b->n; i++)
        b->years[i] = voucher_year(b->v[i].date, start_month);
    for (i = 0; !err && i < b->n; i++) {
        for (j = 0; j < i && b->years[j] != b->years[i]; j++)
            ;
        if (j < i) { /* the year's series is open: one above the last */
            for (j = i; j-- > 0 && b->years[j] != b->years[i];)
                ;
            err = voucher_next_number(b->numbers[j], &b->numbers[i]);
            if (err)
                err = pm_error_set(&st->error, PM_ERR_RANGE, "number",
                                   "voucher numbers of %d run out", b->years[i]);
            continue;
        }
        c.v = &b->v[i];
        c.year = b->years[i];
        err = voucher_number(st, &c);
        b->numbers[i] = c.number;
    }
    return err;
}

static enum pm_err voucher_batch_run(struct store *st, void *ctx)
{
    struct voucher_batch *b = ctx;
    int start_month = FISCAL_START_MONTH_DEFAULT;
    size_t i, r, n_rows = 0, n_links = 0;
    enum pm_err err;

    err = fiscal_start_month(st, b->v[0].company_id, &start_month);
    if (!err)
        err = batch_numbers(st, b, start_month);
    for (i = 0; !err && i < b->n; i++) {
        const struct voucher *v = &b->v[i];
        struct voucher_head_row *h = &b->heads[i];

        for (r = 0; r < v->n_rows; r++) {
            struct voucher_row_row *row = &b->rows[n_rows++];

            row->company_id = v->company_id;
            row->year = b->years[i];
            row->number = b->numbers[i];
            row->row_no = (int64_t)r + 1;
            row->account = v->rows[r].account;
            row->debit_minor = v->rows[r].debit_minor;
            row->credit_minor = v->rows[r].credit_minor;
        }
        h->company_id = v->company_id;
        h->year = b->years[i];
        h->number = b->numbers[i];
        h->date = v->date;
        memcpy(h->text, v->text, sizeof(h->text));
        memcpy(h->source, v->source, sizeof(h->source));
        h->created_at = v->created_at;
        if (v->invoice_id) {
            b->links[n_links].company_id = v->company_id;
            b->links[n_links].year = b->years[i];
            b->links[n_links].number = b->numbers[i];
            b->links[n_links++].invoice_id = v->invoice_id;
        }
    }
    /* the rows first: a head's insert checks that its rows balance */
    if (!err)
        err = sql_bulk_insert(st, &voucher_row_bulk, b->rows, sizeof(b->rows[0]), n_rows);
    if (!err)
        err = sql_bulk_insert(st, &voucher_head_bulk, b->heads, sizeof(b->heads[0]), b->n);
    if (!err)
        err = sql_bulk_insert(st, &voucher_link_bulk, b->links, sizeof(b->links[0]), n_links);
    return err;
}

enum pm_err store_books_voucher_insert_batch(struct store *st, struct voucher *v, size_t n)
{
    struct voucher_batch b = {.v = v, .n = n};
    size_t i, n_rows = 0;
    enum pm_err err = PM_OK;

    if (n == 0)
        return PM_OK;
    for (i = 0; !err && i < n; i++) {
        if (v[i].company_id != v[0].company_id)
            err = pm_error_set(&st->error, PM_ERR_INVALID, "company_id",
                               "the vouchers of a batch are of one company");
        if (!err)
            err = voucher_check(&v[i], &st->error);
        n_rows += v[i].n_rows;
    }
    if (err)
        return err;
    b.years = calloc(n, sizeof(*b.years));
    b.numbers = calloc(n, sizeof(*b.numbers));
    b.rows = calloc(n_rows ? n_rows : 1, sizeof(*b.rows));
    b.heads = calloc(n, sizeof(*b.heads));
    b.links = calloc(n, sizeof(*b.links));
    if (!b.years || !b.numbers || !b.rows || !b.heads || !b.links) {
        err = pm_error_set(&st->error, PM_ERR_NOMEM, "", "booking vouchers");
    } else {
        for (i = 0; i < n; i++)
            if (!v[i].created_at)
                v[i].created_at = sql_now();
        err = sql_atomic(st, voucher_batch_run, &b);
    }
    for (i = 0; !err && i < n; i++) {
        v[i].year = b.years[i];
        v[i].number = b.numbers[i];
    }
    free(b.links);
    free(b.heads);
    free(b.rows);
    free(b.numbers);
    free(b.years);
    return err;
}

enum pm_err store_books_voucher_list(struct store *st, int64_t company_id, int32_t from, int32_t to,
                                     int after_year, int64_t after_number, struct voucher *out,
                                     size_t cap, size_t *n)
{
    static const char sql[] =
        "SELECT v.year, v.number, v.date, v.text, v.source, coalesce(l.invoice_id, 0),"
        " v.created_at, r.account, r.debit_minor, r.credit_minor"
        " FROM (SELECT * FROM vouchers WHERE company_id = $1 AND date BETWEEN $2 AND $3"
        "       AND (year, number) > (CAST($4 AS BIGINT), CAST($5 AS BIGINT))"
        "       ORDER BY year, number LIMIT $6) AS v"
        " JOIN voucher_rows AS r ON r.company_id = v.company_id AND r.year = v.year"
        "  AND r.number = v.number"
        " LEFT JOIN voucher_invoices AS l ON l.company_id = v.company_id AND l.year = v.year"
        "  AND l.number = v.number"
        " ORDER BY v.year, v.number, r.row_no";
    struct store_stmt *q = NULL;
    struct voucher *v = NULL;
    enum pm_err err;
    bool row = true;

    *n = 0;
    err = sql_query(st, &q, sql, "idddii", company_id, from, to, after_year, after_number,
                    (int64_t)cap);
    if (err)
        return err;
    for (;;) {
        int year;
        int64_t number;

        err = sql_step(st, q, &row);
        if (err || !row)
            break;
        year = (int)sql_int(st, q, 0);
        number = sql_int(st, q, 1);
        /* One voucher's rows follow each other: a new year and number
         * start the next voucher. */
        if (!v || v->year != year || v->number != number) {
            if (*n == cap)
                break; /* cannot happen: the subquery has the limit */
            v = &out[(*n)++];
            memset(v, 0, sizeof(*v));
            v->company_id = company_id;
            v->year = year;
            v->number = number;
            v->date = (int32_t)sql_int(st, q, 2);
            sql_col_arr(st, q, 3, v->text);
            sql_col_arr(st, q, 4, v->source);
            v->invoice_id = sql_int(st, q, 5);
            v->created_at = sql_int(st, q, 6);
        }
        if (v->n_rows == VOUCHER_ROWS_MAX) {
            err = pm_error_set(&st->error, PM_ERR_RANGE, "rows",
                               "voucher %d-%lld has too many rows", year, (long long)number);
            break;
        }
        v->rows[v->n_rows].account = (int)sql_int(st, q, 7);
        v->rows[v->n_rows].debit_minor = sql_int(st, q, 8);
        v->rows[v->n_rows].credit_minor = sql_int(st, q, 9);
        v->n_rows++;
    }
    sql_done(st, q);
    return err;
}

enum pm_err store_books_voucher_exists(struct store *st, int64_t company_id, bool *out)
{
    static const char sql[] = "SELECT count(*) FROM (SELECT 1 FROM vouchers"
                              " WHERE company_id = $1 LIMIT 1) AS v";
    int64_t n = 0;
    enum pm_err err;

    err = sql_getf(st, "", "counting vouchers: no row", &sql_int_reader, &n, sql, "i", company_id);
    if (!err)
        *out = n > 0;
    return err;
}

enum pm_err store_books_voucher_balances(struct store *st, int64_t company_id, int32_t before,
                                         struct account_balance *out, size_t cap, size_t *n)
{
    static const char sql[] =
        "SELECT r.account, CAST(sum(r.debit_minor) - sum(r.credit_minor) AS BIGINT)"
        " FROM voucher_rows AS r"
        " JOIN vouchers AS v ON v.company_id = r.company_id AND v.year = r.year"
        "  AND v.number = r.number"
        " WHERE r.company_id = $1 AND v.date < $2 GROUP BY r.account ORDER BY r.account";
    struct store_stmt *q = NULL;
    enum pm_err err;
    bool row = true;

    *n = 0;
    err = sql_query(st, &q, sql, "id", company_id, before);
    if (err)
        return err;
    for (;;) {
        err = sql_step(st, q, &row);
        if (err || !row)
            break;
        if (*n == cap) {
            err = pm_error_set(&st->error, PM_ERR_RANGE, "accounts", "too many accounts");
            break;
        }
        out[*n].account = (int)sql_int(st, q, 0);
        out[*n].balance_minor = sql_int(st, q, 1);
        (*n)++;
    }
    sql_done(st, q);
    return err;
}
