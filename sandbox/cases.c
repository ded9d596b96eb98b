/*
 * cases.c — case registrations and the simulated collection process.
 *
 * POST /case--registrations validates a hand-over (422 naming each field,
 * 409 when creditor + invoice number already has a case) and creates one
 * case per debt with an OCR reference.  A case then follows the sandbox
 * clock: initializing (not yet due) -> reminder (60 kr) -> 12 days later
 * debt_collection (180 kr; B2B: topped up to the 450 kr late-payment
 * compensation) -> 30 days later enforcement (debtor with an id number) or
 * surveillance; it closes as paid, credited or cancelled.  Disputes pause
 * it; an instalment plan (170 kr) pauses escalation and pays itself monthly.
 * Interest (reference rate + 8 pp, core/interest.c) runs on the remaining
 * capital from the due date and is computed when a case is read.
 *
 * Internal state lives in the case document under "__" (öre and day
 * numbers); sb_list_render() drops it and sb_cases_render() adds the
 * amounts.  Debtor money is allocated creditor outlays -> agency fees ->
 * interest -> capital, and booked in the ledger for payouts.
 */
#include "sandbox.h"

#include <string.h>

#include "core/date.h"
#include "core/fees.h"
#include "core/idnum.h"
#include "core/money.h"

#define REMINDER_TO_COLLECTION_DAYS 12
#define COLLECTION_TO_NEXT_DAYS     30
#define RESIDUAL_PURSUED_MINOR      10000 /* residual fees + interest below 100 kr are written off */
#define PLAN_MONTHS_MAX             36

/* ---- small helpers over the "__" object ---------------------------------- */

static int64_t geti(const json_t *o, const char *k)
{
    return (int64_t)json_integer_value(json_object_get(o, k));
}

static void seti(json_t *o, const char *k, int64_t v)
{
    json_object_set_new(o, k, json_integer((json_int_t)v));
}

static void addi(json_t *o, const char *k, int64_t v)
{
    seti(o, k, geti(o, k) + v);
}

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

static int64_t now_s(const struct sb_ctx *ctx)
{
    return clock_now_s(&ctx->clock);
}

/* Interest accrued from the due date up to `day` (frozen at closing). */
static int64_t accrued(struct sb_ctx *ctx, const json_t *in, int32_t day, bool *estimated)
{
    json_t *ch = json_object_get(in, "changes");
    size_t n = json_array_size(ch);
    struct capital_change *arr = calloc(n ? n : 1, sizeof(*arr));
    struct interest_result res;
    int32_t closed = (int32_t)geti(in, "closed_day");
    enum pm_err rc;

    if (!arr)
        return 0;
    if (closed && closed < day)
        day = closed;
    for (size_t i = 0; i < n; i++) {
        json_t *c = json_array_get(ch, i);

        arr[i].date = (int32_t)json_integer_value(json_array_get(c, 0));
        arr[i].amount_minor = (int64_t)json_integer_value(json_array_get(c, 1));
    }
    rc = interest_compute(&ctx->rates, geti(in, "cap0"), (int32_t)geti(in, "due"), day, arr, n,
                          &res);
    free(arr);
    if (rc)
        return 0;
    if (res.rate_unknown) {
        if (estimated)
            *estimated = true;
        return res.estimate_minor;
    }
    return res.amount_minor;
}

static int64_t interest_left(struct sb_ctx *ctx, const json_t *in, int32_t day)
{
    int64_t v = accrued(ctx, in, day, NULL) - geti(in, "int_paid") - geti(in, "int_off");

    return v > 0 ? v : 0;
}

static int64_t total_left(struct sb_ctx *ctx, const json_t *in, int32_t day)
{
    return geti(in, "cap") + geti(in, "fees") + geti(in, "out") + interest_left(ctx, in, day);
}

static void push_state(json_t *body, const char *state, int64_t at_s)
{
    char d[SB_RFC1123_LEN];

    sb_fmt_rfc1123(at_s, d);
    json_object_set_new(body, "state", json_string(state));
    json_array_append_new(json_object_get(body, "state_history"),
                          json_pack("{s:s, s:s}", "state", state, "state_date", d));
    json_object_set_new(body, "latest_state_date", json_string(d));
}

static void push_status(json_t *body, const char *status, int64_t at_s)
{
    char d[SB_RFC1123_LEN];

    sb_fmt_rfc1123(at_s, d);
    json_object_set_new(body, "status", json_string(status));
    json_array_append_new(json_object_get(body, "status_history"),
                          json_pack("{s:s, s:s}", "status", status, "status_date", d));
}

static void add_fee(json_t *in, int64_t ore)
{
    addi(in, "fees_add", ore);
    addi(in, "fees", ore);
}

/* A creditor outlay (paid out to the creditor when collected). */
static void add_outlay(json_t *in, const char *article, int64_t ore)
{
    json_t *outs = json_object_get(in, "outlays");
    json_t *o = json_object_get(outs, article);

    if (!o) {
        o = json_object();
        json_object_set_new(outs, article, o);
    }
    addi(o, "add", ore);
    addi(o, "rem", ore);
    addi(in, "out_add", ore);
    addi(in, "out", ore);
}

static void start_reminder(json_t *body, json_t *in, int32_t day, int64_t at_s)
{
    push_state(body, "reminder", at_s);
    push_status(body, "reminder_sent", at_s);
    /* One reminder fee per debt: none when the creditor already claimed one. */
    if (!json_object_get(json_object_get(in, "outlays"), "reminder"))
        add_fee(in, FEES_REMINDER_MAX_MINOR);
    seti(in, "reminder_day", day);
    seti(in, "next", day + REMINDER_TO_COLLECTION_DAYS);
}

static void start_collection(json_t *body, json_t *in, int32_t day, int64_t at_s)
{
    int64_t charged;

    push_state(body, "debt_collection", at_s);
    push_status(body, "debt_collection_active", at_s);
    add_fee(in, FEES_COLLECTION_MAX_MINOR);
    /* B2B: the 450 kr compensation replaces the fees up to 450 kr, so the
     * debtor's costs become max(450, fees); the top-up is the creditor's. */
    charged = geti(in, "fees_add") + geti(in, "out_add");
    if (geti(in, "company") && charged < FEES_LATE_COMPENSATION_MINOR)
        add_outlay(in, "late_payment_fee", FEES_LATE_COMPENSATION_MINOR - charged);
    seti(in, "collection_day", day);
    seti(in, "next", day + COLLECTION_TO_NEXT_DAYS);
}

static void escalate(json_t *body, json_t *in, int32_t day, int64_t at_s)
{
    const char *state = sb_fmt_str(body, "state");

    if (strcmp(state, "initializing") == 0) {
        if (strcmp(sb_fmt_str(in, "first"), "debt_collection") == 0)
            start_collection(body, in, day, at_s);
        else
            start_reminder(body, in, day, at_s);
    } else if (strcmp(state, "reminder") == 0) {
        start_collection(body, in, day, at_s);
    } else if (strcmp(state, "debt_collection") == 0) {
        bool kfm = geti(in, "has_id") != 0;

        push_state(body, kfm ? "enforcement" : "surveillance", at_s);
        push_status(body, kfm ? "enforcement_applied" : "surveillance_active", at_s);
        seti(in, "next", 0);
    } else {
        seti(in, "next", 0);
    }
}

/* Close a case: whatever is still owed is no longer pursued. */
static void close_case(struct sb_ctx *ctx, json_t *body, json_t *in, const char *status,
                       int32_t day, int64_t at_s)
{
    json_t *outs = json_object_get(in, "outlays"), *o;
    const char *k;

    addi(in, "int_off", interest_left(ctx, in, day));
    addi(in, "cap_off", geti(in, "cap"));
    seti(in, "cap", 0);
    seti(in, "fees", 0);
    seti(in, "out", 0);
    json_object_foreach(outs, k, o)
    {
        seti(o, "rem", 0);
    }
    seti(in, "closed_day", day);
    seti(in, "next", 0);
    seti(in, "paused", 0);
    seti(in, "plan_months", 0);
    push_state(body, "closed", at_s);
    push_status(body, status, at_s);
    json_object_set_new(body, "closed", json_true());
}

static bool is_closed(const json_t *body)
{
    return json_is_true(json_object_get(body, "closed"));
}

static const char *commission_article(const json_t *body)
{
    const char *state = sb_fmt_str(body, "state");

    return strcmp(state, "reminder") == 0 || strcmp(state, "initializing") == 0 ? "reminder"
                                                                                : "debt_collection";
}

/* Debtor money received by the agency on `day`: outlays -> fees ->
 * interest -> capital.  amount <= total_left(day). */
static enum pm_err debtor_money(struct sb_ctx *ctx, struct sb_doc *d, int32_t day, int64_t amount,
                                int64_t at_s)
{
    json_t *body = d->body, *in = json_object_get(body, "__");
    json_t *outs = json_object_get(in, "outlays"), *o;
    struct sb_ledger l;
    const char *k;
    int64_t left = amount, take;
    enum pm_err rc = PM_OK;

    memset(&l, 0, sizeof(l));
    snprintf(l.case_id, sizeof(l.case_id), "%s", d->id);
    snprintf(l.creditor, sizeof(l.creditor), "%s", sb_fmt_str(body, "creditor"));
    snprintf(l.kind, sizeof(l.kind), "debtor_payment");
    l.day = day;
    json_object_foreach(outs, k, o)
    {
        struct sb_ledger lo = l;

        take = min64(geti(o, "rem"), left);
        if (take <= 0)
            continue;
        addi(o, "rem", -take);
        addi(in, "out", -take);
        left -= take;
        snprintf(lo.article, sizeof(lo.article), "%s", k);
        lo.outlay = take;
        rc = sb_store_ledger_add(ctx, &lo);
        if (rc)
            return rc;
    }
    take = min64(geti(in, "fees"), left);
    addi(in, "fees", -take);
    l.fees = take;
    left -= take;
    take = min64(interest_left(ctx, in, day), left);
    addi(in, "int_paid", take);
    l.interest = take;
    left -= take;
    take = min64(geti(in, "cap"), left);
    if (take > 0) {
        addi(in, "cap", -take);
        json_array_append_new(json_object_get(in, "changes"),
                              json_pack("[i, I]", (int)day, (json_int_t)-take));
    }
    l.capital = take;
    left -= take;
    addi(in, "paid", amount - left);
    snprintf(l.article, sizeof(l.article), "%s", commission_article(body));
    if (l.capital || l.interest || l.fees)
        rc = sb_store_ledger_add(ctx, &l);
    if (!rc && total_left(ctx, in, day) == 0)
        close_case(ctx, body, in, "paid", day, at_s);
    return rc;
}

/* Run one case's process up to `today`; *changed when anything happened. */
static enum pm_err process(struct sb_ctx *ctx, struct sb_doc *d, int32_t today, bool *changed)
{
    json_t *body = d->body, *in = json_object_get(body, "__");
    enum pm_err rc = PM_OK;

    *changed = false;
    while (!is_closed(body) && !geti(in, "paused")) {
        int32_t next = (int32_t)geti(in, "next"), inst = 0;
        int months = (int)geti(in, "plan_months"), done = (int)geti(in, "plan_done");

        if (months > 0 && done < months &&
            date_add_months((int32_t)geti(in, "plan_start"), done + 1, &inst) == PM_OK &&
            inst <= today) {
            int64_t owed = total_left(ctx, in, inst);
            int64_t pay = done + 1 == months ? owed : min64(geti(in, "plan_amount"), owed);

            seti(in, "plan_done", done + 1);
            if (pay > 0)
                rc = debtor_money(ctx, d, inst, pay, (int64_t)inst * 86400);
            *changed = true;
            if (rc)
                break;
            continue;
        }
        if (months > 0 || next == 0 || next > today)
            break;
        escalate(body, in, next, (int64_t)next * 86400);
        *changed = true;
    }
    return rc;
}

enum pm_err sb_cases_run(struct sb_ctx *ctx, int *changed)
{
    struct sb_doc *docs = NULL;
    size_t n = 0;
    int32_t today = sb_control_today(ctx);
    int count = 0;
    enum pm_err rc = sb_store_doc_list(ctx, "case", NULL, &docs, &n);

    if (rc)
        return rc;
    for (size_t i = 0; i < n && !rc; i++) {
        bool ch = false;

        if (is_closed(docs[i].body))
            continue;
        rc = process(ctx, &docs[i], today, &ch);
        if (!rc && ch) {
            rc = sb_store_doc_put(ctx, &docs[i]);
            count++;
        }
    }
    for (size_t i = 0; i < n; i++)
        sb_doc_release(&docs[i]);
    free(docs);
    if (!rc)
        rc = sb_store_meta_set(ctx, "processed_day", today);
    if (changed)
        *changed = count;
    return rc;
}

enum pm_err sb_cases_catch_up(struct sb_ctx *ctx)
{
    int64_t done = 0;
    enum pm_err rc = sb_store_meta_get(ctx, "processed_day", 0, &done);

    if (rc || done >= sb_control_today(ctx))
        return rc;
    return sb_cases_run(ctx, NULL);
}

void sb_cases_render(struct sb_ctx *ctx, const struct sb_doc *d, json_t *out)
{
    const json_t *in = json_object_get(d->body, "__");
    int32_t today = sb_control_today(ctx);
    bool estimated = false;
    int64_t acc = accrued(ctx, in, today, &estimated);
    int64_t ileft = interest_left(ctx, in, today);
    int64_t costs_left = geti(in, "fees") + geti(in, "out");

    json_object_set_new(out, "local_added_capital_amount", sb_fmt_money(geti(in, "cap0")));
    json_object_set_new(out, "local_added_costs_amount",
                        sb_fmt_money(geti(in, "fees_add") + geti(in, "out_add")));
    json_object_set_new(out, "local_added_interest_amount", sb_fmt_money(acc));
    json_object_set_new(out, "local_added_transaction_amount", sb_fmt_money(geti(in, "paid")));
    json_object_set_new(out, "local_remaining_capital_amount", sb_fmt_money(geti(in, "cap")));
    json_object_set_new(out, "local_remaining_costs_amount", sb_fmt_money(costs_left));
    json_object_set_new(out, "local_remaining_interest_amount", sb_fmt_money(ileft));
    json_object_set_new(out, "local_remaining_transaction_amount",
                        sb_fmt_money(geti(in, "cap") + costs_left + ileft));
    if (estimated)
        json_object_set_new(out, "interest_estimated", json_true());
}

/* ---- registration ------------------------------------------------------- */

static const char *const REG_FIELDS[] = {
    "account", "creditor", "first_action", "currency", "customer", "debts", NULL};

static bool phone_ok(const char *s)
{
    size_t n = 0;

    if (!s || *s != '+')
        return false;
    for (s++; *s; s++, n++)
        if (*s < '0' || *s > '9')
            return false;
    return n >= 7 && n <= 15;
}

static bool country_ok(const char *s)
{
    return s && strlen(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z';
}

static void check_customer(json_t *cu, int32_t today, json_t *issues, struct idnum *id,
                           bool *has_id)
{
    json_t *addr = json_object_get(cu, "address"), *v;
    const char *country = sb_fmt_nonempty(addr, "country"), *s;
    static const char *const ADDR[] = {"address_line_1", "zip_code", "city", "country"};
    char path[64];

    *has_id = false;
    if (!json_is_object(cu)) {
        sb_fmt_issue(issues, "customer", "required");
        return;
    }
    s = sb_fmt_nonempty(cu, "name");
    if (!s || strlen(s) > 200)
        sb_fmt_issue(issues, "customer.name", "required");
    if (!json_is_object(addr)) {
        sb_fmt_issue(issues, "customer.address", "required");
    } else {
        for (size_t i = 0; i < 4; i++) {
            snprintf(path, sizeof(path), "customer.address.%s", ADDR[i]);
            if (!sb_fmt_nonempty(addr, ADDR[i]))
                sb_fmt_issue(issues, path, "required");
        }
        if (country && !country_ok(country))
            sb_fmt_issue(issues, "customer.address.country", "must be an ISO 3166 alpha-2 code");
    }
    v = json_object_get(cu, "is_company");
    if (v && !json_is_boolean(v))
        sb_fmt_issue(issues, "customer.is_company", "must be a boolean");
    s = sb_fmt_str(cu, "id_number");
    if (json_object_get(cu, "id_number") && !json_is_string(json_object_get(cu, "id_number")) &&
        !json_is_null(json_object_get(cu, "id_number"))) {
        sb_fmt_issue(issues, "customer.id_number", "must be a string");
    } else if (s && *s) {
        if (idnum_parse(s, today, id))
            sb_fmt_issue(issues, "customer.id_number",
                         "invalid: personnummer YYYYMMDDNNNN or organisationsnummer NNNNNNNNNN "
                         "with a valid check digit");
        else
            *has_id = true;
    } else if (!country || strcmp(country, "SE") == 0) {
        sb_fmt_issue(issues, "customer.id_number", "required for a customer in Sweden");
    }
    s = sb_fmt_str(cu, "mobile_number");
    if (s && *s && !phone_ok(s))
        sb_fmt_issue(issues, "customer.mobile_number", "must be E.164 (+46701234567)");
    s = sb_fmt_str(cu, "email");
    if (s && *s && (!strchr(s, '@') || strlen(s) > 254))
        sb_fmt_issue(issues, "customer.email", "invalid e-mail address");
}

struct debt_in {
    const char *invoice_number;
    int32_t invoice_day;
    int64_t capital;
    int64_t due_days;
};

static void check_debt(json_t *dj, size_t i, struct debt_in *out, json_t *issues)
{
    char path[96];
    const char *s;
    json_t *v, *fac;

    memset(out, 0, sizeof(*out));
#define P(field) (snprintf(path, sizeof(path), "debts[%zu].%s", i, field), path)
    if (!json_is_object(dj)) {
        snprintf(path, sizeof(path), "debts[%zu]", i);
        sb_fmt_issue(issues, path, "must be an object");
        return;
    }
    s = sb_fmt_nonempty(dj, "invoice_number");
    if (!s || strlen(s) > 64)
        sb_fmt_issue(issues, P("invoice_number"), "required (at most 64 characters)");
    out->invoice_number = s;
    s = sb_fmt_str(dj, "invoice_date");
    if (!s)
        sb_fmt_issue(issues, P("invoice_date"), "required");
    else if (sb_fmt_parse_day(s, &out->invoice_day))
        sb_fmt_issue(issues, P("invoice_date"), "must be an RFC 1123 or ISO 8601 date");
    v = json_object_get(dj, "capital_to_claim");
    if (!v)
        sb_fmt_issue(issues, P("capital_to_claim"), "required");
    else if (sb_fmt_money_in(v, &out->capital) || out->capital <= 0)
        sb_fmt_issue(issues, P("capital_to_claim"),
                     "must be a positive amount with at most 2 decimals");
    v = json_object_get(dj, "invoice_due_days_after_invoice_date");
    out->due_days = 30;
    if (v && (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 365))
        sb_fmt_issue(issues, P("invoice_due_days_after_invoice_date"), "must be an integer 0-365");
    else if (v)
        out->due_days = json_integer_value(v);
    v = json_object_get(dj, "debt_description");
    if (v && !json_is_string(v))
        sb_fmt_issue(issues, P("debt_description"), "must be a string");
    fac = json_object_get(dj, "fees_included_in_capital_to_claim");
    if (fac) {
        const char *k;
        int64_t ore;

        if (!json_is_object(fac))
            sb_fmt_issue(issues, P("fees_included_in_capital_to_claim"), "must be an object");
        json_object_foreach(fac, k, v)
        {
            if (sb_fmt_money_in(v, &ore) || ore < 0)
                sb_fmt_issue(issues, P("fees_included_in_capital_to_claim"),
                             "values must be amounts");
        }
    }
    fac = json_object_get(dj, "fees_already_claimed");
    if (fac) {
        const char *k;
        int64_t ore;

        if (!json_is_object(fac))
            sb_fmt_issue(issues, P("fees_already_claimed"), "must be an object");
        json_object_foreach(fac, k, v)
        {
            if (sb_fmt_money_in(json_object_get(v, "amount"), &ore) || ore < 0 ||
                ore > FEES_LATE_COMPENSATION_MINOR)
                sb_fmt_issue(issues, P("fees_already_claimed"),
                             "each fee needs an amount between 0 and 450");
        }
    }
#undef P
}

/* Build the case document of one debt. */
static json_t *new_case(struct sb_ctx *ctx, json_t *reg, json_t *dj, const struct debt_in *di,
                        const json_t *creditor, const char *reg_id, const char *customer_id,
                        const char *ocr, const struct idnum *id, bool has_id)
{
    json_t *cu = json_object_get(reg, "customer"), *in, *body, *fac, *v;
    char inv[SB_RFC1123_LEN];
    const char *desc = sb_fmt_nonempty(dj, "debt_description"), *k;
    int64_t ore;

    if (!desc)
        desc = sb_fmt_nonempty(creditor, "standard_debt_description");
    sb_fmt_day_rfc1123(di->invoice_day, inv);
    in = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:i, s:i, s:s,"
                   " s:[], s:{}}",
                   "cap0", (json_int_t)di->capital, "cap", (json_int_t)di->capital, "fees_add",
                   (json_int_t)0, "fees", (json_int_t)0, "out_add", (json_int_t)0, "out",
                   (json_int_t)0, "int_paid", (json_int_t)0, "int_off", (json_int_t)0, "paid",
                   (json_int_t)0, "due", (json_int_t)(di->invoice_day + di->due_days), "next",
                   (json_int_t)0, "company", json_is_true(json_object_get(cu, "is_company")),
                   "has_id", (int)has_id, "first", sb_fmt_str(reg, "first_action"), "changes",
                   "outlays");
    fac = json_object_get(dj, "fees_already_claimed");
    json_object_foreach(fac, k, v)
    {
        if (sb_fmt_money_in(json_object_get(v, "amount"), &ore) == PM_OK && ore > 0)
            add_outlay(in, k, ore);
    }
    body = json_pack(
        "{s:s, s:s, s:s, s:s, s:s?, s:s, s:s, s:[], s:[], s:b, s:s, s:s, s:{s:{s:b}},"
        " s:{s:s, s:s, s:s, s:s, s:I, s:I, s:o, s:o, s:s}, s:s, s:o}",
        "creditor", sb_fmt_str(reg, "creditor"), "creditor_name", sb_fmt_str(creditor, "name"),
        "customer", customer_id, "customer_name", sb_fmt_str(cu, "name"), "customer_id_number",
        has_id ? id->normalized : NULL, "customer_status", "active", "currency", "SEK",
        "state_history", "status_history", "closed", 0, "agreement_version", SB_AGREEMENT_VERSION,
        "case_registration", reg_id, "case_settings", "interest_rate", "reference_rate", 1, "debt",
        "invoice_number", di->invoice_number, "debt_reference", ocr, "payout_reference",
        di->invoice_number, "invoice_date", inv, "invoice_due_days_after_invoice_date",
        (json_int_t)di->due_days, "interest_days_after_invoice_date", (json_int_t)di->due_days,
        "initial_capital", sb_fmt_money(di->capital), "capital_to_claim", sb_fmt_money(di->capital),
        "debt_description", desc ? desc : "", "ocr", ocr, "__", in);
    (void)ctx;
    return body;
}

/* The first step of a new case, on the registration day. */
static void start_case(struct sb_ctx *ctx, json_t *body)
{
    json_t *in = json_object_get(body, "__");
    int32_t today = sb_control_today(ctx);
    int32_t due = (int32_t)geti(in, "due");
    int64_t at = now_s(ctx);

    push_state(body, "initializing", at);
    push_status(body, "initialized", at);
    if (today > due)
        escalate(body, in, today, at);
    else
        seti(in, "next", due + 1); /* reminders only after the due date */
}

enum pm_err sb_cases_register(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp)
{
    json_t *body = NULL, *issues = json_object(), *debts, *cases = json_array();
    json_t *ocr_ids = json_array(), *ocrs = json_array(), *answer, *conflicts = json_object();
    struct sb_doc acc = {0}, cred = {0}, reg = {0};
    struct debt_in *di = NULL;
    struct idnum id;
    bool has_id = false;
    const char *s;
    char customer_id[SB_ID_LEN + 1], existing[SB_ID_LEN + 1];
    int32_t today = sb_control_today(ctx);
    size_t n = 0;
    enum pm_err rc = sb_req_json(req, resp, &body);

    if (rc)
        goto out;
    {
        const char *k;
        json_t *v;

        json_object_foreach(body, k, v)
        {
            bool known = false;

            for (size_t i = 0; REG_FIELDS[i]; i++)
                known = known || strcmp(k, REG_FIELDS[i]) == 0;
            if (!known)
                sb_fmt_issue(issues, k, "unknown field");
        }
    }
    if (!sb_fmt_is_id(sb_fmt_str(body, "account")) ||
        sb_store_doc_get(ctx, "account", req->partner, sb_fmt_str(body, "account"), &acc))
        sb_fmt_issue(issues, "account", "required: the id of one of your accounts");
    if (!sb_fmt_is_id(sb_fmt_str(body, "creditor")) ||
        sb_store_doc_get(ctx, "creditor", req->partner, sb_fmt_str(body, "creditor"), &cred))
        sb_fmt_issue(issues, "creditor", "required: the id of one of your creditors");
    else if (acc.body && strcmp(sb_fmt_str(cred.body, "account"), acc.id) != 0)
        sb_fmt_issue(issues, "creditor", "does not belong to the account");
    else if (!json_is_true(json_object_get(cred.body, "is_active")))
        sb_fmt_issue(issues, "creditor", "not active");
    s = sb_fmt_str(body, "first_action");
    if (!s)
        json_object_set_new(body, "first_action", json_string("reminder"));
    else if (strcmp(s, "reminder") != 0 && strcmp(s, "debt_collection") != 0)
        sb_fmt_issue(issues, "first_action", "must be \"reminder\" or \"debt_collection\"");
    s = sb_fmt_str(body, "currency");
    if (!s)
        sb_fmt_issue(issues, "currency", "required");
    else if (strcmp(s, "SEK") != 0)
        sb_fmt_issue(issues, "currency", "only SEK is accepted");
    check_customer(json_object_get(body, "customer"), today, issues, &id, &has_id);
    debts = json_object_get(body, "debts");
    n = json_array_size(debts);
    if (!json_is_array(debts) || n == 0 || n > 100) {
        sb_fmt_issue(issues, "debts", "required: 1-100 debts");
        n = 0;
    }
    di = calloc(n ? n : 1, sizeof(*di));
    if (!di) {
        rc = PM_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        check_debt(json_array_get(debts, i), i, &di[i], issues);
        for (size_t j = 0; j < i && di[i].invoice_number; j++) {
            if (di[j].invoice_number && strcmp(di[i].invoice_number, di[j].invoice_number) == 0) {
                char path[64];

                snprintf(path, sizeof(path), "debts[%zu].invoice_number", i);
                sb_fmt_issue(issues, path, "duplicate invoice number in this registration");
            }
        }
    }
    if (json_object_size(issues)) {
        rc = sb_resp_issues(resp, issues);
        issues = NULL;
        goto out;
    }
    /* Once per creditor + invoice number, across restarts. */
    for (size_t i = 0; i < n; i++) {
        if (sb_store_invoice_find(ctx, cred.id, di[i].invoice_number, existing) == PM_OK)
            json_object_set_new(conflicts, di[i].invoice_number, json_string(existing));
    }
    if (json_object_size(conflicts)) {
        rc = sb_resp_error(resp, 409, "invoice already registered for this creditor");
        json_object_set(resp->json, "_existing_cases", conflicts);
        goto out;
    }
    sb_fmt_new_id(reg.id);
    sb_fmt_new_id(customer_id);
    for (size_t i = 0; i < n; i++) {
        struct sb_doc c = {0};
        char base[48], ocr[32], ocr_id[SB_ID_LEN + 1];
        int64_t seq = 0;
        int y, m, dd;

        rc = sb_store_meta_get(ctx, "ocr_seq", 0, &seq);
        if (!rc)
            rc = sb_store_meta_set(ctx, "ocr_seq", seq + 1);
        if (rc)
            goto out;
        date_to_ymd(today, &y, &m, &dd);
        snprintf(base, sizeof(base), "%04d%010lld", y % 10000, (long long)(seq + 1));
        rc = ocr_make(base, true, ocr, sizeof(ocr));
        if (rc)
            goto out;
        sb_fmt_new_id(c.id);
        sb_fmt_new_id(ocr_id);
        snprintf(c.kind, sizeof(c.kind), "case");
        snprintf(c.partner, sizeof(c.partner), "%s", req->partner);
        c.body = new_case(ctx, body, json_array_get(debts, i), &di[i], cred.body, reg.id,
                          customer_id, ocr, &id, has_id);
        if (!c.body) {
            rc = PM_ERR_NOMEM;
            goto out;
        }
        start_case(ctx, c.body);
        rc = sb_store_invoice_claim(ctx, cred.id, di[i].invoice_number, c.id, existing);
        if (!rc)
            rc = sb_store_doc_put(ctx, &c);
        sb_doc_release(&c);
        if (rc)
            goto out;
        json_array_append_new(cases, json_string(c.id));
        json_array_append_new(ocr_ids, json_string(ocr_id));
        json_array_append_new(ocrs, json_string(ocr));
    }
    json_object_set(body, "_cases", cases);
    json_object_set(body, "_ocr_numbers", ocr_ids);
    json_object_set(body, "_ocr_numbers_ocr", ocrs);
    snprintf(reg.kind, sizeof(reg.kind), "registration");
    snprintf(reg.partner, sizeof(reg.partner), "%s", req->partner);
    reg.body = json_incref(body);
    rc = sb_store_doc_put(ctx, &reg);
    if (rc)
        goto out;
    answer = sb_list_created(&reg);
    json_object_set(answer, "_cases", cases);
    json_object_set(answer, "_ocr_numbers", ocr_ids);
    json_object_set(answer, "_ocr_numbers_ocr", ocrs);
    rc = sb_resp_json(resp, 201, answer);
out:
    free(di);
    sb_doc_release(&acc);
    sb_doc_release(&cred);
    sb_doc_release(&reg);
    json_decref(conflicts);
    json_decref(cases);
    json_decref(ocr_ids);
    json_decref(ocrs);
    json_decref(issues);
    json_decref(body);
    return rc;
}

/* ---- creditor actions --------------------------------------------------- */

/* Find the case a creditor action names: `case` id or `invoice_number`,
 * both scoped to the creditor.  Fills issues when it cannot. */
static enum pm_err action_case(struct sb_ctx *ctx, struct sb_req *req, json_t *body, json_t *issues,
                               struct sb_doc *c)
{
    struct sb_doc cred = {0};
    const char *creditor = sb_fmt_str(body, "creditor"), *case_id = sb_fmt_str(body, "case");
    const char *inv = sb_fmt_str(body, "invoice_number"), *origin = sb_fmt_str(body, "origin");
    char found[SB_ID_LEN + 1];
    enum pm_err rc = PM_OK;

    if (!origin || strcmp(origin, "creditor_system") != 0)
        sb_fmt_issue(issues, "origin", "must be \"creditor_system\"");
    if (!sb_fmt_is_id(creditor) ||
        sb_store_doc_get(ctx, "creditor", req->partner, creditor, &cred)) {
        sb_fmt_issue(issues, "creditor", "required: the id of one of your creditors");
        goto out;
    }
    if (!case_id && inv) {
        if (sb_store_invoice_find(ctx, creditor, inv, found)) {
            sb_fmt_issue(issues, "invoice_number", "no case for this invoice number");
            goto out;
        }
        case_id = found;
    }
    if (!case_id) {
        sb_fmt_issue(issues, "case", "required: case or invoice_number");
        goto out;
    }
    if (!sb_fmt_is_id(case_id) || sb_store_doc_get(ctx, "case", req->partner, case_id, c)) {
        sb_fmt_issue(issues, "case", "no such case");
        goto out;
    }
    if (strcmp(sb_fmt_str(c->body, "creditor"), creditor) != 0) {
        sb_doc_release(c);
        sb_fmt_issue(issues, "case", "belongs to another creditor");
    }
out:
    sb_doc_release(&cred);
    return rc;
}

static json_t *reason(const char *sv, const char *en)
{
    return json_pack("{s:s, s:s}", "sv", sv, "en", en);
}

/* Store the action as its own resource and answer 201 with `extra`. */
static enum pm_err record_action(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp,
                                 const char *kind, json_t *body, json_t *extra)
{
    struct sb_doc a = {0};
    json_t *answer;
    enum pm_err rc;

    sb_fmt_new_id(a.id);
    snprintf(a.kind, sizeof(a.kind), "%s", kind);
    snprintf(a.partner, sizeof(a.partner), "%s", req->partner);
    json_object_update(body, extra);
    a.body = json_incref(body);
    rc = sb_store_doc_put(ctx, &a);
    if (rc)
        goto out;
    answer = sb_list_created(&a);
    json_object_update(answer, extra);
    rc = sb_resp_json(resp, 201, answer);
out:
    sb_doc_release(&a);
    return rc;
}

/* Capital reduced by the creditor (direct payment or credit note). */
static enum pm_err capital_action(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp,
                                  bool crediting)
{
    json_t *body = NULL, *issues = json_object(), *extra = NULL, *in;
    struct sb_doc c = {0};
    int64_t amount = 0, settled = 0, at = now_s(ctx);
    int32_t day = sb_control_today(ctx);
    const char *status = "completed", *kind = crediting ? "crediting" : "creditor_payment";
    json_t *why;
    const char *s;
    enum pm_err rc = sb_req_json(req, resp, &body);

    if (rc)
        goto out;
    s = sb_fmt_str(body, "currency");
    if (!s || strcmp(s, "SEK") != 0)
        sb_fmt_issue(issues, "currency", "required: SEK");
    if (sb_fmt_money_in(json_object_get(body, "amount"), &amount) || amount <= 0)
        sb_fmt_issue(issues, "amount", "required: a positive amount with at most 2 decimals");
    if (!crediting) {
        s = sb_fmt_str(body, "bank_transaction_date");
        if (!s || sb_fmt_parse_day(s, &day))
            sb_fmt_issue(issues, "bank_transaction_date", "required: an RFC 1123 or ISO 8601 date");
        s = sb_fmt_str(body, "client_registration_date");
        if (s && sb_fmt_parse_day(s, &(int32_t){0}))
            sb_fmt_issue(issues, "client_registration_date", "must be a date");
    }
    rc = action_case(ctx, req, body, issues, &c);
    if (rc)
        goto out;
    if (json_object_size(issues)) {
        rc = sb_resp_issues(resp, issues);
        issues = NULL;
        goto out;
    }
    in = json_object_get(c.body, "__");
    if (is_closed(c.body)) {
        status = "error";
        why = reason("Ärendet är avslutat", "The case is closed");
    } else if (geti(in, "cap") == 0) {
        status = "warning";
        why = reason("Inget kapital återstår", "No capital remains");
    } else {
        settled = min64(amount, geti(in, "cap"));
        if (settled < amount) {
            status = "warning";
            why = reason("Beloppet överstiger återstående kapital; överskottet avräknades inte",
                         "The amount exceeds the remaining capital; the excess was not settled");
        } else {
            why = reason("Registrerad", "Registered");
        }
        addi(in, "cap", -settled);
        addi(in, "paid", settled);
        json_array_append_new(json_object_get(in, "changes"),
                              json_pack("[i, I]", (int)day, (json_int_t)-settled));
        {
            struct sb_ledger l;

            memset(&l, 0, sizeof(l));
            snprintf(l.case_id, sizeof(l.case_id), "%s", c.id);
            snprintf(l.creditor, sizeof(l.creditor), "%s", sb_fmt_str(c.body, "creditor"));
            snprintf(l.kind, sizeof(l.kind), "%s", kind);
            snprintf(l.article, sizeof(l.article), "capital");
            l.day = day;
            l.capital = settled;
            rc = sb_store_ledger_add(ctx, &l);
            if (rc)
                goto out;
        }
        if (geti(in, "cap") == 0) {
            int32_t today = sb_control_today(ctx);
            int64_t residual = total_left(ctx, in, today);

            if (crediting)
                close_case(ctx, c.body, in, "credited", today, at);
            else if (residual < RESIDUAL_PURSUED_MINOR)
                close_case(ctx, c.body, in, "paid", today, at);
        }
        rc = sb_store_doc_put(ctx, &c);
        if (rc) {
            json_decref(why);
            goto out;
        }
    }
    extra =
        json_pack("{s:s, s:s, s:o, s:o, s:s}", crediting ? "_crediting_status" : "_payment_status",
                  status, "status", status, "status_reason_locale", why, "settled_amount",
                  sb_fmt_money(settled), "case", c.id);
    rc = record_action(ctx, req, resp, kind, body, extra);
out:
    sb_doc_release(&c);
    json_decref(extra);
    json_decref(issues);
    json_decref(body);
    return rc;
}

enum pm_err sb_cases_creditor_payment(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp)
{
    return capital_action(ctx, req, resp, false);
}

enum pm_err sb_cases_crediting(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp)
{
    return capital_action(ctx, req, resp, true);
}

enum pm_err sb_cases_cancellation(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp)
{
    json_t *body = NULL, *issues = json_object(), *extra = NULL, *why;
    struct sb_doc c = {0};
    const char *status = "completed";
    enum pm_err rc = sb_req_json(req, resp, &body);

    if (rc)
        goto out;
    rc = action_case(ctx, req, body, issues, &c);
    if (rc)
        goto out;
    if (json_object_size(issues)) {
        rc = sb_resp_issues(resp, issues);
        issues = NULL;
        goto out;
    }
    if (is_closed(c.body)) {
        status = "warning";
        why = reason("Ärendet var redan avslutat", "The case was already closed");
    } else {
        close_case(ctx, c.body, json_object_get(c.body, "__"), "cancelled", sb_control_today(ctx),
                   now_s(ctx));
        rc = sb_store_doc_put(ctx, &c);
        why = reason("Ärendet är återkallat", "The case is cancelled");
    }
    extra = json_pack("{s:s, s:s, s:o, s:s}", "_cancellation_status", status, "status", status,
                      "status_reason_locale", why, "case", c.id);
    if (!rc)
        rc = record_action(ctx, req, resp, "cancellation", body, extra);
out:
    sb_doc_release(&c);
    json_decref(extra);
    json_decref(issues);
    json_decref(body);
    return rc;
}

enum pm_err sb_cases_attach(struct sb_ctx *ctx, struct sb_doc *c, const char *dotted_path,
                            const char *url)
{
    json_object_set_new(c->body, dotted_path, json_string(url));
    return sb_store_doc_put(ctx, c);
}

/* ---- debtor actions (/_sandbox/debtor/...) ------------------------------- */

/* The open case named by body.case (any partner); fills resp otherwise. */
static enum pm_err debtor_case(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp,
                               json_t **body, struct sb_doc *c)
{
    enum pm_err rc = sb_req_json(req, resp, body);
    const char *id;

    if (rc)
        return rc;
    id = sb_fmt_str(*body, "case");
    if (!sb_fmt_is_id(id) || sb_store_doc_get(ctx, "case", NULL, id, c)) {
        sb_resp_error(resp, 404, "no such case");
        return PM_ERR_NOT_FOUND;
    }
    if (is_closed(c->body)) {
        sb_doc_release(c);
        sb_resp_error(resp, 409, "the case is closed");
        return PM_ERR_CONFLICT;
    }
    return PM_OK;
}

/* Answer with the rendered case and the members of extra (stolen). */
static enum pm_err answer_case(struct sb_ctx *ctx, struct sb_resp *resp, struct sb_doc *c,
                               json_t *extra)
{
    json_t *out = json_pack("{s:s, s:o}", "_status", "OK", "case", sb_list_render(ctx, c));

    if (extra)
        json_object_update(out, extra);
    json_decref(extra);
    return sb_resp_json(resp, 200, out);
}

enum pm_err sb_cases_debtor_pay(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp)
{
    json_t *body = NULL, *v;
    struct sb_doc c = {0};
    int32_t today = sb_control_today(ctx);
    int64_t amount, owed;
    enum pm_err rc = debtor_case(ctx, req, resp, &body, &c);

    if (rc)
        goto out;
    owed = total_left(ctx, json_object_get(c.body, "__"), today);
    amount = owed;
    v = json_object_get(body, "amount");
    if (v && !json_is_null(v) && (sb_fmt_money_in(v, &amount) || amount <= 0)) {
        rc = sb_resp_error(resp, 422, "amount must be a positive amount with at most 2 decimals");
        goto out;
    }
    if (amount > owed) {
        rc = sb_resp_error(resp, 422, "amount exceeds what the debtor owes");
        goto out;
    }
    rc = debtor_money(ctx, &c, today, amount, now_s(ctx));
    if (!rc)
        rc = sb_store_doc_put(ctx, &c);
    if (!rc)
        rc = answer_case(ctx, resp, &c, json_pack("{s:o}", "paid", sb_fmt_money(amount)));
out:
    sb_doc_release(&c);
    json_decref(body);
    return rc;
}

enum pm_err sb_cases_debtor_dispute(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp)
{
    json_t *body = NULL;
    struct sb_doc c = {0};
    enum pm_err rc = debtor_case(ctx, req, resp, &body, &c);

    if (rc)
        goto out;
    seti(json_object_get(c.body, "__"), "paused", 1);
    push_status(c.body, "disputed", now_s(ctx));
    rc = sb_store_doc_put(ctx, &c);
    if (!rc)
        rc = answer_case(ctx, resp, &c, NULL);
out:
    sb_doc_release(&c);
    json_decref(body);
    return rc;
}

enum pm_err sb_cases_debtor_plan(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp)
{
    json_t *body = NULL, *in, *v, *schedule;
    struct sb_doc c = {0};
    int32_t today = sb_control_today(ctx);
    int64_t months = 3, owed, monthly;
    enum pm_err rc = debtor_case(ctx, req, resp, &body, &c);

    if (rc)
        goto out;
    v = json_object_get(body, "months");
    if (v && (!json_is_integer(v) || json_integer_value(v) < 1 ||
              json_integer_value(v) > PLAN_MONTHS_MAX)) {
        rc = sb_resp_error(resp, 422, "months must be an integer 1-%d", PLAN_MONTHS_MAX);
        goto out;
    }
    if (v)
        months = json_integer_value(v);
    in = json_object_get(c.body, "__");
    if (geti(in, "plan_months")) {
        rc = sb_resp_error(resp, 409, "the case already has an instalment plan");
        goto out;
    }
    add_fee(in, FEES_INSTALMENT_MAX_MINOR);
    owed = total_left(ctx, in, today);
    monthly = (owed + months - 1) / months;
    seti(in, "plan_months", months);
    seti(in, "plan_done", 0);
    seti(in, "plan_start", today);
    seti(in, "plan_amount", monthly);
    seti(in, "paused", 0);
    push_status(c.body, "instalment_plan", now_s(ctx));
    rc = sb_store_doc_put(ctx, &c);
    if (rc)
        goto out;
    schedule = json_array();
    for (int64_t k = 1; k <= months; k++) {
        int32_t d = 0;
        char ds[SB_RFC1123_LEN];

        (void)date_add_months(today, (int)k, &d);
        sb_fmt_day_rfc1123(d, ds);
        json_array_append_new(
            schedule,
            json_pack("{s:s, s:o}", "date", ds, "amount",
                      sb_fmt_money(k == months ? owed - monthly * (months - 1) : monthly)));
    }
    rc = answer_case(ctx, resp, &c, json_pack("{s:o}", "schedule", schedule));
out:
    sb_doc_release(&c);
    json_decref(body);
    return rc;
}
