/*
 * dunning.c — reminder policies and the run's decision for one invoice
 * (see dunning.h).
 */
#include "core/dunning.h"

#include <stdio.h>
#include <string.h>

#include "core/fees.h"

static const char *const anchor_names[] = {"due", "previous"};
static const char *const channel_names[] = {"email", "letter", "both"};
static const char *const final_names[] = {"none", "handover"};
static const char *const approval_names[] = {"manual", "automatic"};
static const char *const action_names[] = {"none", "remind", "handover"};
static const char *const reason_names[DUNNING_REASON_COUNT] = {
    "",
    "paid",
    "credited",
    "with_agency",
    "disputed",
    "stopped",
    "under_minimum",
    "not_yet_due",
    "missing_email",
    "last_level_done",
    "waiting_for_handover",
    "not_eligible_for_handover",
    "not_sek",
};
static const char *const reason_sv[DUNNING_REASON_COUNT] = {
    "",
    "Betald",
    "Krediterad eller inget kvar att betala",
    "Hos Visma Amili",
    "Bestridd",
    "Påminnelser stoppade",
    "Under lägsta belopp",
    "Inte förfallen till påminnelse än",
    "E-postadress saknas",
    "Sista påminnelsen skickad",
    "Väntar på överlämning",
    "Kan inte lämnas över",
    "Inte i svenska kronor",
};
static const char *const reason_en[DUNNING_REASON_COUNT] = {
    "",
    "Paid",
    "Credited or nothing left to pay",
    "With Visma Amili",
    "Disputed",
    "Reminders stopped",
    "Under the minimum amount",
    "Not due for a reminder yet",
    "E-mail address missing",
    "Last reminder sent",
    "Waiting for hand-over",
    "Cannot be handed over",
    "Not in Swedish kronor",
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const char *name_of(const char *const *names, size_t n, unsigned v)
{
    return v < n ? names[v] : NULL;
}

static enum pm_err parse_of(const char *const *names, size_t n, const char *s, unsigned *out)
{
    unsigned i;

    for (i = 0; s && i < n; i++) {
        if (names[i][0] && !strcmp(names[i], s)) {
            *out = i;
            return PM_OK;
        }
    }
    return PM_ERR_INVALID;
}

#define NAME_PARSE(fn, type, names)                            \
    const char *dunning_##fn##_name(type v)                    \
    {                                                          \
        return name_of(names, N_OF(names), (unsigned)v);       \
    }                                                          \
    enum pm_err dunning_##fn##_parse(const char *s, type *out) \
    {                                                          \
        unsigned v = 0;                                        \
        enum pm_err rc = parse_of(names, N_OF(names), s, &v);  \
        if (!rc)                                               \
            *out = (type)v;                                    \
        return rc;                                             \
    }

NAME_PARSE(anchor, enum dunning_anchor, anchor_names)
NAME_PARSE(channel, enum dunning_channel, channel_names)
NAME_PARSE(final, enum dunning_final, final_names)
NAME_PARSE(approval, enum dunning_approval, approval_names)
NAME_PARSE(action, enum dunning_action, action_names)
NAME_PARSE(reason, enum dunning_reason, reason_names)

const char *dunning_reason_label(enum dunning_reason r, bool english)
{
    if ((unsigned)r >= DUNNING_REASON_COUNT)
        return "";
    return english ? reason_en[r] : reason_sv[r];
}

bool dunning_channel_needs_email(enum dunning_channel c)
{
    return c == DUNNING_CHANNEL_EMAIL || c == DUNNING_CHANNEL_BOTH;
}

void dunning_policy_default(struct dunning_policy *p)
{
    memset(p, 0, sizeof(*p));
    p->enabled = false;
    p->n_levels = 1;
    p->levels[0].days = 10;
    p->levels[0].anchor = DUNNING_ANCHOR_DUE;
    p->levels[0].fee = true;
    p->levels[0].channel = DUNNING_CHANNEL_BOTH;
    p->minimum_minor = 0;
    p->final_step = DUNNING_FINAL_HANDOVER;
    p->handover_days = 14;
    p->approval = DUNNING_APPROVAL_MANUAL;
}

/* The error of levels[i].member. */
static enum pm_err level_error(struct pm_error *e, size_t i, const char *member, const char *msg)
{
    char field[64];

    snprintf(field, sizeof(field), "levels[%zu].%s", i, member);
    return pm_error_set(e, PM_ERR_RANGE, field, "%s", msg);
}

static enum pm_err check_level(const struct dunning_policy *p, size_t i, struct pm_error *e)
{
    const struct dunning_level *l = &p->levels[i];
    const struct dunning_level *prev = i > 0 ? &p->levels[i - 1] : NULL;

    if (l->days < 0 || l->days > DUNNING_DAYS_MAX)
        return level_error(e, i, "days", "must be 0..365");
    /* a reminder before the invoice is overdue is no reminder */
    if (l->days < 1 && (!prev || l->anchor == DUNNING_ANCHOR_DUE))
        return level_error(e, i, "days", "a reminder comes at least a day after the due date");
    if (prev && l->anchor == DUNNING_ANCHOR_DUE && prev->anchor == DUNNING_ANCHOR_DUE &&
        l->days <= prev->days)
        return level_error(e, i, "days", "a level comes after the one before it");
    if (strlen(l->text_sv) > DUNNING_TEXT_MAX)
        return level_error(e, i, "text_sv", "at most 600 bytes");
    if (strlen(l->text_en) > DUNNING_TEXT_MAX)
        return level_error(e, i, "text_en", "at most 600 bytes");
    return PM_OK;
}

enum pm_err dunning_policy_check(const struct dunning_policy *p, struct pm_error *e)
{
    enum pm_err rc;
    size_t i;

    if (p->n_levels > DUNNING_LEVELS_MAX)
        return pm_error_set(e, PM_ERR_RANGE, "levels", "at most %d levels", DUNNING_LEVELS_MAX);
    if (p->n_levels == 0 && p->final_step == DUNNING_FINAL_NONE)
        return pm_error_set(e, PM_ERR_RANGE, "levels",
                            "a policy needs a level or a hand-over to do anything");
    for (i = 0; i < p->n_levels; i++) {
        rc = check_level(p, i, e);
        if (rc)
            return rc;
    }
    if (p->minimum_minor < 0 || p->minimum_minor > DUNNING_MINIMUM_MAX)
        return pm_error_set(e, PM_ERR_RANGE, "minimum_minor", "must be 0..%d öre",
                            DUNNING_MINIMUM_MAX);
    if (p->final_step == DUNNING_FINAL_HANDOVER &&
        (p->handover_days < 1 || p->handover_days > DUNNING_DAYS_MAX))
        return pm_error_set(e, PM_ERR_RANGE, "handover_days", "must be 1..%d", DUNNING_DAYS_MAX);
    return PM_OK;
}

int32_t dunning_level_day(const struct dunning_policy *p, int level, int32_t due_date,
                          int32_t last_date)
{
    const struct dunning_level *l;

    if (level < 1 || (size_t)level > p->n_levels)
        return INT32_MAX;
    l = &p->levels[level - 1];
    if (l->anchor == DUNNING_ANCHOR_PREVIOUS && level > 1 && last_date > 0)
        return last_date + l->days;
    return due_date + l->days;
}

static void nothing(struct dunning_decision *out, enum dunning_reason r)
{
    out->action = DUNNING_ACTION_NONE;
    out->reason = r;
}

/* All levels are done (or there are none): the final step. */
static void decide_final(const struct dunning_policy *p, const struct dunning_facts *f,
                         int32_t today, struct dunning_decision *out)
{
    int32_t day;

    if (p->final_step == DUNNING_FINAL_NONE) {
        nothing(out, DUNNING_REASON_LAST_LEVEL_DONE);
        return;
    }
    day = (f->last_level > 0 && f->last_level_date > 0 ? f->last_level_date : f->due_date) +
          p->handover_days;
    if (today < day) {
        out->next_day = day;
        nothing(out, DUNNING_REASON_WAITING_FOR_HANDOVER);
        return;
    }
    if (f->n_handover_reasons > 0) {
        out->handover_reason = f->handover_reason_code;
        nothing(out, DUNNING_REASON_NOT_ELIGIBLE_FOR_HANDOVER);
        return;
    }
    out->action = DUNNING_ACTION_HANDOVER;
    out->reason = DUNNING_REASON_NONE;
}

void dunning_decide(const struct dunning_policy *p, const struct dunning_facts *f, int32_t today,
                    struct dunning_decision *out)
{
    const struct dunning_level *l;
    int32_t day;
    int next;

    memset(out, 0, sizeof(*out));
    out->level = f->last_level;
    if (f->state == DUNNING_INV_PAID)
        return nothing(out, DUNNING_REASON_PAID);
    if (f->state == DUNNING_INV_CREDITED || f->remaining_minor <= 0)
        return nothing(out, DUNNING_REASON_CREDITED);
    if (f->with_agency)
        return nothing(out, DUNNING_REASON_WITH_AGENCY);
    if (f->stopped)
        return nothing(out, f->disputed ? DUNNING_REASON_DISPUTED : DUNNING_REASON_STOPPED);
    if (f->remaining_minor < p->minimum_minor)
        return nothing(out, DUNNING_REASON_UNDER_MINIMUM);
    if (today <= f->due_date) {
        out->next_day = f->due_date + 1;
        return nothing(out, DUNNING_REASON_NOT_YET_DUE);
    }
    next = f->last_level + 1;
    if ((size_t)next > p->n_levels)
        return decide_final(p, f, today, out);
    if (!f->sek)
        return nothing(out, DUNNING_REASON_NOT_SEK);
    day = dunning_level_day(p, next, f->due_date, f->last_level_date);
    if (today < day) {
        out->next_day = day;
        return nothing(out, DUNNING_REASON_NOT_YET_DUE);
    }
    l = &p->levels[next - 1];
    if (dunning_channel_needs_email(l->channel) && !f->has_email)
        return nothing(out, DUNNING_REASON_MISSING_EMAIL);
    out->action = DUNNING_ACTION_REMIND;
    out->reason = DUNNING_REASON_NONE;
    out->level = next;
    out->channel = l->channel;
    out->fee = l->fee;
    out->fee_minor = l->fee ? fees_reminder_fee(f->fee_agreed_minor > 0, f->fee_agreed_minor,
                                                f->fee_charged_before ? 1 : 0)
                            : 0;
}
