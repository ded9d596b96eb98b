/*
 * agency_payout.c — the vouchers of a payout from Visma Amili (see
 * agency_payout.h for which vouchers and why).
 *
 * Runs inside the status sync's transaction for one payout: it reads the
 * invoices and their loss facts, writes the vouchers and the grown
 * invoice_books row, and leaves commit or rollback to the caller.
 */
#include "agency/agency_payout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/money.h"
#include "core/voucher.h"
#include "store/store.h"
#include "store/store_books.h"

/* What every voucher of one payout shares. */
struct payout_books {
    struct store *st;
    int64_t company_id;
    const char *payout_id;
    int32_t date;
    int64_t created_at;
    bool cash_method;
    size_t booked;
    struct pm_error *e;
};

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

/* A builder's failure: the voucher cannot be made from these facts. */
static enum pm_err built(struct payout_books *pb, enum pm_err rc, const char *what)
{
    if (rc)
        pm_error_set(pb->e, rc, "payout", "payout %s: cannot build the %s voucher (%s)",
                     pb->payout_id, what, pm_err_name(rc));
    return rc;
}

static enum pm_err store_failed(struct payout_books *pb, enum pm_err rc)
{
    const struct pm_error *se = store_error(pb->st);

    pm_error_set(pb->e, rc, se->field, "payout %s: %s", pb->payout_id, se->message);
    return rc;
}

static enum pm_err book(struct payout_books *pb, struct voucher *v, int64_t invoice_id)
{
    enum pm_err rc;

    v->company_id = pb->company_id;
    v->invoice_id = invoice_id;
    v->created_at = pb->created_at;
    rc = store_books_voucher_insert(pb->st, v);
    if (rc)
        return store_failed(pb, rc);
    pb->booked++;
    return PM_OK;
}

/* Line i as the books see it; PM_ERR_INVALID with the reason. */
static enum pm_err line_of(struct payout_books *pb, const struct agency_payout_line *l,
                           struct payout_line *out)
{
    memset(out, 0, sizeof(*out));
    if (voucher_payout_category_parse(l->finance_category, &out->category))
        return pm_error_set(pb->e, PM_ERR_INVALID, "finance_category",
                            "payout %s line %d: unknown finance_category \"%s\"", pb->payout_id,
                            l->line_no, l->finance_category);
    out->amount_minor = l->amount_minor;
    out->vat_minor = l->vat_minor;
    if (out->category != PAYOUT_COMMISSION && out->vat_minor)
        return pm_error_set(pb->e, PM_ERR_INVALID, "vat_amount", "payout %s line %d: VAT on %s",
                            pb->payout_id, l->line_no, l->finance_category);
    if ((out->category == PAYOUT_COMMISSION && (out->amount_minor > 0 || out->vat_minor > 0)) ||
        (out->category == PAYOUT_CAPITAL && out->amount_minor < 0))
        return pm_error_set(pb->e, PM_ERR_INVALID, "amount",
                            "payout %s line %d: %s with the wrong sign", pb->payout_id, l->line_no,
                            l->finance_category);
    return PM_OK;
}

/* Every line bookable, and the payout as a whole pays something out. */
static enum pm_err check_lines(struct payout_books *pb, const struct agency_payout_line *lines,
                               size_t n)
{
    struct payout_line pl;
    int64_t total = 0;
    enum pm_err rc = PM_OK;
    size_t i;

    for (i = 0; !rc && i < n; i++) {
        rc = line_of(pb, &lines[i], &pl);
        if (!rc)
            rc = money_add(total, pl.amount_minor, &total);
        if (!rc)
            rc = money_add(total, pl.vat_minor, &total);
    }
    if (!rc && total <= 0)
        rc = pm_error_set(pb->e, PM_ERR_RANGE, "amount", "payout %s pays out nothing",
                          pb->payout_id);
    return rc;
}

/* The invoice's totals per VAT rate and market into vi (whose number and
 * name are set): for the net part of its capital. */
static enum pm_err invoice_facts(struct payout_books *pb, const struct invoice *inv,
                                 struct voucher_invoice *vi)
{
    struct invoice_line_row *rows = calloc(STORE_LINES_MAX, sizeof(*rows));
    struct invoice_line *ls = calloc(STORE_LINES_MAX, sizeof(*ls));
    struct customer cu;
    size_t n = 0, i;
    enum pm_err rc = PM_OK;

    if (!rows || !ls) {
        rc = pm_error_set(pb->e, PM_ERR_NOMEM, "", "out of memory");
        goto out_free;
    }
    rc = store_invoice_lines(pb->st, pb->company_id, inv->id, rows, STORE_LINES_MAX, &n);
    if (!rc)
        rc = store_customer_get(pb->st, pb->company_id, inv->customer_id, &cu);
    if (rc) {
        store_failed(pb, rc);
        goto out_free;
    }
    for (i = 0; i < n; i++)
        ls[i] = rows[i].line;
    rc = invoice_compute(inv->kind, inv->invoice_date, ls, n, &vi->totals, pb->e);
    vi->market = voucher_market_of(cu.country);
out_free:
    free(ls);
    free(rows);
    return rc;
}

/* The part of an expected loss (net) that capital paid out covers. */
static enum pm_err expected_reversal(struct payout_books *pb, const struct invoice *inv,
                                     struct voucher_invoice *vi, const struct invoice_books *ib,
                                     int64_t capital, int64_t *out)
{
    struct voucher_loss part;
    enum pm_err rc;

    *out = ib->expected_loss_minor;
    if (inv->remaining_minor <= 0)
        return PM_OK; /* paid: nothing is left to expect a loss on */
    rc = invoice_facts(pb, inv, vi);
    if (!rc)
        rc = built(pb, voucher_loss_split(vi, capital, &part), "expected loss reversal");
    if (!rc)
        *out = min64(part.net_minor, ib->expected_loss_minor);
    return rc;
}

/* Before the payout voucher of an invoice: undo what its customer loss
 * wrote off, for the capital paid out. */
static enum pm_err loss_vouchers(struct payout_books *pb, const struct invoice *inv,
                                 struct voucher_invoice *vi, int64_t capital)
{
    struct invoice_books ib;
    struct voucher v;
    int64_t amount = 0;
    enum pm_err rc;

    rc = store_books_invoice_get(pb->st, pb->company_id, inv->id, &ib);
    if (rc)
        return store_failed(pb, rc);
    if (ib.loss.gross_minor > 0) {
        amount = min64(capital, voucher_loss_customer_part(&ib.loss) - ib.recovered_minor);
        if (amount <= 0)
            return PM_OK;
        rc = built(pb, voucher_recovery(vi, &ib.loss, amount, pb->date, &v), "recovery");
        ib.recovered_minor += amount;
    } else if (ib.expected_loss_minor > 0) {
        rc = expected_reversal(pb, inv, vi, &ib, capital, &amount);
        if (rc || amount <= 0)
            return rc;
        rc = built(pb, voucher_expected_loss_reversal(vi, amount, pb->date, &v),
                   "expected loss reversal");
        ib.expected_loss_minor -= amount;
    } else {
        return PM_OK;
    }
    if (!rc)
        rc = book(pb, &v, inv->id);
    if (!rc) {
        rc = store_books_invoice_put(pb->st, &ib);
        if (rc)
            store_failed(pb, rc);
    }
    return rc;
}

/* Cash method: the capital is sales and VAT now, booked as a payment. */
static enum pm_err cash_capital(struct payout_books *pb, const struct invoice *inv,
                                struct voucher_invoice *vi, int64_t capital)
{
    struct voucher_payment p;
    struct voucher v;
    enum pm_err rc;

    memset(&p, 0, sizeof(p));
    p.amount_minor = capital;
    p.capital_minor = capital;
    p.cash_method = true;
    p.via = "Visma Amili";
    p.reference = pb->payout_id;
    rc = invoice_facts(pb, inv, vi);
    if (!rc)
        rc = built(pb, voucher_payment(vi, &p, pb->date, &v), "payment");
    if (!rc)
        rc = book(pb, &v, inv->id);
    return rc;
}

/* The lines of invoice_id (0: of no invoice of ours) into pl[0..*k), and
 * their capital. */
static enum pm_err lines_of(struct payout_books *pb, const struct agency_payout_line *lines,
                            size_t n, int64_t invoice_id, struct payout_line *pl, size_t *k,
                            int64_t *capital)
{
    enum pm_err rc = PM_OK;
    size_t i;

    *k = 0;
    *capital = 0;
    for (i = 0; !rc && i < n; i++) {
        if (lines[i].invoice_id != invoice_id)
            continue;
        rc = line_of(pb, &lines[i], &pl[*k]); /* all checked by check_lines() */
        if (!rc && pl[*k].category == PAYOUT_CAPITAL)
            rc = money_add(*capital, pl[*k].amount_minor, capital);
        (*k)++;
    }
    return rc;
}

/* Drop the capital lines (booked apart for the cash method). */
static size_t without_capital(struct payout_line *pl, size_t k)
{
    size_t i, m = 0;

    for (i = 0; i < k; i++)
        if (pl[i].category != PAYOUT_CAPITAL)
            pl[m++] = pl[i];
    return m;
}

static bool all_zero(const struct payout_line *pl, size_t k)
{
    size_t i;

    for (i = 0; i < k; i++)
        if (pl[i].amount_minor || pl[i].vat_minor)
            return false;
    return true;
}

/* The vouchers of one invoice's lines (invoice_id 0: lines of none). */
static enum pm_err book_invoice(struct payout_books *pb, const struct agency_payout_line *lines,
                                size_t n, int64_t invoice_id, struct payout_line *pl)
{
    struct voucher_invoice vi;
    struct invoice inv;
    struct voucher v;
    int64_t capital = 0;
    size_t k = 0;
    enum pm_err rc;

    memset(&vi, 0, sizeof(vi));
    rc = lines_of(pb, lines, n, invoice_id, pl, &k, &capital);
    if (rc == PM_ERR_OVERFLOW)
        built(pb, rc, "payout");
    if (!rc && invoice_id) {
        rc = store_invoice_get(pb->st, pb->company_id, invoice_id, &inv);
        if (rc)
            return store_failed(pb, rc);
        vi.number = inv.number;
        vi.customer_name = inv.customer_name;
        if (capital > 0 && !pb->cash_method)
            rc = loss_vouchers(pb, &inv, &vi, capital);
        if (!rc && capital > 0 && pb->cash_method) {
            rc = cash_capital(pb, &inv, &vi, capital);
            k = without_capital(pl, k);
        }
    }
    if (rc)
        return rc;
    if (all_zero(pl, k))
        return PM_OK;
    rc = built(pb, voucher_agency_payout(pl, k, pb->payout_id, pb->date, &v), "payout");
    if (!rc && invoice_id)
        snprintf(v.text, sizeof(v.text), "Utbetalning Visma Amili %s faktura %lld", pb->payout_id,
                 (long long)vi.number);
    if (!rc)
        rc = book(pb, &v, invoice_id);
    return rc;
}

/* Whether lines[i] is the first to name its invoice. */
static bool first_of_invoice(const struct agency_payout_line *lines, size_t i)
{
    size_t j;

    for (j = 0; j < i; j++)
        if (lines[j].invoice_id == lines[i].invoice_id)
            return false;
    return true;
}

enum pm_err agency_payout_book(struct store *st, int64_t company_id, const char *payout_id,
                               const struct agency_payout_line *lines, size_t n, int32_t date,
                               int64_t created_at, size_t *booked, struct pm_error *e)
{
    struct payout_books pb = {.st = st,
                              .company_id = company_id,
                              .payout_id = payout_id,
                              .date = date,
                              .created_at = created_at,
                              .e = e};
    struct payout_line *pl = NULL;
    struct company co;
    enum pm_err rc;
    size_t i;

    *booked = 0;
    rc = check_lines(&pb, lines, n);
    if (rc)
        return rc;
    rc = store_company_get(st, company_id, &co);
    if (rc)
        return store_failed(&pb, rc);
    pb.cash_method = co.accounting_method == ACCOUNTING_CASH;
    pl = calloc(n, sizeof(*pl));
    if (!pl)
        return pm_error_set(e, PM_ERR_NOMEM, "", "out of memory");
    for (i = 0; !rc && i < n; i++)
        if (first_of_invoice(lines, i))
            rc = book_invoice(&pb, lines, n, lines[i].invoice_id, pl);
    free(pl);
    *booked = pb.booked;
    return rc;
}
