/*
 * rotrut.c — the yearly caps of the ROT and RUT tax reductions (see
 * rotrut.h).
 *
 * Part of core/.
 */
#include "core/rotrut.h"

static int64_t nonneg(int64_t v)
{
    return v > 0 ? v : 0;
}

int64_t rotrut_share(int64_t reduction_minor, size_t n, size_t i)
{
    int64_t base, rest;

    if (n == 0 || i >= n)
        return 0;
    base = reduction_minor / (int64_t)n;
    rest = reduction_minor % (int64_t)n;
    return base + ((int64_t)i < rest ? 1 : 0);
}

int64_t rotrut_room(enum invoice_kind kind, const struct rotrut_used *used)
{
    int64_t total = nonneg(ROTRUT_TOTAL_CAP_MINOR - used->rot_minor - used->rut_minor);
    int64_t own;

    switch (kind) {
    case INVOICE_ROT:
        own = nonneg(ROTRUT_ROT_CAP_MINOR - used->rot_minor);
        break;
    case INVOICE_RUT:
        own = nonneg(ROTRUT_RUT_CAP_MINOR - used->rut_minor);
        break;
    default:
        return 0;
    }
    return own < total ? own : total;
}

enum pm_err rotrut_cap(enum invoice_kind kind, int64_t reduction_minor,
                       const struct rotrut_used *used, size_t n, int64_t *capped)
{
    int64_t sum = 0, share, room;
    size_t i;

    *capped = 0;
    if (n == 0 || reduction_minor < 0)
        return PM_ERR_RANGE;
    for (i = 0; i < n; i++) {
        share = rotrut_share(reduction_minor, n, i);
        room = rotrut_room(kind, &used[i]);
        sum += share < room ? share : room;
    }
    *capped = sum;
    return PM_OK;
}
