/*
 * vat.h — the Swedish VAT rates (mervärdesskatt), once.
 *
 * Part of core/: data and lookups, no I/O.  25 % is the general rate, 12 %
 * food, hotels and restaurants, 6 % books, newspapers, passenger transport
 * and culture, 0 % exempt sales.  Each rate has its place in per-rate
 * arrays (enum vat_index), its BAS accounts for the sales and the output
 * VAT, and is sent and stored in basis points (2500 = 25 %).
 */
#ifndef PM_VAT_H
#define PM_VAT_H

#include <stdbool.h>

/* The rates' places in per-rate arrays, highest rate first. */
enum vat_index { VAT_25, VAT_12, VAT_6, VAT_0, VAT_RATES };

struct vat_rate {
    int bp;                 /* basis points: 2500, 1200, 600, 0 */
    int sales_account;      /* BAS: 3001, 3002, 3003, 3004 (exempt) */
    int output_vat_account; /* BAS: 2611, 2621, 2631; 0 = no VAT */
};

/* The table, indexed by enum vat_index. */
extern const struct vat_rate vat_rates[VAT_RATES];

/* The index of a rate in basis points, or -1 when bp is not a Swedish rate. */
int vat_index(int bp);
/* Is bp one of the rates? */
bool vat_rate_valid(int bp);

#endif
