/*
 * letter_swish.h — the Swish payment of a reminder: the QR code's text,
 * the lines a letter or an e-mail prints, and the QR code's modules.
 *
 * Part of the letter layer.  core/swish.h decides the text (Swish's
 * published C2B encoding, "C<number>;<amount>;<OCR>;0"); this file takes
 * it from a reminder's letter and turns it into a QR code with
 * libqrencode (QRcode_encodeString: digit runs in numeric mode, the rest
 * in 8-bit mode; error correction level M)
 * for letter.c to draw.  A reminder has a Swish payment when its company
 * has a Swish number and there is something to pay (total > 0).
 */
#ifndef PM_LETTER_SWISH_H
#define PM_LETTER_SWISH_H

#include <stdbool.h>
#include <stddef.h>

#include "core/swish.h"
#include "letter/letter.h"
#include "util/err.h"

struct letter_swish {
    char number[SWISH_DISPLAY_MAX];  /* "123 456 78 90" */
    char message[32];                /* the OCR */
    char payload[SWISH_PAYLOAD_MAX]; /* the QR code's text */
};

/* The Swish payment of reminder l.  false (and *out emptied) when the
 * letter has none: no Swish number, a total of 0, or no OCR.  The e-mail
 * text prints "Swish <number>, meddelande <message>" from it. */
bool letter_swish_of(const struct letter_reminder *l, struct letter_swish *out);

/* A QR code as a square of modules, row by row (true = dark). */
struct letter_qr {
    int width;
    unsigned char *dark; /* width * width, 1 = dark; free with letter_qr_release */
};

/* Encode text (ECC level M).  PM_ERR_NOMEM or PM_ERR_INVALID (too long)
 * when libqrencode cannot. */
enum pm_err letter_qr_encode(const char *text, struct letter_qr *out, struct pm_error *e);
void letter_qr_release(struct letter_qr *qr);

#endif
