/*
 * credit_note.c — the amounts and the voucher of a credit note (see
 * credit_note.h).
 *
 * Part of core/: pure.
 */
#include "core/credit_note.h"

#include <stdio.h>
#include <string.h>

#include "core/money.h"

/* A refusal on "rates[BP]": what is wrong, then the amount a. */
static enum pm_err rate_error(struct pm_error *e, enum pm_err rc, int i, const char *what,
                              int64_t a)
{
    char field[32], text[MONEY_FORMAT_MAX];

    snprintf(field, sizeof(field), "rates[%d]", vat_rates[i].bp);
    money_format(a, text, sizeof(text));
    return pm_error_set(e, rc, field, "%s%s", what, text);
}

/* gross = nets + VAT; customer = gross - tax reduction. */
static enum pm_err sum_up(struct credit_note_amounts *out)
{
    int64_t gross = 0;
    enum pm_err rc = PM_OK;
    int i;

    for (i = 0; !rc && i < VAT_RATES; i++) {
        rc = money_add(gross, out->net_by_rate[i], &gross);
        if (!rc)
            rc = money_add(gross, out->vat_by_rate[i], &gross);
    }
    out->total_minor = gross;
    if (!rc)
        rc = money_sub(gross, out->tax_reduction_minor, &out->customer_part_minor);
    return rc;
}

/* All that earlier credit notes left of the invoice. */
static enum pm_err take_rest(const struct invoice_totals *inv, const struct credit_note_amounts *b,
                             struct credit_note_amounts *out)
{
    int i;

    for (i = 0; i < VAT_RATES; i++) {
        out->net_by_rate[i] = inv->net_by_rate[i] - b->net_by_rate[i];
        out->vat_by_rate[i] = inv->vat_by_rate[i] - b->vat_by_rate[i];
    }
    out->tax_reduction_minor = inv->tax_reduction_minor - b->tax_reduction_minor;
    return sum_up(out);
}

static enum pm_err free_standing(const struct credit_note_request *req,
                                 struct credit_note_amounts *out, struct pm_error *e)
{
    enum pm_err rc = PM_OK;
    int i;

    if (!req->by_rates)
        return pm_error_set(e, PM_ERR_INVALID, "rates",
                            "a credit note without an invoice is given by VAT rate");
    for (i = 0; !rc && i < VAT_RATES; i++) {
        if (req->net_by_rate[i] < 0 || req->net_by_rate[i] > MONEY_MAX)
            return rate_error(e, PM_ERR_RANGE, i, "the net must lie in 0 .. ", MONEY_MAX);
        out->net_by_rate[i] = req->net_by_rate[i];
        rc = money_percent_bp(req->net_by_rate[i], vat_rates[i].bp, &out->vat_by_rate[i]);
    }
    if (!rc)
        rc = sum_up(out);
    if (rc)
        return pm_error_set(e, rc, "rates", "the amounts overflow");
    if (out->total_minor <= 0)
        return pm_error_set(e, PM_ERR_RANGE, "rates", "nothing to credit");
    return PM_OK;
}

static enum pm_err by_rates(const struct invoice_totals *inv, const struct credit_note_amounts *b,
                            const struct credit_note_request *req, struct credit_note_amounts *out,
                            struct pm_error *e)
{
    bool complete = true;
    enum pm_err rc = PM_OK;
    int64_t rate_left;
    int i;

    for (i = 0; i < VAT_RATES; i++) {
        rate_left = inv->net_by_rate[i] - b->net_by_rate[i];
        if (req->net_by_rate[i] < 0)
            return rate_error(e, PM_ERR_RANGE, i, "the net must not be negative, not ",
                              req->net_by_rate[i]);
        if (req->net_by_rate[i] > 0 && req->net_by_rate[i] > rate_left)
            return rate_error(e, PM_ERR_RANGE, i,
                              "more than this rate's net left to credit on the invoice, ",
                              rate_left > 0 ? rate_left : 0);
        if (req->net_by_rate[i] != rate_left)
            complete = false;
    }
    if (complete)
        return take_rest(inv, b, out);
    for (i = 0; !rc && i < VAT_RATES; i++) {
        out->net_by_rate[i] = req->net_by_rate[i];
        rc = money_percent_bp(req->net_by_rate[i], vat_rates[i].bp, &out->vat_by_rate[i]);
    }
    if (!rc)
        rc = sum_up(out);
    if (!rc && inv->tax_reduction_minor > 0 && inv->total_minor > 0)
        rc = money_mul_div(out->total_minor, inv->tax_reduction_minor, inv->total_minor,
                           &out->tax_reduction_minor);
    if (!rc)
        rc = sum_up(out);
    return rc ? pm_error_set(e, rc, "rates", "the amounts overflow") : PM_OK;
}

static enum pm_err by_amount(const struct invoice_totals *inv, const struct credit_note_amounts *b,
                             int64_t amount, struct credit_note_amounts *out, struct pm_error *e)
{
    int64_t gross = amount, rest;
    enum pm_err rc = PM_OK;
    int i, largest = 0;

    if (amount == inv->customer_part_minor - b->customer_part_minor)
        return take_rest(inv, b, out);
    if (inv->total_minor <= 0 || inv->customer_part_minor <= 0)
        return pm_error_set(e, PM_ERR_RANGE, "amount_minor", "the invoice has nothing to credit");
    if (inv->tax_reduction_minor > 0)
        rc = money_mul_div(amount, inv->tax_reduction_minor, inv->customer_part_minor,
                           &out->tax_reduction_minor);
    if (!rc)
        rc = money_add(gross, out->tax_reduction_minor, &gross);
    rest = gross;
    for (i = 0; !rc && i < VAT_RATES; i++) {
        rc = money_mul_div(gross, inv->vat_by_rate[i], inv->total_minor, &out->vat_by_rate[i]);
        if (!rc)
            rc = money_mul_div(gross, inv->net_by_rate[i], inv->total_minor, &out->net_by_rate[i]);
        rest -= out->vat_by_rate[i] + out->net_by_rate[i];
        if (inv->net_by_rate[i] > inv->net_by_rate[largest])
            largest = i;
    }
    if (rc)
        return pm_error_set(e, rc, "amount_minor", "the amounts overflow");
    out->net_by_rate[largest] += rest;
    rc = sum_up(out);
    for (i = 0; !rc && i < VAT_RATES; i++) {
        if (out->net_by_rate[i] > inv->net_by_rate[i] - b->net_by_rate[i] ||
            out->vat_by_rate[i] > inv->vat_by_rate[i] - b->vat_by_rate[i])
            return pm_error_set(e, PM_ERR_RANGE, "amount_minor",
                                "earlier credit notes took this VAT rate's part: credit by VAT "
                                "rate instead");
    }
    return rc ? pm_error_set(e, rc, "amount_minor", "the amounts overflow") : PM_OK;
}

enum pm_err credit_note_compute(const struct invoice_totals *inv,
                                const struct credit_note_amounts *before,
                                const struct credit_note_request *req, int64_t left_minor,
                                struct credit_note_amounts *out, struct pm_error *e)
{
    static const struct credit_note_amounts none;
    const struct credit_note_amounts *b = before ? before : &none;
    char left_text[MONEY_FORMAT_MAX], text[MONEY_FORMAT_MAX];
    enum pm_err rc;

    memset(out, 0, sizeof(*out));
    if (!inv)
        return free_standing(req, out, e);
    if (left_minor < 0)
        left_minor = 0;
    money_format(left_minor, left_text, sizeof(left_text));
    if (!req->by_rates) {
        if (req->customer_minor <= 0 || req->customer_minor > left_minor)
            return pm_error_set(e, PM_ERR_RANGE, "amount_minor",
                                "the amount must be more than 0 and at most what is left on the "
                                "invoice, %s",
                                left_text);
        return by_amount(inv, b, req->customer_minor, out, e);
    }
    rc = by_rates(inv, b, req, out, e);
    if (rc)
        return rc;
    if (out->total_minor <= 0)
        return pm_error_set(e, PM_ERR_RANGE, "rates", "nothing to credit");
    if (out->customer_part_minor > left_minor) {
        money_format(out->customer_part_minor, text, sizeof(text));
        return pm_error_set(e, PM_ERR_RANGE, "rates",
                            "the credit note credits the customer %s; only %s is left on the "
                            "invoice",
                            text, left_text);
    }
    return PM_OK;
}

enum pm_err credit_note_add(struct credit_note_amounts *sum, const struct credit_note_amounts *a)
{
    enum pm_err rc = PM_OK;
    int i;

    for (i = 0; !rc && i < VAT_RATES; i++) {
        rc = money_add(sum->net_by_rate[i], a->net_by_rate[i], &sum->net_by_rate[i]);
        if (!rc)
            rc = money_add(sum->vat_by_rate[i], a->vat_by_rate[i], &sum->vat_by_rate[i]);
    }
    if (!rc)
        rc = money_add(sum->total_minor, a->total_minor, &sum->total_minor);
    if (!rc)
        rc = money_add(sum->tax_reduction_minor, a->tax_reduction_minor, &sum->tax_reduction_minor);
    if (!rc)
        rc = money_add(sum->customer_part_minor, a->customer_part_minor, &sum->customer_part_minor);
    return rc;
}

enum pm_err voucher_credit_note(const struct voucher_invoice *inv,
                                const struct credit_note_amounts *a, int64_t number, int32_t date,
                                struct voucher *out)
{
    char text[VOUCHER_TEXT_MAX];
    enum pm_err rc = PM_OK;
    int i;

    if (inv->number)
        snprintf(text, sizeof(text), "Kreditfaktura %lld avser faktura %lld %s", (long long)number,
                 (long long)inv->number, inv->customer_name ? inv->customer_name : "");
    else
        snprintf(text, sizeof(text), "Kreditfaktura %lld %s", (long long)number,
                 inv->customer_name ? inv->customer_name : "");
    voucher_init(out, date, "credit_note", text);
    for (i = 0; !rc && i < VAT_RATES; i++) {
        rc = voucher_debit(out, voucher_sales_account(inv, i), a->net_by_rate[i]);
        if (!rc && a->vat_by_rate[i])
            rc = vat_rates[i].output_vat_account
                     ? voucher_debit(out, vat_rates[i].output_vat_account, a->vat_by_rate[i])
                     : PM_ERR_INTERNAL;
    }
    if (!rc)
        rc = voucher_credit(out, ACC_RECEIVABLES, a->customer_part_minor);
    if (!rc)
        rc = voucher_credit(out, ACC_RECEIVABLES_TAX_REDUCTION, a->tax_reduction_minor);
    if (!rc && !voucher_balanced(out))
        rc = PM_ERR_INTERNAL;
    return rc;
}
