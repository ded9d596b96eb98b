/*
 * agency_payout.h — the books of a payout from Visma Amili: the vouchers
 * its specification lines call for.
 *
 * Part of src/agency, below the API: the status sync stores a payout's
 * lines (agency_payout_lines) and, in the same transaction and under the
 * same "payout:<id>" seen key, books them here, so a payout is booked
 * exactly once or not at all.  The accounts are core/voucher.c's; this
 * module only decides which vouchers one payout makes (docs/books.md):
 *
 *  - one agency_payout voucher per invoice of ours that the lines name, in
 *    the order they first name it, linked to that invoice (one invoice per
 *    voucher keeps the invoice's voucher list right; the SIE export sees
 *    the payout as several #VER whose bank rows add up to the payout);
 *    lines of no invoice of ours make one more voucher without a link;
 *  - before an invoice's payout voucher: capital paid out on an invoice
 *    with a confirmed customer loss first restores the receivable
 *    (voucher_recovery: D 1510 / C 6351 net / C 26xx VAT, at most what is
 *    left of the loss; invoice_books.recovered_minor grows), and capital
 *    on an invoice with an expected loss reverses the loss for the net of
 *    the capital (D 1519 / C 6352; all of it once the invoice is paid);
 *  - companies on the cash method: the capital is booked as a payment
 *    (voucher_payment: D 1930 / C 30xx and 26xx in proportion), the other
 *    lines in the agency_payout voucher.
 */
#ifndef PM_AGENCY_PAYOUT_H
#define PM_AGENCY_PAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "store/store_agency.h"
#include "util/err.h"

struct store;

/* Book the vouchers of the payout payout_id whose lines[0..n) are already
 * matched to invoices (invoice_id, 0 = not ours), inside the caller's
 * transaction (which must roll back on failure).  date is the vouchers'
 * date, created_at their creation time (unix seconds).  *booked counts the
 * vouchers written.
 * PM_ERR_INVALID (e names the line and why) for a line the books cannot
 * take: an unknown finance_category, VAT on anything but commission, a
 * positive commission or negative capital; PM_ERR_RANGE when the payout as
 * a whole pays nothing out.  Store failures keep the store's error. */
enum pm_err agency_payout_book(struct store *st, int64_t company_id, const char *payout_id,
                               const struct agency_payout_line *lines, size_t n, int32_t date,
                               int64_t created_at, size_t *booked, struct pm_error *e);

#endif
