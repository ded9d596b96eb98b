/*
 * sie_test.c — unit tests for src/core/sie.c.
 *
 * The record writer reproduces the worked example of the specification
 * (bgmax-and-sie4.md B.10) byte for byte in CP437 with its checksum
 * #KSUMMA 2502941571; the export writes a year of vouchers with the
 * balances a reader can check (Σ #IB = 0, #UB = #IB + the year's #TRANS,
 * #RES = the year's #TRANS, every #VER sums to zero) and a #KSUMMA equal to
 * the CRC-32 a reader computes (written here apart from the writer's).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/sie.h"

static int32_t day(const char *iso)
{
    int32_t d = 0;

    assert_int_equal(date_parse_iso(iso, &d), PM_OK);
    return d;
}

/* One record of fields: "=x" bare, "'x" quoted text, "{x" object list. */
static void rec(struct sie_writer *w, const char *label, ...)
{
    va_list ap;
    const char *f;

    sie_label(w, label);
    va_start(ap, label);
    while ((f = va_arg(ap, const char *))) {
        if (f[0] == '=')
            sie_field(w, f + 1);
        else if (f[0] == '\'')
            sie_text(w, f + 1);
        else
            sie_objects(w, f);
    }
    va_end(ap);
    sie_end(w);
}

/* CRC-32 (ISO 3309 / ITU-T V.42, as SIE 4 §10 names it), table-driven and
 * written here apart from the writer's bitwise one. */
static uint32_t crc32_of(const unsigned char *p, size_t n, uint32_t crc)
{
    static uint32_t table[256];
    uint32_t c;
    int i, k;

    if (!table[1]) {
        for (i = 0; i < 256; i++) {
            c = (uint32_t)i;
            for (k = 0; k < 8; k++)
                c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
            table[i] = c;
        }
    }
    while (n--)
        crc = table[(crc ^ *p++) & 0xFFu] ^ (crc >> 8);
    return crc;
}

/* Read a written file as a SIE reader does: the records between "#KSUMMA"
 * and "#KSUMMA <n>", each record's label and field contents without the
 * blanks between them, the quotes around a text (an escaped quote counts
 * as the quote), the braces and blanks of an object list, or the line
 * ends; brace lines count for nothing.  *stated is n, the CRC-32 of those
 * bytes is returned. */
static uint32_t reader_checksum(const char *text, uint32_t *stated)
{
    const char *p = strstr(text, "#KSUMMA\r\n"), *end;
    uint32_t crc = 0xFFFFFFFFu;
    unsigned char c;
    bool quoted = false, braced = false;

    assert_non_null(p);
    p += 9;
    end = strstr(p, "#KSUMMA ");
    assert_non_null(end);
    *stated = (uint32_t)strtoul(end + 8, NULL, 10);
    for (; p < end; p++) {
        c = (unsigned char)*p;
        if (quoted && c == '\\' && p[1] == '"') {
            p++;
            c = '"';
        } else if (!braced && c == '"') {
            quoted = !quoted;
            continue;
        } else if (!quoted && (c == '{' || c == '}')) {
            braced = c == '{';
            continue;
        } else if (!quoted && (c == ' ' || c == '\r' || c == '\n' || (braced && c == '"'))) {
            continue;
        }
        crc = crc32_of(&c, 1, crc);
    }
    return crc ^ 0xFFFFFFFFu;
}

static void test_reader_checksum(void **state)
{
    static const unsigned char check[] = "123456789";
    uint32_t stated = 0;

    (void)state;
    /* The reader's own CRC: the standard check value of CRC-32. */
    assert_int_equal(crc32_of(check, 9, 0xFFFFFFFFu) ^ 0xFFFFFFFFu, 0xCBF43926u);
    /* The spec's example: #KONTO 1915 "Kassa \"special\"" = 1921122205. */
    assert_int_equal(
        reader_checksum("#KSUMMA\r\n#KONTO 1915 \"Kassa \\\"special\\\"\"\r\n#KSUMMA 0\r\n",
                        &stated),
        1921122205u);
}

static void test_worked_example(void **state)
{
    static const char expected[] =
        "#FLAGGA 0\r\n#KSUMMA\r\n#PROGRAM \"Exempel Bokf\x94ring\" 1.0\r\n#FORMAT PC8\r\n"
        "#GEN 20250210 \"export\"\r\n#SIETYP 4\r\n#FNAMN \"Exempelf\x94retaget AB\"\r\n"
        "#ORGNR 555555-5555\r\n"
        "#ADRESS \"Anna Andersson\" \"Box 12\" \"111 22 STOCKHOLM\" \"08-123 456\"\r\n"
        "#RAR 0 20240101 20241231\r\n#RAR -1 20230101 20231231\r\n#KPTYP EUBAS97\r\n"
        "#VALUTA SEK\r\n#KONTO 1510 \"Kundfordringar\"\r\n#KONTO 1930 \"F\x94retagskonto\"\r\n"
        "#KONTO 2081 \"Aktiekapital\"\r\n#KONTO 2091 \"Balanserad vinst eller f\x94rlust\"\r\n"
        "#KONTO 2611 \"Utg\x86"
        "ende moms p\x86 f\x94rs\x84ljning inom Sverige, 25 %\"\r\n"
        "#KONTO 3001 \"F\x94rs\x84ljning inom Sverige, 25 % moms\"\r\n"
        "#KONTO 8999 \"\x8Frets resultat\"\r\n#DIM 6 \"Projekt\"\r\n"
        "#OBJEKT 6 \"P100\" \"Webbshop \\\"Nya\\\"\"\r\n#IB -1 1930 25000.00\r\n"
        "#IB -1 2081 -25000.00\r\n#UB -1 1930 75000.00\r\n#UB -1 2081 -25000.00\r\n"
        "#UB -1 2091 -50000.00\r\n#IB 0 1930 75000.00\r\n#IB 0 2081 -25000.00\r\n"
        "#IB 0 2091 -50000.00\r\n#UB 0 1930 87500.00\r\n#UB 0 2081 -25000.00\r\n"
        "#UB 0 2091 -50000.00\r\n#UB 0 2611 -2500.00\r\n#RES -1 3001 -50000.00\r\n"
        "#RES -1 8999 50000.00\r\n#RES 0 3001 -10000.00\r\n"
        "#VER A 1 20240115 \"Faktura 1001 Kund AB\" 20240116\r\n{\r\n#TRANS 1510 {} 12500.00\r\n"
        "#TRANS 3001 {6 \"P100\"} -10000.00\r\n#TRANS 2611 {} -2500.00\r\n}\r\n"
        "#VER A 2 20240131 \"Inbetalning Bankgiro, OCR 100164\" 20240201\r\n{\r\n"
        "#TRANS 1930 {} 12500.00\r\n#TRANS 1510 {} -12500.00 \"\" \"Kund AB, OCR 100164\"\r\n}\r\n"
        "#KSUMMA 2502941571\r\n";
    struct buf b = BUF_INIT;
    struct sie_writer w;

    (void)state;
    sie_writer_init(&w, &b);
    rec(&w, "#FLAGGA", "=0", NULL);
    sie_ksumma_open(&w);
    rec(&w, "#PROGRAM", "'Exempel Bokföring", "=1.0", NULL);
    rec(&w, "#FORMAT", "=PC8", NULL);
    rec(&w, "#GEN", "=20250210", "'export", NULL);
    rec(&w, "#SIETYP", "=4", NULL);
    rec(&w, "#FNAMN", "'Exempelföretaget AB", NULL);
    rec(&w, "#ORGNR", "=555555-5555", NULL);
    rec(&w, "#ADRESS", "'Anna Andersson", "'Box 12", "'111 22 STOCKHOLM", "'08-123 456", NULL);
    rec(&w, "#RAR", "=0", "=20240101", "=20241231", NULL);
    rec(&w, "#RAR", "=-1", "=20230101", "=20231231", NULL);
    rec(&w, "#KPTYP", "=EUBAS97", NULL);
    rec(&w, "#VALUTA", "=SEK", NULL);
    rec(&w, "#KONTO", "=1510", "'Kundfordringar", NULL);
    rec(&w, "#KONTO", "=1930", "'Företagskonto", NULL);
    rec(&w, "#KONTO", "=2081", "'Aktiekapital", NULL);
    rec(&w, "#KONTO", "=2091", "'Balanserad vinst eller förlust", NULL);
    rec(&w, "#KONTO", "=2611", "'Utgående moms på försäljning inom Sverige, 25 %", NULL);
    rec(&w, "#KONTO", "=3001", "'Försäljning inom Sverige, 25 % moms", NULL);
    rec(&w, "#KONTO", "=8999", "'Årets resultat", NULL);
    rec(&w, "#DIM", "=6", "'Projekt", NULL);
    rec(&w, "#OBJEKT", "=6", "'P100", "'Webbshop \"Nya\"", NULL);
    rec(&w, "#IB", "=-1", "=1930", "=25000.00", NULL);
    rec(&w, "#IB", "=-1", "=2081", "=-25000.00", NULL);
    rec(&w, "#UB", "=-1", "=1930", "=75000.00", NULL);
    rec(&w, "#UB", "=-1", "=2081", "=-25000.00", NULL);
    rec(&w, "#UB", "=-1", "=2091", "=-50000.00", NULL);
    rec(&w, "#IB", "=0", "=1930", "=75000.00", NULL);
    rec(&w, "#IB", "=0", "=2081", "=-25000.00", NULL);
    rec(&w, "#IB", "=0", "=2091", "=-50000.00", NULL);
    rec(&w, "#UB", "=0", "=1930", "=87500.00", NULL);
    rec(&w, "#UB", "=0", "=2081", "=-25000.00", NULL);
    rec(&w, "#UB", "=0", "=2091", "=-50000.00", NULL);
    rec(&w, "#UB", "=0", "=2611", "=-2500.00", NULL);
    rec(&w, "#RES", "=-1", "=3001", "=-50000.00", NULL);
    rec(&w, "#RES", "=-1", "=8999", "=50000.00", NULL);
    rec(&w, "#RES", "=0", "=3001", "=-10000.00", NULL);
    rec(&w, "#VER", "=A", "=1", "=20240115", "'Faktura 1001 Kund AB", "=20240116", NULL);
    sie_brace(&w, '{');
    sie_label(&w, "#TRANS");
    sie_field(&w, "1510");
    sie_objects(&w, "{}");
    sie_amount(&w, 1250000);
    sie_end(&w);
    rec(&w, "#TRANS", "=3001", "{6 \"P100\"}", "=-10000.00", NULL);
    rec(&w, "#TRANS", "=2611", "{}", "=-2500.00", NULL);
    sie_brace(&w, '}');
    rec(&w, "#VER", "=A", "=2", "=20240131", "'Inbetalning Bankgiro, OCR 100164", "=20240201",
        NULL);
    sie_brace(&w, '{');
    rec(&w, "#TRANS", "=1930", "{}", "=12500.00", NULL);
    rec(&w, "#TRANS", "=1510", "{}", "=-12500.00", "'", "'Kund AB, OCR 100164", NULL);
    sie_brace(&w, '}');
    sie_ksumma_close(&w);
    assert_int_equal(w.error, PM_OK);
    assert_int_equal(b.len, strlen(expected));
    assert_memory_equal(b.data, expected, b.len);
    buf_release(&b);
    /* A reader of the expected text arrives at the same sum. */
    {
        uint32_t stated = 0;

        assert_int_equal(reader_checksum(expected, &stated), 2502941571u);
        assert_int_equal(stated, 2502941571u);
    }
}

static void test_text_rules(void **state)
{
    struct buf b = BUF_INIT;
    struct sie_writer w;
    char cp[32];

    (void)state;
    /* The spec's own check: #KONTO 1915 "Kassa \"special\"" alone = 1921122205. */
    sie_writer_init(&w, &b);
    sie_ksumma_open(&w);
    rec(&w, "#KONTO", "=1915", "'Kassa \"special\"", NULL);
    assert_int_equal(sie_checksum(&w), 1921122205u);
    /* No CP437 code: '?'; control characters: blank; trailing backslash: '/'. */
    buf_reset(&b);
    sie_writer_init(&w, &b);
    rec(&w, "#FNAMN", "'5€\tAB\\", NULL);
    assert_string_equal(b.data, "#FNAMN \"5? AB/\"\r\n");
    /* A backslash inside text is escaped: it cannot end the text early. */
    buf_reset(&b);
    sie_writer_init(&w, &b);
    rec(&w, "#FNAMN", "'A\\\" #KONTO 1 x", NULL);
    assert_string_equal(b.data, "#FNAMN \"A\\\\\\\" #KONTO 1 x\"\r\n");
    assert_int_equal(sie_cp437("åäöÅÄÖé", cp, sizeof(cp)), 7);
    assert_string_equal(cp, "\x86\x84\x94\x8f\x8e\x99\x82");
    buf_release(&b);
}

/* The vouchers the export test streams. */
struct list {
    const struct voucher *v;
    size_t n, next;
};

static enum pm_err next(void *ctx, const struct voucher **v)
{
    struct list *l = ctx;

    *v = l->next < l->n ? &l->v[l->next++] : NULL;
    return PM_OK;
}

static void test_export(void **state)
{
    struct voucher v[2];
    struct sie_company co = {"Åkerö Bygg AB", "556036-0793",      "",
                             "Storgatan 1",   "111 22 Stockholm", "08-123 456"};
    /* Before the year: an invoice of 1 250 paid, so 1930 +1 250 and sales
     * 3001 −1 000 and 2611 −250 carried: 3001 goes to 2091. */
    struct sie_balance opening[] = {{1930, 125000}, {2611, -25000}, {3001, -100000}};
    /* Through the year's end: the earlier ones and this year's two vouchers. */
    struct sie_balance closing[] = {
        {1510, 0}, {1930, 125000 + 1250000}, {2611, -25000 - 250000}, {3001, -100000 - 1000000}};
    struct list l = {v, 2, 0};
    struct sie_export x;
    struct buf b = BUF_INIT;
    struct pm_error e = {0};

    (void)state;
    voucher_init(&v[0], day("2025-01-15"), "invoice", "Faktura 1001 Kund AB");
    v[0].year = 2025;
    v[0].number = 1;
    voucher_debit(&v[0], 1510, 1250000);
    voucher_credit(&v[0], 3001, 1000000);
    voucher_credit(&v[0], 2611, 250000);
    voucher_init(&v[1], day("2025-01-31"), "payment", "Bankgiro faktura 1001, ref 100164");
    v[1].year = 2025;
    v[1].number = 2;
    voucher_debit(&v[1], 1930, 1250000);
    voucher_credit(&v[1], 1510, 1250000);
    memset(&x, 0, sizeof(x));
    x.company = &co;
    x.type = SIE_TYPE_4E;
    x.year = 2025;
    x.previous_year = true;
    x.generated = day("2026-01-10");
    x.version = "0.1.0";
    x.opening = opening;
    x.n_opening = 3;
    x.closing = closing;
    x.n_closing = 4;
    x.next_voucher = next;
    x.ctx = &l;
    assert_int_equal(sie_export(&x, &b, &e), PM_OK);
    assert_non_null(strstr(b.data, "#FLAGGA 0\r\n#KSUMMA\r\n#PROGRAM \"P\x86minn\" 0.1.0\r\n"));
    assert_non_null(strstr(b.data, "#FORMAT PC8\r\n#GEN 20260110\r\n#SIETYP 4\r\n"));
    assert_non_null(strstr(b.data, "#FNAMN \"\x8Fker\x94 Bygg AB\"\r\n#ORGNR 556036-0793\r\n"));
    assert_non_null(strstr(b.data, "#RAR 0 20250101 20251231\r\n#RAR -1 20240101 20241231\r\n"));
    assert_non_null(strstr(b.data, "#KONTO 1510 \"Kundfordringar\"\r\n"));
    assert_non_null(strstr(b.data, "#KONTO 2091 \"Balanserad vinst eller f\x94rlust\"\r\n"));
    /* #IB 0: 1930 1 250, 2611 −250, 2091 −1 000 (sum 0) */
    assert_non_null(strstr(b.data, "#IB 0 1930 1250.00\r\n#UB 0 1930 13750.00\r\n"));
    assert_non_null(strstr(b.data, "#IB 0 2091 -1000.00\r\n#UB 0 2091 -1000.00\r\n"));
    assert_non_null(strstr(b.data, "#IB 0 2611 -250.00\r\n#UB 0 2611 -2750.00\r\n"));
    assert_null(strstr(b.data, "#IB 0 1510")); /* zero: not written */
    assert_non_null(strstr(b.data, "#RES 0 3001 -10000.00\r\n"));
    assert_null(strstr(b.data, "#IB 0 3001"));
    /* 2024 as it closed (#RAR -1 is declared): #UB -1 1930 1 250 and 2611
     * −250, its result #RES -1 3001 −1 000 (Σ #UB -1 + Σ #RES -1 = 0);
     * nothing before 2024, so no 2091 yet. */
    assert_non_null(strstr(b.data, "#UB -1 1930 1250.00\r\n#IB 0 1930 1250.00\r\n"));
    assert_non_null(strstr(b.data, "#UB -1 2611 -250.00\r\n"));
    assert_null(strstr(b.data, "#UB -1 2091"));
    assert_non_null(strstr(b.data, "#RES -1 3001 -1000.00\r\n#RES 0 3001 -10000.00\r\n"));
    assert_non_null(strstr(b.data, "#VER A 1 20250115 \"Faktura 1001 Kund AB\"\r\n{\r\n"
                                   "#TRANS 1510 {} 12500.00\r\n#TRANS 3001 {} -10000.00\r\n"
                                   "#TRANS 2611 {} -2500.00\r\n}\r\n"));
    /* #KSUMMA is what a reader computes over the records it encloses. */
    {
        uint32_t stated = 0, computed = reader_checksum(b.data, &stated);

        assert_int_equal(stated, computed);
        assert_true(computed != 0);
    }

    /* With a result of 2023 (−400 on 3001) before 2024: it is in 2091 as
     * 2024 closed, and 2024's own result is the rest. */
    {
        struct sie_balance earlier[] = {{1930, 40000}, {3001, -40000}};

        buf_reset(&b);
        l.next = 0;
        x.earlier = earlier;
        x.n_earlier = 2;
        assert_int_equal(sie_export(&x, &b, &e), PM_OK);
        assert_non_null(strstr(b.data, "#UB -1 2091 -400.00\r\n#IB 0 2091 -1000.00\r\n"));
        assert_non_null(strstr(b.data, "#RES -1 3001 -600.00\r\n"));
        x.earlier = NULL;
        x.n_earlier = 0;
    }

    /* 4I, for the main bookkeeping program to import: the vouchers, no
     * balances, only the exported year declared. */
    buf_reset(&b);
    l.next = 0;
    x.type = SIE_TYPE_4I;
    assert_int_equal(sie_export(&x, &b, &e), PM_OK);
    assert_non_null(strstr(b.data, "#SIETYP 4\r\n"));
    assert_non_null(strstr(b.data, "#RAR 0 20250101 20251231\r\n#KPTYP"));
    assert_null(strstr(b.data, "#RAR -1"));
    assert_null(strstr(b.data, "#IB "));
    assert_null(strstr(b.data, "#UB "));
    assert_null(strstr(b.data, "#RES "));
    assert_non_null(strstr(b.data, "#VER A 2 20250131"));
    {
        uint32_t stated = 0, computed = reader_checksum(b.data, &stated);

        assert_int_equal(stated, computed);
    }
    x.type = SIE_TYPE_4E;

    /* A voucher outside the year is refused; nothing is half written. */
    buf_reset(&b);
    v[1].date = day("2026-01-02");
    l.next = 0;
    assert_int_equal(sie_export(&x, &b, &e), PM_ERR_INVALID);
    assert_non_null(strstr(e.message, "outside the year"));
    /* So is one that does not balance. */
    buf_reset(&b);
    v[1].date = day("2025-01-31");
    v[1].rows[0].debit_minor = 1;
    l.next = 0;
    assert_int_equal(sie_export(&x, &b, &e), PM_ERR_INVALID);
    assert_non_null(strstr(e.message, "does not balance"));
    buf_release(&b);
}

/* A broken fiscal year from May: fiscal year 2025 is 2025-05-01 ..
 * 2026-04-30 (bokföringslagen 3 kap. 1 §), so #RAR 0 gives those days and
 * #RAR -1 the year 2024-05-01 .. 2025-04-30; a voucher of 2026-01-15 is
 * inside the year, one of 2026-05-01 (the next year's first day) or of
 * 2025-04-30 (the previous one's last) is not. */
static void test_export_broken_year(void **state)
{
    struct voucher v[2];
    struct sie_company co = {"Majbolaget AB", "556036-0793", "", "", "", ""};
    struct sie_balance opening[] = {{1930, 125000}, {2611, -25000}, {3001, -100000}};
    struct sie_balance closing[] = {
        {1510, 0}, {1930, 125000 + 1250000}, {2611, -25000 - 250000}, {3001, -100000 - 1000000}};
    struct list l = {v, 2, 0};
    struct sie_export x;
    struct buf b = BUF_INIT;
    struct pm_error e = {0};

    (void)state;
    voucher_init(&v[0], day("2025-05-01"), "invoice", "Faktura 1 Kund AB");
    v[0].year = 2025;
    v[0].number = 1;
    voucher_debit(&v[0], 1510, 1250000);
    voucher_credit(&v[0], 3001, 1000000);
    voucher_credit(&v[0], 2611, 250000);
    voucher_init(&v[1], day("2026-04-30"), "payment", "Bankgiro faktura 1");
    v[1].year = 2025;
    v[1].number = 2;
    voucher_debit(&v[1], 1930, 1250000);
    voucher_credit(&v[1], 1510, 1250000);
    memset(&x, 0, sizeof(x));
    x.company = &co;
    x.type = SIE_TYPE_4E;
    x.year = 2025;
    x.start_month = 5;
    x.previous_year = true;
    x.generated = day("2026-06-15");
    x.opening = opening;
    x.n_opening = 3;
    x.closing = closing;
    x.n_closing = 4;
    x.next_voucher = next;
    x.ctx = &l;
    assert_int_equal(sie_export(&x, &b, &e), PM_OK);
    assert_non_null(strstr(b.data, "#RAR 0 20250501 20260430\r\n#RAR -1 20240501 20250430\r\n"));
    assert_non_null(strstr(b.data, "#GEN 20260615\r\n"));
    assert_non_null(strstr(b.data, "#VER A 1 20250501 "));
    assert_non_null(strstr(b.data, "#VER A 2 20260430 "));
    {
        uint32_t stated = 0, computed = reader_checksum(b.data, &stated);

        assert_int_equal(stated, computed);
    }
    /* 4I declares the year alone, with its own dates */
    buf_reset(&b);
    l.next = 0;
    x.type = SIE_TYPE_4I;
    assert_int_equal(sie_export(&x, &b, &e), PM_OK);
    assert_non_null(strstr(b.data, "#RAR 0 20250501 20260430\r\n#KPTYP"));
    x.type = SIE_TYPE_4E;
    /* New Year inside the fiscal year */
    buf_reset(&b);
    l.next = 0;
    v[1].date = day("2026-01-15");
    assert_int_equal(sie_export(&x, &b, &e), PM_OK);
    /* the next fiscal year's first day and the previous one's last day */
    buf_reset(&b);
    l.next = 0;
    v[1].date = day("2026-05-01");
    assert_int_equal(sie_export(&x, &b, &e), PM_ERR_INVALID);
    assert_non_null(strstr(e.message, "outside the year"));
    buf_reset(&b);
    l.next = 0;
    v[1].date = day("2026-04-30");
    v[0].date = day("2025-04-30");
    assert_int_equal(sie_export(&x, &b, &e), PM_ERR_INVALID);
    assert_non_null(strstr(e.message, "outside the year"));
    /* a month outside 1..12 is no fiscal year */
    buf_reset(&b);
    l.next = 0;
    v[0].date = day("2025-05-01");
    x.start_month = 13;
    assert_int_equal(sie_export(&x, &b, &e), PM_ERR_RANGE);
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worked_example),  cmocka_unit_test(test_text_rules),
        cmocka_unit_test(test_export),          cmocka_unit_test(test_export_broken_year),
        cmocka_unit_test(test_reader_checksum),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
