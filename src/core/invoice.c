/*
 * invoice.c — invoice totals, the ROT/RUT split, balance and status (see invoice.h).
 *
 * Part of core/: pure arithmetic on caller-owned structs, no I/O and no
 * allocation.  Every amount goes through the checked öre arithmetic and the
 * one rounding rule of money.c (half away from zero).
 *
 * Labour cost for ROT/RUT: the labour lines' net is summed per VAT rate and
 * the VAT of that per-rate sum is computed on its own, with the same rule as
 * the invoice's VAT.  The labour cost including VAT is what Skatteverket asks
 * for, and computing it from the labour lines alone keeps it independent of
 * the material on the same invoice; it can therefore differ by an öre from a
 * proportional share of the invoice's rounded VAT.
 */
#include "core/invoice.h"

#include <stdio.h>
#include <string.h>

#include "core/date.h"
#include "core/money.h"

#define INVOICE_MAX_LINES    1000
#define INVOICE_MAX_QUANTITY INT64_C(1000000000) /* 10^6 units in thousandths */
#define ROT_REDUCTION_BP     3000
#define ROT_TEMPORARY_BP     5000 /* invoices dated 2025-05-12 .. 2025-12-31 */
#define RUT_REDUCTION_BP     5000

enum pm_err invoice_kind_parse(const char *s, enum invoice_kind *out)
{
    if (!s)
        return PM_ERR_INVALID;
    if (strcmp(s, "standard") == 0)
        *out = INVOICE_STANDARD;
    else if (strcmp(s, "rot") == 0)
        *out = INVOICE_ROT;
    else if (strcmp(s, "rut") == 0)
        *out = INVOICE_RUT;
    else
        return PM_ERR_INVALID;
    return PM_OK;
}

const char *invoice_kind_name(enum invoice_kind kind)
{
    switch (kind) {
    case INVOICE_STANDARD:
        return "standard";
    case INVOICE_ROT:
        return "rot";
    case INVOICE_RUT:
        return "rut";
    }
    return "unknown";
}

enum pm_err invoice_zero_vat_parse(const char *s, enum invoice_zero_vat *out)
{
    if (!s)
        return PM_ERR_INVALID;
    if (!s[0])
        *out = ZERO_VAT_NONE;
    else if (strcmp(s, "construction") == 0)
        *out = ZERO_VAT_CONSTRUCTION;
    else if (strcmp(s, "goods") == 0)
        *out = ZERO_VAT_GOODS;
    else
        return PM_ERR_INVALID;
    return PM_OK;
}

const char *invoice_zero_vat_name(enum invoice_zero_vat z)
{
    switch (z) {
    case ZERO_VAT_NONE:
        return "";
    case ZERO_VAT_CONSTRUCTION:
        return "construction";
    case ZERO_VAT_GOODS:
        return "goods";
    }
    return "";
}

int invoice_reduction_bp(enum invoice_kind kind, int32_t invoice_date)
{
    int32_t temp_from = 0, temp_to = 0;

    switch (kind) {
    case INVOICE_STANDARD:
        return 0;
    case INVOICE_RUT:
        return RUT_REDUCTION_BP;
    case INVOICE_ROT:
        /* Constant, valid dates: these cannot fail. */
        (void)date_from_ymd(2025, 5, 12, &temp_from);
        (void)date_from_ymd(2025, 12, 31, &temp_to);
        if (invoice_date >= temp_from && invoice_date <= temp_to)
            return ROT_TEMPORARY_BP;
        return ROT_REDUCTION_BP;
    }
    return 0;
}

static bool within_money(int64_t v)
{
    return v >= -MONEY_MAX && v <= MONEY_MAX;
}

/* Add b to *acc, refusing results beyond MONEY_MAX. */
static enum pm_err add_amount(int64_t *acc, int64_t b)
{
    int64_t sum = 0;
    enum pm_err rc = money_add(*acc, b, &sum);

    if (rc)
        return rc;
    if (!within_money(sum))
        return PM_ERR_OVERFLOW;
    *acc = sum;
    return PM_OK;
}

static enum pm_err line_error(struct pm_error *e, enum pm_err rc, size_t i, const char *member,
                              const char *what)
{
    char field[64];

    if (member)
        snprintf(field, sizeof(field), "lines[%zu].%s", i, member);
    else
        snprintf(field, sizeof(field), "lines[%zu]", i);
    return pm_error_set(e, rc, field, "%s: %s", field, what);
}

static enum pm_err check_line(enum invoice_kind kind, const struct invoice_line *l, size_t i,
                              struct pm_error *e)
{
    if (l->quantity_milli <= 0 || l->quantity_milli > INVOICE_MAX_QUANTITY)
        return line_error(e, PM_ERR_RANGE, i, "quantity_milli",
                          "quantity must be greater than 0 and at most 1 000 000");
    if (!within_money(l->unit_price_minor))
        return line_error(e, PM_ERR_RANGE, i, "unit_price_minor", "unit price out of range");
    if (vat_index(l->vat_rate_bp) < 0)
        return line_error(e, PM_ERR_INVALID, i, "vat_rate_bp",
                          "VAT rate must be 25 %, 12 %, 6 % or 0 %");
    if (l->labour && kind == INVOICE_STANDARD)
        return line_error(e, PM_ERR_INVALID, i, "labour",
                          "labour lines are only allowed on ROT and RUT invoices");
    return PM_OK;
}

enum pm_err invoice_compute(enum invoice_kind kind, int32_t invoice_date,
                            const struct invoice_line *lines, size_t n, struct invoice_totals *out,
                            struct pm_error *e)
{
    enum pm_err rc = PM_OK;
    struct invoice_totals t;
    int64_t labour_net[VAT_RATES] = {0};
    int64_t labour_vat = 0, v = 0;
    int reduction_bp;

    memset(&t, 0, sizeof(t));
    if (kind != INVOICE_STANDARD && kind != INVOICE_ROT && kind != INVOICE_RUT) {
        rc = pm_error_set(e, PM_ERR_INVALID, "kind", "unknown invoice kind");
        goto out;
    }
    if (!lines || n < 1 || n > INVOICE_MAX_LINES) {
        rc = pm_error_set(e, PM_ERR_RANGE, "lines", "an invoice has 1 to %d lines",
                          INVOICE_MAX_LINES);
        goto out;
    }

    for (size_t i = 0; i < n; i++) {
        const struct invoice_line *l = &lines[i];
        int64_t net = 0;
        int r;

        rc = check_line(kind, l, i, e);
        if (rc)
            goto out;
        r = vat_index(l->vat_rate_bp);
        rc = money_mul_div(l->quantity_milli, l->unit_price_minor, 1000, &net);
        if (!rc && !within_money(net))
            rc = PM_ERR_OVERFLOW;
        if (!rc)
            rc = add_amount(&t.net_by_rate[r], net);
        if (!rc && l->labour)
            rc = add_amount(&labour_net[r], net);
        if (rc) {
            line_error(e, rc, i, NULL, "amount too large");
            goto out;
        }
    }

    for (int r = 0; r < VAT_RATES; r++) {
        rc = money_percent_bp(t.net_by_rate[r], vat_rates[r].bp, &t.vat_by_rate[r]);
        if (!rc)
            rc = add_amount(&t.net_minor, t.net_by_rate[r]);
        if (!rc)
            rc = add_amount(&t.vat_minor, t.vat_by_rate[r]);
        if (!rc)
            rc = money_percent_bp(labour_net[r], vat_rates[r].bp, &labour_vat);
        if (!rc)
            rc = add_amount(&t.labour_minor, labour_net[r]);
        if (!rc)
            rc = add_amount(&t.labour_minor, labour_vat);
        if (rc) {
            pm_error_set(e, rc, "lines", "invoice total too large");
            goto out;
        }
    }
    rc = add_amount(&t.total_minor, t.net_minor);
    if (!rc)
        rc = add_amount(&t.total_minor, t.vat_minor);
    if (rc) {
        pm_error_set(e, rc, "lines", "invoice total too large");
        goto out;
    }
    if (t.total_minor <= 0) {
        rc = pm_error_set(e, PM_ERR_RANGE, "lines", "the invoice total must be greater than zero");
        goto out;
    }
    if (t.labour_minor < 0) {
        rc = pm_error_set(e, PM_ERR_RANGE, "lines",
                          "the labour lines must not sum to less than zero");
        goto out;
    }

    reduction_bp = invoice_reduction_bp(kind, invoice_date);
    rc = money_percent_bp(t.labour_minor, reduction_bp, &t.tax_reduction_minor);
    if (!rc)
        rc = money_sub(t.total_minor, t.tax_reduction_minor, &v);
    if (rc) {
        pm_error_set(e, rc, "lines", "tax reduction out of range");
        goto out;
    }
    if (v < 0) {
        rc = pm_error_set(e, PM_ERR_RANGE, "lines",
                          "the tax reduction must not exceed the invoice total");
        goto out;
    }
    t.customer_part_minor = v;
    *out = t;
out:
    return rc;
}

const char *invoice_status_name(enum invoice_status st)
{
    switch (st) {
    case INVOICE_UNPAID:
        return "unpaid";
    case INVOICE_OVERDUE:
        return "overdue";
    case INVOICE_PAID:
        return "paid";
    case INVOICE_WRITTEN_OFF:
        return "written_off";
    case INVOICE_CREDITED:
        return "credited";
    }
    return "unknown";
}

enum pm_err invoice_remaining(const struct invoice_balance *b, int64_t *out)
{
    enum pm_err rc = PM_OK;
    int64_t v = 0;

    if (!b || !out) {
        rc = PM_ERR_INVALID;
        goto out;
    }
    rc = money_sub(b->customer_part_minor, b->paid_minor, &v);
    if (rc)
        goto out;
    rc = money_sub(v, b->credited_minor, &v);
    if (rc)
        goto out;
    *out = v;
out:
    return rc;
}

/*
 * Precedence: a confirmed loss wins; then a credit note covering the whole
 * customer part with nothing paid (with a payment too, the invoice counts
 * as paid and the over-payment shows as a negative remaining to refund);
 * then the balance; then the due date.
 */
enum invoice_status invoice_status_of(const struct invoice_balance *b, int32_t today)
{
    int64_t remaining = 0;

    if (b->written_off)
        return INVOICE_WRITTEN_OFF;
    if (b->credited_minor > 0 && b->credited_minor >= b->customer_part_minor && b->paid_minor == 0)
        return INVOICE_CREDITED;
    /* An overflow here means absurd inputs; treat as settled rather than overdue. */
    if (invoice_remaining(b, &remaining) || remaining <= 0)
        return INVOICE_PAID;
    if (today > b->due_date)
        return INVOICE_OVERDUE;
    return INVOICE_UNPAID;
}

int32_t invoice_days_overdue(int32_t due_date, int32_t today)
{
    int64_t days = (int64_t)today - due_date;

    if (days <= 0)
        return 0;
    return days > INT32_MAX ? INT32_MAX : (int32_t)days;
}

/* ---- the state kept with every invoice ---- */

enum invoice_state invoice_state_derive(enum invoice_state current, int64_t remaining, int64_t paid,
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

/* remaining and state of b (paid as given), errors on `field`. */
static enum pm_err standing_of(const struct invoice_balance *b, const char *field,
                               struct invoice_standing *out, struct pm_error *e)
{
    enum pm_err rc = invoice_remaining(b, &out->remaining_minor);

    if (rc)
        return pm_error_set(e, rc, field, "amounts overflow");
    out->paid_minor = b->paid_minor;
    out->state =
        invoice_state_derive(b->written_off ? INVOICE_STATE_WRITTEN_OFF : INVOICE_STATE_OPEN,
                             out->remaining_minor, b->paid_minor, b->credited_minor);
    return PM_OK;
}

enum pm_err invoice_standing_new(const struct invoice_balance *b, struct invoice_standing *out,
                                 struct pm_error *e)
{
    return standing_of(b, "customer_part_minor", out, e);
}

enum pm_err invoice_payment_check(int64_t amount_minor, struct pm_error *e)
{
    if (amount_minor <= 0 || amount_minor > MONEY_MAX)
        return pm_error_set(e, PM_ERR_RANGE, "amount_minor", "a payment is a positive amount");
    return PM_OK;
}

enum pm_err invoice_standing_paid(const struct invoice_balance *b, int64_t amount_minor,
                                  struct invoice_standing *out, struct pm_error *e)
{
    struct invoice_balance after = *b;
    enum pm_err rc = invoice_payment_check(amount_minor, e);

    if (rc)
        return rc;
    rc = money_add(b->paid_minor, amount_minor, &after.paid_minor);
    if (rc)
        return pm_error_set(e, rc, "amount_minor", "amounts overflow");
    return standing_of(&after, "amount_minor", out, e);
}

/* ---- what the list's filters select ---- */

bool invoice_is_unpaid(enum invoice_state state)
{
    return state == INVOICE_STATE_OPEN;
}

bool invoice_is_overdue(enum invoice_state state, int32_t due_date, int32_t today)
{
    return invoice_is_unpaid(state) && due_date < today;
}

enum pm_err invoice_filter_selection(enum invoice_filter filter, struct invoice_selection *out)
{
    memset(out, 0, sizeof(*out));
    switch (filter) {
    case FILTER_ALL:
        return PM_OK;
    case FILTER_UNPAID:
    case FILTER_OVERDUE: /* unpaid, and past due */
        out->by_state = true;
        out->state = INVOICE_STATE_OPEN;
        out->past_due = filter == FILTER_OVERDUE;
        return PM_OK;
    case FILTER_AGENCY:
        out->handed_over = true;
        return PM_OK;
    case FILTER_PAID:
        out->by_state = true;
        out->state = INVOICE_STATE_PAID;
        return PM_OK;
    case FILTER_WRITTEN_OFF:
        out->by_state = true;
        out->state = INVOICE_STATE_WRITTEN_OFF;
        out->or_expected_loss = true;
        return PM_OK;
    case FILTER_COUNT:
        break;
    }
    return PM_ERR_INVALID;
}

bool invoice_filter_matches(enum invoice_filter filter, enum invoice_state state, int32_t due_date,
                            bool handed_over, bool expected_loss, int32_t today)
{
    struct invoice_selection sel;

    if (invoice_filter_selection(filter, &sel))
        return false;
    return (!sel.by_state || state == sel.state || (sel.or_expected_loss && expected_loss)) &&
           (!sel.past_due || due_date < today) && (!sel.handed_over || handed_over);
}
