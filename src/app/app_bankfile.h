/*
 * app_bankfile.h — importing a bank file of incoming payments: Bankgirot's
 * BgMax, or an ISO 20022 camt.054 notification.
 *
 * Part of src/app.  The HTTP routes POST .../payments/bgmax and
 * .../payments/camt054 and `paminn import-bgmax` / `import-camt054` import
 * through app_bankfile_import_bgmax() and app_bankfile_import_camt054():
 * both formats are read into one structure (core/bgmax.h) and matched and
 * booked by the same code, so the rules and the report are the same:
 * a file is refused whole or every payment in it is matched to an invoice
 * (by its OCR reference, else an OCR number or invoice number in its
 * texts) and registered as app_payments_register() does, the money that
 * matched nothing booked on 2420 per deposit.  The report says what
 * matched, what did not, and the over- and under-payments.
 */
#ifndef PM_APP_BANKFILE_H
#define PM_APP_BANKFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "app/app_payments.h"
#include "core/bgmax.h"
#include "store/store_unmatched.h"

/* A payment matched to an invoice and registered. */
struct app_bgmax_match {
    size_t line; /* of the payment's record */
    int64_t invoice_id;
    int64_t invoice_number;
    int64_t amount_minor;
    const char *reference;  /* the reference it was matched by */
    const char *matched_by; /* "ocr" | "invoice_number" */
    const char *status;     /* "paid" | "part_paid" | "overpaid" */
    int64_t remaining_minor;
    int64_t overpaid_minor;
    bool reported_to_agency;
    const char *bank_ref; /* camt.054: the transaction's bank reference; "" in BgMax */
};

/* An amount that matched no invoice (or a credit the payer deducted). */
struct app_bgmax_unmatched {
    size_t line;
    int64_t amount_minor; /* negative for a deducted credit */
    const char *reference;
    const char *payer_name;
    const char *message;
    const char *bank_ref; /* camt.054: the transaction's bank reference; "" in BgMax */
    const char *reason;   /* English */
    int64_t id;           /* its row, to place it later (0: a deducted credit) */
    int64_t suggested_invoice_id, suggested_invoice_number; /* 0: no suggestion */
};

/* A deduction record (21) of a deposit, booked D 2420 / C 1930 on a
 * voucher of its own (Påminn keeps no credit notes to set it against). */
struct app_bgmax_deduction {
    size_t line;
    int64_t amount_minor;
    const char *reference;
    const char *payer_name;
    const char *payer_bankgiro;
    int deduction_code;
    int64_t invoice_number; /* the invoice its reference names; 0 = none */
    int voucher_year;
    int64_t voucher_number;
};

/* The part of a payment beyond everything its invoices claimed: owed
 * back to the payer, booked on 2420 with the last invoice's payment. */
struct app_bgmax_overpayment {
    size_t line;
    const char *payer_bankgiro; /* "0000000000" when unknown */
    const char *payer_name;
    int64_t amount_minor;
    int64_t invoice_number; /* the invoice whose voucher holds it */
};

/* What an import did.  Texts point into file, which the report owns;
 * release it with app_bgmax_report_release(). */
struct app_bgmax_report {
    char file_identity[96];
    struct app_bgmax_match *matched;
    size_t n_matched;
    struct app_bgmax_unmatched *unmatched;
    size_t n_unmatched;
    struct app_bgmax_deduction *deductions;
    size_t n_deductions;
    struct app_bgmax_overpayment *payer_overpayments;
    size_t n_payer_overpayments;
    int64_t matched_minor, unmatched_minor, deductions_minor, deposits_minor;
    bool dry_run; /* nothing was kept: the report says what would be booked */
    struct bgmax_file file;
};

void app_bgmax_report_release(struct app_bgmax_report *rep);

/* How a file is read. */
struct app_bgmax_options {
    bool dry_run;         /* book nothing: the report says what would be booked */
    bool allow_test_file; /* read a test file (marked T), which is always a dry run */
};

/* Import the len bytes at data.  Refused whole: bgmax_invalid naming the
 * line (the parser's reason as {"reason": ...} in e->extra),
 * bgmax_test_file (a test file, unless dry_run or allow_test_file),
 * bankgiro_mismatch, already_imported.  A test file never reaches the
 * ledger: it is read as a dry run.  A dry run does everything an import
 * does (so its report and its refusals are the import's) and then undoes
 * it (store_mark()); rep->dry_run says so.  Runs in the caller's
 * transaction.  *rep is filled as far as the import got: release it in
 * every case. */
enum pm_err app_bankfile_import_bgmax(const struct app_ctx *ax, const char *data, size_t len,
                                      const struct app_bgmax_options *opt,
                                      struct app_bgmax_report *rep, struct app_error *e);

/* The same for a camt.054 file (bank/camt054.h, validated with the
 * schema ax->camt054_schema): each booked SEK credit entry a deposit, each
 * of its transactions a payment.  Refused whole: camt054_invalid naming
 * the line (the reader's reason, with the element, in e->extra),
 * bankgiro_mismatch (an account given as a bankgiro number, BGNR, other
 * than the company's), already_imported (the file by its GrpHdr/MsgId,
 * "CAMT054-<MsgId>"; each entry by its account and AcctSvcrRef).  Debit,
 * pending and non-SEK entries are listed in skipped_deposits with their
 * reason and a warning.  Runs in the caller's transaction; release *rep in
 * every case. */
enum pm_err app_bankfile_import_camt054(const struct app_ctx *ax, const char *data, size_t len,
                                        const struct app_bgmax_options *opt,
                                        struct app_bgmax_report *rep, struct app_error *e);

/* The report as its JSON document {file_identity, test_marker, matched,
 * unmatched, overpayments, underpayments, deductions, totals, warnings,
 * first_warning}: what the HTTP API answers and `import-bgmax --json`
 * prints (new reference, or NULL when memory ran out). */
json_t *app_bgmax_report_json(const struct app_bgmax_report *rep);

/* The bank payments held unmatched on 2420, oldest first, into
 * out[0..cap). */
enum pm_err app_bankfile_unmatched_list(const struct app_ctx *ax, struct unmatched_payment *out,
                                        size_t cap, size_t *n, struct app_error *e);

/* A person places held payment id on invoice_id: registered on the invoice
 * as a bank payment of its own date (app_payments_register_held(): the
 * money leaves 2420), the payment marked placed, and its payer bankgiro
 * known as the invoice's customer from then on.  not_found (id or
 * invoice_id), already_confirmed (id), conflict (invoice_id: credited or
 * not in SEK), books_locked (date).  Runs in the caller's transaction. */
enum pm_err app_bankfile_unmatched_confirm(const struct app_ctx *ax, int64_t id, int64_t invoice_id,
                                           struct unmatched_payment *u,
                                           struct app_payment_result *res, struct app_error *e);

#endif
