/*
 * app_mail.h — e-mail of reminders: queueing a reminder's e-mail, the
 * lists the UI shows, and the delivery the mail dispatcher runs.
 *
 * Part of src/app.  A reminder is e-mailed at most once (the mail_outbox
 * row is unique per reminder).  The text, in the customer's language as
 * the letter, says the invoice number, capital, fee, interest, total to
 * pay, new due date, bankgiro and OCR — all from the reminder's letter
 * snapshot, so it says what the PDF says; the PDF letter is attached,
 * taken from the reminder when the mail is sent (app_reminders_letter).
 * A refusal by the server (5xx) or giving up after the retries adds a
 * history event "E-post kunde inte levereras: <answer>" to the invoice.
 */
#ifndef PM_APP_MAIL_H
#define PM_APP_MAIL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "mail/mail.h"
#include "store/store_mail.h"

/* Queue the e-mail of an existing reminder in the caller's transaction.
 * missing_email (field "email") when the customer has no e-mail address;
 * a second call for the same reminder is PM_OK and queues nothing. */
enum pm_err app_mail_queue_reminder(const struct app_ctx *ax, int64_t invoice_id,
                                    int64_t reminder_id, struct app_error *e);

/* The mail of a reminder (*found false when it has none). */
enum pm_err app_mail_of_reminder(const struct app_ctx *ax, int64_t reminder_id,
                                 struct mail_row *out, bool *found, struct app_error *e);

/* The company's mails newest first (of invoice_id only, when not 0),
 * below before_id (0: from the newest), up to cap. */
enum pm_err app_mail_list(const struct app_ctx *ax, int64_t invoice_id, int64_t before_id,
                          struct mail_row *out, size_t cap, size_t *n, struct app_error *e);

/* ---- delivery ---- */

#define APP_MAIL_DEFAULT_RETRY_S      60
#define APP_MAIL_DEFAULT_MAX_ATTEMPTS 8
#define APP_MAIL_DEFAULT_LEASE_S      120
#define APP_MAIL_BATCH                8

/* What the dispatcher delivers with. */
struct app_mail_sender {
    struct store *store;       /* the dispatcher's own handle */
    const struct clock *clock; /* business time: history stamps, sent_at */
    struct mail_smtp *smtp;    /* mail/mail.h */
    const char *from;          /* the envelope sender and From address */
    const char *owner;         /* the lease owner: unique per process and thread */
    int retry_s;               /* the first retry's delay; doubled each time (max 1 h) */
    int max_attempts;          /* given up (failed) after this many */
    int lease_s;               /* a batch's lease */
    const atomic_int *stop;    /* when set, the rest of a batch is given back untried */
};

/* Lease up to APP_MAIL_BATCH due mails and deliver them; *n how many were
 * leased (0: nothing due).  A failure of the store is the result; every
 * mail's own outcome is in the store. */
enum pm_err app_mail_deliver(const struct app_mail_sender *s, size_t *n, struct pm_error *e);

#endif
