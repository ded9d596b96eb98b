/*
 * app_loss.h — registering a customer loss (kundförlust) on an invoice:
 * expected (befarad) or confirmed (konstaterad).
 *
 * Part of src/app.  The vouchers follow the domain notes (core/voucher.h):
 * an expected loss writes the net down (6352 / 1519); a confirmed loss
 * first reverses an expected one, then books the net on 6351, takes the
 * output VAT of the lost part back (26xx) and clears the receivable (1510),
 * and marks the invoice written off.  Refused, with a clear code, for
 * companies on the cash method, for disputed invoices (a disputed claim is
 * no loss) and for invoices with nothing left.  An invoice whose case is
 * open at Visma Amili needs an explicit choice: keep the case (later money
 * from the agency is booked as a recovered loss) or withdraw it (a
 * "cancel" message goes to the agency in the same transaction).
 */
#ifndef PM_APP_LOSS_H
#define PM_APP_LOSS_H

#include <stdbool.h>
#include <stdint.h>

#include "app/app.h"

enum app_loss_kind { APP_LOSS_EXPECTED, APP_LOSS_CONFIRMED };
enum app_case_choice { APP_CASE_KEEP, APP_CASE_WITHDRAW, APP_CASE_NONE };

/* Why a confirmed loss is confirmed: it reduces the output VAT
 * (mervärdesskattelagen 2023:200, 15 kap. 9 §), so the ground is required
 * and kept — the customer's bankruptcy, a composition (ackord), collection
 * or enforcement that brought nothing, or another reason in words. */
enum app_loss_ground {
    APP_GROUND_NONE,
    APP_GROUND_BANKRUPTCY,
    APP_GROUND_COMPOSITION,
    APP_GROUND_FRUITLESS_COLLECTION,
    APP_GROUND_OTHER,
};

#define APP_LOSS_GROUND_TEXT_MAX 200

struct app_loss_ground_of {
    enum app_loss_ground ground;
    char text[APP_LOSS_GROUND_TEXT_MAX + 1]; /* required with APP_GROUND_OTHER */
};

#define APP_LOSS_VOUCHERS_MAX 2

struct app_loss_result {
    int64_t gross_minor; /* the customer's unpaid part and its ROT/RUT share, VAT included */
    int64_t tax_reduction_minor; /* of gross, the ROT/RUT share (off 1513) */
    int64_t net_minor;
    int64_t vat_minor;
    size_t n_vouchers;
    struct {
        int year;
        int64_t number;
        char source[32];
    } vouchers[APP_LOSS_VOUCHERS_MAX];
    bool case_open;      /* the invoice had an open case at the agency */
    bool case_withdrawn; /* ... and it is withdrawn */
};

/* "expected" | "confirmed", "keep" | "withdraw"; "bankruptcy" |
 * "composition" | "fruitless_collection" | "other" ("" for none). */
const char *app_loss_kind_name(enum app_loss_kind kind);
const char *app_loss_ground_name(enum app_loss_ground ground);
const char *app_loss_case_choice_name(enum app_case_choice choice);

/* The vouchers booked, [{year, number, source}], as the history event keeps
 * them and the API shows them (new reference, or NULL). */
json_t *app_loss_vouchers_json(const struct app_loss_result *res);

/* Register a loss of `kind` on invoice_id dated `date` (at most today:
 * out_of_range on "date").  Refusals, each before anything is written:
 * required on "ground" for a confirmed loss without one and on
 * "ground_text" for the ground "other" without words,
 * cash_method_not_supported, already_written_off, nothing_to_write_off,
 * disputed, already_expected, and agency_case_open (field case_choice)
 * when the case is open and choice is APP_CASE_NONE.  The ground is kept
 * in the history event.  Runs in the caller's transaction. */
enum pm_err app_loss_register(const struct app_ctx *ax, int64_t invoice_id, enum app_loss_kind kind,
                              int32_t date, enum app_case_choice choice,
                              const struct app_loss_ground_of *ground, struct app_loss_result *out,
                              struct app_error *e);

#endif
