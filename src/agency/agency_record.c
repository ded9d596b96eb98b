/*
 * agency_record.c — what the agency says, recorded once (agency_record.h).
 *
 * A case's state_history and status_history only grow; the case row counts
 * how many entries of each are already history events, so applying the
 * same case twice (a re-sync, the sync and a live look-up racing) adds
 * nothing.  A JSON with shorter histories than the counts is an older
 * reading and is ignored.
 *
 * Agency payments.  The capital the agency collected from the debtor is the
 * capital handed over minus the capital still owed, minus what the company
 * reported itself (direct payments and credit notes, by their outbox
 * messages).  Its growth becomes one PAYMENT_AGENCY payment and one
 * amili_payment event.  A closed case owes nothing, so for it only "paid"
 * counts the whole capital as collected; a cancelled or credited case
 * keeps what was collected before.  Undercounting for a moment (a report
 * not yet delivered) is safe — it is made up later; overcounting never
 * happens because reports are subtracted as soon as they are queued.
 *
 * Pages.  The status sync applies a page of GET /cases at a time
 * (agency_record_cases): the rules run per case in memory, and what they
 * write is kept and written per page — the cases read in one statement,
 * the events in one batch, the case rows and the invoices' statuses in one
 * statement each — so the statements (round trips on PostgreSQL) grow with
 * the pages, not the cases.  Agency payments, rare, are written where they
 * happen.  A single case (agency_record_case) is a page of one.
 */
#include "agency/agency_record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agency/agency_amili.h"
#include "agency/agency_edge.h"
#include "core/money.h"
#include "store/store.h"
#include "store/store_agency.h"
#include "util/buf.h"
#include "util/jsonw.h"

#define ACTOR "amili"

/* ev as an event by the agency with data, a JSON object's text ("" = {}). */
static void event_fill_text(struct history_event *ev, int64_t company_id, int64_t invoice_id,
                            int64_t at_us, const char *kind, const char *message, const char *data)
{
    ev->company_id = company_id;
    ev->id = 0;
    ev->invoice_id = invoice_id;
    ev->at_us = at_us;
    snprintf(ev->kind, sizeof(ev->kind), "%s", kind);
    snprintf(ev->actor, sizeof(ev->actor), "%s", ACTOR);
    snprintf(ev->message, sizeof(ev->message), "%s", message);
    snprintf(ev->data, sizeof(ev->data), "%s",
             data[0] && strlen(data) < sizeof(ev->data) ? data : "{}");
}

/* The same with data as a jansson object, stolen (NULL = {}). */
static enum pm_err event_fill(struct history_event *ev, int64_t company_id, int64_t invoice_id,
                              int64_t at_us, const char *kind, const char *message, json_t *data)
{
    char *text = NULL;

    if (data) {
        text = json_dumps(data, JSON_COMPACT);
        json_decref(data);
        if (!text)
            return PM_ERR_NOMEM;
    }
    event_fill_text(ev, company_id, invoice_id, at_us, kind, message, text ? text : "");
    free(text);
    return PM_OK;
}

enum pm_err agency_record_event(struct store *st, int64_t company_id, int64_t invoice_id,
                                int64_t at_us, const char *kind, const char *message, json_t *data)
{
    struct history_event ev;
    enum pm_err rc = event_fill(&ev, company_id, invoice_id, at_us, kind, message, data);

    if (!rc)
        rc = store_history_insert(st, &ev);
    return rc;
}

/* ---- a page of cases ---- */

/* What applying a page writes, kept until flushed: the history events in
 * order, then per case its row and its invoice's agency status.  Written
 * in one statement each (the events in one batch); a page's cases are of
 * distinct invoices. */
struct page {
    struct history_event *evs;
    size_t n_evs, cap_evs;
    struct agency_case *cases; /* [cap] */
    struct buf raw;            /* the agency's JSON of each case, each ended by a NUL */
    size_t *raw_at;            /* [cap], where each case's JSON starts in raw */
    const char **raws;         /* [cap], into raw while flushing */
    int64_t *status_ids;       /* [cap] */
    const char **statuses;     /* [cap], into cases[] */
    size_t n_cases, cap;
    struct buf data; /* an event's data while it is made */
};

static enum pm_err page_init(struct page *pg, size_t cap)
{
    memset(pg, 0, sizeof(*pg));
    pg->cap = cap ? cap : 1;
    buf_init(&pg->raw);
    buf_init(&pg->data);
    pg->cases = calloc(pg->cap, sizeof(*pg->cases));
    pg->raw_at = calloc(pg->cap, sizeof(*pg->raw_at));
    pg->raws = calloc(pg->cap, sizeof(*pg->raws));
    pg->status_ids = calloc(pg->cap, sizeof(*pg->status_ids));
    pg->statuses = calloc(pg->cap, sizeof(*pg->statuses));
    if (!pg->cases || !pg->raw_at || !pg->raws || !pg->status_ids || !pg->statuses)
        return PM_ERR_NOMEM;
    return PM_OK;
}

static void page_forget_cases(struct page *pg)
{
    buf_reset(&pg->raw);
    pg->n_cases = 0;
}

static void page_release(struct page *pg)
{
    page_forget_cases(pg);
    free(pg->evs);
    free(pg->cases);
    buf_release(&pg->raw);
    buf_release(&pg->data);
    free(pg->raw_at);
    free(pg->raws);
    free(pg->status_ids);
    free(pg->statuses);
    memset(pg, 0, sizeof(*pg));
}

/* Room for one more event: its place, or NULL when out of memory. */
static struct history_event *page_event(struct page *pg)
{
    void *grown;
    size_t cap;

    if (pg->n_evs == pg->cap_evs) {
        cap = pg->cap_evs ? pg->cap_evs * 2 : 16;
        grown = realloc(pg->evs, cap * sizeof(*pg->evs));
        if (!grown)
            return NULL;
        pg->evs = grown;
        pg->cap_evs = cap;
    }
    return &pg->evs[pg->n_evs++];
}

/* Begin the next event's data: an object written by w into pg->data. */
static void page_event_data(struct page *pg, struct jsonw *w)
{
    buf_reset(&pg->data);
    jsonw_init(w, &pg->data);
    jsonw_object_begin(w);
}

/* The next event, with the data begun by page_event_data (a failure in
 * writing it returned). */
static enum pm_err page_add_event(struct page *pg, struct jsonw *w, int64_t company_id,
                                  int64_t invoice_id, int64_t at_us, const char *kind,
                                  const char *message)
{
    struct history_event *ev;
    enum pm_err rc;

    jsonw_object_end(w);
    rc = jsonw_error(w);

    if (rc)
        return rc;
    ev = page_event(pg);
    if (!ev)
        return PM_ERR_NOMEM;
    event_fill_text(ev, company_id, invoice_id, at_us, kind, message, pg->data.data);
    return PM_OK;
}

/* A jansson value as JSON text, as json_dumps() would write it but
 * without what a general dump costs and a parsed answer does not need: a
 * loop check with a formatted hash key per object and array. */
static void json_tree(struct jsonw *w, const json_t *v)
{
    const char *key;
    json_t *x;
    size_t i;
    char real[40], *comma;
    int n;

    switch (json_typeof(v)) {
    case JSON_OBJECT:
        jsonw_object_begin(w);
        json_object_foreach((json_t *)v, key, x)
        {
            jsonw_key(w, key);
            json_tree(w, x);
        }
        jsonw_object_end(w);
        break;
    case JSON_ARRAY:
        jsonw_array_begin(w);
        json_array_foreach(v, i, x)
        {
            json_tree(w, x);
        }
        jsonw_array_end(w);
        break;
    case JSON_STRING:
        jsonw_string(w, json_string_value(v));
        break;
    case JSON_INTEGER:
        jsonw_int(w, (int64_t)json_integer_value(v));
        break;
    case JSON_REAL:
        /* As jansson writes a real: 17 digits, a point whatever the
         * locale, and a point or an exponent so that it reads back as a
         * real. */
        n = snprintf(real, sizeof(real), "%.17g", json_real_value(v));
        comma = strchr(real, ',');
        if (comma)
            *comma = '.';
        if (n > 0 && (size_t)n < sizeof(real) - 2 && !strpbrk(real, ".e"))
            snprintf(real + n, sizeof(real) - (size_t)n, ".0");
        jsonw_raw(w, real, strlen(real));
        break;
    case JSON_TRUE:
    case JSON_FALSE:
        jsonw_bool(w, json_is_true(v));
        break;
    default:
        jsonw_null(w);
        break;
    }
}

/* Keep item's JSON text as the next case's raw. */
static enum pm_err page_keep_raw(struct page *pg, const json_t *item)
{
    struct jsonw w;
    enum pm_err rc;
    char *text;

    pg->raw_at[pg->n_cases] = pg->raw.len;
    jsonw_init(&w, &pg->raw);
    json_tree(&w, item);
    rc = jsonw_error(&w);
    if (rc == PM_ERR_RANGE) { /* nested deeper than the writer goes */
        pg->raw.len = pg->raw_at[pg->n_cases];
        text = json_dumps(item, JSON_COMPACT);
        rc = text ? buf_adds(&pg->raw, text) : PM_ERR_NOMEM;
        free(text);
    }
    return rc ? rc : buf_addch(&pg->raw, '\0');
}

/* Write what is kept: the events, the case rows, the invoices' agency
 * statuses; then the page is empty. */
static enum pm_err page_flush(struct store *st, struct page *pg, int64_t company_id)
{
    size_t i, n_status = 0;
    enum pm_err rc = store_history_insert_batch(st, pg->evs, pg->n_evs);

    for (i = 0; i < pg->n_cases; i++)
        pg->raws[i] = pg->raw.data + pg->raw_at[i];
    if (!rc)
        rc = store_agency_case_update_many(st, company_id, pg->cases, (const char *const *)pg->raws,
                                           pg->n_cases);
    for (i = 0; !rc && i < pg->n_cases; i++) {
        if (!pg->cases[i].status[0])
            continue;
        pg->status_ids[n_status] = pg->cases[i].invoice_id;
        pg->statuses[n_status++] = pg->cases[i].status;
    }
    if (!rc)
        rc = store_agency_invoice_status_many(st, company_id, pg->status_ids, pg->statuses,
                                              n_status);
    pg->n_evs = 0;
    page_forget_cases(pg);
    return rc;
}

/* Swedish words for the agency's states and statuses; unknown ones are
 * shown as they come. */
static const char *label(const char *name)
{
    static const struct {
        const char *name, *sv;
    } words[] = {
        {"initializing", "registrerat"},
        {"initialized", "registrerat"},
        {"invoice", "faktura"},
        {"reminder", "påminnelse"},
        {"reminder_sent", "påminnelse skickad"},
        {"debt_collection", "inkasso"},
        {"debt_collection_active", "inkassokrav skickat"},
        {"surveillance", "långtidsbevakning"},
        {"surveillance_active", "långtidsbevakning"},
        {"enforcement", "Kronofogden"},
        {"enforcement_applied", "ansökan hos Kronofogden"},
        {"closed", "avslutat"},
        {"disputed", "bestridd av kunden"},
        {"instalment_plan", "avbetalningsplan"},
        {"paid", "betald"},
        {"cancelled", "återkallad"},
        {"credited", "krediterad"},
        {"written_off", "avskriven"},
    };
    size_t i;

    for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (!strcmp(words[i].name, name))
            return words[i].sv;
    return name;
}

static bool history_has(const json_t *hist, const char *key, const char *value)
{
    size_t i;

    for (i = 0; i < json_array_size(hist); i++) {
        const char *s = json_string_value(json_object_get(json_array_get(hist, i), key));

        if (s && !strcmp(s, value))
            return true;
    }
    return false;
}

/* Events of `kind` for entries [from, n) of a history array; each message
 * is lead, the entry's label and its name. */
static enum pm_err history_events(struct page *pg, const struct agency_case *c, const json_t *hist,
                                  size_t from, const char *key, const char *date_key,
                                  const char *kind, const char *lead, int64_t at_us)
{
    char message[STORE_TEXT_MAX];
    enum pm_err rc = PM_OK;
    struct jsonw w;
    size_t i;

    for (i = from; !rc && i < json_array_size(hist); i++) {
        const json_t *e = json_array_get(hist, i);
        const char *name = json_string_value(json_object_get(e, key));
        const char *date = json_string_value(json_object_get(e, date_key));

        if (!name)
            name = "";
        snprintf(message, sizeof(message), "%s %s (%s)", lead, label(name), name);
        page_event_data(pg, &w);
        jsonw_key(&w, key);
        jsonw_string(&w, name);
        JSONW_KEY(&w, "date");
        jsonw_string(&w, date ? date : "");
        JSONW_KEY(&w, "case_id");
        jsonw_string(&w, c->case_id);
        JSONW_KEY(&w, "index");
        jsonw_int(&w, (int64_t)i);
        rc = page_add_event(pg, &w, c->company_id, c->invoice_id, at_us, kind, message);
    }
    return rc;
}

/* The capital the agency collected, reported: what the company reported
 * itself. */
static int64_t collected_of(const struct agency_case *c, const struct agency_amili_case_view *v,
                            int64_t reported)
{
    if (!v->closed)
        return v->capital_minor - v->remaining_capital_minor - reported;
    if (!strcmp(v->status, "paid"))
        return v->capital_minor - reported;
    return c->agency_paid_minor;
}

/* Record the growth of the capital the agency collected (its event kept
 * in pg).  The company's reports only lower it (their amounts are
 * positive), so without growth before them they are not read. */
static enum pm_err record_payment(struct store *st, struct page *pg, struct agency_case *c,
                                  const struct agency_amili_case_view *v, int64_t at_us)
{
    struct invoice inv;
    struct payment p;
    char amount_text[MONEY_FORMAT_MAX], message[STORE_TEXT_MAX];
    int64_t reported = 0, collected, delta, amount;
    struct jsonw w;
    enum pm_err rc;

    if (collected_of(c, v, 0) <= c->agency_paid_minor)
        return PM_OK;
    rc = store_agency_outbox_reported(st, c->company_id, c->invoice_id, &reported);
    if (rc)
        return rc;
    collected = collected_of(c, v, reported);
    delta = collected - c->agency_paid_minor;
    if (delta <= 0)
        return PM_OK;
    rc = store_invoice_get(st, c->company_id, c->invoice_id, &inv);
    if (rc)
        return rc;
    amount = delta < inv.remaining_minor ? delta : inv.remaining_minor;
    if (amount > 0) {
        memset(&p, 0, sizeof(p));
        p.company_id = c->company_id;
        p.invoice_id = c->invoice_id;
        p.date = (int32_t)(v->updated_s / 86400);
        p.amount_minor = amount;
        p.source = PAYMENT_AGENCY;
        snprintf(p.reference, sizeof(p.reference), "Visma Amili %s", c->case_id);
        rc = store_payment_insert(st, &p);
        if (rc)
            return rc;
    }
    money_format(delta, amount_text, sizeof(amount_text));
    snprintf(message, sizeof(message), "Betalning via Visma Amili: %s (kapital)", amount_text);
    page_event_data(pg, &w);
    JSONW_KEY(&w, "amount_minor");
    jsonw_int(&w, delta);
    JSONW_KEY(&w, "recorded_minor");
    jsonw_int(&w, amount);
    JSONW_KEY(&w, "case_id");
    jsonw_string(&w, c->case_id);
    rc = page_add_event(pg, &w, c->company_id, c->invoice_id, at_us, "amili_payment", message);
    if (!rc)
        c->agency_paid_minor = collected;
    return rc;
}

/* Apply item (parsed as v) to its stored case c: its events and its row
 * are kept in pg, payments written.  *changed as agency_record_case's. */
static enum pm_err apply(struct store *st, struct page *pg, const struct clock *clock,
                         const json_t *item, const struct agency_amili_case_view *v,
                         struct agency_case *c, bool force, bool *changed)
{
    struct clock wall = {0};
    size_t n_state, n_status;
    int64_t at_us = clock_now_us(clock);
    char message[STORE_TEXT_MAX];
    struct jsonw w;
    enum pm_err rc;
    bool fresh;

    *changed = false;
    n_state = json_array_size(v->state_history);
    n_status = json_array_size(v->status_history);
    if (n_state < (size_t)c->state_events || n_status < (size_t)c->status_events)
        return PM_OK; /* an older reading */
    fresh = strcmp(v->etag, c->etag) != 0 || !c->synced_at;
    if (!fresh && !force)
        return PM_OK;
    if (fresh) {
        rc = history_events(pg, c, v->state_history, (size_t)c->state_events, "state", "state_date",
                            "amili_state", "Visma Amili: ärendet är nu i läget", at_us);
        if (!rc)
            rc = history_events(pg, c, v->status_history, (size_t)c->status_events, "status",
                                "status_date", "amili_status", "Visma Amili: status", at_us);
        if (!rc && v->closed && !c->closed) {
            snprintf(message, sizeof(message), "Ärendet är avslutat hos Visma Amili (%s)",
                     label(v->status));
            page_event_data(pg, &w);
            JSONW_KEY(&w, "status");
            jsonw_string(&w, v->status);
            JSONW_KEY(&w, "case_id");
            jsonw_string(&w, c->case_id);
            rc = page_add_event(pg, &w, c->company_id, c->invoice_id, at_us, "amili_closed",
                                message);
        }
        if (!rc)
            rc = record_payment(st, pg, c, v, at_us);
        if (rc)
            return rc;
    }
    if (v->ocr[0])
        snprintf(c->ocr, sizeof(c->ocr), "%s", v->ocr);
    snprintf(c->state, sizeof(c->state), "%s", v->state);
    snprintf(c->status, sizeof(c->status), "%s", v->status);
    snprintf(c->etag, sizeof(c->etag), "%s", v->etag);
    if (v->original_invoice_url[0])
        snprintf(c->original_invoice_url, sizeof(c->original_invoice_url), "%s",
                 v->original_invoice_url);
    c->closed = v->closed;
    c->capital_minor = v->capital_minor;
    c->fees_minor = v->costs_minor;
    c->interest_minor = v->interest_minor;
    c->paid_minor = v->received_minor;
    c->remaining_minor = v->remaining_minor;
    c->disputed = history_has(v->status_history, "status", "disputed");
    c->instalment_plan = history_has(v->status_history, "status", "instalment_plan");
    c->state_events = (int)n_state;
    c->status_events = (int)n_status;
    c->synced_at = clock_now_s(&wall);
    rc = page_keep_raw(pg, item);
    if (rc)
        return rc;
    pg->cases[pg->n_cases++] = *c;
    *changed = fresh;
    return PM_OK;
}

enum pm_err agency_record_case(struct store *st, const struct clock *clock, int64_t company_id,
                               const json_t *item, bool force, bool *changed)
{
    struct agency_amili_case_view v;
    struct agency_case c;
    struct page pg;
    bool fresh = false;
    enum pm_err rc;

    if (changed)
        *changed = false;
    rc = agency_amili_case_parse(item, &v);
    if (rc)
        return rc;
    rc = store_agency_case_find(st, company_id, v.case_id, &c);
    if (rc)
        return rc;
    rc = page_init(&pg, 1);
    if (!rc)
        rc = apply(st, &pg, clock, item, &v, &c, force, &fresh);
    if (!rc)
        rc = page_flush(st, &pg, company_id);
    page_release(&pg);
    if (!rc && changed)
        *changed = fresh;
    return rc;
}

/* Whether ids[i] is named before i. */
static bool named_before(const char *const *ids, size_t i)
{
    size_t j;

    for (j = 0; j < i; j++)
        if (!strcmp(ids[j], ids[i]))
            return true;
    return false;
}

enum pm_err agency_record_cases(struct store *st, const struct clock *clock, int64_t company_id,
                                const json_t *items)
{
    size_t n = json_array_size(items), i;
    struct agency_amili_case_view *views = calloc(n ? n : 1, sizeof(*views));
    struct agency_case *cases = calloc(n ? n : 1, sizeof(*cases));
    const char **ids = calloc(n ? n : 1, sizeof(*ids));
    bool *found = calloc(n ? n : 1, sizeof(*found)), fresh;
    struct page pg;
    enum pm_err rc = page_init(&pg, n);

    if (!rc && (!views || !cases || !ids || !found))
        rc = PM_ERR_NOMEM;
    for (i = 0; !rc && i < n; i++)
        ids[i] =
            agency_amili_case_parse(json_array_get(items, i), &views[i]) ? "" : views[i].case_id;
    if (!rc)
        rc = store_agency_case_find_many(st, company_id, ids, n, cases, found);
    for (i = 0; !rc && i < n; i++) {
        if (!ids[i][0] || !found[i])
            continue; /* not one of ours (yet) */
        /* The same case again in the page: as the items before left it. */
        if (named_before(ids, i)) {
            rc = page_flush(st, &pg, company_id);
            if (!rc)
                rc = store_agency_case_find(st, company_id, ids[i], &cases[i]);
        }
        if (!rc)
            rc = apply(st, &pg, clock, json_array_get(items, i), &views[i], &cases[i], false,
                       &fresh);
    }
    if (!rc)
        rc = page_flush(st, &pg, company_id);
    page_release(&pg);
    free(views);
    free(cases);
    free(ids);
    free(found);
    return rc;
}

enum pm_err agency_record_live(struct agency *a, struct store *st, const struct clock *clock,
                               int64_t company_id, int64_t invoice_id, long timeout_ms)
{
    struct agency_case c;
    struct agency_call call;
    struct agency_conn *conn = NULL;
    struct agency_amili_answer ans = {0};
    struct pm_error e = {0};
    struct clock wall = {0};
    enum pm_err rc;

    memset(&call, 0, sizeof(call));
    rc = store_agency_case_get(st, company_id, invoice_id, &c);
    if (rc)
        return rc;
    rc = agency_token(a, st, call.api_key, &e);
    if (rc)
        return rc;
    conn = agency_conn_new(a, 1);
    if (!conn)
        return PM_ERR_NOMEM;
    agency_amili_req_get_case(&call, c.case_id);
    call.timeout_ms = timeout_ms;
    rc = agency_call_run(a, conn, &call);
    if (rc)
        goto out_free;
    agency_amili_answer_read(&call, clock_now_s(&wall), &ans);
    if (ans.verdict == AGENCY_AMILI_UNAUTHORIZED)
        agency_token_forget(a, call.api_key);
    if (ans.verdict != AGENCY_AMILI_OK) {
        rc = PM_ERR_IO;
        goto out_free;
    }
    rc = store_begin_for(st, company_id);
    if (rc)
        goto out_free;
    rc = agency_record_case(st, clock, company_id, ans.body, true, NULL);
    if (!rc)
        rc = store_commit(st);
    else
        store_rollback(st);
out_free:
    agency_amili_answer_release(&ans);
    agency_call_release(&call);
    agency_ops_of(a)->conn_free(&conn);
    return rc;
}
