/*
 * reminder_stop.c — the rule of a stop of reminders (see reminder_stop.h).
 *
 * Part of core/: the application reads an invoice's and its customer's
 * stops and asks here whether the invoice is stopped on a day; the
 * reminder operation and the hand-over check refuse a stopped invoice, and
 * interest leaves out the days of a stop set "no interest".
 */
#include "core/reminder_stop.h"

#include <string.h>

struct kind_info {
    const char *name, *sv, *en;
};

static const struct kind_info kinds[] = {
    [STOP_DISPUTE] = {"dispute", "Bestridd", "Disputed"},
    [STOP_PAYMENT_PLAN] = {"payment_plan", "Avbetalningsplan", "Payment plan"},
    [STOP_OTHER] = {"other", "Annat", "Other"},
};

#define N_KINDS (sizeof(kinds) / sizeof(kinds[0]))

const char *reminder_stop_kind_name(enum reminder_stop_kind kind)
{
    return (size_t)kind < N_KINDS ? kinds[kind].name : NULL;
}

enum pm_err reminder_stop_kind_parse(const char *s, enum reminder_stop_kind *out)
{
    for (size_t i = 0; s && i < N_KINDS; i++)
        if (!strcmp(kinds[i].name, s)) {
            *out = (enum reminder_stop_kind)i;
            return PM_OK;
        }
    return PM_ERR_INVALID;
}

const char *reminder_stop_kind_label(enum reminder_stop_kind kind, bool english)
{
    if ((size_t)kind >= N_KINDS)
        return "";
    return english ? kinds[kind].en : kinds[kind].sv;
}

const char *reminder_stop_source_name(enum reminder_stop_source source)
{
    return source == STOP_SOURCE_CUSTOMER ? "customer" : "invoice";
}

bool reminder_stop_covers(const struct reminder_stop *s, int32_t date)
{
    if (!s || !s->set || date < s->since)
        return false;
    return s->until == 0 || date <= s->until;
}

bool reminder_stop_on(const struct reminder_stop *inv, const struct reminder_stop *cust,
                      int32_t date, struct reminder_stop_state *out)
{
    memset(out, 0, sizeof(*out));
    if (reminder_stop_covers(inv, date)) {
        out->stopped = true;
        out->source = STOP_SOURCE_INVOICE;
        out->stop = *inv;
    } else if (reminder_stop_covers(cust, date)) {
        out->stopped = true;
        out->source = STOP_SOURCE_CUSTOMER;
        out->stop = *cust;
    }
    return out->stopped;
}

static bool blank(const char *s)
{
    for (; s && *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    return true;
}

enum pm_err reminder_stop_check(enum reminder_stop_kind kind, const char *text, int32_t until,
                                int32_t today, struct pm_error *e)
{
    if ((size_t)kind >= N_KINDS)
        return pm_error_set(e, PM_ERR_INVALID, "kind", "unknown kind of stop");
    if (kind == STOP_OTHER && blank(text))
        return pm_error_set(e, PM_ERR_INVALID, "text", "a stop of kind other needs a text");
    if (text && strlen(text) > REMINDER_STOP_TEXT_MAX)
        return pm_error_set(e, PM_ERR_RANGE, "text", "the text is longer than %d bytes",
                            REMINDER_STOP_TEXT_MAX);
    if (until != 0 && until < today)
        return pm_error_set(e, PM_ERR_RANGE, "until", "the last day of a stop is before today");
    return PM_OK;
}

/* The no-interest days of s up to `to`, if any. */
static bool pause_of(const struct reminder_stop *s, int32_t to, struct interest_pause *p)
{
    if (!s || !s->set || !s->no_interest || s->since > to)
        return false;
    p->from = s->since;
    p->to = s->until == 0 || s->until > to ? to : s->until;
    return p->from <= p->to;
}

size_t reminder_stop_pauses(const struct reminder_stop *inv, const struct reminder_stop *cust,
                            int32_t to, struct interest_pause out[2])
{
    struct interest_pause p[2], t;
    size_t n = 0;

    if (pause_of(inv, to, &p[n]))
        n++;
    if (pause_of(cust, to, &p[n]))
        n++;
    if (n == 2 && p[1].from < p[0].from) {
        t = p[0];
        p[0] = p[1];
        p[1] = t;
    }
    if (n == 2 && p[1].from <= p[0].to + 1) {
        if (p[1].to > p[0].to)
            p[0].to = p[1].to;
        n = 1;
    }
    for (size_t i = 0; i < n; i++)
        out[i] = p[i];
    return n;
}
