/*
 * camt054_fuzz.c — libFuzzer target for camt054_parse() (src/bank/camt054.c),
 * validated against the shipped schema (data/camt054.xsd, compiled once).
 *
 * Any input is either refused (with a line or reason, and nothing
 * returned) or returns a file whose parts agree: every deposit's payments
 * lie inside the payment list and add up, deductions subtracted, to its
 * amount; every payment's extra references lie inside the extras list;
 * amounts are within 0..MONEY_MAX; texts are NUL-terminated; a deposit is
 * booked only with a date.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bank/camt054.h"
#include "core/money.h"

#ifndef PAMINN_SOURCE_DIR
#define PAMINN_SOURCE_DIR "."
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct camt054_schema *schema;

static void load_schema(void)
{
    struct pm_error e = {0};

    if (camt054_schema_load(PAMINN_SOURCE_DIR "/data/camt054.xsd", &schema, &e) != PM_OK) {
        fprintf(stderr, "camt054_fuzz: %s\n", e.message);
        abort();
    }
}

#define TERMINATED(s) (strnlen((s), sizeof(s)) < sizeof(s))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bgmax_file f;
    struct pm_error e = {0};
    size_t i, k;

    if (!schema)
        load_schema();
    if (camt054_parse(schema, (const char *)data, size, &f, &e) != PM_OK) {
        if (f.payments || f.deposits || f.extras || !e.message[0] || !e.field[0])
            abort();
        return 0;
    }
    if (f.format != BANKFILE_CAMT054 || !TERMINATED(f.msg_id) || !f.msg_id[0])
        abort();
    for (i = 0; i < f.n_deposits; i++) {
        const struct bgmax_deposit *d = &f.deposits[i];
        int64_t net = 0;

        if (d->first_payment + d->n_payments > f.n_payments || (int64_t)d->n_payments != d->count ||
            d->n_payments == 0 || d->amount_minor < 0 || d->amount_minor > MONEY_MAX ||
            !TERMINATED(d->bank_ref) || !TERMINATED(d->skip_reason) ||
            (!d->skip_reason[0] && (d->date == 0 || strcmp(d->currency, "SEK") != 0)))
            abort();
        for (k = d->first_payment; k < d->first_payment + d->n_payments; k++) {
            const struct bgmax_payment *p = &f.payments[k];

            if (p->deposit != i || p->amount_minor < 0 || p->amount_minor > MONEY_MAX ||
                p->first_extra + p->n_extra > f.n_extras || !TERMINATED(p->reference) ||
                !TERMINATED(p->info) || !TERMINATED(p->payer_name) || !TERMINATED(p->bank_ref) ||
                strlen(p->payer_bankgiro) != 10)
                abort();
            net += p->deduction ? -p->amount_minor : p->amount_minor;
        }
        if (net != d->amount_minor)
            abort();
    }
    for (i = 0; i < f.n_extras; i++) {
        if (!TERMINATED(f.extras[i].reference) || f.extras[i].amount_minor != 0)
            abort();
    }
    bgmax_file_release(&f);
    return 0;
}
