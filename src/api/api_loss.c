/*
 * api_loss.c — registering a customer loss (kundförlust) on an invoice
 * over HTTP: expected or confirmed (app/app_loss.h decides and books it).
 *
 * Part of src/api: the body is read here and the answer rendered here;
 * an open case at the agency without a choice is answered with what each
 * choice would do ("impact"), in the caller's language.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_handlers.h"
#include "api/api_json.h"
#include "api/api_render.h"
#include "api/api_request.h"
#include "app/app_invoices.h"
#include "app/app_loss.h"

static const char *const kind_names[] = {"expected", "confirmed", NULL};
static const char *const choice_names[] = {"keep", "withdraw", NULL};
/* enum app_loss_ground from APP_GROUND_BANKRUPTCY on. */
static const char *const ground_names[] = {"bankruptcy", "composition", "fruitless_collection",
                                           "other", NULL};

/* The error agency_case_open with what each choice would do. */
static void add_impact(struct api_request *r)
{
    json_t *extra = json_pack(
        "{s:{s:s, s:s}}", "impact", "keep",
        r->english ? "The case stays open at Visma Amili. Money the agency collects later is "
                     "booked as a recovered customer loss."
                   : "Ärendet ligger kvar hos Visma Amili. Pengar som Amili driver in senare "
                     "bokförs som återvunnen kundförlust.",
        "withdraw",
        r->english ? "The case is withdrawn at Visma Amili (a cancellation); the agency stops "
                     "collecting."
                   : "Ärendet återkallas hos Visma Amili (makulering) och Amili slutar driva in "
                     "fordran.");
    char *text = extra ? json_dumps(extra, JSON_COMPACT) : NULL;

    if (text)
        api_error_extra(&r->err, text);
    free(text);
    json_decref(extra);
}

enum pm_err api_loss_create(struct api_request *r)
{
    static const char *const keys[] = {"kind",   "date",        "case_choice",
                                       "ground", "ground_text", NULL};
    struct app_loss_ground_of ground = {APP_GROUND_NONE, ""};
    int ground_at = -1;
    int64_t id = api_router_param(&r->match, "id");
    struct app_ctx ax;
    struct app_error ae;
    struct app_loss_result res;
    struct company co;
    struct invoice inv;
    char actor[STORE_EMAIL_MAX];
    int kind = 0, choice = APP_CASE_NONE;
    int32_t date = r->today;
    enum pm_err rc;

    rc = api_json_check_keys(r->json, "", keys, &r->err);
    if (!rc)
        rc = api_json_enum(r->json, "", "kind", true, kind_names, &kind, NULL, &r->err);
    if (!rc)
        rc = api_json_date(r->json, "", "date", false, &date, NULL, &r->err);
    if (!rc)
        rc = api_json_enum(r->json, "", "case_choice", false, choice_names, &choice, NULL, &r->err);
    if (!rc)
        rc = api_json_enum(r->json, "", "ground", false, ground_names, &ground_at, NULL, &r->err);
    if (!rc)
        rc = api_json_string(r->json, "", "ground_text", false, ground.text, sizeof(ground.text),
                             NULL, &r->err);
    if (!rc)
        rc = api_request_app(r, &co, actor, sizeof(actor), &ax);
    if (rc)
        return rc;
    app_error_clear(&ae);
    if (ground_at >= 0)
        ground.ground = (enum app_loss_ground)(ground_at + APP_GROUND_BANKRUPTCY);
    rc = app_loss_register(&ax, id, (enum app_loss_kind)kind, date, (enum app_case_choice)choice,
                           &ground, &res, &ae);
    if (rc) {
        api_error_from_app(&r->err, &ae);
        if (ae.code && !strcmp(ae.code, "agency_case_open"))
            add_impact(r);
        return rc;
    }
    app_error_clear(&ae);
    rc = app_invoices_get(&ax, id, &inv, &ae);
    if (rc)
        return api_error_from_app(&r->err, &ae);
    return api_request_reply(
        r, 201,
        json_pack(
            "{s:s, s:o, s:I, s:I, s:I, s:I, s:o, s:s?, s:b, s:s?, s:s?, s:o}", "kind",
            kind_names[kind], "date", api_render_date(date), "gross_minor",
            (json_int_t)res.gross_minor, "tax_reduction_minor", (json_int_t)res.tax_reduction_minor,
            "net_minor", (json_int_t)res.net_minor, "vat_minor", (json_int_t)res.vat_minor,
            "vouchers", app_loss_vouchers_json(&res), "case_choice",
            res.case_open ? choice_names[choice] : NULL, "case_withdrawn", res.case_withdrawn,
            "ground", ground.ground ? app_loss_ground_name(ground.ground) : NULL, "ground_text",
            ground.text[0] ? ground.text : NULL, "invoice", api_render_invoice(&inv, r->today)));
}
