/*
 * agency_pdf_test.c — unit tests for src/agency/agency_pdf.c, the invoice
 * PDF the dispatcher uploads to the agency as the original invoice: what a
 * reader of the PDF sees (its text as pdftotext extracts it) for a ROT
 * invoice (the tax reduction and the customer's part), invoices without
 * VAT (reverse charge on construction work, goods to another EU country,
 * export) and an invoice with more lines than fit on the page (the lines
 * left out are counted).  Amounts are hand-checked öre, written as the
 * product writes kronor ("8 750,00 kr"; pdftotext gives the non-breaking
 * spaces as plain ones).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agency/agency_pdf.h"
#include "core/date.h"
#include "util/buf.h"

#define LINES 60

struct doc {
    struct company co;
    struct customer cu;
    struct invoice inv;
    struct invoice_line_row lines[LINES];
    size_t n;
};

static void doc_init(struct doc *d)
{
    memset(d, 0, sizeof(*d));
    snprintf(d->co.name, sizeof(d->co.name), "Snickeri Ström AB");
    snprintf(d->co.organization_no, sizeof(d->co.organization_no), "5560360793");
    snprintf(d->co.address_line_1, sizeof(d->co.address_line_1), "Verkstadsgatan 3");
    snprintf(d->co.zip_code, sizeof(d->co.zip_code), "722 13");
    snprintf(d->co.city, sizeof(d->co.city), "Västerås");
    snprintf(d->co.bankgiro, sizeof(d->co.bankgiro), "5050-1055");
    snprintf(d->cu.name, sizeof(d->cu.name), "Anna Andersson");
    snprintf(d->cu.address_line_1, sizeof(d->cu.address_line_1), "Storgatan 1");
    snprintf(d->cu.zip_code, sizeof(d->cu.zip_code), "722 15");
    snprintf(d->cu.city, sizeof(d->cu.city), "Västerås");
    snprintf(d->cu.country, sizeof(d->cu.country), "SE");
    d->inv.number = 1042;
    assert_int_equal(date_from_ymd(2025, 4, 1, &d->inv.invoice_date), PM_OK);
    assert_int_equal(date_from_ymd(2025, 5, 1, &d->inv.due_date), PM_OK);
    snprintf(d->inv.currency, sizeof(d->inv.currency), "SEK");
    /* One line: 1,5 hours at 800,00 kr = 1 200,00 kr net, 25 % VAT. */
    snprintf(d->lines[0].description, sizeof(d->lines[0].description), "Snickeriarbete");
    d->lines[0].line.quantity_milli = 1500;
    d->lines[0].line.unit_price_minor = 80000;
    d->lines[0].line.vat_rate_bp = 2500;
    d->lines[0].net_minor = 120000;
    d->n = 1;
    d->inv.net_minor = 120000;
    d->inv.vat_minor = 30000;
    d->inv.total_minor = 150000;
    d->inv.customer_part_minor = 150000;
}

/* The PDF's text as pdftotext reads it (malloc'ed). */
static char *text_of(struct agency_pdf *p, const struct doc *d)
{
    char pdf_path[] = "/tmp/paminn-pdf-XXXXXX", cmd[128];
    unsigned char *pdf = NULL;
    struct pm_error e = {0};
    struct buf out = BUF_INIT;
    size_t len = 0, n;
    char chunk[4096];
    FILE *f;
    int fd;

    assert_int_equal(agency_pdf_invoice(p, &d->co, &d->cu, &d->inv, d->lines, d->n, &pdf, &len, &e),
                     PM_OK);
    assert_true(len > 1000);
    assert_memory_equal(pdf, "%PDF-", 5);
    fd = mkstemp(pdf_path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, pdf, len), (ssize_t)len);
    close(fd);
    free(pdf);
    snprintf(cmd, sizeof(cmd), "pdftotext -q -layout '%s' -", pdf_path);
    f = popen(cmd, "r");
    assert_non_null(f);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        assert_int_equal(buf_add(&out, chunk, n), PM_OK);
    assert_int_equal(pclose(f), 0);
    unlink(pdf_path);
    assert_int_equal(buf_adds(&out, ""), PM_OK);
    return buf_detach(&out, NULL);
}

static void assert_has(const char *text, const char *want)
{
    if (!strstr(text, want))
        fail_msg("the PDF's text lacks \"%s\":\n%s", want, text);
}

static int setup(void **state)
{
    struct pm_error e = {0};
    struct agency_pdf *p = agency_pdf_new(&e);

    *state = p;
    return p ? 0 : -1;
}

static int teardown(void **state)
{
    struct agency_pdf *p = *state;

    agency_pdf_free(&p);
    agency_pdf_free(&p); /* NULL: a no-op */
    return 0;
}

static void test_standard(void **state)
{
    struct doc *d = calloc(1, sizeof(*d));
    char *text;

    assert_non_null(d);
    doc_init(d);
    text = text_of(*state, d);
    assert_has(text, "Faktura 1042");
    assert_has(text, "Org.nr 556036-0793");
    assert_has(text, "Bankgiro 5050-1055");
    assert_has(text, "Fakturadatum 2025-04-01");
    assert_has(text, "Förfallodatum 2025-05-01");
    assert_has(text, "1,500");
    assert_has(text, "800,00 kr");
    assert_has(text, "1 200,00 kr");
    assert_has(text, "300,00 kr");
    assert_has(text, "1 500,00 kr");
    assert_has(text, "Betala till bankgiro 5050-1055. Ange fakturanummer 1042.");
    assert_null(strstr(text, "Skattereduktion"));
    assert_null(strstr(text, "momsfri"));
    free(text);
    free(d);
}

static void test_rot(void **state)
{
    struct doc *d = calloc(1, sizeof(*d));
    char *text;

    assert_non_null(d);
    doc_init(d);
    /* 10 000,00 kr of labour + 25 %: 12 500,00 kr; 30 % of the labour
     * with VAT back as ROT, 3 750,00 kr; the customer pays 8 750,00 kr. */
    d->lines[0].line.quantity_milli = 10000;
    d->lines[0].line.unit_price_minor = 100000;
    d->lines[0].line.labour = true;
    d->lines[0].net_minor = 1000000;
    d->inv.kind = INVOICE_ROT;
    d->inv.net_minor = 1000000;
    d->inv.vat_minor = 250000;
    d->inv.total_minor = 1250000;
    d->inv.tax_reduction_minor = 375000;
    d->inv.customer_part_minor = 875000;
    text = text_of(*state, d);
    assert_has(text, "Skattereduktion (ROT)");
    assert_has(text, "-3 750,00 kr");
    assert_has(text, "Att betala");
    assert_has(text, "8 750,00 kr");
    assert_has(text, "12 500,00 kr");
    free(text);
    d->inv.kind = INVOICE_RUT;
    text = text_of(*state, d);
    assert_has(text, "Skattereduktion (RUT)");
    free(text);
    free(d);
}

static void test_without_vat(void **state)
{
    struct doc *d = calloc(1, sizeof(*d));
    char *text;

    assert_non_null(d);
    doc_init(d);
    d->inv.vat_minor = 0;
    d->inv.total_minor = d->inv.customer_part_minor = 120000;
    d->inv.zero_vat = ZERO_VAT_CONSTRUCTION;
    text = text_of(*state, d);
    assert_has(text, "Omvänd betalningsskyldighet (byggtjänster): köparen redovisar momsen.");
    free(text);

    /* Goods to Germany: within the EU; the country is in the address. */
    d->inv.zero_vat = ZERO_VAT_GOODS;
    snprintf(d->cu.country, sizeof(d->cu.country), "DE");
    snprintf(d->cu.zip_code, sizeof(d->cu.zip_code), "10115");
    snprintf(d->cu.city, sizeof(d->cu.city), "Berlin");
    text = text_of(*state, d);
    assert_has(text, "Unionsintern leverans av varor, momsfri (ML 10 kap. 42 §).");
    assert_has(text, "10115 Berlin DE");
    free(text);

    /* To Norway: export. */
    snprintf(d->cu.country, sizeof(d->cu.country), "NO");
    text = text_of(*state, d);
    assert_has(text, "Export av varor, momsfri (ML 10 kap. 1 §).");
    free(text);
    free(d);
}

/* The organisation number as the company wrote it when it is not one
 * that can be read (shown, not dropped), and its display form when it is. */
static void test_company_numbers(void **state)
{
    struct doc *d = calloc(1, sizeof(*d));
    char *text;

    assert_non_null(d);
    doc_init(d);
    text = text_of(*state, d);
    assert_has(text, "Org.nr 556036-0793");
    free(text);
    snprintf(d->co.organization_no, sizeof(d->co.organization_no), "12345");
    text = text_of(*state, d);
    assert_has(text, "Org.nr 12345");
    assert_has(text, "Bankgiro 5050-1055");
    free(text);
    d->co.organization_no[0] = '\0';
    text = text_of(*state, d);
    assert_has(text, "Bankgiro 5050-1055");
    assert_null(strstr(text, "556036"));
    free(text);
    free(d);
}

static void test_more_lines_than_fit(void **state)
{
    struct doc *d = calloc(1, sizeof(*d));
    char *text, want[32];
    size_t i, shown = 0, left = 0;
    const char *more;

    assert_non_null(d);
    doc_init(d);
    for (i = 0; i < LINES; i++) {
        snprintf(d->lines[i].description, sizeof(d->lines[i].description), "Post %02zu", i + 1);
        d->lines[i].line.quantity_milli = 1000;
        d->lines[i].line.unit_price_minor = 1000;
        d->lines[i].line.vat_rate_bp = 2500;
        d->lines[i].net_minor = 1000;
    }
    d->n = LINES;
    text = text_of(*state, d);
    for (i = 0; i < LINES; i++) {
        snprintf(want, sizeof(want), "Post %02zu", i + 1);
        if (strstr(text, want))
            shown++;
        else
            break; /* the lines shown are the first ones */
    }
    for (; i < LINES; i++) {
        snprintf(want, sizeof(want), "Post %02zu", i + 1);
        assert_null(strstr(text, want));
    }
    more = strstr(text, "… och ");
    assert_non_null(more);
    assert_int_equal(sscanf(more, "… och %zu rader till", &left), 1);
    assert_true(shown > 10);
    assert_int_equal(shown + left, LINES);
    free(text);
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_standard),        cmocka_unit_test(test_rot),
        cmocka_unit_test(test_without_vat),     cmocka_unit_test(test_more_lines_than_fit),
        cmocka_unit_test(test_company_numbers),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
