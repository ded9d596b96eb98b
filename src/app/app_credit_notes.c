/*
 * app_credit_notes.c — credit notes: the row, the invoice's remaining
 * amount, the voucher, the history event and the report to the agency,
 * all in the caller's transaction; and the credit note's PDF.
 *
 * Part of src/app (see app_credit_notes.h).
 */
#include "app/app_credit_notes.h"
#include "app/app_letter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/money.h"
#include "core/payment.h"
#include "letter/letter.h"
#include "store/store_agency.h"
#include "store/store_books.h"
#include "util/clock.h"

void app_credit_notes_pdf_url(int64_t company_id, int64_t id, char *dst, size_t cap)
{
    snprintf(dst, cap, "/api/v1/companies/%lld/credit-notes/%lld/credit-note.pdf",
             (long long)company_id, (long long)id);
}

/* The date: today when not given, not after today, not before the
 * invoice, not in the locked period. */
static enum pm_err check_date(const struct app_ctx *ax, const struct invoice *inv, int32_t date,
                              struct app_error *e)
{
    if (date > ax->today) {
        app_error_set(e, PM_ERR_RANGE, "out_of_range", "date");
        return app_error_detail(e, "a credit note cannot be dated after today");
    }
    if (inv && date < inv->invoice_date) {
        app_error_set(e, PM_ERR_RANGE, "out_of_range", "date");
        return app_error_detail(e, "a credit note cannot be dated before the invoice date");
    }
    return app_books_open(ax, date, "date", e);
}

/* A refusal of core's credit_note_compute() as the operation's error. */
static enum pm_err compute_failed(enum pm_err rc, const struct pm_error *pe, struct app_error *e)
{
    bool beyond = rc == PM_ERR_RANGE && strstr(pe->message, "left") != NULL;

    app_error_set(e, rc,
                  beyond                  ? "credit_exceeds_remaining"
                  : rc == PM_ERR_RANGE    ? "out_of_range"
                  : rc == PM_ERR_OVERFLOW ? "out_of_range"
                                          : "invalid_value",
                  pe->field);
    return app_error_detail(e, "%s", pe->message);
}

/* One report_crediting for an invoice with the agency, exactly once
 * (its key is the credit note's id). */
static enum pm_err report_to_agency(const struct app_ctx *ax, const struct invoice *inv,
                                    const struct credit_note_row *cn, bool *reported,
                                    struct app_error *e)
{
    struct outbox_message m;
    char day[DATE_ISO_LEN + 1];
    json_t *payload;
    char *text;
    enum pm_err rc;

    *reported = false;
    if (!amili_state_with_agency(inv->agency_state) || cn->customer_part_minor <= 0)
        return PM_OK;
    memset(&m, 0, sizeof(m));
    date_format_iso(cn->date, day);
    payload = json_pack("{s:I, s:s, s:s, s:I}", "amount_minor", (json_int_t)cn->customer_part_minor,
                        "date", day, "reference", "", "credit_note_number", (json_int_t)cn->number);
    if (payload) {
        char ref[48];

        snprintf(ref, sizeof(ref), "Kreditfaktura %lld", (long long)cn->number);
        json_object_set_new(payload, "reference", json_string(ref));
    }
    text = payload ? json_dumps(payload, JSON_COMPACT) : NULL;
    json_decref(payload);
    if (!text || strlen(text) >= sizeof(m.payload)) {
        free(text);
        return app_error_set(e, PM_ERR_NOMEM, NULL, NULL);
    }
    m.company_id = ax->company_id;
    m.invoice_id = inv->id;
    m.kind = AMILI_JOB_REPORT_CREDITING;
    snprintf(m.payload, sizeof(m.payload), "%s", text);
    snprintf(m.idempotency_key, sizeof(m.idempotency_key), "credit-note-%lld", (long long)cn->id);
    free(text);
    rc = store_outbox_enqueue(ax->store, &m);
    if (rc == PM_ERR_CONFLICT)
        return PM_OK; /* reported already under this key */
    if (rc)
        return app_error_set(e, rc, NULL, NULL);
    *reported = true;
    return PM_OK;
}

/* The facts of the invoice (or, free-standing, of the customer) the
 * voucher and the amounts need. */
static enum pm_err facts_of(const struct app_ctx *ax, const struct app_credit_note_input *in,
                            struct invoice *inv, struct customer *cu, struct voucher_invoice *vi,
                            struct app_error *e)
{
    enum pm_err rc;

    memset(vi, 0, sizeof(*vi));
    if (in->invoice_id) {
        rc = store_invoice_get(ax->store, ax->company_id, in->invoice_id, inv);
        if (rc)
            return app_store_failed(ax, rc, e);
        if (inv->state == INVOICE_STATE_WRITTEN_OFF)
            return app_error_set(e, PM_ERR_CONFLICT, "conflict", "invoice_id");
        return app_invoice_facts(ax, inv, true, vi, e);
    }
    rc = store_customer_get(ax->store, ax->company_id, in->customer_id, cu);
    if (rc == PM_ERR_NOT_FOUND)
        return app_error_set(e, rc, "not_found", "customer_id");
    if (rc)
        return app_store_failed(ax, rc, e);
    vi->customer_name = cu->name;
    vi->market = voucher_market_of(cu->country);
    return PM_OK;
}

/* A credit note takes back the part of an expected customer loss that
 * the credited capital covers, as a payment does (core/payment.h): the
 * write-down on 1519 is reversed in that proportion, on a voucher of its
 * own dated as the credit note. */
static enum pm_err reverse_expected_loss(const struct app_ctx *ax, const struct voucher_invoice *vi,
                                         const struct credit_note_row *cn, int64_t left_before,
                                         struct app_error *e)
{
    struct invoice_books ib;
    struct voucher v;
    int64_t reversal = 0;
    enum pm_err rc;

    rc = store_books_invoice_get(ax->store, ax->company_id, cn->invoice_id, &ib);
    if (rc)
        return app_store_failed(ax, rc, e);
    if (ib.expected_loss_minor <= 0)
        return PM_OK;
    if (payment_expected_loss_reversal(ib.expected_loss_minor, cn->customer_part_minor, left_before,
                                       &reversal))
        return app_voucher_built(PM_ERR_OVERFLOW, e, "reversal");
    if (reversal <= 0)
        return PM_OK;
    ib.expected_loss_minor -= reversal;
    rc = store_books_invoice_put(ax->store, &ib);
    if (rc)
        return app_store_failed(ax, rc, e);
    rc = app_voucher_built(voucher_expected_loss_reversal(vi, reversal, cn->date, &v), e,
                           "reversal");
    return rc ? rc : app_book(ax, &v, cn->invoice_id, e);
}

static enum pm_err book(const struct app_ctx *ax, const struct voucher_invoice *vi,
                        const struct credit_note_amounts *a, struct credit_note_row *cn,
                        struct app_error *e)
{
    struct voucher v;
    enum pm_err rc;

    /* Kontantmetoden: the invoice was never booked, so neither is its
     * credit; what the customer paid was booked as sales when paid. */
    if (ax->company->accounting_method == ACCOUNTING_CASH)
        return PM_OK;
    rc = app_voucher_built(voucher_credit_note(vi, a, cn->number, cn->date, &v), e, "credit_note");
    if (!rc)
        rc = app_book(ax, &v, cn->invoice_id, e);
    if (!rc) {
        cn->voucher_year = v.year;
        cn->voucher_number = v.number;
        rc = store_credit_note_voucher(ax->store, ax->company_id, cn->id, v.year, v.number);
        if (rc)
            rc = app_store_failed(ax, rc, e);
    }
    return rc;
}

static enum pm_err history(const struct app_ctx *ax, const struct app_credit_note_result *res,
                           struct app_error *e)
{
    const struct credit_note_row *cn = &res->note;
    char message[STORE_TEXT_MAX], amount[MONEY_FORMAT_MAX], url[128];

    money_format(cn->customer_part_minor, amount, sizeof(amount));
    snprintf(message, sizeof(message), "Kreditfaktura %lld: %s krediterat%s", (long long)cn->number,
             amount, res->remaining_minor > 0 ? "" : ", inget kvar att betala");
    app_credit_notes_pdf_url(ax->company_id, cn->id, url, sizeof(url));
    return app_history(ax, cn->invoice_id, "credit_note", message,
                       json_pack("{s:I, s:I, s:o, s:s, s:I, s:I, s:I, s:I, s:{s:i, s:I}, s:b, s:s}",
                                 "credit_note_id", (json_int_t)cn->id, "number",
                                 (json_int_t)cn->number, "date", app_json_date(cn->date), "reason",
                                 cn->reason, "total_minor", (json_int_t)cn->total_minor,
                                 "tax_reduction_minor", (json_int_t)cn->tax_reduction_minor,
                                 "customer_part_minor", (json_int_t)cn->customer_part_minor,
                                 "remaining_minor", (json_int_t)res->remaining_minor, "voucher",
                                 "year", cn->voucher_year, "number", (json_int_t)cn->voucher_number,
                                 "reported_to_agency", res->reported_to_agency, "pdf_url", url),
                       e);
}

enum pm_err app_credit_notes_create(const struct app_ctx *ax,
                                    const struct app_credit_note_input *in,
                                    struct app_credit_note_result *out, struct app_error *e)
{
    struct app_credit_note_result res;
    struct credit_note_amounts before, a;
    struct credit_note_request req = in->req;
    struct voucher_invoice vi;
    struct invoice inv;
    struct customer cu;
    struct pm_error pe = {0};
    int32_t date = in->date ? in->date : ax->today;
    int64_t left = 0;
    enum pm_err rc;

    memset(&res, 0, sizeof(res));
    memset(&inv, 0, sizeof(inv));
    if (!in->reason[0])
        return app_error_set(e, PM_ERR_INVALID, "required", "reason");
    rc = facts_of(ax, in, &inv, &cu, &vi, e);
    if (!rc)
        rc = check_date(ax, in->invoice_id ? &inv : NULL, date, e);
    if (rc)
        return rc;
    memset(&before, 0, sizeof(before));
    if (in->invoice_id) {
        rc = store_credit_note_sum(ax->store, ax->company_id, in->invoice_id, &before);
        if (rc)
            return app_store_failed(ax, rc, e);
        left = inv.remaining_minor > 0 ? inv.remaining_minor : 0;
        if (in->full) {
            req.by_rates = false;
            req.customer_minor = left;
        }
        if (left <= 0) {
            app_error_set(e, PM_ERR_RANGE, "credit_exceeds_remaining",
                          in->full || !req.by_rates ? "amount_minor" : "rates");
            return app_error_detail(e, "nothing is left on the invoice to credit");
        }
    }
    if (!in->full && !req.by_rates && req.customer_minor <= 0)
        return app_error_set(e, PM_ERR_RANGE, "out_of_range", "amount_minor");
    rc = credit_note_compute(in->invoice_id ? &vi.totals : NULL, &before, &req, left, &a, &pe);
    if (rc)
        return compute_failed(rc, &pe, e);

    res.note.company_id = ax->company_id;
    res.note.invoice_id = in->invoice_id;
    res.note.customer_id = in->invoice_id ? inv.customer_id : in->customer_id;
    res.note.date = date;
    snprintf(res.note.reason, sizeof(res.note.reason), "%s", in->reason);
    snprintf(res.note.created_by, sizeof(res.note.created_by), "%s", ax->actor ? ax->actor : "");
    res.note.created_at = clock_now_s(ax->clock);
    store_credit_note_set_amounts(&res.note, &a);
    rc = store_credit_note_insert(ax->store, &res.note);
    if (rc)
        return app_store_failed(ax, rc, e);
    if (in->invoice_id)
        vi.number = inv.number;
    rc = book(ax, &vi, &a, &res.note, e);
    if (!rc && in->invoice_id && ax->company->accounting_method != ACCOUNTING_CASH)
        rc = reverse_expected_loss(ax, &vi, &res.note, left, e);
    if (rc || !in->invoice_id) {
        if (!rc)
            *out = res;
        return rc;
    }
    rc = report_to_agency(ax, &inv, &res.note, &res.reported_to_agency, e);
    if (rc)
        return rc;
    rc = store_invoice_get(ax->store, ax->company_id, in->invoice_id, &inv);
    if (rc)
        return app_store_failed(ax, rc, e);
    res.remaining_minor = inv.remaining_minor;
    rc = history(ax, &res, e);
    if (!rc)
        *out = res;
    return rc;
}

enum pm_err app_credit_notes_get(const struct app_ctx *ax, int64_t id, struct credit_note_row *out,
                                 struct app_error *e)
{
    enum pm_err rc = store_credit_note_get(ax->store, ax->company_id, id, out);

    if (rc == PM_ERR_NOT_FOUND) {
        app_store_failed(ax, rc, e);
        return app_error_set(e, rc, "credit_note_not_found", "id");
    }
    return rc ? app_store_failed(ax, rc, e) : PM_OK;
}

enum pm_err app_credit_notes_list(const struct app_ctx *ax, int64_t invoice_id,
                                  struct credit_note_row *out, size_t cap, size_t *n,
                                  struct app_error *e)
{
    struct invoice inv;
    enum pm_err rc = store_invoice_get(ax->store, ax->company_id, invoice_id, &inv);

    if (!rc)
        rc = store_credit_note_list(ax->store, ax->company_id, invoice_id, out, cap, n);
    return rc ? app_store_failed(ax, rc, e) : PM_OK;
}

enum pm_err app_credit_notes_pdf(const struct app_ctx *ax, int64_t id, struct buf *pdf,
                                 struct app_error *e)
{
    struct letter_credit_note *l;
    struct credit_note_row cn;
    struct credit_note_amounts a;
    struct company co;
    struct customer cu;
    struct invoice inv;
    struct pm_error pe = {0};
    enum pm_err rc;

    rc = app_credit_notes_get(ax, id, &cn, e);
    if (rc)
        return rc;
    rc = store_company_get(ax->store, ax->company_id, &co);
    if (!rc)
        rc = store_customer_get(ax->store, ax->company_id, cn.customer_id, &cu);
    if (!rc && cn.invoice_id)
        rc = store_invoice_get(ax->store, ax->company_id, cn.invoice_id, &inv);
    if (rc)
        return app_store_failed(ax, rc, e);
    l = calloc(1, sizeof(*l));
    if (!l)
        return app_error_set(e, PM_ERR_NOMEM, NULL, NULL);
    app_letter_party(&co, &cu, &l->party);
    l->number = cn.number;
    l->date = cn.date;
    if (cn.invoice_id) {
        l->invoice_number = inv.number;
        l->invoice_date = inv.invoice_date;
        snprintf(l->tax_reduction_kind, sizeof(l->tax_reduction_kind), "%s",
                 inv.kind == INVOICE_ROT   ? "ROT"
                 : inv.kind == INVOICE_RUT ? "RUT"
                                           : "");
    }
    snprintf(l->reason, sizeof(l->reason), "%s", cn.reason);
    store_credit_note_amounts(&cn, &a);
    memcpy(l->net_by_rate, a.net_by_rate, sizeof(l->net_by_rate));
    memcpy(l->vat_by_rate, a.vat_by_rate, sizeof(l->vat_by_rate));
    l->total_minor = a.total_minor;
    l->tax_reduction_minor = a.tax_reduction_minor;
    l->customer_part_minor = a.customer_part_minor;
    rc = letter_credit_note_pdf(l, NULL, pdf, &pe);
    free(l);
    if (rc) {
        app_error_set(e, rc, "internal_error", NULL);
        return app_error_detail(e, "credit note PDF: %s", pe.message);
    }
    return PM_OK;
}
