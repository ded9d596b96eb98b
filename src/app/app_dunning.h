/*
 * app_dunning.h — reminder policies and the daily dunning run.
 *
 * Part of src/app.  The rules (a policy's checks, the defaults, what is
 * due for one invoice on a day) are core/dunning.h's; here policies are
 * read and stored, a day's run is proposed (one per company and day: a
 * second proposal returns the first), and an approved run is carried
 * out in chunks, each item marked done in the transaction that made its
 * reminder (app_reminders_make, with the level and whether a fee may be
 * charged) or its hand-over (app_handover_send: agency_claims keeps it
 * to exactly once).  The letters of a run's letter-channel reminders are
 * merged into one PDF for printing.
 *
 * Both the scheduler of `paminn serve` and `paminn dunning run` go
 * through app_dunning_daily().
 */
#ifndef PM_APP_DUNNING_H
#define PM_APP_DUNNING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "core/dunning.h"
#include "store/store_dunning.h"
#include "util/buf.h"

/* Invoices reminded by a run within this many days that are no longer
 * open are shown in the next run's proposal (paid, credited). */
#define APP_DUNNING_RECENT_DAYS 60

/* The policy of customer_id (0: the company's default).  *stored false
 * when none is stored: then *out is the default (for a customer: the
 * company's policy, stored or default).  not_found on "id" for no such
 * customer. */
enum pm_err app_dunning_policy_get(const struct app_ctx *ax, int64_t customer_id,
                                   struct dunning_policy_row *out, bool *stored,
                                   struct app_error *e);

/* Check and store p as the policy of customer_id (0: the default); the
 * checks of core/dunning.h with their field ("levels[0].days" ...),
 * changing nothing on a refusal. */
enum pm_err app_dunning_policy_put(const struct app_ctx *ax, int64_t customer_id,
                                   const struct dunning_policy *p, struct dunning_policy_row *out,
                                   struct app_error *e);

/* Remove a customer's override (not_found on "id" when it has none). */
enum pm_err app_dunning_policy_delete(const struct app_ctx *ax, int64_t customer_id,
                                      struct app_error *e);

/* The run of ax->today: the stored one, or a new proposal of every
 * candidate (core/dunning.h's decision for each).  *created says which.
 * Runs in the caller's transaction. */
enum pm_err app_dunning_propose(const struct app_ctx *ax, struct dunning_run *out, bool *created,
                                struct app_error *e);

/* What an approval did. */
struct app_dunning_outcome {
    size_t reminded, handed_over, failed;
};

/* Approve run_id and carry it out: already_approved (409) when it is not
 * a proposal.  Each chunk of items is its own transaction (call it
 * outside one).  *out (may be NULL) counts what this call did. */
enum pm_err app_dunning_approve(const struct app_ctx *ax, int64_t run_id,
                                struct app_dunning_outcome *out, struct app_error *e);

/* Carry out the pending items of every approved, unfinished run (one a
 * crash or a stopped server left).  Outside a transaction. */
enum pm_err app_dunning_resume(const struct app_ctx *ax, struct app_dunning_outcome *out,
                               struct app_error *e);

/* A run with its totals. */
struct app_dunning_view {
    struct dunning_run run;
    struct dunning_total totals[128];
    size_t n_totals;
};

enum pm_err app_dunning_run_get(const struct app_ctx *ax, int64_t run_id,
                                struct app_dunning_view *out, struct app_error *e);

/* The merged letters of a run for printing (no_letters on "run_id" when
 * it has none (yet)). */
enum pm_err app_dunning_letters(const struct app_ctx *ax, int64_t run_id, struct buf *pdf,
                                struct app_error *e);

/* One company's day, as the scheduler and `paminn dunning run` do it:
 * finish what a crash left, propose today's run, and approve it when the
 * policy is automatic or `approve` is set.  Outside a transaction. */
struct app_dunning_day {
    struct dunning_run run;
    bool created;  /* the proposal was made now */
    bool approved; /* approved now */
    struct app_dunning_outcome outcome;
};

enum pm_err app_dunning_daily(const struct app_ctx *ax, bool approve, struct app_dunning_day *out,
                              struct app_error *e);

#endif
