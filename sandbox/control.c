/*
 * control.c — the sandbox's own endpoints under /_sandbox/ [ours].
 *
 * Never used by the product's Amili client: tests and demos call them to
 * read the agreement text, move the sandbox clock forward (which runs the
 * process of every case), inject faults, read request counters and reset
 * the state.  Partners (auth.c), debtor actions (cases.c) and payouts
 * (payouts.c) live with the code they drive.
 */
#include "sandbox.h"

#include <string.h>

#include "core/date.h"

#define ADVANCE_DAYS_MAX 3650

static const char AGREEMENT_TEXT[] =
    "Avtal om påminnelse- och inkassotjänst (version " SB_AGREEMENT_VERSION ")\n\n"
    "1. Tjänsten. Borgenären överlämnar förfallna fakturor till byrån, som skickar en "
    "påminnelse och, om fakturan fortfarande är obetald, ett inkassokrav enligt "
    "inkassolagen (1974:182). Byrån kan därefter ansöka om betalningsföreläggande hos "
    "Kronofogden eller bevaka fordran långsiktigt.\n\n"
    "2. Avgifter och ränta. Påminnelseavgift (60 kr), inkassoavgift (180 kr) och avgift för "
    "amorteringsplan (170 kr) tas ut av gäldenären enligt lagen (1981:739) om ersättning för "
    "inkassokostnader och tillfaller byrån. Vid fordran mellan näringsidkare tas "
    "förseningsersättning om 450 kr ut. Dröjsmålsränta enligt räntelagen (referensräntan "
    "plus åtta procentenheter) räknas från förfallodagen och redovisas till borgenären.\n\n"
    "3. Redovisning. Inbetalt kapital och ränta redovisas till borgenärens bankgiro med "
    "avdrag för byråns provision (10 procent av inkasserat kapital plus moms).\n\n"
    "4. Borgenärens åtaganden. Borgenären ansvarar för att fordran är riktig och förfallen, "
    "meddelar byrån direkta betalningar, krediteringar och återkallelser utan dröjsmål och "
    "lämnar den ursprungliga fakturan på begäran.\n\n"
    "5. Personuppgifter. Byrån behandlar gäldenärens personuppgifter som "
    "personuppgiftsansvarig för indrivningen och i övrigt som personuppgiftsbiträde åt "
    "borgenären.\n";

enum pm_err sb_control_agreement(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp)
{
    (void)ctx;
    (void)req;
    return sb_resp_json(
        resp, 200,
        json_pack("{s:s, s:s}", "version", SB_AGREEMENT_VERSION, "text", AGREEMENT_TEXT));
}

int32_t sb_control_today(const struct sb_ctx *ctx)
{
    return sb_fmt_day_of(clock_now_s(&ctx->clock));
}

static json_t *clock_json(const struct sb_ctx *ctx)
{
    char now[21], today[DATE_ISO_LEN + 1];

    clock_format_rfc3339(clock_now_us(&ctx->clock), now);
    date_format_iso(sb_control_today(ctx), today);
    return json_pack("{s:s, s:s}", "now", now, "today", today);
}

enum pm_err sb_control_clock_get(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp)
{
    (void)req;
    return sb_resp_json(resp, 200, clock_json(ctx));
}

enum pm_err sb_control_clock_set(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp)
{
    json_t *body = NULL, *adv, *out;
    const char *now_s;
    int64_t current = clock_now_us(&ctx->clock), target = current, secs;
    struct clock fixed;
    int changed = 0;
    enum pm_err rc = sb_req_json(req, resp, &body);

    if (rc)
        goto out;
    adv = json_object_get(body, "advance_days");
    now_s = sb_fmt_str(body, "now");
    if (adv && (!json_is_integer(adv) || json_integer_value(adv) < 0 ||
                json_integer_value(adv) > ADVANCE_DAYS_MAX)) {
        rc = sb_resp_error(resp, 422, "advance_days must be an integer 0-%d", ADVANCE_DAYS_MAX);
        goto out;
    }
    if (adv) {
        target = current + (int64_t)json_integer_value(adv) * 86400 * 1000000;
    } else if (now_s && clock_parse_fixed(now_s, &fixed) == PM_OK) {
        target = fixed.fixed_us;
    } else if (now_s && sb_fmt_parse_instant(now_s, &secs) == PM_OK) {
        target = secs * 1000000;
    } else {
        rc = sb_resp_error(resp, 422, "give advance_days (integer) or now (RFC 3339 or date)");
        goto out;
    }
    if (target < current) {
        rc = sb_resp_error(resp, 422, "the sandbox clock only moves forward");
        goto out;
    }
    ctx->clock.offset_us += target - current;
    rc = sb_store_meta_set(ctx, "clock_offset_us", ctx->clock.offset_us);
    if (!rc)
        rc = sb_cases_run(ctx, &changed);
    if (rc)
        goto out;
    out = clock_json(ctx);
    json_object_set_new(out, "cases_changed", json_integer(changed));
    rc = sb_resp_json(resp, 200, out);
out:
    json_decref(body);
    return rc;
}

static bool one_of(const char *s, const char *const *list)
{
    for (size_t i = 0; s && list[i]; i++)
        if (strcmp(s, list[i]) == 0)
            return true;
    return false;
}

enum pm_err sb_control_faults_add(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp)
{
    static const char *const MODES[] = {"status",  "timeout",   "drop", "lost_after_commit",
                                        "latency", "duplicate", NULL};
    static const char *const METHODS[] = {"*", "GET", "POST", "PATCH", "PUT", "DELETE", NULL};
    json_t *body = NULL, *issues = json_object(), *v;
    struct sb_fault f;
    const char *s;
    int64_t id = 0;
    enum pm_err rc = sb_req_json(req, resp, &body);

    if (rc)
        goto out;
    memset(&f, 0, sizeof(f));
    s = sb_fmt_str(body, "method");
    snprintf(f.method, sizeof(f.method), "%s", s ? s : "*");
    if (!one_of(f.method, METHODS))
        sb_fmt_issue(issues, "method", "GET, POST, PATCH, PUT, DELETE or *");
    s = sb_fmt_str(body, "path_prefix");
    if (!s || s[0] != '/' || strlen(s) >= sizeof(f.path_prefix) || strncmp(s, "/_sandbox", 9) == 0)
        sb_fmt_issue(issues, "path_prefix", "required: a path starting with / (not /_sandbox)");
    else
        snprintf(f.path_prefix, sizeof(f.path_prefix), "%s", s);
    s = sb_fmt_str(body, "mode");
    if (!one_of(s, MODES))
        sb_fmt_issue(issues, "mode",
                     "status, timeout, drop, lost_after_commit, latency or duplicate");
    else
        snprintf(f.mode, sizeof(f.mode), "%s", s);
    v = json_object_get(body, "status");
    f.status = v ? (int)json_integer_value(v) : 503;
    if (f.status < 400 || f.status > 599)
        sb_fmt_issue(issues, "status", "an HTTP status 400-599");
    v = json_object_get(body, "count");
    f.remaining = v ? (int64_t)json_integer_value(v) : 1;
    if ((v && !json_is_integer(v)) || f.remaining < 0)
        sb_fmt_issue(issues, "count", "an integer >= 0 (0 = every matching request)");
    v = json_object_get(body, "probability");
    f.probability = v ? json_number_value(v) : 1.0;
    if ((v && !json_is_number(v)) || f.probability <= 0.0 || f.probability > 1.0)
        sb_fmt_issue(issues, "probability", "a number in (0, 1]");
    v = json_object_get(body, "latency_ms");
    f.latency_ms = v ? (int)json_integer_value(v) : 2000;
    if ((v && !json_is_integer(v)) || f.latency_ms < 0 || f.latency_ms > 120000)
        sb_fmt_issue(issues, "latency_ms", "an integer 0-120000");
    v = json_object_get(body, "retry_after");
    f.retry_after = v ? (int)json_integer_value(v) : (f.status == 429 || f.status == 503 ? 1 : 0);
    if ((v && !json_is_integer(v)) || f.retry_after < 0 || f.retry_after > 3600)
        sb_fmt_issue(issues, "retry_after", "an integer 0-3600 (seconds)");
    if (f.status == 429 && f.retry_after == 0)
        f.retry_after = 1; /* a 429 always says when to come back */
    if (json_object_size(issues)) {
        rc = sb_resp_issues(resp, issues);
        issues = NULL;
        goto out;
    }
    rc = sb_store_fault_add(ctx, &f, &id);
    if (rc)
        goto out;
    rc = sb_resp_json(resp, 201, json_pack("{s:s, s:I}", "_status", "OK", "id", (json_int_t)id));
out:
    json_decref(issues);
    json_decref(body);
    return rc;
}

enum pm_err sb_control_faults_get(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp)
{
    json_t *items = NULL;
    enum pm_err rc = sb_store_fault_list(ctx, &items);

    (void)req;
    if (rc)
        return rc;
    return sb_resp_json(resp, 200, json_pack("{s:o}", "_items", items));
}

enum pm_err sb_control_faults_clear(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp)
{
    enum pm_err rc = sb_store_fault_clear(ctx);

    (void)req;
    if (rc)
        return rc;
    return sb_resp_json(resp, 200, json_pack("{s:s}", "_status", "OK"));
}

enum pm_err sb_control_counters(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp)
{
    json_t *all = NULL;
    enum pm_err rc = sb_store_counters(ctx, &all);

    (void)req;
    if (rc)
        return rc;
    return sb_resp_json(resp, 200, all);
}

enum pm_err sb_control_reset(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp)
{
    enum pm_err rc = sb_store_reset(ctx);

    (void)req;
    if (rc)
        return rc;
    ctx->clock.offset_us = ctx->initial_offset_us;
    rc = sb_store_meta_set(ctx, "clock_offset_us", ctx->clock.offset_us);
    if (!rc)
        rc = sb_store_meta_set(ctx, "processed_day", sb_control_today(ctx));
    if (rc)
        return rc;
    return sb_resp_json(resp, 200, json_pack("{s:s}", "_status", "OK"));
}
