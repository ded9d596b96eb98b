/*
 * app_reminders.c — manual payment reminders and their letters (see
 * app_reminders.h).
 *
 * Part of src/app.  make_reminder() is the one place a reminder is decided
 * and written; the letter's snapshot (letter_json(), read back by
 * letter_of_json()) is what the reminder row keeps of the letter.
 */
#include "app/app_reminders.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_invoices.h"
#include "app/app_letter.h"
#include "app/app_reminder_stops.h"
#include "app/app_rules.h"
#include "core/date.h"
#include "core/idnum.h"
#include "core/money.h"
#include "letter/letter.h"
#include "util/clock.h"

void app_reminders_letter_url(const struct reminder *rm, char *dst, size_t cap)
{
    snprintf(dst, cap, "/api/v1/companies/%lld/invoices/%lld/reminders/%lld/letter.pdf",
             (long long)rm->company_id, (long long)rm->invoice_id, (long long)rm->id);
}

void app_reminders_batch_url(int64_t company_id, int64_t batch_id, char *dst, size_t cap)
{
    snprintf(dst, cap, "/api/v1/companies/%lld/reminders/batches/%lld/letters.pdf",
             (long long)company_id, (long long)batch_id);
}

/* ---- the letter's snapshot ---- */

json_t *app_reminders_periods_json(const struct reminder_rate_period *p, size_t n)
{
    json_t *arr = json_array(), *item;
    size_t i;

    for (i = 0; arr && i < n; i++) {
        item = json_pack("{s:o, s:o, s:i}", "from", app_json_date(p[i].from), "to",
                         app_json_date(p[i].to), "rate_bp", (int)p[i].rate_bp);
        if (!item || json_array_append_new(arr, item)) {
            json_decref(arr);
            arr = NULL;
        }
    }
    return arr;
}

static json_t *letter_json_base(const struct letter_reminder *l);

static json_t *letter_json(const struct letter_reminder *l)
{
    json_t *obj = letter_json_base(l);

    /* the Swish number the letter's QR code pays (absent in snapshots
     * made before it, read back as none) */
    if (obj && json_object_set_new(obj, "company_swish", json_string(l->company_swish))) {
        json_decref(obj);
        obj = NULL;
    }
    return obj;
}

static json_t *letter_json_base(const struct letter_reminder *l)
{
    return json_pack(
        "{s:b, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:o, s:o, s:o,"
        " s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:b, s:o, s:I, s:o, s:s, s:s}",
        "english", l->english, "company_name", l->company_name, "company_org_no", l->company_org_no,
        "company_address", l->company_address, "company_postal", l->company_postal,
        "company_bankgiro", l->company_bankgiro, "company_email", l->company_email, "company_phone",
        l->company_phone, "customer_name", l->customer_name, "customer_address_1",
        l->customer_address_1, "customer_address_2", l->customer_address_2, "customer_postal",
        l->customer_postal, "customer_country", l->customer_country, "invoice_number",
        (json_int_t)l->invoice_number, "invoice_date", app_json_date(l->invoice_date), "due_date",
        app_json_date(l->due_date), "date", app_json_date(l->date), "capital_minor",
        (json_int_t)l->capital_minor, "interest_capital_minor",
        (json_int_t)l->interest_capital_minor, "fee_minor", (json_int_t)l->fee_minor,
        "late_compensation_minor", (json_int_t)l->late_compensation_minor, "earlier_charges_minor",
        (json_int_t)l->earlier_charges_minor, "interest_minor", (json_int_t)l->interest_minor,
        "periods", app_reminders_periods_json(l->periods, l->n_periods), "rate_unknown",
        l->rate_unknown, "rate_unknown_from",
        app_json_date(l->rate_unknown ? l->rate_unknown_from : l->date), "total_minor",
        (json_int_t)l->total_minor, "new_due_date", app_json_date(l->new_due_date), "ocr", l->ocr,
        "intro", l->intro);
}

static void copy_text(json_t *obj, const char *key, char *dst, size_t cap)
{
    const char *s = json_string_value(json_object_get(obj, key));

    snprintf(dst, cap, "%s", s ? s : "");
}

static int32_t get_date(json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    int32_t d = 0;

    if (s)
        date_parse_iso(s, &d);
    return d;
}

static int64_t get_int(json_t *obj, const char *key)
{
    return (int64_t)json_integer_value(json_object_get(obj, key));
}

/* The letter of a stored snapshot (written by letter_json()). */
static enum pm_err letter_of_json(const char *text, struct letter_reminder *l)
{
    json_t *obj = json_loads(text, 0, NULL), *periods, *p;
    size_t i;

    memset(l, 0, sizeof(*l));
    if (!json_is_object(obj) || !json_object_get(obj, "invoice_number")) {
        json_decref(obj);
        return PM_ERR_INVALID;
    }
    l->english = json_is_true(json_object_get(obj, "english"));
    copy_text(obj, "company_name", l->company_name, sizeof(l->company_name));
    copy_text(obj, "company_org_no", l->company_org_no, sizeof(l->company_org_no));
    copy_text(obj, "company_address", l->company_address, sizeof(l->company_address));
    copy_text(obj, "company_postal", l->company_postal, sizeof(l->company_postal));
    copy_text(obj, "company_bankgiro", l->company_bankgiro, sizeof(l->company_bankgiro));
    copy_text(obj, "company_email", l->company_email, sizeof(l->company_email));
    copy_text(obj, "company_phone", l->company_phone, sizeof(l->company_phone));
    copy_text(obj, "company_swish", l->company_swish, sizeof(l->company_swish));
    copy_text(obj, "customer_name", l->customer_name, sizeof(l->customer_name));
    copy_text(obj, "customer_address_1", l->customer_address_1, sizeof(l->customer_address_1));
    copy_text(obj, "customer_address_2", l->customer_address_2, sizeof(l->customer_address_2));
    copy_text(obj, "customer_postal", l->customer_postal, sizeof(l->customer_postal));
    copy_text(obj, "customer_country", l->customer_country, sizeof(l->customer_country));
    copy_text(obj, "ocr", l->ocr, sizeof(l->ocr));
    copy_text(obj, "intro", l->intro, sizeof(l->intro));
    l->invoice_number = get_int(obj, "invoice_number");
    l->invoice_date = get_date(obj, "invoice_date");
    l->due_date = get_date(obj, "due_date");
    l->date = get_date(obj, "date");
    l->capital_minor = get_int(obj, "capital_minor");
    l->interest_capital_minor = get_int(obj, "interest_capital_minor");
    l->fee_minor = get_int(obj, "fee_minor");
    l->late_compensation_minor = get_int(obj, "late_compensation_minor");
    l->earlier_charges_minor = get_int(obj, "earlier_charges_minor");
    l->interest_minor = get_int(obj, "interest_minor");
    l->rate_unknown = json_is_true(json_object_get(obj, "rate_unknown"));
    l->rate_unknown_from = get_date(obj, "rate_unknown_from");
    l->total_minor = get_int(obj, "total_minor");
    l->new_due_date = get_date(obj, "new_due_date");
    periods = json_object_get(obj, "periods");
    json_array_foreach(periods, i, p)
    {
        if (l->n_periods == REMINDER_RATE_PERIODS_MAX)
            break;
        l->periods[l->n_periods].from = get_date(p, "from");
        l->periods[l->n_periods].to = get_date(p, "to");
        l->periods[l->n_periods].rate_bp = (int32_t)get_int(p, "rate_bp");
        l->n_periods++;
    }
    json_decref(obj);
    return PM_OK;
}

/* ---- making a reminder ---- */

static void fill_letter(const struct company *co, const struct customer *cu,
                        const struct invoice *inv, const struct reminder_facts *f,
                        const struct reminder_amounts *a, const char *ocr,
                        struct letter_reminder *l)
{
    memset(l, 0, sizeof(*l));
    app_letter_party(co, cu, l);
    l->invoice_number = inv->number;
    l->invoice_date = inv->invoice_date;
    l->due_date = inv->due_date;
    l->date = f->date;
    l->capital_minor = a->capital_minor;
    /* after part payments the capital changed within the period */
    l->interest_capital_minor = f->n_changes ? 0 : f->capital_minor;
    l->fee_minor = a->fee_minor;
    l->late_compensation_minor = a->late_compensation_minor;
    l->earlier_charges_minor = a->earlier_charges_minor;
    l->interest_minor = a->interest_minor;
    memcpy(l->periods, a->periods, sizeof(l->periods));
    l->n_periods = a->n_periods;
    l->rate_unknown = a->interest.rate_unknown;
    l->rate_unknown_from = a->interest.unknown_from;
    l->total_minor = a->total_due_minor;
    l->new_due_date = a->new_due_date;
    snprintf(l->ocr, sizeof(l->ocr), "%s", ocr);
}

/* The reminder refusals, decided before anything is written. */
static enum pm_err check_invoice(const struct invoice *inv, struct app_error *e)
{
    if (amili_state_with_agency(inv->agency_state))
        return app_error_set(e, PM_ERR_CONFLICT, "handed_over", "invoice_id");
    if (inv->state != INVOICE_STATE_OPEN || inv->remaining_minor <= 0)
        return app_error_set(e, PM_ERR_RANGE, "nothing_left", "invoice_id");
    if (strcmp(inv->currency, "SEK") != 0)
        return app_error_set(e, PM_ERR_INVALID, "invalid_value", "currency");
    return PM_OK;
}

/* The facts of the reminder: payments as capital changes into ch[]. */
static enum pm_err gather(const struct app_ctx *ax, const struct invoice *inv,
                          const struct invoice_books *ib, int32_t date, struct capital_change **ch,
                          struct reminder_facts *f, const struct customer *cu,
                          const struct interest_pause *pauses, size_t n_pauses, struct app_error *e)
{
    size_t k = 0;
    enum pm_err rc;

    rc = app_invoices_capital_changes(ax, inv, ch, &k, e);
    if (rc)
        return rc;
    memset(f, 0, sizeof(*f));
    f->date = date;
    f->due_date = inv->due_date;
    f->capital_minor = inv->customer_part_minor;
    f->remaining_minor = inv->remaining_minor;
    f->changes = *ch;
    f->n_changes = k;
    /* Agreed when the invoice was issued, not the company's setting today. */
    f->fee_agreed = inv->reminder_fee_agreed_minor > 0;
    f->fee_agreed_minor = inv->reminder_fee_agreed_minor;
    f->fees_charged_before = ib->fee_charged_minor > 0;
    f->debtor_is_business = cu->is_company;
    f->compensation_claimed = ib->compensation_charged_minor > 0;
    f->charges_unpaid_minor =
        ib->fee_charged_minor + ib->compensation_charged_minor - ib->fees_paid_minor;
    f->interest_paid_minor = ib->interest_paid_minor;
    f->due_days = ax->company->reminder_due_days > 0 ? ax->company->reminder_due_days : 10;
    f->made = ax->today;
    f->pauses = pauses;
    f->n_pauses = n_pauses;
    return PM_OK;
}

static enum pm_err add_reminder_event(const struct app_ctx *ax, const struct reminder *rm,
                                      const struct reminder_amounts *a, const char *message,
                                      struct app_error *e)
{
    char url[160];

    app_reminders_letter_url(rm, url, sizeof(url));
    return app_history(
        ax, rm->invoice_id, "reminder", message,
        json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:b, s:s, s:i, s:o, s:s}", "reminder_id",
                  (json_int_t)rm->id, "fee_minor", (json_int_t)rm->fee_minor, "interest_minor",
                  (json_int_t)rm->interest_minor, "late_compensation_minor",
                  (json_int_t)rm->late_compensation_minor, "capital_minor",
                  (json_int_t)a->capital_minor, "total_due_minor", (json_int_t)rm->total_due_minor,
                  "new_due_date", app_json_date(rm->new_due_date), "new_due_date_moved",
                  a->new_due_date_moved, "ocr", rm->ocr, "interest_rate_bp", rm->interest_rate_bp,
                  "batch_id", rm->batch_id ? json_integer(rm->batch_id) : json_null(), "letter_url",
                  url),
        e);
}

/* Make and store one reminder of invoice_id dated `date`.  With store_pdf
 * the letter is rendered and stored; *letter (when not NULL) gets it for
 * a batch's merged PDF. */
static enum pm_err make_reminder(const struct app_ctx *ax, int64_t invoice_id, int32_t date,
                                 const struct app_reminder_opts *o, struct reminder *out,
                                 struct reminder_amounts *amounts, struct letter_reminder *letter,
                                 struct app_error *e)
{
    int64_t batch_id = o->batch_id;
    bool store_pdf = o->store_pdf;
    const char *intro;
    struct invoice inv;
    struct customer cu;
    struct invoice_books ib;
    struct app_invoice_stops stops;
    struct interest_pause pauses[2];
    size_t n_pauses;
    struct reminder_facts f;
    struct reminder_amounts a;
    struct letter_reminder l;
    struct capital_change *ch = NULL;
    struct rate_table rates;
    struct pm_error pe = {0};
    struct buf pdf = BUF_INIT;
    char base[24], ocr[32], *text = NULL, message[STORE_TEXT_MAX], money[MONEY_FORMAT_MAX];
    json_t *snap = NULL;
    enum pm_err rc;

    rc = store_invoice_get(ax->store, ax->company_id, invoice_id, &inv);
    if (rc == PM_ERR_NOT_FOUND)
        return app_error_set(e, rc, "not_found", "invoice_id");
    if (rc)
        return app_store_failed(ax, rc, e);
    rc = check_invoice(&inv, e);
    if (!rc)
        rc = app_reminder_stops_of(ax, &inv, &stops, e);
    if (rc)
        return rc;
    if (stops.today.stopped)
        return app_reminder_stop_refuse(&stops.today, e);
    n_pauses = reminder_stop_pauses(&stops.inv, &stops.cust, date, pauses);
    rc = store_customer_get(ax->store, ax->company_id, inv.customer_id, &cu);
    if (!rc)
        rc = store_books_invoice_get(ax->store, ax->company_id, invoice_id, &ib);
    if (rc)
        return app_error_set(e, rc, NULL, NULL);
    rc = gather(ax, &inv, &ib, date, &ch, &f, &cu, pauses, n_pauses, e);
    if (rc)
        goto out_free;
    if (!o->allow_fee) {
        /* a level without a fee charges neither fee nor compensation */
        f.fee_agreed = false;
        f.fee_agreed_minor = 0;
        f.compensation_claimed = true;
    }
    rc = app_rules_rates(ax, &rates, e);
    if (rc)
        goto out_free;
    rc = reminder_compute(&rates, &f, &a, &pe);
    rate_table_release(&rates);
    if (rc) {
        app_error_set(e, rc,
                      !strcmp(pe.field, "date")              ? "not_overdue"
                      : !strcmp(pe.field, "remaining_minor") ? "nothing_left"
                                                             : "out_of_range",
                      !strcmp(pe.field, "date") ? "date" : "invoice_id");
        app_error_detail(e, "%s", pe.message);
        goto out_free;
    }
    snprintf(base, sizeof(base), "%lld", (long long)inv.number);
    rc = ocr_make(base, true, ocr, sizeof(ocr));
    if (rc) {
        app_error_set(e, PM_ERR_INTERNAL, "internal_error", NULL);
        goto out_free;
    }
    fill_letter(ax->company, &cu, &inv, &f, &a, ocr, &l);
    intro = l.english ? o->intro_en : o->intro_sv;
    if (intro)
        snprintf(l.intro, sizeof(l.intro), "%s", intro);
    snap = letter_json(&l);
    text = snap ? json_dumps(snap, JSON_COMPACT) : NULL;
    if (!text || strlen(text) >= sizeof(out->letter)) {
        rc = app_error_set(e, PM_ERR_NOMEM, "internal_error", NULL);
        goto out_free;
    }
    if (store_pdf) {
        rc = letter_reminders_pdf(&l, 1, NULL, &pdf, &pe);
        if (rc) {
            app_error_set(e, PM_ERR_INTERNAL, "internal_error", NULL);
            app_error_detail(e, "letter: %s", pe.message);
            goto out_free;
        }
    }
    memset(out, 0, sizeof(*out));
    out->company_id = ax->company_id;
    out->invoice_id = invoice_id;
    out->batch_id = batch_id;
    out->level = o->level;
    out->date = date;
    out->fee_minor = a.fee_minor;
    out->late_compensation_minor = a.late_compensation_minor;
    out->interest_minor = a.interest_minor;
    out->interest_rate_bp = a.interest.last_rate_bp;
    out->period_from = a.interest.days > 0 ? a.interest.first_day : 0;
    out->period_to = a.interest.days > 0
                         ? a.interest.first_day + a.interest.days + a.interest.paused_days - 1
                         : 0;
    out->earlier_charges_minor = a.earlier_charges_minor;
    out->total_due_minor = a.total_due_minor;
    out->new_due_date = a.new_due_date;
    snprintf(out->ocr, sizeof(out->ocr), "%s", ocr);
    snprintf(out->letter, sizeof(out->letter), "%s", text);
    out->created_at = clock_now_s(ax->clock);
    rc = store_books_reminder_insert(ax->store, out, store_pdf ? pdf.data : NULL, pdf.len);
    if (rc) {
        app_error_set(e, rc, NULL, NULL);
        goto out_free;
    }
    ib.fee_charged_minor += a.fee_minor;
    ib.compensation_charged_minor += a.late_compensation_minor;
    if (a.interest.amount_minor > ib.interest_charged_minor)
        ib.interest_charged_minor = a.interest.amount_minor;
    rc = store_books_invoice_put(ax->store, &ib);
    if (rc) {
        app_error_set(e, rc, NULL, NULL);
        goto out_free;
    }
    money_format(a.total_due_minor, money, sizeof(money));
    snprintf(message, sizeof(message), "Påminnelse skapad (PDF-brev): att betala %s senast %.10s%s",
             money, json_string_value(json_object_get(snap, "new_due_date")),
             a.new_due_date_moved ? " (sista dag flyttad till 8 dagar efter att brevet skapades)"
                                  : "");
    rc = add_reminder_event(ax, out, &a, message, e);
    if (!rc && letter)
        *letter = l;
    if (!rc)
        *amounts = a;
out_free:
    json_decref(snap);
    free(text);
    free(ch);
    buf_release(&pdf);
    return rc;
}

/* Reminders are only ever dated up to today, and never in the locked
 * period of the books. */
static enum pm_err check_date(const struct app_ctx *ax, int32_t date, struct app_error *e)
{
    if (date > ax->today)
        return app_error_set(e, PM_ERR_RANGE, "out_of_range", "date");
    return app_books_open(ax, date, "date", e);
}

enum pm_err app_reminders_create(const struct app_ctx *ax, int64_t invoice_id, int32_t date,
                                 struct reminder *out, struct reminder_amounts *amounts,
                                 struct app_error *e)
{
    static const struct app_reminder_opts manual = {.allow_fee = true, .store_pdf = true};
    enum pm_err rc = check_date(ax, date, e);

    if (!rc)
        rc = make_reminder(ax, invoice_id, date, &manual, out, amounts, NULL, e);
    return rc;
}

enum pm_err app_reminders_make(const struct app_ctx *ax, int64_t invoice_id, int32_t date,
                               const struct app_reminder_opts *o, struct reminder *out,
                               struct reminder_amounts *amounts, struct app_error *e)
{
    enum pm_err rc = check_date(ax, date, e);

    if (!rc)
        rc = make_reminder(ax, invoice_id, date, o, out, amounts, NULL, e);
    return rc;
}

static bool seen_before(const int64_t *ids, size_t i)
{
    size_t k;

    for (k = 0; k < i; k++) {
        if (ids[k] == ids[i])
            return true;
    }
    return false;
}

/* Failures that stop a whole batch rather than refuse one invoice. */
static bool fatal(enum pm_err rc)
{
    return rc == PM_ERR_NOMEM || rc == PM_ERR_DB || rc == PM_ERR_IO || rc == PM_ERR_BUSY ||
           rc == PM_ERR_INTERNAL;
}

enum pm_err app_reminders_bulk(const struct app_ctx *ax, const int64_t *ids, size_t n, int32_t date,
                               app_reminder_each each, void *arg, struct app_reminder_batch *out,
                               struct app_error *e)
{
    struct reminder_batch batch;
    struct reminder *rm = NULL;
    struct reminder_amounts a;
    struct letter_reminder *letters = NULL;
    struct app_error one;
    struct pm_error pe = {0};
    struct buf pdf = BUF_INIT;
    size_t i, made = 0;
    enum pm_err rc;

    memset(out, 0, sizeof(*out));
    rc = check_date(ax, date, e);
    if (rc)
        return rc;
    rm = malloc(sizeof(*rm));
    letters = calloc(n, sizeof(*letters));
    if (!rm || !letters) {
        rc = app_error_set(e, PM_ERR_NOMEM, "internal_error", NULL);
        goto out_free;
    }
    memset(&batch, 0, sizeof(batch));
    batch.company_id = ax->company_id;
    batch.total = (int64_t)n;
    batch.created_at = clock_now_s(ax->clock);
    rc = store_books_reminder_batch_insert(ax->store, &batch);
    if (rc) {
        app_store_failed(ax, rc, e);
        goto out_free;
    }
    for (i = 0; i < n; i++) {
        app_error_clear(&one);
        if (seen_before(ids, i))
            app_error_set(&one, PM_ERR_CONFLICT, "conflict", "invoice_ids");
        else
            rc = make_reminder(ax, ids[i], date,
                               &(struct app_reminder_opts){.allow_fee = true, .batch_id = batch.id},
                               rm, &a, &letters[made], &one);
        if (rc && fatal(rc)) {
            *e = one;
            goto out_free;
        }
        if (!one.rc) {
            rc = each(arg, ids[i], rm, &a, &one);
            made++;
        } else {
            rc = each(arg, ids[i], NULL, NULL, &one);
        }
        if (rc) {
            app_error_set(e, rc, "internal_error", NULL);
            goto out_free;
        }
    }
    if (made > 0) {
        rc = letter_reminders_pdf(letters, made, NULL, &pdf, &pe);
        if (rc) {
            app_error_set(e, PM_ERR_INTERNAL, "internal_error", NULL);
            app_error_detail(e, "letters: %s", pe.message);
            goto out_free;
        }
        rc = store_books_reminder_batch_put_pdf(ax->store, ax->company_id, batch.id, pdf.data,
                                                pdf.len);
        if (rc) {
            app_store_failed(ax, rc, e);
            goto out_free;
        }
    }
    out->batch_id = batch.id;
    out->total = n;
    out->created = made;
out_free:
    buf_release(&pdf);
    free(letters);
    free(rm);
    return rc;
}

enum pm_err app_reminders_letter(const struct app_ctx *ax, int64_t invoice_id, int64_t reminder_id,
                                 struct buf *pdf, struct app_error *e)
{
    struct reminder *rm = malloc(sizeof(*rm));
    struct letter_reminder l;
    struct pm_error pe = {0};
    void *stored = NULL;
    size_t len = 0;
    enum pm_err rc;

    if (!rm)
        return app_error_set(e, PM_ERR_NOMEM, "internal_error", NULL);
    rc = store_books_reminder_get(ax->store, ax->company_id, invoice_id, reminder_id, rm, &stored,
                                  &len);
    if (rc) {
        app_store_failed(ax, rc, e);
        if (rc == PM_ERR_NOT_FOUND)
            app_error_set(e, rc, "reminder_not_found", "rid");
        goto out_free;
    }
    if (stored) {
        rc = buf_add(pdf, stored, len);
    } else {
        /* made in a batch: printed again from its snapshot */
        rc = letter_of_json(rm->letter, &l);
        if (!rc)
            rc = letter_reminders_pdf(&l, 1, NULL, pdf, &pe);
    }
    if (rc) {
        app_error_set(e, PM_ERR_INTERNAL, "internal_error", NULL);
        app_error_detail(e, "letter of reminder %lld: %s", (long long)rm->id, pe.message);
    }
out_free:
    free(stored);
    free(rm);
    return rc;
}

enum pm_err app_reminders_batch_letters(const struct app_ctx *ax, int64_t batch_id, struct buf *pdf,
                                        struct app_error *e)
{
    struct reminder_batch batch;
    void *stored = NULL;
    size_t len = 0;
    enum pm_err rc;

    rc = store_books_reminder_batch_get(ax->store, ax->company_id, batch_id, &batch, &stored, &len);
    if (rc == PM_ERR_NOT_FOUND || (!rc && !stored))
        return app_error_set(e, PM_ERR_NOT_FOUND, "batch_not_found", "batch_id");
    if (rc)
        return app_store_failed(ax, rc, e);
    rc = buf_add(pdf, stored, len);
    free(stored);
    if (rc)
        return app_error_set(e, PM_ERR_NOMEM, "internal_error", NULL);
    return PM_OK;
}

enum pm_err app_reminders_batch_new(const struct app_ctx *ax, int64_t total, int64_t *batch_id,
                                    struct app_error *e)
{
    struct reminder_batch batch;
    enum pm_err rc;

    memset(&batch, 0, sizeof(batch));
    batch.company_id = ax->company_id;
    batch.total = total;
    batch.created_at = clock_now_s(ax->clock);
    rc = store_books_reminder_batch_insert(ax->store, &batch);
    if (rc)
        return app_store_failed(ax, rc, e);
    *batch_id = batch.id;
    return PM_OK;
}

#define PRINT_PAGE 256

/* The letters of the batch's reminders, read a page at a time. */
static enum pm_err batch_letters(const struct app_ctx *ax, int64_t batch_id,
                                 struct letter_reminder **out, size_t *n, struct app_error *e)
{
    struct reminder *page = malloc(PRINT_PAGE * sizeof(*page));
    struct letter_reminder *letters = NULL, *grown;
    size_t got = 0, cap = 0, i;
    int64_t after = 0;
    enum pm_err rc = page ? PM_OK : PM_ERR_NOMEM;

    *n = 0;
    while (!rc) {
        rc = store_books_reminder_list_batch(ax->store, ax->company_id, batch_id, after, page,
                                             PRINT_PAGE, &got);
        if (rc || got == 0)
            break;
        if (*n + got > cap) {
            cap = (*n + got) * 2;
            grown = realloc(letters, cap * sizeof(*letters));
            if (!grown) {
                rc = PM_ERR_NOMEM;
                break;
            }
            letters = grown;
        }
        for (i = 0; !rc && i < got; i++)
            rc = letter_of_json(page[i].letter, &letters[(*n)++]);
        after = page[got - 1].id;
        if (got < PRINT_PAGE)
            break;
    }
    free(page);
    if (rc) {
        free(letters);
        *n = 0;
        return rc == PM_ERR_NOMEM ? app_error_set(e, rc, "internal_error", NULL)
                                  : app_store_failed(ax, rc, e);
    }
    *out = letters;
    return PM_OK;
}

enum pm_err app_reminders_batch_print(const struct app_ctx *ax, int64_t batch_id,
                                      struct app_error *e)
{
    struct letter_reminder *letters = NULL;
    struct pm_error pe = {0};
    struct buf pdf = BUF_INIT;
    size_t n = 0;
    enum pm_err rc;

    rc = batch_letters(ax, batch_id, &letters, &n, e);
    if (rc || n == 0)
        goto out_free;
    rc = letter_reminders_pdf(letters, n, NULL, &pdf, &pe);
    if (rc) {
        app_error_set(e, PM_ERR_INTERNAL, "internal_error", NULL);
        app_error_detail(e, "letters: %s", pe.message);
        goto out_free;
    }
    rc = store_books_reminder_batch_put_pdf(ax->store, ax->company_id, batch_id, pdf.data, pdf.len);
    if (rc)
        app_store_failed(ax, rc, e);
out_free:
    buf_release(&pdf);
    free(letters);
    return rc;
}
