/*
 * app_credit_notes.h — credit notes (kreditfakturor): making one against
 * an invoice or free-standing for a customer, listing them, and their PDF.
 *
 * Part of src/app.  What a credit note credits is core/credit_note.h's
 * rule; its voucher core's voucher_credit_note().  A credit note against
 * an invoice reduces what is left on it (the invoice is credited when
 * nothing is left, paid when payments cleared part of it), adds a
 * "credit_note" history event, and when the invoice is with Visma Amili
 * queues one report_crediting message (idempotency key "credit-note-<id>",
 * so it is reported exactly once).  Credit notes are numbered 1, 2, 3 ...
 * in a series of their own per company (the invoices' numbers come from
 * the invoicing platform, so a credit note cannot take one of those
 * without colliding with the platform's next invoice).
 */
#ifndef PM_APP_CREDIT_NOTES_H
#define PM_APP_CREDIT_NOTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "store/store_credit_notes.h"
#include "util/buf.h"

struct app_credit_note_input {
    int64_t invoice_id;  /* 0: free-standing */
    int64_t customer_id; /* free-standing: the customer credited */
    int32_t date;        /* 0: today */
    char reason[CREDIT_NOTE_REASON_MAX + 1];
    /* all that is left on the invoice (neither an amount nor rates given) */
    bool full;
    struct credit_note_request req;
};

struct app_credit_note_result {
    struct credit_note_row note;
    int64_t remaining_minor; /* left on the invoice afterwards */
    bool reported_to_agency;
};

/* Make a credit note, in the caller's transaction.  Refusals (nothing
 * written): not_found on invoice_id / customer_id; conflict on invoice_id
 * for an invoice written off as a confirmed loss; invalid_value on reason
 * (empty or too long); date_after_today / date_before_invoice on date;
 * books_locked on date; out_of_range on amount_minor, rates or
 * rates[BP] beyond what the invoice has left (with the amount left in the
 * detail). */
enum pm_err app_credit_notes_create(const struct app_ctx *ax,
                                    const struct app_credit_note_input *in,
                                    struct app_credit_note_result *out, struct app_error *e);

enum pm_err app_credit_notes_get(const struct app_ctx *ax, int64_t id, struct credit_note_row *out,
                                 struct app_error *e);

/* The credit notes of invoice_id (not_found when there is no invoice). */
enum pm_err app_credit_notes_list(const struct app_ctx *ax, int64_t invoice_id,
                                  struct credit_note_row *out, size_t cap, size_t *n,
                                  struct app_error *e);

/* The PDF of credit note id, in Swedish or English by the customer's
 * language, appended to *pdf. */
enum pm_err app_credit_notes_pdf(const struct app_ctx *ax, int64_t id, struct buf *pdf,
                                 struct app_error *e);

/* "/api/v1/companies/{cid}/credit-notes/{id}/credit-note.pdf". */
void app_credit_notes_pdf_url(int64_t company_id, int64_t id, char *dst, size_t cap);

#endif
