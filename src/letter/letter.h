/*
 * letter.h — manual payment reminder letters as PDF (libharu).
 *
 * Part of the letter layer (util → core → letter → api): takes the plain
 * facts of one or more reminders and writes an A4 PDF with one page per
 * letter, in Swedish or English.  When every text of the document fits
 * Windows-1252 (all Swedish and English text, €, dashes and quotes), it
 * uses the PDF standard fonts Helvetica and Helvetica-Bold with
 * WinAnsiEncoding: nothing embedded, 5–11 KB, well under a millisecond.
 * Otherwise DejaVu Sans (regular and bold) is embedded with UTF-8
 * encoding (about 190 KB), so every character of the customer's name
 * prints as written.  The customer's address sits where the window of a
 * C5 window envelope shows it (A4 folded once): 25 mm from the left edge,
 * its first line 50 mm from the top, within 90 × 35 mm.  Capital, fee,
 * förseningsersättning and interest are shown apart, the interest with
 * its rate and period per half-year and the capital it was computed on
 * (as inkassolagen 5 § asks of a demand).
 * Below the bankgiro payment box, when the company has a Swish number and
 * there is something to pay, a Swish payment QR code (letter_swish.h:
 * amount = the total, message = the OCR, nothing editable) with the
 * number and the message written beside it.
 *
 * No I/O besides reading the two font files (only for the second kind);
 * the PDF comes back in a struct buf owned by the caller.
 */
#ifndef PM_LETTER_H
#define PM_LETTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/reminder.h"
#include "core/vat.h"
#include "util/buf.h"
#include "util/err.h"

#define LETTER_FONT_DIR "/usr/share/fonts/truetype/dejavu"

#define LETTER_TEXT      200
#define LETTER_INTRO_MAX 601 /* bytes incl. NUL */

struct letter_reminder {
    bool english;
    /* the creditor */
    char company_name[LETTER_TEXT];
    char company_org_no[LETTER_TEXT]; /* display form */
    char company_address[LETTER_TEXT];
    char company_postal[LETTER_TEXT]; /* "111 22 Stockholm" */
    char company_bankgiro[LETTER_TEXT];
    char company_email[LETTER_TEXT];
    char company_phone[LETTER_TEXT];
    /* Swish för företag, 10 digits (core/swish.h), or "": no Swish QR
     * code (older snapshots have none) */
    char company_swish[16];
    /* the customer, as the envelope window shows it */
    char customer_name[LETTER_TEXT];
    char customer_address_1[LETTER_TEXT];
    char customer_address_2[LETTER_TEXT];
    char customer_postal[LETTER_TEXT];
    char customer_country[LETTER_TEXT]; /* "" for Sweden */
    /* the claim */
    int64_t invoice_number;
    int32_t invoice_date;
    int32_t due_date;
    int32_t date; /* of the reminder */
    int64_t capital_minor;
    int64_t interest_capital_minor; /* what the interest ran on; 0 = it changed (part payments) */
    int64_t fee_minor;
    int64_t late_compensation_minor;
    int64_t earlier_charges_minor;
    int64_t interest_minor;
    struct reminder_rate_period periods[REMINDER_RATE_PERIODS_MAX];
    size_t n_periods;
    bool rate_unknown;
    int32_t rate_unknown_from;
    int64_t total_minor;
    int32_t new_due_date;
    char ocr[32];
    /* the opening paragraph of a dunning level's own text; "" = the
     * standard one */
    char intro[LETTER_INTRO_MAX];
};

/* Write letters[0..n) (n >= 1) as one PDF, a page per letter, into *out
 * (appending).  font_dir NULL means LETTER_FONT_DIR.  PM_ERR_IO when a
 * font is needed (a text outside Windows-1252) and cannot be read,
 * PM_ERR_INTERNAL when libharu fails (e->message gives its error
 * number). */
enum pm_err letter_reminders_pdf(const struct letter_reminder *letters, size_t n,
                                 const char *font_dir, struct buf *out, struct pm_error *e);

/* A credit note (kreditfaktura): the company and the customer as on a
 * reminder letter (party: only those fields and `english` are read), the
 * credit note's number and date, the invoice it credits, the reason, and
 * what it credits per VAT rate, of the ROT/RUT part and of the customer's
 * part, shown as negative amounts as a credit note's are. */
struct letter_credit_note {
    struct letter_reminder party;
    int64_t number;
    int32_t date;
    int64_t invoice_number; /* 0: free-standing */
    int32_t invoice_date;
    char reason[LETTER_INTRO_MAX];
    int64_t net_by_rate[VAT_RATES];
    int64_t vat_by_rate[VAT_RATES];
    int64_t total_minor;
    int64_t tax_reduction_minor;
    char tax_reduction_kind[8]; /* "ROT", "RUT" or "" */
    int64_t customer_part_minor;
};

/* Write the credit note as a one-page PDF into *out (appending); errors
 * as letter_reminders_pdf(). */
enum pm_err letter_credit_note_pdf(const struct letter_credit_note *c, const char *font_dir,
                                   struct buf *out, struct pm_error *e);

/* A customer statement (kontoutdrag): the company and the customer as on
 * a reminder letter (party: only those fields and `english` are read),
 * the open items as of a date with their interest to that date, the
 * totals, how to pay (bankgiro, each invoice's OCR reference) and the
 * payments and credit notes of a period.  As many A4 pages as the items
 * need, each numbered "Sida 1 av 2" / "Page 1 of 2"; the tables' headings
 * are repeated on every page they continue on. */
struct letter_statement_item {
    int64_t invoice_number;
    int32_t invoice_date;
    int32_t due_date;
    int64_t amount_minor;
    int64_t remaining_minor;
    int64_t interest_minor;
    bool rate_unknown; /* interest over the known days only (marked *) */
    int32_t days_overdue;
    char ocr[32];
};

struct letter_statement_move {
    bool credit; /* a credit note, else a payment */
    int32_t date;
    int64_t invoice_number; /* 0: a free-standing credit note */
    int64_t number;         /* a credit note's number */
    int64_t amount_minor;
};

struct letter_statement {
    struct letter_reminder party;
    int32_t as_of;
    int32_t from, to;
    const struct letter_statement_item *items;
    size_t n_items;
    const struct letter_statement_move *moves;
    size_t n_moves;
    int64_t remaining_minor;
    int64_t interest_minor;
    int64_t total_minor;
    int64_t paid_minor; /* in the period */
    int64_t credited_minor;
    bool rate_unknown;
};

/* Write the statement as a PDF of as many pages as it needs into *out
 * (appending); errors as letter_reminders_pdf(). */
enum pm_err letter_statement_pdf(const struct letter_statement *s, const char *font_dir,
                                 struct buf *out, struct pm_error *e);

/* The pages letter_statement_pdf() writes for s. */
int letter_statement_pages(const struct letter_statement *s);

#endif
