/*
 * api_ledger.c — the customer ledger (kundreskontra) over HTTP:
 *
 *   GET /companies/{cid}/ledger?as_of=&open=&limit=&cursor=
 *   GET /companies/{cid}/customers/{id}/ledger?as_of=
 *
 * Part of src/api: the query is read and the answer rendered here, the
 * operations are app/app_ledger.h's.  The page is a keyset page by
 * customer name (the cursor carries the last customer's id and is bound
 * to the date and the open filter, api_cursor.h); a bad date, a date
 * after today, or a cursor of another date or filter is 400 invalid_query
 * naming the parameter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_cursor.h"
#include "api/api_handlers.h"
#include "api/api_render.h"
#include "api/api_request.h"
#include "app/app_ledger.h"
#include "core/date.h"

#define LIMIT_DEFAULT 50
#define LIMIT_MAX     200

/* as_of: absent = today; not a date or after today = 400 on as_of. */
static enum pm_err query_as_of(struct api_request *r, int32_t *out)
{
    const char *s = api_request_query(r, "as_of");

    *out = r->today;
    if (s && date_parse_iso(s, out))
        return api_error_set(&r->err, PM_ERR_INVALID, "invalid_query", "as_of");
    if (*out > r->today) {
        api_error_extra(&r->err, "{\"reason\": \"the date is after today\"}");
        return api_error_set(&r->err, PM_ERR_INVALID, "invalid_query", "as_of");
    }
    return PM_OK;
}

/* The filter a cursor is bound to: the date and "open". */
static uint32_t page_filter(int32_t as_of, bool open_only)
{
    char text[32];

    snprintf(text, sizeof(text), "%ld|%d", (long)as_of, open_only ? 1 : 0);
    return api_cursor_filter(text);
}

static json_t *totals_json(const struct ledger_totals *t)
{
    return json_pack("{s:I, s:I, s:I, s:I}", "balance_minor", (json_int_t)t->balance_minor,
                     "customers", (json_int_t)t->customers, "open_items", (json_int_t)t->open_items,
                     "overdue_minor", (json_int_t)t->overdue_minor);
}

static json_t *row_json(const struct ledger_row *l)
{
    return json_pack("{s:I, s:s, s:s, s:I, s:I, s:I}", "customer_id", (json_int_t)l->customer_id,
                     "number", l->number, "name", l->name, "balance_minor",
                     (json_int_t)l->balance_minor, "open_items", (json_int_t)l->open_items,
                     "overdue_minor", (json_int_t)l->overdue_minor);
}

/* open: absent or "false" = every customer, "true" = with a balance. */
static enum pm_err query_open(struct api_request *r, bool *out)
{
    const char *s = api_request_query(r, "open");

    *out = false;
    if (s && !strcmp(s, "true"))
        *out = true;
    else if (s && strcmp(s, "false") != 0)
        return api_error_set(&r->err, PM_ERR_INVALID, "invalid_query", "open");
    return PM_OK;
}

static enum pm_err page_query(struct api_request *r, struct app_ledger_page *p, int64_t *limit)
{
    const char *cursor = api_request_query(r, "cursor");
    int64_t key = 0;
    enum pm_err rc;

    *limit = LIMIT_DEFAULT;
    rc = query_as_of(r, &p->as_of);
    if (!rc)
        rc = query_open(r, &p->open_only);
    if (!rc)
        rc = api_request_query_int(r, "limit", 1, LIMIT_MAX, limit);
    if (rc || !cursor || !*cursor)
        return rc;
    rc = api_cursor_decode_in(cursor, 'l', 0, page_filter(p->as_of, p->open_only), &key,
                              &p->after_id);
    if (rc == PM_ERR_CONFLICT)
        api_error_extra(&r->err, "{\"reason\": \"the cursor belongs to another date or filter\"}");
    if (rc || p->after_id <= 0)
        return api_error_set(&r->err, PM_ERR_INVALID, "invalid_query", "cursor");
    return PM_OK;
}

enum pm_err api_ledger_page(struct api_request *r)
{
    struct app_ledger_page p;
    struct app_ctx ax;
    struct app_error ae;
    json_t *items = NULL, *next = NULL;
    char next_text[API_CURSOR_MAX];
    int64_t limit;
    size_t i, n;
    enum pm_err rc;

    memset(&p, 0, sizeof(p));
    rc = page_query(r, &p, &limit);
    if (rc)
        return rc;
    p.cap = (size_t)limit + 1;
    p.rows = calloc(p.cap, sizeof(*p.rows));
    items = json_array();
    if (!p.rows || !items) {
        rc = api_error_set(&r->err, PM_ERR_NOMEM, NULL, NULL);
        goto out_free;
    }
    api_request_app(r, NULL, NULL, 0, &ax);
    app_error_clear(&ae);
    rc = app_ledger_page(&ax, &p, &ae);
    if (rc) {
        api_error_from_app(&r->err, &ae);
        goto out_free;
    }
    n = p.n > (size_t)limit ? (size_t)limit : p.n;
    next = json_null();
    if (p.n > (size_t)limit) {
        api_cursor_encode_in('l', 0, page_filter(p.as_of, p.open_only), 0,
                             p.rows[n - 1].customer_id, next_text);
        json_decref(next);
        next = json_string(next_text);
    }
    for (i = 0; i < n; i++) {
        if (json_array_append_new(items, row_json(&p.rows[i]))) {
            rc = api_error_set(&r->err, PM_ERR_NOMEM, NULL, NULL);
            goto out_free;
        }
    }
    rc = api_request_reply(r, 200,
                           json_pack("{s:o, s:b, s:o, s:o, s:o}", "as_of", api_render_date(p.as_of),
                                     "open_only", p.open_only, "totals", totals_json(&p.totals),
                                     "items", items, "next_cursor", next));
    items = NULL;
    next = NULL;
out_free:
    json_decref(items);
    json_decref(next);
    free(p.rows);
    return rc;
}

/* ---- one customer ---- */

static json_t *item_json(const struct ledger_item *it, int32_t as_of)
{
    int32_t late = as_of > it->due_date ? as_of - it->due_date : 0;

    return json_pack("{s:I, s:I, s:o, s:o, s:I, s:I, s:i, s:s, s:s, s:b, s:s, s:b}", "invoice_id",
                     (json_int_t)it->invoice_id, "number", (json_int_t)it->number, "invoice_date",
                     api_render_date(it->invoice_date), "due_date", api_render_date(it->due_date),
                     "amount_minor", (json_int_t)it->customer_part_minor, "remaining_minor",
                     (json_int_t)it->remaining_minor, "days_overdue", (int)late, "state",
                     late > 0 ? "overdue" : "not_due", "invoice_state", it->state, "handed_over",
                     it->agency_state[0] != '\0', "agency_state", it->agency_state, "reminder_stop",
                     it->stopped);
}

static json_t *credit_json(const struct ledger_credit *c)
{
    return json_pack("{s:I, s:I, s:o, s:I}", "id", (json_int_t)c->id, "number",
                     (json_int_t)c->number, "date", api_render_date(c->date), "amount_minor",
                     (json_int_t)c->customer_part_minor);
}

static json_t *reminder_json(const struct ledger_reminder *m)
{
    return json_pack(
        "{s:I, s:I, s:I, s:o, s:i, s:I, s:I, s:I, s:I}", "id", (json_int_t)m->id, "invoice_id",
        (json_int_t)m->invoice_id, "invoice_number", (json_int_t)m->invoice_number, "date",
        api_render_date(m->date), "level", m->level, "fee_minor", (json_int_t)m->fee_minor,
        "late_compensation_minor", (json_int_t)m->late_compensation_minor, "interest_minor",
        (json_int_t)m->interest_minor, "total_due_minor", (json_int_t)m->total_due_minor);
}

/* A case is named by its invoice's number ("Ärende 1043", issue 14's
 * short references); the agency's own id stays beside it. */
static json_t *case_json(const struct ledger_case *c)
{
    char ref[48];

    snprintf(ref, sizeof(ref), "Ärende %lld", (long long)c->invoice_number);
    return json_pack("{s:I, s:I, s:s, s:o, s:s, s:s, s:s, s:b, s:I, s:I}", "invoice_id",
                     (json_int_t)c->invoice_id, "invoice_number", (json_int_t)c->invoice_number,
                     "ref", ref, "case_id", c->case_id[0] ? json_string(c->case_id) : json_null(),
                     "agency_state", c->agency_state, "state", c->state, "status", c->status,
                     "closed", c->closed, "capital_minor", (json_int_t)c->capital_minor,
                     "remaining_minor", (json_int_t)c->remaining_minor);
}

/* Append n rows of array to arr by fn; the array, or NULL when one failed. */
#define LIST_JSON(arr, rows, n, fn, ...)                                        \
    do {                                                                        \
        for (size_t k_ = 0; (arr) && k_ < (n); k_++) {                          \
            if (json_array_append_new((arr), fn(&(rows)[k_], ##__VA_ARGS__))) { \
                json_decref(arr);                                               \
                (arr) = NULL;                                                   \
            }                                                                   \
        }                                                                       \
    } while (0)

static json_t *id_or_null(int64_t id)
{
    return id ? json_integer(id) : json_null();
}

static json_t *customer_json(const struct app_ledger_customer *o, int32_t today)
{
    json_t *items = json_array(), *credits = json_array(), *reminders = json_array(),
           *cases = json_array();

    LIST_JSON(items, o->items, o->n_items, item_json, o->as_of);
    LIST_JSON(credits, o->credits, o->n_credits, credit_json);
    LIST_JSON(reminders, o->reminders, o->n_reminders, reminder_json);
    LIST_JSON(cases, o->cases, o->n_cases, case_json);
    return json_pack(
        "{s:o, s:o, s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o}", "as_of",
        api_render_date(o->as_of), "customer", api_render_customer(&o->customer, today),
        "balance_minor", (json_int_t)o->line.balance_minor, "open_items",
        (json_int_t)o->line.open_items, "overdue_minor", (json_int_t)o->line.overdue_minor, "items",
        items, "credit_notes", credits, "reminders", reminders, "agency_cases", cases,
        "next_customer_id", id_or_null(o->next_id), "prev_customer_id", id_or_null(o->prev_id));
}

enum pm_err api_ledger_customer(struct api_request *r)
{
    struct app_ledger_customer *o;
    struct app_ctx ax;
    struct app_error ae;
    int32_t as_of;
    enum pm_err rc;

    rc = query_as_of(r, &as_of);
    if (rc)
        return rc;
    o = malloc(sizeof(*o));
    if (!o)
        return api_error_set(&r->err, PM_ERR_NOMEM, NULL, NULL);
    api_request_app(r, NULL, NULL, 0, &ax);
    app_error_clear(&ae);
    rc = app_ledger_customer(&ax, api_router_param(&r->match, "id"), as_of, o, &ae);
    if (rc)
        api_error_from_app(&r->err, &ae);
    else
        rc = api_request_reply(r, 200, customer_json(o, r->today));
    free(o);
    return rc;
}
