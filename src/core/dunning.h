/*
 * dunning.h — reminder policies and what the daily run does with one
 * invoice on one day.
 *
 * Part of core/: pure, no I/O.  A policy (the company's default, or one
 * customer's override) has up to DUNNING_LEVELS_MAX levels, each due a
 * number of days after the invoice's due date or after the previous
 * level's reminder, with or without the reminder fee (charged only where
 * the invoice agreed it, once per invoice: core/fees.h decides), a channel
 * (e-mail, a printed letter, both) and its own text in Swedish and
 * English; a minimum amount under which nothing is done; a final step
 * (nothing, or hand-over to Visma Amili N days after the last level); and
 * whether a person approves each run or it runs by itself.
 *
 * dunning_decide() gives, for one invoice on one day, the action (remind
 * at level N, hand over, nothing) and, for nothing, the one reason a user
 * is told.  The order of the checks is the order of the reasons below:
 * paid before credited before with the agency before disputed before
 * stopped before under the minimum before not yet due before missing
 * e-mail; the hand-over's own refusals come from core/handover.h.
 */
#ifndef PM_DUNNING_H
#define PM_DUNNING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/handover.h"
#include "util/err.h"

#define DUNNING_LEVELS_MAX  5
#define DUNNING_TEXT_MAX    600 /* bytes of a level's letter text */
#define DUNNING_DAYS_MAX    365
#define DUNNING_MINIMUM_MAX 100000000 /* 1 000 000 kr */

enum dunning_anchor { DUNNING_ANCHOR_DUE, DUNNING_ANCHOR_PREVIOUS };
enum dunning_channel { DUNNING_CHANNEL_EMAIL, DUNNING_CHANNEL_LETTER, DUNNING_CHANNEL_BOTH };
enum dunning_final { DUNNING_FINAL_NONE, DUNNING_FINAL_HANDOVER };
enum dunning_approval { DUNNING_APPROVAL_MANUAL, DUNNING_APPROVAL_AUTOMATIC };

struct dunning_level {
    int days; /* 0..DUNNING_DAYS_MAX after the anchor */
    enum dunning_anchor anchor;
    bool fee; /* charge the reminder fee where the invoice agreed one */
    enum dunning_channel channel;
    char text_sv[DUNNING_TEXT_MAX + 1]; /* "" = the standard letter text */
    char text_en[DUNNING_TEXT_MAX + 1];
};

struct dunning_policy {
    bool enabled; /* the daily run considers the company (default policy only) */
    size_t n_levels;
    struct dunning_level levels[DUNNING_LEVELS_MAX];
    int64_t minimum_minor; /* remaining below this: nothing is done */
    enum dunning_final final_step;
    int handover_days; /* after the last level (after the due date without levels) */
    enum dunning_approval approval;
};

/* What the run does with an invoice. */
enum dunning_action { DUNNING_ACTION_NONE, DUNNING_ACTION_REMIND, DUNNING_ACTION_HANDOVER };

/* Why nothing is done (DUNNING_REASON_NONE when something is). */
enum dunning_reason {
    DUNNING_REASON_NONE,
    DUNNING_REASON_PAID,
    DUNNING_REASON_CREDITED, /* credited, written off or nothing left */
    DUNNING_REASON_WITH_AGENCY,
    DUNNING_REASON_DISPUTED,
    DUNNING_REASON_STOPPED,
    DUNNING_REASON_UNDER_MINIMUM,
    DUNNING_REASON_NOT_YET_DUE,
    DUNNING_REASON_MISSING_EMAIL,
    DUNNING_REASON_LAST_LEVEL_DONE,
    DUNNING_REASON_WAITING_FOR_HANDOVER,
    DUNNING_REASON_NOT_ELIGIBLE_FOR_HANDOVER,
    DUNNING_REASON_NOT_SEK, /* reminders are made in SEK only */
};
#define DUNNING_REASON_COUNT 13

/* The facts of one invoice on the day of the run. */
struct dunning_facts {
    enum { DUNNING_INV_OPEN, DUNNING_INV_PAID, DUNNING_INV_CREDITED } state;
    int32_t due_date;
    int64_t remaining_minor;
    bool sek;
    bool with_agency; /* claimed by or handed to the agency */
    bool stopped;     /* a stop of reminders holds today */
    bool disputed;    /* ... and it is a dispute */
    bool has_email;   /* the customer card has an e-mail address */
    int last_level;   /* the highest level reminded (0 = none) */
    int32_t last_level_date;
    /* the reminder fee: agreed on the invoice, charged before */
    int64_t fee_agreed_minor;
    bool fee_charged_before;
    /* for the hand-over: the reasons core/handover.h gave (0 = eligible) */
    size_t n_handover_reasons;
    const char *handover_reason_code; /* the first one's code */
};

struct dunning_decision {
    enum dunning_action action;
    enum dunning_reason reason;
    int level;                    /* REMIND: 1..n_levels; else the last level reached */
    enum dunning_channel channel; /* REMIND */
    bool fee;                     /* REMIND: the level charges a fee where agreed */
    int64_t fee_minor;            /* REMIND: the fee that will be charged (core/fees.h) */
    int32_t next_day;             /* NOT_YET_DUE / WAITING: the day it becomes due */
    const char *handover_reason;  /* NOT_ELIGIBLE_FOR_HANDOVER: core/handover's code */
};

/* Names as the API and the store spell them; parse refuses others with
 * PM_ERR_INVALID. */
const char *dunning_anchor_name(enum dunning_anchor a);
enum pm_err dunning_anchor_parse(const char *s, enum dunning_anchor *out);
const char *dunning_channel_name(enum dunning_channel c);
enum pm_err dunning_channel_parse(const char *s, enum dunning_channel *out);
const char *dunning_final_name(enum dunning_final f);
enum pm_err dunning_final_parse(const char *s, enum dunning_final *out);
const char *dunning_approval_name(enum dunning_approval a);
enum pm_err dunning_approval_parse(const char *s, enum dunning_approval *out);
const char *dunning_action_name(enum dunning_action a);
enum pm_err dunning_action_parse(const char *s, enum dunning_action *out);
const char *dunning_reason_name(enum dunning_reason r);
enum pm_err dunning_reason_parse(const char *s, enum dunning_reason *out);
/* The reason as a bookkeeper reads it ("Betald" / "Paid"). */
const char *dunning_reason_label(enum dunning_reason r, bool english);

/* Does the channel send an e-mail? */
bool dunning_channel_needs_email(enum dunning_channel c);

/* The Swedish defaults: one reminder 10 days after the due date, by
 * e-mail and letter, with the fee where agreed; hand-over to Visma Amili
 * 14 days after the reminder; each run approved by a person; switched
 * off until the company turns it on. */
void dunning_policy_default(struct dunning_policy *p);

/* Is p a policy that can be stored?  The first offending field in e:
 * "levels" (none and no hand-over, or more than DUNNING_LEVELS_MAX),
 * "levels[i].days", "levels[i].text_sv"/"text_en" (too long),
 * "minimum_minor", "handover_days".  PM_ERR_RANGE / PM_ERR_INVALID. */
enum pm_err dunning_policy_check(const struct dunning_policy *p, struct pm_error *e);

/* The day level `level` (1-based) falls due after a last reminder on
 * last_date (0 when none) of an invoice due on due_date. */
int32_t dunning_level_day(const struct dunning_policy *p, int level, int32_t due_date,
                          int32_t last_date);

/* What the run does with the invoice of f on `today` under p. */
void dunning_decide(const struct dunning_policy *p, const struct dunning_facts *f, int32_t today,
                    struct dunning_decision *out);

#endif
