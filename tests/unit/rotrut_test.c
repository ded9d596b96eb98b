/*
 * rotrut_test.c — unit tests for src/core/rotrut.c: the yearly caps of the
 * ROT and RUT tax reductions per buyer (inkomstskattelagen 1999:1229,
 * 67 kap. 11 §: RUT at most 75 000 kr, ROT at most 50 000 kr, together at
 * most 75 000 kr a year), an invoice's reduction shared equally by its
 * buyers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/rotrut.h"

static void shares(void **state)
{
    (void)state;
    /* 200 000,01 kr over two buyers: the first takes the öre left over. */
    assert_int_equal(rotrut_share(20000001, 2, 0), 10000001);
    assert_int_equal(rotrut_share(20000001, 2, 1), 10000000);
    assert_int_equal(rotrut_share(100, 3, 0), 34);
    assert_int_equal(rotrut_share(100, 3, 2), 33);
    assert_int_equal(rotrut_share(100, 0, 0), 0);
}

static void rooms(void **state)
{
    struct rotrut_used none = {0, 0}, rut_used = {0, 5000000}, rot_full = {5000000, 0},
                       rut_full = {0, 7500000};

    (void)state;
    assert_int_equal(rotrut_room(INVOICE_RUT, &none), 7500000);
    assert_int_equal(rotrut_room(INVOICE_ROT, &none), 5000000);
    /* 50 000 kr of RUT used: 25 000 kr left for ROT or RUT (together 75 000). */
    assert_int_equal(rotrut_room(INVOICE_ROT, &rut_used), 2500000);
    assert_int_equal(rotrut_room(INVOICE_RUT, &rut_used), 2500000);
    /* ROT's own 50 000 kr used: no ROT, 25 000 kr RUT. */
    assert_int_equal(rotrut_room(INVOICE_ROT, &rot_full), 0);
    assert_int_equal(rotrut_room(INVOICE_RUT, &rot_full), 2500000);
    assert_int_equal(rotrut_room(INVOICE_RUT, &rut_full), 0);
    assert_int_equal(rotrut_room(INVOICE_ROT, &rut_full), 0);
    assert_int_equal(rotrut_room(INVOICE_STANDARD, &none), 0);
}

static void caps(void **state)
{
    struct rotrut_used used[2] = {{0, 0}, {0, 0}}, rut_used = {0, 4000000};
    int64_t capped = -1;

    (void)state;
    /* A 500 000 kr RUT invoice: 250 000 kr asked, 75 000 kr given. */
    assert_int_equal(rotrut_cap(INVOICE_RUT, 25000000, used, 1, &capped), PM_OK);
    assert_int_equal(capped, 7500000);
    /* Two buyers share 200 000 kr: 100 000 each, 75 000 each given. */
    assert_int_equal(rotrut_cap(INVOICE_RUT, 20000000, used, 2, &capped), PM_OK);
    assert_int_equal(capped, 15000000);
    /* Under the caps nothing changes. */
    assert_int_equal(rotrut_cap(INVOICE_ROT, 375000, used, 1, &capped), PM_OK);
    assert_int_equal(capped, 375000);
    /* ROT 60 000 kr for a buyer with 40 000 kr RUT: 35 000 kr left together. */
    assert_int_equal(rotrut_cap(INVOICE_ROT, 6000000, &rut_used, 1, &capped), PM_OK);
    assert_int_equal(capped, 3500000);
    assert_int_equal(rotrut_cap(INVOICE_ROT, 6000000, used, 0, &capped), PM_ERR_RANGE);
    assert_int_equal(rotrut_cap(INVOICE_ROT, -1, used, 1, &capped), PM_ERR_RANGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shares),
        cmocka_unit_test(rooms),
        cmocka_unit_test(caps),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
