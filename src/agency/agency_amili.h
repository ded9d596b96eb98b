/*
 * agency_amili.h — the Visma Amili protocol: what each request looks like
 * and how each answer reads (domain/amili-api.md, docs/amili-sandbox.md).
 *
 * Requests are built into a struct agency_call (agency.h) and answers read
 * from it, so the dispatcher (many calls at once), the status sync and the
 * API (one call, waiting) share them.  Every choice the public
 * documentation leaves open is made in agency_amili.c and listed in its
 * head comment — and in docs/agency.md — so that pointing the client at the
 * real service changes that file only.
 */
#ifndef PM_AGENCY_AMILI_H
#define PM_AGENCY_AMILI_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "agency/agency.h"
#include "store/store.h"
#include "store/store_agency.h"

/* How a finished call went, from the client's point of view. */
enum agency_amili_verdict {
    AGENCY_AMILI_OK,           /* 2xx */
    AGENCY_AMILI_RETRY,        /* transient: timeout, lost or refused connection, 5xx, 429, 408 */
    AGENCY_AMILI_UNAUTHORIZED, /* 401: the token is stale; get a new one and retry */
    AGENCY_AMILI_CONFLICT,     /* 409 */
    AGENCY_AMILI_REFUSED,      /* any other 4xx: the agency will not take it as it is */
};

struct agency_amili_answer {
    enum agency_amili_verdict verdict;
    int status;                  /* HTTP status, 0 when none */
    json_t *body;                /* parsed JSON body or NULL; owned */
    const json_t *issues;        /* body's _issues object or NULL; borrowed */
    char reason[STORE_TEXT_MAX]; /* "customer.address.zip_code: required; ..." or a message */
    int64_t retry_after_s;       /* from Retry-After, -1 when none */
};

/* Read a finished call.  now_s is wall-clock time (for Retry-After dates). */
void agency_amili_answer_read(const struct agency_call *call, int64_t now_s,
                              struct agency_amili_answer *out);
void agency_amili_answer_release(struct agency_amili_answer *a);

/* ---- requests (each fills method, path and body of a reset call) ----
 * Bodies are malloc'ed into *body, which the caller frees after the call. */

/* The JWT signed with the partner's key, sent to the token endpoint. */
void agency_amili_req_token(struct agency_call *c, const char *jwt);
/* The agreement text and version [ours: the sandbox's /_sandbox/agreement]. */
void agency_amili_req_agreement(struct agency_call *c);
enum pm_err agency_amili_req_onboard(struct agency_call *c, const struct company *co, char **body);
enum pm_err agency_amili_req_find_account(struct agency_call *c, const char *organization_no);
enum pm_err agency_amili_req_creditors_of(struct agency_call *c, const char *account_id);
/* POST /case--registrations with a payload built by agency_amili_registration_payload(). */
void agency_amili_req_register(struct agency_call *c, const char *payload);
/* GET /cases?where={"creditor":..., "debt.invoice_number":...} */
enum pm_err agency_amili_req_find_case(struct agency_call *c, const char *creditor,
                                       const char *invoice_number);
void agency_amili_req_get_case(struct agency_call *c, const char *case_id);
/* POST /media--upload/{case}: the PDF as the case's original invoice. */
void agency_amili_req_upload(struct agency_call *c, const char *case_id, const unsigned char *pdf,
                             size_t len);
/* A creditor action for an outbox message: kind AMILI_JOB_REPORT_PAYMENT,
 * _REPORT_CREDITING or _CANCEL (others: PM_ERR_INVALID) with its payload
 * (JSON object text). */
enum pm_err agency_amili_req_action(struct agency_call *c, enum amili_job kind,
                                    const char *creditor, const char *case_id, const char *payload,
                                    char **body);
/* Cases of a creditor changed at or after since_s (agency clock), newest
 * first, page from 1 (AGENCY_AMILI_PAGE_SIZE per page). */
#define AGENCY_AMILI_PAGE_SIZE 100
enum pm_err agency_amili_req_list_cases(struct agency_call *c, const char *creditor,
                                        int64_t since_s, int page);
enum pm_err agency_amili_req_list_payouts(struct agency_call *c, const char *creditor, int page);
enum pm_err agency_amili_req_payout_lines(struct agency_call *c, const char *payout_id, int page);

/* ---- bodies built ahead of sending ---- */

/* What the company settings lack for the agency: fills up to cap entries
 * {code, field, message_sv, message_en}; returns how many. */
struct agency_amili_missing {
    const char *code;
    const char *field;
    const char *message_sv;
    const char *message_en;
};
size_t agency_amili_company_missing(const struct company *co, struct agency_amili_missing *out,
                                    size_t cap);

/* The registration body of one invoice (claim time), malloc'ed into *out.
 * cache (may be NULL) keeps the last customer's part between calls;
 * release it with agency_amili_payload_cache_release(). */
struct agency_amili_payload_cache {
    int64_t customer_id;
    char *customer; /* JSON text, owned */
};
void agency_amili_payload_cache_release(struct agency_amili_payload_cache *c);
enum pm_err agency_amili_registration_payload(const struct amili_activation *act,
                                              const struct handover_row *row,
                                              struct agency_amili_payload_cache *cache, char **out);
/* The invoice number the payload registers ("" when unreadable). */
void agency_amili_payload_invoice_number(const char *payload, char *dst, size_t cap);

/* ---- answers ---- */

struct agency_amili_registered {
    char case_id[STORE_AGENCY_ID_MAX];
    char ocr[32];
    int64_t updated_s; /* agency clock */
};
/* 201 of a registration. */
enum pm_err agency_amili_parse_registered(const json_t *body, struct agency_amili_registered *out);
/* The case id a 409 names for invoice_number ([ours] _existing_cases). */
enum pm_err agency_amili_parse_existing(const json_t *body, const char *invoice_number,
                                        char *case_id, size_t cap);
/* The first item of a list answer, or NULL. */
const json_t *agency_amili_first_item(const json_t *body);
/* Items of a list answer, and whether more pages follow. */
const json_t *agency_amili_items(const json_t *body, int page, bool *more);

/* One case as the product reads it. */
struct agency_amili_case_view {
    char case_id[STORE_AGENCY_ID_MAX];
    char ocr[32];
    char etag[64];
    char invoice_number[STORE_SHORT_MAX];
    char state[STORE_AGENCY_NAME_MAX];
    char status[STORE_AGENCY_NAME_MAX];
    bool closed;
    int64_t updated_s;
    int64_t capital_minor;  /* local_added_capital_amount */
    int64_t costs_minor;    /* local_added_costs_amount */
    int64_t interest_minor; /* local_added_interest_amount */
    int64_t received_minor; /* local_added_transaction_amount [ours: money received] */
    int64_t remaining_capital_minor;
    int64_t remaining_minor;      /* local_remaining_transaction_amount [ours: all still owed] */
    const json_t *state_history;  /* borrowed: [{state, state_date}] */
    const json_t *status_history; /* borrowed: [{status, status_date}] */
    char original_invoice_url[512];
};
enum pm_err agency_amili_case_parse(const json_t *item, struct agency_amili_case_view *out);

/* The agency's case page for users ([ours]: the API base URL + /cases/{id};
 * the real service's user interface address is configuration). */
void agency_amili_case_url(const char *base_url, const char *case_id, char *dst, size_t cap);

#endif
