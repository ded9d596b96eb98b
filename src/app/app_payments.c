/*
 * app_payments.c — registering a payment: its split, its payment row, the
 * invoice's charges paid, its vouchers, its history event and its report
 * to the agency, all in the caller's transaction.
 *
 * Part of src/app.  The split is core/payment.h's rule, the vouchers
 * core/voucher.h's; this file decides which of them an event calls for.
 */
#include "app/app_payments.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_rules.h"
#include "core/date.h"
#include "core/money.h"
#include "core/payment.h"
#include "store/store_books.h"
#include "store/store_rules.h"
#include "util/clock.h"

/* A payment of amount_minor on date reached the company directly for inv
 * (as it was before the payment).  When the invoice is with the agency
 * (agency_state "queued" or "registered") and the money did not come from
 * the agency, a "report_payment" outbox message
 * {"amount_minor","date","reference"} is queued under idempotency_key, so
 * it is reported exactly once; the dispatcher delivers it once the case
 * exists. */
static enum pm_err report_to_agency(const struct app_ctx *ax, const struct invoice *inv,
                                    int64_t amount_minor, int32_t date, const char *reference,
                                    enum payment_source source, const char *idempotency_key,
                                    bool *reported, struct app_error *e)
{
    struct outbox_message m;
    char day[DATE_ISO_LEN + 1];
    json_t *payload;
    char *text;
    enum pm_err rc;

    *reported = false;
    if (source == PAYMENT_AGENCY || amount_minor <= 0 ||
        !amili_state_with_agency(inv->agency_state))
        return PM_OK;
    memset(&m, 0, sizeof(m));
    date_format_iso(date, day);
    payload = json_pack("{s:I, s:s, s:s}", "amount_minor", (json_int_t)amount_minor, "date", day,
                        "reference", reference ? reference : "");
    text = payload ? json_dumps(payload, JSON_COMPACT) : NULL;
    json_decref(payload);
    if (!text || strlen(text) >= sizeof(m.payload)) {
        free(text);
        return app_error_set(e, PM_ERR_NOMEM, NULL, NULL);
    }
    m.company_id = ax->company_id;
    m.invoice_id = inv->id;
    m.kind = AMILI_JOB_REPORT_PAYMENT;
    snprintf(m.payload, sizeof(m.payload), "%s", text);
    snprintf(m.idempotency_key, sizeof(m.idempotency_key), "%s", idempotency_key);
    free(text);
    rc = store_outbox_enqueue(ax->store, &m);
    if (rc == PM_ERR_CONFLICT)
        return PM_OK; /* reported already under this key */
    if (rc)
        return app_error_set(e, rc, NULL, NULL);
    *reported = true;
    return PM_OK;
}

/* The report of a payment the customer made to the company directly.  inv
 * is the invoice as it was before the payment; one payment is one
 * voucher, whose number makes the report's idempotency key. */
static enum pm_err after_payment(const struct app_ctx *ax, const struct invoice *inv,
                                 int64_t payment_id, int voucher_year, int64_t voucher_number,
                                 int64_t amount, int32_t date, const char *reference,
                                 enum payment_source source, bool *reported, struct app_error *e)
{
    char key[64];

    *reported = false;
    if (amount <= 0)
        return PM_OK;
    if (payment_id)
        snprintf(key, sizeof(key), "payment-%lld", (long long)payment_id);
    else
        snprintf(key, sizeof(key), "payment-v%d-%lld", voucher_year, (long long)voucher_number);
    return report_to_agency(ax, inv, amount, date, reference, source, key, reported, e);
}

/* A payment registered by hand is dated between the invoice date and
 * today (core/payment.h); a bank file's or the agency's date is the
 * bank's own.  No payment is booked in the locked period. */
static enum pm_err check_date(const struct app_ctx *ax, const struct invoice *inv, int32_t date,
                              enum payment_source source, struct app_error *e)
{
    struct pm_error pe = {0};
    enum pm_err rc = PM_OK;

    if (source == PAYMENT_MANUAL)
        rc = payment_date_check(date, inv->invoice_date, ax->today, &pe);
    if (rc) {
        app_error_set(e, rc, date > ax->today ? "date_after_today" : "date_before_invoice",
                      pe.field);
        return app_error_detail(e, "%s", pe.message);
    }
    return app_books_open(ax, date, "date", e);
}

static const char *source_via(enum payment_source source)
{
    switch (source) {
    case PAYMENT_BGMAX:
        return "Bankgiro";
    case PAYMENT_CAMT054:
        return "Bank";
    case PAYMENT_AGENCY:
        return "Visma Amili";
    default:
        return "Inbetalning";
    }
}

static json_t *voucher_ref(int year, int64_t number)
{
    return json_pack("{s:i, s:I}", "year", year, "number", (json_int_t)number);
}

/* What the invoice still claims: capital (after a confirmed loss, what
 * the loss has not yet recovered), fees and interest not yet paid. */
static void claim_of(const struct invoice *inv, const struct invoice_books *ib,
                     struct payment_claim *claim)
{
    bool written_off = inv->state == INVOICE_STATE_WRITTEN_OFF;

    claim->capital_minor = written_off ? voucher_loss_customer_part(&ib->loss) - ib->recovered_minor
                           : inv->remaining_minor > 0 ? inv->remaining_minor
                                                      : 0;
    claim->fees_minor =
        ib->fee_charged_minor + ib->compensation_charged_minor - ib->fees_paid_minor;
    claim->interest_minor = ib->interest_charged_minor - ib->interest_paid_minor;
}

/* The invoice and what its books keep. */
static enum pm_err invoice_and_books(const struct app_ctx *ax, int64_t invoice_id,
                                     struct invoice *inv, struct invoice_books *ib,
                                     struct app_error *e)
{
    enum pm_err rc = store_invoice_get(ax->store, ax->company_id, invoice_id, inv);

    if (!rc)
        rc = store_books_invoice_get(ax->store, ax->company_id, invoice_id, ib);
    return rc ? app_store_failed(ax, rc, e) : PM_OK;
}

enum pm_err app_payments_owed(const struct app_ctx *ax, int64_t invoice_id, int64_t *owed,
                              struct app_error *e)
{
    struct payment_claim claim;
    struct invoice_books ib;
    struct invoice inv;
    enum pm_err rc;

    *owed = 0;
    rc = invoice_and_books(ax, invoice_id, &inv, &ib, e);
    if (rc)
        return rc;
    if (inv.state == INVOICE_STATE_CREDITED)
        return PM_OK;
    claim_of(&inv, &ib, &claim);
    if (money_add(claim.capital_minor, claim.fees_minor, owed) ||
        money_add(*owed, claim.interest_minor, owed))
        return app_voucher_built(PM_ERR_OVERFLOW, e, "claim");
    return PM_OK;
}

static enum pm_err register_payment(const struct app_ctx *ax, int64_t invoice_id, int32_t date,
                                    int64_t amount_minor, const char *reference,
                                    enum payment_source source, bool allow_overpayment,
                                    bool from_advances, struct app_payment_result *out,
                                    struct app_error *e)
{
    struct app_payment_result res;
    struct payment_claim claim;
    struct payment_split split;
    struct invoice inv;
    struct invoice_books ib;
    struct voucher_invoice vi;
    struct voucher_payment vp;
    struct payment p;
    struct voucher v;
    int64_t reversal = 0, remaining_before;
    bool written_off, cash = ax->company->accounting_method == ACCOUNTING_CASH;
    char message[STORE_TEXT_MAX];
    enum pm_err rc;

    memset(&res, 0, sizeof(res));
    rc = invoice_and_books(ax, invoice_id, &inv, &ib, e);
    if (rc)
        return rc;
    if (inv.state == INVOICE_STATE_CREDITED)
        return app_error_set(e, PM_ERR_CONFLICT, "conflict", "invoice_id");
    if (amount_minor <= 0 || amount_minor > MONEY_MAX)
        return app_error_set(e, PM_ERR_RANGE, "out_of_range", "amount_minor");
    rc = check_date(ax, &inv, date, source, e);
    if (rc)
        return rc;
    written_off = inv.state == INVOICE_STATE_WRITTEN_OFF;
    remaining_before = inv.remaining_minor > 0 ? inv.remaining_minor : 0;

    /* After a confirmed loss the capital still open is what the loss has
     * not yet recovered. */
    claim_of(&inv, &ib, &claim);
    rc = payment_allocate(&claim, amount_minor, &split);
    if (rc)
        return app_error_set(e, rc, "out_of_range", "amount_minor");
    res.amount_minor = amount_minor;
    res.capital_minor = split.capital_minor;
    res.fees_minor = split.fees_minor;
    res.interest_minor = split.interest_minor;
    res.overpaid_minor = split.overpaid_minor;
    if (res.overpaid_minor > 0 && !allow_overpayment)
        return app_error_set(e, PM_ERR_RANGE, "out_of_range", "amount_minor");
    if (written_off)
        res.recovered_minor = res.capital_minor;

    /* The payment row keeps the invoice's paid and remaining amounts (its
     * capital) and the fees and interest paid; a payment of only those
     * gets a row of no capital. */
    memset(&p, 0, sizeof(p));
    p.company_id = ax->company_id;
    p.invoice_id = invoice_id;
    p.date = date;
    p.amount_minor = res.capital_minor;
    p.source = source;
    p.created_at = clock_now_s(ax->clock);
    snprintf(p.reference, sizeof(p.reference), "%s", reference ? reference : "");
    rc = res.capital_minor > 0 ? store_payment_insert(ax->store, &p) : PM_OK;
    if (!rc && res.fees_minor + res.interest_minor > 0)
        rc = store_rules_payment_charges(ax->store, &p, res.fees_minor, res.interest_minor);
    if (rc)
        return app_store_failed(ax, rc, e);
    res.payment_id = p.id;
    ib.fees_paid_minor += res.fees_minor;
    ib.interest_paid_minor += res.interest_minor;
    ib.recovered_minor += res.recovered_minor;
    if (!written_off) {
        rc = payment_expected_loss_reversal(ib.expected_loss_minor, res.capital_minor,
                                            remaining_before, &reversal);
        if (rc)
            return app_voucher_built(PM_ERR_OVERFLOW, e, "reversal");
        ib.expected_loss_minor -= reversal;
    }
    rc = store_books_invoice_put(ax->store, &ib);
    if (rc)
        return app_store_failed(ax, rc, e);

    /* Vouchers: restore what a confirmed loss wrote off, reverse the
     * expected loss for the part paid, then the payment itself. */
    rc = app_invoice_facts(ax, &inv, cash || res.recovered_minor > 0, &vi, e);
    if (rc)
        return rc;
    if (res.recovered_minor > 0) {
        rc = app_voucher_built(voucher_recovery(&vi, &ib.loss, res.recovered_minor, date, &v), e,
                               "recovery");
        if (!rc)
            rc = app_book(ax, &v, invoice_id, e);
        if (rc)
            return rc;
    }
    if (reversal > 0) {
        rc = app_voucher_built(voucher_expected_loss_reversal(&vi, reversal, date, &v), e,
                               "reversal");
        if (!rc)
            rc = app_book(ax, &v, invoice_id, e);
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
    vp.from_advances = from_advances;
    vp.via = source_via(source);
    vp.reference = reference ? reference : "";
    rc = app_voucher_built(voucher_payment(&vi, &vp, date, &v), e, "payment");
    if (!rc)
        rc = app_book(ax, &v, invoice_id, e);
    if (rc)
        return rc;
    res.voucher_year = v.year;
    res.voucher_number = v.number;

    rc =
        after_payment(ax, &inv, res.payment_id, v.year, v.number, amount_minor - res.overpaid_minor,
                      date, reference, source, &res.reported_to_agency, e);
    if (rc)
        return rc;
    rc = store_invoice_get(ax->store, ax->company_id, invoice_id, &inv);
    if (rc)
        return app_store_failed(ax, rc, e);
    res.remaining_minor = inv.remaining_minor;
    snprintf(message, sizeof(message), "%s",
             written_off               ? "Betalning efter konstaterad kundförlust"
             : res.overpaid_minor > 0  ? "Betalning registrerad (överbetalning)"
             : inv.remaining_minor > 0 ? "Delbetalning registrerad"
                                       : "Betalning registrerad");
    rc = app_history(
        ax, invoice_id, "payment", message,
        json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:s, s:s, s:o, s:b}", "payment_id",
                  (json_int_t)res.payment_id, "amount_minor", (json_int_t)amount_minor,
                  "capital_minor", (json_int_t)res.capital_minor, "fees_minor",
                  (json_int_t)res.fees_minor, "interest_minor", (json_int_t)res.interest_minor,
                  "overpaid_minor", (json_int_t)res.overpaid_minor, "recovered_minor",
                  (json_int_t)res.recovered_minor, "date", app_json_date(date), "reference",
                  reference ? reference : "", "source", store_payment_source_name(source),
                  "voucher", voucher_ref(res.voucher_year, res.voucher_number),
                  "reported_to_agency", res.reported_to_agency),
        e);
    if (rc)
        return rc;
    *out = res;
    return PM_OK;
}

enum pm_err app_payments_register(const struct app_ctx *ax, int64_t invoice_id, int32_t date,
                                  int64_t amount_minor, const char *reference,
                                  enum payment_source source, bool allow_overpayment,
                                  struct app_payment_result *out, struct app_error *e)
{
    return register_payment(ax, invoice_id, date, amount_minor, reference, source,
                            allow_overpayment, false, out, e);
}

enum pm_err app_payments_register_held(const struct app_ctx *ax, int64_t invoice_id, int32_t date,
                                       int64_t amount_minor, const char *reference,
                                       enum payment_source source, struct app_payment_result *out,
                                       struct app_error *e)
{
    return register_payment(ax, invoice_id, date, amount_minor, reference, source, true, true, out,
                            e);
}
