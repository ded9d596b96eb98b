/*
 * bgmax_fuzz.c — libFuzzer target for bgmax_parse() (src/core/bgmax.c).
 *
 * Any input is either refused (with a line or reason) or returns a file
 * whose parts agree: every deposit's payments lie inside the payment list
 * and add up to its amount and count, every payment's extra references lie
 * inside the extras list, and the texts are NUL-terminated.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/bgmax.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bgmax_file f;
    struct pm_error e = {0};
    size_t i, k;

    if (bgmax_parse((const char *)data, size, &f, &e) != PM_OK) {
        if (f.payments || f.deposits || f.extras || !e.message[0])
            abort();
        return 0;
    }
    if (f.n_deposits == 0 || (f.marker != 'T' && f.marker != 'P'))
        abort();
    for (i = 0; i < f.n_deposits; i++) {
        const struct bgmax_deposit *d = &f.deposits[i];
        int64_t net = 0;

        if (d->first_payment + d->n_payments > f.n_payments || (int64_t)d->n_payments != d->count)
            abort();
        for (k = d->first_payment; k < d->first_payment + d->n_payments; k++) {
            const struct bgmax_payment *p = &f.payments[k];

            if (p->deposit != i || p->amount_minor < 0 ||
                p->first_extra + p->n_extra > f.n_extras ||
                strnlen(p->reference, sizeof(p->reference)) == sizeof(p->reference) ||
                strnlen(p->info, sizeof(p->info)) == sizeof(p->info) ||
                strnlen(p->payer_name, sizeof(p->payer_name)) == sizeof(p->payer_name))
                abort();
            net += p->deduction ? -p->amount_minor : p->amount_minor;
        }
        if (net != d->amount_minor)
            abort();
    }
    bgmax_file_release(&f);
    return 0;
}
