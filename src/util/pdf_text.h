/*
 * pdf_text.h — a correct text layer for the PDFs libharu writes.
 *
 * libharu 2.4 gives a TrueType font used with its UTF-8 encoder (the
 * product's letters and invoices, in DejaVu Sans) a /ToUnicode stream
 * that is the encoding's CID CMap ("begincidrange"), not a map from codes
 * to Unicode: readers warn ("Invalid 'begincidrange' operator in ToUnicode
 * CMap") and copy, search and screen readers depend on their fallbacks.
 * With that encoder a text code is the character's Unicode code point
 * (two bytes, Identity-H), so the right map is the identity.  This rewrites
 * every /ToUnicode stream of such a document as that identity map (256
 * bfrange lines of one first byte each, as ISO 32000-1 9.10.3 allows) and
 * writes a new cross-reference table for the moved objects.
 *
 * Part of util/: bytes in, bytes out; it reads only documents of the
 * shape libharu writes (numbered objects one after another, one classic
 * xref table, a trailer dictionary).
 */
#ifndef PM_PDF_TEXT_H
#define PM_PDF_TEXT_H

#include <stddef.h>

#include "util/buf.h"
#include "util/err.h"

/* The document pdf[0..len) with its /ToUnicode streams replaced, appended
 * to *out.  PM_ERR_INVALID when the document has not the expected shape
 * (nothing is appended then), PM_ERR_NOMEM. */
enum pm_err pdf_text_fix_tounicode(const unsigned char *pdf, size_t len, struct buf *out);

#endif
