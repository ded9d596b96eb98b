/*
 * amili.h — the states of the work with the collection agency (Visma Amili)
 * as C enums, and their one spelling in the database and the API.
 *
 * The C code compares and switches on the enums; the strings appear only
 * where a value leaves or enters the program: the store binds *_name() and
 * parses what it reads with *_parse(), the API renders *_name().  Every
 * *_parse() refuses an unknown string with PM_ERR_INVALID (the store turns
 * that into PM_ERR_DB naming the column); every *_name() returns NULL for a
 * value outside its enum.  Pure: no I/O, static strings only.
 */
#ifndef PM_AMILI_H
#define PM_AMILI_H

#include <stdbool.h>

#include "util/err.h"

/* Where an invoice stands with the agency (invoices.agency_state). */
enum amili_state {
    AMILI_STATE_NONE,       /* "": never handed over (or the claim released) */
    AMILI_STATE_QUEUED,     /* "queued": claimed, the registration not yet accepted */
    AMILI_STATE_REGISTERED, /* "registered": the agency has a case */
    AMILI_STATE_FAILED,     /* "failed": the agency refused the registration */
};

/* A company's activation with the agency (amili_activations.state). */
enum amili_activation_state {
    AMILI_ACTIVATION_PENDING, /* "pending": accepted here, not yet at the agency */
    AMILI_ACTIVATION_ACTIVE,  /* "active" */
    AMILI_ACTIVATION_FAILED,  /* "failed" */
};

/* What an outbox message asks of the agency (outbox.kind). */
enum amili_job {
    AMILI_JOB_REGISTER,         /* "register": hand an invoice over */
    AMILI_JOB_UPLOAD_INVOICE,   /* "upload_invoice": the invoice's PDF to its case */
    AMILI_JOB_REPORT_PAYMENT,   /* "report_payment": the customer paid the company */
    AMILI_JOB_REPORT_CREDITING, /* "report_crediting": a credit note */
    AMILI_JOB_CANCEL,           /* "cancel": withdraw the case */
    AMILI_JOB_UNKNOWN,          /* a stored kind this build does not know: refused alone */
};

/* Whether the invoice is with the agency (queued or registered): it then
 * gets no reminders of ours, and payments to the company are reported. */
bool amili_state_with_agency(enum amili_state s);

const char *amili_state_name(enum amili_state s);
enum pm_err amili_state_parse(const char *s, enum amili_state *out);

const char *amili_activation_state_name(enum amili_activation_state s);
enum pm_err amili_activation_state_parse(const char *s, enum amili_activation_state *out);

const char *amili_job_name(enum amili_job j);
enum pm_err amili_job_parse(const char *s, enum amili_job *out);

#endif
