/*
 * api_companies.c — the caller's companies and their settings.
 *
 * A user sees the companies they are a member of; a bearer token sees its
 * own company only.  Whoever creates a company becomes its owner, in the
 * same transaction as the company itself.
 */
#include <stdlib.h>

#include "api/api_decode.h"
#include "api/api_handlers.h"
#include "api/api_render.h"
#include "api/api_request.h"
#include "app/app_companies.h"

#define MEMBERSHIPS_MAX 256

/* Append the company `id` to items. */
static enum pm_err append_company(struct api_request *r, const struct app_ctx *ax, json_t *items,
                                  int64_t id)
{
    struct app_error ae;
    struct company co;

    app_error_clear(&ae);
    if (app_companies_get(ax, id, &co, &ae))
        return api_error_from_app(&r->err, &ae);
    if (json_array_append_new(items, api_render_company(&co)))
        return api_error_set(&r->err, PM_ERR_NOMEM, NULL, NULL);
    return PM_OK;
}

enum pm_err api_companies_list(struct api_request *r)
{
    struct membership *list = NULL;
    struct app_ctx ax;
    struct app_error ae;
    json_t *items = json_array();
    size_t n = 0, i;
    enum pm_err rc = PM_OK;

    if (!items)
        return api_error_set(&r->err, PM_ERR_NOMEM, NULL, NULL);
    api_request_app(r, NULL, NULL, 0, &ax);
    if (r->who == API_PRINCIPAL_TOKEN) {
        rc = append_company(r, &ax, items, r->token.company_id);
        goto out_reply;
    }
    list = calloc(MEMBERSHIPS_MAX, sizeof(*list));
    if (!list) {
        rc = api_error_set(&r->err, PM_ERR_NOMEM, NULL, NULL);
        goto out_reply;
    }
    app_error_clear(&ae);
    rc = app_companies_of_user(&ax, r->user.id, list, MEMBERSHIPS_MAX, &n, &ae);
    if (rc) {
        api_error_from_app(&r->err, &ae);
        goto out_reply;
    }
    for (i = 0; !rc && i < n; i++)
        rc = append_company(r, &ax, items, list[i].company_id);
out_reply:
    free(list);
    if (rc) {
        json_decref(items);
        return rc;
    }
    return api_request_reply(r, 200, json_pack("{s:o}", "items", items));
}

enum pm_err api_companies_create(struct api_request *r)
{
    struct app_ctx ax;
    struct app_error ae;
    struct company co;
    char actor[STORE_EMAIL_MAX];
    enum pm_err rc;

    api_decode_company_defaults(&co);
    rc = api_decode_company(r->json, true, &co, &r->err);
    if (!rc)
        rc = api_request_app(r, NULL, actor, sizeof(actor), &ax);
    if (rc)
        return rc;
    app_error_clear(&ae);
    rc = app_companies_create(&ax, &co, r->user.id, &ae);
    if (rc)
        return api_error_from_app(&r->err, &ae);
    return api_request_reply(r, 201, api_render_company(&co));
}

enum pm_err api_companies_show(struct api_request *r)
{
    struct app_ctx ax;
    struct company co;
    enum pm_err rc;

    rc = api_request_app(r, &co, NULL, 0, &ax);
    if (rc)
        return rc;
    return api_request_reply(r, 200, api_render_company(&co));
}

enum pm_err api_companies_update(struct api_request *r)
{
    struct app_ctx ax;
    struct app_error ae;
    struct company co;
    char actor[STORE_EMAIL_MAX];
    enum pm_err rc;

    rc = api_request_app(r, &co, actor, sizeof(actor), &ax);
    if (rc)
        return rc;
    rc = api_decode_company(r->json, false, &co, &r->err);
    if (rc)
        return rc;
    app_error_clear(&ae);
    rc = app_companies_update(&ax, &co, &ae);
    if (rc)
        return api_error_from_app(&r->err, &ae);
    return api_request_reply(r, 200, api_render_company(&co));
}
