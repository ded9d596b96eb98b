/*
 * api_decode.h — request bodies of each resource, from JSON to store rows.
 *
 * One decoder per resource (session, company, customer, invoice, payment,
 * token).  Each refuses unknown keys, reads every field strictly
 * (api_json.h), applies the domain's own validation (organisation and
 * personal numbers, VAT rates, ROT/RUT buyers, invoice totals via
 * invoice_compute) and fills a store row.  Pure: no store, no clock (today is
 * passed in), so they are unit-tested and fuzzed directly.  Whatever needs
 * the database (does the customer exist, is the amount within what remains)
 * is checked by the handlers.
 *
 * Patch semantics: company and customer decoders apply only the keys present
 * onto the row passed in (defaults for a create, the stored row for a PATCH).
 */
#ifndef PM_API_DECODE_H
#define PM_API_DECODE_H

#include <jansson.h>
#include <stdbool.h>

#include "api/api_error.h"
#include "app/app_reminder_stops.h"
#include "store/store.h"

struct api_session_input {
    char email[STORE_EMAIL_MAX];
    char password[256];
};

enum pm_err api_decode_session(const json_t *obj, struct api_session_input *out,
                               struct api_error *e);

/* Fill *co with the defaults of a new company (terms 30 days, SE, sv, ...). */
void api_decode_company_defaults(struct company *co);
/* create: name and organization_no are required. */
enum pm_err api_decode_company(const json_t *obj, bool create, struct company *co,
                               struct api_error *e);

void api_decode_customer_defaults(struct customer *c);
/* today settles the century of a 10-digit personnummer. */
enum pm_err api_decode_customer(const json_t *obj, bool create, int32_t today, struct customer *c,
                                struct api_error *e);

/* A new invoice: the row (totals computed), its lines and buyers. */
struct api_invoice_input {
    struct invoice inv;
    struct invoice_line_row lines[STORE_LINES_MAX];
    size_t n_lines;
    struct invoice_buyer buyers[STORE_BUYERS_MAX];
    size_t n_buyers;
};

/* payment_terms_days gives the due date when none is sent.  The caller
 * sets inv.company_id; *out is large: allocate it, don't put it on a stack. */
enum pm_err api_decode_invoice(const json_t *obj, int32_t today, int payment_terms_days,
                               struct api_invoice_input *out, struct api_error *e);

/* date (default today), amount_minor (1..MONEY_MAX), reference. */
/* {kind, text, until, no_interest} of a stop of reminders into *in, whose
 * kind and text point into kind[kind_cap] and text[text_cap].  The kind
 * and the rules of a stop are checked by the application. */
enum pm_err api_decode_reminder_stop(const json_t *obj, char *kind, size_t kind_cap, char *text,
                                     size_t text_cap, struct app_reminder_stop_input *in,
                                     struct api_error *e);
enum pm_err api_decode_payment(const json_t *obj, int32_t today, struct payment *p,
                               struct api_error *e);

/* {name, expires_at} of a new API token into t->name and t->expires_at
 * (unix seconds, 0 = no end): expires_at is a date ("YYYY-MM-DD": the token
 * works through that day in zone tz) or an RFC 3339 instant. */
struct tz;
enum pm_err api_decode_token(const json_t *obj, const struct tz *tz, struct api_token *t,
                             struct api_error *e);

/* The rules the decoders share, for other callers. */
bool api_decode_country_ok(const char *s);
bool api_decode_email_ok(const char *s);

#endif
