/*
 * app_bankfile.c — the BgMax and camt.054 imports: refuse the file whole
 * or match and book every payment in it (see app_bankfile.h).
 *
 * Part of src/app.  Both formats are read into core/bgmax.h's structure
 * (BgMax by core/bgmax.c, camt.054 by bank/camt054.c), and everything
 * after the parse is shared; each matched amount is registered by
 * app_payments_register(), so a payment from a file is booked exactly as
 * one registered by hand.
 */
#include "app/app_bankfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_payments.h"
#include "bank/camt054.h"
#include "core/date.h"
#include "core/idnum.h"
#include "core/money.h"
#include "store/store_books.h"
#include "store/store_unmatched.h"
#include "util/clock.h"

static enum pm_err nomem(struct app_error *e)
{
    return app_error_set(e, PM_ERR_NOMEM, "internal_error", NULL);
}

void app_bgmax_report_release(struct app_bgmax_report *rep)
{
    free(rep->matched);
    free(rep->unmatched);
    free(rep->deductions);
    free(rep->payer_overpayments);
    bgmax_file_release(&rep->file);
    memset(rep, 0, sizeof(*rep));
}

/* The invoice with this number, if any. */
static enum pm_err invoice_by_number(const struct app_ctx *ax, const char *digits,
                                     struct invoice *out, bool *found, struct app_error *e)
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
    q.today = ax->today;
    q.q = digits;
    q.limit = 1;
    rc = store_invoice_list(ax->store, ax->company_id, &q, out, 1, &n);
    if (rc)
        return app_store_failed(ax, rc, e);
    *found = n == 1 && out->number > 0;
    return PM_OK;
}

/* One token of digits: our OCR (invoice number + length digit + check
 * digit), or, unless ocr_only, an invoice number written out. */
static enum pm_err resolve_token(const struct app_ctx *ax, const char *tok, size_t n, bool ocr_only,
                                 struct invoice *inv, bool *found, const char **how,
                                 struct app_error *e)
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
        rc = invoice_by_number(ax, digits, inv, found, e);
        if (rc || *found) {
            *how = "ocr";
            return rc;
        }
        digits[n - 2] = tok[n - 2];
    }
    if (ocr_only)
        return PM_OK;
    rc = invoice_by_number(ax, digits, inv, found, e);
    *how = "invoice_number";
    return rc;
}

/* Try every digit group of text (split on blanks, commas, other text). */
static enum pm_err resolve_text(const struct app_ctx *ax, const char *text, bool ocr_only,
                                struct invoice *inv, bool *found, const char **how,
                                struct app_error *e)
{
    size_t i = 0, n;
    enum pm_err rc = PM_OK;

    *found = false;
    while (!rc && !*found && text[i]) {
        n = strspn(text + i, "0123456789");
        if (n > 0) {
            rc = resolve_token(ax, text + i, n, ocr_only, inv, found, how, e);
            i += n;
        } else {
            i++;
        }
    }
    return rc;
}

/* An invoice a payment names, with the reference that named it. */
struct target {
    struct invoice inv;
    const char *reference;
    const char *how;
};

#define TARGETS_MAX 32 /* invoices one payment may be spread over */

/* Add the invoice text names (its first OCR or invoice number; only OCR
 * when ocr_only) to t[0..*n), once. */
static enum pm_err add_target(const struct app_ctx *ax, const char *text, bool ocr_only,
                              struct target *t, size_t *n, struct app_error *e)
{
    struct invoice inv;
    const char *how = "";
    bool found = false;
    enum pm_err rc;
    size_t i;

    rc = resolve_text(ax, text, true, &inv, &found, &how, e);
    if (!rc && !found && !ocr_only)
        rc = resolve_text(ax, text, false, &inv, &found, &how, e);
    if (rc || !found || *n == TARGETS_MAX)
        return rc;
    for (i = 0; i < *n; i++) {
        if (t[i].inv.id == inv.id)
            return PM_OK;
    }
    t[*n].inv = inv;
    t[*n].reference = text;
    t[*n].how = how;
    (*n)++;
    return PM_OK;
}

/* The invoices a payment's references name, in order: its own reference,
 * then those of its 22/23 records that carry no amount of their own. */
static enum pm_err targets_of(const struct app_ctx *ax, const struct bgmax_file *f,
                              const struct bgmax_payment *p, struct target *t, size_t *n,
                              struct app_error *e)
{
    enum pm_err rc;
    size_t i;

    *n = 0;
    rc = add_target(ax, p->reference, p->ref_code == 2, t, n, e);
    for (i = 0; !rc && i < p->n_extra; i++) {
        const struct bgmax_extra *x = &f->extras[p->first_extra + i];

        if (x->amount_minor == 0)
            rc = add_target(ax, x->reference, false, t, n, e);
    }
    return rc;
}

/* Only SEK invoices that are not credited take a payment. */
static bool bookable(const struct invoice *inv)
{
    return inv->state != INVOICE_STATE_CREDITED && strcmp(inv->currency, "SEK") == 0;
}

/* An amount that matched no invoice: reported and, when it is money
 * received (not a credit the payer deducted), held for a person to place,
 * with the invoice its message suggests (NULL: none). */
static enum pm_err add_unmatched(const struct app_ctx *ax, struct app_bgmax_report *rep,
                                 const struct bgmax_payment *p, int64_t amount, int32_t date,
                                 const char *reference, const struct invoice *suggested,
                                 const char *reason, struct app_error *e)
{
    struct app_bgmax_unmatched *u = &rep->unmatched[rep->n_unmatched++];
    struct unmatched_payment row;
    enum pm_err rc;

    u->line = p->line;
    u->amount_minor = amount;
    u->reference = reference;
    u->payer_name = p->payer_name;
    u->message = p->info;
    u->bank_ref = p->bank_ref;
    u->reason = reason;
    u->suggested_invoice_id = suggested ? suggested->id : 0;
    u->suggested_invoice_number = suggested ? suggested->number : 0;
    rep->unmatched_minor += amount;
    if (amount <= 0)
        return PM_OK;
    memset(&row, 0, sizeof(row));
    row.company_id = ax->company_id;
    snprintf(row.file_identity, sizeof(row.file_identity), "%s", rep->file_identity);
    row.line = (int64_t)p->line;
    row.date = date;
    row.amount_minor = amount;
    snprintf(row.reference, sizeof(row.reference), "%s", reference);
    snprintf(row.payer_bankgiro, sizeof(row.payer_bankgiro), "%s", p->payer_bankgiro);
    snprintf(row.payer_name, sizeof(row.payer_name), "%s", p->payer_name);
    snprintf(row.message, sizeof(row.message), "%s", p->info);
    snprintf(row.reason, sizeof(row.reason), "%s", reason);
    row.suggested_invoice_id = u->suggested_invoice_id;
    row.created_at = clock_now_s(ax->clock);
    rc = store_unmatched_insert(ax->store, &row);
    if (rc)
        return app_store_failed(ax, rc, e);
    u->id = row.id;
    return PM_OK;
}

static bool payer_known(const struct bgmax_payment *p)
{
    return strspn(p->payer_bankgiro, "0") != strlen(p->payer_bankgiro);
}

/* Add each invoice of customer_id the message names to t[0..*n), once. */
static enum pm_err message_targets(const struct app_ctx *ax, const char *text, int64_t customer_id,
                                   struct target *t, size_t *n, struct app_error *e)
{
    struct invoice inv;
    const char *how = "";
    size_t i = 0, len, k;
    bool found = false, dup;
    enum pm_err rc = PM_OK;

    while (!rc && text[i] && *n < TARGETS_MAX) {
        len = strspn(text + i, "0123456789");
        if (len == 0) {
            i++;
            continue;
        }
        rc = resolve_token(ax, text + i, len, false, &inv, &found, &how, e);
        i += len;
        if (rc || !found || inv.customer_id != customer_id || !bookable(&inv))
            continue;
        for (k = 0, dup = false; k < *n; k++)
            dup = dup || t[k].inv.id == inv.id;
        if (dup)
            continue;
        t[*n].inv = inv;
        t[*n].reference = text;
        t[*n].how = "message";
        (*n)++;
    }
    return rc;
}

/* A payment no reference of which names an invoice: a number in the
 * payer's message books only on an invoice of this payer (known by the
 * customer its bankgiro paid for before) that claims at least the amount.
 * Otherwise t stays empty, *suggested (found) names the invoice the
 * message named and *why says what held it back. */
static enum pm_err from_message(const struct app_ctx *ax, const struct bgmax_payment *p,
                                int64_t amount, struct target *t, size_t *n,
                                struct invoice *suggested, bool *found, const char **why,
                                struct app_error *e)
{
    int64_t customer_id = 0, owed = 0, sum = 0;
    const char *how = "";
    enum pm_err rc;
    size_t i;

    *n = 0;
    *why = "no invoice has this reference";
    rc = resolve_text(ax, p->info, false, suggested, found, &how, e);
    if (rc || !*found)
        return rc;
    if (!bookable(suggested)) {
        *found = false;
        *why = "the invoice is credited or not in SEK";
        return PM_OK;
    }
    if (payer_known(p)) {
        rc = store_unmatched_payer_get(ax->store, ax->company_id, p->payer_bankgiro, &customer_id);
        if (rc)
            return app_store_failed(ax, rc, e);
    }
    *why = "the message names an invoice, but the payer is not known as its customer";
    if (customer_id == 0)
        return PM_OK;
    rc = message_targets(ax, p->info, customer_id, t, n, e);
    for (i = 0; !rc && i < *n; i++) {
        rc = app_payments_owed(ax, t[i].inv.id, &owed, e);
        sum += owed;
    }
    if (rc || *n == 0) {
        *why = "the message names an invoice of another customer than the payer's";
        return rc;
    }
    if (amount > sum) {
        *suggested = t[0].inv;
        *n = 0;
        *why = "the amount is more than the invoices the message names claim";
    }
    return PM_OK;
}

/* Register amount on t's invoice and report it as matched. */
static enum pm_err book_on(const struct app_ctx *ax, const struct bgmax_payment *p,
                           const struct target *t, int64_t amount, int32_t date,
                           bool allow_overpayment, struct app_bgmax_report *rep,
                           struct app_error *e)
{
    struct app_payment_result res;
    struct app_bgmax_match *m;
    enum pm_err rc;

    rc = app_payments_register(ax, t->inv.id, date, amount, t->reference,
                               rep->file.format == BANKFILE_CAMT054 ? PAYMENT_CAMT054
                                                                    : PAYMENT_BGMAX,
                               allow_overpayment, &res, e);
    if (rc)
        return rc;
    m = &rep->matched[rep->n_matched++];
    m->line = p->line;
    m->invoice_id = t->inv.id;
    m->invoice_number = t->inv.number;
    m->amount_minor = amount;
    m->reference = t->reference;
    m->matched_by = t->how;
    m->status = res.overpaid_minor > 0    ? "overpaid"
                : res.remaining_minor > 0 ? "part_paid"
                                          : "paid";
    m->remaining_minor = res.remaining_minor;
    m->overpaid_minor = res.overpaid_minor;
    m->reported_to_agency = res.reported_to_agency;
    m->bank_ref = p->bank_ref;
    rep->matched_minor += amount;
    if (res.overpaid_minor > 0) {
        struct app_bgmax_overpayment *o = &rep->payer_overpayments[rep->n_payer_overpayments++];

        o->line = p->line;
        o->payer_bankgiro = p->payer_bankgiro;
        o->payer_name = p->payer_name;
        o->amount_minor = res.overpaid_minor;
        o->invoice_number = t->inv.number;
    }
    return PM_OK;
}

/* Spread amount over the invoices t[0..n) in order, each up to what it
 * still claims (its fees, interest, then capital, as any payment); what
 * is left after them all is an over-payment of the payer, booked on the
 * last invoice's payment voucher (2420) and reported. */
static enum pm_err spread(const struct app_ctx *ax, const struct bgmax_payment *p,
                          const struct target *t, size_t n, int64_t amount, int32_t date,
                          struct app_bgmax_report *rep, struct app_error *e)
{
    int64_t rest = amount, owed, part;
    enum pm_err rc = PM_OK;
    size_t i;

    for (i = 0; !rc && rest > 0 && i < n; i++) {
        rc = app_payments_owed(ax, t[i].inv.id, &owed, e);
        if (rc)
            return rc;
        part = i + 1 == n ? rest : owed < rest ? owed : rest;
        if (part > 0)
            rc = book_on(ax, p, &t[i], part, date, i + 1 == n, rep, e);
        rest -= part;
    }
    return rc;
}

/* Remember the customer a payer bankgiro paid for by reference. */
static enum pm_err learn_payer(const struct app_ctx *ax, const struct bgmax_payment *p,
                               const struct target *t, struct app_error *e)
{
    enum pm_err rc;

    if (!payer_known(p))
        return PM_OK;
    rc =
        store_unmatched_payer_put(ax->store, ax->company_id, p->payer_bankgiro, t->inv.customer_id);
    return rc ? app_store_failed(ax, rc, e) : PM_OK;
}

/* One amount of a payment: book it on the invoices its references name,
 * else on what its message names for this payer, or hold it unmatched.
 * The message is not read when a reference matched: free text holds
 * numbers that are no invoice ("Medlemsavgift 2024"). */
static enum pm_err import_one(const struct app_ctx *ax, const struct bgmax_payment *p,
                              int64_t amount, const char *reference, bool with_extras, int32_t date,
                              struct app_bgmax_report *rep, int64_t *unmatched_minor,
                              struct app_error *e)
{
    struct target all[TARGETS_MAX], ok[TARGETS_MAX];
    struct invoice suggested;
    const char *why = "the invoice is credited or not in SEK";
    size_t n = 0, n_ok = 0, i;
    bool found = false;
    enum pm_err rc;

    if (with_extras)
        rc = targets_of(ax, &rep->file, p, all, &n, e);
    else
        rc = add_target(ax, reference, false, all, &n, e);
    for (i = 0; !rc && i < n; i++) {
        if (bookable(&all[i].inv))
            ok[n_ok++] = all[i];
    }
    if (!rc && n_ok > 0)
        rc = learn_payer(ax, p, &ok[0], e);
    if (!rc && n == 0)
        rc = from_message(ax, p, amount, ok, &n_ok, &suggested, &found, &why, e);
    if (rc)
        return rc;
    if (n_ok == 0) {
        *unmatched_minor += amount;
        return add_unmatched(ax, rep, p, amount, date, reference, found ? &suggested : NULL, why,
                             e);
    }
    return spread(ax, p, ok, n_ok, amount, date, rep, e);
}

/* Money of a deposit that matched no invoice waits on 2420 until someone
 * places it (deductions have vouchers of their own). */
static enum pm_err book_unmatched(const struct app_ctx *ax, const struct bgmax_deposit *d,
                                  int64_t net, struct app_error *e)
{
    struct voucher v;
    char text[VOUCHER_TEXT_MAX];
    enum pm_err rc;

    if (net == 0)
        return PM_OK;
    if (d->bank_ref[0])
        snprintf(text, sizeof(text), "Bankinsättning %s, ej matchade inbetalningar", d->bank_ref);
    else
        snprintf(text, sizeof(text), "Bankgiro insättning %d, ej matchade inbetalningar",
                 d->serial);
    voucher_init(&v, d->date, "bgmax_unmatched", text);
    rc = voucher_debit(&v, ACC_BANK, net);
    if (!rc)
        rc = voucher_credit(&v, ACC_CUSTOMER_ADVANCES, net);
    rc = app_voucher_built(rc || !voucher_balanced(&v) ? PM_ERR_INTERNAL : PM_OK, e, "unmatched");
    if (!rc)
        rc = app_book(ax, &v, 0, e);
    return rc;
}

/* A credit the payer deducted (a 21 record, or a 23 record of a split
 * payment).  Påminn keeps no credit notes, so there is none to set it
 * against: it is booked on a voucher of its own, D 2420 / C 1930, whose
 * text names the line, the reference and the payer, so that the
 * bookkeeper can trace it and set it off against the credit note in the
 * main books; x (when not NULL) gets the voucher and the invoice the
 * reference names, if any. */
static enum pm_err book_deduction(const struct app_ctx *ax, const struct bgmax_deposit *d,
                                  const struct bgmax_payment *p, int64_t amount,
                                  const char *reference, struct app_bgmax_deduction *x,
                                  struct app_error *e)
{
    struct target t[TARGETS_MAX];
    char text[VOUCHER_TEXT_MAX];
    struct voucher v;
    size_t n = 0;
    enum pm_err rc;

    if (amount <= 0)
        return PM_OK;
    rc = add_target(ax, reference, false, t, &n, e);
    if (rc)
        return rc;
    if (d->bank_ref[0])
        snprintf(text, sizeof(text), "Bankinsättning %s, avdrag rad %zu, ref %s, %s", d->bank_ref,
                 p->line, reference[0] ? reference : "-",
                 p->payer_name[0] ? p->payer_name : "okänd");
    else
        snprintf(text, sizeof(text), "Bankgiro insättning %d, avdrag rad %zu, ref %s, %s",
                 d->serial, p->line, reference[0] ? reference : "-",
                 p->payer_name[0] ? p->payer_name : "okänd");
    voucher_init(&v, d->date, "bgmax_deduction", text);
    rc = voucher_debit(&v, ACC_CUSTOMER_ADVANCES, amount);
    if (!rc)
        rc = voucher_credit(&v, ACC_BANK, amount);
    rc = app_voucher_built(rc || !voucher_balanced(&v) ? PM_ERR_INTERNAL : PM_OK, e, "deduction");
    if (!rc)
        rc = app_book(ax, &v, 0, e);
    if (rc || !x)
        return rc;
    x->voucher_year = v.year;
    x->voucher_number = v.number;
    x->invoice_number = n ? t[0].inv.number : 0;
    return PM_OK;
}

static enum pm_err import_deposit(const struct app_ctx *ax, const struct bgmax_deposit *d,
                                  struct app_bgmax_report *rep, struct app_error *e)
{
    const struct bgmax_file *f = &rep->file;
    int64_t unmatched = 0;
    enum pm_err rc = PM_OK;
    size_t i, k;

    for (i = d->first_payment; !rc && i < d->first_payment + d->n_payments; i++) {
        const struct bgmax_payment *p = &f->payments[i];
        bool split = false;

        if (p->deduction) {
            struct app_bgmax_deduction *x = &rep->deductions[rep->n_deductions++];

            x->line = p->line;
            x->amount_minor = p->amount_minor;
            x->reference = p->reference;
            x->payer_name = p->payer_name;
            x->payer_bankgiro = p->payer_bankgiro;
            x->deduction_code = p->deduction_code;
            rep->deductions_minor += p->amount_minor;
            rc = book_deduction(ax, d, p, p->amount_minor, p->reference, x, e);
            continue;
        }
        for (k = 0; k < p->n_extra; k++)
            split = split || f->extras[p->first_extra + k].amount_minor != 0;
        if (!split) {
            if (p->amount_minor > 0)
                rc = import_one(ax, p, p->amount_minor, p->reference, true, d->date, rep,
                                &unmatched, e);
            continue;
        }
        /* The payer split the amount per reference (22 positive, 23 negative). */
        for (k = 0; !rc && k < p->n_extra; k++) {
            const struct bgmax_extra *x = &f->extras[p->first_extra + k];

            if (x->amount_minor > 0) {
                rc = import_one(ax, p, x->amount_minor, x->reference, false, d->date, rep,
                                &unmatched, e);
            } else if (x->amount_minor < 0) {
                rc = add_unmatched(ax, rep, p, x->amount_minor, d->date, x->reference, NULL,
                                   "a credit the payer deducted", e);
                if (!rc)
                    rc = book_deduction(ax, d, p, -x->amount_minor, x->reference, NULL, e);
            }
        }
    }
    if (!rc)
        rc = book_unmatched(ax, d, unmatched, e);
    return rc;
}

/* Only deposits in SEK are booked (the ledger is kept in SEK); a deposit
 * in another currency (Bankgirot's EUR sections), and one the reader
 * marked as no incoming payment (a camt.054 debit or pending entry), is
 * reported as skipped. */
static bool booked_currency(const struct bgmax_deposit *d)
{
    return strcmp(d->currency, "SEK") == 0 && !d->skip_reason[0];
}

/* The file and each deposit are remembered; a second import is refused. */
static enum pm_err remember(const struct app_ctx *ax, const struct bgmax_file *f, char *identity,
                            size_t cap, struct app_error *e)
{
    char key[160], day[DATE_ISO_LEN + 1];
    enum pm_err rc;
    size_t i;

    if (f->format == BANKFILE_CAMT054)
        snprintf(identity, cap, "CAMT054-%s", f->msg_id);
    else
        snprintf(identity, cap, "BGMAX-%s-%s", f->timestamp, f->deposits[0].payee_bankgiro);
    rc = store_books_bgmax_remember(ax->store, ax->company_id, identity, clock_now_s(ax->clock));
    if (rc == PM_ERR_CONFLICT)
        return app_error_set(e, rc, "already_imported", "file");
    for (i = 0; !rc && i < f->n_deposits; i++) {
        const struct bgmax_deposit *d = &f->deposits[i];

        if (!booked_currency(d) || (f->format == BANKFILE_CAMT054 && !d->bank_ref[0]))
            continue;
        date_format_iso(d->date, day);
        if (f->format == BANKFILE_CAMT054) /* the bank's entry reference, per account */
            snprintf(key, sizeof(key), "CAMT054-ENTRY-%s-%s",
                     d->payee_bankgiro[0] ? d->payee_bankgiro : d->account, d->bank_ref);
        else
            snprintf(key, sizeof(key), "BGMAX-DEPOSIT-%s-%s-%05d-%lld", d->payee_bankgiro, day,
                     d->serial, (long long)d->amount_minor);
        rc = store_books_bgmax_remember(ax->store, ax->company_id, key, clock_now_s(ax->clock));
        if (rc == PM_ERR_CONFLICT) {
            char field[48];

            snprintf(field, sizeof(field), "deposits[%zu]", i);
            return app_error_set(e, rc, "already_imported", field);
        }
    }
    if (rc)
        return app_store_failed(ax, rc, e);
    return PM_OK;
}

/* Remember the file, then match and book each of its SEK deposits. */
static enum pm_err import_file(const struct app_ctx *ax, struct app_bgmax_report *rep,
                               struct app_error *e)
{
    const struct bgmax_file *f = &rep->file;
    enum pm_err rc;
    size_t i, cap;

    rc = remember(ax, f, rep->file_identity, sizeof(rep->file_identity), e);
    if (rc)
        return rc;
    /* Every payment and every split amount is one entry at most. */
    cap = f->n_payments + f->n_extras + 1;
    rep->matched = calloc(cap, sizeof(*rep->matched));
    rep->unmatched = calloc(cap, sizeof(*rep->unmatched));
    rep->deductions = calloc(cap, sizeof(*rep->deductions));
    rep->payer_overpayments = calloc(cap, sizeof(*rep->payer_overpayments));
    if (!rep->matched || !rep->unmatched || !rep->deductions || !rep->payer_overpayments)
        return nomem(e);
    for (i = 0; !rc && i < f->n_deposits; i++) {
        if (booked_currency(&f->deposits[i]))
            rc = import_deposit(ax, &f->deposits[i], rep, e);
    }
    return rc;
}

/* What both formats share once the file is read: the test-file rule,
 * the bankgiro and sum checks, then the import, or a dry run of it. */
static enum pm_err import_read(const struct app_ctx *ax, const struct app_bgmax_options *opt,
                               struct app_bgmax_report *rep, struct app_error *e)
{
    struct bgmax_file *f = &rep->file;
    char company_bg[11], field[48];
    const char *invalid = f->format == BANKFILE_CAMT054 ? "camt054_invalid" : "bgmax_invalid";
    enum pm_err rc;
    size_t i;

    /* A test file never reaches the ledger: it is only ever read as a
     * dry run, and only when asked for. */
    if (f->marker == 'T' && !opt->dry_run && !opt->allow_test_file)
        return app_error_set(e, PM_ERR_INVALID, "bgmax_test_file", "line 1");
    rep->dry_run = opt->dry_run || f->marker == 'T';
    for (i = 0; i < f->n_deposits; i++) {
        snprintf(field, sizeof(field), "deposits[%zu]", i);
        /* a camt.054 account given by IBAN has no bankgiro to compare */
        if (ax->company->bankgiro[0] && f->deposits[i].payee_bankgiro[0] &&
            (!bgmax_normalize_bankgiro(ax->company->bankgiro, company_bg) ||
             strcmp(company_bg, f->deposits[i].payee_bankgiro) != 0))
            return app_error_set(e, PM_ERR_INVALID, "bankgiro_mismatch", field);
        if (!booked_currency(&f->deposits[i]))
            continue; /* reported as skipped, not booked */
        if (money_add(rep->deposits_minor, f->deposits[i].amount_minor, &rep->deposits_minor))
            return app_error_set(e, PM_ERR_INVALID, invalid, field);
    }
    if (!rep->dry_run)
        return import_file(ax, rep, e);
    /* A dry run books as an import would, answers what it booked, and
     * undoes it all. */
    rc = store_mark(ax->store);
    if (rc)
        return app_store_failed(ax, rc, e);
    rc = import_file(ax, rep, e);
    store_undo_to_mark(ax->store);
    return rc;
}

/* A file the reader refused: code naming the line, the reason in extra. */
static enum pm_err refused(const char *code, const struct pm_error *pe, struct app_error *e)
{
    json_t *reason;
    char *text;

    app_error_set(e, PM_ERR_INVALID, code, pe->field[0] ? pe->field : "file");
    reason = json_pack("{s:s}", "reason", pe->message);
    text = reason ? json_dumps(reason, JSON_COMPACT) : NULL;
    if (text)
        app_error_extra(e, text);
    free(text);
    json_decref(reason);
    return PM_ERR_INVALID;
}

enum pm_err app_bankfile_import_bgmax(const struct app_ctx *ax, const char *data, size_t len,
                                      const struct app_bgmax_options *opt,
                                      struct app_bgmax_report *rep, struct app_error *e)
{
    struct pm_error pe = {0};

    memset(rep, 0, sizeof(*rep));
    if (bgmax_parse(data, len, &rep->file, &pe))
        return refused("bgmax_invalid", &pe, e);
    return import_read(ax, opt, rep, e);
}

enum pm_err app_bankfile_import_camt054(const struct app_ctx *ax, const char *data, size_t len,
                                        const struct app_bgmax_options *opt,
                                        struct app_bgmax_report *rep, struct app_error *e)
{
    struct pm_error pe = {0};
    enum pm_err rc;

    memset(rep, 0, sizeof(*rep));
    if (!ax->camt054_schema)
        return app_error_set(e, PM_ERR_INTERNAL, "internal_error", NULL);
    rc = camt054_parse(ax->camt054_schema, data, len, &rep->file, &pe);
    if (rc == PM_ERR_NOMEM)
        return nomem(e);
    if (rc)
        return refused("camt054_invalid", &pe, e);
    return import_read(ax, opt, rep, e);
}

enum pm_err app_bankfile_unmatched_list(const struct app_ctx *ax, struct unmatched_payment *out,
                                        size_t cap, size_t *n, struct app_error *e)
{
    enum pm_err rc = store_unmatched_list_open(ax->store, ax->company_id, out, cap, n);

    return rc ? app_store_failed(ax, rc, e) : PM_OK;
}

enum pm_err app_bankfile_unmatched_confirm(const struct app_ctx *ax, int64_t id, int64_t invoice_id,
                                           struct unmatched_payment *u,
                                           struct app_payment_result *res, struct app_error *e)
{
    struct invoice inv;
    enum pm_err rc;

    rc = store_unmatched_get(ax->store, ax->company_id, id, u);
    if (rc == PM_ERR_NOT_FOUND)
        return app_error_set(e, rc, "not_found", "id");
    if (!rc && u->invoice_id != 0)
        return app_error_set(e, PM_ERR_CONFLICT, "already_confirmed", "id");
    if (!rc)
        rc = store_invoice_get(ax->store, ax->company_id, invoice_id, &inv);
    if (rc == PM_ERR_NOT_FOUND)
        return app_error_set(e, rc, "not_found", "invoice_id");
    if (rc)
        return app_store_failed(ax, rc, e);
    if (!bookable(&inv))
        return app_error_set(e, PM_ERR_CONFLICT, "conflict", "invoice_id");
    rc = app_payments_register_held(
        ax, invoice_id, u->date, u->amount_minor, u->reference,
        strncmp(u->file_identity, "CAMT054-", 8) == 0 ? PAYMENT_CAMT054 : PAYMENT_BGMAX, res, e);
    if (rc)
        return rc;
    rc = store_unmatched_place(ax->store, ax->company_id, id, invoice_id, ax->actor);
    if (!rc && strspn(u->payer_bankgiro, "0") != strlen(u->payer_bankgiro))
        rc = store_unmatched_payer_put(ax->store, ax->company_id, u->payer_bankgiro,
                                       inv.customer_id);
    if (rc)
        return app_store_failed(ax, rc, e);
    u->invoice_id = invoice_id;
    return PM_OK;
}

/* Append item to arr; on failure both are released and NULL returned. */
static json_t *append(json_t *arr, json_t *item)
{
    if (json_array_append_new(arr, item)) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

/* The payments' parts beyond what their invoices claimed, by payer. */
static json_t *payer_overpayments_json(const struct app_bgmax_report *rep)
{
    json_t *arr = json_array();
    size_t i;

    for (i = 0; arr && i < rep->n_payer_overpayments; i++) {
        const struct app_bgmax_overpayment *o = &rep->payer_overpayments[i];

        arr =
            append(arr, json_pack("{s:I, s:s, s:s, s:I, s:I, s:i}", "line", (json_int_t)o->line,
                                  "payer_bankgiro", o->payer_bankgiro, "payer_name", o->payer_name,
                                  "amount_minor", (json_int_t)o->amount_minor, "invoice_number",
                                  (json_int_t)o->invoice_number, "account", ACC_CUSTOMER_ADVANCES));
    }
    return arr;
}

/* The deposits not booked, and why. */
static json_t *skipped_json(const struct bgmax_file *f)
{
    json_t *arr = json_array();
    size_t i;

    for (i = 0; arr && i < f->n_deposits; i++) {
        const struct bgmax_deposit *d = &f->deposits[i];

        if (!booked_currency(d))
            arr = append(arr, json_pack("{s:I, s:i, s:s*, s:s, s:I, s:I, s:s}", "deposit",
                                        (json_int_t)i, "serial", d->serial, "bank_reference",
                                        d->bank_ref[0] ? d->bank_ref : NULL, "currency",
                                        d->currency, "amount_minor", (json_int_t)d->amount_minor,
                                        "payments", (json_int_t)d->count, "reason",
                                        d->skip_reason[0] ? d->skip_reason
                                                          : "only deposits in SEK are booked"));
    }
    return arr;
}

/* The warnings kept with their text. */
static json_t *warnings_json(const struct bgmax_file *f)
{
    json_t *arr = json_array();
    size_t i;

    for (i = 0; arr && i < f->n_warnings && i < BGMAX_WARNINGS_KEPT; i++)
        arr = append(arr, json_string(f->warnings[i]));
    return arr;
}

/* What the report adds to the file's figures (NULL when memory ran out). */
static json_t *report_more(const struct app_bgmax_report *rep, json_t *out)
{
    if (out && (json_object_set_new(out, "payer_overpayments", payer_overpayments_json(rep)) ||
                json_object_set_new(out, "skipped_deposits", skipped_json(&rep->file)) ||
                json_object_set_new(out, "warning_list", warnings_json(&rep->file)) ||
                json_object_set_new(out, "dry_run", json_boolean(rep->dry_run)))) {
        json_decref(out);
        out = NULL;
    }
    return out;
}

/* A deduction and where it was booked: Påminn keeps no credit notes, so
 * credit_note is null and the note says so. */
static json_t *deduction_json(const struct app_bgmax_deduction *x)
{
    return json_pack(
        "{s:I, s:I, s:s, s:s, s:s, s:i, s:o, s:n, s:i, s:{s:i, s:I}, s:s}", "line",
        (json_int_t)x->line, "amount_minor", (json_int_t)x->amount_minor, "reference", x->reference,
        "payer_name", x->payer_name, "payer_bankgiro", x->payer_bankgiro, "deduction_code",
        x->deduction_code, "invoice_number",
        x->invoice_number ? json_integer(x->invoice_number) : json_null(), "credit_note",
        "booked_on", ACC_CUSTOMER_ADVANCES, "voucher", "year", x->voucher_year, "number",
        (json_int_t)x->voucher_number, "note",
        "Påminn keeps no credit notes: the deduction is booked on 2420 (customer advances) on "
        "its own voucher, to be set off against the credit note in the main books");
}

json_t *app_bgmax_report_json(const struct app_bgmax_report *rep)
{
    const struct bgmax_file *f = &rep->file;
    json_t *matched = json_array(), *unmatched = json_array(), *over = json_array();
    json_t *under = json_array(), *deductions = json_array(), *out = NULL;
    bool ok = matched && unmatched && over && under && deductions;
    size_t i;

    for (i = 0; ok && i < rep->n_matched; i++) {
        const struct app_bgmax_match *m = &rep->matched[i];

        ok = !json_array_append_new(
            matched,
            json_pack("{s:I, s:I, s:I, s:s, s:s, s:s, s:I, s:I, s:I, s:b, s:s*}", "invoice_id",
                      (json_int_t)m->invoice_id, "invoice_number", (json_int_t)m->invoice_number,
                      "amount_minor", (json_int_t)m->amount_minor, "reference", m->reference,
                      "matched_by", m->matched_by, "status", m->status, "remaining_minor",
                      (json_int_t)m->remaining_minor, "overpaid_minor",
                      (json_int_t)m->overpaid_minor, "line", (json_int_t)m->line,
                      "reported_to_agency", m->reported_to_agency, "bank_reference",
                      m->bank_ref[0] ? m->bank_ref : NULL));
        if (ok && m->overpaid_minor > 0)
            ok = !json_array_append_new(
                over, json_pack("{s:I, s:I, s:I}", "invoice_id", (json_int_t)m->invoice_id,
                                "invoice_number", (json_int_t)m->invoice_number, "amount_minor",
                                (json_int_t)m->overpaid_minor));
        else if (ok && m->remaining_minor > 0)
            ok = !json_array_append_new(
                under, json_pack("{s:I, s:I, s:I}", "invoice_id", (json_int_t)m->invoice_id,
                                 "invoice_number", (json_int_t)m->invoice_number, "remaining_minor",
                                 (json_int_t)m->remaining_minor));
    }
    for (i = 0; ok && i < rep->n_unmatched; i++) {
        const struct app_bgmax_unmatched *u = &rep->unmatched[i];

        ok = !json_array_append_new(
            unmatched,
            json_pack("{s:o, s:I, s:I, s:s, s:s, s:s, s:s, s:o, s:o, s:s*}", "id",
                      u->id && !rep->dry_run ? json_integer(u->id) : json_null(), "line",
                      (json_int_t)u->line, "amount_minor", (json_int_t)u->amount_minor, "reference",
                      u->reference, "payer_name", u->payer_name, "message", u->message, "reason",
                      u->reason, "suggested_invoice_id",
                      u->suggested_invoice_id ? json_integer(u->suggested_invoice_id) : json_null(),
                      "suggested_invoice_number",
                      u->suggested_invoice_number ? json_integer(u->suggested_invoice_number)
                                                  : json_null(),
                      "bank_reference", u->bank_ref && u->bank_ref[0] ? u->bank_ref : NULL));
    }
    for (i = 0; ok && i < rep->n_deductions; i++) {
        const struct app_bgmax_deduction *x = &rep->deductions[i];

        ok = !json_array_append_new(deductions, deduction_json(x));
    }
    if (ok)
        out = json_pack(
            "{s:s, s:s, s:O, s:O, s:O, s:O, s:O, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I},"
            " s:I, s:s?}",
            "file_identity", rep->file_identity, "test_marker", f->marker == 'T' ? "T" : "P",
            "matched", matched, "unmatched", unmatched, "overpayments", over, "underpayments",
            under, "deductions", deductions, "totals", "deposits", (json_int_t)f->n_deposits,
            "payments", (json_int_t)f->n_payments, "matched_count", (json_int_t)rep->n_matched,
            "matched_minor", (json_int_t)rep->matched_minor, "unmatched_count",
            (json_int_t)rep->n_unmatched, "unmatched_minor", (json_int_t)rep->unmatched_minor,
            "deductions_minor", (json_int_t)rep->deductions_minor, "deposits_minor",
            (json_int_t)rep->deposits_minor, "warnings", (json_int_t)f->n_warnings, "first_warning",
            f->n_warnings ? f->first_warning : NULL);
    json_decref(matched);
    json_decref(unmatched);
    json_decref(over);
    json_decref(under);
    json_decref(deductions);
    return report_more(rep, out);
}
