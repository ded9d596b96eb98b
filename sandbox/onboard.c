/*
 * onboard.c — accounts and creditors: a partner onboards a company.
 *
 * POST /accounts creates the company (and, from the write-only
 * initial_creditor_data, its first creditor); POST/PATCH /creditors keep
 * creditors.  The activation rule of amili-api.md lives in
 * check_activation(): a creditor can only be (or become) active with
 * payout details (a 7-8 digit bankgiro), complete sender and invoice
 * addresses and a standard debt description; otherwise 422 names every
 * missing path.  Unknown top-level fields are refused [ours], so a typo in
 * a client shows at once.
 */
#include "sandbox.h"

#include <string.h>

#include "core/idnum.h"

static const char *const CREDITOR_FIELDS[] = {
    "account",
    "name",
    "organization_no",
    "non_swedish_organization_no",
    "is_active",
    "creditor_number",
    "standard_debt_description",
    "default_letter_locale",
    "sender_address",
    "invoice_address",
    "payout_details",
    "case_config",
    NULL,
};

static const char *const ACCOUNT_FIELDS[] = {
    "name",
    "organization_no",
    "standard_debt_description",
    "initial_creditor_data",
    "case_settings",
    "agreement_template",
    NULL,
};

static const char *const ADDRESS_FIELDS[] = {"address_line_1", "zip_code", "city", "country", NULL};

static void issue_at(json_t *issues, const char *prefix, const char *path, const char *msg)
{
    char full[160];

    snprintf(full, sizeof(full), "%s%s", prefix, path);
    sb_fmt_issue(issues, full, msg);
}

static void check_known(json_t *body, const char *const *fields, json_t *issues, const char *prefix)
{
    const char *k;
    json_t *v;

    json_object_foreach(body, k, v)
    {
        bool known = false;

        for (size_t i = 0; fields[i]; i++)
            if (strcmp(k, fields[i]) == 0)
                known = true;
        if (!known)
            issue_at(issues, prefix, k, "unknown field");
    }
}

static bool bankgiro_ok(const char *s)
{
    size_t digits = 0;

    if (!s)
        return false;
    for (const char *p = s; *p; p++) {
        if (*p >= '0' && *p <= '9')
            digits++;
        else if (*p != '-' || p == s)
            return false;
    }
    return digits >= 7 && digits <= 8;
}

static void check_address_shape(json_t *body, const char *name, json_t *issues, const char *prefix)
{
    json_t *a = json_object_get(body, name);
    char path[96];

    if (!a || json_is_null(a))
        return;
    if (!json_is_object(a)) {
        issue_at(issues, prefix, name, "must be an object");
        return;
    }
    for (size_t i = 0; ADDRESS_FIELDS[i]; i++) {
        json_t *v = json_object_get(a, ADDRESS_FIELDS[i]);

        snprintf(path, sizeof(path), "%s.%s", name, ADDRESS_FIELDS[i]);
        if (v && !json_is_string(v) && !json_is_null(v))
            issue_at(issues, prefix, path, "must be a string");
    }
}

/* The activation rule: what an active creditor must have. */
static void check_activation(json_t *c, json_t *issues, const char *prefix)
{
    const char *names[2] = {"sender_address", "invoice_address"};
    json_t *pd = json_object_get(c, "payout_details");
    const char *bg = sb_fmt_str(json_object_get(pd, "sek"), "bankgiro");
    char path[96];

    if (!bg)
        issue_at(issues, prefix, "payout_details.sek.bankgiro", "required to activate");
    else if (!bankgiro_ok(bg))
        issue_at(issues, prefix, "payout_details.sek.bankgiro", "must be 7-8 digits");
    for (int i = 0; i < 2; i++) {
        json_t *a = json_object_get(c, names[i]);

        if (!json_is_object(a)) {
            issue_at(issues, prefix, names[i], "required to activate");
            continue;
        }
        for (size_t f = 0; ADDRESS_FIELDS[f]; f++) {
            snprintf(path, sizeof(path), "%s.%s", names[i], ADDRESS_FIELDS[f]);
            if (!sb_fmt_nonempty(a, ADDRESS_FIELDS[f]))
                issue_at(issues, prefix, path, "required to activate");
        }
    }
    if (!sb_fmt_nonempty(c, "standard_debt_description"))
        issue_at(issues, prefix, "standard_debt_description", "required to activate");
}

/* Validate a whole creditor document (after defaults or a merge). */
static void check_creditor(json_t *c, json_t *issues, const char *prefix)
{
    json_t *org = json_object_get(c, "organization_no");
    json_t *foreign = json_object_get(c, "non_swedish_organization_no");
    json_t *v;
    struct idnum id;
    const char *s;

    check_known(c, CREDITOR_FIELDS, issues, prefix);
    s = sb_fmt_nonempty(c, "name");
    if (!s || strlen(s) > 200)
        issue_at(issues, prefix, "name", "required (at most 200 characters)");
    if (org && !json_is_null(org) && foreign && !json_is_null(foreign)) {
        issue_at(issues, prefix, "non_swedish_organization_no",
                 "not allowed together with organization_no");
    } else if (foreign && !json_is_null(foreign)) {
        if (!sb_fmt_nonempty(c, "non_swedish_organization_no"))
            issue_at(issues, prefix, "non_swedish_organization_no", "must be a non-empty string");
    } else if (!org || json_is_null(org)) {
        issue_at(issues, prefix, "organization_no", "required");
    } else if (!json_is_string(org) || idnum_parse_org(json_string_value(org), &id)) {
        issue_at(issues, prefix, "organization_no",
                 "invalid organisation number (10 digits with a valid check digit)");
    }
    v = json_object_get(c, "is_active");
    if (v && !json_is_boolean(v))
        issue_at(issues, prefix, "is_active", "must be a boolean");
    v = json_object_get(c, "creditor_number");
    if (v && !json_is_string(v) && !json_is_integer(v))
        issue_at(issues, prefix, "creditor_number", "must be a string or an integer");
    v = json_object_get(c, "standard_debt_description");
    if (v && !json_is_string(v))
        issue_at(issues, prefix, "standard_debt_description", "must be a string");
    s = sb_fmt_str(c, "default_letter_locale");
    if (json_object_get(c, "default_letter_locale") &&
        (!s || (strcmp(s, "sv") != 0 && strcmp(s, "en") != 0)))
        issue_at(issues, prefix, "default_letter_locale", "must be \"sv\" or \"en\"");
    check_address_shape(c, "sender_address", issues, prefix);
    check_address_shape(c, "invoice_address", issues, prefix);
    v = json_object_get(c, "payout_details");
    if (v && !json_is_object(v))
        issue_at(issues, prefix, "payout_details", "must be an object");
    v = json_object_get(c, "case_config");
    if (v && !json_is_object(v) && !json_is_null(v))
        issue_at(issues, prefix, "case_config", "must be an object");
    if (json_is_true(json_object_get(c, "is_active")))
        check_activation(c, issues, prefix);
}

static void creditor_defaults(struct sb_ctx *ctx, json_t *c)
{
    int64_t seq = 0;
    char num[32];

    if (!json_object_get(c, "is_active"))
        json_object_set_new(c, "is_active", json_false());
    if (!json_object_get(c, "default_letter_locale"))
        json_object_set_new(c, "default_letter_locale", json_string("sv"));
    if (!json_object_get(c, "creditor_number")) {
        (void)sb_store_meta_get(ctx, "creditor_seq", 1000, &seq);
        seq++;
        (void)sb_store_meta_set(ctx, "creditor_seq", seq);
        snprintf(num, sizeof(num), "%lld", (long long)seq);
        json_object_set_new(c, "creditor_number", json_string(num));
    }
}

/* Store a validated creditor for account `account`. */
static enum pm_err save_creditor(struct sb_ctx *ctx, const char *partner, json_t *c,
                                 struct sb_doc *out)
{
    memset(out, 0, sizeof(*out));
    sb_fmt_new_id(out->id);
    snprintf(out->kind, sizeof(out->kind), "creditor");
    snprintf(out->partner, sizeof(out->partner), "%s", partner);
    out->body = json_incref(c);
    return sb_store_doc_put(ctx, out);
}

enum pm_err sb_onboard_account_post(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp)
{
    json_t *body = NULL, *issues = json_object(), *init, *cred = NULL, *answer;
    struct sb_doc acc = {0}, cd = {0};
    struct idnum id;
    const char *s;
    enum pm_err rc = sb_req_json(req, resp, &body);

    if (rc)
        goto out;
    check_known(body, ACCOUNT_FIELDS, issues, "");
    s = sb_fmt_nonempty(body, "name");
    if (!s || strlen(s) > 200)
        sb_fmt_issue(issues, "name", "required (at most 200 characters)");
    s = sb_fmt_str(body, "organization_no");
    if (!s)
        sb_fmt_issue(issues, "organization_no", "required");
    else if (idnum_parse_org(s, &id))
        sb_fmt_issue(issues, "organization_no",
                     "invalid organisation number (10 digits with a valid check digit)");
    if (json_object_get(body, "standard_debt_description") &&
        !json_is_string(json_object_get(body, "standard_debt_description")))
        sb_fmt_issue(issues, "standard_debt_description", "must be a string");
    init = json_object_get(body, "initial_creditor_data");
    if (init && !json_is_object(init)) {
        sb_fmt_issue(issues, "initial_creditor_data", "must be an object");
    } else if (init) {
        cred = json_deep_copy(init);
        json_object_set_new(cred, "account", json_string("(new)"));
        if (!json_object_get(cred, "name") && sb_fmt_str(body, "name"))
            json_object_set_new(cred, "name", json_string(sb_fmt_str(body, "name")));
        if (!json_object_get(cred, "organization_no") &&
            !json_object_get(cred, "non_swedish_organization_no") &&
            sb_fmt_str(body, "organization_no"))
            json_object_set_new(cred, "organization_no",
                                json_string(sb_fmt_str(body, "organization_no")));
        if (!json_object_get(cred, "standard_debt_description") &&
            sb_fmt_str(body, "standard_debt_description"))
            json_object_set_new(cred, "standard_debt_description",
                                json_string(sb_fmt_str(body, "standard_debt_description")));
        check_creditor(cred, issues, "initial_creditor_data.");
    }
    if (json_object_size(issues)) {
        rc = sb_resp_issues(resp, issues);
        issues = NULL;
        goto out;
    }
    json_object_del(body, "initial_creditor_data");
    if (!json_object_get(body, "case_settings"))
        json_object_set_new(body, "case_settings",
                            json_pack("{s:{s:b}}", "interest_rate", "reference_rate", 1));
    if (!json_object_get(body, "agreement_template"))
        json_object_set_new(body, "agreement_template", json_string(SB_AGREEMENT_VERSION));
    sb_fmt_new_id(acc.id);
    snprintf(acc.kind, sizeof(acc.kind), "account");
    snprintf(acc.partner, sizeof(acc.partner), "%s", req->partner);
    acc.body = json_incref(body);
    rc = sb_store_doc_put(ctx, &acc);
    if (rc)
        goto out;
    answer = sb_list_created(&acc);
    if (cred) {
        json_object_set_new(cred, "account", json_string(acc.id));
        creditor_defaults(ctx, cred);
        rc = save_creditor(ctx, req->partner, cred, &cd);
        if (rc) {
            json_decref(answer);
            goto out;
        }
        json_object_set_new(answer, "_creditors", json_pack("[s]", cd.id));
    }
    rc = sb_resp_json(resp, 201, answer);
out:
    sb_doc_release(&acc);
    sb_doc_release(&cd);
    json_decref(cred);
    json_decref(issues);
    json_decref(body);
    return rc;
}

enum pm_err sb_onboard_creditor_post(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp)
{
    json_t *body = NULL, *issues = json_object();
    struct sb_doc acc = {0}, cd = {0};
    enum pm_err rc = sb_req_json(req, resp, &body);

    if (rc)
        goto out;
    if (!sb_fmt_is_id(sb_fmt_str(body, "account")) ||
        sb_store_doc_get(ctx, "account", req->partner, sb_fmt_str(body, "account"), &acc))
        sb_fmt_issue(issues, "account", "required: the id of one of your accounts");
    check_creditor(body, issues, "");
    if (json_object_size(issues)) {
        rc = sb_resp_issues(resp, issues);
        issues = NULL;
        goto out;
    }
    creditor_defaults(ctx, body);
    rc = save_creditor(ctx, req->partner, body, &cd);
    if (rc)
        goto out;
    rc = sb_resp_json(resp, 201, sb_list_created(&cd));
out:
    sb_doc_release(&acc);
    sb_doc_release(&cd);
    json_decref(issues);
    json_decref(body);
    return rc;
}

enum pm_err sb_onboard_creditor_patch(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp)
{
    json_t *body = NULL, *merged = NULL, *issues = json_object();
    struct sb_doc cd = {0};
    const char *if_match = sb_req_header(req, "If-Match");
    const char *acc;
    enum pm_err rc = sb_req_json(req, resp, &body);

    if (rc)
        goto out;
    rc = sb_store_doc_get(ctx, "creditor", req->partner, req->param, &cd);
    if (rc == PM_ERR_NOT_FOUND) {
        rc = sb_resp_error(resp, 404, "no such creditor");
        goto out;
    }
    if (rc)
        goto out;
    if (if_match && strcmp(if_match, cd.etag) != 0 && strcmp(if_match, "*") != 0) {
        rc = sb_resp_error(resp, 412, "If-Match does not match the current _etag");
        goto out;
    }
    acc = sb_fmt_str(body, "account");
    if (json_object_get(body, "account") && (!acc || strcmp(acc, sb_fmt_str(cd.body, "account"))))
        sb_fmt_issue(issues, "account", "cannot be changed");
    merged = json_deep_copy(cd.body);
    json_object_update_recursive(merged, body);
    check_creditor(merged, issues, "");
    if (json_object_size(issues)) {
        rc = sb_resp_issues(resp, issues);
        issues = NULL;
        goto out;
    }
    json_decref(cd.body);
    cd.body = json_incref(merged);
    rc = sb_store_doc_put(ctx, &cd);
    if (rc)
        goto out;
    rc = sb_resp_json(resp, 200, sb_list_created(&cd));
out:
    sb_doc_release(&cd);
    json_decref(merged);
    json_decref(issues);
    json_decref(body);
    return rc;
}
