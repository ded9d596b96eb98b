/*
 * sqlite_invoices.c — customers, invoices, payments and history in the
 * SQLite engine (the handle and its helpers: sqlite_store.c).
 *
 * The invoice list is the hot path: a million invoices per company must page
 * as fast as a hundred.  Each query shape (filter x sort x cursor x search x
 * customer) has its own SQL text, built by sqlite_store_list_sql() without
 * values, and its own cached statement.  Every shape without a name search
 * is answered from an index of migration 1 in the order of the sort, and
 * stops after `limit` rows:
 *
 *   all          (company_id, due_date | number | remaining_minor, id)
 *   unpaid, paid, written_off, overdue
 *                (company_id, state, <sort key>, id); overdue adds the
 *                range due_date < :today: for the due-date sorts part of
 *                the index range, for the others a filter while walking
 *                the open invoices in order (it stops when the page is
 *                full, so the cost is the open invoices that are not yet
 *                due and sort before the page — never a sort of them all)
 *   agency       partial indexes WHERE agency_state <> ''
 *   customer     (company_id, customer_id, due_date, id); the state terms
 *                are written `+i.state` so SQLite takes this index (a
 *                customer's invoices are few; other sorts sort them)
 *
 * Paging is keyset: `(key, id) > (:key, :id)` (or `<` descending), a range
 * on the same index, so a page costs the same anywhere in the list and rows
 * inserted meanwhile neither repeat nor shift a page.
 *
 * Search: q of digits only is the invoice number (exact, via the unique
 * index); other text matches customer names containing it, ASCII
 * case-insensitively (LIKE; å/ä/ö match only as written).  The matching
 * customers are collected once per query from the company's customers
 * (a scan of their name index — small next to the invoices), and the list
 * then walks the same ordered index as without a search, keeping the
 * invoices of those customers until the page is full.  So a name search is
 * bounded by the page for common names, and by the filter's index range
 * for a name with few invoices: acceptable for an interactive search, and
 * the one list query that is not index-bounded.
 */
#include "store/sqlite/sqlite_store.h"

#include <string.h>
#include <time.h>

#include "core/money.h"
#include "store/store_list.h"
#include "store/store_number.h"

#define BIND_ARR(st, name, arr) sqlite_store_bind_text(st, name, arr, sizeof(arr))
#define COL_ARR(st, col, arr)   sqlite_store_column_text(st, col, arr, sizeof(arr))

static struct sqlite_store *engine(struct store *st)
{
    return (struct sqlite_store *)st;
}

/* Read the rows of a bound statement into out[0..cap): step until done or
 * cap rows, calling read(st, &out[i]) for each; *n = rows read.  Sets the
 * enclosing function's `err` when a step fails. */
#define STEP_ROWS(s, st, what, out, cap, n, read)      \
    do {                                               \
        int rc_;                                       \
        for (;;) {                                     \
            if (*(n) >= (cap))                         \
                break;                                 \
            rc_ = sqlite3_step(st);                    \
            if (rc_ == SQLITE_DONE)                    \
                break;                                 \
            if (rc_ != SQLITE_ROW) {                   \
                err = sqlite_store_fail(s, rc_, what); \
                break;                                 \
            }                                          \
            read(st, &(out)[*(n)]);                    \
            (*(n))++;                                  \
        }                                              \
    } while (0)

/* ---- customers ---- */

#define CUSTOMER_COLS                                                                      \
    "company_id, id, number, name, is_company, id_number, address_line_1, address_line_2," \
    " zip_code, city, country, email, mobile_number, language, created_at"

static void customer_bind(sqlite3_stmt *st, const struct customer *c)
{
    sqlite_store_bind_int(st, ":cid", c->company_id);
    sqlite_store_bind_int(st, ":id", c->id);
    BIND_ARR(st, ":number", c->number);
    BIND_ARR(st, ":name", c->name);
    sqlite_store_bind_int(st, ":is_company", c->is_company ? 1 : 0);
    BIND_ARR(st, ":id_number", c->id_number);
    BIND_ARR(st, ":address_line_1", c->address_line_1);
    BIND_ARR(st, ":address_line_2", c->address_line_2);
    BIND_ARR(st, ":zip_code", c->zip_code);
    BIND_ARR(st, ":city", c->city);
    BIND_ARR(st, ":country", c->country);
    BIND_ARR(st, ":email", c->email);
    BIND_ARR(st, ":mobile_number", c->mobile_number);
    BIND_ARR(st, ":language", c->language);
    sqlite_store_bind_int(st, ":created_at", c->created_at);
}

static void customer_read(sqlite3_stmt *st, struct customer *c)
{
    memset(c, 0, sizeof(*c));
    c->company_id = sqlite3_column_int64(st, 0);
    c->id = sqlite3_column_int64(st, 1);
    COL_ARR(st, 2, c->number);
    COL_ARR(st, 3, c->name);
    c->is_company = sqlite3_column_int(st, 4) != 0;
    COL_ARR(st, 5, c->id_number);
    COL_ARR(st, 6, c->address_line_1);
    COL_ARR(st, 7, c->address_line_2);
    COL_ARR(st, 8, c->zip_code);
    COL_ARR(st, 9, c->city);
    COL_ARR(st, 10, c->country);
    COL_ARR(st, 11, c->email);
    COL_ARR(st, 12, c->mobile_number);
    COL_ARR(st, 13, c->language);
    c->created_at = sqlite3_column_int64(st, 14);
}

enum pm_err sqlite_invoices_customer_insert(struct store *stp, struct customer *c)
{
    static const char sql[] =
        "INSERT INTO customers (" CUSTOMER_COLS ") VALUES (:cid, :id, :number, :name,"
        " :is_company, :id_number, :address_line_1, :address_line_2, :zip_code, :city,"
        " :country, :email, :mobile_number, :language, :created_at)";
    struct sqlite_store *s = engine(stp);
    struct customer row = *c;
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    bool own;
    int rc;

    if (!row.created_at)
        row.created_at = sqlite_store_now();
    err = sqlite_store_tx_begin(s, &own);
    if (err)
        return err;
    err = sqlite_store_next_id(s, row.company_id, "customers", 1, &row.id);
    if (err)
        goto out_tx;
    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        goto out_tx;
    customer_bind(st, &row);
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        err = sqlite_store_fail(s, rc, "inserting a customer");
    sqlite_store_done(st);
out_tx:
    err = sqlite_store_tx_end(s, own, err);
    if (!err)
        *c = row;
    return err;
}

enum pm_err sqlite_invoices_customer_get(struct store *stp, int64_t company_id, int64_t id,
                                         struct customer *out)
{
    static const char sql[] =
        "SELECT " CUSTOMER_COLS " FROM customers WHERE company_id = :cid AND id = :id";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    int rc;

    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", company_id);
    sqlite_store_bind_int(st, ":id", id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        customer_read(st, out);
    else if (rc == SQLITE_DONE)
        err = pm_error_set(&s->base.error, PM_ERR_NOT_FOUND, "customer_id", "no such customer");
    else
        err = sqlite_store_fail(s, rc, "reading a customer");
    sqlite_store_done(st);
    return err;
}

enum pm_err sqlite_invoices_customer_update(struct store *stp, const struct customer *c)
{
    static const char sql[] =
        "UPDATE customers SET number = :number, name = :name, is_company = :is_company,"
        " id_number = :id_number, address_line_1 = :address_line_1,"
        " address_line_2 = :address_line_2, zip_code = :zip_code, city = :city,"
        " country = :country, email = :email, mobile_number = :mobile_number,"
        " language = :language WHERE company_id = :cid AND id = :id";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    int rc;

    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    customer_bind(st, c);
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        err = sqlite_store_fail(s, rc, "updating a customer");
    else if (sqlite3_changes(s->db) == 0)
        err = pm_error_set(&s->base.error, PM_ERR_NOT_FOUND, "customer_id", "no such customer");
    sqlite_store_done(st);
    return err;
}

/* "%q%" with LIKE's wildcards in q escaped by '\'; dst holds 2 * len + 3. */
static void like_pattern(const char *q, size_t len, char *dst)
{
    size_t i, j = 0;

    dst[j++] = '%';
    for (i = 0; i < len; i++) {
        if (q[i] == '%' || q[i] == '_' || q[i] == '\\')
            dst[j++] = '\\';
        dst[j++] = q[i];
    }
    dst[j++] = '%';
    dst[j] = '\0';
}

/* Customers by name (ASCII case-insensitive), then id; q matches a part of
 * the name or the whole customer number. */
enum pm_err sqlite_invoices_customer_list(struct store *stp, int64_t company_id, const char *q,
                                          int64_t after_id, struct customer *out, size_t cap,
                                          size_t *n)
{
    static const char sql_first[] =
        "SELECT " CUSTOMER_COLS " FROM customers WHERE company_id = :cid"
        " AND (:q = '' OR name LIKE :like ESCAPE '\\' OR number = :q)"
        " ORDER BY name, id LIMIT :limit";
    static const char sql_after[] =
        "SELECT " CUSTOMER_COLS " FROM customers WHERE company_id = :cid"
        " AND (:q = '' OR name LIKE :like ESCAPE '\\' OR number = :q)"
        " AND (name, id) > (SELECT name, id FROM customers WHERE company_id = :cid AND id = :after)"
        " ORDER BY name, id LIMIT :limit";
    struct sqlite_store *s = engine(stp);
    char like[2 * STORE_NAME_MAX + 3];
    size_t qlen = q ? strnlen(q, STORE_NAME_MAX) : 0;
    sqlite3_stmt *st = NULL;
    enum pm_err err;

    *n = 0;
    if (cap > STORE_LIST_MAX)
        cap = STORE_LIST_MAX;
    err = sqlite_store_stmt(s, after_id > 0 ? sql_after : sql_first, &st);
    if (err)
        return err;
    like_pattern(q ? q : "", qlen, like);
    sqlite_store_bind_int(st, ":cid", company_id);
    sqlite_store_bind_text(st, ":q", q, qlen);
    sqlite_store_bind_text(st, ":like", like, sizeof(like));
    sqlite_store_bind_int(st, ":after", after_id);
    sqlite_store_bind_int(st, ":limit", (int64_t)cap);
    STEP_ROWS(s, st, "listing customers", out, cap, n, customer_read);
    sqlite_store_done(st);
    return err;
}

/* ---- invoices ---- */

#define INVOICE_COLS                                                                      \
    "i.company_id, i.id, i.number, i.customer_id, i.kind, i.currency, i.invoice_date,"    \
    " i.due_date, i.net_minor, i.vat_minor, i.total_minor, i.tax_reduction_minor,"        \
    " i.customer_part_minor, i.paid_minor, i.credited_minor, i.remaining_minor, i.state," \
    " i.manual_reminders, i.agency_state, i.agency_status, i.created_at, c.name"

static void invoice_read(sqlite3_stmt *st, struct invoice *inv)
{
    memset(inv, 0, sizeof(*inv));
    inv->company_id = sqlite3_column_int64(st, 0);
    inv->id = sqlite3_column_int64(st, 1);
    inv->number = sqlite3_column_int64(st, 2);
    inv->customer_id = sqlite3_column_int64(st, 3);
    if (invoice_kind_parse((const char *)sqlite3_column_text(st, 4), &inv->kind))
        inv->kind = INVOICE_STANDARD;
    COL_ARR(st, 5, inv->currency);
    inv->invoice_date = sqlite3_column_int(st, 6);
    inv->due_date = sqlite3_column_int(st, 7);
    inv->net_minor = sqlite3_column_int64(st, 8);
    inv->vat_minor = sqlite3_column_int64(st, 9);
    inv->total_minor = sqlite3_column_int64(st, 10);
    inv->tax_reduction_minor = sqlite3_column_int64(st, 11);
    inv->customer_part_minor = sqlite3_column_int64(st, 12);
    inv->paid_minor = sqlite3_column_int64(st, 13);
    inv->credited_minor = sqlite3_column_int64(st, 14);
    inv->remaining_minor = sqlite3_column_int64(st, 15);
    if (store_invoice_state_parse((const char *)sqlite3_column_text(st, 16), &inv->state))
        inv->state = INVOICE_STATE_OPEN;
    inv->manual_reminders = sqlite3_column_int(st, 17);
    COL_ARR(st, 18, inv->agency_state);
    COL_ARR(st, 19, inv->agency_status);
    inv->created_at = sqlite3_column_int64(st, 20);
    COL_ARR(st, 21, inv->customer_name);
}

/* The state that follows from the amounts: a written-off invoice stays
 * written off; otherwise open while something is left, credited when
 * credit notes (and no payment) cleared it, else paid. */
static enum invoice_state derive_state(enum invoice_state current, int64_t remaining, int64_t paid,
                                       int64_t credited)
{
    if (current == INVOICE_STATE_WRITTEN_OFF)
        return current;
    if (remaining > 0)
        return INVOICE_STATE_OPEN;
    if (credited > 0 && paid == 0)
        return INVOICE_STATE_CREDITED;
    return INVOICE_STATE_PAID;
}

/* Does a row exist for the bound statement (SELECT 1 ...)? */
static enum pm_err exists(struct sqlite_store *s, sqlite3_stmt *st, const char *what, bool *out)
{
    enum pm_err err = PM_OK;
    int rc = sqlite3_step(st);

    if (rc == SQLITE_ROW || rc == SQLITE_DONE)
        *out = rc == SQLITE_ROW;
    else
        err = sqlite_store_fail(s, rc, what);
    sqlite_store_done(st);
    return err;
}

static enum pm_err customer_exists(struct sqlite_store *s, int64_t company_id, int64_t id,
                                   bool *out)
{
    static const char sql[] = "SELECT 1 FROM customers WHERE company_id = :cid AND id = :id";
    sqlite3_stmt *st = NULL;
    enum pm_err err = sqlite_store_stmt(s, sql, &st);

    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", company_id);
    sqlite_store_bind_int(st, ":id", id);
    return exists(s, st, "looking up a customer", out);
}

static enum pm_err invoice_exists(struct sqlite_store *s, int64_t company_id, int64_t id, bool *out)
{
    static const char sql[] = "SELECT 1 FROM invoices WHERE company_id = :cid AND id = :id";
    sqlite3_stmt *st = NULL;
    enum pm_err err = sqlite_store_stmt(s, sql, &st);

    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", company_id);
    sqlite_store_bind_int(st, ":id", id);
    return exists(s, st, "looking up an invoice", out);
}

static enum pm_err number_taken(struct sqlite_store *s, int64_t company_id, int64_t number,
                                bool *out)
{
    static const char sql[] = "SELECT 1 FROM invoices WHERE company_id = :cid AND number = :number";
    sqlite3_stmt *st = NULL;
    enum pm_err err = sqlite_store_stmt(s, sql, &st);

    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", company_id);
    sqlite_store_bind_int(st, ":number", number);
    return exists(s, st, "looking up an invoice number", out);
}

static enum pm_err series_taken(struct store *st, int64_t company_id, int64_t number, bool *taken)
{
    return number_taken((struct sqlite_store *)st, company_id, number, taken);
}

static enum pm_err series_next(struct store *st, int64_t company_id, int64_t *number)
{
    return sqlite_store_next_id((struct sqlite_store *)st, company_id, "invoice_number",
                                STORE_NUMBER_FIRST, number);
}

static const struct store_number_series number_series = {series_taken, series_next};

static enum pm_err insert_lines(struct sqlite_store *s, const struct invoice *inv,
                                const struct invoice_line_row *lines, size_t n_lines)
{
    static const char sql[] =
        "INSERT INTO invoice_lines (company_id, invoice_id, line_no, description, quantity_milli,"
        " unit_price_minor, vat_rate_bp, labour, net_minor)"
        " VALUES (:cid, :iid, :no, :description, :qty, :price, :vat, :labour, :net)";
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    size_t i;
    int rc;

    for (i = 0; i < n_lines; i++) {
        err = sqlite_store_stmt(s, sql, &st);
        if (err)
            return err;
        sqlite_store_bind_int(st, ":cid", inv->company_id);
        sqlite_store_bind_int(st, ":iid", inv->id);
        sqlite_store_bind_int(st, ":no", (int64_t)i + 1);
        BIND_ARR(st, ":description", lines[i].description);
        sqlite_store_bind_int(st, ":qty", lines[i].line.quantity_milli);
        sqlite_store_bind_int(st, ":price", lines[i].line.unit_price_minor);
        sqlite_store_bind_int(st, ":vat", lines[i].line.vat_rate_bp);
        sqlite_store_bind_int(st, ":labour", lines[i].line.labour ? 1 : 0);
        sqlite_store_bind_int(st, ":net", lines[i].net_minor);
        rc = sqlite3_step(st);
        if (rc != SQLITE_DONE)
            err = sqlite_store_fail(s, rc, "inserting an invoice line");
        sqlite_store_done(st);
        if (err) {
            snprintf(s->base.error.field, sizeof(s->base.error.field), "lines[%zu]", i);
            return err;
        }
    }
    return PM_OK;
}

static enum pm_err insert_buyers(struct sqlite_store *s, const struct invoice *inv,
                                 const struct invoice_buyer *buyers, size_t n_buyers)
{
    static const char sql[] =
        "INSERT INTO invoice_buyers (company_id, invoice_id, buyer_no, id_number, name)"
        " VALUES (:cid, :iid, :no, :id_number, :name)";
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    size_t i;
    int rc;

    for (i = 0; i < n_buyers; i++) {
        err = sqlite_store_stmt(s, sql, &st);
        if (err)
            return err;
        sqlite_store_bind_int(st, ":cid", inv->company_id);
        sqlite_store_bind_int(st, ":iid", inv->id);
        sqlite_store_bind_int(st, ":no", (int64_t)i + 1);
        BIND_ARR(st, ":id_number", buyers[i].id_number);
        BIND_ARR(st, ":name", buyers[i].name);
        rc = sqlite3_step(st);
        if (rc != SQLITE_DONE)
            err = sqlite_store_fail(s, rc, "inserting an invoice buyer");
        sqlite_store_done(st);
        if (err)
            return err;
    }
    return PM_OK;
}

static enum pm_err insert_invoice_row(struct sqlite_store *s, const struct invoice *inv)
{
    static const char sql[] =
        "INSERT INTO invoices (company_id, id, number, customer_id, kind, currency,"
        " invoice_date, due_date, net_minor, vat_minor, total_minor, tax_reduction_minor,"
        " customer_part_minor, paid_minor, credited_minor, remaining_minor, state,"
        " manual_reminders, agency_state, agency_status, created_at)"
        " VALUES (:cid, :id, :number, :customer_id, :kind, :currency, :invoice_date, :due_date,"
        " :net, :vat, :total, :reduction, :customer_part, :paid, :credited, :remaining, :state,"
        " :manual_reminders, :agency_state, :agency_status, :created_at)";
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    int rc;

    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", inv->company_id);
    sqlite_store_bind_int(st, ":id", inv->id);
    sqlite_store_bind_int(st, ":number", inv->number);
    sqlite_store_bind_int(st, ":customer_id", inv->customer_id);
    sqlite_store_bind_text(st, ":kind", invoice_kind_name(inv->kind), 16);
    BIND_ARR(st, ":currency", inv->currency);
    sqlite_store_bind_int(st, ":invoice_date", inv->invoice_date);
    sqlite_store_bind_int(st, ":due_date", inv->due_date);
    sqlite_store_bind_int(st, ":net", inv->net_minor);
    sqlite_store_bind_int(st, ":vat", inv->vat_minor);
    sqlite_store_bind_int(st, ":total", inv->total_minor);
    sqlite_store_bind_int(st, ":reduction", inv->tax_reduction_minor);
    sqlite_store_bind_int(st, ":customer_part", inv->customer_part_minor);
    sqlite_store_bind_int(st, ":paid", inv->paid_minor);
    sqlite_store_bind_int(st, ":credited", inv->credited_minor);
    sqlite_store_bind_int(st, ":remaining", inv->remaining_minor);
    sqlite_store_bind_text(st, ":state", store_invoice_state_name(inv->state), 16);
    sqlite_store_bind_int(st, ":manual_reminders", inv->manual_reminders);
    BIND_ARR(st, ":agency_state", inv->agency_state);
    BIND_ARR(st, ":agency_status", inv->agency_status);
    sqlite_store_bind_int(st, ":created_at", inv->created_at);
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        err = sqlite_store_fail(s, rc, "inserting an invoice");
    sqlite_store_done(st);
    return err;
}

enum pm_err sqlite_invoices_insert(struct store *stp, struct invoice *inv,
                                   const struct invoice_line_row *lines, size_t n_lines,
                                   const struct invoice_buyer *buyers, size_t n_buyers)
{
    struct sqlite_store *s = engine(stp);
    struct invoice row = *inv;
    int64_t remaining;
    enum pm_err err;
    bool own = false, found = false;

    if (n_lines > STORE_LINES_MAX || (n_lines && !lines))
        return pm_error_set(&s->base.error, PM_ERR_RANGE, "lines", "at most %d lines",
                            STORE_LINES_MAX);
    if (n_buyers > STORE_BUYERS_MAX || (n_buyers && !buyers))
        return pm_error_set(&s->base.error, PM_ERR_RANGE, "buyers", "at most %d buyers",
                            STORE_BUYERS_MAX);
    if (row.number < 0)
        return pm_error_set(&s->base.error, PM_ERR_RANGE, "number", "negative invoice number");
    err = money_sub(row.customer_part_minor, row.paid_minor, &remaining);
    if (!err)
        err = money_sub(remaining, row.credited_minor, &remaining);
    if (err)
        return pm_error_set(&s->base.error, err, "customer_part_minor", "amounts overflow");
    row.remaining_minor = remaining;
    row.state =
        derive_state(row.state == INVOICE_STATE_WRITTEN_OFF ? row.state : INVOICE_STATE_OPEN,
                     remaining, row.paid_minor, row.credited_minor);
    if (!row.created_at)
        row.created_at = sqlite_store_now();

    err = sqlite_store_tx_begin(s, &own);
    if (err)
        return err;
    err = customer_exists(s, row.company_id, row.customer_id, &found);
    if (!err && !found)
        err = pm_error_set(&s->base.error, PM_ERR_NOT_FOUND, "customer_id", "no such customer");
    if (err)
        goto out_tx;
    err = store_number_choose(&s->base, &number_series, row.company_id, &row.number);
    if (err)
        goto out_tx;
    err = sqlite_store_next_id(s, row.company_id, "invoices", 1, &row.id);
    if (err)
        goto out_tx;
    err = insert_invoice_row(s, &row);
    if (err)
        goto out_tx;
    err = insert_lines(s, &row, lines, n_lines);
    if (err)
        goto out_tx;
    err = insert_buyers(s, &row, buyers, n_buyers);
out_tx:
    err = sqlite_store_tx_end(s, own, err);
    if (!err)
        *inv = row;
    return err;
}

enum pm_err sqlite_invoices_get(struct store *stp, int64_t company_id, int64_t id,
                                struct invoice *out)
{
    static const char sql[] = "SELECT " INVOICE_COLS " FROM invoices AS i CROSS JOIN customers AS c"
                              " ON c.company_id = i.company_id AND c.id = i.customer_id"
                              " WHERE i.company_id = :cid AND i.id = :id";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    int rc;

    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", company_id);
    sqlite_store_bind_int(st, ":id", id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        invoice_read(st, out);
    else if (rc == SQLITE_DONE)
        err = pm_error_set(&s->base.error, PM_ERR_NOT_FOUND, "invoice_id", "no such invoice");
    else
        err = sqlite_store_fail(s, rc, "reading an invoice");
    sqlite_store_done(st);
    return err;
}

/* After listing the rows of an invoice's child table: none found may mean
 * no such invoice (PM_ERR_NOT_FOUND) rather than an empty list. */
static enum pm_err check_parent(struct sqlite_store *s, int64_t company_id, int64_t id, size_t n)
{
    enum pm_err err;
    bool found = false;

    if (n > 0)
        return PM_OK;
    err = invoice_exists(s, company_id, id, &found);
    if (!err && !found)
        err = pm_error_set(&s->base.error, PM_ERR_NOT_FOUND, "invoice_id", "no such invoice");
    return err;
}

static void line_read(sqlite3_stmt *st, struct invoice_line_row *l)
{
    memset(l, 0, sizeof(*l));
    COL_ARR(st, 0, l->description);
    l->line.quantity_milli = sqlite3_column_int64(st, 1);
    l->line.unit_price_minor = sqlite3_column_int64(st, 2);
    l->line.vat_rate_bp = sqlite3_column_int(st, 3);
    l->line.labour = sqlite3_column_int(st, 4) != 0;
    l->net_minor = sqlite3_column_int64(st, 5);
}

enum pm_err sqlite_invoices_lines(struct store *stp, int64_t company_id, int64_t id,
                                  struct invoice_line_row *out, size_t cap, size_t *n)
{
    static const char sql[] =
        "SELECT description, quantity_milli, unit_price_minor, vat_rate_bp, labour, net_minor"
        " FROM invoice_lines WHERE company_id = :cid AND invoice_id = :iid ORDER BY line_no";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;

    *n = 0;
    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", company_id);
    sqlite_store_bind_int(st, ":iid", id);
    STEP_ROWS(s, st, "listing invoice lines", out, cap, n, line_read);
    sqlite_store_done(st);
    if (!err)
        err = check_parent(s, company_id, id, *n);
    return err;
}

static void buyer_read(sqlite3_stmt *st, struct invoice_buyer *b)
{
    memset(b, 0, sizeof(*b));
    COL_ARR(st, 0, b->id_number);
    COL_ARR(st, 1, b->name);
}

enum pm_err sqlite_invoices_buyers(struct store *stp, int64_t company_id, int64_t id,
                                   struct invoice_buyer *out, size_t cap, size_t *n)
{
    static const char sql[] = "SELECT id_number, name FROM invoice_buyers"
                              " WHERE company_id = :cid AND invoice_id = :iid ORDER BY buyer_no";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;

    *n = 0;
    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", company_id);
    sqlite_store_bind_int(st, ":iid", id);
    STEP_ROWS(s, st, "listing invoice buyers", out, cap, n, buyer_read);
    sqlite_store_done(st);
    if (!err)
        err = check_parent(s, company_id, id, *n);
    return err;
}

/* ---- the invoice list ---- */

_Static_assert(STORE_LIST_SHAPES == SQLITE_STORE_LIST_SHAPES,
               "SQLITE_STORE_LIST_SHAPES must count every list query shape");

static enum pm_err filter_sql(const struct invoice_query *q, struct buf *out)
{
    /* With a customer, `+` keeps SQLite on the customer index.  For overdue
     * in number or amount order, `+` on due_date keeps it on the index in
     * that order (walking open invoices until the page is full) instead of
     * sorting every overdue invoice. */
    bool by_customer = q->customer_id > 0;
    const char *state = by_customer ? "+i.state" : "i.state";
    const char *due =
        q->sort == SORT_DUE_ASC || q->sort == SORT_DUE_DESC ? "i.due_date" : "+i.due_date";

    switch (q->filter) {
    case FILTER_ALL:
        return PM_OK;
    case FILTER_UNPAID:
        return buf_addf(out, " AND %s = 'open'", state);
    case FILTER_OVERDUE:
        if (store_list_overdue_in_cursor(q))
            return buf_addf(out, " AND %s = 'open'", state);
        return buf_addf(out, " AND %s = 'open' AND %s < :today", state, due);
    case FILTER_AGENCY:
        return buf_adds(out,
                        by_customer ? " AND +i.agency_state <> ''" : " AND i.agency_state <> ''");
    case FILTER_PAID:
        return buf_addf(out, " AND %s = 'paid'", state);
    case FILTER_WRITTEN_OFF:
        return buf_addf(out, " AND %s = 'written_off'", state);
    case FILTER_COUNT:
        break;
    }
    return PM_ERR_INVALID;
}

enum pm_err sqlite_store_list_sql(const struct invoice_query *q, struct buf *out)
{
    bool by_customer = q->customer_id > 0;
    bool due_sort = q->sort == SORT_DUE_ASC || q->sort == SORT_DUE_DESC;
    /* A customer's few invoices come from the customer index (in due-date
     * order); `+` stops SQLite walking the company's number or amount index
     * instead, so other orders sort them. */
    const char *plus = by_customer && !due_sort ? "+" : "";
    const char *key = store_list_sort_column(q->sort);
    const char *dir = store_list_sort_descending(q->sort) ? "DESC" : "ASC";
    enum pm_err err;
    int64_t number;

    if ((unsigned)q->filter >= FILTER_COUNT || (unsigned)q->sort >= STORE_LIST_SORTS)
        return PM_ERR_INVALID;
    err = buf_adds(out, "SELECT " INVOICE_COLS " FROM invoices AS i CROSS JOIN customers AS c"
                        " ON c.company_id = i.company_id AND c.id = i.customer_id"
                        " WHERE i.company_id = :cid");
    if (!err)
        err = filter_sql(q, out);
    if (!err && by_customer)
        err = buf_adds(out, " AND i.customer_id = :customer");
    switch (store_list_search_mode(q->q, &number)) {
    case STORE_LIST_SEARCH_NUMBER:
        if (!err)
            err = buf_adds(out, " AND i.number = :number");
        break;
    case STORE_LIST_SEARCH_NAME:
        if (!err)
            err = buf_adds(out, " AND i.customer_id IN (SELECT m.id FROM customers AS m"
                                " WHERE m.company_id = :cid AND m.name LIKE :like ESCAPE '\\')");
        break;
    case STORE_LIST_SEARCH_NONE:
    case STORE_LIST_SEARCH_MODES:
        break;
    }
    if (!err && q->after.set)
        err = buf_addf(out, " AND (%s%s, i.id) %s (:key, :id)", plus, key,
                       store_list_sort_descending(q->sort) ? "<" : ">");
    if (!err)
        err = buf_addf(out, " ORDER BY %s%s %s, i.id %s LIMIT :limit", plus, key, dir, dir);
    return err;
}

/* The cached statement for q's shape, prepared on first use. */
static enum pm_err list_stmt(struct sqlite_store *s, const struct invoice_query *q,
                             sqlite3_stmt **out)
{
    size_t shape = store_list_shape(q);
    struct buf sql = BUF_INIT;
    enum pm_err err = PM_OK;
    int rc;

    if (s->list_stmts[shape]) {
        *out = s->list_stmts[shape];
        return PM_OK;
    }
    err = sqlite_store_list_sql(q, &sql);
    if (err) {
        pm_error_set(&s->base.error, err, "", "building the list query");
        goto out_release;
    }
    rc = sqlite3_prepare_v3(s->db, sql.data, (int)sql.len, SQLITE_PREPARE_PERSISTENT,
                            &s->list_stmts[shape], NULL);
    if (rc != SQLITE_OK) {
        err = sqlite_store_fail(s, rc, "preparing the list query");
        goto out_release;
    }
    *out = s->list_stmts[shape];
out_release:
    buf_release(&sql);
    return err;
}

enum pm_err sqlite_invoices_list(struct store *stp, int64_t company_id,
                                 const struct invoice_query *q, struct invoice *out, size_t cap,
                                 size_t *n)
{
    struct sqlite_store *s = engine(stp);
    char like[2 * STORE_LIST_SEARCH_MAX + 3];
    size_t qlen = q->q ? strnlen(q->q, STORE_LIST_SEARCH_MAX) : 0;
    int64_t number = 0, key, id;
    sqlite3_stmt *st = NULL;
    enum pm_err err;

    *n = 0;
    if ((unsigned)q->filter >= FILTER_COUNT)
        return pm_error_set(&s->base.error, PM_ERR_INVALID, "status", "unknown filter");
    if ((unsigned)q->sort >= STORE_LIST_SORTS)
        return pm_error_set(&s->base.error, PM_ERR_INVALID, "sort", "unknown sort");
    if (q->limit < 1 || q->limit > STORE_LIST_MAX || q->limit > cap)
        return pm_error_set(&s->base.error, PM_ERR_RANGE, "limit", "limit must be 1..%d",
                            STORE_LIST_MAX);
    err = list_stmt(s, q, &st);
    if (err)
        return err;
    (void)store_list_search_mode(q->q, &number);
    like_pattern(q->q ? q->q : "", qlen, like);
    sqlite_store_bind_int(st, ":cid", company_id);
    sqlite_store_bind_int(st, ":today", q->today);
    sqlite_store_bind_int(st, ":customer", q->customer_id);
    sqlite_store_bind_int(st, ":number", number);
    sqlite_store_bind_text(st, ":like", like, sizeof(like));
    key = q->after.key;
    id = q->after.id;
    if (store_list_overdue_in_cursor(q) && (key > q->today || (key == q->today && id > 0))) {
        key = q->today;
        id = 0;
    }
    sqlite_store_bind_int(st, ":key", key);
    sqlite_store_bind_int(st, ":id", id);
    sqlite_store_bind_int(st, ":limit", (int64_t)q->limit);
    STEP_ROWS(s, st, "listing invoices", out, q->limit, n, invoice_read);
    sqlite_store_done(st);
    return err;
}

/* Each count is an index range (migration 1's state and agency indexes). */
enum pm_err sqlite_invoices_counts(struct store *stp, int64_t company_id, int32_t today,
                                   int64_t counts[FILTER_COUNT])
{
    static const char sql_all[] = "SELECT count(*) FROM invoices WHERE company_id = :cid";
    static const char sql_state[] =
        "SELECT count(*) FROM invoices WHERE company_id = :cid AND state = :state";
    static const char sql_overdue[] = "SELECT count(*) FROM invoices WHERE company_id = :cid"
                                      " AND state = 'open' AND due_date < :today";
    static const char sql_agency[] =
        "SELECT count(*) FROM invoices WHERE company_id = :cid AND agency_state <> ''";
    static const struct {
        enum invoice_filter filter;
        const char *sql;
        const char *state;
    } plan[] = {
        {FILTER_ALL, sql_all, ""},         {FILTER_UNPAID, sql_state, "open"},
        {FILTER_OVERDUE, sql_overdue, ""}, {FILTER_AGENCY, sql_agency, ""},
        {FILTER_PAID, sql_state, "paid"},  {FILTER_WRITTEN_OFF, sql_state, "written_off"},
    };
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err = PM_OK;
    size_t i;
    int rc;

    for (i = 0; i < sizeof(plan) / sizeof(plan[0]) && !err; i++) {
        err = sqlite_store_stmt(s, plan[i].sql, &st);
        if (err)
            break;
        sqlite_store_bind_int(st, ":cid", company_id);
        sqlite_store_bind_int(st, ":today", today);
        sqlite_store_bind_text(st, ":state", plan[i].state, 16);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            counts[plan[i].filter] = sqlite3_column_int64(st, 0);
        else
            err = sqlite_store_fail(s, rc, "counting invoices");
        sqlite_store_done(st);
    }
    return err;
}

/* ---- payments ---- */

struct balance_row {
    int64_t customer_part, paid, credited;
    enum invoice_state state;
};

static enum pm_err read_balance(struct sqlite_store *s, int64_t company_id, int64_t id,
                                struct balance_row *out)
{
    static const char sql[] =
        "SELECT customer_part_minor, paid_minor, credited_minor, state FROM invoices"
        " WHERE company_id = :cid AND id = :id";
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    int rc;

    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", company_id);
    sqlite_store_bind_int(st, ":id", id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->customer_part = sqlite3_column_int64(st, 0);
        out->paid = sqlite3_column_int64(st, 1);
        out->credited = sqlite3_column_int64(st, 2);
        if (store_invoice_state_parse((const char *)sqlite3_column_text(st, 3), &out->state))
            out->state = INVOICE_STATE_OPEN;
    } else if (rc == SQLITE_DONE) {
        err = pm_error_set(&s->base.error, PM_ERR_NOT_FOUND, "invoice_id", "no such invoice");
    } else {
        err = sqlite_store_fail(s, rc, "reading an invoice balance");
    }
    sqlite_store_done(st);
    return err;
}

static enum pm_err write_balance(struct sqlite_store *s, int64_t company_id, int64_t id,
                                 const struct balance_row *b)
{
    static const char sql[] =
        "UPDATE invoices SET paid_minor = :paid, credited_minor = :credited,"
        " remaining_minor = :remaining, state = :state WHERE company_id = :cid AND id = :id";
    int64_t remaining;
    enum invoice_state state;
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    int rc;

    err = money_sub(b->customer_part, b->paid, &remaining);
    if (!err)
        err = money_sub(remaining, b->credited, &remaining);
    if (err)
        return pm_error_set(&s->base.error, err, "amount_minor", "amounts overflow");
    state = derive_state(b->state, remaining, b->paid, b->credited);
    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", company_id);
    sqlite_store_bind_int(st, ":id", id);
    sqlite_store_bind_int(st, ":paid", b->paid);
    sqlite_store_bind_int(st, ":credited", b->credited);
    sqlite_store_bind_int(st, ":remaining", remaining);
    sqlite_store_bind_text(st, ":state", store_invoice_state_name(state), 16);
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        err = sqlite_store_fail(s, rc, "updating an invoice balance");
    sqlite_store_done(st);
    return err;
}

enum pm_err sqlite_invoices_payment_insert(struct store *stp, struct payment *p)
{
    static const char sql[] =
        "INSERT INTO payments (company_id, id, invoice_id, date, amount_minor, reference, source,"
        " created_at) VALUES (:cid, :id, :iid, :date, :amount, :reference, :source, :created_at)";
    struct sqlite_store *s = engine(stp);
    struct payment row = *p;
    struct balance_row bal;
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    bool own;
    int rc;

    if (row.amount_minor <= 0 || row.amount_minor > MONEY_MAX)
        return pm_error_set(&s->base.error, PM_ERR_RANGE, "amount_minor",
                            "a payment is a positive amount");
    if (!row.created_at)
        row.created_at = sqlite_store_now();
    err = sqlite_store_tx_begin(s, &own);
    if (err)
        return err;
    err = read_balance(s, row.company_id, row.invoice_id, &bal);
    if (err)
        goto out_tx;
    err = money_add(bal.paid, row.amount_minor, &bal.paid);
    if (err) {
        pm_error_set(&s->base.error, err, "amount_minor", "amounts overflow");
        goto out_tx;
    }
    err = sqlite_store_next_id(s, row.company_id, "payments", 1, &row.id);
    if (err)
        goto out_tx;
    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        goto out_tx;
    sqlite_store_bind_int(st, ":cid", row.company_id);
    sqlite_store_bind_int(st, ":id", row.id);
    sqlite_store_bind_int(st, ":iid", row.invoice_id);
    sqlite_store_bind_int(st, ":date", row.date);
    sqlite_store_bind_int(st, ":amount", row.amount_minor);
    BIND_ARR(st, ":reference", row.reference);
    sqlite_store_bind_text(st, ":source", store_payment_source_name(row.source), 16);
    sqlite_store_bind_int(st, ":created_at", row.created_at);
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        err = sqlite_store_fail(s, rc, "inserting a payment");
    sqlite_store_done(st);
    if (err)
        goto out_tx;
    err = write_balance(s, row.company_id, row.invoice_id, &bal);
out_tx:
    err = sqlite_store_tx_end(s, own, err);
    if (!err)
        *p = row;
    return err;
}

static void payment_read(sqlite3_stmt *st, struct payment *p)
{
    memset(p, 0, sizeof(*p));
    p->company_id = sqlite3_column_int64(st, 0);
    p->id = sqlite3_column_int64(st, 1);
    p->invoice_id = sqlite3_column_int64(st, 2);
    p->date = sqlite3_column_int(st, 3);
    p->amount_minor = sqlite3_column_int64(st, 4);
    COL_ARR(st, 5, p->reference);
    if (store_payment_source_parse((const char *)sqlite3_column_text(st, 6), &p->source))
        p->source = PAYMENT_MANUAL;
    p->created_at = sqlite3_column_int64(st, 7);
}

enum pm_err sqlite_invoices_payment_list(struct store *stp, int64_t company_id, int64_t invoice_id,
                                         struct payment *out, size_t cap, size_t *n)
{
    static const char sql[] =
        "SELECT company_id, id, invoice_id, date, amount_minor, reference, source, created_at"
        " FROM payments WHERE company_id = :cid AND invoice_id = :iid ORDER BY id";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;

    *n = 0;
    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", company_id);
    sqlite_store_bind_int(st, ":iid", invoice_id);
    STEP_ROWS(s, st, "listing payments", out, cap, n, payment_read);
    sqlite_store_done(st);
    if (!err)
        err = check_parent(s, company_id, invoice_id, *n);
    return err;
}

/* ---- history ---- */

static int64_t now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* at_us is kept as given (0 = now); data "" is stored as "{}". */
enum pm_err sqlite_invoices_history_insert(struct store *stp, struct history_event *ev)
{
    static const char sql[] =
        "INSERT INTO history_events (company_id, id, invoice_id, at_us, kind, actor, message,"
        " data) VALUES (:cid, :id, :iid, :at_us, :kind, :actor, :message, :data)";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    bool own;
    int rc;
    int64_t id = 0, at_us = ev->at_us ? ev->at_us : now_us();

    err = sqlite_store_tx_begin(s, &own);
    if (err)
        return err;
    err = sqlite_store_next_id(s, ev->company_id, "history_events", 1, &id);
    if (err)
        goto out_tx;
    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        goto out_tx;
    sqlite_store_bind_int(st, ":cid", ev->company_id);
    sqlite_store_bind_int(st, ":id", id);
    sqlite_store_bind_int(st, ":iid", ev->invoice_id);
    sqlite_store_bind_int(st, ":at_us", at_us);
    BIND_ARR(st, ":kind", ev->kind);
    BIND_ARR(st, ":actor", ev->actor);
    BIND_ARR(st, ":message", ev->message);
    sqlite_store_bind_text(st, ":data", ev->data[0] ? ev->data : "{}", sizeof(ev->data));
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        err = sqlite_store_fail(s, rc, "inserting a history event");
    sqlite_store_done(st);
out_tx:
    err = sqlite_store_tx_end(s, own, err);
    if (!err) {
        ev->id = id;
        ev->at_us = at_us;
        if (!ev->data[0])
            snprintf(ev->data, sizeof(ev->data), "{}");
    }
    return err;
}

static void history_read(sqlite3_stmt *st, struct history_event *ev)
{
    memset(ev, 0, sizeof(*ev));
    ev->company_id = sqlite3_column_int64(st, 0);
    ev->id = sqlite3_column_int64(st, 1);
    ev->invoice_id = sqlite3_column_int64(st, 2);
    ev->at_us = sqlite3_column_int64(st, 3);
    COL_ARR(st, 4, ev->kind);
    COL_ARR(st, 5, ev->actor);
    COL_ARR(st, 6, ev->message);
    COL_ARR(st, 7, ev->data);
}

/* In the order written (event id), which is the order of events. */
enum pm_err sqlite_invoices_history_list(struct store *stp, int64_t company_id, int64_t invoice_id,
                                         int64_t after_id, struct history_event *out, size_t cap,
                                         size_t *n)
{
    static const char sql[] =
        "SELECT company_id, id, invoice_id, at_us, kind, actor, message, data FROM history_events"
        " WHERE company_id = :cid AND invoice_id = :iid AND id > :after ORDER BY id LIMIT :limit";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;

    *n = 0;
    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", company_id);
    sqlite_store_bind_int(st, ":iid", invoice_id);
    sqlite_store_bind_int(st, ":after", after_id);
    sqlite_store_bind_int(st, ":limit", (int64_t)cap);
    STEP_ROWS(s, st, "listing history", out, cap, n, history_read);
    sqlite_store_done(st);
    return err;
}
