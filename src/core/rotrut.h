/*
 * rotrut.h — the yearly caps of the ROT and RUT tax reductions.
 *
 * Part of core/: pure.  The reduction is a right of a private person (a
 * buyer with a personal identity number), capped per buyer and year
 * (inkomstskattelagen 1999:1229, 67 kap. 11 §): RUT at most 75 000 kr,
 * ROT at most 50 000 kr, and ROT and RUT together at most 75 000 kr.  An
 * invoice's reduction is shared equally by its buyers (the first buyers
 * take the öre left over), each share capped by what is left of that
 * buyer's caps after the year's earlier invoices.  The year is the
 * invoice's: Skatteverket pays for the year the customer pays, which the
 * invoice cannot know; an invoice paid in another year may be rejected in
 * part, which the product shows as the customer's debt.
 */
#ifndef PM_ROTRUT_H
#define PM_ROTRUT_H

#include <stddef.h>
#include <stdint.h>

#include "core/invoice.h"
#include "util/err.h"

#define ROTRUT_RUT_CAP_MINOR   7500000 /* 75 000 kr */
#define ROTRUT_ROT_CAP_MINOR   5000000 /* 50 000 kr */
#define ROTRUT_TOTAL_CAP_MINOR 7500000 /* ROT and RUT together */

/* A buyer's reductions earlier in the year. */
struct rotrut_used {
    int64_t rot_minor;
    int64_t rut_minor;
};

/* The share of buyer i (0-based) of n in a reduction: equal parts, the
 * first (reduction mod n) buyers one öre more.  0 when n is 0. */
int64_t rotrut_share(int64_t reduction_minor, size_t n, size_t i);

/* What is left of a buyer's caps for kind (ROT or RUT; 0 for standard). */
int64_t rotrut_room(enum invoice_kind kind, const struct rotrut_used *used);

/* The reduction of an invoice of kind after the caps: each of the n
 * buyers' shares of reduction_minor (rotrut_share) capped by its room
 * (used[i]), summed into *capped.  PM_ERR_RANGE for no buyer or a
 * negative reduction. */
enum pm_err rotrut_cap(enum invoice_kind kind, int64_t reduction_minor,
                       const struct rotrut_used *used, size_t n, int64_t *capped);

#endif
