/*
 * invoice.h — customer invoices: totals, ROT/RUT split, balance and status,
 * the state kept with every invoice and what the list's filters select.
 *
 * Pure arithmetic on plain structs; storage and I/O live elsewhere (the
 * store writes the remaining amount and state computed here).
 * A line's net is quantity_milli * unit_price_minor / 1000 rounded half away
 * from zero; VAT is computed per rate on the sum of the nets of that rate.
 * For ROT and RUT the tax reduction is a share of the labour lines' cost
 * including VAT (ROT 30 %, but 50 % for invoices dated 2025-05-12 ..
 * 2025-12-31; RUT 50 %); the customer pays total - reduction and the
 * reduction is a separate receivable from Skatteverket (BAS 1513).
 */
#ifndef PM_INVOICE_H
#define PM_INVOICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/vat.h"
#include "util/err.h"

enum invoice_kind {
    INVOICE_STANDARD,
    INVOICE_ROT,
    INVOICE_RUT,
};

/* The VAT rates (enum vat_index, their basis points and accounts) are
 * core/vat.h's table, the one list of them. */

struct invoice_line {
    int64_t quantity_milli;   /* 1000 = one unit; > 0 */
    int64_t unit_price_minor; /* öre per unit, may be negative for a discount line */
    int vat_rate_bp;          /* 2500, 1200, 600 or 0 */
    bool labour;              /* counts towards ROT/RUT */
};

struct invoice_totals {
    int64_t net_minor;
    int64_t vat_minor;
    int64_t total_minor;         /* net + vat */
    int64_t labour_minor;        /* labour lines incl. VAT */
    int64_t tax_reduction_minor; /* Skatteverket's part (0 for standard) */
    int64_t customer_part_minor; /* total - tax reduction: what the customer pays */
    int64_t net_by_rate[VAT_RATES];
    int64_t vat_by_rate[VAT_RATES];
};

/* "standard" | "rot" | "rut" <-> enum; parse returns PM_ERR_INVALID for others. */
enum pm_err invoice_kind_parse(const char *s, enum invoice_kind *out);
const char *invoice_kind_name(enum invoice_kind kind);

/* Why an invoice's lines carry no VAT (mervärdesskattelagen 2023:200),
 * for its sales account and what the invoice says: nothing said (Swedish
 * exempt sales; services abroad, where the buyer accounts for the VAT),
 * building services with reverse charge to a Swedish company (omvänd
 * betalningsskyldighet, 16 kap. 13 §), or goods to another EU country or
 * out of the EU. */
enum invoice_zero_vat {
    ZERO_VAT_NONE,
    ZERO_VAT_CONSTRUCTION,
    ZERO_VAT_GOODS,
};

/* "" | "construction" | "goods". */
enum pm_err invoice_zero_vat_parse(const char *s, enum invoice_zero_vat *out);
const char *invoice_zero_vat_name(enum invoice_zero_vat z);

/* The tax-reduction share in basis points for kind on invoice_date (0 for standard). */
int invoice_reduction_bp(enum invoice_kind kind, int32_t invoice_date);

/* Compute the totals of n lines (1..1000).  Fills e with the offending field
 * ("lines[3].vat_rate_bp") on PM_ERR_INVALID / PM_ERR_RANGE / PM_ERR_OVERFLOW. */
enum pm_err invoice_compute(enum invoice_kind kind, int32_t invoice_date,
                            const struct invoice_line *lines, size_t n, struct invoice_totals *out,
                            struct pm_error *e);

/* Where an invoice stands, as the list's filters see it. */
enum invoice_status {
    INVOICE_UNPAID,      /* something left, not yet past due */
    INVOICE_OVERDUE,     /* something left and today > due date */
    INVOICE_PAID,        /* nothing left */
    INVOICE_WRITTEN_OFF, /* a confirmed customer loss */
    INVOICE_CREDITED,    /* fully credited */
};
const char *invoice_status_name(enum invoice_status st);

/* The balance-relevant facts of one invoice. */
struct invoice_balance {
    int64_t customer_part_minor; /* what the customer owes in all */
    int64_t paid_minor;          /* payments received (direct or via the agency) */
    int64_t credited_minor;      /* credit notes */
    bool written_off;            /* confirmed loss registered */
    int32_t due_date;
};

/* customer_part - paid - credited (may be negative on an over-payment). */
enum pm_err invoice_remaining(const struct invoice_balance *b, int64_t *out);
enum invoice_status invoice_status_of(const struct invoice_balance *b, int32_t today);
/* Days past due on `today` (0 when not yet due). */
int32_t invoice_days_overdue(int32_t due_date, int32_t today);

/* ---- the state kept with every invoice ---- */

/* What the invoice list keeps per invoice, kept current by the store on
 * every payment, credit, loss and hand-over so that lists never recompute. */
enum invoice_state {
    INVOICE_STATE_OPEN, /* something left to pay */
    INVOICE_STATE_PAID,
    INVOICE_STATE_WRITTEN_OFF,
    INVOICE_STATE_CREDITED,
};

/* The state that follows from the amounts: a written-off invoice stays
 * written off; otherwise open while something is left, credited when credit
 * notes (and no payment) cleared it, else paid (an over-payment too). */
enum invoice_state invoice_state_derive(enum invoice_state current, int64_t remaining, int64_t paid,
                                        int64_t credited);

/* The derived amounts an invoice is stored with. */
struct invoice_standing {
    int64_t paid_minor;
    int64_t remaining_minor;
    enum invoice_state state;
};

/* A new invoice with balance b: its remaining amount, and its state (open
 * or what the amounts make it; written off when b says so).  Amounts that
 * overflow are PM_ERR_OVERFLOW on "customer_part_minor". */
enum pm_err invoice_standing_new(const struct invoice_balance *b, struct invoice_standing *out,
                                 struct pm_error *e);

/* A payment's amount: more than 0 and at most MONEY_MAX, else PM_ERR_RANGE
 * on "amount_minor".  Paying more than remains is allowed here (the
 * remainder goes negative, the invoice counts as paid): whether an
 * over-payment is accepted is decided where the payment is split over
 * capital, fees and interest. */
enum pm_err invoice_payment_check(int64_t amount_minor, struct pm_error *e);

/* The invoice with balance b after a payment of amount_minor: paid,
 * remaining and state.  PM_ERR_RANGE as invoice_payment_check, or
 * PM_ERR_OVERFLOW on "amount_minor". */
enum pm_err invoice_standing_paid(const struct invoice_balance *b, int64_t amount_minor,
                                  struct invoice_standing *out, struct pm_error *e);

/* ---- what the list's filters select ---- */

enum invoice_filter {
    FILTER_ALL,
    FILTER_UNPAID,  /* open (includes overdue) */
    FILTER_OVERDUE, /* open and due_date < today */
    FILTER_AGENCY,  /* handed over to the agency (any agency state) */
    FILTER_PAID,
    FILTER_WRITTEN_OFF, /* customer losses: written off, or an expected loss */
    FILTER_COUNT,
};

/* Unpaid: something is left to pay (the state is open). */
bool invoice_is_unpaid(enum invoice_state state);
/* Overdue: unpaid and the due date is before today. */
bool invoice_is_overdue(enum invoice_state state, int32_t due_date, int32_t today);

/* A filter as the conditions an invoice must meet, all of them: what a
 * store turns into its predicate, and invoice_filter_matches() tests. */
struct invoice_selection {
    bool by_state; /* the state is `state` */
    enum invoice_state state;
    bool past_due;    /* due_date < today */
    bool handed_over; /* handed over to the agency */
    /* with by_state: or an expected customer loss is registered (the
     * customer-loss tab shows the losses feared and those confirmed) */
    bool or_expected_loss;
};

/* PM_ERR_INVALID for a filter out of range. */
enum pm_err invoice_filter_selection(enum invoice_filter filter, struct invoice_selection *out);
/* Does an invoice in `state`, due on due_date, handed over or not, with
 * an expected loss registered or not, pass filter on today? */
bool invoice_filter_matches(enum invoice_filter filter, enum invoice_state state, int32_t due_date,
                            bool handed_over, bool expected_loss, int32_t today);

#endif
