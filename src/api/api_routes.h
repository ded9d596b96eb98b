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

/* The embedded docs/api/openapi.yaml (generated at build time). */
extern const unsigned char api_openapi_yaml[];
extern const size_t api_openapi_yaml_len;

#endif
