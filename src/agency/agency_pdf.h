/*
 * agency_pdf.h — the invoice as a one-page PDF, uploaded to the agency as
 * the case's original invoice.
 *
 * A plain copy of the invoice (libharu, DejaVu Sans so that å, ä and ö
 * print): seller, customer, number, dates, the lines, the totals (and for
 * ROT/RUT the tax reduction and the customer's part) and the bankgiro.
 * The reminder letters of src/letter/ are a separate matter.
 */
#ifndef PM_AGENCY_PDF_H
#define PM_AGENCY_PDF_H

#include <stddef.h>

#include "store/store.h"
#include "util/err.h"

#define AGENCY_PDF_FONT "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

/* A PDF maker holds the parsed font, so that each invoice costs only its
 * page (loading DejaVu Sans takes longer than drawing).  One per thread. */
struct agency_pdf;

/* NULL with e filled when libharu or the font cannot be loaded. */
struct agency_pdf *agency_pdf_new(struct pm_error *e);
/* Frees and sets *p to NULL; NULL is a no-op. */
void agency_pdf_free(struct agency_pdf **p);

/* Build the PDF into *out (malloc'ed; the caller frees it) of *len bytes. */
enum pm_err agency_pdf_invoice(struct agency_pdf *p, const struct company *co,
                               const struct customer *cu, const struct invoice *inv,
                               const struct invoice_line_row *lines, size_t n_lines,
                               unsigned char **out, size_t *len, struct pm_error *e);

#endif
