/*
 * api_rules.c — the rules of the books over HTTP: the company's locked
 * period ("the books are locked up to DATE").
 *
 * Part of src/api: decodes the request, calls app/app_rules.h and renders
 * the answer; the rule itself is core/lock.h's.
 */
#include <string.h>

#include "api/api_handlers.h"
#include "api/api_json.h"
#include "api/api_render.h"
#include "api/api_request.h"
#include "app/app_rules.h"

static json_t *lock_json(int32_t through)
{
    return json_pack("{s:o}", "books_locked_through",
                     through > 0 ? api_render_date(through) : json_null());
}

enum pm_err api_rules_lock_show(struct api_request *r)
{
    struct app_ctx ax;
    struct app_error ae;
    int32_t through = 0;
    enum pm_err rc;

    rc = api_request_app(r, NULL, NULL, 0, &ax);
    if (rc)
        return rc;
    app_error_clear(&ae);
    if (app_rules_books_locked(&ax, &through, &ae))
        return api_error_from_app(&r->err, &ae);
    return api_request_reply(r, 200, lock_json(through));
}

/* {"books_locked_through": "YYYY-MM-DD"} locks, null unlocks. */
enum pm_err api_rules_lock_update(struct api_request *r)
{
    static const char *const keys[] = {"books_locked_through", NULL};
    struct app_ctx ax;
    struct app_error ae;
    struct company co;
    char actor[STORE_EMAIL_MAX];
    int32_t through = 0;
    enum pm_err rc;

    rc = api_json_check_keys(r->json, "", keys, &r->err);
    if (!rc && !json_is_null(json_object_get(r->json, "books_locked_through")))
        rc = api_json_date(r->json, "", "books_locked_through", true, &through, NULL, &r->err);
    if (!rc)
        rc = api_request_app(r, &co, actor, sizeof(actor), &ax);
    if (rc)
        return rc;
    app_error_clear(&ae);
    if (app_rules_lock_books(&ax, through, &ae))
        return api_error_from_app(&r->err, &ae);
    return api_request_reply(r, 200, lock_json(through));
}
