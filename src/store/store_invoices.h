/*
 * store_invoices.h — what the store's invoice files share: the columns an
 * invoice is read with (store_invoices.c) and the text of the invoice list
 * (store_invoice_list.c).  Internal to src/store, and to tests that
 * EXPLAIN the list.
 */
#ifndef PM_STORE_INVOICES_H
#define PM_STORE_INVOICES_H

#include "store/store.h"
#include "store/sql.h"
#include "store/store_driver.h"
#include "util/buf.h"

/* An invoice's columns, invoices aliased i: all from the invoice row (its
 * customer's name is kept there) but the expected loss of its books. */
#define STORE_INVOICE_COLS                                                                 \
    "i.company_id, i.id, i.number, i.customer_id, i.kind, i.currency, i.invoice_date,"     \
    " i.due_date, i.net_minor, i.vat_minor, i.total_minor, i.tax_reduction_minor,"         \
    " i.customer_part_minor, i.paid_minor, i.credited_minor, i.remaining_minor, i.state,"  \
    " i.manual_reminders, i.agency_state, i.agency_status, i.created_at, i.customer_name," \
    " i.reminder_fee_minor, i.zero_vat,"                                                   \
    " COALESCE((SELECT e.expected_loss_minor FROM invoice_books AS e"                      \
    " WHERE e.company_id = i.company_id AND e.invoice_id = i.id), 0)"

/* The first of lines[0..n) that breaks a CHECK of invoice_lines: its index
 * in *at and the check; NULL when none does (the store names the line
 * rather than leave it to the engine's message). */
const char *store_invoice_lines_fault(const struct invoice_line_row *lines, size_t n, size_t *at);

/* Reads the current row of a statement that selects STORE_INVOICE_COLS. */
extern const struct sql_reader store_invoice_reader;
/* The same, then whether a stop of reminders holds today and a handed-over
 * invoice's case id and OCR (the list). */
extern const struct sql_reader store_invoice_listed_reader;

/* The SQL text of the invoice list for query q on a dialect, appended to
 * *out: values are parameters $1..$n, numbered in the order the text
 * first names them.  PM_ERR_INVALID for an unknown filter or sort.  What
 * store_invoice_list() prepares; exposed so that tests can EXPLAIN it. */
enum pm_err store_invoice_list_sql(enum store_dialect dialect, const struct invoice_query *q,
                                   struct buf *out);

#endif
