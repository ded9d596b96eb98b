/*
 * store_dunning.h — reminder policies, the daily runs and their items, as
 * stored.
 *
 * Written once in SQL over the storage driver (store_dunning.c).  The
 * rules of store.h hold: every call takes the company id, errors are
 * detailed on the handle, a call is atomic on its own or joins the
 * caller's transaction.  What a policy means and what a run decides is
 * core/dunning.h's; app/app_dunning.c orchestrates.
 */
#ifndef PM_STORE_DUNNING_H
#define PM_STORE_DUNNING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dunning.h"
#include "store/store.h"

/* A policy as stored: the company's default (customer_id 0) or one
 * customer's override. */
struct dunning_policy_row {
    int64_t company_id;
    int64_t id;
    int64_t customer_id; /* 0 = the company's default */
    struct dunning_policy policy;
    char updated_by[STORE_EMAIL_MAX];
    int64_t updated_by_user; /* the user who last saved it (0 = none) */
    int64_t updated_at;
};

/* The policy of customer_id (0: the default); *found false when none is
 * stored. */
enum pm_err store_dunning_policy_get(struct store *st, int64_t company_id, int64_t customer_id,
                                     struct dunning_policy_row *out, bool *found);
/* Store r (its levels replace the stored ones); r->id is set. */
enum pm_err store_dunning_policy_put(struct store *st, struct dunning_policy_row *r);
/* Remove a customer's override (*found false when there was none). */
enum pm_err store_dunning_policy_delete(struct store *st, int64_t company_id, int64_t customer_id,
                                        bool *found);
/* Every policy of the company (the default, if stored, among them), into
 * *out (malloc'ed, free() it), *n of them. */
enum pm_err store_dunning_policies(struct store *st, int64_t company_id,
                                   struct dunning_policy_row **out, size_t *n);
/* The companies whose default policy is switched on, ascending, up to cap. */
enum pm_err store_dunning_companies(struct store *st, int64_t *out, size_t cap, size_t *n);

/* One invoice the run looks at, with what the decision needs. */
struct dunning_candidate {
    int64_t invoice_id;
    int64_t customer_id;
    char currency[4];
    int due_date;
    int64_t remaining_minor;
    char state[16];        /* invoice_state_name() */
    char agency_state[32]; /* amili_state_name() */
    bool claimed;          /* agency_claims has it */
    int dunning_level;
    int dunning_date;
    int64_t fee_agreed_minor;
    int64_t fee_charged_minor;
    bool customer_is_company;
    bool has_email;
    char customer_name[STORE_NAME_MAX];
    char address_line_1[STORE_NAME_MAX];
    char zip_code[STORE_SHORT_MAX];
    char city[STORE_NAME_MAX];
    char country[3];
    char id_number[STORE_SHORT_MAX];
    int64_t policy_id;      /* the customer's override; 0 = the default */
    char inv_stop_kind[16]; /* "" = no stop stored */
    int inv_stop_since, inv_stop_until;
    char cust_stop_kind[16];
    int cust_stop_since, cust_stop_until;
};

/* Call each(arg, c) for every candidate of the run on `today`: each open
 * invoice past its due date, and each invoice reminded by a run since
 * `recent` that is no longer open (to tell why it gets nothing now).  One
 * query per kind; each's error ends the walk with it.  The customer's
 * name, address and identity number (what a hand-over needs) are read
 * only for invoices whose dunning_level is at least address_level, and
 * are "" for the others: most candidates of a large run cannot be handed
 * over yet, and these columns were the larger part of what the query
 * sends. */
enum pm_err store_dunning_candidates(
    struct store *st, int64_t company_id, int32_t today, int32_t recent, int address_level,
    enum pm_err (*each)(void *arg, const struct dunning_candidate *c), void *arg);

enum dunning_run_state { DUNNING_RUN_PROPOSED, DUNNING_RUN_APPROVED, DUNNING_RUN_DONE };
const char *dunning_run_state_name(enum dunning_run_state s);

struct dunning_run {
    int64_t company_id;
    int64_t id;
    int run_date;
    enum dunning_run_state state;
    enum dunning_approval approval;
    int64_t items;
    int64_t letters_batch_id; /* the reminder batch of the run's letters; 0 = none */
    char created_by[STORE_EMAIL_MAX];
    int64_t created_at;
    char approved_by[STORE_EMAIL_MAX];
    int64_t approved_at;
    int64_t finished_at;
};

/* Insert the run of r->run_date unless the company has one that day;
 * either way *r becomes the day's run and *created says which. */
enum pm_err store_dunning_run_open(struct store *st, struct dunning_run *r, bool *created);
enum pm_err store_dunning_run_get(struct store *st, int64_t company_id, int64_t id,
                                  struct dunning_run *out);
/* Runs newest first, before id `before` (0: from the newest), up to cap. */
enum pm_err store_dunning_runs(struct store *st, int64_t company_id, int64_t before,
                               struct dunning_run *out, size_t cap, size_t *n);
/* The runs approved but not finished (left by a crash), up to cap. */
enum pm_err store_dunning_runs_unfinished(struct store *st, int64_t company_id, int64_t *ids,
                                          size_t cap, size_t *n);
/* Move a run from state `from` to `to` (approved_by/at or finished_at
 * set): PM_ERR_NOT_FOUND when it is not in `from`. */
enum pm_err store_dunning_run_move(struct store *st, int64_t company_id, int64_t id,
                                   enum dunning_run_state from, enum dunning_run_state to,
                                   const char *by, int64_t at);
enum pm_err store_dunning_run_set_items(struct store *st, int64_t company_id, int64_t id,
                                        int64_t items);
enum pm_err store_dunning_run_set_batch(struct store *st, int64_t company_id, int64_t id,
                                        int64_t batch_id);

enum dunning_item_state {
    DUNNING_ITEM_PENDING,
    DUNNING_ITEM_DONE,
    DUNNING_ITEM_FAILED,
    DUNNING_ITEM_SKIPPED
};
const char *dunning_item_state_name(enum dunning_item_state s);

struct dunning_item {
    int64_t company_id;
    int64_t run_id;
    int64_t invoice_id;
    int due_date;
    int64_t remaining_minor;
    enum dunning_action action;
    int level;
    enum dunning_reason reason;
    char detail[64]; /* the hand-over's refusal code, or the day it becomes due */
    char channel[8]; /* dunning_channel_name(), "" without a reminder */
    bool fee;
    int64_t fee_minor;
    enum dunning_item_state state;
    char result[64]; /* what became of it: "" or an error code */
    int64_t reminder_id;
    int64_t updated_at;
    /* filled by the list */
    int64_t invoice_number;
    int64_t customer_id;
    char customer_name[STORE_NAME_MAX];
};

/* Insert items[0..n) (many rows a statement). */
enum pm_err store_dunning_items_insert(struct store *st, const struct dunning_item *items,
                                       size_t n);
/* Items of a run by invoice id after `after`, up to cap; action_filter
 * NULL for all, else only that action. */
enum pm_err store_dunning_items(struct store *st, int64_t company_id, int64_t run_id, int64_t after,
                                const char *action_filter, struct dunning_item *out, size_t cap,
                                size_t *n);
/* Pending items of a run, lowest invoice id first, up to cap. */
enum pm_err store_dunning_items_pending(struct store *st, int64_t company_id, int64_t run_id,
                                        struct dunning_item *out, size_t cap, size_t *n);
/* Finish a pending item: state, result, reminder id.  PM_ERR_NOT_FOUND
 * when it is no longer pending (someone else finished it). */
enum pm_err store_dunning_item_finish(struct store *st, int64_t company_id, int64_t run_id,
                                      int64_t invoice_id, enum dunning_item_state state,
                                      const char *result, int64_t reminder_id, int64_t at);

/* One line of a run's totals: how many items and how much of action,
 * reason, level and state. */
struct dunning_total {
    char action[16];
    char reason[32];
    int level;
    char state[16];
    int64_t count;
    int64_t remaining_minor;
    int64_t fee_minor;
};

enum pm_err store_dunning_totals(struct store *st, int64_t company_id, int64_t run_id,
                                 struct dunning_total *out, size_t cap, size_t *n);

#endif
