/*
 * camt054_test.c — unit tests for src/bank/camt054.c against the shipped
 * schema (data/camt054.xsd): amounts in öre exactly, the versions'
 * differences (TxDtls/Amt or AmtDtls, Sts or Sts/Cd, Dbtr/Nm or
 * Dbtr/Pty/Nm), what is read but not booked, and every refusal naming its
 * line and element with nothing returned.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bank/camt054.h"
#include "core/date.h"
#include "util/buf.h"

static struct camt054_schema *schema;

static int load(void **state)
{
    const char *dir = getenv("PAMINN_SOURCE_DIR");
    struct pm_error e = {0};
    char path[4096];

    (void)state;
    snprintf(path, sizeof(path), "%s/data/camt054.xsd", dir ? dir : ".");
    if (camt054_schema_load(path, &schema, &e) != PM_OK) {
        fprintf(stderr, "%s\n", e.message);
        return -1;
    }
    return 0;
}

static int unload(void **state)
{
    (void)state;
    camt054_schema_free(&schema);
    camt054_schema_free(&schema); /* a second time: a no-op */
    return 0;
}

/* A document of version v around the notification's entries (line 1 is
 * the Document, the entries start on line 9). */
static char *doc(const char *v, const char *acct, const char *entries)
{
    struct buf b = BUF_INIT;

    if (buf_addf(&b,
                 "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.%s\">\n"
                 "<BkToCstmrDbtCdtNtfctn>\n"
                 "<GrpHdr><MsgId>M-1</MsgId><CreDtTm>2024-03-15T06:30:15</CreDtTm></GrpHdr>\n"
                 "<Ntfctn>\n"
                 "<Id>N-1</Id>\n"
                 "<Acct><Id>%s</Id><Ccy>SEK</Ccy></Acct>\n"
                 "\n"
                 "\n"
                 "%s"
                 "</Ntfctn>\n"
                 "</BkToCstmrDbtCdtNtfctn>\n"
                 "</Document>\n",
                 v, acct, entries))
        fail();
    return b.data;
}

#define BG "<Othr><Id>991-2346</Id><SchmeNm><Prtry>BGNR</Prtry></SchmeNm></Othr>"

static enum pm_err parse(const char *text, struct bgmax_file *f, struct pm_error *e)
{
    memset(e, 0, sizeof(*e));
    return camt054_parse(schema, text, strlen(text), f, e);
}

static void refused(const char *v, const char *entries, const char *field, const char *needle)
{
    struct bgmax_file f;
    struct pm_error e;
    char *text = doc(v, BG, entries);

    assert_int_equal(parse(text, &f, &e), PM_ERR_INVALID);
    assert_string_equal(e.field, field);
    if (!strstr(e.message, needle))
        fail_msg("'%s' not in '%s'", needle, e.message);
    assert_null(f.deposits);
    assert_null(f.payments);
    assert_int_equal(f.n_deposits, 0);
    free(text);
}

/* Version 02: amounts in AmtDtls/TxAmt/Amt, the status a code. */
static void test_v02_two_transactions(void **state)
{
    static const char entries[] =
        "<Ntry><Amt Ccy=\"SEK\">15500.5</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>\n"
        "<BookgDt><Dt>2024-03-15</Dt></BookgDt><AcctSvcrRef>E-1</AcctSvcrRef>\n"
        "<NtryDtls>\n"
        "<TxDtls><Refs><AcctSvcrRef>T-1</AcctSvcrRef></Refs>\n"
        "<AmtDtls><TxAmt><Amt Ccy=\"SEK\">12500.00</Amt></TxAmt></AmtDtls>\n"
        "<RltdPties><Dbtr><Nm>Åsa Öberg</Nm></Dbtr><DbtrAcct><Id><Othr><Id>5050-1055</Id>"
        "<SchmeNm><Prtry>BGNR</Prtry></SchmeNm></Othr></Id></DbtrAcct></RltdPties>\n"
        "<RmtInf><Ustrd>avser</Ustrd><Ustrd>två fakturor</Ustrd>"
        "<Strd><CdtrRefInf><Ref>100164</Ref></CdtrRefInf></Strd>"
        "<Strd><CdtrRefInf><Ref>100263</Ref></CdtrRefInf></Strd></RmtInf></TxDtls>\n"
        "<TxDtls><Refs><EndToEndId>E2E-2</EndToEndId></Refs>\n"
        "<AmtDtls><TxAmt><Amt Ccy=\"SEK\">3000.50</Amt></TxAmt></AmtDtls></TxDtls>\n"
        "</NtryDtls></Ntry>\n";
    struct bgmax_file f;
    struct pm_error e;
    char *text = doc("02", BG, entries);
    int32_t day;

    (void)state;
    assert_int_equal(parse(text, &f, &e), PM_OK);
    assert_int_equal(f.format, BANKFILE_CAMT054);
    assert_string_equal(f.msg_id, "M-1");
    assert_string_equal(f.timestamp, "20240315063015");
    assert_int_equal(f.n_deposits, 1);
    assert_string_equal(f.deposits[0].payee_bankgiro, "0009912346");
    assert_string_equal(f.deposits[0].currency, "SEK");
    assert_string_equal(f.deposits[0].bank_ref, "E-1");
    assert_string_equal(f.deposits[0].skip_reason, "");
    /* 15 500,5 kr is 1 550 050 öre = 1 250 000 + 300 050 */
    assert_int_equal(f.deposits[0].amount_minor, 1550050);
    date_parse_iso("2024-03-15", &day);
    assert_int_equal(f.deposits[0].date, day);
    assert_int_equal(f.n_payments, 2);
    assert_int_equal(f.payments[0].amount_minor, 1250000);
    assert_int_equal(f.payments[0].line, 12);
    assert_string_equal(f.payments[0].payer_name, "Åsa Öberg");
    assert_string_equal(f.payments[0].payer_bankgiro, "0050501055");
    assert_string_equal(f.payments[0].reference, "100164");
    assert_int_equal(f.payments[0].ref_code, 2);
    assert_string_equal(f.payments[0].info, "avser två fakturor");
    assert_string_equal(f.payments[0].bank_ref, "T-1");
    assert_int_equal(f.payments[0].n_extra, 1);
    assert_string_equal(f.extras[f.payments[0].first_extra].reference, "100263");
    assert_int_equal(f.extras[0].amount_minor, 0);
    assert_int_equal(f.payments[1].amount_minor, 300050);
    assert_string_equal(f.payments[1].bank_ref, "E2E-2");
    assert_string_equal(f.payments[1].payer_bankgiro, "0000000000");
    assert_int_equal(f.n_warnings, 0);
    bgmax_file_release(&f);
    free(text);
}

/* Version 08: Sts/Cd, Dbtr/Pty/Nm, TxDtls/Amt; a transaction against the
 * entry's direction is a deduction; an entry of one transaction without
 * an amount takes the entry's; an IBAN account has no bankgiro. */
static void test_v08_and_iban(void **state)
{
    static const char entries[] =
        "<Ntry><Amt Ccy=\"SEK\">900</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>\n"
        "<ValDt><DtTm>2024-03-16T10:00:00</DtTm></ValDt><AcctSvcrRef>E-8</AcctSvcrRef>\n"
        "<NtryDtls><TxDtls><Amt Ccy=\"SEK\">1000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>"
        "<RltdPties><Dbtr><Pty><Nm>Bo</Nm></Pty></Dbtr></RltdPties></TxDtls>\n"
        "<TxDtls><Amt Ccy=\"SEK\">100.00</Amt><CdtDbtInd>DBIT</CdtDbtInd></TxDtls></NtryDtls>"
        "</Ntry>\n"
        "<Ntry><Amt Ccy=\"SEK\">42.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>\n"
        "<BookgDt><Dt>2024-03-16</Dt></BookgDt>\n"
        "<NtryDtls><TxDtls><RmtInf><Ustrd>faktura 1001</Ustrd></RmtInf></TxDtls></NtryDtls>"
        "</Ntry>\n";
    struct bgmax_file f;
    struct pm_error e;
    char *text = doc("08", "<IBAN>SE4550000000058398257466</IBAN>", entries);
    int32_t day;

    (void)state;
    assert_int_equal(parse(text, &f, &e), PM_OK);
    assert_int_equal(f.n_deposits, 2);
    assert_string_equal(f.deposits[0].payee_bankgiro, "");
    assert_string_equal(f.deposits[0].account, "SE4550000000058398257466");
    date_parse_iso("2024-03-16", &day);
    assert_int_equal(f.deposits[0].date, day);
    assert_int_equal(f.deposits[0].amount_minor, 90000);
    assert_string_equal(f.payments[0].payer_name, "Bo");
    assert_false(f.payments[0].deduction);
    assert_true(f.payments[1].deduction);
    assert_int_equal(f.payments[1].amount_minor, 10000);
    assert_int_equal(f.deposits[1].n_payments, 1);
    assert_int_equal(f.payments[2].amount_minor, 4200);
    assert_string_equal(f.payments[2].info, "faktura 1001");
    assert_string_equal(f.payments[2].reference, "");
    bgmax_file_release(&f);
    free(text);
}

/* Debit, pending, information, reversed and EUR entries: read, not
 * booked, each with its reason and a warning naming its line. */
static void test_skipped(void **state)
{
    static const char entries[] =
        "<Ntry><Amt Ccy=\"SEK\">1</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>"
        "<BookgDt><Dt>2024-03-15</Dt></BookgDt><AcctSvcrRef>D</AcctSvcrRef></Ntry>\n"
        "<Ntry><Amt Ccy=\"SEK\">2</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>PDNG</Sts>"
        "<AcctSvcrRef>P</AcctSvcrRef></Ntry>\n"
        "<Ntry><Amt Ccy=\"SEK\">3</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>INFO</Sts></Ntry>\n"
        "<Ntry><Amt Ccy=\"SEK\">4</Amt><CdtDbtInd>CRDT</CdtDbtInd><RvslInd>true</RvslInd>"
        "<Sts>BOOK</Sts><BookgDt><Dt>2024-03-15</Dt></BookgDt></Ntry>\n"
        "<Ntry><Amt Ccy=\"EUR\">5</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>"
        "<BookgDt><Dt>2024-03-15</Dt></BookgDt><AcctSvcrRef>X</AcctSvcrRef></Ntry>\n";
    struct bgmax_file f;
    struct pm_error e;
    char *text = doc("05", BG, entries);

    (void)state;
    assert_int_equal(parse(text, &f, &e), PM_OK);
    assert_int_equal(f.n_deposits, 5);
    assert_string_equal(f.deposits[0].skip_reason, "a debit entry is no incoming payment");
    assert_string_equal(f.deposits[1].skip_reason, "the entry is not booked (status PDNG)");
    assert_string_equal(f.deposits[2].skip_reason, "the entry is not booked (status INFO)");
    assert_string_equal(f.deposits[3].skip_reason, "a reversal is no incoming payment");
    assert_string_equal(f.deposits[4].skip_reason, "only deposits in SEK are booked");
    assert_int_equal(f.deposits[4].amount_minor, 500);
    assert_int_equal(f.n_warnings, 5);
    assert_string_equal(f.warnings[0], "line 9: Ntry D: debit entry not booked");
    assert_string_equal(f.warnings[4], "line 13: Ntry X: an entry in EUR, not booked");
    bgmax_file_release(&f);
    free(text);
}

static void test_amounts(void **state)
{
#define ENTRY(amt)                                                                   \
    "<Ntry><Amt Ccy=\"SEK\">" amt "</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>" \
    "<BookgDt><Dt>2024-03-15</Dt></BookgDt></Ntry>\n"
    struct bgmax_file f;
    struct pm_error e;
    char *text = doc("04", BG, ENTRY("0.01") ENTRY("7.") ENTRY("0010.10"));

    (void)state;
    assert_int_equal(parse(text, &f, &e), PM_OK);
    assert_int_equal(f.deposits[0].amount_minor, 1);
    assert_int_equal(f.deposits[1].amount_minor, 700);
    assert_int_equal(f.deposits[2].amount_minor, 1010);
    bgmax_file_release(&f);
    free(text);
    text = doc("04", BG, ENTRY("10000000000000.00"));
    assert_int_equal(parse(text, &f, &e), PM_OK);
    assert_int_equal(f.deposits[0].amount_minor, INT64_C(1000000000000000)); /* MONEY_MAX */
    bgmax_file_release(&f);
    free(text);
    refused("04", ENTRY("1.005"), "line 9", "Amt: '1.005' has more than two decimals");
    refused("04", ENTRY("10000000000000.01"), "line 9", "is too large");
    refused("04", ENTRY("-1.00"), "line 9", "minInclusive");
    refused("04", ENTRY("1e3"), "line 9", "not a valid value");
    /* two entries of MONEY_MAX together are more than the books can hold */
    refused("04", ENTRY("10000000000000.00") ENTRY("0.01"), "line 10", "add up to more");
#undef ENTRY
}

static void test_refusals(void **state)
{
    struct bgmax_file f;
    struct pm_error e;
    char *text;

    (void)state;
    /* sums */
    refused("04",
            "<Ntry><Amt Ccy=\"SEK\">10</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>"
            "<BookgDt><Dt>2024-03-15</Dt></BookgDt><AcctSvcrRef>S</AcctSvcrRef><NtryDtls>"
            "<TxDtls><Amt Ccy=\"SEK\">6</Amt></TxDtls><TxDtls><Amt Ccy=\"SEK\">5</Amt></TxDtls>"
            "</NtryDtls></Ntry>\n",
            "line 9",
            "Ntry S: the transactions add up to 1100 öre, the entry's amount is 1000 öre");
    /* several transactions, one without an amount */
    refused("04",
            "<Ntry><Amt Ccy=\"SEK\">10</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>"
            "<BookgDt><Dt>2024-03-15</Dt></BookgDt><NtryDtls>\n"
            "<TxDtls><Amt Ccy=\"SEK\">6</Amt></TxDtls>\n<TxDtls></TxDtls>"
            "</NtryDtls></Ntry>\n",
            "line 11", "TxDtls: no amount");
    /* a transaction in another currency than its entry */
    refused("04",
            "<Ntry><Amt Ccy=\"SEK\">10</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>"
            "<BookgDt><Dt>2024-03-15</Dt></BookgDt><NtryDtls>"
            "<TxDtls><Amt Ccy=\"EUR\">10</Amt></TxDtls></NtryDtls></Ntry>\n",
            "line 9", "currency EUR differs from the entry's SEK");
    /* booked without a date */
    refused("04",
            "<Ntry><Amt Ccy=\"SEK\">10</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts></Ntry>\n",
            "line 9", "a booked entry without BookgDt or ValDt");
    /* the schema: an element out of order, a bad date */
    refused("04",
            "<Ntry><CdtDbtInd>CRDT</CdtDbtInd><Amt Ccy=\"SEK\">10</Amt><Sts>BOOK</Sts></Ntry>\n",
            "line 9", "Element 'CdtDbtInd': This element is not expected. Expected is");
    refused("04",
            "<Ntry><Amt Ccy=\"SEK\">10</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>"
            "<BookgDt><Dt>2024-02-30</Dt></BookgDt></Ntry>\n",
            "line 9", "'2024-02-30' is not a valid value of the atomic type 'xs:date'");
    /* a bankgiro number that is none */
    text = doc("04", "<Othr><Id>12</Id><SchmeNm><Prtry>BGNR</Prtry></SchmeNm></Othr>", "");
    assert_int_equal(parse(text, &f, &e), PM_ERR_INVALID);
    assert_string_equal(e.message, "line 6: Othr/Id: '12' is no bankgiro number");
    free(text);
    /* not XML, empty, another namespace, another root */
    assert_int_equal(parse("<Document", &f, &e), PM_ERR_INVALID);
    assert_string_equal(e.field, "line 1");
    assert_non_null(strstr(e.message, "not well-formed XML"));
    assert_int_equal(camt054_parse(schema, "", 0, &f, &e), PM_ERR_INVALID);
    assert_string_equal(e.message, "the file is empty");
    assert_int_equal(camt054_parse(schema, "x", CAMT054_MAX_BYTES + 1, &f, &e), PM_ERR_INVALID);
    assert_non_null(strstr(e.message, "larger than"));
    assert_int_equal(
        parse("<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.09\"/>", &f, &e),
        PM_ERR_INVALID);
    assert_non_null(strstr(e.message, "not a camt.054 Document"));
    assert_int_equal(
        parse("<Doc xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.02\"/>", &f, &e),
        PM_ERR_INVALID);
    assert_int_equal(camt054_parse(NULL, "<x/>", 4, &f, &e), PM_ERR_INTERNAL);
}

/* A DOCTYPE stops the parser before its subset: no entity is defined,
 * expanded or fetched. */
static void test_doctype(void **state)
{
    static const char *const files[] = {
        ("<?xml version=\"1.0\"?>\n<!DOCTYPE d [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;\">]>\n"
         "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.02\">&b;</Document>"),
        "<!DOCTYPE d SYSTEM \"data/reference-rates.csv\"><d/>",
        "<!DOCTYPE d [<!ENTITY x SYSTEM \"http://127.0.0.1:1/x\">]><d>&x;</d>",
    };
    struct bgmax_file f;
    struct pm_error e;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        assert_int_equal(parse(files[i], &f, &e), PM_ERR_INVALID);
        assert_non_null(strstr(e.message, "a DOCTYPE is not allowed"));
        assert_string_equal(e.field, i == 0 ? "line 2" : "line 1");
    }
}

/* Texts longer than their field are cut at a character boundary. */
static void test_long_texts(void **state)
{
    struct buf entries = BUF_INIT;
    struct bgmax_file f;
    struct pm_error e;
    char name[141 * 2];
    char *text;
    size_t i;

    (void)state;
    for (i = 0; i < 140; i++)
        memcpy(name + 2 * i, "\xc3\xa5", 2); /* å: 140 characters, 280 bytes */
    name[280] = '\0';
    assert_int_equal(buf_addf(&entries,
                              "<Ntry><Amt Ccy=\"SEK\">1</Amt><CdtDbtInd>CRDT</CdtDbtInd>"
                              "<Sts>BOOK</Sts><BookgDt><Dt>2024-03-15</Dt></BookgDt><NtryDtls>"
                              "<TxDtls><RltdPties><Dbtr><Nm>%s</Nm></Dbtr></RltdPties>"
                              "<RmtInf><Ustrd>%s</Ustrd><Ustrd>%s</Ustrd></RmtInf>"
                              "</TxDtls></NtryDtls></Ntry>\n",
                              name, name, name),
                     PM_OK);
    text = doc("03", BG, entries.data);
    assert_int_equal(parse(text, &f, &e), PM_OK);
    /* payer_name holds 143 bytes: 71 characters of two bytes each */
    assert_int_equal(strlen(f.payments[0].payer_name), 142);
    /* info holds 511 bytes: 280 + a blank + 115 characters = 511 */
    assert_int_equal(strlen(f.payments[0].info), 511);
    assert_int_equal((unsigned char)f.payments[0].info[510], 0xa5);
    bgmax_file_release(&f);
    free(text);
    buf_release(&entries);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v02_two_transactions),
        cmocka_unit_test(test_v08_and_iban),
        cmocka_unit_test(test_skipped),
        cmocka_unit_test(test_amounts),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_doctype),
        cmocka_unit_test(test_long_texts),
    };

    return cmocka_run_group_tests(tests, load, unload);
}
