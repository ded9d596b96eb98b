/*
 * api_router.h — matching a request's method and path against a route table.
 *
 * The routes of the API are data (api_routes.c): a method, a pattern such as
 * "/api/v1/companies/{cid}/invoices/{id}", who may call it and the handler.
 * Matching is pure: literal segments win over parameters, and a parameter
 * matches only a strictly written positive int64 ("12", not "012", "+1" or
 * "1e3"), so "/invoices/counts" and "/invoices/abc" never reach {id}.
 */
#ifndef PM_API_ROUTER_H
#define PM_API_ROUTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

struct api_request;

/* How a caller must be authenticated. */
enum api_auth {
    API_AUTH_NONE,    /* anyone */
    API_AUTH_SESSION, /* a login session (cookie) */
    API_AUTH_ANY,     /* a login session or a bearer token */
};

/* What role the caller needs in the company of the path's {cid}. */
enum api_need {
    API_NEED_READ,       /* any member, any token of the company */
    API_NEED_WRITE,      /* owner, member or token */
    API_NEED_OWNER,      /* owner or token */
    API_NEED_OWNER_USER, /* an owner logged in as a user; tokens may not */
};

struct api_route {
    const char *method;  /* "GET", "POST", "PATCH", "PUT", "DELETE" */
    const char *pattern; /* "/api/v1/companies/{cid}", parameters in braces */
    enum api_auth auth;
    enum api_need need;
    /* Fills the request's reply (or its error) and returns PM_OK or the
     * failure; see api_request.h. */
    enum pm_err (*handler)(struct api_request *r);
};

#define API_PARAMS_MAX     4
#define API_PARAM_NAME_MAX 16

struct api_match {
    const struct api_route *route; /* NULL when nothing matched */
    size_t n_params;
    char names[API_PARAMS_MAX][API_PARAM_NAME_MAX];
    int64_t values[API_PARAMS_MAX];
    /* When the path exists but not for this method: the methods it has,
     * comma separated, for the Allow header. */
    char allow[64];
};

/* Find the route for method and path (no query string) in routes[0..n).
 * HEAD matches GET routes.  PM_OK with m->route set; PM_ERR_NOT_FOUND when
 * no route matches, with m->allow non-empty if the path matched for other
 * methods (405). */
enum pm_err api_router_match(const struct api_route *routes, size_t n, const char *method,
                             const char *path, struct api_match *m);

/* The value of parameter name ("cid") of a match, or 0 when it has none. */
int64_t api_router_param(const struct api_match *m, const char *name);

/* Parse a path segment (or any text) of len bytes as a positive int64 written
 * strictly: digits only, no leading zero, no overflow. */
bool api_router_parse_id(const char *s, size_t len, int64_t *out);

#endif
