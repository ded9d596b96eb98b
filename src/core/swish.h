/*
 * swish.h — Swish för företag: the payee number and the payment QR code's
 * text.
 *
 * Part of core/: pure.  A company that takes Swish has a Swish number of
 * 10 digits beginning with 123 (Swish för företag, "123 456 78 90" as
 * printed).  A reminder letter carries a QR code that the Swish app reads
 * as a prefilled payment: payee, amount and message (the OCR), none of
 * them editable.  Its text follows Swish's published encoding of a C2B
 * payment, "Swish QR-code API manual", section 6.1 "Swish C2B"
 * (developer.getswish.se/qr-api-manual/6-qr-code-encoding-specification/):
 *
 *   C<payee>;<amount>;<message>;<lock mask>
 *
 * - "C" (capital letter) is the required prefix;
 * - payee: the corporate Swish number, 10 digits;
 * - amount: SEK with two decimals and a comma as decimal separator
 *   ("1234,50"; no thousands separator);
 * - message: URL-encoded (an OCR number is digits and stays as it is);
 * - lock mask: the decimal value of a bit mask of what the payer may
 *   edit (payee bit 0, amount bit 1, message bit 2); 0 = nothing.
 *
 * The manual's own example: C1237856901;100,00;12229445;0.
 */
#ifndef PM_SWISH_H
#define PM_SWISH_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* Digits of a Swish för företag number, and its display form's size. */
#define SWISH_NUMBER_DIGITS 10
#define SWISH_NUMBER_MAX    (SWISH_NUMBER_DIGITS + 1)
#define SWISH_DISPLAY_MAX   16 /* "123 456 78 90" + NUL */
#define SWISH_MESSAGE_MAX   50 /* the manual's longest message */
#define SWISH_PAYLOAD_MAX   128

/* Read a Swish number as a person writes it ("123 456 78 90",
 * "123-4567890", "1234567890"): blanks and dashes between the digits are
 * ignored.  dst gets the 10 digits.  PM_ERR_INVALID (field
 * "swish_number", with why in the message) unless there are exactly 10
 * digits beginning with 123; "" is PM_ERR_INVALID too (the caller decides
 * whether the setting may be empty). */
enum pm_err swish_number_parse(const char *s, char dst[SWISH_NUMBER_MAX], struct pm_error *e);

/* "1234567890" → "123 456 78 90" (as Swish prints it).  A text that is not
 * a normalised number is copied as it is. */
void swish_number_display(const char *number, char dst[SWISH_DISPLAY_MAX]);

/* The QR code's text of a payment of amount_minor öre (> 0) to the
 * normalised Swish number, with message (an OCR reference: 1..50
 * characters), none of them editable:
 * "C1234567890;1234,50;12345678;0".  PM_ERR_INVALID (field
 * "swish_number", "amount_minor" or "message") when a part cannot be
 * encoded. */
enum pm_err swish_payload(const char *number, int64_t amount_minor, const char *message,
                          char dst[SWISH_PAYLOAD_MAX], struct pm_error *e);

#endif
