/*
 * statement.c — a customer statement's open items, their interest and
 * totals (see statement.h).
 *
 * Part of core/: pure.  The interest is interest_compute_paused() on the
 * invoice's customer part with the moves up to the statement's date as
 * capital changes, exactly as a reminder computes it.
 */
#include "core/statement.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/idnum.h"
#include "core/money.h"

/* What the moves up to as_of paid and credited, and their capital changes
 * into ch[] (*n of them). */
static enum pm_err moves_to(const struct statement_invoice *inv, int32_t as_of,
                            struct capital_change *ch, size_t *n, int64_t *paid, int64_t *credited,
                            int64_t *interest_paid)
{
    enum pm_err rc = PM_OK;
    size_t i;

    *n = 0;
    *paid = *credited = *interest_paid = 0;
    for (i = 0; i < inv->n_moves && !rc; i++) {
        const struct statement_move *m = &inv->moves[i];

        if (m->date > as_of)
            continue;
        if (m->kind == STATEMENT_CREDIT) {
            rc = money_add(*credited, m->amount_minor, credited);
            ch[*n].date = inv->due_date; /* a correction: from the first interest day */
        } else {
            rc = money_add(*paid, m->amount_minor, paid);
            if (!rc)
                rc = money_add(*interest_paid, m->interest_minor, interest_paid);
            ch[*n].date = m->date;
        }
        if (m->amount_minor != 0)
            ch[(*n)++].amount_minor = -m->amount_minor;
    }
    return rc;
}

/* Interest accrued to as_of on what is left, less what was paid of it. */
static enum pm_err interest_of(const struct rate_table *rates, const struct statement_invoice *inv,
                               int32_t as_of, const struct capital_change *ch, size_t n,
                               int64_t interest_paid, struct statement_item *out)
{
    struct interest_result r;
    enum pm_err rc;

    if (inv->no_interest || as_of <= inv->due_date)
        return PM_OK;
    rc = interest_compute_paused(rates, inv->amount_minor, inv->due_date, as_of, ch, n, inv->pauses,
                                 inv->n_pauses, &r);
    if (rc == PM_ERR_UNKNOWN_RATE) {
        /* no day of the period has a known rate */
        out->rate_unknown = true;
        out->unknown_from = inv->due_date + 1;
        return PM_OK;
    }
    if (rc)
        return rc;
    out->interest_days = r.days;
    out->rate_bp = r.days > 0 ? r.last_rate_bp : 0;
    out->rate_unknown = r.rate_unknown;
    out->unknown_from = r.rate_unknown ? r.unknown_from : 0;
    out->interest_minor = r.amount_minor > interest_paid ? r.amount_minor - interest_paid : 0;
    out->estimate_minor = r.rate_unknown && r.estimate_minor > interest_paid
                              ? r.estimate_minor - interest_paid
                              : out->interest_minor;
    return PM_OK;
}

enum pm_err statement_item_compute(const struct rate_table *rates,
                                   const struct statement_invoice *inv, int32_t as_of,
                                   struct statement_item *out, bool *open)
{
    struct capital_change *ch = NULL;
    int64_t paid = 0, credited = 0, interest_paid = 0;
    size_t n = 0;
    enum pm_err rc;

    *open = false;
    memset(out, 0, sizeof(*out));
    out->invoice_id = inv->invoice_id;
    out->number = inv->number;
    out->invoice_date = inv->invoice_date;
    out->due_date = inv->due_date;
    out->amount_minor = inv->amount_minor;
    if (inv->invoice_date > as_of)
        return PM_OK; /* not issued yet on that date */
    ch = calloc(inv->n_moves ? inv->n_moves : 1, sizeof(*ch));
    if (!ch)
        return PM_ERR_NOMEM;
    rc = moves_to(inv, as_of, ch, &n, &paid, &credited, &interest_paid);
    if (!rc)
        rc = money_sub(inv->amount_minor, paid, &out->remaining_minor);
    if (!rc)
        rc = money_sub(out->remaining_minor, credited, &out->remaining_minor);
    out->paid_minor = paid;
    out->credited_minor = credited;
    if (!rc && out->remaining_minor > 0) {
        *open = true;
        out->days_overdue = as_of > inv->due_date ? as_of - inv->due_date : 0;
        rc = interest_of(rates, inv, as_of, ch, n, interest_paid, out);
        if (!rc)
            rc = statement_ocr(inv->number, out->ocr, sizeof(out->ocr));
    }
    free(ch);
    return rc;
}

enum pm_err statement_totals_add(struct statement_totals *t, const struct statement_item *item)
{
    int64_t total;
    enum pm_err rc;

    rc = money_add(t->remaining_minor, item->remaining_minor, &t->remaining_minor);
    if (!rc)
        rc = money_add(t->interest_minor, item->interest_minor, &t->interest_minor);
    if (!rc && item->days_overdue > 0)
        rc = money_add(t->overdue_minor, item->remaining_minor, &t->overdue_minor);
    if (!rc)
        rc = money_add(t->remaining_minor, t->interest_minor, &total);
    if (rc)
        return rc;
    t->total_minor = total;
    t->items++;
    t->rate_unknown = t->rate_unknown || item->rate_unknown;
    return PM_OK;
}

void statement_default_period(int32_t as_of, int32_t *from, int32_t *to)
{
    int32_t back = as_of - 92;

    if (date_add_months(as_of, -3, &back) != PM_OK)
        back = as_of - 92;
    *from = back + 1;
    *to = as_of;
}

enum pm_err statement_period_check(int32_t from, int32_t to, struct pm_error *e)
{
    if (from > to)
        return pm_error_set(e, PM_ERR_INVALID, "from", "the period's start is after its end (to)");
    return PM_OK;
}

enum pm_err statement_ocr(int64_t number, char *dst, size_t cap)
{
    char base[24];

    if (number <= 0)
        return PM_ERR_INVALID;
    snprintf(base, sizeof(base), "%lld", (long long)number);
    return ocr_make(base, true, dst, cap);
}
