/*
 * api_routes.c — the table of the API's routes.
 *
 * Order does not matter: literal segments win over parameters
 * (api_router.c).  GET /api/v1/openapi.yaml has a row with a NULL handler:
 * the server answers it from the embedded document, without authentication.
 */
#include "api/api_routes.h"

#include "api/api_handlers.h"

#define V1 "/api/v1"
#define CO V1 "/companies/{cid}"

const struct api_route api_routes[] = {
    {"GET", V1 "/openapi.yaml", API_AUTH_NONE, API_NEED_READ, NULL},

    {"POST", V1 "/session", API_AUTH_NONE, API_NEED_READ, api_session_create},
    {"GET", V1 "/session", API_AUTH_SESSION, API_NEED_READ, api_session_show},
    {"DELETE", V1 "/session", API_AUTH_SESSION, API_NEED_READ, api_session_delete},

    {"GET", V1 "/companies", API_AUTH_ANY, API_NEED_READ, api_companies_list},
    {"POST", V1 "/companies", API_AUTH_ANY, API_NEED_OWNER_USER, api_companies_create},
    {"GET", CO, API_AUTH_ANY, API_NEED_READ, api_companies_show},
    {"PATCH", CO, API_AUTH_ANY, API_NEED_OWNER, api_companies_update},
    {"POST", CO "/tokens", API_AUTH_ANY, API_NEED_OWNER_USER, api_session_token_create},

    {"GET", CO "/customers", API_AUTH_ANY, API_NEED_READ, api_customers_list},
    {"POST", CO "/customers", API_AUTH_ANY, API_NEED_WRITE, api_customers_create},
    {"GET", CO "/customers/{id}", API_AUTH_ANY, API_NEED_READ, api_customers_show},
    {"PATCH", CO "/customers/{id}", API_AUTH_ANY, API_NEED_WRITE, api_customers_update},

    {"GET", CO "/invoices", API_AUTH_ANY, API_NEED_READ, api_invoices_list},
    {"POST", CO "/invoices", API_AUTH_ANY, API_NEED_WRITE, api_invoices_create},
    {"GET", CO "/invoices/counts", API_AUTH_ANY, API_NEED_READ, api_invoices_counts},
    {"GET", CO "/invoices/{id}", API_AUTH_ANY, API_NEED_READ, api_invoices_show},
    {"GET", CO "/invoices/{id}/history", API_AUTH_ANY, API_NEED_READ, api_invoices_history},
    {"POST", CO "/invoices/{id}/payments", API_AUTH_ANY, API_NEED_WRITE,
     api_invoices_payment_create},
};

const size_t api_routes_count = sizeof(api_routes) / sizeof(api_routes[0]);
