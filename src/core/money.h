/*
 * money.h — amounts in minor units (öre), checked arithmetic, parsing and
 * Swedish formatting.
 *
 * An amount is an int64_t count of öre; no double ever touches one.  Every
 * operation that could overflow is checked and returns PM_ERR_OVERFLOW with
 * *out untouched.  The one rounding rule of the product lives here:
 * money_mul_div() rounds half away from zero, and interest, VAT and tax
 * reductions all go through it.
 */
#ifndef PM_MONEY_H
#define PM_MONEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* Amounts the product accepts anywhere: |x| <= MONEY_MAX (10^15 öre, 10 000 billion kr). */
#define MONEY_MAX INT64_C(1000000000000000)

enum pm_err money_add(int64_t a, int64_t b, int64_t *out);
enum pm_err money_sub(int64_t a, int64_t b, int64_t *out);
enum pm_err money_mul(int64_t a, int64_t b, int64_t *out);

/* *out = a * num / den, rounded half away from zero, computed exactly in
 * 128 bits.  den must be > 0 (PM_ERR_INVALID otherwise). */
enum pm_err money_mul_div(int64_t a, int64_t num, int64_t den, int64_t *out);

/* *out = amount * bp / 10000 (basis points: 2500 = 25 %), same rounding. */
enum pm_err money_percent_bp(int64_t amount, int64_t bp, int64_t *out);

/* Parse a decimal krona amount into öre.  Accepts an optional leading '-',
 * digits with optional thousands groups separated by ' ' or U+00A0 (groups of
 * exactly three), and an optional decimal part of one or two digits after
 * ',' or '.': "1 234,50", "1234.50", "12", "-0,5".  Anything else — empty,
 * junk, three decimals, both separators, |x| > MONEY_MAX — is PM_ERR_INVALID
 * or PM_ERR_RANGE, with *out untouched. */
enum pm_err money_parse(const char *s, int64_t *out);

/* Format as Swedish text: "1 234,50 kr" with U+00A0 as the thousands
 * separator and before "kr"; "-12,00 kr" for negatives.  money_format_plain()
 * omits the currency.  Both write at most cap bytes including the NUL and
 * return the length the full text needs (like snprintf). */
size_t money_format(int64_t ore, char *dst, size_t cap);
size_t money_format_plain(int64_t ore, char *dst, size_t cap);

/* Longest text money_format() can produce, including the NUL. */
#define MONEY_FORMAT_MAX 48

#endif
