/*
 * app_statements.c — customer statements (see app_statements.h).
 *
 * Part of src/app.  An open item's payments, credit notes and stops are
 * read per invoice and handed to core/statement.h; the period's moves are
 * one read.  The e-mail's text says what the PDF says: the date, the
 * number of open invoices, the total to pay and the bankgiro, with the
 * PDF attached.
 */
#include "app/app_statements.h"
#include "app/app_letter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_reminder_stops.h"
#include "app/app_rules.h"
#include "core/amili.h"
#include "core/date.h"
#include "core/money.h"
#include "core/reminder_stop.h"
#include "letter/letter.h"
#include "mail/mail.h"
#include "util/clock.h"

enum pm_err app_statement_dates(const struct app_ctx *ax, int32_t *as_of, int32_t *from,
                                int32_t *to, struct app_error *e)
{
    struct pm_error pe = {0};
    int32_t dfrom, dto;

    if (!*as_of)
        *as_of = ax->today;
    statement_default_period(*as_of, &dfrom, &dto);
    if (!*to)
        *to = dto;
    if (!*from)
        *from = *to < dfrom ? *to : dfrom;
    if (statement_period_check(*from, *to, &pe)) {
        char a[16], b[16];

        date_format_iso(*from, a);
        date_format_iso(*to, b);
        app_error_set(e, PM_ERR_INVALID, "invalid_period", "from");
        return app_error_detail(e, "the period starts %s, after its end %s", a, b);
    }
    return PM_OK;
}

void app_statement_release(struct app_statement *s)
{
    free(s->items);
    free(s->moves);
    memset(s, 0, sizeof(*s));
}

/* One candidate invoice as of as_of into *it (*open false when nothing is
 * left on it on that date). */
static enum pm_err one_item(const struct app_ctx *ax, const struct rate_table *rates,
                            const struct statement_invoice_row *row, int32_t as_of,
                            struct statement_move_row *mv, struct statement_move *moves,
                            struct app_statement_item *it, bool *open, struct app_error *e)
{
    struct statement_invoice in;
    struct invoice inv;
    struct app_invoice_stops stops;
    struct interest_pause pauses[2];
    size_t n = 0, k = 0, i;
    int64_t extra;
    enum pm_err rc;

    rc = store_invoice_get(ax->store, ax->company_id, row->id, &inv);
    if (!rc)
        rc = store_statement_invoice_moves(ax->store, ax->company_id, row->id, as_of, mv,
                                           STORE_STATEMENT_MOVES_MAX + 1, &n);
    if (rc)
        return app_store_failed(ax, rc, e);
    if (n > STORE_STATEMENT_MOVES_MAX) {
        app_error_set(e, PM_ERR_RANGE, "out_of_range", "id");
        return app_error_detail(e, "invoice %lld has more than %d payments and credit notes",
                                (long long)row->number, STORE_STATEMENT_MOVES_MAX);
    }
    rc = app_reminder_stops_of(ax, &inv, &stops, e);
    if (rc)
        return rc;
    for (i = 0; i < n; i++) {
        moves[k].kind = !strcmp(mv[i].kind, "credit") ? STATEMENT_CREDIT : STATEMENT_PAYMENT;
        moves[k].date = mv[i].date;
        moves[k].amount_minor = mv[i].amount_minor;
        moves[k++].interest_minor = mv[i].interest_minor;
    }
    /* credits of the invoice that no credit note carries count from its first day */
    extra = row->credited_minor - row->credit_notes_minor;
    if (extra > 0) {
        moves[k].kind = STATEMENT_CREDIT;
        moves[k].date = row->invoice_date;
        moves[k].amount_minor = extra;
        moves[k++].interest_minor = 0;
    }
    memset(&in, 0, sizeof(in));
    in.invoice_id = row->id;
    in.number = row->number;
    in.invoice_date = row->invoice_date;
    in.due_date = row->due_date;
    in.amount_minor = row->customer_part_minor;
    in.moves = moves;
    in.n_moves = k;
    in.n_pauses = reminder_stop_pauses(&stops.inv, &stops.cust, as_of, pauses);
    in.pauses = pauses;
    it->with_agency = amili_state_with_agency(inv.agency_state);
    in.no_interest = it->with_agency || row->expected_loss_minor > 0;
    rc = statement_item_compute(rates, &in, as_of, &it->item, open);
    if (rc) {
        app_error_set(e, rc, "internal_error", NULL);
        return app_error_detail(e, "statement item of invoice %lld", (long long)row->id);
    }
    return PM_OK;
}

static enum pm_err items_of(const struct app_ctx *ax, int64_t customer_id, struct app_statement *s,
                            struct app_error *e)
{
    struct statement_invoice_row *rows = calloc(STORE_STATEMENT_ITEMS_MAX + 1, sizeof(*rows));
    struct statement_move_row *mv = calloc(STORE_STATEMENT_MOVES_MAX + 1, sizeof(*mv));
    struct statement_move *moves = calloc(STORE_STATEMENT_MOVES_MAX + 1, sizeof(*moves));
    struct rate_table rates = {0};
    size_t n = 0, i;
    bool open = false;
    enum pm_err rc;

    s->items = calloc(STORE_STATEMENT_ITEMS_MAX, sizeof(*s->items));
    if (!rows || !mv || !moves || !s->items) {
        rc = app_error_set(e, PM_ERR_NOMEM, "internal_error", NULL);
        goto out_free;
    }
    rc = store_statement_invoices(ax->store, ax->company_id, customer_id, s->as_of, rows,
                                  STORE_STATEMENT_ITEMS_MAX + 1, &n);
    if (rc) {
        app_store_failed(ax, rc, e);
        goto out_free;
    }
    if (n > STORE_STATEMENT_ITEMS_MAX) { /* a statement never leaves an item out */
        rc = app_error_set(e, PM_ERR_RANGE, "out_of_range", "id");
        app_error_detail(e, "the customer has more than %d open invoices on that date",
                         STORE_STATEMENT_ITEMS_MAX);
        goto out_free;
    }
    rc = app_rules_rates(ax, &rates, e);
    for (i = 0; !rc && i < n; i++) {
        rc = one_item(ax, &rates, &rows[i], s->as_of, mv, moves, &s->items[s->n_items], &open, e);
        if (!rc && open) {
            rc = statement_totals_add(&s->totals, &s->items[s->n_items].item);
            if (rc)
                app_error_set(e, rc, "out_of_range", "amount_minor");
            s->n_items++;
        }
    }
out_free:
    rate_table_release(&rates);
    free(moves);
    free(mv);
    free(rows);
    return rc;
}

static enum pm_err period_of(const struct app_ctx *ax, int64_t customer_id, struct app_statement *s,
                             struct app_error *e)
{
    size_t i;
    enum pm_err rc;

    s->moves = calloc(STORE_STATEMENT_MOVES_MAX + 1, sizeof(*s->moves));
    if (!s->moves)
        return app_error_set(e, PM_ERR_NOMEM, "internal_error", NULL);
    rc = store_statement_period(ax->store, ax->company_id, customer_id, s->from, s->to, s->moves,
                                STORE_STATEMENT_MOVES_MAX + 1, &s->n_moves);
    if (rc)
        return app_store_failed(ax, rc, e);
    if (s->n_moves > STORE_STATEMENT_MOVES_MAX) { /* nor a payment of its period */
        app_error_set(e, PM_ERR_RANGE, "out_of_range", "from");
        return app_error_detail(e,
                                "more than %d payments and credit notes in the period: "
                                "choose a shorter one",
                                STORE_STATEMENT_MOVES_MAX);
    }
    for (i = 0; i < s->n_moves; i++) {
        const struct statement_move_row *m = &s->moves[i];

        if (!strcmp(m->kind, "credit"))
            s->credited_minor += m->amount_minor;
        else
            s->paid_minor += m->amount_minor + m->interest_minor + m->fees_minor;
    }
    return PM_OK;
}

enum pm_err app_statement_build(const struct app_ctx *ax, int64_t customer_id, int32_t as_of,
                                int32_t from, int32_t to, struct app_statement *out,
                                struct app_error *e)
{
    enum pm_err rc;

    memset(out, 0, sizeof(*out));
    out->as_of = as_of;
    out->from = from;
    out->to = to;
    rc = store_customer_get(ax->store, ax->company_id, customer_id, &out->customer);
    if (rc == PM_ERR_NOT_FOUND)
        return app_error_set(e, rc, "not_found", "id");
    if (!rc)
        rc = ax->company ? (out->company = *ax->company, PM_OK)
                         : store_company_get(ax->store, ax->company_id, &out->company);
    if (rc)
        return app_store_failed(ax, rc, e);
    out->english = !strcmp(out->customer.language, "en");
    rc = items_of(ax, customer_id, out, e);
    if (!rc)
        rc = period_of(ax, customer_id, out, e);
    if (rc)
        app_statement_release(out);
    return rc;
}

/* ---- the letter ---- */

enum pm_err app_statement_pdf(const struct app_statement *s, struct buf *pdf, char *name,
                              size_t cap, struct app_error *e)
{
    struct letter_statement *l = calloc(1, sizeof(*l));
    struct letter_statement_item *items = calloc(s->n_items ? s->n_items : 1, sizeof(*items));
    struct letter_statement_move *moves = calloc(s->n_moves ? s->n_moves : 1, sizeof(*moves));
    struct pm_error pe = {0};
    char date[16];
    size_t i;
    enum pm_err rc;

    if (!l || !items || !moves) {
        rc = app_error_set(e, PM_ERR_NOMEM, "internal_error", NULL);
        goto out_free;
    }
    app_letter_party(&s->company, &s->customer, &l->party);
    for (i = 0; i < s->n_items; i++) {
        const struct statement_item *it = &s->items[i].item;

        items[i].invoice_number = it->number;
        items[i].invoice_date = it->invoice_date;
        items[i].due_date = it->due_date;
        items[i].amount_minor = it->amount_minor;
        items[i].remaining_minor = it->remaining_minor;
        items[i].interest_minor = it->interest_minor;
        items[i].rate_unknown = it->rate_unknown;
        items[i].days_overdue = it->days_overdue;
        snprintf(items[i].ocr, sizeof(items[i].ocr), "%s", it->ocr);
    }
    for (i = 0; i < s->n_moves; i++) {
        const struct statement_move_row *m = &s->moves[i];

        moves[i].credit = !strcmp(m->kind, "credit");
        moves[i].date = m->date;
        moves[i].invoice_number = m->invoice_number;
        moves[i].number = m->number;
        moves[i].amount_minor =
            moves[i].credit ? m->amount_minor : m->amount_minor + m->interest_minor + m->fees_minor;
    }
    l->as_of = s->as_of;
    l->from = s->from;
    l->to = s->to;
    l->items = items;
    l->n_items = s->n_items;
    l->moves = moves;
    l->n_moves = s->n_moves;
    l->remaining_minor = s->totals.remaining_minor;
    l->interest_minor = s->totals.interest_minor;
    l->total_minor = s->totals.total_minor;
    l->paid_minor = s->paid_minor;
    l->credited_minor = s->credited_minor;
    l->rate_unknown = s->totals.rate_unknown;
    rc = letter_statement_pdf(l, NULL, pdf, &pe);
    if (rc) {
        app_error_set(e, rc, "internal_error", NULL);
        app_error_detail(e, "statement PDF: %s", pe.message);
        goto out_free;
    }
    date_format_iso(s->as_of, date);
    snprintf(name, cap, "%s-%lld-%s.pdf", s->english ? "statement" : "kontoutdrag",
             (long long)s->customer.id, date);
out_free:
    free(moves);
    free(items);
    free(l);
    return rc;
}

/* ---- the e-mail ---- */

static enum pm_err mail_text(const struct app_statement *s, struct buf *b)
{
    bool en = s->english;
    char date[16], total[MONEY_FORMAT_MAX], left[MONEY_FORMAT_MAX], interest[MONEY_FORMAT_MAX];
    enum pm_err rc;

    date_format_iso(s->as_of, date);
    money_format(s->totals.total_minor, total, sizeof(total));
    money_format(s->totals.remaining_minor, left, sizeof(left));
    money_format(s->totals.interest_minor, interest, sizeof(interest));
    if (en)
        rc = buf_addf(b,
                      "Dear %s,\n\n"
                      "Attached is your statement from %s as of %s.\n\n"
                      "Open invoices:       %lld\n"
                      "Remaining:           %s\n"
                      "Interest:            %s\n"
                      "Total to pay:        %s\n"
                      "Bankgiro:            %s\n\n"
                      "Pay each invoice with its own OCR reference, as listed in the statement. "
                      "If you have paid in the last few days, please disregard the payment "
                      "shown as missing.\n\nKind regards,\n%s\n",
                      s->customer.name, s->company.name, date, (long long)s->totals.items, left,
                      interest, total, s->company.bankgiro, s->company.name);
    else
        rc = buf_addf(b,
                      "Hej %s,\n\n"
                      "Här kommer ditt kontoutdrag från %s per %s.\n\n"
                      "Obetalda fakturor:   %lld\n"
                      "Kvar att betala:     %s\n"
                      "Dröjsmålsränta:      %s\n"
                      "Att betala totalt:   %s\n"
                      "Bankgiro:            %s\n\n"
                      "Betala varje faktura med dess OCR-nummer enligt kontoutdraget. Har du "
                      "betalat de senaste dagarna kan betalningen saknas i kontoutdraget.\n\n"
                      "Med vänliga hälsningar\n%s\n",
                      s->customer.name, s->company.name, date, (long long)s->totals.items, left,
                      interest, total, s->company.bankgiro, s->company.name);
    if (!rc && s->company.email[0])
        rc = buf_addf(b, "%s\n", s->company.email);
    if (!rc && s->company.phone[0])
        rc = buf_addf(b, "%s\n", s->company.phone);
    return rc;
}

enum pm_err app_statement_email(const struct app_ctx *ax, const struct app_statement *s,
                                struct mail_row *out, struct app_error *e)
{
    struct buf pdf = BUF_INIT, text = BUF_INIT;
    char name[96], date[16];
    enum pm_err rc;

    if (!s->customer.email[0] || !mail_address_ok(s->customer.email)) {
        app_error_set(e, PM_ERR_INVALID, "missing_email", "email");
        return app_error_detail(e, "customer %lld has %s", (long long)s->customer.id,
                                s->customer.email[0] ? "no usable e-mail address"
                                                     : "no e-mail address");
    }
    rc = app_statement_pdf(s, &pdf, name, sizeof(name), e);
    if (rc)
        return rc;
    if (mail_text(s, &text)) {
        rc = app_error_set(e, PM_ERR_NOMEM, "internal_error", NULL);
        goto out_free;
    }
    memset(out, 0, sizeof(*out));
    out->company_id = ax->company_id;
    out->customer_id = s->customer.id;
    out->as_of = s->as_of;
    out->period_from = s->from;
    out->period_to = s->to;
    snprintf(out->recipient, sizeof(out->recipient), "%s", s->customer.email);
    date_format_iso(s->as_of, date);
    snprintf(out->subject, sizeof(out->subject),
             s->english ? "Statement from %s as of %s" : "Kontoutdrag från %s per %s",
             s->company.name, date);
    mail_message_id(ax->mail_from ? ax->mail_from : s->company.email, out->message_id,
                    sizeof(out->message_id));
    out->created_at = clock_now_s(ax->clock);
    rc = store_mail_insert_statement(ax->store, out, text.data, pdf.data, pdf.len, name);
    if (rc) {
        app_store_failed(ax, rc, e);
        goto out_free;
    }
    snprintf(out->state, sizeof(out->state), "queued");
    snprintf(out->customer_name, sizeof(out->customer_name), "%s", s->customer.name);
out_free:
    buf_release(&text);
    buf_release(&pdf);
    return rc;
}
