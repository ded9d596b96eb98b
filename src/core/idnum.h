/*
 * idnum.h — Swedish identity numbers and OCR payment references.
 *
 * Personnummer (YYMMDD-NNNC, YYMMDD+NNNC, YYYYMMDDNNNC, with or without the
 * separator), samordningsnummer (day + 60) and organisationsnummer
 * (NNNNNN-NNNC, third digit >= 2) all end in a Luhn check digit over the ten
 * digits.  Parsing is strict: surrounding space, wrong lengths, letters,
 * impossible birth dates and bad check digits are refused.
 */
#ifndef PM_IDNUM_H
#define PM_IDNUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

enum idnum_kind {
    IDNUM_PERSONAL,     /* personnummer */
    IDNUM_COORDINATION, /* samordningsnummer */
    IDNUM_ORGANISATION, /* organisationsnummer */
};

struct idnum {
    enum idnum_kind kind;
    /* Normalised: persons "YYYYMMDDNNNC" (12 digits), organisations
     * "NNNNNNNNNC" (10 digits), as the agency expects them. */
    char normalized[13];
    /* Display form: "YYYYMMDD-NNNC" or "NNNNNN-NNNC". */
    char display[14];
};

/* Luhn: true when the digits (ASCII, n >= 2) end in a valid check digit. */
bool luhn_valid(const char *digits, size_t n);
/* The Luhn check digit (0..9) to append to the n digits; -1 when n is 0 or a
 * character is not a digit. */
int luhn_check_digit(const char *digits, size_t n);

/* Parse a personnummer or samordningsnummer.  `today` (a day number) settles
 * the century of a 10-digit number: '-' (or none) means the most recent
 * century in which the person is not born in the future; '+' means 100
 * years or older. */
enum pm_err idnum_parse_person(const char *s, int32_t today, struct idnum *out);
/* Parse an organisationsnummer (10 digits, optional '-', optional "16" prefix). */
enum pm_err idnum_parse_org(const char *s, struct idnum *out);
/* Either kind: an organisationsnummer when the month digits are >= 20, else a person. */
enum pm_err idnum_parse(const char *s, int32_t today, struct idnum *out);

/* OCR reference (Bankgirot): `base` digits (1..23), optionally followed by a
 * length digit ((len + 2) mod 10), then the Luhn check digit.  Writes a NUL
 * terminated reference into dst (cap >= 26). */
enum pm_err ocr_make(const char *base, bool with_length, char *dst, size_t cap);
/* True when s is 2..25 digits with a valid check digit (and, if
 * with_length, a valid length digit). */
bool ocr_valid(const char *s, bool with_length);

#endif
