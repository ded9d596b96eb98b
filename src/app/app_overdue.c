/*
 * app_overdue.c — the daily note of invoices falling due (see
 * app_overdue.h).
 */
#include "app/app_overdue.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "store/store_overdue.h"
#include "util/clock.h"

struct chunk {
    struct overdue_invoice *due;
    struct history_event *evs;
    size_t noted;
    bool done;
};

/* The history event of an invoice that fell due. */
static enum pm_err event_of(const struct app_ctx *ax, const struct overdue_invoice *inv,
                            struct history_event *ev, struct app_error *e)
{
    char due[16];
    int len;

    date_format_iso(inv->due_date, due);
    memset(ev, 0, sizeof(*ev));
    ev->company_id = ax->company_id;
    ev->invoice_id = inv->invoice_id;
    ev->at_us = clock_now_us(ax->clock);
    snprintf(ev->kind, sizeof(ev->kind), "overdue");
    snprintf(ev->actor, sizeof(ev->actor), "system");
    snprintf(ev->message, sizeof(ev->message), "Förfallodagen %s har passerat", due);
    len = snprintf(ev->data, sizeof(ev->data),
                   "{\"due_date\":\"%s\",\"remaining_minor\":%lld,\"currency\":\"%s\"}", due,
                   (long long)inv->remaining_minor, inv->currency);
    if (len < 0 || (size_t)len >= sizeof(ev->data))
        return app_error_set(e, PM_ERR_INTERNAL, "internal_error", NULL);
    return PM_OK;
}

/* The mark moved from `from` (NULL: none yet) to `to`; another process
 * having moved it first is "mark_moved". */
static enum pm_err move(const struct app_ctx *ax, const struct overdue_mark *from,
                        const struct overdue_mark *to, struct app_error *e)
{
    enum pm_err rc =
        store_overdue_mark_move(ax->store, ax->company_id, from, to, clock_now_s(ax->clock));

    if (rc == PM_ERR_CONFLICT)
        return app_error_set(e, rc, "mark_moved", NULL);
    return rc ? app_store_failed(ax, rc, e) : PM_OK;
}

/* One unit: up to APP_OVERDUE_CHUNK invoices past the mark noted, and the
 * mark moved past them (to the end of yesterday when they were the last).
 * A company never swept gets its mark at the end of yesterday. */
static enum pm_err chunk_op(const struct app_ctx *ax, void *arg, struct app_error *e)
{
    struct chunk *c = arg;
    struct overdue_mark mark, to;
    bool found = false;
    size_t n = 0, i;
    enum pm_err rc = store_overdue_mark_get(ax->store, ax->company_id, &mark, &found);

    c->noted = 0;
    c->done = true;
    if (!rc && !found)
        return move(ax, NULL, &(struct overdue_mark){ax->today - 1, INT64_MAX}, e);
    if (!rc)
        rc = store_overdue_after(ax->store, ax->company_id, &mark, ax->today, c->due,
                                 APP_OVERDUE_CHUNK, &n);
    for (i = 0; !rc && i < n; i++)
        rc = event_of(ax, &c->due[i], &c->evs[i], e);
    if (!rc)
        rc = store_history_insert_batch(ax->store, c->evs, n);
    if (rc)
        return e->rc ? rc : app_store_failed(ax, rc, e);
    c->done = n < APP_OVERDUE_CHUNK;
    to = c->done ? (struct overdue_mark){ax->today - 1, INT64_MAX}
                 : (struct overdue_mark){c->due[n - 1].due_date, c->due[n - 1].invoice_id};
    /* never back: a process whose clock is behind (another server, a
     * command run with an earlier --now) finds the mark past its today */
    if (to.due_date > mark.due_date ||
        (to.due_date == mark.due_date && to.invoice_id > mark.invoice_id)) {
        rc = move(ax, &mark, &to, e);
        if (rc)
            return rc;
    }
    c->noted = n;
    return PM_OK;
}

enum pm_err app_overdue_note(const struct app_ctx *ax, size_t *noted, struct app_error *e)
{
    struct chunk c = {0};
    struct overdue_mark mark;
    bool found = false;
    enum pm_err rc;

    *noted = 0;
    /* Most rounds find today's note made: a read, no write transaction. */
    rc = store_overdue_mark_get(ax->store, ax->company_id, &mark, &found);
    if (rc)
        return app_store_failed(ax, rc, e);
    if (found && (mark.due_date > ax->today - 1 ||
                  (mark.due_date == ax->today - 1 && mark.invoice_id == INT64_MAX)))
        return PM_OK;
    c.due = calloc(APP_OVERDUE_CHUNK, sizeof(*c.due));
    c.evs = calloc(APP_OVERDUE_CHUNK, sizeof(*c.evs));
    rc = c.due && c.evs ? PM_OK : app_error_set(e, PM_ERR_NOMEM, "internal_error", NULL);
    while (!rc && !c.done) {
        rc = app_atomic(ax, chunk_op, &c, e);
        if (rc == PM_ERR_CONFLICT && e->code && !strcmp(e->code, "mark_moved"))
            rc = PM_OK; /* another process noted these; go on from its mark */
        else if (!rc)
            *noted += c.noted;
    }
    free(c.due);
    free(c.evs);
    return rc;
}
