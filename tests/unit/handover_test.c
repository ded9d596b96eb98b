/*
 * handover_test.c — unit tests for src/core/handover.c: each reason an
 * invoice cannot go to Visma Amili, with the field the bookkeeper must fix
 * and a message in both languages; eligible Swedish and foreign customers;
 * and all reasons at once.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/date.h"
#include "core/handover.h"

static int32_t ymd(int y, int m, int d)
{
    int32_t out = 0;

    assert_int_equal(date_from_ymd(y, m, d, &out), PM_OK);
    return out;
}

/* An overdue private Swedish customer's invoice that may go. */
static struct handover_facts eligible(void)
{
    struct handover_facts f = {
        .company_activated = true,
        .due_date = ymd(2026, 2, 28),
        .remaining_minor = 1375000,
        .currency = "SEK",
        .customer_name = "Anna Andersson",
        .address_line_1 = "Storgatan 1",
        .zip_code = "123 45",
        .city = "Småstad",
        .country = "SE",
        .id_number = "19121212-1212",
        .customer_is_company = false,
    };
    return f;
}

static int32_t today(void)
{
    return ymd(2026, 3, 20);
}

/* Exactly one reason, with this code and field, and both messages present. */
static void expect_one(const struct handover_facts *f, const char *code, const char *field)
{
    struct handover_reason r[HANDOVER_MAX_REASONS];
    size_t n = handover_check(f, today(), r);

    if (n != 1)
        fail_msg("expected only %s, got %zu reasons (first: %s)", code, n, n ? r[0].code : "none");
    assert_string_equal(r[0].code, code);
    assert_string_equal(r[0].field, field);
    assert_true(strlen(r[0].message_sv) > 10);
    assert_true(strlen(r[0].message_en) > 10);
}

static void test_eligible(void **state)
{
    struct handover_facts f = eligible();
    struct handover_reason r[HANDOVER_MAX_REASONS];

    (void)state;
    assert_int_equal(handover_check(&f, today(), r), 0);
    /* A company with a valid organisation number. */
    f.customer_is_company = true;
    f.id_number = "556036-0793";
    assert_int_equal(handover_check(&f, today(), r), 0);
    /* Surrounding spaces on the card are not an error. */
    f.id_number = " 5560360793 ";
    assert_int_equal(handover_check(&f, today(), r), 0);
}

static void test_foreign_customer_in_sek(void **state)
{
    struct handover_facts f = eligible();
    struct handover_reason r[HANDOVER_MAX_REASONS];

    (void)state;
    f.country = "NO";
    f.city = "Oslo";
    f.zip_code = "0150";
    f.id_number = "";
    assert_int_equal(handover_check(&f, today(), r), 0);
    f.id_number = NULL;
    assert_int_equal(handover_check(&f, today(), r), 0);
    /* A foreign customer in euro is refused for the currency only. */
    f.currency = "EUR";
    expect_one(&f, "currency_not_sek", "invoice.currency");
}

static void test_invoice_reasons(void **state)
{
    struct handover_facts f;

    (void)state;
    f = eligible();
    f.due_date = today(); /* due today is not overdue yet */
    expect_one(&f, "not_overdue", "invoice.due_date");
    f.due_date = today() - 1;
    {
        struct handover_reason r[HANDOVER_MAX_REASONS];

        assert_int_equal(handover_check(&f, today(), r), 0);
    }

    f = eligible();
    f.remaining_minor = 0;
    expect_one(&f, "nothing_to_pay", "invoice.remaining_minor");
    f.remaining_minor = -100; /* over-paid */
    expect_one(&f, "nothing_to_pay", "invoice.remaining_minor");

    f = eligible();
    f.currency = "EUR";
    expect_one(&f, "currency_not_sek", "invoice.currency");
    f.currency = NULL;
    expect_one(&f, "currency_not_sek", "invoice.currency");

    f = eligible();
    f.already_handed_over = true;
    expect_one(&f, "already_handed_over", "invoice");

    f = eligible();
    f.written_off = true;
    expect_one(&f, "written_off", "invoice");

    f = eligible();
    f.credited = true;
    expect_one(&f, "credited", "invoice");

    f = eligible();
    f.company_activated = false;
    expect_one(&f, "company_not_activated", "company");
}

static void test_customer_card_reasons(void **state)
{
    struct handover_facts f;
    struct handover_reason r[HANDOVER_MAX_REASONS];

    (void)state;
    f = eligible();
    f.customer_name = "   ";
    expect_one(&f, "missing_customer_name", "customer.name");
    f.customer_name = NULL;
    expect_one(&f, "missing_customer_name", "customer.name");

    f = eligible();
    f.address_line_1 = "";
    expect_one(&f, "missing_address_line_1", "customer.address_line_1");

    f = eligible();
    f.zip_code = " \t";
    expect_one(&f, "missing_zip_code", "customer.zip_code");
    handover_check(&f, today(), r);
    assert_string_equal(r[0].message_sv, "Kunden saknar postnummer på kundkortet.");
    assert_string_equal(r[0].message_en, "The customer card has no postal code.");

    f = eligible();
    f.city = "";
    expect_one(&f, "missing_city", "customer.city");

    /* No country: it is reported, and the customer counts as Swedish, so a
     * missing identity number is reported with it. */
    f = eligible();
    f.country = "";
    expect_one(&f, "missing_country", "customer.country");
    f.id_number = "";
    assert_int_equal(handover_check(&f, today(), r), 2);
    assert_string_equal(r[0].code, "missing_country");
    assert_string_equal(r[1].code, "missing_id_number");
}

static void test_id_number_reasons(void **state)
{
    struct handover_facts f;
    struct handover_reason r[HANDOVER_MAX_REASONS];

    (void)state;
    f = eligible();
    f.id_number = "";
    expect_one(&f, "missing_id_number", "customer.id_number");
    f.id_number = "  ";
    expect_one(&f, "missing_id_number", "customer.id_number");
    f.country = "se";
    expect_one(&f, "missing_id_number", "customer.id_number");

    /* Wrong check digit. */
    f = eligible();
    f.id_number = "19121212-1213";
    expect_one(&f, "invalid_id_number", "customer.id_number");
    handover_check(&f, today(), r);
    assert_non_null(strstr(r[0].message_sv, "Personnumret"));

    /* A personal number on a company card is not an organisation number. */
    f = eligible();
    f.customer_is_company = true;
    expect_one(&f, "invalid_id_number", "customer.id_number");
    handover_check(&f, today(), r);
    assert_non_null(strstr(r[0].message_sv, "Organisationsnumret"));
    assert_non_null(strstr(r[0].message_en, "organisation number"));

    f.id_number = "556036-0794";
    expect_one(&f, "invalid_id_number", "customer.id_number");

    /* A foreign customer may leave it empty, but what is given must be valid. */
    f = eligible();
    f.country = "DK";
    f.id_number = "DK12345678";
    expect_one(&f, "invalid_id_number", "customer.id_number");
}

static void test_all_reasons_together(void **state)
{
    static const char *const codes[] = {
        "company_not_activated",
        "already_handed_over",
        "written_off",
        "credited",
        "not_overdue",
        "nothing_to_pay",
        "currency_not_sek",
        "missing_customer_name",
        "missing_address_line_1",
        "missing_zip_code",
        "missing_city",
        "missing_country",
        "missing_id_number",
    };
    const size_t n_codes = sizeof(codes) / sizeof(codes[0]);
    struct handover_facts f = {
        .company_activated = false,
        .due_date = today() + 10,
        .remaining_minor = 0,
        .currency = "USD",
        .already_handed_over = true,
        .written_off = true,
        .credited = true,
        .customer_name = "",
        .address_line_1 = " ",
        .zip_code = NULL,
        .city = "",
        .country = "",
        .id_number = "",
    };
    struct handover_reason r[HANDOVER_MAX_REASONS];
    size_t n;

    (void)state;
    n = handover_check(&f, today(), r);
    assert_int_equal(n, n_codes);
    assert_true(n <= HANDOVER_MAX_REASONS);
    for (size_t i = 0; i < n_codes; i++) {
        bool found = false;

        for (size_t j = 0; j < n; j++)
            if (strcmp(r[j].code, codes[i]) == 0)
                found = true;
        if (!found)
            fail_msg("reason %s missing", codes[i]);
    }

    /* With an invalid id number instead of none. */
    f.id_number = "not a number";
    n = handover_check(&f, today(), r);
    assert_int_equal(n, n_codes);
    assert_string_equal(r[n - 1].code, "invalid_id_number");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eligible),          cmocka_unit_test(test_foreign_customer_in_sek),
        cmocka_unit_test(test_invoice_reasons),   cmocka_unit_test(test_customer_card_reasons),
        cmocka_unit_test(test_id_number_reasons), cmocka_unit_test(test_all_reasons_together),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
