/*
 * vat.c — the table of Swedish VAT rates (see vat.h).
 *
 * Part of core/.
 */
#include "core/vat.h"

#include "core/voucher.h" /* the BAS account numbers */

const struct vat_rate vat_rates[VAT_RATES] = {
    [VAT_25] = {2500, ACC_SALES_25, ACC_OUTPUT_VAT_25},
    [VAT_12] = {1200, ACC_SALES_12, ACC_OUTPUT_VAT_12},
    [VAT_6] = {600, ACC_SALES_6, ACC_OUTPUT_VAT_6},
    [VAT_0] = {0, ACC_SALES_EXEMPT, 0},
};

int vat_index(int bp)
{
    for (int i = 0; i < VAT_RATES; i++)
        if (vat_rates[i].bp == bp)
            return i;
    return -1;
}

bool vat_rate_valid(int bp)
{
    return vat_index(bp) >= 0;
}
