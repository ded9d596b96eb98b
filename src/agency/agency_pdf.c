/*
 * agency_pdf.c — the invoice PDF for the agency (agency_pdf.h), with
 * libharu.
 *
 * DejaVu Sans is embedded as a TrueType font with UTF-8 text.  The font is
 * parsed once per struct agency_pdf (HPDF_NewDoc keeps font definitions),
 * which makes a page a few milliseconds instead of tens.  Errors of libharu
 * arrive through its error handler, which records the first one in the
 * state passed to it; every drawing call is checked by that state.
 */
#include "agency/agency_pdf.h"

#include <hpdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/idnum.h"
#include "core/invoice.h"
#include "core/money.h"
#include "core/voucher.h"
#include "util/pdf_text.h"

#define PAGE_W 595.0f /* A4 in points */
#define PAGE_H 842.0f
#define MARGIN 56.0f

struct pdf_state {
    HPDF_STATUS error;
    HPDF_STATUS detail;
};

static void on_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user)
{
    struct pdf_state *s = user;

    if (!s->error) {
        s->error = error_no;
        s->detail = detail_no;
    }
}

static void text_at(HPDF_Page page, HPDF_Font font, float size, float x, float y, const char *t)
{
    HPDF_Page_BeginText(page);
    HPDF_Page_SetFontAndSize(page, font, size);
    HPDF_Page_TextOut(page, x, y, t);
    HPDF_Page_EndText(page);
}

static void text_right(HPDF_Page page, HPDF_Font font, float size, float right, float y,
                       const char *t)
{
    float w;

    HPDF_Page_SetFontAndSize(page, font, size);
    w = HPDF_Page_TextWidth(page, t);
    text_at(page, font, size, right - w, y, t);
}

static void amount(int64_t ore, char *dst, size_t cap)
{
    money_format(ore, dst, cap);
}

static void line_texts(const struct invoice_line_row *l, char *qty, size_t qcap, char *price,
                       size_t pcap, char *net, size_t ncap)
{
    int64_t whole = l->line.quantity_milli / 1000, frac = l->line.quantity_milli % 1000;

    if (frac)
        snprintf(qty, qcap, "%lld,%03lld", (long long)whole, (long long)frac);
    else
        snprintf(qty, qcap, "%lld", (long long)whole);
    amount(l->line.unit_price_minor, price, pcap);
    amount(l->net_minor, net, ncap);
}

static void draw(HPDF_Page page, HPDF_Font font, const struct company *co,
                 const struct customer *cu, const struct invoice *inv,
                 const struct invoice_line_row *lines, size_t n_lines)
{
    char buf[512], d1[DATE_ISO_LEN + 1], d2[DATE_ISO_LEN + 1], a[MONEY_FORMAT_MAX];
    char qty[32], price[MONEY_FORMAT_MAX], net[MONEY_FORMAT_MAX], desc[96];
    struct idnum org;
    float y = PAGE_H - MARGIN, right = PAGE_W - MARGIN;
    size_t i;

    text_at(page, font, 20, MARGIN, y, co->name);
    snprintf(buf, sizeof(buf), "Faktura %lld", (long long)inv->number);
    text_right(page, font, 16, right, y, buf);
    y -= 18;
    snprintf(buf, sizeof(buf), "%s, %s %s", co->address_line_1, co->zip_code, co->city);
    text_at(page, font, 9, MARGIN, y, buf);
    y -= 12;
    snprintf(buf, sizeof(buf), "Org.nr %s   Bankgiro %s",
             co->organization_no[0] && !idnum_parse_org(co->organization_no, &org)
                 ? org.display
                 : co->organization_no,
             co->bankgiro);
    text_at(page, font, 9, MARGIN, y, buf);

    y -= 40;
    text_at(page, font, 9, MARGIN, y, "Kund");
    y -= 14;
    text_at(page, font, 11, MARGIN, y, cu->name);
    y -= 14;
    text_at(page, font, 11, MARGIN, y, cu->address_line_1);
    y -= 14;
    snprintf(buf, sizeof(buf), "%s %s %s", cu->zip_code, cu->city,
             strcmp(cu->country, "SE") ? cu->country : "");
    text_at(page, font, 11, MARGIN, y, buf);

    date_format_iso(inv->invoice_date, d1);
    date_format_iso(inv->due_date, d2);
    snprintf(buf, sizeof(buf), "Fakturadatum %s", d1);
    text_right(page, font, 10, right, y + 28, buf);
    snprintf(buf, sizeof(buf), "Förfallodatum %s", d2);
    text_right(page, font, 10, right, y + 14, buf);
    snprintf(buf, sizeof(buf), "Valuta %s", inv->currency);
    text_right(page, font, 10, right, y, buf);

    y -= 40;
    text_at(page, font, 9, MARGIN, y, "Beskrivning");
    text_right(page, font, 9, 360, y, "Antal");
    text_right(page, font, 9, 450, y, "À-pris");
    text_right(page, font, 9, right, y, "Belopp");
    y -= 4;
    HPDF_Page_MoveTo(page, MARGIN, y);
    HPDF_Page_LineTo(page, right, y);
    HPDF_Page_Stroke(page);
    for (i = 0; i < n_lines && y > 200; i++) {
        y -= 16;
        line_texts(&lines[i], qty, sizeof(qty), price, sizeof(price), net, sizeof(net));
        snprintf(desc, sizeof(desc), "%s", lines[i].description);
        text_at(page, font, 10, MARGIN, y, desc);
        text_right(page, font, 10, 360, y, qty);
        text_right(page, font, 10, 450, y, price);
        text_right(page, font, 10, right, y, net);
    }
    if (i < n_lines) {
        y -= 16;
        snprintf(buf, sizeof(buf), "… och %zu rader till", n_lines - i);
        text_at(page, font, 10, MARGIN, y, buf);
    }
    y -= 10;
    HPDF_Page_MoveTo(page, MARGIN, y);
    HPDF_Page_LineTo(page, right, y);
    HPDF_Page_Stroke(page);

    y -= 18;
    amount(inv->net_minor, a, sizeof(a));
    text_at(page, font, 10, 330, y, "Netto");
    text_right(page, font, 10, right, y, a);
    y -= 14;
    amount(inv->vat_minor, a, sizeof(a));
    text_at(page, font, 10, 330, y, "Moms");
    text_right(page, font, 10, right, y, a);
    y -= 16;
    amount(inv->total_minor, a, sizeof(a));
    text_at(page, font, 12, 330, y, "Totalt");
    text_right(page, font, 12, right, y, a);
    if (inv->kind != INVOICE_STANDARD) {
        y -= 16;
        amount(inv->tax_reduction_minor, a, sizeof(a));
        snprintf(buf, sizeof(buf), "Skattereduktion (%s)",
                 inv->kind == INVOICE_ROT ? "ROT" : "RUT");
        text_at(page, font, 10, 330, y, buf);
        snprintf(buf, sizeof(buf), "-%s", a);
        text_right(page, font, 10, right, y, buf);
        y -= 16;
        amount(inv->customer_part_minor, a, sizeof(a));
        text_at(page, font, 12, 330, y, "Att betala");
        text_right(page, font, 12, right, y, a);
    }
    if (inv->zero_vat != ZERO_VAT_NONE) {
        /* What the invoice must say when it carries no VAT (ML 17 kap. 24 §). */
        y -= 24;
        text_at(page, font, 10, MARGIN, y,
                inv->zero_vat == ZERO_VAT_CONSTRUCTION
                    ? "Omvänd betalningsskyldighet (byggtjänster): köparen redovisar momsen."
                : strcmp(cu->country, "SE") && voucher_market_of(cu->country) == MARKET_EU
                    ? "Unionsintern leverans av varor, momsfri (ML 10 kap. 42 §)."
                    : "Export av varor, momsfri (ML 10 kap. 1 §).");
    }
    snprintf(buf, sizeof(buf), "Betala till bankgiro %s. Ange fakturanummer %lld.", co->bankgiro,
             (long long)inv->number);
    text_at(page, font, 9, MARGIN, MARGIN, buf);
}

struct agency_pdf {
    HPDF_Doc pdf;
    const char *font_name; /* owned by pdf */
    struct pdf_state state;
};

struct agency_pdf *agency_pdf_new(struct pm_error *e)
{
    struct agency_pdf *p = calloc(1, sizeof(*p));

    if (!p) {
        pm_error_set(e, PM_ERR_NOMEM, "", "out of memory");
        return NULL;
    }
    p->pdf = HPDF_New(on_error, &p->state);
    if (!p->pdf) {
        pm_error_set(e, PM_ERR_NOMEM, "", "libharu could not start a document");
        free(p);
        return NULL;
    }
    HPDF_UseUTFEncodings(p->pdf);
    HPDF_SetCurrentEncoder(p->pdf, "UTF-8");
    p->font_name = HPDF_LoadTTFontFromFile(p->pdf, AGENCY_PDF_FONT, HPDF_TRUE);
    if (!p->font_name || p->state.error) {
        pm_error_set(e, PM_ERR_IO, "", "cannot load the font %s (libharu error %#x)",
                     AGENCY_PDF_FONT, (unsigned)p->state.error);
        agency_pdf_free(&p);
        return NULL;
    }
    return p;
}

void agency_pdf_free(struct agency_pdf **pp)
{
    if (!pp || !*pp)
        return;
    if ((*pp)->pdf)
        HPDF_Free((*pp)->pdf);
    free(*pp);
    *pp = NULL;
}

enum pm_err agency_pdf_invoice(struct agency_pdf *p, const struct company *co,
                               const struct customer *cu, const struct invoice *inv,
                               const struct invoice_line_row *lines, size_t n_lines,
                               unsigned char **out, size_t *len, struct pm_error *e)
{
    HPDF_Page page;
    HPDF_Font font;
    HPDF_UINT32 size = 0;
    unsigned char *data = NULL;
    struct buf fixed = BUF_INIT;
    enum pm_err rc = PM_OK;

    *out = NULL;
    *len = 0;
    /* A new document keeps the loaded font definition (HPDF_NewDoc). */
    memset(&p->state, 0, sizeof(p->state));
    if (HPDF_NewDoc(p->pdf) != HPDF_OK)
        return pm_error_set(e, PM_ERR_INTERNAL, "", "libharu error %#x starting a document",
                            (unsigned)p->state.error);
    HPDF_SetCompressionMode(p->pdf, HPDF_COMP_ALL);
    HPDF_SetCurrentEncoder(p->pdf, "UTF-8");
    font = HPDF_GetFont(p->pdf, p->font_name, "UTF-8");
    page = HPDF_AddPage(p->pdf);
    if (!font || !page || p->state.error) {
        rc = pm_error_set(e, PM_ERR_INTERNAL, "", "libharu error %#x preparing a page",
                          (unsigned)p->state.error);
        goto out_free;
    }
    HPDF_Page_SetSize(page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
    HPDF_Page_SetLineWidth(page, 0.5f);
    draw(page, font, co, cu, inv, lines, n_lines);
    if (!p->state.error)
        HPDF_SaveToStream(p->pdf);
    if (!p->state.error)
        size = HPDF_GetStreamSize(p->pdf);
    if (p->state.error || size == 0) {
        rc = pm_error_set(e, PM_ERR_INTERNAL, "", "libharu error %#x (detail %u)",
                          (unsigned)p->state.error, (unsigned)p->state.detail);
        goto out_free;
    }
    data = malloc(size);
    if (!data) {
        rc = pm_error_set(e, PM_ERR_NOMEM, "", "out of memory");
        goto out_free;
    }
    HPDF_ResetStream(p->pdf);
    /* The whole stream in one read; libharu may report its end as
     * HPDF_STREAM_EOF, which is not an error here. */
    (void)HPDF_ReadFromStream(p->pdf, data, &size);
    if (p->state.error && p->state.error != HPDF_STREAM_EOF) {
        free(data);
        rc = pm_error_set(e, PM_ERR_INTERNAL, "", "libharu error %#x reading the document",
                          (unsigned)p->state.error);
        goto out_free;
    }
    /* A text layer that copy, search and screen readers can use. */
    rc = pdf_text_fix_tounicode(data, size, &fixed);
    free(data);
    if (rc) {
        pm_error_set(e, rc, "", "the PDF's text layer could not be written");
        goto out_free;
    }
    *out = (unsigned char *)buf_detach(&fixed, len);
out_free:
    buf_release(&fixed);
    HPDF_FreeDoc(p->pdf);
    return rc;
}
