/*
 * bgmax_test.c — unit tests for src/core/bgmax.c with the worked example
 * of the specification (bgmax-and-sie4.md A.8, which bgmax_gen.py --verify
 * accepts) and broken copies of it: every broken file is refused whole,
 * naming the line; every warning the reader gives, each on a file that is
 * otherwise right; the size limit at its boundary.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bgmax.h"
#include "core/date.h"
#include "util/buf.h"

static const char *const example[] = {
    "01BGMAX               0120240201063015123456P",
    "050009912346          SEK",
    "200000000000                   100164000000000001250000210000000001010",
    "26Kund AB",
    "27Storgatan 1                        111 22",
    "28STOCKHOLM",
    "200005158688FAKTURA 1002             000000000000300000320000000001020",
    "220005158688                   100362000000000000000000220000000001020",
    "25Avser faktura 1002 och 1003",
    "210005158688                   9001670000000000000500002200000000010300",
    "15000000000000000000000584100001234562024013100001000000000001500000SEK00000003",
    "7000000002000000010000000100000001",
    NULL,
};

#define N_LINES 12

/* The example with line `replace` (0-based) swapped for `with` (NULL drops
 * it, "" keeps it), every record padded to 80, CR LF. */
static void build(struct buf *b, int replace, const char *with, bool pad)
{
    const char *line;
    int i;

    buf_reset(b);
    for (i = 0; example[i]; i++) {
        line = i == replace ? with : example[i];
        if (!line)
            continue;
        assert_int_equal(buf_addf(b, pad ? "%-80s\r\n" : "%s\r\n", line), PM_OK);
    }
}

static void test_example(void **state)
{
    struct buf b = BUF_INIT;
    struct bgmax_file f;
    struct pm_error e = {0};
    int32_t d;

    (void)state;
    build(&b, -1, NULL, true);
    assert_int_equal(b.len, N_LINES * 82);
    assert_int_equal(bgmax_parse(b.data, b.len, &f, &e), PM_OK);
    assert_string_equal(f.timestamp, "20240201063015123456");
    assert_int_equal(f.marker, 'P');
    assert_int_equal(f.n_deposits, 1);
    assert_string_equal(f.deposits[0].payee_bankgiro, "0009912346");
    assert_string_equal(f.deposits[0].currency, "SEK");
    assert_int_equal(f.deposits[0].amount_minor, 1500000);
    assert_int_equal(f.deposits[0].count, 3);
    assert_int_equal(f.deposits[0].serial, 1);
    date_from_ymd(2024, 1, 31, &d);
    assert_int_equal(f.deposits[0].date, d);
    assert_int_equal(f.n_payments, 3);
    /* an OCR payment of 12 500,00 from a bank */
    assert_false(f.payments[0].deduction);
    assert_string_equal(f.payments[0].reference, "100164");
    assert_int_equal(f.payments[0].ref_code, 2);
    assert_int_equal(f.payments[0].amount_minor, 1250000);
    assert_int_equal(f.payments[0].channel, 1);
    assert_string_equal(f.payments[0].payer_name, "Kund AB");
    assert_int_equal(f.payments[0].line, 3);
    /* an LB payment with a text reference, an extra OCR and a message */
    assert_string_equal(f.payments[1].reference, "FAKTURA 1002");
    assert_int_equal(f.payments[1].ref_code, 3);
    assert_int_equal(f.payments[1].amount_minor, 300000);
    assert_int_equal(f.payments[1].n_extra, 1);
    assert_string_equal(f.extras[f.payments[1].first_extra].reference, "100362");
    assert_int_equal(f.extras[f.payments[1].first_extra].amount_minor, 0);
    assert_string_equal(f.payments[1].info, "Avser faktura 1002 och 1003");
    /* a deduction of 500,00 */
    assert_true(f.payments[2].deduction);
    assert_int_equal(f.payments[2].amount_minor, 50000);
    assert_int_equal(f.n_warnings, 0);
    bgmax_file_release(&f);
    buf_release(&b);
}

static void test_leniency(void **state)
{
    struct buf b = BUF_INIT;
    struct bgmax_file f;
    struct pm_error e = {0};
    const char *p;
    size_t i;

    (void)state;
    /* Trimmed lines (as copies of the example often are), LF only,
     * Latin-1 å in a name: accepted, the name comes back as UTF-8. */
    for (i = 0; example[i]; i++) {
        if (i == 3)
            assert_int_equal(buf_adds(&b, "26\xc5kes F\xf6rv\xe4ltning AB\n"), PM_OK);
        else
            assert_int_equal(buf_addf(&b, "%s\n", example[i]), PM_OK);
    }
    assert_int_equal(buf_adds(&b, "\n\n"), PM_OK); /* empty lines at the end */
    assert_int_equal(bgmax_parse(b.data, b.len, &f, &e), PM_OK);
    assert_string_equal(f.payments[0].payer_name, "Åkes Förvältning AB");
    assert_true(f.n_warnings > 0);
    p = strstr(f.first_warning, "shorter than 80");
    assert_non_null(p);
    bgmax_file_release(&f);
    buf_release(&b);
}

/* The example with one line changed must be refused naming `line`. */
static void refused(int replace, const char *with, const char *line, const char *words)
{
    struct buf b = BUF_INIT;
    struct bgmax_file f;
    struct pm_error e = {0};

    build(&b, replace, with, true);
    assert_int_equal(bgmax_parse(b.data, b.len, &f, &e), PM_ERR_INVALID);
    if (line)
        assert_string_equal(e.field, line);
    if (!strstr(e.message, words))
        fail_msg("message '%s' lacks '%s'", e.message, words);
    assert_null(f.payments);
    assert_int_equal(f.n_payments, 0);
    buf_release(&b);
}

static void test_refused(void **state)
{
    (void)state;
    /* truncated: no end record */
    refused(11, NULL, NULL, "truncated");
    /* wrong record order: a payment before the opening record */
    {
        struct buf b = BUF_INIT;
        struct bgmax_file f;
        struct pm_error e = {0};

        assert_int_equal(
            buf_addf(&b, "%-80s\r\n%-80s\r\n%-80s\r\n", example[0], example[2], example[1]), PM_OK);
        assert_int_equal(bgmax_parse(b.data, b.len, &f, &e), PM_ERR_INVALID);
        assert_string_equal(e.field, "line 2");
        assert_non_null(strstr(e.message, "out of order"));
        buf_release(&b);
    }
    /* a bad amount: a letter among the digits */
    refused(2, "200000000000                   1001640000000000012500O0210000000001010", "line 3",
            "amount");
    /* the deposit does not add up (15 000,01) */
    refused(10, "15000000000000000000000584100001234562024013100001000000000001500001SEK00000003",
            "line 11", "deposit amount");
    /* the deposit counts 4 payments */
    refused(10, "15000000000000000000000584100001234562024013100001000000000001500000SEK00000004",
            "line 11", "number of payments");
    /* another currency in the deposit record than in the opening */
    refused(10, "15000000000000000000000584100001234562024013100001000000000001500000EUR00000003",
            "line 11", "currency");
    /* an impossible payment date */
    refused(10, "15000000000000000000000584100001234562024023100001000000000001500000SEK00000003",
            "line 11", "payment date");
    /* the end record counts 3 payments */
    refused(11, "7000000003000000010000000100000001", "line 12", "payments");
    /* not a BgMax file */
    refused(0, "01BGMIN               0120240201063015123456P", "line 1", "BGMAX");
    /* a bad timestamp (month 13) */
    refused(0, "01BGMAX               0120241301063015123456P", "line 1", "timestamp");
    /* a record longer than 80 characters with something in the overflow */
    refused(3, "26Kund AB                                                                       X",
            NULL, "longer");
    /* an OCR reference (code 2) with a letter */
    refused(2, "200000000000                   10016A000000000001250000210000000001010", "line 3",
            "OCR reference");
}

static void test_refused_more(void **state)
{
    struct buf b = BUF_INIT;
    struct bgmax_file f;
    struct pm_error e = {0};

    (void)state;
    /* nothing may follow the end record */
    build(&b, -1, NULL, true);
    assert_int_equal(buf_addf(&b, "%-80s\r\n", example[1]), PM_OK);
    assert_int_equal(bgmax_parse(b.data, b.len, &f, &e), PM_ERR_INVALID);
    assert_string_equal(e.field, "line 13");
    /* a control character inside a record */
    build(&b, 3,
          "26Kund\x01"
          "AB",
          true);
    assert_int_equal(bgmax_parse(b.data, b.len, &f, &e), PM_ERR_INVALID);
    assert_string_equal(e.field, "line 4");
    /* an empty line in the middle */
    build(&b, 5, "", false);
    assert_int_equal(bgmax_parse(b.data, b.len, &f, &e), PM_ERR_INVALID);
    /* nothing at all */
    assert_int_equal(bgmax_parse("", 0, &f, &e), PM_ERR_INVALID);
    assert_int_equal(bgmax_parse("\r\n", 2, &f, &e), PM_ERR_INVALID);
    /* a second name record for one payment */
    buf_reset(&b);
    for (int i = 0; example[i]; i++) {
        assert_int_equal(buf_addf(&b, "%-80s\r\n", example[i]), PM_OK);
        if (i == 3)
            assert_int_equal(buf_addf(&b, "%-80s\r\n", example[i]), PM_OK);
    }
    assert_int_equal(bgmax_parse(b.data, b.len, &f, &e), PM_ERR_INVALID);
    assert_string_equal(e.field, "line 5");
    buf_release(&b);
}

/* The end record's four counts, each one off: refused naming line 12. */
static void test_end_counts(void **state)
{
    (void)state;
    /* The example has 2 payments, 1 deduction, 1 extra reference, 1 deposit. */
    refused(11, "7000000002000000020000000100000001", "line 12", "2 deductions, the file has 1");
    refused(11, "7000000002000000010000000000000001", "line 12",
            "0 extra references, the file has 1");
    refused(11, "7000000002000000010000000100000002", "line 12", "2 deposits, the file has 1");
    refused(11, "70000000020000000100000001000000X1", "line 12", "not digits");
}

/* The lines (NULL-terminated) padded to 80, CR LF, parsed. */
static enum pm_err parse_lines(const char *const *lines, struct bgmax_file *f, struct pm_error *e)
{
    struct buf b = BUF_INIT;
    enum pm_err rc;

    for (; *lines; lines++)
        assert_int_equal(buf_addf(&b, "%-80s\r\n", *lines), PM_OK);
    rc = bgmax_parse(b.data, b.len, f, e);
    buf_release(&b);
    return rc;
}

static void test_deductions_over_payments(void **state)
{
    /* A section of a 1,00 payment and a 2,00 deduction, counted right (2):
     * refused at its deposit record, whatever the deposit amount says. */
    static const char *const lines[] = {
        "01BGMAX               0120240201063015123456P",
        "050009912346          SEK",
        "200000000000                   100164000000000000000100210000000001010",
        "210005158688                   9001670000000000000002002200000000010300",
        "15000000000000000000000584100001234562024013100001000000000000000000SEK00000002",
        "7000000001000000010000000000000001",
        NULL,
    };
    struct bgmax_file f;
    struct pm_error e = {0};

    (void)state;
    assert_int_equal(parse_lines(lines, &f, &e), PM_ERR_INVALID);
    assert_string_equal(e.field, "line 5");
    assert_string_equal(e.message, "line 5: the section's deductions exceed its payments");
    assert_null(f.payments);
}

static void test_size_limit(void **state)
{
    /* One byte over the limit: refused as too large, before reading a line.
     * Exactly at the limit the size is accepted and the content judged
     * (here NUL bytes: a control character on line 1). */
    char *big = calloc(1, (size_t)BGMAX_MAX_BYTES + 1);
    struct bgmax_file f;
    struct pm_error e = {0};

    (void)state;
    assert_non_null(big);
    assert_int_equal(bgmax_parse(big, (size_t)BGMAX_MAX_BYTES + 1, &f, &e), PM_ERR_RANGE);
    assert_string_equal(e.message, "the file is larger than 67108864 bytes");
    assert_int_equal(f.n_payments, 0);
    assert_int_equal(bgmax_parse(big, BGMAX_MAX_BYTES, &f, &e), PM_ERR_INVALID);
    assert_string_equal(e.field, "line 1");
    assert_non_null(strstr(e.message, "control character at position 1"));
    free(big);
}

/* line (0-based) of the example padded to 80 with text written at the
 * 0-based position pos, into out[81]. */
static const char *patched(int line, size_t pos, const char *text, char out[81])
{
    snprintf(out, 81, "%-80s", example[line]);
    memcpy(out + pos, text, strlen(text));
    return out;
}

/* The example with line `replace` swapped for `with`: accepted whole, with
 * exactly one warning, this one. */
static void warned(int replace, const char *with, const char *warning)
{
    struct buf b = BUF_INIT;
    struct bgmax_file f;
    struct pm_error e = {0};

    build(&b, replace, with, true);
    assert_int_equal(bgmax_parse(b.data, b.len, &f, &e), PM_OK);
    assert_int_equal(f.n_payments, 3);
    assert_int_equal(f.deposits[0].amount_minor, 1500000);
    if (f.n_warnings != 1 || strcmp(f.first_warning, warning) != 0)
        fail_msg("%zu warning(s), the first '%s'; expected one: '%s'", f.n_warnings,
                 f.first_warning, warning);
    bgmax_file_release(&f);
    buf_release(&b);
}

static void test_every_warning(void **state)
{
    char l[81];
    struct buf b = BUF_INIT;
    struct bgmax_file f;
    struct pm_error e = {0};
    int i;

    (void)state;
    warned(0, "01BGMAX               0220240201063015123456P", "line 1: layout version is not 01");
    /* 100165 instead of 100164: the Luhn digit is wrong (4 is right). */
    warned(2, patched(2, 31, "100165", l), "line 3: OCR reference fails the check digit");
    warned(2, patched(2, 55, "6", l), "line 3: unknown reference code");
    warned(2, patched(2, 56, "5", l), "line 3: unknown payment channel code");
    warned(2, patched(2, 57, "00000000010A", l), "line 3: BGC serial number is not numeric");
    /* The 22 record of payment 2 with channel 3 where its payment has 2. */
    warned(7, patched(7, 56, "3", l),
           "line 8: extra reference does not repeat its payment's fields");
    /* A 29 record (after 26, 27) with a letter in the organisation number. */
    warned(5, "295560360A7930", "line 6: payer organisation number is not numeric");
    warned(10, patched(10, 79, "X", l), "line 11: unknown deposit type");
    /* ISO-8859-1, as BgMax files are (the ä as UTF-8 would make it a UTF-8 file). */
    warned(5, "30Ok\xe4nd posttyp", "line 6: unknown record type skipped");
    /* 27 before 26: accepted, the order warned about at the 26 record. */
    for (i = 0; example[i]; i++) {
        const char *line = i == 3 ? example[4] : i == 4 ? example[3] : example[i];

        assert_int_equal(buf_addf(&b, "%-80s\r\n", line), PM_OK);
    }
    assert_int_equal(bgmax_parse(b.data, b.len, &f, &e), PM_OK);
    assert_int_equal(f.n_warnings, 1);
    assert_string_equal(f.first_warning, "line 5: records of a payment out of the usual order");
    assert_string_equal(f.payments[0].payer_name, "Kund AB");
    bgmax_file_release(&f);
    buf_release(&b);
}

/* Valid files of an odd shape: read whole, each oddity warned about. */
static void test_odd_but_valid(void **state)
{
    struct bgmax_file f;
    struct pm_error e = {0};
    struct buf b = BUF_INIT;
    const char *tabbed;
    char l[81];
    int i;

    (void)state;
    /* A payer bankgiro written with a leading zero too few and a blank. */
    warned(2, patched(2, 2, "009701233 ", l),
           "line 3: payer bankgiro number (positions 3-12) written with blanks, read as digits");
    build(&b, 2, patched(2, 2, "009701233 ", l), true);
    assert_int_equal(bgmax_parse(b.data, b.len, &f, &e), PM_OK);
    assert_string_equal(f.payments[0].payer_bankgiro, "0009701233");
    bgmax_file_release(&f);
    /* Fields the reader does not act on. */
    warned(1, patched(1, 12, "PG12345-6 ", l),
           "line 2: payee plusgiro number (positions 13-22) is neither blank nor digits (not "
           "used)");
    warned(2, patched(2, 69, "X", l),
           "line 3: image marker (position 70) is not a digit, read as 0");
    warned(10, patched(10, 2, "5841-0000123456", l),
           "line 11: payee bank account (positions 3-37) is not digits (not used)");
    /* TABs inside a 22 record's reference field, as in Bankgirot's own
     * example file: tab stops every 8 characters keep the fields in place. */
    tabbed = "220005158688\t\t       100362000000000000000000220000000001020";
    warned(7, tabbed,
           "line 8: TAB characters read as blanks up to the next tab stop (every 8 characters)");
    build(&b, 7, tabbed, true);
    assert_int_equal(bgmax_parse(b.data, b.len, &f, &e), PM_OK);
    assert_string_equal(f.extras[0].reference, "100362");
    bgmax_file_release(&f);
    /* 80-character records one after the other, no line ends. */
    buf_reset(&b);
    for (i = 0; example[i]; i++)
        assert_int_equal(buf_addf(&b, "%-80s", example[i]), PM_OK);
    assert_int_equal(bgmax_parse(b.data, b.len, &f, &e), PM_OK);
    assert_int_equal(f.n_payments, 3);
    assert_int_equal(f.deposits[0].amount_minor, 1500000);
    assert_int_equal(f.n_warnings, 1);
    assert_string_equal(f.first_warning, "records of 80 characters without line ends");
    bgmax_file_release(&f);
    /* UTF-8 instead of ISO-8859-1: 80 characters a record (82 bytes with
     * Å and ö), the name read right, not as mojibake. */
    buf_reset(&b);
    for (i = 0; example[i]; i++) {
        if (i == 3)
            assert_int_equal(buf_addf(&b, "%-82s\r\n", "26\xc3\x85ke F\xc3\xb6rvaltning AB"),
                             PM_OK);
        else
            assert_int_equal(buf_addf(&b, "%-80s\r\n", example[i]), PM_OK);
    }
    assert_int_equal(bgmax_parse(b.data, b.len, &f, &e), PM_OK);
    assert_string_equal(f.payments[0].payer_name, "Åke Förvaltning AB");
    assert_int_equal(f.n_warnings, 1);
    assert_string_equal(f.first_warning, "the file is UTF-8, not ISO-8859-1: read as UTF-8");
    bgmax_file_release(&f);
    /* The same name in ISO-8859-1 is read as ISO-8859-1. */
    build(&b, 3, "26\xc5ke F\xf6rvaltning AB", true);
    assert_int_equal(bgmax_parse(b.data, b.len, &f, &e), PM_OK);
    assert_string_equal(f.payments[0].payer_name, "Åke Förvaltning AB");
    assert_int_equal(f.n_warnings, 0);
    bgmax_file_release(&f);
    buf_release(&b);
}

static void test_bankgiro(void **state)
{
    char bg[11];

    (void)state;
    assert_true(bgmax_normalize_bankgiro("991-2346", bg));
    assert_string_equal(bg, "0009912346");
    assert_true(bgmax_normalize_bankgiro("5678-1230", bg));
    assert_string_equal(bg, "0056781230");
    assert_false(bgmax_normalize_bankgiro("12-34", bg));
    assert_false(bgmax_normalize_bankgiro("991-234X", bg));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_example),
        cmocka_unit_test(test_leniency),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_refused_more),
        cmocka_unit_test(test_bankgiro),
        cmocka_unit_test(test_end_counts),
        cmocka_unit_test(test_deductions_over_payments),
        cmocka_unit_test(test_size_limit),
        cmocka_unit_test(test_every_warning),
        cmocka_unit_test(test_odd_but_valid),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
