/*
 * app_activation.h — activating the Visma Amili service for a company.
 *
 * Part of src/app.  Activation shows the agency's terms, records who
 * accepted which version when, then onboards the company (an account with
 * an active creditor) while the user waits; an agency refusal is stored as
 * state "failed" with the agency's reason, so the record of the attempt
 * stays.
 */
#ifndef PM_APP_ACTIVATION_H
#define PM_APP_ACTIVATION_H

#include <stdbool.h>
#include <stddef.h>

#include "agency/agency_amili.h"
#include "app/app.h"
#include "store/store_agency.h"

#define APP_ACTIVATION_MISSING_MAX 8

/* The company's standing with the agency, as the activation page shows it. */
struct app_activation_view {
    bool have; /* an activation row exists: act */
    struct amili_activation act;
    json_t *terms_body;        /* the agency's terms document, owned; NULL: no answer */
    const char *terms_version; /* in terms_body */
    const char *terms_text;
    size_t n_missing; /* company settings the agency needs and lacks */
    struct agency_amili_missing missing[APP_ACTIVATION_MISSING_MAX];
    const char *agency_url;
    /* activate: the attempt failed at the agency and is recorded as such
     * in act (the error's field is the first of the agency's issues) */
    bool failure_recorded;
};

void app_activation_view_release(struct app_activation_view *v);

/* The view, with the current terms when the agency answers.  Without an
 * agency: agency_not_configured.  Release *v in every case. */
enum pm_err app_activation_show(const struct app_ctx *ax, struct app_activation_view *v,
                                struct app_error *e);

/* Accept terms `version` (accept must be true: terms_not_accepted on
 * "accept_terms") and onboard the company; an active company is answered
 * with its view as it is.  Refusals: agency_unavailable (no terms),
 * terms_version_outdated, company_incomplete (field: the first of
 * v->missing), and agency_refused / agency_unavailable with
 * v->failure_recorded when onboarding failed.  Release *v in every case. */
enum pm_err app_activation_activate(const struct app_ctx *ax, bool accept, const char *version,
                                    struct app_activation_view *v, struct app_error *e);

#endif
