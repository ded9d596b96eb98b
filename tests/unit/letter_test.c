/*
 * letter_test.c — unit tests for src/letter/letter.c: a reminder letter is
 * a PDF, one page per letter; text that fits Windows-1252 (all Swedish and
 * English text) uses the standard fonts Helvetica and Helvetica-Bold with
 * WinAnsiEncoding and embeds nothing, a few KB; a letter with a character
 * outside it embeds both DejaVu fonts, and a missing font is then an error
 * rather than a letter without that character.  What the letter
 * says (amounts, OCR, å ä ö as text and as pixels) is checked over HTTP
 * with pdftotext and pdftoppm in tests/api/reminders.test.mjs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "letter/letter.h"

static void letter(struct letter_reminder *l, bool english)
{
    memset(l, 0, sizeof(*l));
    l->english = english;
    snprintf(l->company_name, sizeof(l->company_name), "Åkerö Bygg AB");
    snprintf(l->company_bankgiro, sizeof(l->company_bankgiro), "991-2346");
    snprintf(l->customer_name, sizeof(l->customer_name), "Örjan Ängström");
    snprintf(l->customer_postal, sizeof(l->customer_postal), "413 01 Göteborg");
    l->invoice_number = 1001;
    date_parse_iso("2025-03-31", &l->due_date);
    date_parse_iso("2025-09-30", &l->date);
    date_parse_iso("2025-10-10", &l->new_due_date);
    l->capital_minor = 1000000;
    l->interest_minor = 52630;
    l->total_minor = 1052630;
    snprintf(l->ocr, sizeof(l->ocr), "100164");
}

static size_t count(const struct buf *b, const char *needle)
{
    size_t n = 0, len = strlen(needle);
    const char *p = b->data, *end = b->data + b->len;

    while (p + len <= end) {
        const char *hit = memchr(p, needle[0], (size_t)(end - p));

        if (!hit || hit + len > end)
            break;
        if (!memcmp(hit, needle, len))
            n++;
        p = hit + 1;
    }
    return n;
}

/* The first needle in b at or after from, or NULL. */
static const char *find(const struct buf *b, const char *from, const char *needle)
{
    size_t len = strlen(needle);
    const char *end = b->data + b->len;

    for (; from + len <= end; from++) {
        if (!memcmp(from, needle, len))
            return from;
    }
    return NULL;
}

/* Every entry of the cross-reference table points at its object, and
 * startxref at the table: the document was rewritten consistently. */
static void xref_points_at_objects(const struct buf *b)
{
    const char *xref = NULL, *p, *sx;
    long n, i, off;

    for (p = b->data; (p = find(b, p, "\nxref\n")); p++)
        xref = p + 1;
    assert_non_null(xref);
    sx = find(b, xref, "startxref\n");
    assert_non_null(sx);
    assert_int_equal(strtol(sx + 10, NULL, 10), xref - b->data);
    n = strtol(xref + strlen("xref\n0 "), NULL, 10);
    assert_true(n > 10);
    p = strchr(strchr(xref + 5, '\n') + 1, '\n') + 1; /* past "xref", "0 n" and entry 0 */
    for (i = 1; i < n; i++, p += 20) {
        char head[32];

        off = strtol(p, NULL, 10);
        snprintf(head, sizeof(head), "%ld 0 obj", i);
        assert_memory_equal(b->data + off, head, strlen(head));
    }
}

static void test_pdf(void **state)
{
    struct letter_reminder l[3];
    struct buf b = BUF_INIT;
    struct pm_error e = {0};

    (void)state;
    letter(&l[0], false);
    letter(&l[1], true);
    letter(&l[2], false);
    snprintf(l[2].customer_address_1, sizeof(l[2].customer_address_1), "Café € – “Ÿ” ‰");
    assert_int_equal(letter_reminders_pdf(l, 3, NULL, &b, &e), PM_OK);
    assert_true(b.len > 1000);
    assert_true(b.len < 20000); /* nothing embedded */
    assert_memory_equal(b.data, "%PDF-", 5);
    assert_int_equal(
        count(&b, "/Type /Page\n") + count(&b, "/Type /Page\r") + count(&b, "/Type /Page "), 3);
    assert_int_equal(count(&b, "/FontFile"), 0);
    assert_int_equal(count(&b, "DejaVuSans"), 0);
    assert_int_equal(count(&b, "/BaseFont /Helvetica\n") + count(&b, "/BaseFont /Helvetica\r") +
                         count(&b, "/BaseFont /Helvetica "),
                     1);
    assert_int_equal(count(&b, "/BaseFont /Helvetica-Bold"), 1);
    assert_int_equal(count(&b, "/Encoding /WinAnsiEncoding"), 2);
    xref_points_at_objects(&b);
    buf_release(&b);
}

/* One character outside Windows-1252 in any letter of the document: the
 * whole document in DejaVu, embedded. */
static void test_pdf_unicode(void **state)
{
    struct letter_reminder l[2];
    struct buf b = BUF_INIT;
    struct pm_error e = {0};

    (void)state;
    letter(&l[0], false);
    letter(&l[1], true);
    snprintf(l[1].customer_name, sizeof(l[1].customer_name), "Łukasz Żółć");
    assert_int_equal(letter_reminders_pdf(l, 2, NULL, &b, &e), PM_OK);
    assert_int_equal(
        count(&b, "/Type /Page\n") + count(&b, "/Type /Page\r") + count(&b, "/Type /Page "), 2);
    assert_int_equal(count(&b, "/FontFile2"), 2); /* both fonts embedded, once */
    assert_true(count(&b, "DejaVuSans") > 0);
    assert_int_equal(count(&b, "/BaseFont /Helvetica"), 0);
    /* Each font's text maps to Unicode (ISO 32000-1 9.10.3): a ToUnicode
     * CMap of bfrange lines, not the encoding's CID map libharu writes. */
    assert_int_equal(count(&b, "/ToUnicode "), 2);
    assert_int_equal(count(&b, "/CMapName /Adobe-Identity-UCS def"), 2);
    assert_int_equal(count(&b, "<C500> <C5FF> <C500>"), 2);
    assert_int_equal(count(&b, "begincidrange"), 0);
    xref_points_at_objects(&b);
    buf_release(&b);
}

/* A credit note: one page in the standard fonts (nothing embedded, no font
 * file needed); with a character outside Windows-1252 both DejaVu fonts
 * embedded with the text mapped to Unicode, and the same missing-font
 * refusal (its text is read back with pdftotext in
 * tests/api/credit_notes.test.mjs). */
static void test_credit_note_pdf(void **state)
{
    struct letter_credit_note *c = calloc(1, sizeof(*c));
    struct buf b = BUF_INIT;
    struct pm_error e = {0};

    (void)state;
    assert_non_null(c);
    letter(&c->party, false);
    c->number = 7;
    c->date = 20545;
    c->invoice_number = 1043;
    c->invoice_date = 20514;
    snprintf(c->reason, sizeof(c->reason), "Fel timpris för två timmar");
    c->net_by_rate[VAT_25] = 123457;
    c->vat_by_rate[VAT_25] = 30864;
    c->net_by_rate[VAT_12] = 99999;
    c->vat_by_rate[VAT_12] = 12000;
    c->total_minor = 266320;
    c->tax_reduction_minor = 71849;
    snprintf(c->tax_reduction_kind, sizeof(c->tax_reduction_kind), "ROT");
    c->customer_part_minor = 194471;
    assert_int_equal(letter_credit_note_pdf(c, NULL, &b, &e), PM_OK);
    assert_memory_equal(b.data, "%PDF-", 5);
    assert_int_equal(
        count(&b, "/Type /Page\n") + count(&b, "/Type /Page\r") + count(&b, "/Type /Page "), 1);
    assert_int_equal(count(&b, "/FontFile2"), 0);
    assert_true(count(&b, "/WinAnsiEncoding") >= 1);
    buf_release(&b);
    assert_int_equal(letter_credit_note_pdf(c, "/nonexistent-fonts", &b, &e), PM_OK);
    buf_release(&b);

    snprintf(c->reason, sizeof(c->reason), "Fel timpris för Łukasz");
    assert_int_equal(letter_credit_note_pdf(c, NULL, &b, &e), PM_OK);
    assert_int_equal(count(&b, "/FontFile2"), 2);
    assert_int_equal(count(&b, "/ToUnicode "), 2);
    xref_points_at_objects(&b);
    buf_release(&b);
    assert_int_equal(letter_credit_note_pdf(c, "/nonexistent-fonts", &b, &e), PM_ERR_IO);
    assert_int_equal(b.len, 0);
    free(c);
}

static size_t pages(const struct buf *b)
{
    return count(b, "/Type /Page\n") + count(b, "/Type /Page\r") + count(b, "/Type /Page ");
}

/* A customer statement: one page for a few items, more pages (counted by
 * the same layout the drawing uses) when the rows do not fit, in the
 * standard fonts; a name beyond Windows-1252 embeds DejaVu on every page.
 * Its text is read back with pdftotext and tesseract in
 * tests/api/statements.test.mjs. */
static void test_statement_pdf(void **state)
{
    struct letter_statement *s = calloc(1, sizeof(*s));
    struct letter_statement_item *items = calloc(120, sizeof(*items));
    struct letter_statement_move moves[2] = {{false, 20290, 1002, 0, 200000},
                                             {true, 20302, 1003, 1, 100000}};
    struct buf b = BUF_INIT;
    struct pm_error e = {0};
    size_t i;

    (void)state;
    assert_non_null(s);
    assert_non_null(items);
    letter(&s->party, false);
    date_parse_iso("2025-08-14", &s->as_of);
    date_parse_iso("2025-05-15", &s->from);
    s->to = s->as_of;
    for (i = 0; i < 120; i++) {
        items[i].invoice_number = 1001 + (int64_t)i;
        items[i].invoice_date = 20200;
        items[i].due_date = 20230;
        items[i].amount_minor = items[i].remaining_minor = 100000;
        items[i].interest_minor = 1151;
        items[i].days_overdue = 14;
        snprintf(items[i].ocr, sizeof(items[i].ocr), "%lld", 100000 + (long long)i);
    }
    s->items = items;
    s->moves = moves;
    s->n_moves = 2;

    /* nothing open: one page saying so */
    assert_int_equal(letter_statement_pages(s), 1);
    s->n_items = 3;
    assert_int_equal(letter_statement_pages(s), 1);
    assert_int_equal(letter_statement_pdf(s, NULL, &b, &e), PM_OK);
    assert_memory_equal(b.data, "%PDF-", 5);
    assert_int_equal(pages(&b), 1);
    assert_int_equal(count(&b, "/FontFile2"), 0);
    buf_release(&b);

    /* page 1 holds about 25 rows below the address and the text, a
     * continued page about 45 */
    s->n_items = 45;
    assert_int_equal(letter_statement_pages(s), 2);
    s->n_items = 120;
    assert_int_equal(letter_statement_pages(s), 4);
    assert_int_equal(letter_statement_pdf(s, NULL, &b, &e), PM_OK);
    assert_int_equal(pages(&b), 4);
    buf_release(&b);

    s->party.english = true;
    snprintf(s->party.customer_name, sizeof(s->party.customer_name), "Łukasz Żółć");
    assert_int_equal(letter_statement_pdf(s, NULL, &b, &e), PM_OK);
    assert_int_equal(pages(&b), 4);
    assert_int_equal(count(&b, "/FontFile2"), 2);
    xref_points_at_objects(&b);
    buf_release(&b);
    free(items);
    free(s);
}

static void test_missing_font(void **state)
{
    struct letter_reminder l;
    struct buf b = BUF_INIT;
    struct pm_error e = {0};

    (void)state;
    letter(&l, false);
    /* Windows-1252 text needs no font file */
    assert_int_equal(letter_reminders_pdf(&l, 1, "/nonexistent-fonts", &b, &e), PM_OK);
    buf_release(&b);
    snprintf(l.customer_name, sizeof(l.customer_name), "Ørjan Ŏ");
    assert_int_equal(letter_reminders_pdf(&l, 1, "/nonexistent-fonts", &b, &e), PM_ERR_IO);
    assert_string_equal(e.field, "font");
    assert_int_equal(b.len, 0);
    assert_int_equal(letter_reminders_pdf(&l, 0, NULL, &b, &e), PM_ERR_INVALID);
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pdf),           cmocka_unit_test(test_pdf_unicode),
        cmocka_unit_test(test_missing_font),  cmocka_unit_test(test_credit_note_pdf),
        cmocka_unit_test(test_statement_pdf),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
