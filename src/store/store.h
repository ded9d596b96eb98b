/*
 * store.h — the storage interface of Påminn.
 *
 * Everything the product keeps goes through the store_*() functions below
 * (and store_agency.h, store_books.h).  Each is written once in SQL
 * (src/store/store_*.c over sql.h) and runs on whichever storage driver
 * the DSN names (store_driver.h: SQLite by default, PostgreSQL for
 * hosting).  Callers never see the driver.
 *
 * Rules every operation keeps:
 * - Every company-owned row is keyed (company_id, id) and every call takes
 *   the company id: another company's object is PM_ERR_NOT_FOUND.
 * - Ids are positive int64, unique within (company, table).
 * - Transactions are explicit: store_begin() .. store_commit() or
 *   store_rollback().  Calls outside a transaction are atomic on their own.
 *   Writes that keep derived columns right (a payment updating the invoice's
 *   paid and remaining amounts) happen inside the same call.
 * - On failure the engine fills the handle's error (store_error()) with the
 *   field or constraint and a message; nothing is half written.
 * - One struct store is used by one thread at a time; open one per worker.
 *
 * Row structs hold their text in fixed, bounded arrays: what does not fit is
 * refused at the API's edge (the STORE_*_MAX lengths are the product's limits).
 */
#ifndef PM_STORE_H
#define PM_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/amili.h"
#include "core/invoice.h"
#include "util/err.h"

#define STORE_NAME_MAX  200 /* bytes incl. NUL: names, address lines */
#define STORE_SHORT_MAX 40  /* numbers, zip codes, phone numbers */
#define STORE_EMAIL_MAX 255
#define STORE_TEXT_MAX  1000 /* descriptions, messages */
#define STORE_DATA_MAX  4000 /* JSON data of a history event */
#define STORE_LIST_MAX  500  /* rows in one list call */

struct store;

/* ---- companies and users ---- */

enum accounting_method { ACCOUNTING_ACCRUAL, ACCOUNTING_CASH };

struct company {
    int64_t id;
    char name[STORE_NAME_MAX];
    char organization_no[STORE_SHORT_MAX]; /* normalised 10 digits */
    char address_line_1[STORE_NAME_MAX];
    char address_line_2[STORE_NAME_MAX];
    char zip_code[STORE_SHORT_MAX];
    char city[STORE_NAME_MAX];
    char country[3];
    char email[STORE_EMAIL_MAX];
    char phone[STORE_SHORT_MAX];
    char bankgiro[STORE_SHORT_MAX];
    int payment_terms_days;
    bool reminder_fee_agreed;
    int64_t reminder_fee_minor;
    int reminder_due_days; /* days to pay after a manual reminder, 1..60 */
    /* the month its fiscal years start in, 1..12 (core/fiscal.h); 0 in a
     * row built without it means 1 */
    int fiscal_year_start_month;
    /* Swish för företag, 10 digits (core/swish.h); "" = none, no QR code */
    char swish_number[STORE_SHORT_MAX];
    enum accounting_method accounting_method;
    char language[3];   /* "sv" | "en" */
    char timezone[64];  /* "Europe/Stockholm" */
    int64_t created_at; /* unix seconds */
};

enum member_role { ROLE_OWNER, ROLE_MEMBER, ROLE_READ_ONLY };

struct user {
    int64_t id;
    char email[STORE_EMAIL_MAX];
    char name[STORE_NAME_MAX];
    char password_hash[256]; /* libsodium argon2id string */
    int64_t created_at;
};

struct membership {
    int64_t company_id;
    char company_name[STORE_NAME_MAX];
    enum member_role role;
};

/* ---- customers ---- */

struct customer {
    int64_t company_id;
    int64_t id;
    char number[STORE_SHORT_MAX];
    char name[STORE_NAME_MAX];
    bool is_company;
    char id_number[STORE_SHORT_MAX]; /* normalised, or "" (foreign customers) */
    char address_line_1[STORE_NAME_MAX];
    char address_line_2[STORE_NAME_MAX];
    char zip_code[STORE_SHORT_MAX];
    char city[STORE_NAME_MAX];
    char country[3];
    char email[STORE_EMAIL_MAX];
    char mobile_number[STORE_SHORT_MAX];
    char language[3];
    int64_t created_at;
};

/* ---- invoices ---- */

/* enum invoice_state, enum invoice_filter and what they mean: core/invoice.h. */

struct invoice {
    int64_t company_id;
    int64_t id;
    int64_t number;
    int64_t customer_id;
    char customer_name[STORE_NAME_MAX]; /* the customer's, kept by the store */
    enum invoice_kind kind;
    char currency[4];
    int32_t invoice_date;
    int32_t due_date;
    int64_t net_minor;
    int64_t vat_minor;
    int64_t total_minor;
    int64_t tax_reduction_minor;
    int64_t customer_part_minor;
    int64_t paid_minor;
    int64_t credited_minor;
    int64_t remaining_minor;
    enum invoice_state state;
    int manual_reminders;
    enum amili_state agency_state; /* stored as its name (core/amili.h) */
    char agency_status[64];        /* the agency's case status as last seen */
    int64_t created_at;
    /* The reminder fee agreed when the invoice was issued (0: none): a fee
     * may be charged only when agreed before the debt arose (lag
     * 1981:739, 2 §), so a later change of the company's setting does not
     * reach invoices already issued. */
    int64_t reminder_fee_agreed_minor;
    enum invoice_zero_vat zero_vat; /* why no VAT, stored as its name */
    int64_t expected_loss_minor;    /* filled on read: an expected loss written down (net) */
    bool reminder_stopped;          /* read by the list: a stop of reminders holds today */
    /* Read by the list for a handed-over invoice ("" otherwise): the
     * agency's case id and OCR, so that a page is one query. */
    char agency_case_id[40];
    char agency_ocr[32];
};

struct invoice_line_row {
    char description[STORE_TEXT_MAX];
    struct invoice_line line;
    int64_t net_minor;
};

struct invoice_buyer {
    char id_number[STORE_SHORT_MAX];
    char name[STORE_NAME_MAX];
};

#define STORE_LINES_MAX  200
#define STORE_BUYERS_MAX 4

enum invoice_sort {
    SORT_DUE_ASC,
    SORT_DUE_DESC,
    SORT_NUMBER_ASC,
    SORT_NUMBER_DESC,
    SORT_REMAINING_DESC,
};

/* Keyset position: the sort key and id of the last row of the previous page. */
struct invoice_cursor {
    bool set;
    int64_t key;
    int64_t id;
};

enum invoice_stopped { STOPPED_ANY, STOPPED_YES, STOPPED_NO, STOPPED_COUNT };

struct invoice_query {
    enum invoice_filter filter;
    enum invoice_sort sort;
    int32_t today;       /* the company's local date, for FILTER_OVERDUE */
    const char *q;       /* search in number and customer name, or NULL */
    int64_t customer_id; /* 0 = any */
    /* by stops of reminders holding on today (core/reminder_stop.h) */
    enum invoice_stopped stopped;
    size_t limit; /* 1..STORE_LIST_MAX */
    struct invoice_cursor after;
};

/* ---- payments and history ---- */

enum payment_source { PAYMENT_MANUAL, PAYMENT_BGMAX, PAYMENT_AGENCY, PAYMENT_CAMT054 };

struct payment {
    int64_t company_id;
    int64_t id;
    int64_t invoice_id;
    int32_t date;
    int64_t amount_minor;
    char reference[STORE_SHORT_MAX * 2];
    enum payment_source source;
    int64_t created_at;
};

struct history_event {
    int64_t company_id;
    int64_t id;
    int64_t invoice_id;
    int64_t at_us;               /* unix microseconds, UTC */
    char kind[48];               /* "created", "payment", "amili_queued", ... */
    char actor[STORE_EMAIL_MAX]; /* user e-mail, "system", "amili" */
    char message[STORE_TEXT_MAX];
    char data[STORE_DATA_MAX]; /* JSON object text, "{}" when none */
};

/* ---- sessions, API tokens, idempotency ---- */

/* A login session.  Only a hash of the cookie value is stored. */
struct session {
    char token_hash[65]; /* hex SHA-256 of the cookie value */
    int64_t user_id;
    char csrf_token[65];
    int64_t created_at;
    int64_t expires_at; /* unix seconds */
};

/* A per-company bearer token; only its hash is stored. */
struct api_token {
    int64_t company_id;
    int64_t id;
    char name[STORE_NAME_MAX];
    char token_hash[65];
    int64_t created_by; /* user id */
    int64_t created_at;
    int64_t expires_at;   /* unix seconds; 0 = never */
    int64_t last_used_at; /* to the hour; 0 = never used */
};

/* The first answer to a POST with an Idempotency-Key. */
struct idempotency_record {
    int64_t company_id;
    char key[128];
    char request_hash[65]; /* hex SHA-256 of method, path and body */
    int status;
    char *body; /* owned by the caller after a get: free() it */
    int64_t created_at;
};

/* ---- the agency outbox ---- */

/* One message for the agency, written in the same transaction as the change
 * that calls for it and delivered later by the dispatcher (src/agency).
 * kind: what the agency is asked to do (enum amili_job, core/amili.h).
 * idempotency_key is unique per company:
 * enqueueing the same key twice is PM_ERR_CONFLICT, so a retried request
 * cannot send the same message twice. */
struct outbox_message {
    int64_t company_id;
    int64_t id; /* set by store_outbox_enqueue */
    int64_t invoice_id;
    int64_t batch_id; /* 0 = none */
    enum amili_job kind;
    char payload[STORE_DATA_MAX]; /* JSON object text */
    char idempotency_key[128];
};

/* A handle (store_driver.h): opened by store_open(), one thread at a time. */

/* Open the store named by dsn: "sqlite:PATH" or a bare path (SQLite),
 * "postgresql://..." (PostgreSQL, where built).  The caller closes it with
 * store_close(), which sets *st to NULL. */
enum pm_err store_open(const char *dsn, struct store **out, struct pm_error *e);
void store_close(struct store **st);

/* dsn as it may be shown in messages and logs: a PostgreSQL URI's password
 * ("user:secret@", "password=secret") replaced by "***". */
void store_dsn_redacted(const char *dsn, char *out, size_t cap);

/* The engine's name: "sqlite", "postgresql". */
const char *store_engine_name(const struct store *st);

/* The detail of the last failure on this handle. */
const struct pm_error *store_error(const struct store *st);
/* True when the last failure since store_begin() was transient — a
 * serialisation failure or deadlock (PostgreSQL), a busy database
 * (SQLite) — so that rolling back and running the whole transaction again
 * may succeed. */
bool store_retryable(const struct store *st);

/* Thin wrappers over the ops table, one per operation. */
enum pm_err store_migrate(struct store *st, int *applied);
/* How many migrations opening this handle applied (0 for a schema that was
 * up to date): store_open migrates before store_migrate can. */
int store_migrations_at_open(const struct store *st);
enum pm_err store_begin(struct store *st);
/* A transaction that writes company_id's data (see begin_for above); a
 * company_id of 0 is store_begin(). */
enum pm_err store_begin_for(struct store *st, int64_t company_id);
enum pm_err store_commit(struct store *st);
/* A commit in two halves, for a commit that must leave the process just
 * before something else does (a mail recorded as sent, then the end of
 * its DATA): store_commit_send() sends the COMMIT without waiting for the
 * server's answer, store_commit_wait() reads it — the handle's next call,
 * nothing else in between.  A server's COMMIT it has read commits even
 * when the process dies before the answer; an in-process engine commits
 * in the first half. */
enum pm_err store_commit_send(struct store *st);
enum pm_err store_commit_wait(struct store *st);
enum pm_err store_rollback(struct store *st);
/* The handle is about to write a great many rows (demo data, an import)
 * or, on = false, is done with it: the engine's tuning for it (SQLite: a
 * page cache of STORE_BULK_CACHE_MIB instead of the default 2 MiB, so
 * that filling tables with many indexes does not spill and re-read
 * pages; PostgreSQL: nothing).  Only memory: the data written is the same. */
#define STORE_BULK_CACHE_MIB 256
enum pm_err store_bulk_writes(struct store *st, bool on);
/* Before a load of many rows into tables (NULL-terminated names; demo
 * data): their indexes that only speed reads — not unique, not keys — are
 * dropped, so that each row does not update a dozen B-trees in random
 * order, and their definitions kept in the database.  store_indexes_restore()
 * builds them again, each with one sort; store_migrate() does so too, so a
 * load that died half-way leaves nothing missing for long.  Until then the
 * data is whole and right, only slower to read.  On PostgreSQL the tables'
 * foreign keys are set aside too and added back (each row checked then,
 * in one join).  No transaction may be open. */
enum pm_err store_indexes_defer(struct store *st, const char *const *tables);
enum pm_err store_indexes_restore(struct store *st);
/* Inside a transaction: mark where to undo to.  store_undo_to_mark()
 * then undoes every write since the mark (the transaction goes on), as a
 * dry run needs: do it all, answer what was done, keep nothing. */
enum pm_err store_mark(struct store *st);
void store_undo_to_mark(struct store *st);
enum pm_err store_company_insert(struct store *st, struct company *c);
enum pm_err store_company_get(struct store *st, int64_t company_id, struct company *out);
enum pm_err store_company_update(struct store *st, const struct company *c);
enum pm_err store_user_insert(struct store *st, struct user *u);
enum pm_err store_user_get_by_email(struct store *st, const char *email, struct user *out);
enum pm_err store_user_get(struct store *st, int64_t user_id, struct user *out);
/* Replace a user's password hash (NOT_FOUND: no such user). */
enum pm_err store_user_set_password_hash(struct store *st, int64_t user_id, const char *hash);
enum pm_err store_membership_set(struct store *st, int64_t company_id, int64_t user_id,
                                 enum member_role role);
enum pm_err store_membership_list(struct store *st, int64_t user_id, struct membership *out,
                                  size_t cap, size_t *n);
/* Sets c->id. */
enum pm_err store_customer_insert(struct store *st, struct customer *c);
enum pm_err store_customer_get(struct store *st, int64_t company_id, int64_t id,
                               struct customer *out);
enum pm_err store_customer_update(struct store *st, const struct customer *c);
/* Customers by name (ASCII case ignored), then id, after the row with id
 * after_id (0: from the start); q matches a part of the name or the whole
 * customer number. */
enum pm_err store_customer_list(struct store *st, int64_t company_id, const char *q,
                                int64_t after_id, struct customer *out, size_t cap, size_t *n);
/* Insert an invoice with its lines and buyers; number 0 takes the next
 * number of the company's series.  Sets inv->id, number, remaining and
 * state (core/invoice.h). */
enum pm_err store_invoice_insert(struct store *st, struct invoice *inv,
                                 const struct invoice_line_row *lines, size_t n_lines,
                                 const struct invoice_buyer *buyers, size_t n_buyers);
/* One invoice of a batch and what is written with it.  inv as for
 * store_invoice_insert but number 0 (a batch takes its numbers from the
 * series); payments and events need no company or invoice id (the batch
 * sets them, and their ids). */
struct store_invoice_new {
    struct invoice inv; /* out: as store_invoice_insert leaves it, after the payments */
    const struct invoice_line_row *lines;
    size_t n_lines;
    const struct invoice_buyer *buyers;
    size_t n_buyers;
    struct payment *payments; /* received already: as store_payment_insert each, in order */
    size_t n_payments;
    struct history_event *events; /* as store_history_insert each, in order */
    size_t n_events;
};

/* Called once an item has its id and number (item->inv.id, number) and
 * before its payments and events are written: what the caller fills in
 * that names them (a payment's reference).  May be called again for the
 * same item when the unit is run again after a transient conflict. */
typedef void store_invoice_numbered_fn(void *arg, struct store_invoice_new *item);

/* Insert items[0..n), all of one company, as store_invoice_insert, then
 * store_payment_insert and store_history_insert for each payment and event
 * of each item in order would (the same numbers, ids in the same order,
 * the same derived columns and webhook deliveries), in one atomic unit
 * whose round trips do not grow with the rows (store_invoice_batch.c).
 * numbered may be NULL. */
enum pm_err store_invoice_insert_batch(struct store *st, struct store_invoice_new *items, size_t n,
                                       store_invoice_numbered_fn *numbered, void *arg);
enum pm_err store_invoice_get(struct store *st, int64_t company_id, int64_t id,
                              struct invoice *out);
/* Lines and buyers of an invoice, up to cap each. */
enum pm_err store_invoice_lines(struct store *st, int64_t company_id, int64_t id,
                                struct invoice_line_row *out, size_t cap, size_t *n);
enum pm_err store_invoice_buyers(struct store *st, int64_t company_id, int64_t id,
                                 struct invoice_buyer *out, size_t cap, size_t *n);
enum pm_err store_invoice_list(struct store *st, int64_t company_id, const struct invoice_query *q,
                               struct invoice *out, size_t cap, size_t *n);
/* Number of invoices per filter (index FILTER_*) on `today`. */
enum pm_err store_invoice_counts(struct store *st, int64_t company_id, int32_t today,
                                 int64_t counts[FILTER_COUNT]);
/* Record a payment and update the invoice's paid/remaining/state in the
 * same transaction.  Sets p->id.  The amount must be > 0 (PM_ERR_RANGE on
 * "amount_minor"); more than remains is recorded (core/invoice.h). */
enum pm_err store_payment_insert(struct store *st, struct payment *p);
enum pm_err store_payment_list(struct store *st, int64_t company_id, int64_t invoice_id,
                               struct payment *out, size_t cap, size_t *n);
enum pm_err store_session_insert(struct store *st, const struct session *s);
enum pm_err store_session_get(struct store *st, const char *token_hash, struct session *out);
enum pm_err store_session_delete(struct store *st, const char *token_hash);
enum pm_err store_api_token_insert(struct store *st, struct api_token *t);
enum pm_err store_api_token_get(struct store *st, const char *token_hash, struct api_token *out);
enum pm_err store_idempotency_get(struct store *st, int64_t company_id, const char *key,
                                  struct idempotency_record *out);
enum pm_err store_idempotency_put(struct store *st, const struct idempotency_record *r);
enum pm_err store_outbox_enqueue(struct store *st, struct outbox_message *m);
enum pm_err store_history_insert(struct store *st, struct history_event *ev);
/* evs[0..n), all of one company, as store_history_insert each in order
 * (ids, at_us and data set the same way), in one atomic unit. */
enum pm_err store_history_insert_batch(struct store *st, struct history_event *evs, size_t n);
/* Oldest first, after event id after_id. */
enum pm_err store_history_list(struct store *st, int64_t company_id, int64_t invoice_id,
                               int64_t after_id, struct history_event *out, size_t cap, size_t *n);
/* A number that changes whenever a committed write, by this handle or by
 * any other connection or process, may have changed what this handle reads;
 * equal numbers from one handle mean a cached answer is still right.
 * Numbers are only comparable on the same handle. */
enum pm_err store_data_version(struct store *st, uint64_t *out);

/*
 * Reading from a standby (paminn serve --db-read), or beside the primary's
 * writers (paminn serve's lists on PostgreSQL without --db-read).  A handle
 * opened with store_open_standby only reads, in transactions a hot standby
 * can run, and plans each of its statements once (lists).
 * store_data_version_at gives, on the primary, the data version and the
 * position ("0/16B3748" on PostgreSQL) that a standby must have replayed to
 * show at least what that version shows; store_replayed asks a standby
 * whether it has.  Engines without standbys (SQLite) refuse with
 * PM_ERR_INVALID; store_data_version_at then gives an empty position.
 */
#define STORE_POSITION_MAX 32
enum pm_err store_open_standby(const char *dsn, struct store **out, struct pm_error *e);
enum pm_err store_data_version_at(struct store *st, uint64_t *version,
                                  char pos[STORE_POSITION_MAX]);
enum pm_err store_replayed(struct store *st, const char *pos, bool *yes);
/* One round trip for a page and its version (PostgreSQL): the next
 * statement this handle runs outside a transaction carries a read of the
 * data version just before it, in the same snapshot, so the page it reads
 * shows exactly what that version does.  store_version_taken then gives
 * that version and forgets it; false (and nothing to forget) when no
 * statement carried it — none ran, it ran inside a transaction, or the
 * engine cannot (SQLite). */
void store_version_with_next(struct store *st);
bool store_version_taken(struct store *st, uint64_t *version);

/* Names for enums as they appear in the API and the database. */
const char *store_role_name(enum member_role r);
enum pm_err store_role_parse(const char *s, enum member_role *out);
const char *store_invoice_state_name(enum invoice_state s);
enum pm_err store_invoice_state_parse(const char *s, enum invoice_state *out);
const char *store_filter_name(enum invoice_filter f);
enum pm_err store_filter_parse(const char *s, enum invoice_filter *out);
const char *store_payment_source_name(enum payment_source s);
enum pm_err store_payment_source_parse(const char *s, enum payment_source *out);

#endif
