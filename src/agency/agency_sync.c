/*
 * agency_sync.c — the status sync: follows the agency's cases and payouts
 * into the product (the agency has no push).
 *
 * Every sync_interval seconds, for each company whose activation is active:
 *
 *  1. Cases changed since the company's cursor (GET /cases, _updated $gte,
 *     newest first, 100 per page; see agency_amili.c for why this order
 *     loses nothing).  The window also reaches back to the registration of
 *     any case not synced yet, so a case registered while a round was
 *     running is still seen.  Each page is applied by agency_record_cases()
 *     (state and status events, closing, agency payments; a few statements
 *     a page, not a few a case), one transaction per page.  The new cursor is the newest _updated
 * seen.
 *  2. Payouts of the company's creditor: each new one's specification lines
 *     are stored (agency_payout_lines), booked (agency_payout_book(): the
 *     payout's vouchers, with the recovery of a customer loss) and summed
 *     per invoice into one amili_payout history event — all in one
 *     transaction, once (agency_seen "payout:<id>").  A payout the books
 *     cannot take is logged, rolled back and tried again next round; the
 *     company's other payouts go on.
 *
 * Its own thread, store handle and connection; failures are logged and the
 * next round tries again.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agency/agency.h"
#include "agency/agency_amili.h"
#include "agency/agency_edge.h"
#include "agency/agency_payout.h"
#include "agency/agency_record.h"
#include "core/money.h"
#include "store/store.h"
#include "store/store_agency.h"

#define COMPANIES_PER_ROUND 64
#define SYNC_TIMEOUT_MS     15000
#define PAGES_MAX           10000
#define KNOWN_PAYOUTS_MAX   100000
/* While this many registrations wait in the outbox, the case sync yields to
 * the dispatcher (reading thousands of brand-new cases competes with
 * sending the rest), for at most SYNC_DEFER_MAX_S; nothing is lost, the
 * cursor still starts at the oldest case not yet synced. */
#define SYNC_DEFER_BACKLOG 200
#define SYNC_DEFER_MAX_S   300

struct agency_syncer {
    struct agency *a;
    struct store *st;
    struct agency_conn *conn;
    const struct clock *clock;
    struct clock wall;
    /* Payout ids already handled (agency_seen is the guarantee; this only
     * saves fetching their lines again). */
    char (*known)[STORE_AGENCY_ID_MAX];
    size_t n_known, cap_known;
    const atomic_int *stop;  /* checked between pages, so a stop is prompt */
    int64_t deferring_since; /* wall clock, 0 = not deferring */
};

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void logf_(const char *fmt, ...)
{
    va_list ap;

    flockfile(stderr);
    fputs("paminn sync: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    funlockfile(stderr);
}

struct agency_syncer *agency_syncer_new(struct agency *a, const char *db, const struct clock *clock,
                                        struct pm_error *e)
{
    struct agency_syncer *s = calloc(1, sizeof(*s));

    if (!s) {
        pm_error_set(e, PM_ERR_NOMEM, "", "out of memory");
        return NULL;
    }
    s->a = a;
    s->clock = clock;
    if (store_open(db, &s->st, e))
        goto out_free;
    s->conn = agency_conn_new(a, 1);
    if (!s->conn) {
        pm_error_set(e, PM_ERR_NOMEM, "", "cannot start the HTTP client");
        goto out_free;
    }
    return s;
out_free:
    agency_syncer_free(&s);
    return NULL;
}

void agency_syncer_free(struct agency_syncer **sp)
{
    struct agency_syncer *s;

    if (!sp || !*sp)
        return;
    s = *sp;
    if (s->conn)
        agency_ops_of(s->a)->conn_free(&s->conn);
    store_close(&s->st);
    free(s->known);
    free(s);
    *sp = NULL;
}

/* One GET with a fresh token; the answer in *ans (release it). */
static enum pm_err get(struct agency_syncer *s, struct agency_call *call,
                       struct agency_amili_answer *ans)
{
    struct pm_error e = {0};
    enum pm_err rc;

    memset(ans, 0, sizeof(*ans));
    rc = agency_token(s->a, s->st, call->api_key, &e);
    if (rc) {
        logf_("no access token: %s", e.message);
        return rc;
    }
    call->timeout_ms = SYNC_TIMEOUT_MS;
    rc = agency_call_run(s->a, s->conn, call);
    if (rc)
        return rc;
    agency_amili_answer_read(call, clock_now_s(&s->wall), ans);
    if (ans->verdict == AGENCY_AMILI_UNAUTHORIZED)
        agency_token_forget(s->a, call->api_key);
    if (ans->verdict != AGENCY_AMILI_OK) {
        logf_("%s %s: %s", call->method, call->path, ans->reason);
        agency_amili_answer_release(ans);
        return PM_ERR_IO;
    }
    return PM_OK;
}

/* Apply one page of cases in one transaction; newest _updated into *newest. */
static enum pm_err apply_page(struct agency_syncer *s, int64_t company_id, const json_t *items,
                              int64_t *newest)
{
    struct agency_amili_case_view v;
    enum pm_err rc;
    size_t i;

    rc = store_begin_for(s->st, company_id);
    if (rc)
        return rc;
    for (i = 0; i < json_array_size(items); i++)
        if (!agency_amili_case_parse(json_array_get(items, i), &v) && v.updated_s > *newest)
            *newest = v.updated_s;
    rc = agency_record_cases(s->st, s->clock, company_id, items);
    if (!rc)
        rc = store_commit(s->st);
    else
        store_rollback(s->st);
    if (rc)
        logf_("company %lld: cannot record cases: %s", (long long)company_id,
              store_error(s->st)->message);
    return rc;
}

static enum pm_err sync_cases(struct agency_syncer *s, const struct amili_activation *act)
{
    struct agency_call call;
    struct agency_amili_answer ans;
    char cursor[128], text[AGENCY_RFC1123_LEN];
    int64_t since = 0, unsynced = 0, newest = 0;
    const json_t *items;
    bool more = true;
    int page;
    enum pm_err rc;

    memset(&call, 0, sizeof(call));
    rc = store_agency_cursor_get(s->st, act->company_id, cursor, sizeof(cursor));
    if (!rc && cursor[0] && agency_date_parse(cursor, &since))
        since = 0;
    /* Without a cursor yet: from the first case's registration. */
    if (!rc)
        rc = store_agency_case_unsynced_since(s->st, act->company_id, !cursor[0], &unsynced);
    if (rc)
        return rc;
    if (unsynced > 0 && (since == 0 || unsynced < since))
        since = unsynced;
    if (since == 0 && !cursor[0] && unsynced == 0)
        return PM_OK; /* nothing handed over yet */
    for (page = 1; !rc && more && page <= PAGES_MAX && !atomic_load(s->stop); page++) {
        agency_call_reset(&call);
        rc = agency_amili_req_list_cases(&call, act->creditor_id, since, page);
        if (!rc)
            rc = get(s, &call, &ans);
        if (rc)
            break;
        items = agency_amili_items(ans.body, page, &more);
        rc = apply_page(s, act->company_id, items, &newest);
        agency_amili_answer_release(&ans);
    }
    agency_call_release(&call);
    if (!rc && newest > 0 && !atomic_load(s->stop)) {
        agency_date_rfc1123(newest, text);
        rc = store_agency_cursor_put(s->st, act->company_id, text, clock_now_s(&s->wall));
    }
    return rc;
}

/* ---- payouts ---- */

static bool known(const struct agency_syncer *s, const char *id)
{
    size_t i;

    for (i = 0; i < s->n_known; i++)
        if (!strcmp(s->known[i], id))
            return true;
    return false;
}

static void remember(struct agency_syncer *s, const char *id)
{
    void *grown;
    size_t cap;

    if (s->n_known >= KNOWN_PAYOUTS_MAX)
        return;
    if (s->n_known == s->cap_known) {
        cap = s->cap_known ? s->cap_known * 2 : 64;
        grown = realloc(s->known, cap * sizeof(*s->known));
        if (!grown)
            return;
        s->known = grown;
        s->cap_known = cap;
    }
    snprintf(s->known[s->n_known++], STORE_AGENCY_ID_MAX, "%s", id);
}

struct invoice_sum {
    int64_t invoice_id;
    int64_t capital, interest, outlay, commission, total;
};

static int32_t day_of(const char *date)
{
    int64_t t = 0;

    if (!date || agency_date_parse(date, &t))
        return 0;
    return (int32_t)(t / 86400);
}

/* Line i of a payout specification as kept, matched to its invoice. */
static void parse_line(struct agency_syncer *s, int64_t company_id, const char *payout_id,
                       const json_t *line, size_t i, struct agency_payout_line *l)
{
    const char *num = json_string_value(json_object_get(line, "invoice_number"));
    const char *cat = json_string_value(json_object_get(line, "finance_category"));
    const char *art = json_string_value(json_object_get(line, "article"));
    char *end = NULL;
    int64_t number;

    memset(l, 0, sizeof(*l));
    l->company_id = company_id;
    snprintf(l->payout_id, sizeof(l->payout_id), "%s", payout_id);
    l->line_no = (int)i + 1;
    snprintf(l->invoice_number, sizeof(l->invoice_number), "%s", num ? num : "");
    snprintf(l->finance_category, sizeof(l->finance_category), "%s", cat ? cat : "");
    snprintf(l->article, sizeof(l->article), "%s", art ? art : "");
    (void)agency_money_parse(json_object_get(line, "amount"), &l->amount_minor);
    (void)agency_money_parse(json_object_get(line, "vat_amount"), &l->vat_minor);
    (void)agency_money_parse(json_object_get(line, "total_amount"), &l->total_minor);
    l->booking_date = day_of(json_string_value(json_object_get(line, "booking_date")));
    l->payout_date = day_of(json_string_value(json_object_get(line, "payout_date")));
    number = num ? strtoll(num, &end, 10) : 0;
    if (num && end && !*end && number > 0 &&
        store_agency_invoice_by_number(s->st, company_id, number, &l->invoice_id))
        l->invoice_id = 0;
}

/* Add line l to its invoice's sums (sums[0..*n) grows). */
static void add_to_sums(const struct agency_payout_line *l, struct invoice_sum *sums, size_t *n)
{
    size_t k;

    for (k = 0; k < *n && sums[k].invoice_id != l->invoice_id; k++)
        ;
    if (k == *n)
        sums[(*n)++].invoice_id = l->invoice_id;
    if (!strcmp(l->finance_category, "capital"))
        sums[k].capital += l->amount_minor;
    else if (!strcmp(l->finance_category, "interest"))
        sums[k].interest += l->amount_minor;
    else if (!strcmp(l->finance_category, "creditor_commission"))
        sums[k].commission += l->total_minor;
    else
        sums[k].outlay += l->amount_minor;
    sums[k].total += l->total_minor;
}

/* One amili_payout event per invoice, and the payout on its case. */
static enum pm_err record_events(struct agency_syncer *s, int64_t company_id, const char *payout_id,
                                 const char *paid_out, const struct invoice_sum *sums,
                                 size_t n_sums)
{
    char message[STORE_TEXT_MAX], a[MONEY_FORMAT_MAX], b[MONEY_FORMAT_MAX];
    struct agency_case c;
    enum pm_err rc = PM_OK;
    size_t k;

    for (k = 0; !rc && k < n_sums; k++) {
        money_format(sums[k].total, a, sizeof(a));
        money_format(sums[k].capital, b, sizeof(b));
        snprintf(message, sizeof(message),
                 "Utbetalning från Visma Amili: %s för fakturan (varav kapital %s)", a, b);
        rc = agency_record_event(
            s->st, company_id, sums[k].invoice_id, clock_now_us(s->clock), "amili_payout", message,
            json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I}", "payout_id", payout_id, "payout_date",
                      paid_out, "capital_minor", (json_int_t)sums[k].capital, "interest_minor",
                      (json_int_t)sums[k].interest, "outlay_minor", (json_int_t)sums[k].outlay,
                      "commission_minor", (json_int_t)sums[k].commission, "total_minor",
                      (json_int_t)sums[k].total));
        if (!rc && !store_agency_case_get(s->st, company_id, sums[k].invoice_id, &c)) {
            c.payout_minor += sums[k].total;
            rc = store_agency_case_update(s->st, &c, NULL);
        }
    }
    return rc;
}

/* The vouchers' date: the payout's date, else today (business clock). */
static int32_t payout_day(const struct agency_syncer *s, const struct agency_payout_line *ls,
                          size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (ls[i].payout_date > 0)
            return ls[i].payout_date;
    return (int32_t)(clock_now_s(s->clock) / 86400);
}

/* Store the lines of one payout, book its vouchers and add one event per
 * invoice, once (the seen key; the caller's transaction holds it all). */
static enum pm_err record_payout(struct agency_syncer *s, int64_t company_id, const char *payout_id,
                                 const json_t *lines)
{
    size_t n = json_array_size(lines), n_sums = 0, booked = 0, i;
    struct invoice_sum *sums = calloc(n + 1, sizeof(*sums));
    struct agency_payout_line *ls = calloc(n + 1, sizeof(*ls));
    struct pm_error e = {0};
    const char *paid_out = "", *date;
    bool inserted = false;
    char key[128];
    enum pm_err rc = PM_OK;

    if (!sums || !ls) {
        rc = PM_ERR_NOMEM;
        goto out_free;
    }
    snprintf(key, sizeof(key), "payout:%s", payout_id);
    rc = store_agency_seen(s->st, company_id, key, &inserted);
    if (rc || !inserted)
        goto out_free;
    for (i = 0; !rc && i < n; i++) {
        parse_line(s, company_id, payout_id, json_array_get(lines, i), i, &ls[i]);
        date = json_string_value(json_object_get(json_array_get(lines, i), "payout_date"));
        if (date)
            paid_out = date;
        rc = store_agency_payout_line_insert(s->st, &ls[i]);
        if (!rc && ls[i].invoice_id)
            add_to_sums(&ls[i], sums, &n_sums);
    }
    if (!rc) {
        rc = agency_payout_book(s->st, company_id, payout_id, ls, n, payout_day(s, ls, n),
                                clock_now_s(s->clock), &booked, &e);
        if (rc)
            logf_("company %lld: payout %s not booked: %s", (long long)company_id, payout_id,
                  e.message);
    }
    if (!rc)
        rc = record_events(s, company_id, payout_id, paid_out, sums, n_sums);
out_free:
    free(ls);
    free(sums);
    return rc;
}

static enum pm_err sync_payout(struct agency_syncer *s, int64_t company_id, const char *payout_id)
{
    struct agency_call call;
    struct agency_amili_answer ans;
    json_t *all = json_array();
    const json_t *items;
    bool more = true;
    int page;
    enum pm_err rc = all ? PM_OK : PM_ERR_NOMEM;

    memset(&call, 0, sizeof(call));
    for (page = 1; !rc && more && page <= PAGES_MAX && !atomic_load(s->stop); page++) {
        agency_call_reset(&call);
        rc = agency_amili_req_payout_lines(&call, payout_id, page);
        if (!rc)
            rc = get(s, &call, &ans);
        if (rc)
            break;
        items = agency_amili_items(ans.body, page, &more);
        json_array_extend(all, (json_t *)items);
        agency_amili_answer_release(&ans);
    }
    agency_call_release(&call);
    if (!rc && atomic_load(s->stop))
        rc = PM_ERR_BUSY; /* stopping: the payout is taken next run */
    if (!rc) {
        rc = store_begin_for(s->st, company_id);
        if (!rc) {
            rc = record_payout(s, company_id, payout_id, all);
            if (!rc)
                rc = store_commit(s->st);
            else
                store_rollback(s->st);
        }
    }
    json_decref(all);
    return rc;
}

static enum pm_err sync_payouts(struct agency_syncer *s, const struct amili_activation *act)
{
    struct agency_call call;
    struct agency_amili_answer ans;
    const json_t *items;
    bool more = true;
    int page;
    size_t i;
    enum pm_err rc = PM_OK;

    memset(&call, 0, sizeof(call));
    for (page = 1; !rc && more && page <= PAGES_MAX && !atomic_load(s->stop); page++) {
        agency_call_reset(&call);
        rc = agency_amili_req_list_payouts(&call, act->creditor_id, page);
        if (!rc)
            rc = get(s, &call, &ans);
        if (rc)
            break;
        items = agency_amili_items(ans.body, page, &more);
        for (i = 0; !rc && i < json_array_size(items); i++) {
            const char *id = json_string_value(json_object_get(json_array_get(items, i), "_id"));

            if (!id || strlen(id) >= STORE_AGENCY_ID_MAX || known(s, id))
                continue;
            rc = sync_payout(s, act->company_id, id);
            if (!rc)
                remember(s, id);
            else if (rc == PM_ERR_INVALID || rc == PM_ERR_RANGE)
                rc = PM_OK; /* logged; tried again next round, the others go on */
        }
        agency_amili_answer_release(&ans);
    }
    agency_call_release(&call);
    return rc;
}

/* Whether this round's case sync yields to a registration backlog. */
static bool defer_cases(struct agency_syncer *s)
{
    static const enum amili_job registration = AMILI_JOB_REGISTER;
    int64_t backlog = 0, now = clock_now_s(&s->wall);

    if (store_agency_outbox_pending(s->st, &registration, &backlog) ||
        backlog <= SYNC_DEFER_BACKLOG) {
        s->deferring_since = 0;
        return false;
    }
    if (!s->deferring_since) {
        s->deferring_since = now;
        logf_("%lld registrations waiting: the case sync waits for them (at most %d s)",
              (long long)backlog, SYNC_DEFER_MAX_S);
    }
    return now - s->deferring_since < SYNC_DEFER_MAX_S;
}

/* One round over every active company. */
static void round_all(struct agency_syncer *s, const atomic_int *stop)
{
    struct amili_activation acts[COMPANIES_PER_ROUND];
    int64_t after = 0;
    size_t n = 0, i;
    bool defer = defer_cases(s);

    do {
        if (store_agency_activation_list_active(s->st, after, acts, COMPANIES_PER_ROUND, &n)) {
            logf_("cannot list activations: %s", store_error(s->st)->message);
            return;
        }
        for (i = 0; i < n && !atomic_load(stop); i++) {
            after = acts[i].company_id;
            if (defer || sync_cases(s, &acts[i]) == PM_OK)
                (void)sync_payouts(s, &acts[i]);
        }
    } while (n == COMPANIES_PER_ROUND && !atomic_load(stop));
}

void agency_syncer_run(struct agency_syncer *s, const atomic_int *stop)
{
    int64_t interval_ms = (int64_t)agency_config_of(s->a)->sync_interval_s * 1000, waited;

    s->stop = stop;
    while (!atomic_load(stop)) {
        round_all(s, stop);
        agency_round_done(s->a, AGENCY_LOOP_SYNC);
        for (waited = 0; waited < interval_ms && !atomic_load(stop); waited += 100)
            usleep(100000);
    }
}
