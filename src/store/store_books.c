/*
 * store_books.c — the store_books_*() wrappers: one line each over the
 * engine's struct store_books_ops (store_books.h), which the engine's
 * struct store_ops points at.  Nothing here knows SQL.
 */
#include "store/store_books.h"
#include "store/store_driver.h"

#define BOOKS(st) ((st)->ops->books)

enum pm_err store_books_reminder_insert(struct store *st, struct reminder *r, const void *pdf,
                                        size_t pdf_len)
{
    return BOOKS(st)->reminder_insert(st, r, pdf, pdf_len);
}

enum pm_err store_books_reminder_get(struct store *st, int64_t company_id, int64_t invoice_id,
                                     int64_t id, struct reminder *out, void **pdf, size_t *pdf_len)
{
    return BOOKS(st)->reminder_get(st, company_id, invoice_id, id, out, pdf, pdf_len);
}

enum pm_err store_books_reminder_list_batch(struct store *st, int64_t company_id, int64_t batch_id,
                                            int64_t after_id, struct reminder *out, size_t cap,
                                            size_t *n)
{
    return BOOKS(st)->reminder_list_batch(st, company_id, batch_id, after_id, out, cap, n);
}

enum pm_err store_books_reminder_batch_insert(struct store *st, struct reminder_batch *b)
{
    return BOOKS(st)->reminder_batch_insert(st, b);
}

enum pm_err store_books_reminder_batch_put_pdf(struct store *st, int64_t company_id,
                                               int64_t batch_id, const void *pdf, size_t len)
{
    return BOOKS(st)->reminder_batch_put_pdf(st, company_id, batch_id, pdf, len);
}

enum pm_err store_books_reminder_batch_get(struct store *st, int64_t company_id, int64_t batch_id,
                                           struct reminder_batch *out, void **pdf, size_t *len)
{
    return BOOKS(st)->reminder_batch_get(st, company_id, batch_id, out, pdf, len);
}

enum pm_err store_books_invoice_get(struct store *st, int64_t company_id, int64_t invoice_id,
                                    struct invoice_books *out)
{
    return BOOKS(st)->invoice_books_get(st, company_id, invoice_id, out);
}

enum pm_err store_books_invoice_put(struct store *st, const struct invoice_books *b)
{
    return BOOKS(st)->invoice_books_put(st, b);
}

enum pm_err store_books_invoice_write_off(struct store *st, int64_t company_id, int64_t invoice_id)
{
    return BOOKS(st)->invoice_write_off(st, company_id, invoice_id);
}

enum pm_err store_books_voucher_insert(struct store *st, struct voucher *v)
{
    return BOOKS(st)->voucher_insert(st, v);
}

enum pm_err store_books_voucher_list(struct store *st, int64_t company_id, int32_t from, int32_t to,
                                     int after_year, int64_t after_number, struct voucher *out,
                                     size_t cap, size_t *n)
{
    return BOOKS(st)->voucher_list(st, company_id, from, to, after_year, after_number, out, cap, n);
}

enum pm_err store_books_voucher_balances(struct store *st, int64_t company_id, int32_t before,
                                         struct account_balance *out, size_t cap, size_t *n)
{
    return BOOKS(st)->voucher_balances(st, company_id, before, out, cap, n);
}

enum pm_err store_books_bgmax_remember(struct store *st, int64_t company_id, const char *identity,
                                       int64_t at)
{
    return BOOKS(st)->bgmax_remember(st, company_id, identity, at);
}

enum pm_err store_books_receivables_sum(struct store *st, int64_t company_id, int32_t due_from,
                                        int32_t due_to, int64_t *count, int64_t *remaining)
{
    return BOOKS(st)->receivables_sum(st, company_id, due_from, due_to, count, remaining);
}
