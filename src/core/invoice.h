/*
 * invoice.h — customer invoices: totals, ROT/RUT split, balance and status.
 *
 * Pure arithmetic on plain structs; storage and I/O live elsewhere.
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

/* The VAT rates (enum vat_index, their basis points) are core/vat.h's table;
 * invoice_vat_rates_bp and invoice_vat_index() are the same list as seen by
 * invoice.c (vat_test checks that they agree). */
extern const int invoice_vat_rates_bp[VAT_RATES]; /* 2500, 1200, 600, 0 */

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
/* Index of a VAT rate, or -1 when bp is not a Swedish rate. */
int invoice_vat_index(int vat_rate_bp);

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

#endif
