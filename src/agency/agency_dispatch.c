/*
 * agency_dispatch.c — the outbox dispatcher: delivers every outbox message
 * to the agency, exactly once in effect, with bounded concurrency.
 *
 * One thread, one store handle, one curl multi (keep-alive connections).
 * Each of up to `concurrency` job slots holds one leased outbox row and
 * walks it through a few HTTP steps:
 *
 *   register        [look-up] -> POST /case--registrations [-> GET case]
 *                   The look-up (GET /cases by creditor + invoice number)
 *                   runs first whenever an earlier attempt may have reached
 *                   the agency (the row was leased before: attempts > 1),
 *                   so a lost answer, a timeout or a crash never registers
 *                   twice.  A 409 names the existing case, which is taken.
 *   upload_invoice  POST /media--upload/{case} with the invoice PDF.
 *   report_payment, report_crediting, cancel
 *                   POST /creditor--payments | --creditings | --cancellations,
 *                   once the invoice's case exists (until then: later).
 *
 * Leases: a row is leased for lease_s seconds (wall clock) to this
 * process's random owner id and renewed before each further step; every
 * write that finishes a row names the owner, so when a lease was taken over
 * (this process stalled) its writes fail and are rolled back.  A killed
 * process's rows are leased again when their leases expire.
 *
 * Outcomes: success -> one transaction records the result (the case, the
 * invoice's agency state, the history event, the next message) and marks
 * the row done.  Transient failures (timeouts, refused or lost connections,
 * 5xx, 429 with its Retry-After) -> the row is retried after an
 * exponential backoff with jitter.  A refusal (other 4xx) of a
 * registration -> "Ej skickad: <the agency's reason per field>" in the
 * history, the claim released (the invoice may be sent again once fixed)
 * and the row failed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agency/agency.h"
#include "agency/agency_amili.h"
#include "agency/agency_edge.h"
#include "agency/agency_pdf.h"
#include "agency/agency_record.h"
#include "core/money.h"
#include "store/store.h"
#include "store/store_agency.h"
#include "util/secret.h"

#define BACKOFF_BASE_MS 500
#define BACKOFF_CAP_MS  30000
#define WAIT_FOR_CASE_S 2 /* a report waits this long for its case */
#define LEASE_EVERY_MS  50
#define IDLE_WAIT_MS    250
#define FINISH_TRIES    5
#define JOBS_MAX        64
#define LINES_FOR_PDF   STORE_LINES_MAX

enum step { STEP_LOOKUP, STEP_REGISTER, STEP_FETCH, STEP_UPLOAD, STEP_ACTION };

struct job {
    bool busy;
    enum step step;
    struct outbox_lease_row row;
    struct agency_call call;
    char *body;         /* owned request body */
    unsigned char *pdf; /* owned upload */
    size_t pdf_len;
    char invoice_number[32];
    char creditor[STORE_AGENCY_ID_MAX];
    char case_id[STORE_AGENCY_ID_MAX];
};

struct agency_dispatcher {
    struct agency *a;
    struct store *st;
    struct agency_conn *conn;
    struct agency_pdf *pdf;    /* invoice PDFs, font loaded once */
    const struct clock *clock; /* business time: history stamps */
    struct clock wall;         /* real time: leases, backoff */
    char owner[STORE_AGENCY_OWNER_MAX];
    uint64_t rng;
    int n_jobs;      /* job slots: twice the concurrency (see start_queued) */
    int concurrency; /* calls in flight at most */
    struct job *jobs;
    struct outbox_lease_row *leased;
    size_t n_leased;      /* leased in the open round, queued after it commits */
    int64_t leased_until; /* their lease */
    /* Rows leased in committed rounds, waiting for a call slot, and when
     * each one's lease ends (renewed while it waits: see renew_queued). */
    struct outbox_lease_row *queue;
    int64_t *queue_until;
    size_t q_head, q_len;
    struct agency_call **done_calls;
    int64_t next_lease_ms;
    /* A round's writes share one transaction (see round_begin). */
    bool batch_open;
    bool batch_failed;
};

static void logf_(const struct agency_dispatcher *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void logf_(const struct agency_dispatcher *d, const char *fmt, ...)
{
    va_list ap;

    (void)d;
    flockfile(stderr);
    fputs("paminn dispatcher: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    funlockfile(stderr);
}

struct agency_dispatcher *agency_dispatcher_new(struct agency *a, const char *db,
                                                const struct clock *clock, struct pm_error *e)
{
    struct agency_dispatcher *d = calloc(1, sizeof(*d));
    const struct agency_config *cfg = agency_config_of(a);
    unsigned char seed[8];

    if (!d) {
        pm_error_set(e, PM_ERR_NOMEM, "", "out of memory");
        return NULL;
    }
    d->a = a;
    d->clock = clock;
    d->concurrency = cfg->concurrency > JOBS_MAX ? JOBS_MAX : cfg->concurrency;
    d->n_jobs = 2 * d->concurrency;
    d->jobs = calloc((size_t)d->n_jobs, sizeof(*d->jobs));
    d->leased = calloc((size_t)d->concurrency, sizeof(*d->leased));
    d->queue = calloc((size_t)d->concurrency, sizeof(*d->queue));
    d->queue_until = calloc((size_t)d->concurrency, sizeof(*d->queue_until));
    d->done_calls = calloc((size_t)d->n_jobs, sizeof(*d->done_calls));
    if (!d->jobs || !d->leased || !d->queue || !d->queue_until || !d->done_calls) {
        pm_error_set(e, PM_ERR_NOMEM, "", "out of memory");
        goto out_free;
    }
    if (store_open(db, &d->st, e))
        goto out_free;
    d->conn = agency_conn_new(a, d->concurrency);
    if (!d->conn) {
        pm_error_set(e, PM_ERR_NOMEM, "", "cannot start the HTTP client");
        goto out_free;
    }
    d->pdf = agency_pdf_new(e);
    if (!d->pdf)
        goto out_free;
    {
        char token[SECRET_TOKEN_HEX];

        secret_random_token(token);
        snprintf(d->owner, sizeof(d->owner), "%.16s", token);
        memcpy(seed, token + 16, sizeof(seed));
        memcpy(&d->rng, seed, sizeof(d->rng));
    }
    return d;
out_free:
    agency_dispatcher_free(&d);
    return NULL;
}

static void job_clear(struct job *j)
{
    struct buf keep = j->call.response;

    free(j->body);
    free(j->pdf);
    buf_reset(&keep);
    memset(j, 0, sizeof(*j));
    j->call.response = keep;
}

void agency_dispatcher_free(struct agency_dispatcher **dp)
{
    struct agency_dispatcher *d;
    int i;

    if (!dp || !*dp)
        return;
    d = *dp;
    if (d->conn)
        agency_ops_of(d->a)->conn_free(&d->conn);
    for (i = 0; d->jobs && i < d->n_jobs; i++) {
        job_clear(&d->jobs[i]);
        agency_call_release(&d->jobs[i].call);
    }
    store_close(&d->st);
    agency_pdf_free(&d->pdf);
    free(d->jobs);
    free(d->leased);
    free(d->queue_until);
    free(d->queue);
    free(d->done_calls);
    free(d);
    *dp = NULL;
}

static int64_t wall_ms(const struct agency_dispatcher *d)
{
    return clock_now_us(&d->wall) / 1000;
}

static int64_t wall_s(const struct agency_dispatcher *d)
{
    return clock_now_s(&d->wall);
}

static int64_t lease_until(const struct agency_dispatcher *d)
{
    return wall_s(d) + agency_config_of(d->a)->lease_s;
}

/* ---- finishing a job: one transaction each ---- */

/* Run fn(d, j, arg) inside a transaction, retrying a busy database.
 * Within a round's transaction (batch_open) the job's lease is verified
 * first — renewing it while this process holds the write lock — so that a
 * taken-over row writes nothing, and fn's writes join the round. */
static enum pm_err in_tx(struct agency_dispatcher *d, struct job *j,
                         enum pm_err (*fn)(struct agency_dispatcher *, struct job *, void *),
                         void *arg)
{
    enum pm_err rc = PM_OK;
    int tries;

    if (d->batch_open) {
        rc = store_agency_outbox_renew(d->st, j->row.company_id, j->row.id, d->owner,
                                       lease_until(d));
        if (!rc)
            rc = fn(d, j, arg);
        if (rc && rc != PM_ERR_NOT_FOUND)
            d->batch_failed = true;
        goto out_log;
    }
    for (tries = 0; tries < FINISH_TRIES; tries++) {
        rc = store_begin(d->st);
        if (!rc) {
            rc = fn(d, j, arg);
            if (!rc)
                rc = store_commit(d->st);
            else
                store_rollback(d->st);
        }
        if (rc != PM_ERR_BUSY)
            break;
        usleep(20000);
    }
out_log:
    if (rc == PM_ERR_NOT_FOUND && !strcmp(store_error(d->st)->field, "lease"))
        logf_(d, "outbox %lld/%lld: lease taken over, result dropped", (long long)j->row.company_id,
              (long long)j->row.id);
    else if (rc)
        logf_(d, "outbox %lld/%lld: cannot record the result: %s", (long long)j->row.company_id,
              (long long)j->row.id, store_error(d->st)->message);
    return rc;
}

struct retry_arg {
    int64_t next_at;
    const char *reason;
};

static enum pm_err tx_retry(struct agency_dispatcher *d, struct job *j, void *arg)
{
    const struct retry_arg *r = arg;

    return store_agency_outbox_finish(d->st, j->row.company_id, j->row.id, d->owner, OUTBOX_RETRY,
                                      r->next_at, r->reason);
}

/* Try again later: the backoff of this attempt, or the agency's
 * Retry-After when it asks for longer. */
static void finish_retry(struct agency_dispatcher *d, struct job *j, const char *reason,
                         int64_t retry_after_s, int64_t fixed_delay_ms)
{
    int64_t delay_ms = fixed_delay_ms >= 0
                           ? fixed_delay_ms
                           : agency_backoff_ms(j->row.attempts, BACKOFF_BASE_MS, BACKOFF_CAP_MS,
                                               agency_random_next(&d->rng));
    struct retry_arg arg;

    if (retry_after_s >= 0 && retry_after_s * 1000 > delay_ms)
        delay_ms = retry_after_s * 1000;
    arg.next_at = (wall_ms(d) + delay_ms + 999) / 1000;
    arg.reason = reason;
    in_tx(d, j, tx_retry, &arg);
    job_clear(j);
}

struct reg_arg {
    const char *case_id;
    const char *ocr;
    int64_t updated_s;
};

static enum pm_err tx_registered(struct agency_dispatcher *d, struct job *j, void *arg)
{
    static const enum amili_state registered = AMILI_STATE_REGISTERED;
    const struct reg_arg *r = arg;
    struct agency_case c;
    struct outbox_message up;
    char message[STORE_TEXT_MAX];
    int64_t cid = j->row.company_id, iid = j->row.invoice_id;
    enum pm_err rc;

    memset(&c, 0, sizeof(c));
    c.company_id = cid;
    c.invoice_id = iid;
    snprintf(c.case_id, sizeof(c.case_id), "%s", r->case_id);
    snprintf(c.ocr, sizeof(c.ocr), "%s", r->ocr);
    c.registered_at = r->updated_s;
    rc = store_agency_case_insert(d->st, &c);
    if (rc == PM_ERR_CONFLICT) {
        /* Registered before (a hand-over refused later, then re-sent):
         * the row follows the case the agency has now. */
        rc = store_agency_case_get(d->st, cid, iid, &c);
        if (!rc) {
            snprintf(c.case_id, sizeof(c.case_id), "%s", r->case_id);
            if (r->ocr[0])
                snprintf(c.ocr, sizeof(c.ocr), "%s", r->ocr);
            c.registered_at = r->updated_s;
            c.synced_at = 0;
            rc = store_agency_case_update(d->st, &c, NULL);
        }
    }
    if (!rc)
        rc = store_agency_invoice_agency(d->st, cid, iid, &registered, NULL);
    snprintf(message, sizeof(message), "Registrerad hos Visma Amili: ärende %s, OCR %s", r->case_id,
             r->ocr[0] ? r->ocr : "-");
    if (!rc)
        rc = agency_record_event(d->st, cid, iid, clock_now_us(d->clock), "amili_registered",
                                 message,
                                 json_pack("{s:s, s:s}", "case_id", r->case_id, "ocr", r->ocr));
    memset(&up, 0, sizeof(up));
    up.company_id = cid;
    up.invoice_id = iid;
    up.kind = AMILI_JOB_UPLOAD_INVOICE;
    snprintf(up.payload, sizeof(up.payload), "{\"case_id\":\"%s\"}", r->case_id);
    snprintf(up.idempotency_key, sizeof(up.idempotency_key), "upload-%lld-%s", (long long)iid,
             r->case_id);
    if (!rc) {
        rc = store_outbox_enqueue(d->st, &up);
        if (rc == PM_ERR_CONFLICT)
            rc = PM_OK;
    }
    if (!rc)
        rc = store_agency_outbox_finish(d->st, cid, j->row.id, d->owner, OUTBOX_DONE, 0, "");
    return rc;
}

static void finish_registered(struct agency_dispatcher *d, struct job *j, const char *case_id,
                              const char *ocr, int64_t updated_s)
{
    struct reg_arg arg = {case_id, ocr, updated_s};

    if (!in_tx(d, j, tx_registered, &arg))
        agency_wake(d->a); /* the upload is due */
    job_clear(j);
}

struct fail_arg {
    const char *reason;
    const json_t *issues;
};

static enum pm_err tx_refused(struct agency_dispatcher *d, struct job *j, void *arg)
{
    const struct fail_arg *f = arg;
    int64_t cid = j->row.company_id, iid = j->row.invoice_id;
    char message[STORE_TEXT_MAX];
    char *last = NULL;
    json_t *issues = f->issues ? json_deep_copy(f->issues) : json_object();
    json_t *err = json_pack("{s:s, s:O}", "reason", f->reason, "issues", issues);
    enum pm_err rc = PM_OK;
    static const enum amili_state failed = AMILI_STATE_FAILED;
    const char *what = "rapporten";

    last = err ? json_dumps(err, JSON_COMPACT) : NULL;
    json_decref(err);
    if (!last) {
        json_decref(issues);
        return PM_ERR_NOMEM;
    }
    if (j->row.kind == AMILI_JOB_REGISTER) {
        rc = store_agency_claim_release(d->st, cid, iid);
        if (!rc)
            rc = store_agency_invoice_agency(d->st, cid, iid, &failed, "");
        snprintf(message, sizeof(message), "Ej skickad: %s", f->reason);
        if (!rc)
            rc = agency_record_event(d->st, cid, iid, clock_now_us(d->clock), "amili_failed",
                                     message, json_pack("{s:O}", "issues", issues));
    } else {
        if (j->row.kind == AMILI_JOB_UPLOAD_INVOICE)
            what = "fakturan (PDF)";
        else if (j->row.kind == AMILI_JOB_CANCEL)
            what = "återkallelsen";
        snprintf(message, sizeof(message), "Visma Amili tog inte emot %s: %s", what, f->reason);
        rc = agency_record_event(
            d->st, cid, iid, clock_now_us(d->clock), "amili_report_failed", message,
            json_pack("{s:s, s:O}", "kind", amili_job_name(j->row.kind), "issues", issues));
    }
    if (!rc)
        rc = store_agency_outbox_finish(d->st, cid, j->row.id, d->owner, OUTBOX_FAILED, 0, last);
    json_decref(issues);
    free(last);
    return rc;
}

static void finish_refused(struct agency_dispatcher *d, struct job *j, const char *reason,
                           const json_t *issues)
{
    struct fail_arg arg = {reason, issues};

    in_tx(d, j, tx_refused, &arg);
    job_clear(j);
}

struct done_arg {
    const char *kind; /* history kind, NULL = none */
    const char *message;
    json_t *data;     /* stolen by the event */
    const char *url;  /* an uploaded original invoice */
    const char *note; /* last_error of a row done without delivery */
};

static enum pm_err tx_done(struct agency_dispatcher *d, struct job *j, void *arg)
{
    struct done_arg *a = arg;
    struct agency_case c;
    enum pm_err rc = PM_OK;

    if (a->url) {
        rc = store_agency_case_get(d->st, j->row.company_id, j->row.invoice_id, &c);
        if (!rc) {
            snprintf(c.original_invoice_url, sizeof(c.original_invoice_url), "%s", a->url);
            rc = store_agency_case_update(d->st, &c, NULL);
        }
    }
    if (!rc && a->kind) {
        rc = agency_record_event(d->st, j->row.company_id, j->row.invoice_id,
                                 clock_now_us(d->clock), a->kind, a->message, a->data);
        a->data = NULL;
    }
    if (!rc)
        rc = store_agency_outbox_finish(d->st, j->row.company_id, j->row.id, d->owner, OUTBOX_DONE,
                                        0, a->note ? a->note : "");
    return rc;
}

static void finish_done(struct agency_dispatcher *d, struct job *j, struct done_arg *arg)
{
    in_tx(d, j, tx_done, arg);
    json_decref(arg->data);
    arg->data = NULL;
    job_clear(j);
}

/* ---- steps ---- */

static void start_step(struct agency_dispatcher *d, struct job *j, enum step step);

/* Renew the lease before a further step; false when it was lost. */
static bool renew(struct agency_dispatcher *d, struct job *j)
{
    enum pm_err rc =
        store_agency_outbox_renew(d->st, j->row.company_id, j->row.id, d->owner, lease_until(d));

    if (rc == PM_ERR_NOT_FOUND) {
        logf_(d, "outbox %lld/%lld: lease lost, leaving it to its new owner",
              (long long)j->row.company_id, (long long)j->row.id);
        job_clear(j);
        return false;
    }
    /* Another failure (busy): carry on; the finish checks the owner. */
    return true;
}

static enum pm_err build_pdf(struct agency_dispatcher *d, struct job *j)
{
    struct company co;
    struct customer cu;
    struct invoice inv;
    struct invoice_line_row *lines = calloc(LINES_FOR_PDF, sizeof(*lines));
    struct pm_error e = {0};
    size_t n = 0, len = 0;
    enum pm_err rc;

    if (!lines)
        return PM_ERR_NOMEM;
    rc = store_company_get(d->st, j->row.company_id, &co);
    if (!rc)
        rc = store_invoice_get(d->st, j->row.company_id, j->row.invoice_id, &inv);
    if (!rc)
        rc = store_customer_get(d->st, j->row.company_id, inv.customer_id, &cu);
    if (!rc)
        rc = store_invoice_lines(d->st, j->row.company_id, j->row.invoice_id, lines, LINES_FOR_PDF,
                                 &n);
    if (!rc)
        rc = agency_pdf_invoice(d->pdf, &co, &cu, &inv, lines, n, &j->pdf, &len, &e);
    if (rc)
        logf_(d, "invoice %lld/%lld: no PDF: %s", (long long)j->row.company_id,
              (long long)j->row.invoice_id, e.message[0] ? e.message : pm_err_name(rc));
    j->pdf_len = len;
    free(lines);
    return rc;
}

static void start_step(struct agency_dispatcher *d, struct job *j, enum step step)
{
    char token[AGENCY_TOKEN_MAX];
    struct pm_error e = {0};
    enum pm_err rc;

    rc = agency_token(d->a, d->st, token, &e);
    if (rc) {
        finish_retry(d, j, e.message, -1, -1);
        return;
    }
    free(j->body);
    j->body = NULL;
    agency_call_reset(&j->call);
    j->step = step;
    switch (step) {
    case STEP_LOOKUP:
        rc = agency_amili_req_find_case(&j->call, j->creditor, j->invoice_number);
        break;
    case STEP_REGISTER:
        agency_amili_req_register(&j->call, j->row.payload);
        break;
    case STEP_FETCH:
        agency_amili_req_get_case(&j->call, j->case_id);
        break;
    case STEP_UPLOAD:
        agency_amili_req_upload(&j->call, j->case_id, j->pdf, j->pdf_len);
        break;
    case STEP_ACTION:
        rc = agency_amili_req_action(&j->call, j->row.kind, j->creditor, j->case_id, j->row.payload,
                                     &j->body);
        break;
    }
    if (rc) {
        finish_refused(d, j, "the message cannot be sent as it is (invalid payload)", NULL);
        return;
    }
    snprintf(j->call.api_key, sizeof(j->call.api_key), "%s", token);
    j->call.timeout_ms = agency_config_of(d->a)->request_timeout_ms;
    j->call.user = j;
    rc = agency_ops_of(d->a)->start(d->conn, &j->call);
    if (rc)
        finish_retry(d, j, "cannot start an HTTP request", -1, -1);
}

/* Take a freshly leased row into job j. */
static void job_begin(struct agency_dispatcher *d, struct job *j)
{
    struct amili_activation act;
    struct agency_case c;
    struct invoice inv;
    struct done_arg done = {0};
    enum pm_err rc;
    json_t *payload;

    j->busy = true;
    /* A fresh lease for the call: the row may have waited in the queue. */
    if (!renew(d, j))
        return;
    rc = store_agency_activation_get(d->st, j->row.company_id, &act);
    if (rc || act.state != AMILI_ACTIVATION_ACTIVE) {
        finish_retry(d, j, "the company's Amili activation is not active", -1, 60000);
        return;
    }
    snprintf(j->creditor, sizeof(j->creditor), "%s", act.creditor_id);
    switch (j->row.kind) {
    case AMILI_JOB_REGISTER:
        agency_amili_payload_invoice_number(j->row.payload, j->invoice_number,
                                            sizeof(j->invoice_number));
        if (!j->invoice_number[0]) {
            finish_refused(d, j, "invalid registration payload", NULL);
            return;
        }
        start_step(d, j, j->row.attempts > 1 ? STEP_LOOKUP : STEP_REGISTER);
        return;
    case AMILI_JOB_UPLOAD_INVOICE:
        payload = json_loads(j->row.payload, 0, NULL);
        snprintf(j->case_id, sizeof(j->case_id), "%s",
                 json_string_value(json_object_get(payload, "case_id"))
                     ? json_string_value(json_object_get(payload, "case_id"))
                     : "");
        json_decref(payload);
        if (!j->case_id[0] || build_pdf(d, j)) {
            finish_refused(d, j, "the invoice PDF could not be made", NULL);
            return;
        }
        start_step(d, j, STEP_UPLOAD);
        return;
    case AMILI_JOB_REPORT_PAYMENT:
    case AMILI_JOB_REPORT_CREDITING:
    case AMILI_JOB_CANCEL:
        rc = store_agency_case_get(d->st, j->row.company_id, j->row.invoice_id, &c);
        if (rc == PM_ERR_NOT_FOUND) {
            /* No case yet: wait for it while the invoice is with the
             * agency; otherwise there is nothing to report to. */
            rc = store_invoice_get(d->st, j->row.company_id, j->row.invoice_id, &inv);
            if (!rc && inv.agency_state == AMILI_STATE_QUEUED) {
                finish_retry(d, j, "waiting for the case to be registered", -1,
                             WAIT_FOR_CASE_S * 1000);
                return;
            }
            done.note = "skipped: the invoice has no case at the agency";
            finish_done(d, j, &done);
            return;
        }
        if (rc) {
            finish_retry(d, j, store_error(d->st)->message, -1, -1);
            return;
        }
        snprintf(j->case_id, sizeof(j->case_id), "%s", c.case_id);
        start_step(d, j, STEP_ACTION);
        return;
    case AMILI_JOB_UNKNOWN:
        break;
    }
    finish_refused(d, j, "unknown message kind", NULL);
}

static void action_done(struct agency_dispatcher *d, struct job *j,
                        const struct agency_amili_answer *ans)
{
    json_t *in = json_loads(j->row.payload, 0, NULL);
    int64_t amount = (int64_t)json_integer_value(json_object_get(in, "amount_minor"));
    const char *status = json_string_value(json_object_get(ans->body, "status"));
    char amount_text[MONEY_FORMAT_MAX], message[STORE_TEXT_MAX];
    int64_t settled = 0;
    struct done_arg done = {0};

    json_decref(in);
    money_format(amount, amount_text, sizeof(amount_text));
    if (agency_money_parse(json_object_get(ans->body, "settled_amount"), &settled))
        settled = 0;
    if (j->row.kind == AMILI_JOB_REPORT_PAYMENT)
        snprintf(message, sizeof(message), "Betalning på %s rapporterad till Visma Amili (%s)",
                 amount_text, status ? status : "?");
    else if (j->row.kind == AMILI_JOB_REPORT_CREDITING)
        snprintf(message, sizeof(message), "Kreditering på %s rapporterad till Visma Amili (%s)",
                 amount_text, status ? status : "?");
    else
        snprintf(message, sizeof(message), "Ärendet återkallat hos Visma Amili (%s)",
                 status ? status : "?");
    done.kind = "amili_reported";
    done.message = message;
    done.data = json_pack("{s:s, s:s, s:I}", "kind", amili_job_name(j->row.kind), "status",
                          status ? status : "", "settled_minor", (json_int_t)settled);
    finish_done(d, j, &done);
}

/* A call of job j finished. */
static void job_advance(struct agency_dispatcher *d, struct job *j)
{
    struct agency_amili_answer ans;
    struct agency_amili_case_view view;
    struct agency_amili_registered reg;
    struct done_arg done = {0};
    const json_t *item;

    agency_amili_answer_read(&j->call, wall_s(d), &ans);
    if (ans.verdict == AGENCY_AMILI_UNAUTHORIZED) {
        agency_token_forget(d->a, j->call.api_key);
        finish_retry(d, j, "the access token was refused; a new one is fetched", -1, 200);
        goto out;
    }
    if (ans.verdict == AGENCY_AMILI_RETRY) {
        finish_retry(d, j, ans.reason, ans.retry_after_s, -1);
        goto out;
    }
    switch (j->step) {
    case STEP_LOOKUP:
        item = ans.verdict == AGENCY_AMILI_OK ? agency_amili_first_item(ans.body) : NULL;
        if (ans.verdict != AGENCY_AMILI_OK) {
            finish_retry(d, j, ans.reason, ans.retry_after_s, -1);
        } else if (item && !agency_amili_case_parse(item, &view)) {
            finish_registered(d, j, view.case_id, view.ocr, view.updated_s);
        } else if (renew(d, j)) {
            start_step(d, j, STEP_REGISTER);
        }
        break;
    case STEP_REGISTER:
        if (ans.verdict == AGENCY_AMILI_OK && !agency_amili_parse_registered(ans.body, &reg)) {
            finish_registered(d, j, reg.case_id, reg.ocr, reg.updated_s);
        } else if (ans.verdict == AGENCY_AMILI_CONFLICT) {
            if (agency_amili_parse_existing(ans.body, j->invoice_number, j->case_id,
                                            sizeof(j->case_id)) == PM_OK) {
                if (renew(d, j))
                    start_step(d, j, STEP_FETCH);
            } else if (renew(d, j)) {
                start_step(d, j, STEP_LOOKUP);
            }
        } else if (ans.verdict == AGENCY_AMILI_REFUSED) {
            finish_refused(d, j, ans.reason, ans.issues);
        } else {
            finish_retry(d, j, "unreadable registration answer", -1, -1);
        }
        break;
    case STEP_FETCH:
        if (ans.verdict == AGENCY_AMILI_OK && !agency_amili_case_parse(ans.body, &view))
            finish_registered(d, j, view.case_id, view.ocr, view.updated_s);
        else
            finish_retry(d, j, ans.reason, ans.retry_after_s, -1);
        break;
    case STEP_UPLOAD:
        if (ans.verdict == AGENCY_AMILI_OK) {
            done.kind = "amili_document";
            done.message = "Fakturan (PDF) skickad till Visma Amili som originalfaktura";
            done.url = json_string_value(json_object_get(ans.body, "url"));
            done.data =
                json_pack("{s:s, s:s}", "case_id", j->case_id, "url", done.url ? done.url : "");
            finish_done(d, j, &done);
        } else {
            finish_refused(d, j, ans.reason, ans.issues);
        }
        break;
    case STEP_ACTION:
        if (ans.verdict == AGENCY_AMILI_OK)
            action_done(d, j, &ans);
        else
            finish_refused(d, j, ans.reason, ans.issues);
        break;
    }
out:
    agency_amili_answer_release(&ans);
}

/* ---- the loop ---- */

static struct job *free_job(struct agency_dispatcher *d)
{
    int i;

    for (i = 0; i < d->n_jobs; i++)
        if (!d->jobs[i].busy)
            return &d->jobs[i];
    return NULL;
}

/* Lease up to what the queue has room for (queued by round_end once the
 * round has committed); how many were leased. */
static size_t lease(struct agency_dispatcher *d)
{
    size_t room = (size_t)d->concurrency - d->q_len, n = 0;
    int64_t now = wall_s(d);
    enum pm_err rc;

    d->n_leased = 0;
    if (room == 0)
        return 0;
    d->leased_until = now + agency_config_of(d->a)->lease_s;
    rc = store_agency_outbox_lease(d->st, d->owner, now, d->leased_until, d->leased, room, &n);
    if (rc) {
        if (rc != PM_ERR_BUSY)
            logf_(d, "cannot lease outbox rows: %s", store_error(d->st)->message);
        return 0;
    }
    d->n_leased = n;
    return n;
}

/* Start queued rows while fewer than `concurrency` calls are in flight.
 * Outside any transaction: making an invoice PDF takes milliseconds, and
 * the write lock is not held for it.  Jobs slots are twice the
 * concurrency, so new calls start as soon as others finish, before the
 * finished ones' results are written. */
static void start_queued(struct agency_dispatcher *d)
{
    const struct agency_ops *ops = agency_ops_of(d->a);
    struct job *j;

    while (d->q_len > 0 && ops->in_flight(d->conn) < d->concurrency) {
        j = free_job(d);
        if (!j)
            return;
        job_clear(j);
        j->row = d->queue[d->q_head];
        d->q_head = (d->q_head + 1) % (size_t)d->concurrency;
        d->q_len--;
        job_begin(d, j);
    }
}

/* One transaction for a round's writes: the results of the calls that
 * finished, the renewals, and the next lease.  A round that fails as a
 * whole is rolled back; its rows stay leased and are retried (after a
 * look-up) when their leases expire. */
static void round_begin(struct agency_dispatcher *d)
{
    d->batch_failed = false;
    d->batch_open = store_begin(d->st) == PM_OK;
}

/* Whether a queued row's lease is past its half: then it is renewed, so
 * that a row waiting for a call slot on a slow agency is never leased
 * again — by another process, or by this one — while it waits. */
static bool queue_ageing(const struct agency_dispatcher *d)
{
    int64_t soon = wall_s(d) + agency_config_of(d->a)->lease_s / 2;
    size_t i;

    for (i = 0; i < d->q_len; i++)
        if (d->queue_until[(d->q_head + i) % (size_t)d->concurrency] <= soon)
            return true;
    return false;
}

/* In the round's transaction: renew the queued rows' ageing leases; a
 * row whose lease was lost leaves the queue. */
static void renew_queued(struct agency_dispatcher *d)
{
    size_t cap = (size_t)d->concurrency, i, k, kept = 0;
    int64_t soon = wall_s(d) + agency_config_of(d->a)->lease_s / 2, until = lease_until(d);
    struct outbox_lease_row *row;
    enum pm_err rc;

    for (i = 0; i < d->q_len; i++) {
        k = (d->q_head + i) % cap;
        row = &d->queue[k];
        if (d->queue_until[k] <= soon) {
            rc = store_agency_outbox_renew(d->st, row->company_id, row->id, d->owner, until);
            if (rc == PM_ERR_NOT_FOUND) {
                logf_(d, "outbox %lld/%lld: lease lost while queued, leaving it to its new owner",
                      (long long)row->company_id, (long long)row->id);
                continue;
            }
            if (rc) {
                d->batch_failed = true;
            } else {
                d->queue_until[k] = until;
            }
        }
        /* keep it: moved up over the rows dropped */
        d->queue[(d->q_head + kept) % cap] = *row;
        d->queue_until[(d->q_head + kept) % cap] = d->queue_until[k];
        kept++;
    }
    d->q_len = kept;
}

static void round_end(struct agency_dispatcher *d)
{
    size_t i;

    if (d->batch_open) {
        d->batch_open = false;
        if (d->batch_failed) {
            store_rollback(d->st);
            d->n_leased = 0; /* the lease was rolled back with the rest */
            logf_(d, "a round's results were rolled back; its rows are retried after their "
                     "leases");
        } else if (store_commit(d->st)) {
            d->n_leased = 0;
            logf_(d, "cannot commit a round: %s", store_error(d->st)->message);
        }
    }
    for (i = 0; i < d->n_leased; i++) {
        d->queue[(d->q_head + d->q_len) % (size_t)d->concurrency] = d->leased[i];
        d->queue_until[(d->q_head + d->q_len) % (size_t)d->concurrency] = d->leased_until;
        d->q_len++;
    }
    d->n_leased = 0;
    agency_round_done(d->a, AGENCY_LOOP_DISPATCH);
}

void agency_dispatcher_run(struct agency_dispatcher *d, const atomic_int *stop)
{
    const struct agency_ops *ops = agency_ops_of(d->a);
    struct agency_call *done = NULL;
    size_t n_done, i;
    int64_t now;

    while (!atomic_load(stop)) {
        start_queued(d);
        if (ops->in_flight(d->conn) == 0) {
            /* Idle: lease what is due, or wait to be woken. */
            round_begin(d);
            lease(d);
            round_end(d);
            d->next_lease_ms = wall_ms(d) + LEASE_EVERY_MS;
            if (d->q_len == 0)
                agency_wait(d->a, IDLE_WAIT_MS);
            continue;
        }
        if (ops->next(d->conn, LEASE_EVERY_MS, &done))
            continue;
        for (n_done = 0; done && n_done < (size_t)d->n_jobs;) {
            d->done_calls[n_done++] = done;
            if (ops->next(d->conn, 0, &done))
                break;
        }
        /* New calls first, then the finished ones' results. */
        start_queued(d);
        now = wall_ms(d);
        if (n_done == 0 && (now < d->next_lease_ms || d->q_len > 0) && !queue_ageing(d))
            continue;
        round_begin(d);
        if (d->batch_open)
            renew_queued(d);
        for (i = 0; i < n_done; i++)
            job_advance(d, (struct job *)d->done_calls[i]->user);
        if (d->q_len < (size_t)d->concurrency) {
            lease(d);
            d->next_lease_ms = now + LEASE_EVERY_MS;
        }
        round_end(d);
    }
}
