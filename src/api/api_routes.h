/*
 * api_routes.h — the route table of the API, as data.
 *
 * Every route the server answers under /api/v1 is one row of api_routes[]:
 * method, path pattern, how the caller authenticates, which role the caller
 * needs in the path's company, and the handler.  docs/api/openapi.yaml lists
 * the same paths (the API tests check that they agree).
 */
#ifndef PM_API_ROUTES_H
#define PM_API_ROUTES_H

#include <stddef.h>

#include "api/api_router.h"

extern const struct api_route api_routes[];
extern const size_t api_routes_count;

/* ---- routes whose request body has rules of its own ----
 * A row names a route of api_routes[] by method and pattern.  raw_types
 * (comma separated, e.g. "text/plain,application/octet-stream"), when not
 * NULL, means the body is passed to the handler as it came (r->body) instead
 * of as a JSON object; max_body, when larger than the server's, is the
 * largest body the route accepts. */
struct api_route_body {
    const char *method;
    const char *pattern;
    const char *raw_types;
    size_t max_body;
    const char *media_error; /* the error code (415) of a body of another type */
};
extern const struct api_route_body api_route_bodies[];
extern const size_t api_route_bodies_count;
/* The body rules of a matched route, or NULL for the default (JSON object,
 * the server's max_body). */
const struct api_route_body *api_routes_body_rules(const struct api_route *route);
/* ---- end books ---- */

/* The embedded docs/api/openapi.yaml (generated at build time). */
extern const unsigned char api_openapi_yaml[];
extern const size_t api_openapi_yaml_len;

#endif
