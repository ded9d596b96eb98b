/*
 * app_demo.h — what `paminn demo-data` needs of the application beyond
 * the rows it generates.
 *
 * Part of src/app.
 */
#ifndef PM_APP_DEMO_H
#define PM_APP_DEMO_H

#include <stdint.h>

#include "store/store.h"

/* The vouchers of company_id's invoices and payments as the demo data
 * wrote them (SEK invoices; invoice vouchers for the accrual method), in
 * transactions of their own; *made = how many.  today is the company's
 * local date. */
enum pm_err app_demo_vouchers(struct store *st, int64_t company_id, int32_t today, int64_t *made);

#endif
