/*
 * idnum_test.c — Swedish identity numbers and OCR references
 * (src/core/idnum.c): what a bookkeeper types on a customer card and what
 * the agency receives.  Every check digit below was computed by hand with
 * the Luhn rule (weights 2,1,2,1,... from the left over ten digits).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/date.h"
#include "core/idnum.h"

static int32_t day(int y, int m, int d)
{
    int32_t out = 0;

    assert_int_equal(date_from_ymd(y, m, d, &out), PM_OK);
    return out;
}

static void expect_person(const char *s, int32_t today, enum idnum_kind kind,
                          const char *normalized, const char *display)
{
    struct idnum id;

    memset(&id, 0, sizeof(id));
    if (idnum_parse_person(s, today, &id) != PM_OK)
        fail_msg("refused \"%s\"", s);
    assert_int_equal(id.kind, kind);
    assert_string_equal(id.normalized, normalized);
    assert_string_equal(id.display, display);
    /* idnum_parse() sees the same thing. */
    memset(&id, 0, sizeof(id));
    assert_int_equal(idnum_parse(s, today, &id), PM_OK);
    assert_string_equal(id.normalized, normalized);
}

static void expect_person_refused(const char *s, int32_t today, enum pm_err want)
{
    struct idnum id;

    memset(&id, 'x', sizeof(id));
    if (idnum_parse_person(s, today, &id) != want)
        fail_msg("\"%s\" not refused as %d", s, (int)want);
    assert_int_equal(id.normalized[0], 'x'); /* untouched */
}

static void luhn_check_digits(void **state)
{
    (void)state;
    /* 8 1 1 2 1 8 9 8 7 -> 16→7,1,2,2,2,8,18→9,8,14→5 = 44 -> 6 */
    assert_int_equal(luhn_check_digit("811218987", 9), 6);
    assert_true(luhn_valid("8112189876", 10));
    assert_false(luhn_valid("8112189875", 10));
    assert_false(luhn_valid("8112189877", 10));
    /* Swapping two neighbours is caught. */
    assert_false(luhn_valid("1812189876", 10));
    assert_int_equal(luhn_check_digit("556036079", 9), 3);
    assert_false(luhn_valid("5", 1));
    assert_false(luhn_valid("81121898a6", 10));
    assert_int_equal(luhn_check_digit("12a", 3), -1);
    assert_int_equal(luhn_check_digit("", 0), -1);
}

static void personnummer_forms_normalise(void **state)
{
    int32_t today = day(2025, 6, 1);

    (void)state;
    expect_person("811218-9876", today, IDNUM_PERSONAL, "198112189876", "19811218-9876");
    expect_person("8112189876", today, IDNUM_PERSONAL, "198112189876", "19811218-9876");
    expect_person("198112189876", today, IDNUM_PERSONAL, "198112189876", "19811218-9876");
    expect_person("19811218-9876", today, IDNUM_PERSONAL, "198112189876", "19811218-9876");
    /* Born 29 February 2000 (a leap year). */
    expect_person("000229-1235", today, IDNUM_PERSONAL, "200002291235", "20000229-1235");
}

static void century_follows_today_and_plus_sign(void **state)
{
    int32_t today = day(2025, 6, 1);

    (void)state;
    /* 12 December 2012 with '-': a child; with '+': born 1912, over 100. */
    expect_person("121212-1212", today, IDNUM_PERSONAL, "201212121212", "20121212-1212");
    expect_person("121212+1212", today, IDNUM_PERSONAL, "191212121212", "19121212-1212");
    /* 1 June 25 is today: born today in 2025.  2 June 25 would be tomorrow,
     * so it must be 1925. */
    expect_person("250601-1234", today, IDNUM_PERSONAL, "202506011234", "20250601-1234");
    expect_person("250602-1233", today, IDNUM_PERSONAL, "192506021233", "19250602-1233");
    /* With '+' the person turned 100 no later than today. */
    expect_person("250601+1234", today, IDNUM_PERSONAL, "192506011234", "19250601-1234");
    expect_person("250602+1233", today, IDNUM_PERSONAL, "182506021233", "18250602-1233");
    /* 31 December 2099 is still to come, so 1999. */
    expect_person("991231-9994", today, IDNUM_PERSONAL, "199912319994", "19991231-9994");
    /* 29 February 1900 never existed: with '+' the number is impossible. */
    expect_person_refused("000229+1235", today, PM_ERR_INVALID);
}

static void samordningsnummer_day_plus_sixty(void **state)
{
    int32_t today = day(2025, 6, 1);
    struct idnum id;

    (void)state;
    /* Day 63 = the 3rd; 2070 is in the future, so 1970. */
    expect_person("701063-2391", today, IDNUM_COORDINATION, "197010632391", "19701063-2391");
    expect_person("197010632391", today, IDNUM_COORDINATION, "197010632391", "19701063-2391");
    assert_int_equal(idnum_parse("7010632391", today, &id), PM_OK);
    assert_int_equal(id.kind, IDNUM_COORDINATION);
    expect_person_refused("701063-2392", today, PM_ERR_INVALID);
}

static void impossible_or_malformed_persons_refused(void **state)
{
    static const char *bad[] = {
        "811218-9875",   /* check digit */
        "131301-1239",   /* month 13 (valid Luhn) */
        "120230-1238",   /* 30 February (valid Luhn) */
        "190229-1234",   /* 29 February 2019 (valid Luhn) */
        "811218 9876",   /* space as separator */
        " 8112189876",   /* leading space */
        "8112189876 ",   /* trailing space */
        "811218--9876",  /* double separator */
        "81121898761",   /* eleven digits */
        "811218987",     /* nine digits */
        "19811218+9876", /* '+' with a written century */
        "1981121-89876", /* separator in the wrong place */
        "81121A-9876",   /* a letter */
        "",              /* nothing */
        "5560360793",    /* an organisation (month 60) */
    };
    int32_t today = day(2025, 6, 1);

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_person_refused(bad[i], today, PM_ERR_INVALID);
    expect_person_refused(NULL, today, PM_ERR_INVALID);
    /* A 12-digit number born after today. */
    expect_person_refused("203012189878", today, PM_ERR_RANGE);
}

static void organisationsnummer_forms(void **state)
{
    static const char *forms[] = {"556036-0793", "5560360793", "165560360793", "16556036-0793"};
    struct idnum id;

    (void)state;
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        memset(&id, 0, sizeof(id));
        assert_int_equal(idnum_parse_org(forms[i], &id), PM_OK);
        assert_int_equal(id.kind, IDNUM_ORGANISATION);
        assert_string_equal(id.normalized, "5560360793");
        assert_string_equal(id.display, "556036-0793");
        memset(&id, 0, sizeof(id));
        assert_int_equal(idnum_parse(forms[i], day(2025, 6, 1), &id), PM_OK);
        assert_int_equal(id.kind, IDNUM_ORGANISATION);
        assert_string_equal(id.normalized, "5560360793");
    }
    /* Skatteverket's own number: 202100-5448. */
    assert_int_equal(idnum_parse_org("202100-5448", &id), PM_OK);
    assert_string_equal(id.display, "202100-5448");
    assert_int_equal(idnum_parse_org("556036-0794", &id), PM_ERR_INVALID);
    /* A valid Luhn number whose third digit is 1 is a person, not an org. */
    assert_true(luhn_valid("1212121212", 10));
    assert_int_equal(idnum_parse_org("1212121212", &id), PM_ERR_INVALID);
    assert_int_equal(idnum_parse_org("121212-1212", &id), PM_ERR_INVALID);
    assert_int_equal(idnum_parse_org("556036+0793", &id), PM_ERR_INVALID);
    assert_int_equal(idnum_parse_org("175560360793", &id), PM_ERR_INVALID);
    assert_int_equal(idnum_parse_org("5560360793 ", &id), PM_ERR_INVALID);
    assert_int_equal(idnum_parse_org(NULL, &id), PM_ERR_INVALID);
}

static void ocr_references(void **state)
{
    char ref[26];

    (void)state;
    /* 1 2 3 4 5: from the right 5*2=10→1, 4, 3*2=6, 2, 1*2=2 = 15 -> 5. */
    assert_int_equal(ocr_make("12345", false, ref, sizeof(ref)), PM_OK);
    assert_string_equal(ref, "123455");
    assert_true(ocr_valid("123455", false));
    /* With length digit: 7 digits in all -> 7; Luhn over 123457 -> 4. */
    assert_int_equal(ocr_make("12345", true, ref, sizeof(ref)), PM_OK);
    assert_string_equal(ref, "1234574");
    assert_true(ocr_valid("1234574", true));
    assert_false(ocr_valid("1234564", true)); /* wrong length digit */
    assert_false(ocr_valid("1234575", true)); /* wrong check digit */
    assert_false(ocr_valid("123455", true));  /* valid Luhn, length digit 5 != 6 */
    /* Twelve digits: length digit 2 (12 mod 10). */
    assert_int_equal(ocr_make("1234567890", true, ref, sizeof(ref)), PM_OK);
    assert_string_equal(ref, "123456789023");
    assert_true(ocr_valid("123456789023", true));
    /* Limits: 23 base digits make 25 with both extras; 24 is too many. */
    assert_int_equal(ocr_make("12345678901234567890123", true, ref, sizeof(ref)), PM_OK);
    assert_int_equal(strlen(ref), 25);
    assert_true(ocr_valid(ref, true));
    assert_int_equal(ocr_make("123456789012345678901234", false, ref, sizeof(ref)), PM_ERR_INVALID);
    assert_int_equal(ocr_make("", false, ref, sizeof(ref)), PM_ERR_INVALID);
    assert_int_equal(ocr_make("12a45", false, ref, sizeof(ref)), PM_ERR_INVALID);
    assert_int_equal(ocr_make("12345", true, ref, 7), PM_ERR_RANGE);
    assert_false(ocr_valid("", false));
    assert_false(ocr_valid("0", false));
    assert_false(ocr_valid("12345 5", false));
    assert_false(ocr_valid("12345678901234567890123456", false)); /* 26 digits */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(luhn_check_digits),
        cmocka_unit_test(personnummer_forms_normalise),
        cmocka_unit_test(century_follows_today_and_plus_sign),
        cmocka_unit_test(samordningsnummer_day_plus_sixty),
        cmocka_unit_test(impossible_or_malformed_persons_refused),
        cmocka_unit_test(organisationsnummer_forms),
        cmocka_unit_test(ocr_references),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
