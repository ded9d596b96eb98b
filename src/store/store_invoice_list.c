/*
 * store_invoice_list.c — the invoice list and its counts, written once in
 * SQL over the storage driver (sql.h).
 *
 * The list is the hot path: a million invoices per company must page as
 * fast as a hundred.  Each query shape (filter x sort x first or later page
 * x kind of search x one customer or all) has its own SQL text, built once
 * per process and dialect from a fixed set of fragments — values are
 * always parameters — and kept for the life of the process, so that the
 * statement cache (sql_prepare, by the text's address) prepares it once per
 * handle and every later request only binds and steps: one round trip per
 * page on PostgreSQL, no allocation per row.
 *
 * Which invoices a filter selects is core's rule (invoice_filter_selection
 * in core/invoice.h); the text is its predicate.  Every shape without a
 * name search is answered from an index of migration 1 in the order of the
 * sort, and stops after `limit` rows:
 *
 *   all          (company_id, due_date | number | remaining_minor, id)
 *   unpaid, paid, written_off, overdue
 *                (company_id, state, <sort key>, id); overdue adds the
 *                range due_date < today: for the due-date sorts part of the
 *                index range, for the others a filter while walking the
 *                open invoices in order (it stops when the page is full, so
 *                the cost is the open invoices that are not yet due and sort
 *                before the page — never a sort of them all)
 *   agency       partial indexes WHERE agency_state <> ''
 *   customer     (company_id, customer_id, due_date, id); a customer's
 *                invoices are few, other sorts sort them
 *   stopped      any of the above, each row checked against the stops of
 *                reminders by their primary key (two index probes a row)
 *
 * Paging is keyset: (key, id) > (last key, last id) (or < descending), a
 * range on the same index, so a page costs the same anywhere in the list
 * and rows inserted meanwhile neither repeat nor shift a page.
 *
 * A search of digits is the invoice number (exact, via the unique index);
 * other text matches customer names containing it (store_search.h).  The
 * matching customers are collected once per query from the company's
 * customers, and the list walks the same ordered index as without a
 * search, keeping the invoices of those customers until the page is full:
 * bounded by the page for common names, by the filter's index range for a
 * rare one — the one list query that is not index-bounded.
 *
 * A row is read from the invoice row alone — its customer's name is kept
 * there (store_schema.h), so no customer is looked up — plus probes by
 * primary key: the books (an expected loss), the stops of reminders (two)
 * and, for a handed-over invoice only, its agency case.  With no join
 * there is no order of tables for a planner to choose.
 *
 * Where the engines differ, the fragments do: SQLite's planner is steered
 * with a unary `+` that keeps it off an index (with a customer, on the
 * customer index; for overdue in number or amount order, on the sort's
 * index rather than sorting every overdue invoice); PostgreSQL has no such
 * hint and needs none.  Names compare as store_search.h says.
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/invoice.h"
#include "store/sql.h"
#include "store/store.h"
#include "store/store_invoices.h"
#include "store/store_search.h"

#define SORTS  5 /* enum invoice_sort's values */
#define SHAPES (FILTER_COUNT * SORTS * 2 * STORE_SEARCH_MODES * 2 * STOPPED_COUNT)

/* The values a list query may bind: each shape numbers the ones it uses
 * in the order its text first names them ($1, $2 ...). */
enum list_value { V_COMPANY, V_TODAY, V_CUSTOMER, V_NUMBER, V_LIKE, V_KEY, V_ID, V_LIMIT, V_COUNT };

/* One shape's statement: its text (whose address keys the prepared
 * statement on each handle) and which value each $n is. */
struct list_shape {
    char *sql;
    int n_values;
    unsigned char values[V_COUNT];
};

/* Built on first use and kept for the life of the process; each slot is
 * written once, by compare-and-swap, so worker threads may race to build. */
static _Atomic(struct list_shape *) list_shapes[STORE_DIALECT_COUNT][SHAPES];
static _Atomic(struct list_shape *) count_shapes[STORE_DIALECT_COUNT][FILTER_COUNT];

/* ---- the shape of a query ---- */

static const char *sort_column(enum invoice_sort sort)
{
    switch (sort) {
    case SORT_NUMBER_ASC:
    case SORT_NUMBER_DESC:
        return "i.number";
    case SORT_REMAINING_DESC:
        return "i.remaining_minor";
    case SORT_DUE_ASC:
    case SORT_DUE_DESC:
        break;
    }
    return "i.due_date";
}

static bool sort_descending(enum invoice_sort sort)
{
    return sort == SORT_DUE_DESC || sort == SORT_NUMBER_DESC || sort == SORT_REMAINING_DESC;
}

static bool sort_by_due(enum invoice_sort sort)
{
    return sort == SORT_DUE_ASC || sort == SORT_DUE_DESC;
}

/* Overdue, newest first, on a later page: `due_date < today` and the
 * cursor are both upper bounds and an engine would range on only one,
 * walking every earlier page again.  So this shape has the cursor alone,
 * and the bound cursor is clamped to (today, 0), which means the same:
 * ids are positive, so (due_date, id) < (today, 0) is due_date < today. */
static bool overdue_in_cursor(const struct invoice_query *q)
{
    return q->filter == FILTER_OVERDUE && q->sort == SORT_DUE_DESC && q->after.set;
}

/* 0 .. SHAPES - 1 for a valid query. */
static size_t shape_of(const struct invoice_query *q)
{
    int64_t number;
    size_t shape = (size_t)q->filter;

    shape = shape * SORTS + (size_t)q->sort;
    shape = shape * 2 + (q->after.set ? 1 : 0);
    shape = shape * STORE_SEARCH_MODES + (size_t)store_search_mode(q->q, &number);
    shape = shape * 2 + (q->customer_id > 0 ? 1 : 0);
    shape = shape * STOPPED_COUNT + (size_t)q->stopped;
    return shape;
}

/* ---- building the text ---- */

/* What differs between dialects in the list's text. */
struct list_dialect {
    bool hints;        /* a unary + steers the planner off an index */
    const char *key;   /* a number compared with a column that the text does not type */
    const char *like1; /* a customer name (m.name) matches the pattern: */
    const char *like2; /* like1 $n like2 */
};

/* SQLite ranges an index on (a, b) > ($1, $2) only with bare parameters
 * (not with CAST($1 ...)); PostgreSQL is told their type. */
static const struct list_dialect dialects[STORE_DIALECT_COUNT] = {
    [STORE_DIALECT_SQLITE] = {true, "$%d", "m.name LIKE ", " ESCAPE '\\'"},
    [STORE_DIALECT_PG] = {false, "CAST($%d AS BIGINT)", "lower(m.name COLLATE \"C\") LIKE (CAST(",
                          " AS TEXT) COLLATE \"C\") ESCAPE '\\'"},
};

struct build {
    const struct list_dialect *d;
    struct buf *out;
    struct list_shape *sh;
    enum pm_err err;
};

static void add(struct build *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct build *b, const char *fmt, ...)
{
    va_list ap;

    if (b->err)
        return;
    va_start(ap, fmt);
    b->err = buf_vaddf(b->out, fmt, ap);
    va_end(ap);
}

/* "$n" for value v, numbering it on first use; as_key: written as the
 * dialect writes a number the text does not type. */
static void param(struct build *b, enum list_value v, bool as_key)
{
    int i;

    for (i = 0; i < b->sh->n_values && b->sh->values[i] != v; i++)
        ;
    if (i == b->sh->n_values)
        b->sh->values[b->sh->n_values++] = (unsigned char)v;
    if (b->err)
        return;
    b->err = buf_addf(b->out, as_key ? b->d->key : "$%d", i + 1);
}

/* Does a stop of the invoice or of its customer hold today?  The
 * predicate of reminder_stop_covers() (core/reminder_stop.h), on the
 * stops' primary key: a column of every row and the `stopped` filter. */
static void stop_holds(struct build *b)
{
    add(b, "EXISTS (SELECT 1 FROM reminder_stops AS s WHERE s.company_id = i.company_id"
           " AND ((s.target = 'invoice' AND s.target_id = i.id) OR (s.target = 'customer'"
           " AND s.target_id = i.customer_id)) AND s.since_day <= ");
    param(b, V_TODAY, true);
    add(b, " AND (s.until_day = 0 OR s.until_day >= ");
    param(b, V_TODAY, true);
    add(b, "))");
}

/* A column of a handed-over invoice's agency case ('' for the others). */
#define CASE_OF(column)                                              \
    "CASE WHEN i.agency_state <> '' THEN COALESCE((SELECT a." column \
    " FROM agency_cases AS a WHERE a.company_id = i.company_id"      \
    " AND a.invoice_id = i.id), '') ELSE '' END"

/* The predicate of filter's selection; hint_state and hint_due put a `+`
 * before those columns. */
static void filter_sql(struct build *b, enum invoice_filter filter, bool hint_state, bool hint_due,
                       bool due_in_cursor)
{
    struct invoice_selection sel;
    const char *ps = hint_state ? "+" : "";

    if (invoice_filter_selection(filter, &sel)) {
        b->err = PM_ERR_INVALID;
        return;
    }
    if (sel.by_state && sel.or_expected_loss) {
        add(b,
            " AND (%si.state = '%s' OR i.id IN (SELECT e.invoice_id FROM invoice_books AS e"
            " WHERE e.company_id = ",
            ps, store_invoice_state_name(sel.state));
        param(b, V_COMPANY, false);
        add(b, " AND e.expected_loss_minor > 0))");
    } else if (sel.by_state) {
        add(b, " AND %si.state = '%s'", ps, store_invoice_state_name(sel.state));
    }
    if (sel.past_due && !due_in_cursor) {
        add(b, " AND %si.due_date < ", hint_due ? "+" : "");
        param(b, V_TODAY, true);
    }
    if (sel.handed_over)
        add(b, " AND %si.agency_state <> ''", ps);
}

static void list_build(struct build *b, const struct invoice_query *q)
{
    bool by_customer = q->customer_id > 0;
    /* With a customer, `+` keeps SQLite on the customer index (in due-date
     * order) rather than the company's number or amount index; for
     * overdue in number or amount order, `+` on due_date keeps it on the
     * index in that order instead of sorting every overdue invoice. */
    const char *plus = b->d->hints && by_customer && !sort_by_due(q->sort) ? "+" : "";
    const char *key = sort_column(q->sort);
    const char *dir = sort_descending(q->sort) ? "DESC" : "ASC";
    int64_t number;

    if ((unsigned)q->sort >= SORTS) {
        b->err = PM_ERR_INVALID;
        return;
    }
    add(b, "SELECT " STORE_INVOICE_COLS ", ");
    stop_holds(b);
    /* A handed-over row's case: probed only for those rows. */
    add(b, ", " CASE_OF("case_id") ", " CASE_OF("ocr"));
    /* The customer's name is on the invoice row: no join. */
    add(b, " FROM invoices AS i WHERE i.company_id = ");
    param(b, V_COMPANY, false);
    filter_sql(b, q->filter, b->d->hints && by_customer, b->d->hints && !sort_by_due(q->sort),
               overdue_in_cursor(q));
    if (by_customer) {
        add(b, " AND i.customer_id = ");
        param(b, V_CUSTOMER, false);
    }
    if (q->stopped == STOPPED_YES || q->stopped == STOPPED_NO) {
        add(b, " AND %s", q->stopped == STOPPED_NO ? "NOT " : "");
        stop_holds(b);
    }
    switch (store_search_mode(q->q, &number)) {
    case STORE_SEARCH_NUMBER:
        add(b, " AND i.number = ");
        param(b, V_NUMBER, false);
        break;
    case STORE_SEARCH_NAME:
        add(b, " AND i.customer_id IN (SELECT m.id FROM customers AS m WHERE m.company_id = ");
        param(b, V_COMPANY, false);
        add(b, " AND %s", b->d->like1);
        param(b, V_LIKE, false);
        add(b, "%s)", b->d->like2);
        break;
    case STORE_SEARCH_NONE:
    case STORE_SEARCH_MODES:
        break;
    }
    if (q->after.set) {
        add(b, " AND (%s%s, i.id) %s (", plus, key, sort_descending(q->sort) ? "<" : ">");
        param(b, V_KEY, true);
        add(b, ", ");
        param(b, V_ID, true);
        add(b, ")");
    }
    add(b, " ORDER BY %s%s %s, i.id %s LIMIT ", plus, key, dir, dir);
    param(b, V_LIMIT, false);
}

/* Each count is an index range (migration 1's state and agency indexes). */
static void count_build(struct build *b, enum invoice_filter filter)
{
    add(b, "SELECT count(*) FROM invoices AS i WHERE i.company_id = ");
    param(b, V_COMPANY, false);
    filter_sql(b, filter, false, false, false);
}

enum pm_err store_invoice_list_sql(enum store_dialect dialect, const struct invoice_query *q,
                                   struct buf *out)
{
    struct list_shape sh = {0};
    struct build b = {NULL, out, &sh, PM_OK};

    if ((unsigned)dialect >= STORE_DIALECT_COUNT)
        return PM_ERR_INVALID;
    b.d = &dialects[dialect];
    list_build(&b, q);
    return b.err;
}

/* The shape in *slot, built by build(b, q or filter) on first use. */
static enum pm_err intern(struct store *st, _Atomic(struct list_shape *) *slot,
                          const struct invoice_query *q, enum invoice_filter filter,
                          const struct list_shape **out)
{
    struct list_shape *sh = atomic_load(slot), *expected = NULL;
    struct buf sql = BUF_INIT;
    struct build b = {&dialects[sql_dialect(st)], &sql, NULL, PM_OK};

    if (sh) {
        *out = sh;
        return PM_OK;
    }
    sh = calloc(1, sizeof(*sh));
    if (!sh)
        return pm_error_set(&st->error, PM_ERR_NOMEM, "", "building the list query");
    b.sh = sh;
    if (q)
        list_build(&b, q);
    else
        count_build(&b, filter);
    if (!b.err)
        sh->sql = buf_detach(&sql, NULL);
    buf_release(&sql);
    if (b.err || !sh->sql) {
        free(sh);
        return pm_error_set(&st->error, b.err ? b.err : PM_ERR_NOMEM, "",
                            "building the list query");
    }
    if (!atomic_compare_exchange_strong(slot, &expected, sh)) {
        free(sh->sql);
        free(sh);
        sh = expected;
    }
    *out = sh;
    return PM_OK;
}

/* ---- running ---- */

enum pm_err store_invoice_list(struct store *st, int64_t company_id, const struct invoice_query *q,
                               struct invoice *out, size_t cap, size_t *n)
{
    char like[STORE_LIKE_MAX(STORE_SEARCH_MAX)];
    const struct list_shape *sh = NULL;
    struct store_stmt *s = NULL;
    int64_t number = 0, key, id, value = 0;
    enum pm_err err;
    int i;

    *n = 0;
    if ((unsigned)q->filter >= FILTER_COUNT)
        return pm_error_set(&st->error, PM_ERR_INVALID, "status", "unknown filter");
    if ((unsigned)q->sort >= SORTS)
        return pm_error_set(&st->error, PM_ERR_INVALID, "sort", "unknown sort");
    if ((unsigned)q->stopped >= STOPPED_COUNT)
        return pm_error_set(&st->error, PM_ERR_INVALID, "stopped", "unknown stopped filter");
    if (q->limit < 1 || q->limit > STORE_LIST_MAX || q->limit > cap)
        return pm_error_set(&st->error, PM_ERR_RANGE, "limit", "limit must be 1..%d",
                            STORE_LIST_MAX);
    err = intern(st, &list_shapes[sql_dialect(st)][shape_of(q)], q, FILTER_ALL, &sh);
    if (!err)
        err = sql_prepare(st, sh->sql, &s);
    if (err)
        return err;
    if (store_search_mode(q->q, &number) == STORE_SEARCH_NAME)
        store_like_pattern(q->q, strnlen(q->q, STORE_SEARCH_MAX), like);
    key = q->after.key;
    id = q->after.id;
    if (overdue_in_cursor(q) && (key > q->today || (key == q->today && id > 0))) {
        key = q->today;
        id = 0;
    }
    for (i = 0; i < sh->n_values; i++) {
        switch ((enum list_value)sh->values[i]) {
        case V_LIKE:
            sql_bind_arr(st, s, i + 1, like);
            continue;
        case V_COMPANY:
            value = company_id;
            break;
        case V_TODAY:
            value = q->today;
            break;
        case V_CUSTOMER:
            value = q->customer_id;
            break;
        case V_NUMBER:
            value = number;
            break;
        case V_KEY:
            value = key;
            break;
        case V_ID:
            value = id;
            break;
        case V_LIMIT:
        case V_COUNT:
            value = (int64_t)q->limit;
            break;
        }
        sql_bind_int(st, s, i + 1, value);
    }
    err = sql_rows(st, s, &store_invoice_listed_reader, out, q->limit, n);
    sql_done(st, s);
    return err;
}

enum pm_err store_invoice_counts(struct store *st, int64_t company_id, int32_t today,
                                 int64_t counts[FILTER_COUNT])
{
    const struct list_shape *sh = NULL;
    struct store_stmt *s = NULL;
    enum pm_err err = PM_OK;
    int f, i;

    for (f = 0; f < FILTER_COUNT && !err; f++) {
        err = intern(st, &count_shapes[sql_dialect(st)][f], NULL, (enum invoice_filter)f, &sh);
        if (!err)
            err = sql_prepare(st, sh->sql, &s);
        if (err)
            break;
        for (i = 0; i < sh->n_values; i++)
            sql_bind_int(st, s, i + 1, sh->values[i] == V_TODAY ? today : company_id);
        err = sql_row(st, s, "", "counting invoices: no row");
        if (!err)
            counts[f] = sql_int(st, s, 0);
        sql_done(st, s);
    }
    return err;
}
