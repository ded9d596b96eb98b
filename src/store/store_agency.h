/*
 * store_agency.h — what the hand-over to Visma Amili keeps: the company's
 * activation, hand-over batches and claims, the delivery side of the outbox
 * (leases, retries, completion), the agency's cases as last seen, sync
 * cursors, "seen" keys that make every synced event happen once, the cached
 * access token (sealed) and payout lines.
 *
 * Written once in SQL over the storage driver (store/sql.h), in
 * store_agency.c, store_agency_handover.c, store_agency_outbox.c and
 * store_agency_cases.c; no engine has a copy.  The same rules as store.h hold: every call takes the
 * company id (except the cross-company work queue and the token cache),
 * errors are detailed on the handle, and a call is atomic on its own or
 * joins the caller's transaction (a failed write leaves that transaction
 * usable).
 *
 * The exactly-once guarantees live in the schema: agency_claims' primary key
 * (company, invoice) makes a second hand-over impossible; an outbox row is
 * finished only by the lease owner (a taken-over lease makes the old owner's
 * finish PM_ERR_NOT_FOUND, and it must roll back); agency_seen's primary key
 * makes a synced event's history entry happen once.
 */
#ifndef PM_STORE_AGENCY_H
#define PM_STORE_AGENCY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/handover.h"
#include "core/reminder_stop.h"
#include "store/store.h"

#define STORE_AGENCY_ID_MAX      40   /* the agency's ids: 24 hex + NUL, with room */
#define STORE_AGENCY_NAME_MAX    64   /* states, statuses, versions */
#define STORE_AGENCY_PAYLOAD_MAX 8192 /* an outbox payload as the dispatcher reads it */
#define STORE_AGENCY_OWNER_MAX   40   /* a lease owner id */

/* ---- activation ---- */

struct amili_activation {
    int64_t company_id;
    char terms_version[STORE_AGENCY_NAME_MAX];
    int64_t accepted_by_user;
    char accepted_by[STORE_EMAIL_MAX]; /* the user's e-mail, filled on read */
    int64_t accepted_at;               /* unix seconds */
    char account_id[STORE_AGENCY_ID_MAX];
    char creditor_id[STORE_AGENCY_ID_MAX];
    enum amili_activation_state state;
    char failure[STORE_TEXT_MAX]; /* why it failed (JSON text), or "" */
    int64_t updated_at;           /* unix seconds */
};

/* ---- hand-over ---- */

/* The facts of one invoice that eligibility and the registration need. */
struct handover_row {
    struct invoice inv;
    struct customer cu;
    bool claimed;                   /* an agency_claims row exists */
    bool has_case;                  /* an agency_cases row exists */
    int64_t reminder_fees_minor;    /* manual reminder fees already charged */
    int32_t last_reminder_date;     /* day number, 0 when none */
    struct reminder_stop inv_stop;  /* the invoice's stop of reminders (set: one is recorded) */
    struct reminder_stop cust_stop; /* its customer's */
};

/* One invoice to claim: the outbox payload is built by the caller. */
struct handover_claim {
    int64_t invoice_id;
    const char *payload; /* JSON object text of the "register" message */
    const char *message; /* history message of the amili_queued event */
};

struct handover_batch {
    int64_t company_id;
    int64_t id;
    int64_t created_by;
    int64_t created_at;
    int64_t total;
};

struct handover_item {
    int64_t invoice_id;
    enum handover_item_status status;
    char case_id[STORE_AGENCY_ID_MAX];
    char ocr[32];
    char last_error[STORE_TEXT_MAX]; /* JSON text of the agency's issues when failed */
};

/* ---- the outbox, delivery side ---- */

struct outbox_lease_row {
    int64_t company_id;
    int64_t id;
    int64_t invoice_id;
    int64_t batch_id;
    enum amili_job kind;
    char payload[STORE_AGENCY_PAYLOAD_MAX];
    char idempotency_key[128];
    int attempts; /* including this one */
};

/* What to do with a leased row when the attempt is over. */
enum outbox_outcome {
    OUTBOX_DONE,   /* delivered (or nothing left to deliver) */
    OUTBOX_FAILED, /* refused for good */
    OUTBOX_RETRY,  /* try again at next_attempt_at */
};

/* ---- cases ---- */

struct agency_case {
    int64_t company_id;
    int64_t invoice_id;
    char case_id[STORE_AGENCY_ID_MAX];
    char ocr[32];
    char state[STORE_AGENCY_NAME_MAX];
    char status[STORE_AGENCY_NAME_MAX];
    bool closed;
    int64_t capital_minor;   /* handed over */
    int64_t fees_minor;      /* costs added at the agency */
    int64_t interest_minor;  /* interest accrued at the agency */
    int64_t paid_minor;      /* money the agency received (all kinds) */
    int64_t remaining_minor; /* still owed at the agency */
    bool disputed;
    bool instalment_plan;
    char etag[64];
    int64_t registered_at;     /* agency clock, unix seconds */
    int64_t synced_at;         /* our wall clock, 0 = never synced */
    int state_events;          /* state_history entries turned into history */
    int status_events;         /* status_history entries turned into history */
    int64_t agency_paid_minor; /* capital recorded as PAYMENT_AGENCY payments */
    int64_t payout_minor;      /* paid out to the company for this invoice */
    char original_invoice_url[512];
};

/* One line of a payout specification, as kept for the books. */
struct agency_payout_line {
    int64_t company_id;
    char payout_id[STORE_AGENCY_ID_MAX];
    int line_no;
    int64_t invoice_id; /* 0 when the invoice number is not ours */
    char invoice_number[STORE_SHORT_MAX];
    char finance_category[32];
    char article[32];
    int64_t amount_minor;
    int64_t vat_minor;
    int64_t total_minor;
    int32_t booking_date;
    int32_t payout_date;
};

/* ---- the operations ---- */

/* PM_ERR_NOT_FOUND (field company) when the company never activated. */
enum pm_err store_agency_activation_get(struct store *st, int64_t company_id,
                                        struct amili_activation *out);
/* Insert or replace the company's activation row. */
enum pm_err store_agency_activation_put(struct store *st, const struct amili_activation *a);
/* Active activations of all companies after after_company, ordered by
 * company id, up to cap. */
enum pm_err store_agency_activation_list_active(struct store *st, int64_t after_company,
                                                struct amili_activation *out, size_t cap,
                                                size_t *n);

/* What a hand-over checks of an invoice, in one statement: the invoice,
 * its customer card, claim and case, reminder fees and the stops
 * recorded on the invoice and its customer.  PM_ERR_NOT_FOUND (field
 * invoice_id) when there is no such invoice. */
enum pm_err store_agency_handover_facts(struct store *st, int64_t company_id, int64_t invoice_id,
                                        struct handover_row *out);
/* The same for ids[0..n) at once: out[i] and found[i] for ids[i] (found
 * false: no such invoice; an id named twice is filled twice).  One
 * statement on PostgreSQL (the ids as an array), one per id on SQLite. */
enum pm_err store_agency_handover_facts_many(struct store *st, int64_t company_id,
                                             const int64_t *ids, size_t n, struct handover_row *out,
                                             bool *found);
/* One batch: the batch row, then per claim the claim, a "register" outbox
 * row (idempotency key register-<invoice>-<batch>), an amili_queued history
 * event (actor) and agency_state "queued" on the invoice.  PM_ERR_CONFLICT
 * (field invoice_id) when an invoice is already claimed, or named twice:
 * nothing is written.  Fills batch's id and total (created_at when 0). */
enum pm_err store_agency_handover_claim(struct store *st, struct handover_batch *batch,
                                        const struct handover_claim *claims, size_t n,
                                        const char *actor, int64_t at_us);
/* The batch and, when items is not NULL, up to cap of its invoices. */
enum pm_err store_agency_handover_batch_get(struct store *st, int64_t company_id, int64_t batch_id,
                                            struct handover_batch *out, struct handover_item *items,
                                            size_t cap, size_t *n);

/* Lease up to cap due rows (any company) for owner until lease_until;
 * attempts is incremented.  now is wall-clock unix seconds.  No row is
 * leased to two owners at once, however many processes lease. */
enum pm_err store_agency_outbox_lease(struct store *st, const char *owner, int64_t now,
                                      int64_t lease_until, struct outbox_lease_row *out, size_t cap,
                                      size_t *n);
/* Extend a lease; PM_ERR_NOT_FOUND (field lease) when owner no longer
 * holds it. */
enum pm_err store_agency_outbox_renew(struct store *st, int64_t company_id, int64_t id,
                                      const char *owner, int64_t lease_until);
/* Finish an attempt; PM_ERR_NOT_FOUND (field lease) when owner no longer
 * holds it. */
enum pm_err store_agency_outbox_finish(struct store *st, int64_t company_id, int64_t id,
                                       const char *owner, enum outbox_outcome outcome,
                                       int64_t next_attempt_at, const char *last_error);
/* Sum of amount_minor of report_payment / report_crediting messages of an
 * invoice that are not failed. */
enum pm_err store_agency_outbox_reported(struct store *st, int64_t company_id, int64_t invoice_id,
                                         int64_t *out);
/* Unfinished rows of all companies, of one kind (NULL: any kind). */
enum pm_err store_agency_outbox_pending(struct store *st, const enum amili_job *kind, int64_t *out);

/* PM_ERR_CONFLICT when the invoice (field invoice_id) or the case id
 * (field case_id) has a case already. */
enum pm_err store_agency_case_insert(struct store *st, const struct agency_case *c);
enum pm_err store_agency_case_get(struct store *st, int64_t company_id, int64_t invoice_id,
                                  struct agency_case *out);
enum pm_err store_agency_case_find(struct store *st, int64_t company_id, const char *case_id,
                                   struct agency_case *out);
/* Write every column of c; raw (may be NULL: kept) is the agency's JSON. */
enum pm_err store_agency_case_update(struct store *st, const struct agency_case *c,
                                     const char *raw);
/* A page of cases at once (the status sync), each call one atomic unit
 * of one statement (the case rows on SQLite: a prepared statement a row,
 * in-process).  find_many: out[i] and found[i] for case_ids[i] (found
 * false: not one of the company's cases; a case named twice is filled
 * twice). */
enum pm_err store_agency_case_find_many(struct store *st, int64_t company_id,
                                        const char *const *case_ids, size_t n,
                                        struct agency_case *out, bool *found);
/* store_agency_case_update of cases[i] with raws[i] (not NULL) for each i,
 * all of company_id and of distinct invoices; PM_ERR_NOT_FOUND (field
 * case) when one has no row. */
enum pm_err store_agency_case_update_many(struct store *st, int64_t company_id,
                                          const struct agency_case *cases, const char *const *raws,
                                          size_t n);
/* invoices.agency_status of invoice_ids[i] set to statuses[i] for each i
 * (distinct invoices); PM_ERR_NOT_FOUND (field invoice_id) when one is
 * missing. */
enum pm_err store_agency_invoice_status_many(struct store *st, int64_t company_id,
                                             const int64_t *invoice_ids,
                                             const char *const *statuses, size_t n);
/* The smallest registered_at of the company's never-synced cases, or of
 * all its cases when all is true (0 when none). */
enum pm_err store_agency_case_unsynced_since(struct store *st, int64_t company_id, bool all,
                                             int64_t *out);

/* invoices.agency_state / agency_status (NULL leaves one as it is). */
enum pm_err store_agency_invoice_agency(struct store *st, int64_t company_id, int64_t invoice_id,
                                        const enum amili_state *state, const char *status);
/* Delete the claim: the invoice may be handed over again. */
enum pm_err store_agency_claim_release(struct store *st, int64_t company_id, int64_t invoice_id);
enum pm_err store_agency_invoice_by_number(struct store *st, int64_t company_id, int64_t number,
                                           int64_t *invoice_id);

/* Record key once: *inserted tells whether it was new. */
enum pm_err store_agency_seen(struct store *st, int64_t company_id, const char *key,
                              bool *inserted);
enum pm_err store_agency_cursor_get(struct store *st, int64_t company_id, char *out, size_t cap);
enum pm_err store_agency_cursor_put(struct store *st, int64_t company_id, const char *value,
                                    int64_t synced_at);

/* The sealed access token of an API code (PM_ERR_NOT_FOUND when none). */
enum pm_err store_agency_token_get(struct store *st, const char *api_code, unsigned char *sealed,
                                   size_t cap, size_t *len, int64_t *expires_at);
enum pm_err store_agency_token_put(struct store *st, const char *api_code,
                                   const unsigned char *sealed, size_t len, int64_t expires_at);

enum pm_err store_agency_payout_line_insert(struct store *st, const struct agency_payout_line *l);

#endif
