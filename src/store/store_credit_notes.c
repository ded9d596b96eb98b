/*
 * store_credit_notes.c — credit notes (see store_credit_notes.h), written
 * once in SQL over the storage driver (sql.h).
 *
 * A credit note's number is the highest of the company's credit notes
 * plus one, taken after locking the company's sequences row "credit-note"
 * (as a voucher's number is: store_vouchers.c), so the series has no gaps
 * and two writers take numbers in turn.
 */
#include "store/store_credit_notes.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "store/sql.h"

#define CN_COLUMNS                                                                          \
    "company_id, id, number, invoice_id, customer_id, date, reason, net_25_minor,"          \
    " net_12_minor, net_6_minor, net_0_minor, vat_25_minor, vat_12_minor, vat_6_minor,"     \
    " total_minor, tax_reduction_minor, customer_part_minor, voucher_year, voucher_number," \
    " created_by, created_at"

static const struct sql_col cn_cols[] =
    SQL_COLS(struct credit_note_row, company_id, id, number, invoice_id, customer_id, date, reason,
             net_25_minor, net_12_minor, net_6_minor, net_0_minor, vat_25_minor, vat_12_minor,
             vat_6_minor, total_minor, tax_reduction_minor, customer_part_minor, voucher_year,
             voucher_number, created_by, created_at);

static const struct sql_reader cn_reader = SQL_READER(struct credit_note_row, cn_cols, NULL);

void store_credit_note_amounts(const struct credit_note_row *r, struct credit_note_amounts *out)
{
    memset(out, 0, sizeof(*out));
    out->net_by_rate[VAT_25] = r->net_25_minor;
    out->net_by_rate[VAT_12] = r->net_12_minor;
    out->net_by_rate[VAT_6] = r->net_6_minor;
    out->net_by_rate[VAT_0] = r->net_0_minor;
    out->vat_by_rate[VAT_25] = r->vat_25_minor;
    out->vat_by_rate[VAT_12] = r->vat_12_minor;
    out->vat_by_rate[VAT_6] = r->vat_6_minor;
    out->total_minor = r->total_minor;
    out->tax_reduction_minor = r->tax_reduction_minor;
    out->customer_part_minor = r->customer_part_minor;
}

void store_credit_note_set_amounts(struct credit_note_row *r, const struct credit_note_amounts *a)
{
    r->net_25_minor = a->net_by_rate[VAT_25];
    r->net_12_minor = a->net_by_rate[VAT_12];
    r->net_6_minor = a->net_by_rate[VAT_6];
    r->net_0_minor = a->net_by_rate[VAT_0];
    r->vat_25_minor = a->vat_by_rate[VAT_25];
    r->vat_12_minor = a->vat_by_rate[VAT_12];
    r->vat_6_minor = a->vat_by_rate[VAT_6];
    r->total_minor = a->total_minor;
    r->tax_reduction_minor = a->tax_reduction_minor;
    r->customer_part_minor = a->customer_part_minor;
}

static enum pm_err next_number(struct store *st, int64_t company_id, int64_t *out)
{
    static const char lock_sql[] =
        "INSERT INTO sequences (company_id, name, next_value) VALUES ($1, 'credit-note', 1)"
        " ON CONFLICT (company_id, name) DO UPDATE SET next_value = sequences.next_value"
        " WHERE false";
    static const char max_sql[] =
        "SELECT coalesce(max(number), 0) FROM credit_notes WHERE company_id = $1";
    int64_t highest = 0;
    enum pm_err err;

    err = sql_runf(st, lock_sql, "i", company_id);
    if (!err)
        err = sql_getf(st, "", "numbering a credit note: no row", &sql_int_reader, &highest,
                       max_sql, "i", company_id);
    if (!err)
        *out = highest + 1;
    return err;
}

/* customer_part, paid, credited, state of the invoice, locked on
 * PostgreSQL until the transaction ends. */
struct balance {
    int64_t customer_part_minor, paid_minor, credited_minor;
    char state[16];
};

static const struct sql_col balance_cols[] =
    SQL_COLS(struct balance, customer_part_minor, paid_minor, credited_minor, state);
static const struct sql_reader balance_reader = SQL_READER(struct balance, balance_cols, NULL);

static enum pm_err apply_to_invoice(struct store *st, const struct credit_note_row *c)
{
    static const struct sql_variant read_sql = {{
        [STORE_DIALECT_SQLITE] = "SELECT customer_part_minor, paid_minor, credited_minor, state"
                                 " FROM invoices WHERE company_id = $1 AND id = $2",
        [STORE_DIALECT_PG] = "SELECT customer_part_minor, paid_minor, credited_minor, state"
                             " FROM invoices WHERE company_id = $1 AND id = $2 FOR UPDATE",
    }};
    static const char update_sql[] =
        "UPDATE invoices SET credited_minor = $3, remaining_minor = $4, state = $5"
        " WHERE company_id = $1 AND id = $2";
    struct balance b;
    enum invoice_state state = INVOICE_STATE_OPEN;
    int64_t credited, remaining;
    enum pm_err err;

    err = sql_getf(st, "invoice_id", "no such invoice", &balance_reader, &b,
                   sql_text(st, &read_sql), "ii", c->company_id, c->invoice_id);
    if (err)
        return err;
    if (store_invoice_state_parse(b.state, &state))
        state = INVOICE_STATE_OPEN;
    credited = b.credited_minor + c->customer_part_minor;
    remaining = b.customer_part_minor - b.paid_minor - credited;
    if (c->customer_part_minor <= 0 || remaining < 0)
        return pm_error_set(&st->error, PM_ERR_RANGE, "amount_minor",
                            "the credit note credits more than is left on the invoice");
    state = invoice_state_derive(state, remaining, b.paid_minor, credited);
    return sql_runf(st, update_sql, "iiiit", c->company_id, c->invoice_id, credited, remaining,
                    SQL_CAP(store_invoice_state_name(state), 16));
}

static enum pm_err insert_run(struct store *st, void *ctx)
{
    static const char sql[] =
        "INSERT INTO credit_notes (" CN_COLUMNS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,"
        " $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)";
    struct credit_note_row *c = ctx;
    enum pm_err err;

    if (!c->created_at)
        c->created_at = sql_now();
    err = next_number(st, c->company_id, &c->number);
    if (!err)
        err = sql_next_id(st, c->company_id, "credit_notes", 1, &c->id);
    if (!err)
        err = sql_runf(st, sql, "c", SQL_ROW(cn_cols, c));
    if (!err && c->invoice_id)
        err = apply_to_invoice(st, c);
    return err;
}

enum pm_err store_credit_note_insert(struct store *st, struct credit_note_row *c)
{
    struct credit_note_row row = *c;
    enum pm_err err = sql_atomic(st, insert_run, &row);

    if (!err)
        *c = row;
    return err;
}

enum pm_err store_credit_note_voucher(struct store *st, int64_t company_id, int64_t id, int year,
                                      int64_t number)
{
    static const char sql[] = "UPDATE credit_notes SET voucher_year = $3, voucher_number = $4"
                              " WHERE company_id = $1 AND id = $2";

    return sql_changef(st, "id", "no such credit note", sql, "iidi", company_id, id, year, number);
}

enum pm_err store_credit_note_get(struct store *st, int64_t company_id, int64_t id,
                                  struct credit_note_row *out)
{
    static const char sql[] =
        "SELECT " CN_COLUMNS " FROM credit_notes WHERE company_id = $1 AND id = $2";

    return sql_getf(st, "id", "no such credit note", &cn_reader, out, sql, "ii", company_id, id);
}

enum pm_err store_credit_note_list(struct store *st, int64_t company_id, int64_t invoice_id,
                                   struct credit_note_row *out, size_t cap, size_t *n)
{
    static const char sql[] = "SELECT " CN_COLUMNS " FROM credit_notes"
                              " WHERE company_id = $1 AND invoice_id = $2 ORDER BY id";

    return sql_listf(st, &cn_reader, out, cap, n, sql, "ii", company_id, invoice_id);
}

struct sums {
    int64_t v[10];
};

static const struct sql_col sum_cols[] = {
    {SQL_KIND_I64, offsetof(struct sums, v[0]), sizeof(int64_t)},
    {SQL_KIND_I64, offsetof(struct sums, v[1]), sizeof(int64_t)},
    {SQL_KIND_I64, offsetof(struct sums, v[2]), sizeof(int64_t)},
    {SQL_KIND_I64, offsetof(struct sums, v[3]), sizeof(int64_t)},
    {SQL_KIND_I64, offsetof(struct sums, v[4]), sizeof(int64_t)},
    {SQL_KIND_I64, offsetof(struct sums, v[5]), sizeof(int64_t)},
    {SQL_KIND_I64, offsetof(struct sums, v[6]), sizeof(int64_t)},
    {SQL_KIND_I64, offsetof(struct sums, v[7]), sizeof(int64_t)},
    {SQL_KIND_I64, offsetof(struct sums, v[8]), sizeof(int64_t)},
    {SQL_KIND_I64, offsetof(struct sums, v[9]), sizeof(int64_t)},
};
static const struct sql_reader sum_reader = SQL_READER(struct sums, sum_cols, NULL);

enum pm_err store_credit_note_sum(struct store *st, int64_t company_id, int64_t invoice_id,
                                  struct credit_note_amounts *out)
{
    static const char sql[] = "SELECT CAST(coalesce(sum(net_25_minor), 0) AS BIGINT),"
                              " CAST(coalesce(sum(net_12_minor), 0) AS BIGINT),"
                              " CAST(coalesce(sum(net_6_minor), 0) AS BIGINT),"
                              " CAST(coalesce(sum(net_0_minor), 0) AS BIGINT),"
                              " CAST(coalesce(sum(vat_25_minor), 0) AS BIGINT),"
                              " CAST(coalesce(sum(vat_12_minor), 0) AS BIGINT),"
                              " CAST(coalesce(sum(vat_6_minor), 0) AS BIGINT),"
                              " CAST(coalesce(sum(total_minor), 0) AS BIGINT),"
                              " CAST(coalesce(sum(tax_reduction_minor), 0) AS BIGINT),"
                              " CAST(coalesce(sum(customer_part_minor), 0) AS BIGINT)"
                              " FROM credit_notes WHERE company_id = $1 AND invoice_id = $2";
    struct sums s;
    struct credit_note_row r;
    enum pm_err err;

    err = sql_getf(st, "invoice_id", "no sums", &sum_reader, &s, sql, "ii", company_id, invoice_id);
    if (err)
        return err;
    memset(&r, 0, sizeof(r));
    r.net_25_minor = s.v[0];
    r.net_12_minor = s.v[1];
    r.net_6_minor = s.v[2];
    r.net_0_minor = s.v[3];
    r.vat_25_minor = s.v[4];
    r.vat_12_minor = s.v[5];
    r.vat_6_minor = s.v[6];
    r.total_minor = s.v[7];
    r.tax_reduction_minor = s.v[8];
    r.customer_part_minor = s.v[9];
    store_credit_note_amounts(&r, out);
    return PM_OK;
}
