/*
 * letter_swish.c — a reminder's Swish payment and its QR code (see
 * letter_swish.h).
 */
#include "letter/letter_swish.h"

#include <errno.h>
#include <stdio.h>
#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

bool letter_swish_of(const struct letter_reminder *l, struct letter_swish *out)
{
    struct pm_error e = {0};

    memset(out, 0, sizeof(*out));
    if (!l->company_swish[0] || l->total_minor <= 0 || !l->ocr[0])
        return false;
    if (swish_payload(l->company_swish, l->total_minor, l->ocr, out->payload, &e)) {
        memset(out, 0, sizeof(*out));
        return false;
    }
    swish_number_display(l->company_swish, out->number);
    snprintf(out->message, sizeof(out->message), "%s", l->ocr);
    return true;
}

enum pm_err letter_qr_encode(const char *text, struct letter_qr *out, struct pm_error *e)
{
    QRcode *qr;
    size_t n, i;

    memset(out, 0, sizeof(*out));
    qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!qr)
        return pm_error_set(e, errno == ENOMEM ? PM_ERR_NOMEM : PM_ERR_INVALID, "swish",
                            "libqrencode could not encode the Swish payment");
    n = (size_t)qr->width * (size_t)qr->width;
    out->dark = malloc(n);
    if (!out->dark) {
        QRcode_free(qr);
        return pm_error_set(e, PM_ERR_NOMEM, "swish", "out of memory for the QR code");
    }
    /* libqrencode: bit 0 of each byte is the module's colour (1 = dark) */
    for (i = 0; i < n; i++)
        out->dark[i] = qr->data[i] & 1;
    out->width = qr->width;
    QRcode_free(qr);
    return PM_OK;
}

void letter_qr_release(struct letter_qr *qr)
{
    free(qr->dark);
    qr->dark = NULL;
    qr->width = 0;
}
