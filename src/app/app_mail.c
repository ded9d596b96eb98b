/*
 * app_mail.c — e-mail of reminders and customer statements (see
 * app_mail.h; a statement's mail is queued by app_statements.c with its
 * text and PDF, and delivered here as a reminder's is).
 *
 * Part of src/app.  Queueing writes one mail_outbox row (and a history
 * line) in the caller's transaction; delivery leases rows across
 * companies, builds each message from the reminder's letter snapshot and
 * its PDF (mail/mail.h), sends it and records what the server said.  The
 * mail is recorded as sent after the whole message went out and before the
 * end of its DATA (mail_smtp_send's before_end), the COMMIT sent without
 * waiting for its answer (store_commit_send), so that the final ".\r\n"
 * follows it at once: a crash at any moment never sends a reminder twice;
 * one between the two writes (microseconds) would lose it, and a later
 * 4xx/5xx to the DATA turns the row back into retry or failed.
 */
#include "app/app_mail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/app_reminders.h"
#include "core/money.h"
#include "core/swish.h"
#include "util/clock.h"

#define MAX_BACKOFF_S 3600

/* ---- queueing ---- */

static int64_t real_now(void)
{
    return (int64_t)time(NULL);
}

static void subject_of(const struct reminder *rm, bool english, int64_t number, const char *company,
                       char *dst, size_t cap)
{
    (void)rm;
    if (english)
        snprintf(dst, cap, "Payment reminder: invoice %lld from %s", (long long)number, company);
    else
        snprintf(dst, cap, "Påminnelse: faktura %lld från %s", (long long)number, company);
}

enum pm_err app_mail_queue_reminder(const struct app_ctx *ax, int64_t invoice_id,
                                    int64_t reminder_id, struct app_error *e)
{
    struct invoice inv;
    struct customer cu;
    struct company co;
    struct reminder *rm = NULL;
    struct mail_row *m = NULL;
    char message[STORE_TEXT_MAX];
    bool found = false, queued = false;
    enum pm_err rc;

    rc = store_invoice_get(ax->store, ax->company_id, invoice_id, &inv);
    if (rc == PM_ERR_NOT_FOUND)
        return app_error_set(e, rc, "not_found", "invoice_id");
    if (!rc)
        rc = store_customer_get(ax->store, ax->company_id, inv.customer_id, &cu);
    if (rc)
        return app_store_failed(ax, rc, e);
    rm = malloc(sizeof(*rm));
    m = calloc(1, sizeof(*m));
    if (!rm || !m) {
        rc = app_error_set(e, PM_ERR_NOMEM, "internal_error", NULL);
        goto out_free;
    }
    rc = store_books_reminder_get(ax->store, ax->company_id, invoice_id, reminder_id, rm, NULL,
                                  NULL);
    if (rc == PM_ERR_NOT_FOUND) {
        rc = app_error_set(e, rc, "reminder_not_found", "reminder_id");
        goto out_free;
    }
    if (!rc)
        rc = store_mail_of_reminder(ax->store, ax->company_id, reminder_id, m, &found);
    if (rc) {
        app_store_failed(ax, rc, e);
        goto out_free;
    }
    if (found)
        goto out_free; /* e-mailed already: nothing more */
    if (!cu.email[0] || !mail_address_ok(cu.email)) {
        rc = app_error_set(e, PM_ERR_INVALID, "missing_email", "email");
        app_error_detail(e, "customer %lld has %s", (long long)cu.id,
                         cu.email[0] ? "no usable e-mail address" : "no e-mail address");
        goto out_free;
    }
    if (ax->company)
        co = *ax->company;
    else if ((rc = store_company_get(ax->store, ax->company_id, &co)) != PM_OK) {
        app_store_failed(ax, rc, e);
        goto out_free;
    }
    m->company_id = ax->company_id;
    m->invoice_id = invoice_id;
    m->reminder_id = reminder_id;
    snprintf(m->recipient, sizeof(m->recipient), "%s", cu.email);
    subject_of(rm, !strcmp(cu.language, "en"), inv.number, co.name, m->subject, sizeof(m->subject));
    /* The Message-ID's domain is the sender's: --smtp-from, else the
     * company's own address. */
    mail_message_id(ax->mail_from ? ax->mail_from : co.email, m->message_id, sizeof(m->message_id));
    m->created_at = clock_now_s(ax->clock);
    rc = store_mail_insert(ax->store, m, &queued);
    if (rc) {
        app_store_failed(ax, rc, e);
        goto out_free;
    }
    if (!queued)
        goto out_free; /* another request queued it meanwhile */
    snprintf(message, sizeof(message), "Påminnelse köad för e-post till %s", m->recipient);
    rc = app_history(ax, invoice_id, "mail_queued", message,
                     json_pack("{s:I, s:I, s:s, s:s}", "mail_id", (json_int_t)m->id, "reminder_id",
                               (json_int_t)reminder_id, "recipient", m->recipient, "message_id",
                               m->message_id),
                     e);
out_free:
    free(m);
    free(rm);
    return rc;
}

enum pm_err app_mail_of_reminder(const struct app_ctx *ax, int64_t reminder_id,
                                 struct mail_row *out, bool *found, struct app_error *e)
{
    enum pm_err rc = store_mail_of_reminder(ax->store, ax->company_id, reminder_id, out, found);

    return rc ? app_store_failed(ax, rc, e) : PM_OK;
}

enum pm_err app_mail_list(const struct app_ctx *ax, int64_t invoice_id, int64_t before_id,
                          struct mail_row *out, size_t cap, size_t *n, struct app_error *e)
{
    enum pm_err rc = store_mail_list(ax->store, ax->company_id, invoice_id, before_id, out, cap, n);

    return rc ? app_store_failed(ax, rc, e) : PM_OK;
}

/* ---- the text ---- */

static const char *jtext(json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));

    return s ? s : "";
}

static int64_t jint(json_t *obj, const char *key)
{
    return (int64_t)json_integer_value(json_object_get(obj, key));
}

/* "Label:   10 586,30 kr\n" with the label padded to one column. */
static enum pm_err amount_line(struct buf *b, const char *label, int64_t ore)
{
    char money[MONEY_FORMAT_MAX];

    money_format(ore, money, sizeof(money));
    return buf_addf(b, "%s %s\n", label, money);
}

/* "Swish:               123 456 78 90, meddelande <OCR>\n" when the company
 * has a Swish number and there is something to pay (as the letter's QR
 * code, letter_swish.h); nothing otherwise. */
static enum pm_err swish_line(json_t *l, bool en, struct buf *b)
{
    char shown[SWISH_DISPLAY_MAX];
    const char *number = jtext(l, "company_swish"), *ocr = jtext(l, "ocr");

    if (!number[0] || !ocr[0] || jint(l, "total_minor") <= 0)
        return PM_OK;
    swish_number_display(number, shown);
    return buf_addf(b, "Swish:               %s, %s %s\n", shown, en ? "message" : "meddelande",
                    ocr);
}

/* The mail's text from the letter's snapshot (app_reminders.c writes it). */
static enum pm_err mail_text(json_t *l, struct buf *b)
{
    bool en = json_is_true(json_object_get(l, "english"));
    int64_t late = jint(l, "late_compensation_minor"), earlier = jint(l, "earlier_charges_minor");
    char total[MONEY_FORMAT_MAX];
    enum pm_err rc;

    money_format(jint(l, "total_minor"), total, sizeof(total));
    if (en)
        rc = buf_addf(b,
                      "Dear %s,\n\n"
                      "According to our records invoice %lld from %s is still unpaid. "
                      "Please pay %s by %s.\n\n",
                      jtext(l, "customer_name"), (long long)jint(l, "invoice_number"),
                      jtext(l, "company_name"), total, jtext(l, "new_due_date"));
    else
        rc = buf_addf(b,
                      "Hej %s,\n\n"
                      "Enligt våra noteringar är faktura %lld från %s ännu inte betald. "
                      "Betala %s senast %s.\n\n",
                      jtext(l, "customer_name"), (long long)jint(l, "invoice_number"),
                      jtext(l, "company_name"), total, jtext(l, "new_due_date"));
    if (!rc)
        rc = buf_addf(b, "%s %lld\n", en ? "Invoice:            " : "Faktura:            ",
                      (long long)jint(l, "invoice_number"));
    if (!rc)
        rc = amount_line(
            b, en ? "Capital:            " : "Kapitalbelopp:      ", jint(l, "capital_minor"));
    if (!rc)
        rc = amount_line(
            b, en ? "Reminder fee:       " : "Påminnelseavgift:   ", jint(l, "fee_minor"));
    if (!rc && late)
        rc = amount_line(b, en ? "Late compensation:  " : "Förseningsersättning:", late);
    if (!rc && earlier)
        rc = amount_line(b, en ? "Earlier charges:    " : "Tidigare avgifter:  ", earlier);
    if (!rc)
        rc = amount_line(
            b, en ? "Interest:           " : "Dröjsmålsränta:     ", jint(l, "interest_minor"));
    if (!rc)
        rc = buf_addf(b, "%s %s\n", en ? "Total to pay:       " : "Att betala:         ", total);
    if (!rc)
        rc = buf_addf(b, "%s %s\n", en ? "New due date:       " : "Ny förfallodag:     ",
                      jtext(l, "new_due_date"));
    if (!rc)
        rc = buf_addf(b, "%s %s\n", en ? "Bankgiro:           " : "Bankgiro:           ",
                      jtext(l, "company_bankgiro"));
    if (!rc)
        rc = buf_addf(b, "%s %s\n",
                      en ? "OCR reference:      " : "OCR-nummer:         ", jtext(l, "ocr"));
    if (!rc)
        rc = swish_line(l, en, b);
    if (!rc)
        rc = buf_addf(b, "\n");
    if (!rc)
        rc = buf_addf(b, "%s\n\n%s\n%s\n",
                      en ? "The reminder is attached as a PDF. If you have already paid, "
                           "please disregard this message."
                         : "Påminnelsen finns som PDF i bilagan. Har du redan betalat kan du "
                           "bortse från detta meddelande.",
                      en ? "Kind regards," : "Med vänliga hälsningar", jtext(l, "company_name"));
    if (!rc && jtext(l, "company_email")[0])
        rc = buf_addf(b, "%s\n", jtext(l, "company_email"));
    if (!rc && jtext(l, "company_phone")[0])
        rc = buf_addf(b, "%s\n", jtext(l, "company_phone"));
    return rc;
}

/* ---- delivery ---- */

struct one_mail {
    const struct app_mail_sender *s;
    const struct mail_row *m;
    bool marked;
};

static bool mark_sent(void *arg)
{
    struct one_mail *om = arg;

    om->marked = store_mail_mark_sent(om->s->store, om->m->company_id, om->m->id, om->s->owner,
                                      clock_now_s(om->s->clock)) == PM_OK;
    return om->marked;
}

/* Build the message of statement mail m into *msg from what was queued:
 * its text and PDF. */
static enum pm_err build_statement(const struct app_mail_sender *s, const struct mail_row *m,
                                   struct buf *msg, char *why, size_t cap)
{
    struct company co;
    struct customer cu;
    struct mail_message mm;
    struct pm_error pe = {0};
    char *body = NULL, name[200];
    void *pdf = NULL;
    size_t pdf_len = 0;
    enum pm_err rc;

    rc = store_company_get(s->store, m->company_id, &co);
    if (!rc)
        rc = store_customer_get(s->store, m->company_id, m->customer_id, &cu);
    if (!rc)
        rc = store_mail_statement_content(s->store, m->company_id, m->id, &body, &pdf, &pdf_len,
                                          name, sizeof(name));
    if (rc) {
        snprintf(why, cap, "the statement cannot be read");
        return rc;
    }
    memset(&mm, 0, sizeof(mm));
    mm.from_name = co.name;
    mm.from_addr = s->from;
    mm.reply_to = mail_address_ok(co.email) ? co.email : NULL;
    mm.to_name = cu.name;
    mm.to_addr = m->recipient;
    mm.subject = m->subject;
    mm.message_id = m->message_id;
    mm.date = clock_now_s(s->clock);
    mm.text = body;
    mm.pdf = pdf;
    mm.pdf_len = pdf_len;
    mm.pdf_name = name;
    rc = mail_build(&mm, msg, &pe);
    if (rc)
        snprintf(why, cap, "the message cannot be built: %s", pe.message);
    free(body);
    free(pdf);
    return rc;
}

/* Build the message of m into *msg; an error names what is wrong. */
static enum pm_err build(const struct app_mail_sender *s, const struct app_ctx *ax,
                         const struct mail_row *m, struct buf *msg, char *why, size_t cap)
{
    struct reminder *rm = malloc(sizeof(*rm));
    struct buf pdf = BUF_INIT, text = BUF_INIT;
    struct app_error ae;
    struct pm_error pe = {0};
    struct mail_message mm;
    char name[64];
    json_t *l = NULL;
    enum pm_err rc;

    if (!rm)
        return PM_ERR_NOMEM;
    if (!strcmp(m->kind, "statement")) {
        free(rm);
        return build_statement(s, m, msg, why, cap);
    }
    rc = store_books_reminder_get(s->store, m->company_id, m->invoice_id, m->reminder_id, rm, NULL,
                                  NULL);
    if (rc) {
        snprintf(why, cap, "the reminder cannot be read");
        goto out_free;
    }
    l = json_loads(rm->letter, 0, NULL);
    app_error_clear(&ae);
    rc = json_is_object(l) ? mail_text(l, &text) : PM_ERR_INVALID;
    if (!rc)
        rc = app_reminders_letter(ax, m->invoice_id, m->reminder_id, &pdf, &ae);
    if (rc) {
        snprintf(why, cap, "the reminder's letter cannot be made");
        goto out_free;
    }
    snprintf(name, sizeof(name), "paminnelse-%lld.pdf", (long long)jint(l, "invoice_number"));
    memset(&mm, 0, sizeof(mm));
    mm.from_name = jtext(l, "company_name");
    mm.from_addr = s->from;
    mm.reply_to = mail_address_ok(jtext(l, "company_email")) ? jtext(l, "company_email") : NULL;
    mm.to_name = jtext(l, "customer_name");
    mm.to_addr = m->recipient;
    mm.subject = m->subject;
    mm.message_id = m->message_id;
    mm.date = clock_now_s(s->clock);
    mm.text = text.data;
    mm.pdf = pdf.data;
    mm.pdf_len = pdf.len;
    mm.pdf_name = name;
    rc = mail_build(&mm, msg, &pe);
    if (rc)
        snprintf(why, cap, "the message cannot be built: %s", pe.message);
out_free:
    json_decref(l);
    buf_release(&text);
    buf_release(&pdf);
    free(rm);
    return rc;
}

struct give_up {
    const struct mail_row *m;
    const char *owner, *answer;
    int64_t now;
};

/* failed, and a history line on the invoice, in one transaction */
static enum pm_err give_up_op(const struct app_ctx *ax, void *arg, struct app_error *e)
{
    struct give_up *g = arg;
    char message[STORE_TEXT_MAX];
    enum pm_err rc;

    rc = store_mail_finish(ax->store, g->m->company_id, g->m->id, g->owner, "failed", 0, g->answer,
                           g->now);
    if (rc)
        return app_store_failed(ax, rc, e);
    if (!g->m->invoice_id)
        return PM_OK; /* a statement: no invoice's history; the mails list shows it */
    snprintf(message, sizeof(message), "E-post kunde inte levereras: %s", g->answer);
    return app_history(ax, g->m->invoice_id, "mail_failed", message,
                       json_pack("{s:I, s:I, s:s, s:s, s:I}", "mail_id", (json_int_t)g->m->id,
                                 "reminder_id", (json_int_t)g->m->reminder_id, "recipient",
                                 g->m->recipient, "answer", g->answer, "attempts",
                                 (json_int_t)g->m->attempts),
                       e);
}

static int64_t backoff(const struct app_mail_sender *s, int64_t attempts)
{
    int64_t d = s->retry_s > 0 ? s->retry_s : APP_MAIL_DEFAULT_RETRY_S;

    while (--attempts > 0 && d < MAX_BACKOFF_S)
        d *= 2;
    return d < MAX_BACKOFF_S ? d : MAX_BACKOFF_S;
}

static void deliver_one(const struct app_mail_sender *s, const struct mail_row *m)
{
    struct app_ctx ax;
    struct app_error ae;
    struct buf msg = BUF_INIT;
    struct one_mail om = {s, m, false};
    struct give_up g = {m, s->owner, NULL, 0};
    char answer[MAIL_ANSWER_MAX];
    enum mail_outcome out;
    bool committed = false;
    int max = s->max_attempts > 0 ? s->max_attempts : APP_MAIL_DEFAULT_MAX_ATTEMPTS;

    memset(&ax, 0, sizeof(ax));
    ax.store = s->store;
    ax.clock = s->clock;
    ax.company_id = m->company_id;
    ax.actor = "mail";
    ax.mail_from = s->from;
    if (build(s, &ax, m, &msg, answer, sizeof(answer))) {
        out = MAIL_REFUSED;
    } else {
        out = mail_smtp_send(s->smtp, s->from, m->recipient, msg.data, msg.len, mark_sent, &om,
                             answer, sizeof(answer), NULL);
        /* the answer to mark_sent's COMMIT, sent before the end of DATA */
        committed = om.marked && store_commit_wait(s->store) == PM_OK;
        if (!om.marked && out == MAIL_SENT)
            out = MAIL_RETRY; /* the lease was lost: another process has it */
    }
    buf_release(&msg);
    g.answer = answer;
    g.now = clock_now_s(s->clock);
    if (out == MAIL_SENT && !committed &&
        store_mail_finish(s->store, m->company_id, m->id, s->owner, "sent", 0, answer, g.now))
        fprintf(stderr, "paminn: mail %lld of company %lld was sent but cannot be recorded: %s\n",
                (long long)m->id, (long long)m->company_id, store_error(s->store)->message);
    if (out == MAIL_SENT)
        return; /* recorded in mark_sent (or just above) */
    if (out == MAIL_RETRY && m->attempts < max) {
        store_mail_finish(s->store, m->company_id, m->id, s->owner, "retry",
                          real_now() + backoff(s, m->attempts), answer, g.now);
        return;
    }
    app_error_clear(&ae);
    if (app_atomic(&ax, give_up_op, &g, &ae))
        fprintf(stderr, "paminn: mail %lld of company %lld: %s\n", (long long)m->id,
                (long long)m->company_id, ae.detail);
}

enum pm_err app_mail_deliver(const struct app_mail_sender *s, size_t *n, struct pm_error *e)
{
    struct mail_row *rows = calloc(APP_MAIL_BATCH, sizeof(*rows));
    int64_t now = real_now();
    int lease = s->lease_s > 0 ? s->lease_s : APP_MAIL_DEFAULT_LEASE_S;
    size_t i;
    enum pm_err rc;

    *n = 0;
    if (!rows)
        return pm_error_set(e, PM_ERR_NOMEM, "", "out of memory");
    rc = store_mail_lease(s->store, s->owner, now, now + lease, rows, APP_MAIL_BATCH, n);
    if (rc)
        pm_error_set(e, rc, "", "leasing mails: %s", store_error(s->store)->message);
    for (i = 0; !rc && i < *n; i++) {
        if (s->stop && atomic_load(s->stop))
            store_mail_release(s->store, rows[i].company_id, rows[i].id, s->owner);
        else
            deliver_one(s, &rows[i]);
    }
    free(rows);
    return rc;
}
