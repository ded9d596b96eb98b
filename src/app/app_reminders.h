/*
 * app_reminders.h — manual payment reminders: one invoice at a time or many
 * at once, and their PDF letters.
 *
 * Part of src/app.  One function decides and writes every reminder, alone
 * or in a batch, so the same rules hold for both: the amounts come from
 * core/reminder.h, the letter from letter/letter.h.  A reminder is refused
 * for an invoice handed to the agency (handed_over: it does the dunning),
 * for one not overdue (not_overdue) and for one with nothing left
 * (nothing_left).  Each reminder stores the snapshot of its letter (so it
 * prints again exactly as sent), counts on the invoice and adds a
 * "reminder" history event; a single reminder also stores its PDF, a batch
 * stores one merged PDF.
 */
#ifndef PM_APP_REMINDERS_H
#define PM_APP_REMINDERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "core/reminder.h"
#include "store/store_books.h"
#include "util/buf.h"

/* The path of a reminder's letter and of a batch's letters in the API
 * (kept in the history event and answered to clients). */
void app_reminders_letter_url(const struct reminder *rm, char *dst, size_t cap);
void app_reminders_batch_url(int64_t company_id, int64_t batch_id, char *dst, size_t cap);

/* The interest periods of a reminder [{from, to, rate_bp}] as its letter's
 * snapshot keeps them and the API shows them (new reference, or NULL). */
json_t *app_reminders_periods_json(const struct reminder_rate_period *p, size_t n);

/* Make the reminder of invoice_id dated `date` (at most today; out_of_range
 * on "date" otherwise), store it with its PDF letter into *out (large:
 * allocate it) with its amounts.  Runs in the caller's transaction. */
enum pm_err app_reminders_create(const struct app_ctx *ax, int64_t invoice_id, int32_t date,
                                 struct reminder *out, struct reminder_amounts *amounts,
                                 struct app_error *e);

/* How a reminder of a dunning run is made (app_dunning.c): its level
 * (0 = manual), whether the level charges fees (a reminder fee only where
 * the invoice agreed it and none was charged, förseningsersättning as for
 * a manual reminder; neither without), the batch whose merged letters it
 * joins (0 = none), whether its own PDF is stored, and the level's
 * opening text in Swedish and English (NULL = the standard text). */
struct app_reminder_opts {
    int level;
    bool allow_fee;
    int64_t batch_id;
    bool store_pdf;
    const char *intro_sv, *intro_en;
};

/* app_reminders_create with the options of a run (see above); a second
 * reminder of one level on an invoice is a conflict from the store. */
enum pm_err app_reminders_make(const struct app_ctx *ax, int64_t invoice_id, int32_t date,
                               const struct app_reminder_opts *o, struct reminder *out,
                               struct reminder_amounts *amounts, struct app_error *e);

/* A new empty batch for letters (its id into *batch_id). */
enum pm_err app_reminders_batch_new(const struct app_ctx *ax, int64_t total, int64_t *batch_id,
                                    struct app_error *e);

/* Print the letters of every reminder of batch_id from their snapshots
 * into one PDF and store it as the batch's letters (nothing when it has
 * no reminder). */
enum pm_err app_reminders_batch_print(const struct app_ctx *ax, int64_t batch_id,
                                      struct app_error *e);

/* What became of one invoice of a batch: made (err->rc == PM_OK; rm and a
 * are set) or refused (err says why; rm and a are NULL).  Its result
 * stops the batch when not PM_OK. */
typedef enum pm_err (*app_reminder_each)(void *arg, int64_t invoice_id, const struct reminder *rm,
                                         const struct reminder_amounts *a,
                                         const struct app_error *err);

struct app_reminder_batch {
    int64_t batch_id;
    size_t total;   /* invoices asked for */
    size_t created; /* reminders made */
};

/* Remind ids[0..n) dated `date` (at most today) as one batch: every
 * invoice is decided on its own — a repeated id or a refusal is reported
 * to each() and the rest go on; a failure of the store or of the letters
 * stops the whole batch.  The letters of the reminders made are stored as
 * one merged PDF.  Runs in the caller's transaction. */
enum pm_err app_reminders_bulk(const struct app_ctx *ax, const int64_t *ids, size_t n, int32_t date,
                               app_reminder_each each, void *arg, struct app_reminder_batch *out,
                               struct app_error *e);

/* The PDF letter of reminder_id on invoice_id, appended to *pdf: the one
 * stored, or for a reminder made in a batch, printed again from its
 * snapshot (reminder_not_found on "rid" when there is no such reminder). */
enum pm_err app_reminders_letter(const struct app_ctx *ax, int64_t invoice_id, int64_t reminder_id,
                                 struct buf *pdf, struct app_error *e);

/* The merged letters of a batch, appended to *pdf (batch_not_found on
 * "batch_id" when none were printed). */
enum pm_err app_reminders_batch_letters(const struct app_ctx *ax, int64_t batch_id, struct buf *pdf,
                                        struct app_error *e);

#endif
