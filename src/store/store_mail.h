/*
 * store_mail.h — the e-mail outbox (table mail_outbox) of reminders and
 * customer statements, as stored.
 *
 * Written once in SQL over the storage driver (store_mail.c).  The rules
 * of store.h hold: every call about a company's mails takes the company
 * id; the dispatcher's lease reads across companies.  The delivery side
 * keeps the agency outbox's discipline (store_agency_outbox.c): a lease
 * with owner and lease_until taken with attempts + 1 — FOR UPDATE SKIP
 * LOCKED on PostgreSQL, one UPDATE ... RETURNING on SQLite — and every
 * later write names the owner, so a process whose lease expired and was
 * taken over changes nothing (PM_ERR_NOT_FOUND, field "lease").
 */
#ifndef PM_STORE_MAIL_H
#define PM_STORE_MAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define STORE_MAIL_SUBJECT_MAX 400
#define STORE_MAIL_ID_MAX      160
#define STORE_MAIL_ANSWER_MAX  512
#define STORE_MAIL_OWNER_MAX   64

/* One mail: queued, sending (leased), retry, sent or failed; of a
 * reminder (kind "reminder": invoice_id and reminder_id set) or a
 * customer statement (kind "statement": invoice_id and reminder_id 0,
 * as_of and the period set). */
struct mail_row {
    int64_t company_id;
    int64_t id;
    char kind[12];
    int64_t invoice_id;
    int64_t reminder_id;
    int64_t customer_id;
    char recipient[STORE_EMAIL_MAX];
    char subject[STORE_MAIL_SUBJECT_MAX];
    char message_id[STORE_MAIL_ID_MAX];
    char state[12];
    int64_t attempts;
    int64_t next_attempt_at; /* unix seconds (real time) */
    char last_answer[STORE_MAIL_ANSWER_MAX];
    int64_t sent_at; /* 0 = not sent */
    int64_t created_at;
    int64_t updated_at;
    int as_of; /* a statement's date and period (day numbers); 0 for a reminder */
    int period_from;
    int period_to;
    int64_t invoice_number;             /* read by the lists (joined), not stored */
    char customer_name[STORE_NAME_MAX]; /* read by the lists (joined), not stored */
};

/* Queue m (company_id, invoice_id, reminder_id, recipient, subject,
 * message_id, created_at set; id is given here) unless the reminder has a
 * mail already: *queued false then, and nothing is written. */
enum pm_err store_mail_insert(struct store *st, struct mail_row *m, bool *queued);

/* Queue the statement mail m (company_id, customer_id, recipient, subject,
 * message_id, as_of, period_from, period_to, created_at set; id is given
 * here) with its text and its PDF attachment named name. */
enum pm_err store_mail_insert_statement(struct store *st, struct mail_row *m, const char *body,
                                        const void *pdf, size_t pdf_len, const char *name);

/* What statement mail id sends: *body and *pdf malloc'ed (the caller frees
 * both), name[cap] the attachment's file name.  PM_ERR_NOT_FOUND ("mail_id")
 * when the company has no such statement mail. */
enum pm_err store_mail_statement_content(struct store *st, int64_t company_id, int64_t id,
                                         char **body, void **pdf, size_t *pdf_len, char *name,
                                         size_t cap);

/* The mail of a reminder; *found false when it has none. */
enum pm_err store_mail_of_reminder(struct store *st, int64_t company_id, int64_t reminder_id,
                                   struct mail_row *out, bool *found);

/* A company's mails, newest first: ids below before_id (0 = from the
 * newest), of invoice_id only when it is not 0; up to cap rows.  The
 * invoice's number and the customer's name come joined. */
enum pm_err store_mail_list(struct store *st, int64_t company_id, int64_t invoice_id,
                            int64_t before_id, struct mail_row *out, size_t cap, size_t *n);

/* Counts of a company's mails by state: queued (queued, sending, retry),
 * sent, failed. */
enum pm_err store_mail_counts(struct store *st, int64_t company_id, int64_t *queued, int64_t *sent,
                              int64_t *failed);

/* ---- delivery ---- */

/* Lease up to cap due mails of every company (next_attempt_at <= now, no
 * live lease) for owner until lease_until: state sending, attempts + 1. */
enum pm_err store_mail_lease(struct store *st, const char *owner, int64_t now, int64_t lease_until,
                             struct mail_row *out, size_t cap, size_t *n);

/* The leased mail was handed to the server (before the end of its DATA):
 * state sent at sent_at, the lease over but its owner kept, so that
 * store_mail_finish() may still say otherwise when the server answers
 * no.  Its COMMIT is sent, not waited for (sql_atomic_commit_sent): the
 * caller reads the answer with store_commit_wait() once the end of DATA
 * has gone out. */
enum pm_err store_mail_mark_sent(struct store *st, int64_t company_id, int64_t id,
                                 const char *owner, int64_t sent_at);

/* End owner's attempt: state "retry" (due at next_attempt_at), "failed" or
 * "sent", with the server's answer. */
enum pm_err store_mail_finish(struct store *st, int64_t company_id, int64_t id, const char *owner,
                              const char *state, int64_t next_attempt_at, const char *answer,
                              int64_t now);

/* Give back owner's lease of a mail not tried (a stopping dispatcher):
 * due again now, its attempt not counted. */
enum pm_err store_mail_release(struct store *st, int64_t company_id, int64_t id, const char *owner);

/* Mails not yet sent or failed, of every company. */
enum pm_err store_mail_pending(struct store *st, int64_t *out);

#endif
