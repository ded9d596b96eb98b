/*
 * api_books.c — the books in the API: payments with their vouchers, the
 * voucher of a new invoice, vouchers list, SIE export, BgMax import and
 * receivables aging.
 *
 * Part of src/api.  The accounting rules live in core/voucher.c, the file
 * formats in core/bgmax.c and core/sie.c, the storage in
 * store/store_books.h; this file puts them together for one event, inside
 * the request's transaction (or the command line's), so that a payment,
 * its vouchers, its history event and its report to the agency are written
 * together or not at all.
 */
#include "api/api_books.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_amili.h" /* the report of a direct payment to the agency */
#include "api/api_handlers.h"
#include "api/api_render.h"
#include "api/api_request.h"
#include "core/aging.h"
#include "core/bgmax.h"
#include "core/date.h"
#include "core/idnum.h"
#include "core/money.h"
#include "core/sie.h"
#include "core/voucher.h"
#include "store/store_books.h"
#include "util/clock.h"

#define VOUCHER_PAGE      200
#define ACCOUNTS_MAX      512
#define VOUCHERS_LIST_MAX 1000

/* ---- small services ---- */

static enum pm_err nomem(struct api_error *e)
{
    return api_error_set(e, PM_ERR_NOMEM, "internal_error", NULL);
}

static enum pm_err store_failed(const struct api_books_ctx *bx, enum pm_err rc, struct api_error *e)
{
    const struct pm_error *se = store_error(bx->store);

    api_error_set(e, rc, NULL, NULL);
    api_error_detail(e, "store: %s (%s)", se->message, se->field);
    return rc;
}

enum pm_err api_books_history(const struct api_books_ctx *bx, int64_t invoice_id, const char *kind,
                              const char *message, json_t *data, struct api_error *e)
{
    struct history_event ev;
    char *text = data ? json_dumps(data, JSON_COMPACT) : NULL;
    enum pm_err rc = PM_OK;

    json_decref(data);
    memset(&ev, 0, sizeof(ev));
    if (!text || strlen(text) >= sizeof(ev.data)) {
        rc = nomem(e);
        goto out_free;
    }
    ev.company_id = bx->company->id;
    ev.invoice_id = invoice_id;
    ev.at_us = clock_now_us(bx->clock);
    snprintf(ev.kind, sizeof(ev.kind), "%s", kind);
    snprintf(ev.actor, sizeof(ev.actor), "%s", bx->actor ? bx->actor : "system");
    snprintf(ev.message, sizeof(ev.message), "%s", message);
    snprintf(ev.data, sizeof(ev.data), "%s", text);
    rc = store_history_insert(bx->store, &ev);
    if (rc)
        store_failed(bx, rc, e);
out_free:
    free(text);
    return rc;
}

/* Number and store a voucher of the company. */
static enum pm_err book(const struct api_books_ctx *bx, struct voucher *v, int64_t invoice_id,
                        struct api_error *e)
{
    enum pm_err rc;

    v->company_id = bx->company->id;
    v->invoice_id = invoice_id;
    v->created_at = clock_now_s(bx->clock);
    rc = store_books_voucher_insert(bx->store, v);
    if (rc)
        return store_failed(bx, rc, e);
    return PM_OK;
}

/* The facts of an invoice its vouchers need; with_rates computes the
 * totals per VAT rate from the lines and the customer's market. */
static enum pm_err invoice_facts(const struct api_books_ctx *bx, const struct invoice *inv,
                                 bool with_rates, struct voucher_invoice *out, struct api_error *e)
{
    struct invoice_line_row *rows = NULL;
    struct invoice_line *lines = NULL;
    struct customer cu;
    struct pm_error pe = {0};
    size_t n = 0, i;
    enum pm_err rc = PM_OK;

    memset(out, 0, sizeof(*out));
    out->number = inv->number;
    out->customer_name = inv->customer_name;
    out->totals.net_minor = inv->net_minor;
    out->totals.vat_minor = inv->vat_minor;
    out->totals.total_minor = inv->total_minor;
    out->totals.tax_reduction_minor = inv->tax_reduction_minor;
    out->totals.customer_part_minor = inv->customer_part_minor;
    if (!with_rates)
        return PM_OK;
    rows = calloc(STORE_LINES_MAX, sizeof(*rows));
    lines = calloc(STORE_LINES_MAX, sizeof(*lines));
    if (!rows || !lines) {
        rc = nomem(e);
        goto out_free;
    }
    rc = store_invoice_lines(bx->store, inv->company_id, inv->id, rows, STORE_LINES_MAX, &n);
    if (!rc)
        rc = store_customer_get(bx->store, inv->company_id, inv->customer_id, &cu);
    if (rc) {
        store_failed(bx, rc, e);
        goto out_free;
    }
    for (i = 0; i < n; i++)
        lines[i] = rows[i].line;
    rc = invoice_compute(inv->kind, inv->invoice_date, lines, n, &out->totals, &pe);
    if (rc) {
        api_error_set(e, PM_ERR_INTERNAL, "internal_error", NULL);
        api_error_detail(e, "invoice %lld: %s", (long long)inv->id, pe.message);
        goto out_free;
    }
    out->market = voucher_market_of(cu.country);
out_free:
    free(lines);
    free(rows);
    return rc;
}

/* {"year": y, "number": n} of a voucher. */
static json_t *voucher_ref(int year, int64_t number)
{
    return json_pack("{s:i, s:I}", "year", year, "number", (json_int_t)number);
}

static enum pm_err voucher_built(enum pm_err rc, struct api_error *e, const char *what)
{
    if (rc) {
        api_error_set(e, PM_ERR_INTERNAL, "internal_error", NULL);
        api_error_detail(e, "building the %s voucher failed (%s)", what, pm_err_name(rc));
    }
    return rc;
}

enum pm_err api_books_invoice_issued(const struct api_books_ctx *bx, const struct invoice *inv,
                                     struct api_error *e)
{
    struct voucher_invoice vi;
    struct voucher v;
    enum pm_err rc;

    if (bx->company->accounting_method == ACCOUNTING_CASH || inv->total_minor <= 0)
        return PM_OK;
    rc = invoice_facts(bx, inv, true, &vi, e);
    if (rc)
        return rc;
    rc = voucher_built(voucher_invoice_issued(&vi, inv->invoice_date, &v), e, "invoice");
    if (!rc)
        rc = book(bx, &v, inv->id, e);
    return rc;
}

/* ---- payments ---- */

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

/* The single call site of the report to the agency of a payment the
 * customer made to the company directly (the hand-over's
 * api_amili_after_payment(): it decides whether the invoice is with the
 * agency).  inv is the invoice as it was before the payment; one payment
 * is one voucher, whose number makes the report's idempotency key. */
static enum pm_err after_payment_agency_hook(const struct api_books_ctx *bx,
                                             const struct invoice *inv, int64_t payment_id,
                                             int voucher_year, int64_t voucher_number,
                                             int64_t amount, int32_t date, const char *reference,
                                             enum payment_source source, bool *reported,
                                             struct api_error *e)
{
    char key[64];

    *reported = false;
    if (amount <= 0)
        return PM_OK;
    if (payment_id)
        snprintf(key, sizeof(key), "payment-%lld", (long long)payment_id);
    else
        snprintf(key, sizeof(key), "payment-v%d-%lld", voucher_year, (long long)voucher_number);
    return api_amili_after_payment(bx->store, bx->company->id, inv, amount, date,
                                   reference ? reference : "", source, key, reported, e);
}

static const char *source_via(enum payment_source source)
{
    switch (source) {
    case PAYMENT_BGMAX:
        return "Bankgiro";
    case PAYMENT_AGENCY:
        return "Visma Amili";
    default:
        return "Inbetalning";
    }
}

enum pm_err api_books_payment(const struct api_books_ctx *bx, int64_t invoice_id, int32_t date,
                              int64_t amount_minor, const char *reference,
                              enum payment_source source, bool allow_overpayment,
                              struct api_books_payment *out, struct api_error *e)
{
    struct api_books_payment res;
    struct invoice inv;
    struct invoice_books ib;
    struct voucher_invoice vi;
    struct voucher_payment vp;
    struct payment p;
    struct voucher v;
    int64_t rest, fees_open, interest_open, owed, reversal = 0, remaining_before;
    bool written_off, cash = bx->company->accounting_method == ACCOUNTING_CASH;
    char message[STORE_TEXT_MAX];
    enum pm_err rc;

    memset(&res, 0, sizeof(res));
    rc = store_invoice_get(bx->store, bx->company->id, invoice_id, &inv);
    if (!rc)
        rc = store_books_invoice_get(bx->store, bx->company->id, invoice_id, &ib);
    if (rc)
        return store_failed(bx, rc, e);
    if (inv.state == INVOICE_STATE_CREDITED)
        return api_error_set(e, PM_ERR_CONFLICT, "conflict", "invoice_id");
    if (amount_minor <= 0 || amount_minor > MONEY_MAX)
        return api_error_set(e, PM_ERR_RANGE, "out_of_range", "amount_minor");
    written_off = inv.state == INVOICE_STATE_WRITTEN_OFF;
    remaining_before = inv.remaining_minor > 0 ? inv.remaining_minor : 0;
    fees_open = ib.fee_charged_minor + ib.compensation_charged_minor - ib.fees_paid_minor;
    interest_open = ib.interest_charged_minor - ib.interest_paid_minor;

    /* Capital first, then fees, then interest; the rest is over-paid. */
    rest = amount_minor;
    res.amount_minor = amount_minor;
    res.capital_minor = written_off ? min64(rest, ib.loss.gross_minor - ib.recovered_minor)
                                    : min64(rest, remaining_before);
    if (res.capital_minor < 0)
        res.capital_minor = 0;
    rest -= res.capital_minor;
    res.fees_minor = min64(rest, fees_open > 0 ? fees_open : 0);
    rest -= res.fees_minor;
    res.interest_minor = min64(rest, interest_open > 0 ? interest_open : 0);
    rest -= res.interest_minor;
    res.overpaid_minor = rest;
    owed = amount_minor - rest;
    if (res.overpaid_minor > 0 && !allow_overpayment)
        return api_error_set(e, PM_ERR_RANGE, "out_of_range", "amount_minor");
    if (written_off)
        res.recovered_minor = res.capital_minor;

    /* The payment row keeps the invoice's paid and remaining amounts. */
    if (res.capital_minor > 0) {
        memset(&p, 0, sizeof(p));
        p.company_id = bx->company->id;
        p.invoice_id = invoice_id;
        p.date = date;
        p.amount_minor = res.capital_minor;
        p.source = source;
        p.created_at = clock_now_s(bx->clock);
        snprintf(p.reference, sizeof(p.reference), "%s", reference ? reference : "");
        rc = store_payment_insert(bx->store, &p);
        if (rc)
            return store_failed(bx, rc, e);
        res.payment_id = p.id;
    }
    ib.fees_paid_minor += res.fees_minor;
    ib.interest_paid_minor += res.interest_minor;
    ib.recovered_minor += res.recovered_minor;
    if (!written_off && ib.expected_loss_minor > 0 && res.capital_minor > 0) {
        if (res.capital_minor >= remaining_before)
            reversal = ib.expected_loss_minor;
        else if (money_mul_div(ib.expected_loss_minor, res.capital_minor, remaining_before,
                               &reversal))
            return voucher_built(PM_ERR_OVERFLOW, e, "reversal");
        ib.expected_loss_minor -= reversal;
    }
    rc = store_books_invoice_put(bx->store, &ib);
    if (rc)
        return store_failed(bx, rc, e);

    /* Vouchers: restore what a confirmed loss wrote off, reverse the
     * expected loss for the part paid, then the payment itself. */
    rc = invoice_facts(bx, &inv, cash || res.recovered_minor > 0, &vi, e);
    if (rc)
        return rc;
    if (res.recovered_minor > 0) {
        rc = voucher_built(voucher_recovery(&vi, &ib.loss, res.recovered_minor, date, &v), e,
                           "recovery");
        if (!rc)
            rc = book(bx, &v, invoice_id, e);
        if (rc)
            return rc;
    }
    if (reversal > 0) {
        rc = voucher_built(voucher_expected_loss_reversal(&vi, reversal, date, &v), e, "reversal");
        if (!rc)
            rc = book(bx, &v, invoice_id, e);
        if (rc)
            return rc;
    }
    memset(&vp, 0, sizeof(vp));
    vp.amount_minor = amount_minor;
    vp.capital_minor = res.capital_minor;
    vp.fees_minor = res.fees_minor;
    vp.interest_minor = res.interest_minor;
    vp.overpaid_minor = res.overpaid_minor;
    vp.cash_method = cash && !written_off;
    vp.via = source_via(source);
    vp.reference = reference ? reference : "";
    rc = voucher_built(voucher_payment(&vi, &vp, date, &v), e, "payment");
    if (!rc)
        rc = book(bx, &v, invoice_id, e);
    if (rc)
        return rc;
    res.voucher_year = v.year;
    res.voucher_number = v.number;

    rc = after_payment_agency_hook(bx, &inv, res.payment_id, v.year, v.number, owed, date,
                                   reference, source, &res.reported_to_agency, e);
    if (rc)
        return rc;
    rc = store_invoice_get(bx->store, bx->company->id, invoice_id, &inv);
    if (rc)
        return store_failed(bx, rc, e);
    res.remaining_minor = inv.remaining_minor;
    snprintf(message, sizeof(message), "%s",
             written_off               ? "Betalning efter konstaterad kundförlust"
             : res.overpaid_minor > 0  ? "Betalning registrerad (överbetalning)"
             : inv.remaining_minor > 0 ? "Delbetalning registrerad"
                                       : "Betalning registrerad");
    rc = api_books_history(
        bx, invoice_id, "payment", message,
        json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:s, s:s, s:o, s:b}", "payment_id",
                  (json_int_t)res.payment_id, "amount_minor", (json_int_t)amount_minor,
                  "capital_minor", (json_int_t)res.capital_minor, "fees_minor",
                  (json_int_t)res.fees_minor, "interest_minor", (json_int_t)res.interest_minor,
                  "overpaid_minor", (json_int_t)res.overpaid_minor, "recovered_minor",
                  (json_int_t)res.recovered_minor, "date", api_render_date(date), "reference",
                  reference ? reference : "", "source", store_payment_source_name(source),
                  "voucher", voucher_ref(res.voucher_year, res.voucher_number),
                  "reported_to_agency", res.reported_to_agency),
        e);
    if (rc)
        return rc;
    *out = res;
    return PM_OK;
}

enum pm_err api_books_ctx_of_request(struct api_request *r, struct company *co, char *actor,
                                     size_t cap, struct api_books_ctx *bx)
{
    enum pm_err rc;

    memset(bx, 0, sizeof(*bx));
    rc = store_company_get(r->store, r->company_id, co);
    if (rc)
        return api_request_store_failed(r, rc);
    api_request_actor(r, actor, cap);
    bx->store = r->store;
    bx->clock = r->ctx->clock;
    bx->rates = r->ctx->rates;
    bx->company = co;
    bx->today = r->today;
    bx->actor = actor;
    bx->english = r->english;
    return PM_OK;
}

/* ---- vouchers ---- */

static json_t *voucher_json(const struct voucher *v)
{
    json_t *rows = json_array(), *row;
    size_t i;

    for (i = 0; rows && i < v->n_rows; i++) {
        row = json_pack("{s:i, s:I, s:I}", "account", v->rows[i].account, "debit_minor",
                        (json_int_t)v->rows[i].debit_minor, "credit_minor",
                        (json_int_t)v->rows[i].credit_minor);
        if (!row || json_array_append_new(rows, row)) {
            json_decref(rows);
            rows = NULL;
        }
    }
    return json_pack("{s:I, s:i, s:o, s:s, s:s, s:o, s:o}", "number", (json_int_t)v->number, "year",
                     v->year, "date", api_render_date(v->date), "text", v->text, "source",
                     v->source, "invoice_id",
                     v->invoice_id ? json_integer(v->invoice_id) : json_null(), "rows", rows);
}

/* A date query parameter: absent leaves *out. */
static enum pm_err query_date(struct api_request *r, const char *name, int32_t *out)
{
    const char *s = api_request_query(r, name);

    if (s && date_parse_iso(s, out))
        return api_error_set(&r->err, PM_ERR_INVALID, "invalid_query", name);
    return PM_OK;
}

enum pm_err api_books_vouchers(struct api_request *r)
{
    int32_t from = 0, to = 0;
    struct voucher *page = NULL;
    json_t *items = NULL;
    size_t n = 0, i, total = 0;
    int after_year = 0;
    int64_t after_number = 0;
    enum pm_err rc;

    date_from_ymd(DATE_MIN_YEAR, 1, 1, &from);
    date_from_ymd(DATE_MAX_YEAR, 12, 31, &to);
    rc = query_date(r, "from", &from);
    if (!rc)
        rc = query_date(r, "to", &to);
    if (rc)
        return rc;
    if (from > to)
        return api_error_set(&r->err, PM_ERR_INVALID, "invalid_query", "to");
    page = calloc(VOUCHER_PAGE, sizeof(*page));
    items = json_array();
    if (!page || !items) {
        rc = nomem(&r->err);
        goto out_free;
    }
    do {
        rc = store_books_voucher_list(r->store, r->company_id, from, to, after_year, after_number,
                                      page, VOUCHER_PAGE, &n);
        if (rc) {
            api_request_store_failed(r, rc);
            goto out_free;
        }
        for (i = 0; i < n && total < VOUCHERS_LIST_MAX; i++, total++) {
            if (json_array_append_new(items, voucher_json(&page[i]))) {
                rc = nomem(&r->err);
                goto out_free;
            }
            after_year = page[i].year;
            after_number = page[i].number;
        }
    } while (n == VOUCHER_PAGE && total < VOUCHERS_LIST_MAX);
    rc = api_request_reply(
        r, 200, json_pack("{s:o, s:b}", "items", items, "truncated", total >= VOUCHERS_LIST_MAX));
    items = NULL;
out_free:
    json_decref(items);
    free(page);
    return rc;
}

/* ---- SIE ---- */

/* Streams a year's vouchers from the store, a page at a time. */
struct voucher_stream {
    struct store *store;
    int64_t company_id;
    int32_t from, to;
    struct voucher *page;
    size_t n, next;
    bool done;
};

static enum pm_err stream_next(void *ctx, const struct voucher **v)
{
    struct voucher_stream *vs = ctx;
    int after_year = 0;
    int64_t after_number = 0;
    enum pm_err rc;

    *v = NULL;
    if (vs->next == vs->n) {
        if (vs->done)
            return PM_OK;
        if (vs->n > 0) {
            after_year = vs->page[vs->n - 1].year;
            after_number = vs->page[vs->n - 1].number;
        }
        rc = store_books_voucher_list(vs->store, vs->company_id, vs->from, vs->to, after_year,
                                      after_number, vs->page, VOUCHER_PAGE, &vs->n);
        if (rc)
            return rc;
        vs->next = 0;
        vs->done = vs->n < VOUCHER_PAGE;
        if (vs->n == 0)
            return PM_OK;
    }
    *v = &vs->page[vs->next++];
    return PM_OK;
}

/* The balances of all vouchers before `before`, as SIE balances. */
static enum pm_err balances(const struct api_books_ctx *bx, int32_t before, struct sie_balance *out,
                            size_t *n, struct api_error *e)
{
    struct account_balance *rows = calloc(ACCOUNTS_MAX, sizeof(*rows));
    enum pm_err rc;
    size_t i;

    if (!rows)
        return nomem(e);
    rc = store_books_voucher_balances(bx->store, bx->company->id, before, rows, ACCOUNTS_MAX, n);
    if (rc)
        store_failed(bx, rc, e);
    for (i = 0; !rc && i < *n; i++) {
        out[i].account = rows[i].account;
        out[i].amount_minor = rows[i].balance_minor;
    }
    free(rows);
    return rc;
}

enum pm_err api_books_sie_export(const struct api_books_ctx *bx, int year, struct buf *out,
                                 struct api_error *e)
{
    const struct company *co = bx->company;
    struct sie_balance *opening = NULL, *closing = NULL;
    struct voucher_stream vs;
    struct sie_company sc;
    struct sie_export x;
    struct pm_error pe = {0};
    struct idnum org;
    char postal[STORE_NAME_MAX + STORE_SHORT_MAX + 2];
    int32_t start = 0, next_start = 0;
    size_t n_opening = 0, n_closing = 0;
    enum pm_err rc;

    memset(&vs, 0, sizeof(vs));
    if (year < DATE_MIN_YEAR || year >= DATE_MAX_YEAR)
        return api_error_set(e, PM_ERR_RANGE, "invalid_query", "year");
    date_from_ymd(year, 1, 1, &start);
    date_from_ymd(year + 1, 1, 1, &next_start);
    opening = calloc(ACCOUNTS_MAX, sizeof(*opening));
    closing = calloc(ACCOUNTS_MAX, sizeof(*closing));
    vs.page = calloc(VOUCHER_PAGE, sizeof(*vs.page));
    if (!opening || !closing || !vs.page) {
        rc = nomem(e);
        goto out_free;
    }
    rc = balances(bx, start, opening, &n_opening, e);
    if (!rc)
        rc = balances(bx, next_start, closing, &n_closing, e);
    if (rc)
        goto out_free;
    memset(&sc, 0, sizeof(sc));
    sc.name = co->name;
    sc.organization_no = !idnum_parse_org(co->organization_no, &org) ? org.display : "";
    sc.contact = "";
    sc.street = co->address_line_1;
    snprintf(postal, sizeof(postal), "%s%s%s", co->zip_code, co->zip_code[0] ? " " : "", co->city);
    sc.postal = postal;
    sc.phone = co->phone;
    vs.store = bx->store;
    vs.company_id = co->id;
    vs.from = start;
    vs.to = next_start - 1;
    memset(&x, 0, sizeof(x));
    x.company = &sc;
    x.year = year;
    x.previous_year = n_opening > 0;
    x.generated = bx->today;
    x.program = "Påminn";
    x.version = "0.1.0";
    x.opening = opening;
    x.n_opening = n_opening;
    x.closing = closing;
    x.n_closing = n_closing;
    x.next_voucher = stream_next;
    x.ctx = &vs;
    rc = sie_export(&x, out, &pe);
    if (rc) {
        api_error_set(e, PM_ERR_INTERNAL, "internal_error", NULL);
        api_error_detail(e, "SIE export: %s", pe.message);
    }
out_free:
    free(vs.page);
    free(closing);
    free(opening);
    return rc;
}

enum pm_err api_books_sie(struct api_request *r)
{
    struct api_books_ctx bx;
    struct company co;
    struct buf out = BUF_INIT;
    char actor[STORE_EMAIL_MAX];
    int64_t year = 0;
    enum pm_err rc;

    if (!api_request_query(r, "year"))
        return api_error_set(&r->err, PM_ERR_INVALID, "invalid_query", "year");
    rc = api_request_query_int(r, "year", DATE_MIN_YEAR, DATE_MAX_YEAR - 1, &year);
    if (!rc)
        rc = api_books_ctx_of_request(r, &co, actor, sizeof(actor), &bx);
    if (!rc)
        rc = api_books_sie_export(&bx, (int)year, &out, &r->err);
    if (rc) {
        buf_release(&out);
        return rc;
    }
    r->status = 200;
    r->raw_type = "text/plain; charset=IBM437";
    snprintf(r->raw_filename, sizeof(r->raw_filename), "paminn-%lld-%lld.se",
             (long long)r->company_id, (long long)year);
    r->raw_body = buf_detach(&out, &r->raw_len);
    return r->raw_body ? PM_OK : nomem(&r->err);
}

/* ---- receivables aging ---- */

enum pm_err api_books_aging(struct api_request *r)
{
    int32_t as_of = r->today, from, to;
    int64_t count, sum, total = 0, total_count = 0;
    json_t *buckets = json_array(), *b;
    enum pm_err rc;
    int i;

    if (!buckets)
        return nomem(&r->err);
    rc = query_date(r, "as_of", &as_of);
    for (i = 0; !rc && i < AGING_BUCKETS; i++) {
        aging_bucket_range((enum aging_bucket)i, as_of, &from, &to);
        rc = store_books_receivables_sum(r->store, r->company_id, from, to, &count, &sum);
        if (rc) {
            api_request_store_failed(r, rc);
            break;
        }
        total += sum;
        total_count += count;
        b = json_pack("{s:s, s:I, s:I}", "key", aging_bucket_key((enum aging_bucket)i), "count",
                      (json_int_t)count, "remaining_minor", (json_int_t)sum);
        if (!b || json_array_append_new(buckets, b))
            rc = nomem(&r->err);
    }
    if (rc) {
        json_decref(buckets);
        return rc;
    }
    return api_request_reply(r, 200,
                             json_pack("{s:o, s:s, s:o, s:I, s:I}", "as_of", api_render_date(as_of),
                                       "currency", "SEK", "buckets", buckets, "total_minor",
                                       (json_int_t)total, "count", (json_int_t)total_count));
}

/* ---- BgMax import ---- */

/* The import's running report. */
struct bgmax_report {
    json_t *matched, *unmatched, *overpayments, *underpayments, *deductions;
    int64_t matched_count, matched_minor, unmatched_count, unmatched_minor, deductions_minor;
};

/* The invoice with this number, if any. */
static enum pm_err invoice_by_number(const struct api_books_ctx *bx, const char *digits,
                                     struct invoice *out, bool *found, struct api_error *e)
{
    struct invoice_query q;
    size_t n = 0;
    enum pm_err rc;

    *found = false;
    if (strlen(digits) > 18 || digits[0] == '0')
        return PM_OK;
    memset(&q, 0, sizeof(q));
    q.filter = FILTER_ALL;
    q.sort = SORT_NUMBER_ASC;
    q.today = bx->today;
    q.q = digits;
    q.limit = 1;
    rc = store_invoice_list(bx->store, bx->company->id, &q, out, 1, &n);
    if (rc)
        return store_failed(bx, rc, e);
    *found = n == 1 && out->number > 0;
    return PM_OK;
}

/* One token of digits: our OCR (invoice number + length digit + check
 * digit), or, unless ocr_only, an invoice number written out. */
static enum pm_err resolve_token(const struct api_books_ctx *bx, const char *tok, size_t n,
                                 bool ocr_only, struct invoice *inv, bool *found, const char **how,
                                 struct api_error *e)
{
    char digits[32];
    enum pm_err rc;

    *found = false;
    if (n == 0 || n >= sizeof(digits) || strspn(tok, "0123456789") < n)
        return PM_OK;
    memcpy(digits, tok, n);
    digits[n] = '\0';
    if (n >= 3 && ocr_valid(digits, true)) {
        digits[n - 2] = '\0';
        rc = invoice_by_number(bx, digits, inv, found, e);
        if (rc || *found) {
            *how = "ocr";
            return rc;
        }
        digits[n - 2] = tok[n - 2];
    }
    if (ocr_only)
        return PM_OK;
    rc = invoice_by_number(bx, digits, inv, found, e);
    *how = "invoice_number";
    return rc;
}

/* Try every digit group of text (split on blanks, commas, other text). */
static enum pm_err resolve_text(const struct api_books_ctx *bx, const char *text, bool ocr_only,
                                struct invoice *inv, bool *found, const char **how,
                                struct api_error *e)
{
    size_t i = 0, n;
    enum pm_err rc = PM_OK;

    *found = false;
    while (!rc && !*found && text[i]) {
        n = strspn(text + i, "0123456789");
        if (n > 0) {
            rc = resolve_token(bx, text + i, n, ocr_only, inv, found, how, e);
            i += n;
        } else {
            i++;
        }
    }
    return rc;
}

/* Which invoice a payment is for: its OCR reference, then OCR numbers or
 * invoice numbers in its reference texts, then invoice numbers in its
 * message. */
static enum pm_err resolve(const struct api_books_ctx *bx, const struct bgmax_file *f,
                           const struct bgmax_payment *p, const char *reference,
                           struct invoice *inv, bool *found, const char **how, struct api_error *e)
{
    enum pm_err rc;
    size_t i;

    rc = resolve_text(bx, reference, true, inv, found, how, e);
    if (!rc && !*found && p->ref_code != 2)
        rc = resolve_text(bx, reference, false, inv, found, how, e);
    for (i = 0; !rc && !*found && i < p->n_extra; i++) {
        if (f->extras[p->first_extra + i].amount_minor == 0)
            rc = resolve_text(bx, f->extras[p->first_extra + i].reference, false, inv, found, how,
                              e);
    }
    if (!rc && !*found)
        rc = resolve_text(bx, p->info, false, inv, found, how, e);
    return rc;
}

static enum pm_err add_unmatched(struct bgmax_report *rep, const struct bgmax_payment *p,
                                 int64_t amount, const char *reference, const char *reason)
{
    json_t *item = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s}", "line", (json_int_t)p->line,
                             "amount_minor", (json_int_t)amount, "reference", reference,
                             "payer_name", p->payer_name, "message", p->info, "reason", reason);

    rep->unmatched_count++;
    rep->unmatched_minor += amount;
    return item && !json_array_append_new(rep->unmatched, item) ? PM_OK : PM_ERR_NOMEM;
}

/* One amount with one reference: match it and book it, or report it. */
static enum pm_err import_one(const struct api_books_ctx *bx, const struct bgmax_file *f,
                              const struct bgmax_payment *p, int64_t amount, const char *reference,
                              int32_t date, struct bgmax_report *rep, int64_t *unmatched_minor,
                              struct api_error *e)
{
    struct api_books_payment res;
    struct invoice inv;
    const char *how = "", *status;
    bool found = false;
    json_t *item;
    enum pm_err rc;

    rc = resolve(bx, f, p, reference, &inv, &found, &how, e);
    if (rc)
        return rc;
    if (!found || inv.state == INVOICE_STATE_CREDITED || strcmp(inv.currency, "SEK") != 0) {
        *unmatched_minor += amount;
        return add_unmatched(rep, p, amount, reference,
                             !found ? "no invoice has this reference"
                                    : "the invoice is credited or not in SEK")
                   ? nomem(e)
                   : PM_OK;
    }
    rc = api_books_payment(bx, inv.id, date, amount, reference, PAYMENT_BGMAX, true, &res, e);
    if (rc)
        return rc;
    status = res.overpaid_minor > 0 ? "overpaid" : res.remaining_minor > 0 ? "part_paid" : "paid";
    item = json_pack("{s:I, s:I, s:I, s:s, s:s, s:s, s:I, s:I, s:I, s:b}", "invoice_id",
                     (json_int_t)inv.id, "invoice_number", (json_int_t)inv.number, "amount_minor",
                     (json_int_t)amount, "reference", reference, "matched_by", how, "status",
                     status, "remaining_minor", (json_int_t)res.remaining_minor, "overpaid_minor",
                     (json_int_t)res.overpaid_minor, "line", (json_int_t)p->line,
                     "reported_to_agency", res.reported_to_agency);
    if (!item || json_array_append_new(rep->matched, item))
        return nomem(e);
    rep->matched_count++;
    rep->matched_minor += amount;
    if (res.overpaid_minor > 0)
        item = json_pack("{s:I, s:I, s:I}", "invoice_id", (json_int_t)inv.id, "invoice_number",
                         (json_int_t)inv.number, "amount_minor", (json_int_t)res.overpaid_minor);
    else if (res.remaining_minor > 0)
        item =
            json_pack("{s:I, s:I, s:I}", "invoice_id", (json_int_t)inv.id, "invoice_number",
                      (json_int_t)inv.number, "remaining_minor", (json_int_t)res.remaining_minor);
    else
        return PM_OK;
    if (!item || json_array_append_new(
                     res.overpaid_minor > 0 ? rep->overpayments : rep->underpayments, item))
        return nomem(e);
    return PM_OK;
}

/* Money of a deposit that matched no invoice (less its deductions) waits
 * on 2420 until someone places it. */
static enum pm_err book_unmatched(const struct api_books_ctx *bx, const struct bgmax_deposit *d,
                                  int64_t net, struct api_error *e)
{
    struct voucher v;
    char text[VOUCHER_TEXT_MAX];
    enum pm_err rc;

    if (net == 0)
        return PM_OK;
    snprintf(text, sizeof(text), "Bankgiro insättning %d, ej matchade inbetalningar", d->serial);
    voucher_init(&v, d->date, "bgmax_unmatched", text);
    rc = voucher_debit(&v, ACC_BANK, net);
    if (!rc)
        rc = voucher_credit(&v, ACC_CUSTOMER_ADVANCES, net);
    rc = voucher_built(rc || !voucher_balanced(&v) ? PM_ERR_INTERNAL : PM_OK, e, "unmatched");
    if (!rc)
        rc = book(bx, &v, 0, e);
    return rc;
}

static enum pm_err import_deposit(const struct api_books_ctx *bx, const struct bgmax_file *f,
                                  const struct bgmax_deposit *d, struct bgmax_report *rep,
                                  struct api_error *e)
{
    int64_t unmatched = 0;
    enum pm_err rc = PM_OK;
    size_t i, k;

    for (i = d->first_payment; !rc && i < d->first_payment + d->n_payments; i++) {
        const struct bgmax_payment *p = &f->payments[i];
        bool split = false;

        if (p->deduction) {
            json_t *item = json_pack("{s:I, s:I, s:s, s:s}", "line", (json_int_t)p->line,
                                     "amount_minor", (json_int_t)p->amount_minor, "reference",
                                     p->reference, "payer_name", p->payer_name);

            if (!item || json_array_append_new(rep->deductions, item))
                return nomem(e);
            rep->deductions_minor += p->amount_minor;
            unmatched -= p->amount_minor;
            continue;
        }
        for (k = 0; k < p->n_extra; k++)
            split = split || f->extras[p->first_extra + k].amount_minor != 0;
        if (!split) {
            if (p->amount_minor > 0)
                rc = import_one(bx, f, p, p->amount_minor, p->reference, d->date, rep, &unmatched,
                                e);
            continue;
        }
        /* The payer split the amount per reference (22 positive, 23 negative). */
        for (k = 0; !rc && k < p->n_extra; k++) {
            const struct bgmax_extra *x = &f->extras[p->first_extra + k];

            if (x->amount_minor > 0)
                rc = import_one(bx, f, p, x->amount_minor, x->reference, d->date, rep, &unmatched,
                                e);
            else if (x->amount_minor < 0) {
                unmatched += x->amount_minor;
                rc = add_unmatched(rep, p, x->amount_minor, x->reference,
                                   "a credit the payer deducted")
                         ? nomem(e)
                         : PM_OK;
            }
        }
    }
    if (!rc)
        rc = book_unmatched(bx, d, unmatched, e);
    return rc;
}

static void report_release(struct bgmax_report *rep)
{
    json_decref(rep->matched);
    json_decref(rep->unmatched);
    json_decref(rep->overpayments);
    json_decref(rep->underpayments);
    json_decref(rep->deductions);
}

/* The file and each deposit are remembered; a second import is refused. */
static enum pm_err remember(const struct api_books_ctx *bx, const struct bgmax_file *f,
                            char *identity, size_t cap, struct api_error *e)
{
    char key[160], day[DATE_ISO_LEN + 1];
    enum pm_err rc;
    size_t i;

    snprintf(identity, cap, "BGMAX-%s-%s", f->timestamp, f->deposits[0].payee_bankgiro);
    rc = store_books_bgmax_remember(bx->store, bx->company->id, identity, clock_now_s(bx->clock));
    if (rc == PM_ERR_CONFLICT)
        return api_error_set(e, rc, "already_imported", "file");
    for (i = 0; !rc && i < f->n_deposits; i++) {
        const struct bgmax_deposit *d = &f->deposits[i];

        date_format_iso(d->date, day);
        snprintf(key, sizeof(key), "BGMAX-DEPOSIT-%s-%s-%05d-%lld", d->payee_bankgiro, day,
                 d->serial, (long long)d->amount_minor);
        rc = store_books_bgmax_remember(bx->store, bx->company->id, key, clock_now_s(bx->clock));
        if (rc == PM_ERR_CONFLICT) {
            char field[48];

            snprintf(field, sizeof(field), "deposits[%zu]", i);
            return api_error_set(e, rc, "already_imported", field);
        }
    }
    if (rc)
        return store_failed(bx, rc, e);
    return PM_OK;
}

enum pm_err api_books_bgmax_import(const struct api_books_ctx *bx, const char *data, size_t len,
                                   bool allow_test_file, json_t **report, struct api_error *e)
{
    struct bgmax_file f;
    struct bgmax_report rep;
    struct pm_error pe = {0};
    char identity[96], company_bg[11], field[48];
    json_t *reason;
    char *text;
    int64_t deposits_minor = 0;
    enum pm_err rc;
    size_t i;

    *report = NULL;
    memset(&rep, 0, sizeof(rep));
    rc = bgmax_parse(data, len, &f, &pe);
    if (rc) {
        api_error_set(e, PM_ERR_INVALID, "bgmax_invalid", pe.field[0] ? pe.field : "file");
        reason = json_pack("{s:s}", "reason", pe.message);
        text = reason ? json_dumps(reason, JSON_COMPACT) : NULL;
        if (text)
            api_error_extra(e, text);
        free(text);
        json_decref(reason);
        return PM_ERR_INVALID;
    }
    if (f.marker == 'T' && !allow_test_file) {
        rc = api_error_set(e, PM_ERR_INVALID, "bgmax_test_file", "line 1");
        goto out_release;
    }
    for (i = 0; i < f.n_deposits; i++) {
        snprintf(field, sizeof(field), "deposits[%zu]", i);
        if (bx->company->bankgiro[0] &&
            (!bgmax_normalize_bankgiro(bx->company->bankgiro, company_bg) ||
             strcmp(company_bg, f.deposits[i].payee_bankgiro) != 0)) {
            rc = api_error_set(e, PM_ERR_INVALID, "bankgiro_mismatch", field);
            goto out_release;
        }
        if (strcmp(f.deposits[i].currency, "SEK") != 0) {
            rc = api_error_set(e, PM_ERR_INVALID, "bgmax_invalid", field);
            api_error_extra(e, "{\"reason\":\"only deposits in SEK are booked\"}");
            goto out_release;
        }
        deposits_minor += f.deposits[i].amount_minor;
    }
    rc = remember(bx, &f, identity, sizeof(identity), e);
    if (rc)
        goto out_release;
    rep.matched = json_array();
    rep.unmatched = json_array();
    rep.overpayments = json_array();
    rep.underpayments = json_array();
    rep.deductions = json_array();
    if (!rep.matched || !rep.unmatched || !rep.overpayments || !rep.underpayments ||
        !rep.deductions) {
        rc = nomem(e);
        goto out_release;
    }
    for (i = 0; !rc && i < f.n_deposits; i++)
        rc = import_deposit(bx, &f, &f.deposits[i], &rep, e);
    if (rc)
        goto out_release;
    *report = json_pack(
        "{s:s, s:s, s:O, s:O, s:O, s:O, s:O, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I},"
        " s:I, s:s?}",
        "file_identity", identity, "test_marker", f.marker == 'T' ? "T" : "P", "matched",
        rep.matched, "unmatched", rep.unmatched, "overpayments", rep.overpayments, "underpayments",
        rep.underpayments, "deductions", rep.deductions, "totals", "deposits",
        (json_int_t)f.n_deposits, "payments", (json_int_t)f.n_payments, "matched_count",
        (json_int_t)rep.matched_count, "matched_minor", (json_int_t)rep.matched_minor,
        "unmatched_count", (json_int_t)rep.unmatched_count, "unmatched_minor",
        (json_int_t)rep.unmatched_minor, "deductions_minor", (json_int_t)rep.deductions_minor,
        "deposits_minor", (json_int_t)deposits_minor, "warnings", (json_int_t)f.n_warnings,
        "first_warning", f.n_warnings ? f.first_warning : NULL);
    if (!*report)
        rc = nomem(e);
out_release:
    report_release(&rep);
    bgmax_file_release(&f);
    return rc;
}

enum pm_err api_books_bgmax(struct api_request *r)
{
    struct api_books_ctx bx;
    struct company co;
    char actor[STORE_EMAIL_MAX];
    const char *allow = api_request_query(r, "allow_test_file");
    json_t *report = NULL;
    enum pm_err rc;

    if (allow && strcmp(allow, "true") != 0 && strcmp(allow, "false") != 0)
        return api_error_set(&r->err, PM_ERR_INVALID, "invalid_query", "allow_test_file");
    rc = api_books_ctx_of_request(r, &co, actor, sizeof(actor), &bx);
    if (rc)
        return rc;
    rc = api_books_bgmax_import(&bx, r->body, r->body_len, allow && !strcmp(allow, "true"), &report,
                                &r->err);
    if (rc)
        return rc;
    return api_request_reply(r, 200, report);
}
