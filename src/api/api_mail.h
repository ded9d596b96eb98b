/*
 * api_mail.h — what the reminder and invoice handlers share of e-mail
 * (api_mail.c): a mail as JSON, the channel of a reminder request, and
 * queueing a reminder's mail with its answer.
 */
#ifndef PM_API_MAIL_H
#define PM_API_MAIL_H

#include <jansson.h>
#include <stdint.h>

#include "api/api_request.h"
#include "app/app.h"
#include "store/store_mail.h"

enum api_mail_channel { API_MAIL_LETTER, API_MAIL_EMAIL, API_MAIL_BOTH };

/* A mail as the API shows it (a new reference, or NULL). */
json_t *api_mail_json(const struct mail_row *m);
/* The request body's "channel" (default letter); an e-mail channel on a
 * server without SMTP is 503 mail_not_configured. */
enum pm_err api_mail_channel(struct api_request *r, enum api_mail_channel *out);
/* Queue the reminder's e-mail in the request's transaction; *mail
 * {id, state, to, message_id} of its mail (a new reference). */
enum pm_err api_mail_queue(struct api_request *r, const struct app_ctx *ax, int64_t invoice_id,
                           int64_t reminder_id, json_t **mail);

/* The e-mails of an invoice, newest first (at most 20), as a JSON array;
 * NULL when they cannot be read. */
json_t *api_mail_invoice_part(const struct app_ctx *ax, int64_t invoice_id);

#endif
