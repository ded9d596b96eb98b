/*
 * amili.c — the agency's states and job kinds to and from their stored and
 * rendered spelling (see amili.h).
 *
 * Part of core/: one table per enum, indexed by the enum's value, so a name
 * and its parse cannot disagree; the unit test round-trips every value.
 */
#include "core/amili.h"

#include <stddef.h>
#include <string.h>

static const char *const state_names[] = {
    [AMILI_STATE_NONE] = "",
    [AMILI_STATE_QUEUED] = "queued",
    [AMILI_STATE_REGISTERED] = "registered",
    [AMILI_STATE_FAILED] = "failed",
};

static const char *const activation_names[] = {
    [AMILI_ACTIVATION_PENDING] = "pending",
    [AMILI_ACTIVATION_ACTIVE] = "active",
    [AMILI_ACTIVATION_FAILED] = "failed",
};

static const char *const job_names[] = {
    [AMILI_JOB_REGISTER] = "register",
    [AMILI_JOB_UPLOAD_INVOICE] = "upload_invoice",
    [AMILI_JOB_REPORT_PAYMENT] = "report_payment",
    [AMILI_JOB_REPORT_CREDITING] = "report_crediting",
    [AMILI_JOB_CANCEL] = "cancel",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *name_of(const char *const *names, size_t n, unsigned value)
{
    return value < n ? names[value] : NULL;
}

/* The index of s in names[0..n), or -1. */
static int index_of(const char *const *names, size_t n, const char *s)
{
    if (!s)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(names[i], s))
            return (int)i;
    return -1;
}

bool amili_state_with_agency(enum amili_state s)
{
    return s == AMILI_STATE_QUEUED || s == AMILI_STATE_REGISTERED;
}

const char *amili_state_name(enum amili_state s)
{
    return name_of(state_names, COUNT(state_names), (unsigned)s);
}

enum pm_err amili_state_parse(const char *s, enum amili_state *out)
{
    int i = index_of(state_names, COUNT(state_names), s);

    if (i < 0)
        return PM_ERR_INVALID;
    *out = (enum amili_state)i;
    return PM_OK;
}

const char *amili_activation_state_name(enum amili_activation_state s)
{
    return name_of(activation_names, COUNT(activation_names), (unsigned)s);
}

enum pm_err amili_activation_state_parse(const char *s, enum amili_activation_state *out)
{
    int i = index_of(activation_names, COUNT(activation_names), s);

    if (i < 0)
        return PM_ERR_INVALID;
    *out = (enum amili_activation_state)i;
    return PM_OK;
}

const char *amili_job_name(enum amili_job j)
{
    return name_of(job_names, COUNT(job_names), (unsigned)j);
}

enum pm_err amili_job_parse(const char *s, enum amili_job *out)
{
    int i = index_of(job_names, COUNT(job_names), s);

    if (i < 0)
        return PM_ERR_INVALID;
    *out = (enum amili_job)i;
    return PM_OK;
}
