/*
 * voucher.h — bookkeeping vouchers (verifikationer) on the BAS chart of
 * accounts, built purely from the facts of an event.
 *
 * Part of core/: no I/O.  The store numbers and keeps vouchers (and refuses
 * one that does not balance); the API decides when an event calls for one;
 * this module decides which accounts are debited and credited, with the
 * rules of the domain notes (swedish-rules.md §5):
 *
 *   invoice issued   D 1510 customer part, D 1513 ROT/RUT part,
 *                    C 3001/3002/3003/3004 net per VAT rate (foreign
 *                    customers without VAT: services 3308 inside the EU,
 *                    3305 outside, goods 3108 and 3105; building services
 *                    with reverse charge 3231), C 2611/2621/2631 VAT
 *   payment          D 1930; C 1510 capital, C 3930 reminder fee and
 *                    förseningsersättning, C 8313 interest, C 2420 what was
 *                    paid beyond the claim (cash-method companies: the
 *                    capital credits sales and VAT in proportion instead)
 *   expected loss    D 6352 / C 1519, net of VAT (and its reversal)
 *   confirmed loss   D 6351 net, D 26xx VAT of the lost part, C 1510 the
 *                    customer's part, C 1513 its ROT/RUT share
 *   recovery         D 1510 (and D 1513 its ROT/RUT share) / C 6351 net,
 *                    C 26xx VAT (then the payment)
 *   agency payout    D 1930 paid out; C 1510 capital, C 8313 interest,
 *                    C 3930 creditor outlay, D 6062 commission,
 *                    D 2641 input VAT on it; capital of an invoice written
 *                    off as a confirmed loss credits 6351 / 26xx instead
 *
 * Every builder returns a voucher whose debits equal its credits, or an
 * error; amounts are split with money_mul_div() and the rounding rest goes
 * to the net row, so a voucher balances to the öre.
 */
#ifndef PM_VOUCHER_H
#define PM_VOUCHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/invoice.h"
#include "util/err.h"

/* BAS accounts the product books on. */
enum {
    ACC_RECEIVABLES = 1510,
    ACC_RECEIVABLES_TAX_REDUCTION = 1513,
    ACC_RECEIVABLES_WRITE_DOWN = 1519,
    ACC_BANK = 1930,
    ACC_CUSTOMER_ADVANCES = 2420,
    ACC_OUTPUT_VAT_25 = 2611,
    ACC_OUTPUT_VAT_12 = 2621,
    ACC_OUTPUT_VAT_6 = 2631,
    ACC_INPUT_VAT = 2641,
    ACC_SALES_25 = 3001,
    ACC_SALES_12 = 3002,
    ACC_SALES_6 = 3003,
    ACC_SALES_EXEMPT = 3004,
    ACC_SALES_NON_EU = 3305,
    ACC_SALES_EU = 3308,
    ACC_SALES_GOODS_NON_EU = 3105,
    ACC_SALES_GOODS_EU = 3108,
    ACC_SALES_CONSTRUCTION_REVERSE = 3231,
    ACC_REMINDER_FEES = 3930,
    ACC_COLLECTION_FEES = 6062,
    ACC_CONFIRMED_LOSS = 6351,
    ACC_EXPECTED_LOSS = 6352,
    ACC_INTEREST_INCOME = 8313,
};

/* The Swedish name of an account of the product's chart, or NULL. */
const char *voucher_account_name(int account);
/* True for balance-sheet accounts (classes 1 and 2). */
bool voucher_account_is_balance(int account);

#define VOUCHER_ROWS_MAX 24
#define VOUCHER_TEXT_MAX 200

struct voucher_row {
    int account;
    int64_t debit_minor;  /* >= 0 */
    int64_t credit_minor; /* >= 0; one of the two is 0 */
};

struct voucher {
    int64_t company_id;
    int year;       /* fiscal year of date (voucher_year()); set by the store */
    int64_t number; /* per company and fiscal year; set by the store */
    int32_t date;
    char text[VOUCHER_TEXT_MAX];
    char source[32];    /* "invoice", "payment", "expected_loss", ... */
    int64_t invoice_id; /* the invoice it concerns, 0 = none */
    int64_t created_at;
    size_t n_rows;
    struct voucher_row rows[VOUCHER_ROWS_MAX];
};

/* An empty voucher for date with text and source (both truncated to fit). */
void voucher_init(struct voucher *v, int32_t date, const char *source, const char *text);
/* Add a row; a zero amount adds nothing, a negative amount goes to the
 * other side.  Rows on the same account and side are merged.
 * PM_ERR_RANGE when the voucher is full, PM_ERR_OVERFLOW on overflow. */
enum pm_err voucher_debit(struct voucher *v, int account, int64_t amount_minor);
enum pm_err voucher_credit(struct voucher *v, int account, int64_t amount_minor);
/* Sum of debits and of credits (PM_ERR_OVERFLOW beyond int64). */
enum pm_err voucher_sums(const struct voucher *v, int64_t *debit, int64_t *credit);
/* Two or more rows, and debits == credits. */
bool voucher_balanced(const struct voucher *v);

/* ---- what may be booked, and its number ---- */

/* Whether v may be booked: a date of the calendar's range (DATE_MIN_YEAR ..
 * DATE_MAX_YEAR), 2 .. VOUCHER_ROWS_MAX rows, each on a four-digit account
 * (1000 .. 9999) with an amount on exactly one side and none negative, and
 * debits equal to credits.  PM_ERR_INVALID otherwise, with the field
 * ("date" or "rows") and what is wrong in e (may be NULL).  The store
 * calls it before it writes a voucher; the database's triggers and CHECKs
 * hold the same line underneath. */
enum pm_err voucher_check(const struct voucher *v, struct pm_error *e);

/* The series a voucher dated `date` is numbered in: the company's fiscal
 * year containing it, by the calendar year the fiscal year starts in
 * (core/fiscal.h; fiscal_start_month 1 makes it the calendar year).  With
 * start month 5, 2026-04-30 is in 2025 (2025/26) and 2026-05-01 in 2026
 * (2026/27).  Each company numbers each year's vouchers 1, 2, 3 ... in the
 * order they are booked, with no gaps among the vouchers kept. */
int voucher_year(int32_t date, int fiscal_start_month);
/* The number of the next voucher of a series whose highest number so far
 * is `highest` (0: none yet).  PM_ERR_RANGE for a negative highest,
 * PM_ERR_OVERFLOW at the end of int64. */
enum pm_err voucher_next_number(int64_t highest, int64_t *out);

/* Where an invoice's customer is, for the sales accounts. */
enum voucher_market { MARKET_SWEDEN, MARKET_EU, MARKET_OUTSIDE_EU };
/* From an ISO 3166-1 alpha-2 code ("" = Sweden). */
enum voucher_market voucher_market_of(const char *country);

/* The facts of an invoice the builders need. */
struct voucher_invoice {
    int64_t number;
    const char *customer_name;
    enum voucher_market market;
    enum invoice_zero_vat zero_vat;
    struct invoice_totals totals; /* from invoice_compute() */
};

/* The sales account of VAT rate index i (enum vat_index) for inv: the
 * rate's account, or for 0 % the one its market and zero-VAT reason give. */
int voucher_sales_account(const struct voucher_invoice *inv, int i);

enum pm_err voucher_invoice_issued(const struct voucher_invoice *inv, int32_t date,
                                   struct voucher *out);

/* May an invoice of vat_minor VAT to a customer in market (a company or
 * not) give zero_vat as its reason?  Reverse charge on building services
 * only to a Swedish company, goods only abroad, and either only without
 * VAT on any line.  PM_ERR_INVALID with field "zero_vat" and why. */
enum pm_err voucher_zero_vat_check(enum invoice_zero_vat zero_vat, enum voucher_market market,
                                   bool company, int64_t vat_minor, struct pm_error *e);

/* One payment to an invoice, already split by the caller (capital first,
 * then the reminder's fees and interest, the rest over-paid). */
struct voucher_payment {
    int64_t amount_minor;   /* what reached the bank */
    int64_t capital_minor;  /* reduces the receivable */
    int64_t fees_minor;     /* reminder fee + förseningsersättning */
    int64_t interest_minor; /* late-payment interest */
    int64_t overpaid_minor; /* beyond the claim: owed back to the customer */
    bool cash_method;       /* kontantmetoden: capital is sales + VAT now */
    bool from_advances;     /* the money was held on 2420, not the bank account */
    const char *via;        /* "Bankgiro", "Inbetalning" ... for the text */
    const char *reference;  /* OCR or message, may be "" */
};

enum pm_err voucher_payment(const struct voucher_invoice *inv, const struct voucher_payment *p,
                            int32_t date, struct voucher *out);

/* A customer loss of the customer's unpaid part (VAT included).  On a
 * ROT/RUT invoice the tax reduction of that part is lost with it: the
 * Tax Agency pays it only for work the buyer has paid for (lag 2009:194,
 * 8 §), so the loss clears that share of 1513 too.  gross_minor is the
 * whole loss, customer part and tax reduction; the VAT share per rate
 * follows the invoice's VAT.  Fills net and vat_by_rate so that a later
 * recovery can restore them. */
struct voucher_loss {
    int64_t gross_minor;
    int64_t net_minor;
    int64_t vat_by_rate[VAT_RATES];
    int64_t tax_reduction_minor; /* of gross, the part on 1513 */
};
enum pm_err voucher_loss_split(const struct voucher_invoice *inv, int64_t customer_minor,
                               struct voucher_loss *out);
/* What the customer owed of a loss (gross less the tax reduction part). */
int64_t voucher_loss_customer_part(const struct voucher_loss *loss);

enum pm_err voucher_expected_loss(const struct voucher_invoice *inv, int64_t net_minor,
                                  int32_t date, struct voucher *out);
enum pm_err voucher_expected_loss_reversal(const struct voucher_invoice *inv, int64_t net_minor,
                                           int32_t date, struct voucher *out);
enum pm_err voucher_confirmed_loss(const struct voucher_invoice *inv,
                                   const struct voucher_loss *loss, int32_t date,
                                   struct voucher *out);
/* Money received on an invoice written off as a confirmed loss: restore
 * the receivable for amount_minor (debit 1510, and 1513 for the tax
 * reduction that becomes claimable with it) against the loss account and
 * the output VAT in the loss's proportions (amount <= the customer part). */
enum pm_err voucher_recovery(const struct voucher_invoice *inv, const struct voucher_loss *loss,
                             int64_t amount_minor, int32_t date, struct voucher *out);

/* ---- agency payouts ---- */

enum payout_category {
    PAYOUT_CAPITAL,    /* capital collected */
    PAYOUT_INTEREST,   /* interest passed on */
    PAYOUT_OUTLAY,     /* creditor fees collected for the creditor */
    PAYOUT_COMMISSION, /* the agency's commission (negative), VAT in vat_minor */
};

/* One line of a payout specification (finance--payout-specifications). */
struct payout_line {
    enum payout_category category;
    int64_t amount_minor; /* as specified: commission lines are negative */
    int64_t vat_minor;    /* commission VAT, negative; 0 otherwise */
    /* For capital of an invoice written off as a confirmed loss: the loss
     * (gross > 0) to recover against; NULL otherwise. */
    const struct voucher_loss *loss;
};

/* "capital" | "interest" | "creditor_outlay" | "creditor_commission". */
enum pm_err voucher_payout_category_parse(const char *s, enum payout_category *out);

/* One voucher for lines[0..n) of a payout (all of it, or the lines of one
 * invoice): the bank receives the sum, debited on 1930 — or credited when
 * the lines net to less than nothing (a commission the agency kept from
 * other money of the payout).  Lines that all are zero make no voucher
 * (PM_ERR_INTERNAL: nothing balances); the caller decides whether a whole
 * payout of nothing is acceptable. */
enum pm_err voucher_agency_payout(const struct payout_line *lines, size_t n, const char *payout_id,
                                  int32_t date, struct voucher *out);

#endif
