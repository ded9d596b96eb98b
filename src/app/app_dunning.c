/*
 * app_dunning.c — reminder policies and the daily run (see app_dunning.h).
 *
 * A proposal reads its candidates in one walk (store_dunning_candidates),
 * decides each with dunning_decide() and writes the items in batches.  An
 * approval moves the run from "proposed" to "approved" in a transaction
 * of its own (a second approval is refused there), then carries out the
 * pending items CHUNK at a time, each chunk a transaction in which every
 * item is marked done with what it did: a crash leaves the chunk's items
 * pending and nothing of them written, and app_dunning_resume() goes on
 * from there.  Two executors of one run never act twice: an item is only
 * finished while pending, and a reminder of a level is unique per invoice
 * in the store (a race rolls the chunk back and it is read again).
 */
#include "app/app_dunning.h"
#include "app/app_mail.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_handover.h"
#include "app/app_reminders.h"
#include "core/amili.h"
#include "core/date.h"
#include "core/reminder_stop.h"
#include "store/store_agency.h"
#include "util/clock.h"

#define CHUNK          50
#define CHUNK_CONFLICT 20 /* a chunk raced by another executor is read again this often */

/* ---- policies ---- */

static enum pm_err customer_exists(const struct app_ctx *ax, int64_t customer_id,
                                   struct app_error *e)
{
    struct customer cu;
    enum pm_err rc = store_customer_get(ax->store, ax->company_id, customer_id, &cu);

    if (rc == PM_ERR_NOT_FOUND)
        return app_error_set(e, rc, "not_found", "id");
    if (rc)
        return app_store_failed(ax, rc, e);
    return PM_OK;
}

enum pm_err app_dunning_policy_get(const struct app_ctx *ax, int64_t customer_id,
                                   struct dunning_policy_row *out, bool *stored,
                                   struct app_error *e)
{
    enum pm_err rc;
    bool found = false;

    *stored = false;
    if (customer_id > 0) {
        rc = customer_exists(ax, customer_id, e);
        if (rc)
            return rc;
        rc = store_dunning_policy_get(ax->store, ax->company_id, customer_id, out, stored);
        if (rc)
            return app_store_failed(ax, rc, e);
        if (*stored)
            return PM_OK;
    }
    rc = store_dunning_policy_get(ax->store, ax->company_id, 0, out, &found);
    if (rc)
        return app_store_failed(ax, rc, e);
    if (!found) {
        memset(out, 0, sizeof(*out));
        out->company_id = ax->company_id;
        dunning_policy_default(&out->policy);
    }
    if (customer_id == 0)
        *stored = found;
    return PM_OK;
}

enum pm_err app_dunning_policy_put(const struct app_ctx *ax, int64_t customer_id,
                                   const struct dunning_policy *p, struct dunning_policy_row *out,
                                   struct app_error *e)
{
    struct pm_error pe = {0};
    enum pm_err rc;

    if (dunning_policy_check(p, &pe)) {
        app_error_set(e, pe.code, "out_of_range", pe.field);
        return app_error_detail(e, "%s", pe.message);
    }
    if (customer_id > 0) {
        rc = customer_exists(ax, customer_id, e);
        if (rc)
            return rc;
    }
    memset(out, 0, sizeof(*out));
    out->company_id = ax->company_id;
    out->customer_id = customer_id;
    out->policy = *p;
    if (customer_id > 0)
        out->policy.enabled = false; /* only the default switches the run on */
    snprintf(out->updated_by, sizeof(out->updated_by), "%s", ax->actor ? ax->actor : "");
    out->updated_by_user = ax->actor_user_id;
    out->updated_at = clock_now_s(ax->clock);
    rc = store_dunning_policy_put(ax->store, out);
    return rc ? app_store_failed(ax, rc, e) : PM_OK;
}

enum pm_err app_dunning_policy_delete(const struct app_ctx *ax, int64_t customer_id,
                                      struct app_error *e)
{
    bool found = false;
    enum pm_err rc = customer_exists(ax, customer_id, e);

    if (rc)
        return rc;
    rc = store_dunning_policy_delete(ax->store, ax->company_id, customer_id, &found);
    if (rc)
        return app_store_failed(ax, rc, e);
    if (!found)
        return app_error_set(e, PM_ERR_NOT_FOUND, "policy_not_found", "id");
    return PM_OK;
}

/* The company's policies: the default (stored or the defaults) and the
 * overrides, for a run. */
struct policies {
    struct dunning_policy_row *rows;
    size_t n;
    struct dunning_policy_row fallback; /* the defaults when none is stored */
    const struct dunning_policy_row *def;
};

static enum pm_err policies_load(const struct app_ctx *ax, struct policies *ps, struct app_error *e)
{
    size_t i;
    enum pm_err rc;

    memset(ps, 0, sizeof(*ps));
    rc = store_dunning_policies(ax->store, ax->company_id, &ps->rows, &ps->n);
    if (rc)
        return app_store_failed(ax, rc, e);
    ps->fallback.company_id = ax->company_id;
    dunning_policy_default(&ps->fallback.policy);
    ps->def = &ps->fallback;
    for (i = 0; i < ps->n; i++) {
        if (ps->rows[i].customer_id == 0)
            ps->def = &ps->rows[i];
    }
    return PM_OK;
}

/* The lowest dunning level at which an invoice may be handed over under
 * one of the company's policies (its number of levels, for a policy that
 * ends in a hand-over): the candidates below it need no address. */
static int handover_level(const struct policies *ps)
{
    int level = INT_MAX;
    size_t i;

    if (ps->def == &ps->fallback && ps->fallback.policy.final_step == DUNNING_FINAL_HANDOVER)
        level = (int)ps->fallback.policy.n_levels;
    for (i = 0; i < ps->n; i++) {
        const struct dunning_policy *p = &ps->rows[i].policy;

        if (p->final_step == DUNNING_FINAL_HANDOVER && (int)p->n_levels < level)
            level = (int)p->n_levels;
    }
    return level;
}

static const struct dunning_policy_row *policy_by_id(const struct policies *ps, int64_t id)
{
    size_t i;

    for (i = 0; id && i < ps->n; i++) {
        if (ps->rows[i].id == id)
            return &ps->rows[i];
    }
    return ps->def;
}

static const struct dunning_policy_row *policy_of_customer(const struct policies *ps,
                                                           int64_t customer_id)
{
    size_t i;

    for (i = 0; i < ps->n; i++) {
        if (ps->rows[i].customer_id == customer_id)
            return &ps->rows[i];
    }
    return ps->def;
}

/* ---- the proposal ---- */

/* Items are written PROPOSAL_BATCH at a time while the candidates are
 * read (a buffer, not an array of every invoice; on PostgreSQL one COPY,
 * one round trip, a batch). */
#define PROPOSAL_BATCH 4096

struct proposal {
    const struct app_ctx *ax;
    const struct policies *ps;
    bool activated;
    int64_t run_id;
    int64_t now;
    struct dunning_item *items; /* PROPOSAL_BATCH */
    size_t n;                   /* in items[] */
    size_t total;               /* written and in items[] */
};

static void stop_of(const char *kind, int since, int until, struct reminder_stop *out)
{
    memset(out, 0, sizeof(*out));
    if (!kind[0] || reminder_stop_kind_parse(kind, &out->kind))
        return;
    out->set = true;
    out->since = since;
    out->until = until;
}

static void facts_of(const struct proposal *pr, const struct dunning_candidate *c,
                     struct dunning_facts *f, struct reminder_stop_state *stop)
{
    struct reminder_stop inv, cust;
    enum amili_state as = AMILI_STATE_NONE;

    memset(f, 0, sizeof(*f));
    f->state = !strcmp(c->state, "open")   ? DUNNING_INV_OPEN
               : !strcmp(c->state, "paid") ? DUNNING_INV_PAID
                                           : DUNNING_INV_CREDITED;
    f->due_date = c->due_date;
    f->remaining_minor = c->remaining_minor;
    f->sek = !strcmp(c->currency, "SEK");
    if (c->agency_state[0])
        (void)amili_state_parse(c->agency_state, &as);
    f->with_agency = c->claimed || amili_state_with_agency(as);
    stop_of(c->inv_stop_kind, c->inv_stop_since, c->inv_stop_until, &inv);
    stop_of(c->cust_stop_kind, c->cust_stop_since, c->cust_stop_until, &cust);
    f->stopped = reminder_stop_on(&inv, &cust, pr->ax->today, stop);
    f->disputed = f->stopped && stop->stop.kind == STOP_DISPUTE;
    f->has_email = c->has_email;
    f->last_level = c->dunning_level;
    f->last_level_date = c->dunning_date;
    f->fee_agreed_minor = c->fee_agreed_minor;
    f->fee_charged_before = c->fee_charged_minor > 0;
}

/* The hand-over's own refusals (core/handover.h), for an invoice whose
 * levels are done. */
static size_t handover_reasons(const struct proposal *pr, const struct dunning_candidate *c,
                               const struct reminder_stop_state *stop, struct handover_reason *out)
{
    struct handover_facts h;

    memset(&h, 0, sizeof(h));
    h.company_activated = pr->activated;
    h.due_date = c->due_date;
    h.remaining_minor = c->remaining_minor;
    h.currency = c->currency;
    h.already_handed_over = c->claimed;
    h.written_off = !strcmp(c->state, "written_off");
    h.credited = !strcmp(c->state, "credited");
    h.reminders_stopped = stop->stopped;
    h.stop_kind = stop->stop.kind;
    h.customer_name = c->customer_name;
    h.address_line_1 = c->address_line_1;
    h.zip_code = c->zip_code;
    h.city = c->city;
    h.country = c->country;
    h.id_number = c->id_number;
    h.customer_is_company = c->customer_is_company;
    return handover_check(&h, pr->ax->today, out);
}

static enum pm_err propose_one(void *arg, const struct dunning_candidate *c)
{
    struct proposal *pr = arg;
    const struct dunning_policy *p = &policy_by_id(pr->ps, c->policy_id)->policy;
    struct handover_reason reasons[HANDOVER_MAX_REASONS];
    struct reminder_stop_state stop;
    struct dunning_facts f;
    struct dunning_decision d;
    struct dunning_item *it;
    enum pm_err rc;

    facts_of(pr, c, &f, &stop);
    if (f.state == DUNNING_INV_OPEN && (size_t)f.last_level >= p->n_levels &&
        p->final_step == DUNNING_FINAL_HANDOVER) {
        f.n_handover_reasons = handover_reasons(pr, c, &stop, reasons);
        f.handover_reason_code = f.n_handover_reasons ? reasons[0].code : NULL;
    }
    dunning_decide(p, &f, pr->ax->today, &d);
    if (pr->n == PROPOSAL_BATCH) {
        rc = store_dunning_items_insert(pr->ax->store, pr->items, pr->n);
        if (rc)
            return rc;
        pr->n = 0;
    }
    it = &pr->items[pr->n++];
    pr->total++;
    memset(it, 0, offsetof(struct dunning_item, invoice_number));
    it->company_id = pr->ax->company_id;
    it->run_id = pr->run_id;
    it->invoice_id = c->invoice_id;
    it->due_date = c->due_date;
    it->remaining_minor = c->remaining_minor;
    it->action = d.action;
    it->level = d.level;
    it->reason = d.reason;
    if (d.handover_reason)
        snprintf(it->detail, sizeof(it->detail), "%s", d.handover_reason);
    else if (d.next_day)
        date_format_iso(d.next_day, it->detail);
    if (d.action == DUNNING_ACTION_REMIND)
        snprintf(it->channel, sizeof(it->channel), "%s", dunning_channel_name(d.channel));
    it->fee = d.fee;
    it->fee_minor = d.fee_minor;
    it->state = d.action == DUNNING_ACTION_NONE ? DUNNING_ITEM_SKIPPED : DUNNING_ITEM_PENDING;
    it->updated_at = pr->now;
    return PM_OK;
}

static bool company_activated(const struct app_ctx *ax)
{
    struct amili_activation act;

    return !store_agency_activation_get(ax->store, ax->company_id, &act) &&
           act.state == AMILI_ACTIVATION_ACTIVE;
}

enum pm_err app_dunning_propose(const struct app_ctx *ax, struct dunning_run *out, bool *created,
                                struct app_error *e)
{
    struct policies ps;
    struct proposal pr;
    enum pm_err rc;

    *created = false;
    rc = policies_load(ax, &ps, e);
    if (rc)
        return rc;
    memset(out, 0, sizeof(*out));
    out->company_id = ax->company_id;
    out->run_date = ax->today;
    out->approval = ps.def->policy.approval;
    snprintf(out->created_by, sizeof(out->created_by), "%s", ax->actor ? ax->actor : "");
    out->created_at = clock_now_s(ax->clock);
    rc = store_dunning_run_open(ax->store, out, created);
    if (rc || !*created)
        goto out_free;
    memset(&pr, 0, sizeof(pr));
    pr.ax = ax;
    pr.ps = &ps;
    pr.activated = company_activated(ax);
    pr.run_id = out->id;
    pr.now = out->created_at;
    pr.items = malloc(PROPOSAL_BATCH * sizeof(*pr.items));
    rc = pr.items ? PM_OK : PM_ERR_NOMEM;
    if (!rc)
        rc = store_dunning_candidates(ax->store, ax->company_id, ax->today,
                                      ax->today - APP_DUNNING_RECENT_DAYS, handover_level(&ps),
                                      propose_one, &pr);
    if (!rc)
        rc = store_dunning_items_insert(ax->store, pr.items, pr.n);
    if (!rc)
        rc = store_dunning_run_set_items(ax->store, ax->company_id, out->id, (int64_t)pr.total);
    if (!rc)
        out->items = (int64_t)pr.total;
    free(pr.items);
out_free:
    free(ps.rows);
    if (rc == PM_ERR_NOMEM)
        return app_error_set(e, rc, "internal_error", NULL);
    return rc ? app_store_failed(ax, rc, e) : PM_OK;
}

/* ---- carrying a run out ---- */

/* The reminder's e-mail, queued in the chunk's transaction (app_mail.h:
 * the mail dispatcher of `paminn serve` sends it, once per reminder). */
static enum pm_err dunning_send_email(const struct app_ctx *ax, int64_t invoice_id,
                                      int64_t reminder_id, struct app_error *e)
{
    return app_mail_queue_reminder(ax, invoice_id, reminder_id, e);
}

/* Failures that end a chunk (rolled back) rather than fail one item. */
static bool fatal(enum pm_err rc, const struct app_error *one)
{
    return rc == PM_ERR_NOMEM || rc == PM_ERR_DB || rc == PM_ERR_IO || rc == PM_ERR_BUSY ||
           rc == PM_ERR_INTERNAL || !one->code;
}

struct chunk {
    const struct dunning_run *run;
    const struct policies *ps;
    struct dunning_item items[CHUNK];
    size_t n;
    struct app_dunning_outcome did; /* of this chunk */
    struct reminder *rm;
};

static enum pm_err finish(const struct app_ctx *ax, const struct chunk *ck, int64_t invoice_id,
                          bool done, const char *result, int64_t reminder_id, struct app_error *e)
{
    enum pm_err rc = store_dunning_item_finish(ax->store, ax->company_id, ck->run->id, invoice_id,
                                               done ? DUNNING_ITEM_DONE : DUNNING_ITEM_FAILED,
                                               result, reminder_id, clock_now_s(ax->clock));

    if (rc == PM_ERR_NOT_FOUND) /* finished by another executor: read the chunk again */
        return app_error_set(e, PM_ERR_CONFLICT, "conflict", "run_id");
    return rc ? app_store_failed(ax, rc, e) : PM_OK;
}

static enum pm_err remind(const struct app_ctx *ax, struct chunk *ck, const struct dunning_item *it,
                          struct app_error *e)
{
    const struct dunning_policy *p = &policy_of_customer(ck->ps, it->customer_id)->policy;
    const struct dunning_level *l =
        it->level >= 1 && (size_t)it->level <= p->n_levels ? &p->levels[it->level - 1] : NULL;
    enum dunning_channel channel = DUNNING_CHANNEL_EMAIL;
    struct app_reminder_opts o;
    struct reminder_amounts a;
    struct app_error one;
    enum pm_err rc;

    (void)dunning_channel_parse(it->channel, &channel);
    memset(&o, 0, sizeof(o));
    o.level = it->level;
    o.allow_fee = it->fee;
    o.batch_id = channel != DUNNING_CHANNEL_EMAIL ? ck->run->letters_batch_id : 0;
    /* no PDF per reminder: its letter prints from its snapshot on demand
     * (app_reminders_letter), the run's letters as one PDF at the end */
    o.store_pdf = false;
    o.intro_sv = l && l->text_sv[0] ? l->text_sv : NULL;
    o.intro_en = l && l->text_en[0] ? l->text_en : NULL;
    app_error_clear(&one);
    rc = app_reminders_make(ax, it->invoice_id, ck->run->run_date, &o, ck->rm, &a, &one);
    if (rc == PM_ERR_CONFLICT && !one.code) /* this level made meanwhile */
        return app_error_set(e, PM_ERR_CONFLICT, "conflict", "run_id");
    if (rc && fatal(rc, &one)) {
        *e = one;
        return rc;
    }
    if (rc) {
        ck->did.failed++;
        return finish(ax, ck, it->invoice_id, false, one.code, 0, e);
    }
    if (dunning_channel_needs_email(channel)) {
        app_error_clear(&one);
        rc = dunning_send_email(ax, it->invoice_id, ck->rm->id, &one);
        if (rc && fatal(rc, &one)) {
            *e = one;
            return rc;
        }
        if (rc) { /* e.g. the address removed since the proposal: the
                   * reminder stands (its letter prints), the item says why
                   * no e-mail went */
            ck->did.reminded++;
            return finish(ax, ck, it->invoice_id, true, one.code, ck->rm->id, e);
        }
    }
    ck->did.reminded++;
    return finish(ax, ck, it->invoice_id, true, "", ck->rm->id, e);
}

/* The hand-overs of a chunk in one app_handover_send(). */
static enum pm_err hand_over(const struct app_ctx *ax, struct chunk *ck, struct app_error *e)
{
    int64_t ids[CHUNK];
    struct app_handover_result res;
    struct app_error one;
    const char *code;
    size_t n = 0, i, k;
    enum pm_err rc = PM_OK;

    for (i = 0; i < ck->n; i++) {
        if (ck->items[i].action == DUNNING_ACTION_HANDOVER)
            ids[n++] = ck->items[i].invoice_id;
    }
    if (n == 0)
        return PM_OK;
    app_error_clear(&one);
    memset(&res, 0, sizeof(res));
    if (!ax->actor_user_id)
        rc = app_error_set(&one, PM_ERR_INVALID, "no_user", "approved_by");
    else
        rc = app_handover_send(ax, ids, n, &res, &one);
    if (rc == PM_ERR_CONFLICT && !res.none_eligible) { /* claimed meanwhile: read again */
        app_handover_result_release(&res);
        return app_error_set(e, PM_ERR_CONFLICT, "conflict", "run_id");
    }
    if (rc && fatal(rc, &one)) {
        app_handover_result_release(&res);
        *e = one;
        return rc;
    }
    rc = PM_OK;
    for (i = 0; !rc && i < n; i++) {
        bool queued = false;

        code = one.code ? one.code : "not_eligible";
        for (k = 0; k < res.n; k++) {
            if (res.outcomes[k].invoice_id != ids[i])
                continue;
            queued = res.outcomes[k].queued;
            if (res.outcomes[k].n_reasons)
                code = res.outcomes[k].reasons[0].code;
            else if (res.outcomes[k].not_found)
                code = "not_found";
        }
        if (queued)
            ck->did.handed_over++;
        else
            ck->did.failed++;
        rc = finish(ax, ck, ids[i], queued, queued ? "" : code, 0, e);
    }
    app_handover_result_release(&res);
    return rc;
}

static enum pm_err chunk_run(const struct app_ctx *ax, void *arg, struct app_error *e)
{
    struct chunk *ck = arg;
    enum pm_err rc;
    size_t i;

    memset(&ck->did, 0, sizeof(ck->did));
    rc = store_dunning_items_pending(ax->store, ax->company_id, ck->run->id, ck->items, CHUNK,
                                     &ck->n);
    if (rc)
        return app_store_failed(ax, rc, e);
    for (i = 0; !rc && i < ck->n; i++) {
        if (ck->items[i].action == DUNNING_ACTION_REMIND)
            rc = remind(ax, ck, &ck->items[i], e);
    }
    if (!rc)
        rc = hand_over(ax, ck, e);
    return rc;
}

/* A run whose reminders all went by e-mail has no letters: its (empty)
 * batch is let go, so the run offers no letters to print. */
static enum pm_err drop_empty_batch(const struct app_ctx *ax, const struct dunning_run *run,
                                    struct app_error *e)
{
    struct reminder *one = malloc(sizeof(*one));
    size_t n = 0;
    enum pm_err rc;

    if (!one)
        return app_error_set(e, PM_ERR_NOMEM, "internal_error", NULL);
    rc = store_books_reminder_list_batch(ax->store, ax->company_id, run->letters_batch_id, 0, one,
                                         1, &n);
    if (!rc && n == 0)
        rc = store_dunning_run_set_batch(ax->store, ax->company_id, run->id, 0);
    free(one);
    return rc ? app_store_failed(ax, rc, e) : PM_OK;
}

static enum pm_err run_finish(const struct app_ctx *ax, void *arg, struct app_error *e)
{
    const struct dunning_run *run = arg;
    enum pm_err rc = PM_OK;

    if (run->letters_batch_id)
        rc = app_reminders_batch_print(ax, run->letters_batch_id, e);
    if (!rc && run->letters_batch_id)
        rc = drop_empty_batch(ax, run, e);
    if (!rc) {
        rc = store_dunning_run_move(ax->store, ax->company_id, run->id, DUNNING_RUN_APPROVED,
                                    DUNNING_RUN_DONE, NULL, clock_now_s(ax->clock));
        if (rc == PM_ERR_NOT_FOUND) /* finished by another executor */
            rc = PM_OK;
        else if (rc)
            app_store_failed(ax, rc, e);
    }
    return rc;
}

static void outcome_add(struct app_dunning_outcome *to, const struct app_dunning_outcome *d)
{
    to->reminded += d->reminded;
    to->handed_over += d->handed_over;
    to->failed += d->failed;
}

/* Carry out the pending items of run_id, then finish it. */
static enum pm_err execute(const struct app_ctx *ax, int64_t run_id,
                           struct app_dunning_outcome *out, struct app_error *e)
{
    struct dunning_run run;
    struct policies ps;
    struct chunk *ck = NULL;
    int conflicts = 0;
    enum pm_err rc;

    rc = store_dunning_run_get(ax->store, ax->company_id, run_id, &run);
    if (rc)
        return app_store_failed(ax, rc, e);
    rc = policies_load(ax, &ps, e);
    if (rc)
        return rc;
    ck = calloc(1, sizeof(*ck));
    if (ck)
        ck->rm = malloc(sizeof(*ck->rm));
    if (!ck || !ck->rm) {
        rc = app_error_set(e, PM_ERR_NOMEM, "internal_error", NULL);
        goto out_free;
    }
    ck->run = &run;
    ck->ps = &ps;
    for (;;) {
        rc = app_atomic(ax, chunk_run, ck, e);
        if (rc == PM_ERR_CONFLICT && ++conflicts < CHUNK_CONFLICT)
            continue;
        if (rc)
            goto out_free;
        conflicts = 0;
        if (out)
            outcome_add(out, &ck->did);
        if (ck->n < CHUNK)
            break;
    }
    rc = app_atomic(ax, run_finish, &run, e);
out_free:
    if (ck)
        free(ck->rm);
    free(ck);
    free(ps.rows);
    return rc;
}

struct approve_arg {
    int64_t run_id;
};

static enum pm_err approve_run(const struct app_ctx *ax, void *arg, struct app_error *e)
{
    struct approve_arg *a = arg;
    struct dunning_run run;
    int64_t batch_id = 0;
    enum pm_err rc;

    rc = store_dunning_run_get(ax->store, ax->company_id, a->run_id, &run);
    if (rc == PM_ERR_NOT_FOUND)
        return app_error_set(e, rc, "run_not_found", "run_id");
    if (rc)
        return app_store_failed(ax, rc, e);
    if (run.state != DUNNING_RUN_PROPOSED)
        return app_error_set(e, PM_ERR_CONFLICT, "already_approved", "run_id");
    if (run.run_date > ax->today)
        return app_error_set(e, PM_ERR_RANGE, "out_of_range", "run_date");
    rc = store_dunning_run_move(ax->store, ax->company_id, run.id, DUNNING_RUN_PROPOSED,
                                DUNNING_RUN_APPROVED, ax->actor, clock_now_s(ax->clock));
    if (rc == PM_ERR_NOT_FOUND)
        return app_error_set(e, PM_ERR_CONFLICT, "already_approved", "run_id");
    if (rc)
        return app_store_failed(ax, rc, e);
    rc = app_reminders_batch_new(ax, 0, &batch_id, e);
    if (rc)
        return rc;
    rc = store_dunning_run_set_batch(ax->store, ax->company_id, run.id, batch_id);
    return rc ? app_store_failed(ax, rc, e) : PM_OK;
}

enum pm_err app_dunning_approve(const struct app_ctx *ax, int64_t run_id,
                                struct app_dunning_outcome *out, struct app_error *e)
{
    struct approve_arg a = {run_id};
    enum pm_err rc;

    if (out)
        memset(out, 0, sizeof(*out));
    rc = app_atomic(ax, approve_run, &a, e);
    if (!rc)
        rc = execute(ax, run_id, out, e);
    return rc;
}

enum pm_err app_dunning_resume(const struct app_ctx *ax, struct app_dunning_outcome *out,
                               struct app_error *e)
{
    int64_t ids[16];
    size_t n = 0, i;
    enum pm_err rc;

    rc = store_dunning_runs_unfinished(ax->store, ax->company_id, ids, 16, &n);
    if (rc)
        return app_store_failed(ax, rc, e);
    for (i = 0; i < n; i++) {
        rc = execute(ax, ids[i], out, e);
        if (rc)
            return rc;
    }
    return PM_OK;
}

enum pm_err app_dunning_run_get(const struct app_ctx *ax, int64_t run_id,
                                struct app_dunning_view *out, struct app_error *e)
{
    enum pm_err rc = store_dunning_run_get(ax->store, ax->company_id, run_id, &out->run);

    if (rc == PM_ERR_NOT_FOUND)
        return app_error_set(e, rc, "run_not_found", "run_id");
    if (!rc)
        rc = store_dunning_totals(ax->store, ax->company_id, run_id, out->totals,
                                  sizeof(out->totals) / sizeof(out->totals[0]), &out->n_totals);
    return rc ? app_store_failed(ax, rc, e) : PM_OK;
}

enum pm_err app_dunning_letters(const struct app_ctx *ax, int64_t run_id, struct buf *pdf,
                                struct app_error *e)
{
    struct dunning_run run;
    struct app_error inner;
    enum pm_err rc = store_dunning_run_get(ax->store, ax->company_id, run_id, &run);

    if (rc == PM_ERR_NOT_FOUND)
        return app_error_set(e, rc, "run_not_found", "run_id");
    if (rc)
        return app_store_failed(ax, rc, e);
    if (!run.letters_batch_id)
        return app_error_set(e, PM_ERR_NOT_FOUND, "no_letters", "run_id");
    app_error_clear(&inner);
    rc = app_reminders_batch_letters(ax, run.letters_batch_id, pdf, &inner);
    if (rc == PM_ERR_NOT_FOUND)
        return app_error_set(e, rc, "no_letters", "run_id");
    if (rc)
        *e = inner;
    return rc;
}

/* ---- one company's day ---- */

struct propose_arg {
    struct dunning_run *run;
    bool *created;
};

static enum pm_err propose_op(const struct app_ctx *ax, void *arg, struct app_error *e)
{
    struct propose_arg *p = arg;

    return app_dunning_propose(ax, p->run, p->created, e);
}

enum pm_err app_dunning_daily(const struct app_ctx *ax, bool approve, struct app_dunning_day *out,
                              struct app_error *e)
{
    struct propose_arg pa;
    struct app_error ae;
    enum pm_err rc;

    memset(out, 0, sizeof(*out));
    rc = app_dunning_resume(ax, &out->outcome, e);
    if (rc)
        return rc;
    pa.run = &out->run;
    pa.created = &out->created;
    rc = app_atomic(ax, propose_op, &pa, e);
    if (rc)
        return rc;
    if (out->run.state != DUNNING_RUN_PROPOSED ||
        (!approve && out->run.approval != DUNNING_APPROVAL_AUTOMATIC))
        return PM_OK;
    app_error_clear(&ae);
    rc = app_dunning_approve(ax, out->run.id, &out->outcome, &ae);
    if (rc == PM_ERR_CONFLICT && ae.code && !strcmp(ae.code, "already_approved"))
        return PM_OK; /* another server approved it */
    if (rc) {
        *e = ae;
        return rc;
    }
    out->approved = true;
    return store_dunning_run_get(ax->store, ax->company_id, out->run.id, &out->run)
               ? app_store_failed(ax, PM_ERR_DB, e)
               : PM_OK;
}
