/*
 * letter.c — reminder letters as PDF with libharu (see letter.h).
 *
 * Part of the letter layer.  Coordinates are written in millimetres from
 * the page's top-left corner and turned into PDF points (origin bottom
 * left) by the helpers below.  libharu reports failures through a callback:
 * it records the first error in the drawing context (no globals), and
 * every step checks it, so a failed letter is an error, never a half PDF.
 * A document is first drawn with the standard fonts, every text turned
 * into Windows-1252; the first text that does not fit stops that drawing
 * (d->error UNFIT) and the document is drawn again with DejaVu embedded.
 */
#include "letter/letter.h"

#include <hpdf.h>
#include <iconv.h>
#include <stdio.h>
#include <string.h>

#include "core/date.h"
#include "core/money.h"
#include "letter/letter_swish.h"
#include "util/pdf_text.h"

#define PAGE_H_MM 297.0f
#define MM(x)     ((HPDF_REAL)((x)*72.0f / 25.4f))

/* Envelope window (C5, A4 folded once): where the address block goes. */
#define ADDR_X_MM   25.0f
#define ADDR_Y_MM   50.0f
#define ADDR_W_MM   90.0f
#define LEFT_MM     20.0f
#define RIGHT_MM    190.0f
#define INFO_X_MM   120.0f
#define INFO_VAL_MM 158.0f

/* d->error when a text does not fit Windows-1252 in a letter drawn with
 * the standard fonts: not libharu's (its numbers are 0x1001 and up); the
 * letter is drawn again with DejaVu embedded. */
#define UNFIT 0x0F01

struct draw {
    HPDF_Doc pdf;
    HPDF_Page page;
    HPDF_Font regular, bold;
    HPDF_STATUS error, detail;
    bool english;
    bool standard;  /* Helvetica with WinAnsiEncoding: text goes as Windows-1252 */
    iconv_t cp1252; /* UTF-8 to Windows-1252, when standard */
    bool dry;       /* laying out only: nothing is drawn (a statement's page count) */
};

/* UTF-8 s as Windows-1252 into dst[cap] with glibc's iconv (d->cp1252);
 * false when a character has no byte there (or is a control character:
 * nothing in a letter is one), the UTF-8 is malformed or dst is too small. */
static bool to_cp1252(struct draw *d, const char *s, char *dst, size_t cap)
{
    char *in = (char *)s, *out = dst;
    size_t in_left = strlen(s), out_left = cap - 1;
    const unsigned char *p;

    (void)iconv(d->cp1252, NULL, NULL, NULL, NULL); /* a fresh shift state */
    if (iconv(d->cp1252, &in, &in_left, &out, &out_left) == (size_t)-1)
        return false;
    *out = '\0';
    for (p = (const unsigned char *)dst; *p; p++) {
        if (*p < 0x20 || *p == 0x7F)
            return false;
    }
    return true;
}

/* s as the fonts take it: itself (UTF-8) with DejaVu, Windows-1252 with the
 * standard fonts; NULL (and d->error UNFIT) when it does not fit that. */
static const char *encoded(struct draw *d, const char *s, char *tmp, size_t cap)
{
    if (!d->standard)
        return s;
    if (to_cp1252(d, s, tmp, cap))
        return tmp;
    if (!d->error)
        d->error = UNFIT;
    return NULL;
}

static void on_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
    struct draw *d = user_data;

    if (!d->error) {
        d->error = error_no;
        d->detail = detail_no;
    }
}

static void text_at(struct draw *d, HPDF_Font font, float size, float x_mm, float y_mm,
                    const char *s)
{
    char tmp[1200];

    if (d->dry || d->error || !(s = encoded(d, s, tmp, sizeof(tmp))))
        return;
    HPDF_Page_SetFontAndSize(d->page, font, size);
    HPDF_Page_BeginText(d->page);
    HPDF_Page_TextOut(d->page, MM(x_mm), MM(PAGE_H_MM - y_mm), s);
    HPDF_Page_EndText(d->page);
}

static float width_mm(struct draw *d, HPDF_Font font, float size, const char *s)
{
    char tmp[1200];

    if (d->dry || d->error || !(s = encoded(d, s, tmp, sizeof(tmp))))
        return 0;
    HPDF_Page_SetFontAndSize(d->page, font, size);
    return HPDF_Page_TextWidth(d->page, s) * 25.4f / 72.0f;
}

static void text_right(struct draw *d, HPDF_Font font, float size, float right_mm, float y_mm,
                       const char *s)
{
    text_at(d, font, size, right_mm - width_mm(d, font, size, s), y_mm, s);
}

/* Draw s wrapped at word boundaries to width_mm; returns the y after it. */
static float paragraph(struct draw *d, float size, float x_mm, float y_mm, float w_mm,
                       const char *s)
{
    char line[600];
    size_t len = strlen(s), start = 0, end, best;

    while (start < len && !d->error) {
        best = 0;
        end = start;
        while (end <= len) {
            if (end == len || s[end] == ' ') {
                size_t n = end - start;

                if (n >= sizeof(line))
                    break;
                memcpy(line, s + start, n);
                line[n] = '\0';
                if (best && width_mm(d, d->regular, size, line) > w_mm)
                    break;
                best = end;
            }
            end++;
        }
        if (!best)
            best = len;
        snprintf(line, sizeof(line), "%.*s", (int)(best - start), s + start);
        text_at(d, d->regular, size, x_mm, y_mm, line);
        y_mm += size * 0.5f;
        start = best + 1;
    }
    return y_mm;
}

static void hline(struct draw *d, float x1, float x2, float y, float width)
{
    if (d->dry || d->error)
        return;
    HPDF_Page_SetLineWidth(d->page, width);
    HPDF_Page_MoveTo(d->page, MM(x1), MM(PAGE_H_MM - y));
    HPDF_Page_LineTo(d->page, MM(x2), MM(PAGE_H_MM - y));
    HPDF_Page_Stroke(d->page);
}

/* ---- formatting ---- */

static void amount_text(bool english, int64_t ore, char *dst, size_t cap)
{
    char digits[32], grouped[48];
    uint64_t a = ore < 0 ? (uint64_t)0 - (uint64_t)ore : (uint64_t)ore;
    size_t n, i, o = 0;

    if (!english) {
        money_format(ore, dst, cap);
        return;
    }
    n = (size_t)snprintf(digits, sizeof(digits), "%llu", (unsigned long long)(a / 100));
    for (i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            grouped[o++] = ',';
        grouped[o++] = digits[i];
    }
    grouped[o] = '\0';
    snprintf(dst, cap, "SEK %s%s.%02llu", ore < 0 ? "-" : "", grouped,
             (unsigned long long)(a % 100));
}

static void date_text(int32_t date, char *dst)
{
    date_format_iso(date, dst);
}

static void rate_text(bool english, int32_t bp, char *dst, size_t cap)
{
    if (english)
        snprintf(dst, cap, "%d.%02d%%", bp / 100, bp % 100);
    else
        snprintf(dst, cap, "%d,%02d\u00a0%%", bp / 100, bp % 100);
}

/* ---- the page ---- */

static void header(struct draw *d, const struct letter_reminder *l)
{
    bool en = l->english;
    char v[64];
    float y = 20;

    text_at(d, d->bold, 14, LEFT_MM, y, l->company_name);
    y += 5.5f;
    if (l->company_address[0]) {
        text_at(d, d->regular, 9, LEFT_MM, y, l->company_address);
        y += 4.2f;
    }
    if (l->company_postal[0]) {
        text_at(d, d->regular, 9, LEFT_MM, y, l->company_postal);
        y += 4.2f;
    }
    if (l->company_bankgiro[0]) {
        char bg[LETTER_TEXT + 16];

        snprintf(bg, sizeof(bg), "Bankgiro %s", l->company_bankgiro);
        text_at(d, d->regular, 9, LEFT_MM, y, bg);
    }

    y = 20;
    text_at(d, d->bold, 14, INFO_X_MM, y, en ? "PAYMENT REMINDER" : "BETALNINGSPÅMINNELSE");
    y += 7;
    date_text(l->date, v);
    text_at(d, d->regular, 9, INFO_X_MM, y, en ? "Date" : "Datum");
    text_at(d, d->regular, 9, INFO_VAL_MM, y, v);
    y += 4.5f;
    snprintf(v, sizeof(v), "%lld", (long long)l->invoice_number);
    text_at(d, d->regular, 9, INFO_X_MM, y, en ? "Invoice number" : "Fakturanummer");
    text_at(d, d->regular, 9, INFO_VAL_MM, y, v);
    y += 4.5f;
    date_text(l->invoice_date, v);
    text_at(d, d->regular, 9, INFO_X_MM, y, en ? "Invoice date" : "Fakturadatum");
    text_at(d, d->regular, 9, INFO_VAL_MM, y, v);
    y += 4.5f;
    date_text(l->due_date, v);
    text_at(d, d->regular, 9, INFO_X_MM, y, en ? "Due date" : "Förfallodag");
    text_at(d, d->regular, 9, INFO_VAL_MM, y, v);
}

static void address(struct draw *d, const struct letter_reminder *l)
{
    float y = ADDR_Y_MM;

    text_at(d, d->bold, 11, ADDR_X_MM, y, l->customer_name);
    y += 5;
    if (l->customer_address_1[0]) {
        text_at(d, d->regular, 11, ADDR_X_MM, y, l->customer_address_1);
        y += 5;
    }
    if (l->customer_address_2[0]) {
        text_at(d, d->regular, 11, ADDR_X_MM, y, l->customer_address_2);
        y += 5;
    }
    text_at(d, d->regular, 11, ADDR_X_MM, y, l->customer_postal);
    y += 5;
    if (l->customer_country[0])
        text_at(d, d->regular, 11, ADDR_X_MM, y, l->customer_country);
}

static float row(struct draw *d, bool english, float y, const char *label, int64_t amount,
                 bool bold)
{
    char a[MONEY_FORMAT_MAX + 8];

    amount_text(english, amount, a, sizeof(a));
    text_at(d, bold ? d->bold : d->regular, bold ? 11 : 10, LEFT_MM, y, label);
    text_right(d, bold ? d->bold : d->regular, bold ? 11 : 10, RIGHT_MM, y, a);
    return y + 6.5f;
}

static float claim(struct draw *d, const struct letter_reminder *l, float y)
{
    bool en = l->english;
    char text[400], a[64], from[16], to[16], rate[32];
    size_t i;

    text_at(d, d->bold, 10, LEFT_MM, y, en ? "Specification" : "Specifikation");
    text_right(d, d->bold, 10, RIGHT_MM, y, en ? "Amount" : "Belopp");
    hline(d, LEFT_MM, RIGHT_MM, y + 2, 0.5f);
    y += 8;
    snprintf(text, sizeof(text),
             en ? "Left to pay on invoice %lld (capital)"
                : "Kvar att betala på faktura %lld (kapital)",
             (long long)l->invoice_number);
    y = row(d, en, y, text, l->capital_minor, false);
    if (l->fee_minor > 0)
        y = row(d, en, y, en ? "Reminder fee" : "Påminnelseavgift", l->fee_minor, false);
    if (l->late_compensation_minor > 0)
        y = row(d, en, y,
                en ? "Late payment compensation (4 a § lag 1981:739)"
                   : "Förseningsersättning (4 a § lag 1981:739)",
                l->late_compensation_minor, false);
    if (l->earlier_charges_minor > 0)
        y = row(d, en, y, en ? "Earlier unpaid fees" : "Tidigare obetalda avgifter",
                l->earlier_charges_minor, false);
    y = row(d, en, y, en ? "Late-payment interest" : "Dröjsmålsränta", l->interest_minor, false);
    amount_text(en, l->interest_capital_minor, a, sizeof(a));
    for (i = 0; i < l->n_periods; i++) {
        date_text(l->periods[i].from, from);
        date_text(l->periods[i].to, to);
        rate_text(en, l->periods[i].rate_bp, rate, sizeof(rate));
        if (l->interest_capital_minor > 0)
            snprintf(text, sizeof(text),
                     en ? "%s a year from %s to %s on %s"
                        : "%s per år från %s till och med %s på %s",
                     rate, from, to, a);
        else
            snprintf(text, sizeof(text),
                     en ? "%s a year from %s to %s on the amount unpaid each day"
                        : "%s per år från %s till och med %s på det som var obetalt varje dag",
                     rate, from, to);
        text_at(d, d->regular, 8.5f, LEFT_MM + 5, y - 2, text);
        y += 4.2f;
    }
    if (l->rate_unknown) {
        date_text(l->rate_unknown_from, from);
        snprintf(text, sizeof(text),
                 en ? "Interest from %s is charged once the reference rate is published."
                    : "Ränta från %s tillkommer när referensräntan har fastställts.",
                 from);
        text_at(d, d->regular, 8.5f, LEFT_MM + 5, y - 2, text);
        y += 4.2f;
    }
    y += 1;
    hline(d, LEFT_MM, RIGHT_MM, y - 4, 0.8f);
    y += 2;
    y = row(d, en, y, en ? "Total to pay" : "Att betala", l->total_minor, true);
    return y;
}

static void payment_box(struct draw *d, const struct letter_reminder *l, float y)
{
    bool en = l->english;
    char v[64];
    float x[4] = {LEFT_MM + 4, LEFT_MM + 48, LEFT_MM + 98, LEFT_MM + 138};

    if (!d->error) {
        HPDF_Page_SetLineWidth(d->page, 0.8f);
        HPDF_Page_Rectangle(d->page, MM(LEFT_MM), MM(PAGE_H_MM - (y + 20)), MM(RIGHT_MM - LEFT_MM),
                            MM(20));
        HPDF_Page_Stroke(d->page);
    }
    text_at(d, d->regular, 8, x[0], y + 6, "Bankgiro");
    text_at(d, d->regular, 8, x[1], y + 6, en ? "OCR reference" : "OCR-nummer");
    text_at(d, d->regular, 8, x[2], y + 6, en ? "Amount" : "Belopp");
    text_at(d, d->regular, 8, x[3], y + 6, en ? "Pay by" : "Betala senast");
    text_at(d, d->bold, 12, x[0], y + 14, l->company_bankgiro);
    text_at(d, d->bold, 12, x[1], y + 14, l->ocr);
    amount_text(en, l->total_minor, v, sizeof(v));
    text_at(d, d->bold, 12, x[2], y + 14, v);
    date_text(l->new_due_date, v);
    text_at(d, d->bold, 12, x[3], y + 14, v);
}

/* The QR code's modules as filled squares, size_mm wide including a quiet
 * zone of four modules, its top-left corner at (x_mm, y_mm).  A run of
 * dark modules in a row is one rectangle. */
static void qr_code(struct draw *d, const struct letter_qr *qr, float x_mm, float y_mm,
                    float size_mm)
{
    float m = size_mm / (float)(qr->width + 8);
    int r, c, start;

    if (d->error)
        return;
    HPDF_Page_SetRGBFill(d->page, 0, 0, 0);
    for (r = 0; r < qr->width; r++) {
        for (c = 0; c < qr->width;) {
            if (!qr->dark[r * qr->width + c]) {
                c++;
                continue;
            }
            start = c;
            while (c < qr->width && qr->dark[r * qr->width + c])
                c++;
            HPDF_Page_Rectangle(d->page, MM(x_mm + (float)(start + 4) * m),
                                MM(PAGE_H_MM - (y_mm + (float)(r + 5) * m)),
                                MM((float)(c - start) * m), MM(m));
        }
    }
    HPDF_Page_Fill(d->page);
}

/* "Betala med Swish": the QR code and, beside it, the number, the message
 * and the amount; nothing when the letter has no Swish payment.  Under
 * the payment box (from y) when there is room above the footer; after a
 * long specification, at the top right beside the address window, which
 * is always free.  Returns PM_OK or the QR code's failure. */
static enum pm_err swish_block(struct draw *d, const struct letter_reminder *l, float y,
                               struct pm_error *e)
{
    bool en = l->english, beside = y + 30 <= 256;
    struct letter_swish sw;
    struct letter_qr qr;
    char text[LETTER_TEXT], amount[MONEY_FORMAT_MAX + 8];
    float size = beside ? 30 : 26, x = beside ? LEFT_MM : INFO_X_MM;
    enum pm_err rc;

    if (!letter_swish_of(l, &sw))
        return PM_OK;
    rc = letter_qr_encode(sw.payload, &qr, e);
    if (rc)
        return rc;
    if (!beside)
        y = 46;
    qr_code(d, &qr, x, y, size);
    letter_qr_release(&qr);
    x += size + 2;
    text_at(d, d->bold, 11, x, y + 7, en ? "Pay with Swish" : "Betala med Swish");
    if (beside) {
        text_at(d, d->regular, 9, x, y + 12.5f,
                en ? "Scan the code in the Swish app, or enter:"
                   : "Skanna koden i Swish-appen eller ange:");
        y += 4.5f;
    }
    snprintf(text, sizeof(text), "%s %s", en ? "Swish number" : "Swishnummer", sw.number);
    text_at(d, d->regular, 9, x, y + 13.5f, text);
    snprintf(text, sizeof(text), "%s %s", en ? "Message" : "Meddelande", sw.message);
    text_at(d, d->regular, 9, x, y + 18, text);
    amount_text(en, l->total_minor, amount, sizeof(amount));
    snprintf(text, sizeof(text), "%s %s", en ? "Amount" : "Belopp", amount);
    text_at(d, d->regular, 9, x, y + 22.5f, text);
    return PM_OK;
}

static void footer_line(struct draw *d, const struct letter_reminder *l, float y);

static void footer(struct draw *d, const struct letter_reminder *l)
{
    bool en = l->english;
    float y = 262;

    y = paragraph(d, 8.5f, LEFT_MM, y, RIGHT_MM - LEFT_MM,
                  en ? "Late-payment interest under the Swedish Interest Act (räntelagen 6 §): "
                       "the Riksbank reference rate of each half-year plus 8 percentage points. "
                       "If you think the claim is wrong, contact us before the payment date."
                     : "Dröjsmålsränta enligt räntelagen (6 §): Riksbankens referensränta för "
                       "varje kalenderhalvår plus 8 procentenheter. Om du anser att kravet är "
                       "felaktigt, kontakta oss före sista betalningsdag.");
    footer_line(d, l, y);
}

/* The company's line at the foot of a page, under a rule at y. */
static void footer_line(struct draw *d, const struct letter_reminder *l, float y)
{
    bool en = l->english;
    char text[800];

    hline(d, LEFT_MM, RIGHT_MM, y, 0.3f);
    y += 5;
    snprintf(text, sizeof(text), "%s%s%s%s%s%s%s%s", l->company_name,
             l->company_org_no[0] ? (en ? "  ·  Org. no " : "  ·  Org.nr ") : "", l->company_org_no,
             l->company_email[0] ? "  ·  " : "", l->company_email,
             l->company_phone[0] ? (en ? "  ·  Phone " : "  ·  Telefon ") : "", l->company_phone,
             l->company_bankgiro[0] ? "" : "");
    text_at(d, d->regular, 8.5f, LEFT_MM, y, text);
}

static enum pm_err draw_letter(struct draw *d, const struct letter_reminder *l, struct pm_error *e)
{
    char text[1200], due[16], pay_by[16];
    float y;

    d->page = HPDF_AddPage(d->pdf);
    if (!d->page)
        return PM_OK; /* d->error says why */
    HPDF_Page_SetSize(d->page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
    header(d, l);
    address(d, l);
    date_text(l->due_date, due);
    date_text(l->new_due_date, pay_by);
    snprintf(text, sizeof(text),
             l->english ? "According to our records, invoice %lld, due on %s, has not been paid "
                          "in full. Please pay the amount below no later than %s, using the OCR "
                          "reference. If you have already paid, please disregard this reminder."
                        : "Enligt våra noteringar är faktura %lld, som förföll %s, inte betald i "
                          "sin helhet. Vi ber dig betala beloppet nedan senast %s och ange "
                          "OCR-numret. Har du redan betalat kan du bortse från den här "
                          "påminnelsen.",
             (long long)l->invoice_number, due, pay_by);
    if (l->intro[0])
        snprintf(text, sizeof(text), "%s", l->intro);
    y = paragraph(d, 10, LEFT_MM, 105, RIGHT_MM - LEFT_MM, text);
    y = claim(d, l, y + 8);
    payment_box(d, l, y + 4);
    footer(d, l);
    return swish_block(d, l, y + 28, e);
}

/* The fonts: Helvetica and Helvetica-Bold with WinAnsiEncoding (the PDF
 * standard fonts: nothing embedded), or DejaVu Sans regular and bold
 * embedded with libharu's UTF-8 encoder. */
static enum pm_err load_fonts(struct draw *d, const char *font_dir, struct pm_error *e)
{
    char path[512];
    const char *name;

    if (d->standard) {
        d->regular = HPDF_GetFont(d->pdf, "Helvetica", "WinAnsiEncoding");
        d->bold = d->regular ? HPDF_GetFont(d->pdf, "Helvetica-Bold", "WinAnsiEncoding") : NULL;
        if (!d->regular || !d->bold)
            return pm_error_set(e, PM_ERR_INTERNAL, "font",
                                "libharu has no Helvetica (error 0x%04X)", (unsigned)d->error);
        return PM_OK;
    }
    HPDF_UseUTFEncodings(d->pdf);
    HPDF_SetCurrentEncoder(d->pdf, "UTF-8");
    snprintf(path, sizeof(path), "%s/DejaVuSans.ttf", font_dir ? font_dir : LETTER_FONT_DIR);
    name = HPDF_LoadTTFontFromFile(d->pdf, path, HPDF_TRUE);
    d->regular = name ? HPDF_GetFont(d->pdf, name, "UTF-8") : NULL;
    snprintf(path, sizeof(path), "%s/DejaVuSans-Bold.ttf", font_dir ? font_dir : LETTER_FONT_DIR);
    name = d->regular ? HPDF_LoadTTFontFromFile(d->pdf, path, HPDF_TRUE) : NULL;
    d->bold = name ? HPDF_GetFont(d->pdf, name, "UTF-8") : NULL;
    if (!d->regular || !d->bold)
        return pm_error_set(e, PM_ERR_IO, "font", "cannot load %s (libharu error 0x%04X)", path,
                            (unsigned)d->error);
    return PM_OK;
}

/* The document libharu wrote, appended to *raw. */
static enum pm_err saved(struct draw *d, struct buf *raw, struct pm_error *e)
{
    char chunk[16384];
    HPDF_UINT32 len;
    enum pm_err rc;

    HPDF_ResetStream(d->pdf);
    for (;;) {
        len = sizeof(chunk);
        HPDF_ReadFromStream(d->pdf, (HPDF_BYTE *)chunk, &len);
        if (len == 0)
            break;
        rc = buf_add(raw, chunk, len);
        if (rc)
            return pm_error_set(e, rc, "", "out of memory for the PDF");
        if (len < sizeof(chunk))
            break;
    }
    return PM_OK;
}

/* What draws page i of a document. */
typedef enum pm_err (*draw_page_fn)(struct draw *d, const void *items, size_t i,
                                    struct pm_error *e);

/* Write the n pages with the standard fonts or DejaVu; *unfit (nothing
 * written) when standard and a text does not fit Windows-1252. */
static enum pm_err render(draw_page_fn draw, const void *items, size_t n, const char *font_dir,
                          bool standard, bool *unfit, struct buf *out, struct pm_error *e)
{
    struct draw d;
    struct buf raw = BUF_INIT;
    enum pm_err rc;
    size_t i;

    memset(&d, 0, sizeof(d));
    d.standard = standard;
    d.cp1252 = (iconv_t)-1;
    *unfit = false;
    if (standard) {
        d.cp1252 = iconv_open("WINDOWS-1252", "UTF-8");
        if (d.cp1252 == (iconv_t)-1)
            return pm_error_set(e, PM_ERR_INTERNAL, "", "iconv has no Windows-1252");
    }
    d.pdf = HPDF_New(on_error, &d);
    if (!d.pdf) {
        if (standard)
            iconv_close(d.cp1252);
        return pm_error_set(e, PM_ERR_NOMEM, "", "libharu could not start a document");
    }
    /* Deflate only what is large: the embedded fonts.  A letter in the
     * standard fonts is about 11 KB as it is (3 KB deflated), and libharu
     * deflating it costs ten times the drawing (zlib's state for every
     * stream, allocated and freed each time). */
    HPDF_SetCompressionMode(d.pdf, standard ? HPDF_COMP_NONE : HPDF_COMP_ALL);
    rc = load_fonts(&d, font_dir, e);
    if (rc)
        goto out_free;
    /* without libharu's UTF-8 encoder the string goes as it is: PDFDocEncoding */
    HPDF_SetInfoAttr(d.pdf, HPDF_INFO_CREATOR,
                     standard ? "P\xe5"
                                "minn"
                              : "Påminn");
    for (i = 0; i < n && !d.error; i++) {
        rc = draw(&d, items, i, e);
        if (rc)
            goto out_free;
    }
    if (d.error == UNFIT) {
        *unfit = true;
        goto out_free;
    }
    if (!d.error)
        HPDF_SaveToStream(d.pdf);
    if (d.error) {
        rc = pm_error_set(e, PM_ERR_INTERNAL, "", "libharu error 0x%04X (detail %u)",
                          (unsigned)d.error, (unsigned)d.detail);
        goto out_free;
    }
    rc = saved(&d, standard ? out : &raw, e);
    /* DejaVu's text layer: a ToUnicode map that copy, search and screen
     * readers can use (the standard fonts' WinAnsiEncoding needs none). */
    if (!rc && !standard) {
        rc = pdf_text_fix_tounicode((const unsigned char *)raw.data, raw.len, out);
        if (rc)
            pm_error_set(e, rc, "", "the PDF's text layer could not be written");
    }
out_free:
    buf_release(&raw);
    HPDF_Free(d.pdf);
    if (standard)
        iconv_close(d.cp1252);
    return rc;
}

/* A document in the standard fonts when all its text fits Windows-1252,
 * else drawn again with DejaVu embedded. */
static enum pm_err write_pdf(draw_page_fn draw, const void *items, size_t n, const char *font_dir,
                             struct buf *out, struct pm_error *e)
{
    bool unfit;
    enum pm_err rc;

    if (n == 0)
        return pm_error_set(e, PM_ERR_INVALID, "letters", "no letter to write");
    rc = render(draw, items, n, font_dir, true, &unfit, out, e);
    if (!rc && unfit)
        rc = render(draw, items, n, font_dir, false, &unfit, out, e);
    return rc;
}

static enum pm_err reminder_page(struct draw *d, const void *items, size_t i, struct pm_error *e)
{
    return draw_letter(d, &((const struct letter_reminder *)items)[i], e);
}

enum pm_err letter_reminders_pdf(const struct letter_reminder *letters, size_t n,
                                 const char *font_dir, struct buf *out, struct pm_error *e)
{
    return write_pdf(reminder_page, letters, n, font_dir, out, e);
}

/* ---- credit notes ---- */

static void credit_header(struct draw *d, const struct letter_credit_note *c)
{
    const struct letter_reminder *l = &c->party;
    bool en = l->english;
    char v[64];
    float y = 20;

    text_at(d, d->bold, 14, LEFT_MM, y, l->company_name);
    y += 5.5f;
    if (l->company_address[0]) {
        text_at(d, d->regular, 9, LEFT_MM, y, l->company_address);
        y += 4.2f;
    }
    if (l->company_postal[0])
        text_at(d, d->regular, 9, LEFT_MM, y, l->company_postal);

    y = 20;
    text_at(d, d->bold, 14, INFO_X_MM, y, en ? "CREDIT NOTE" : "KREDITFAKTURA");
    y += 7;
    snprintf(v, sizeof(v), "%lld", (long long)c->number);
    text_at(d, d->regular, 9, INFO_X_MM, y, en ? "Credit note no." : "Kreditfakturanr");
    text_at(d, d->regular, 9, INFO_VAL_MM, y, v);
    y += 4.5f;
    date_text(c->date, v);
    text_at(d, d->regular, 9, INFO_X_MM, y, en ? "Date" : "Datum");
    text_at(d, d->regular, 9, INFO_VAL_MM, y, v);
    if (!c->invoice_number)
        return;
    y += 4.5f;
    snprintf(v, sizeof(v), "%lld", (long long)c->invoice_number);
    text_at(d, d->regular, 9, INFO_X_MM, y, en ? "Credits invoice" : "Avser faktura");
    text_at(d, d->regular, 9, INFO_VAL_MM, y, v);
    y += 4.5f;
    date_text(c->invoice_date, v);
    text_at(d, d->regular, 9, INFO_X_MM, y, en ? "Invoice date" : "Fakturadatum");
    text_at(d, d->regular, 9, INFO_VAL_MM, y, v);
}

static float credit_rows(struct draw *d, const struct letter_credit_note *c, float y)
{
    bool en = c->party.english;
    char label[96], rate[32];
    int i;

    for (i = 0; i < VAT_RATES; i++) {
        if (!c->net_by_rate[i] && !c->vat_by_rate[i])
            continue;
        rate_text(en, vat_rates[i].bp, rate, sizeof(rate));
        snprintf(label, sizeof(label), en ? "Net credited, %s VAT" : "Krediterat netto, moms %s",
                 rate);
        y = row(d, en, y, label, -c->net_by_rate[i], false);
        if (!c->vat_by_rate[i])
            continue;
        snprintf(label, sizeof(label), en ? "VAT %s" : "Moms %s", rate);
        y = row(d, en, y, label, -c->vat_by_rate[i], false);
    }
    hline(d, LEFT_MM, RIGHT_MM, y - 4, 0.3f);
    y = row(d, en, y, en ? "Total credited" : "Summa krediterat", -c->total_minor, false);
    if (c->tax_reduction_minor) {
        snprintf(label, sizeof(label),
                 en ? "Of which %s tax reduction (Skatteverket)"
                    : "Varav skattereduktion %s (Skatteverket)",
                 c->tax_reduction_kind);
        y = row(d, en, y, label, -c->tax_reduction_minor, false);
    }
    return row(d, en, y, en ? "Credited to you" : "Att tillgodoräkna dig", -c->customer_part_minor,
               true);
}

static enum pm_err credit_page(struct draw *d, const void *items, size_t i, struct pm_error *e)
{
    const struct letter_credit_note *c = &((const struct letter_credit_note *)items)[i];
    bool en = c->party.english;
    char text[LETTER_INTRO_MAX + 200];
    float y;

    (void)e;
    d->page = HPDF_AddPage(d->pdf);
    if (!d->page)
        return PM_OK; /* d->error says why */
    HPDF_Page_SetSize(d->page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
    credit_header(d, c);
    address(d, &c->party);
    if (c->invoice_number)
        snprintf(text, sizeof(text),
                 en ? "This credit note credits invoice %lld as below."
                    : "Denna kreditfaktura krediterar faktura %lld enligt nedan.",
                 (long long)c->invoice_number);
    else
        snprintf(text, sizeof(text), "%s",
                 en ? "This credit note credits you as below."
                    : "Denna kreditfaktura tillgodoräknar dig enligt nedan.");
    y = paragraph(d, 10, LEFT_MM, 105, RIGHT_MM - LEFT_MM, text);
    if (c->reason[0]) {
        snprintf(text, sizeof(text), "%s %s", en ? "Reason:" : "Orsak:", c->reason);
        y = paragraph(d, 10, LEFT_MM, y + 2, RIGHT_MM - LEFT_MM, text);
    }
    credit_rows(d, c, y + 8);
    footer_line(d, &c->party, 270);
    return PM_OK;
}

enum pm_err letter_credit_note_pdf(const struct letter_credit_note *c, const char *font_dir,
                                   struct buf *out, struct pm_error *e)
{
    return write_pdf(credit_page, c, 1, font_dir, out, e);
}

/* ---- customer statements ---- */

#define ST_TOP_MM    38.0f  /* where a continued page's content starts */
#define ST_BOTTOM_MM 268.0f /* content ends above the footer */
#define ST_ROW_MM    5.0f

/* Where the statement is drawn: the page (1, 2 ...) and y on it. */
struct flow {
    struct draw *d;
    const struct letter_statement *s;
    int page, pages;
    float y;
};

static void st_page_footer(struct flow *f)
{
    bool en = f->s->party.english;
    char text[64];

    footer_line(f->d, &f->s->party, 276);
    snprintf(text, sizeof(text), en ? "Page %d of %d" : "Sida %d av %d", f->page, f->pages);
    text_right(f->d, f->d->regular, 8.5f, RIGHT_MM, 281, text);
}

static void st_new_page(struct flow *f)
{
    struct draw *d = f->d;
    bool en = f->s->party.english;
    char v[16];

    if (f->page > 0)
        st_page_footer(f);
    f->page++;
    if (!d->dry) {
        d->page = HPDF_AddPage(d->pdf);
        if (!d->page)
            return;
        HPDF_Page_SetSize(d->page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
    }
    if (f->page == 1)
        return; /* the first page's head is drawn by st_first_page */
    text_at(d, d->bold, 12, LEFT_MM, 20, f->s->party.company_name);
    text_at(d, d->bold, 12, INFO_X_MM, 20, en ? "STATEMENT (continued)" : "KONTOUTDRAG (forts.)");
    date_text(f->s->as_of, v);
    text_at(d, d->regular, 9, INFO_X_MM, 26, en ? "As of" : "Per");
    text_at(d, d->regular, 9, INFO_VAL_MM, 26, v);
    text_at(d, d->regular, 9, LEFT_MM, 26, f->s->party.customer_name);
    f->y = ST_TOP_MM;
}

/* Room for h more millimetres on this page, else a new page; true when a
 * new page was started. */
static bool st_need(struct flow *f, float h)
{
    if (f->y + h <= ST_BOTTOM_MM)
        return false;
    st_new_page(f);
    return true;
}

static void st_first_page(struct flow *f)
{
    const struct letter_statement *s = f->s;
    struct draw *d = f->d;
    bool en = s->party.english;
    char v[64], from[16], to[16], text[400];
    float y = 20;

    text_at(d, d->bold, 14, LEFT_MM, y, s->party.company_name);
    y += 5.5f;
    if (s->party.company_address[0]) {
        text_at(d, d->regular, 9, LEFT_MM, y, s->party.company_address);
        y += 4.2f;
    }
    if (s->party.company_postal[0]) {
        text_at(d, d->regular, 9, LEFT_MM, y, s->party.company_postal);
        y += 4.2f;
    }
    if (s->party.company_bankgiro[0]) {
        snprintf(text, sizeof(text), "Bankgiro %s", s->party.company_bankgiro);
        text_at(d, d->regular, 9, LEFT_MM, y, text);
    }
    y = 20;
    text_at(d, d->bold, 14, INFO_X_MM, y, en ? "STATEMENT" : "KONTOUTDRAG");
    y += 7;
    date_text(s->as_of, v);
    text_at(d, d->regular, 9, INFO_X_MM, y, en ? "As of" : "Per");
    text_at(d, d->regular, 9, INFO_VAL_MM, y, v);
    y += 4.5f;
    date_text(s->from, from);
    date_text(s->to, to);
    snprintf(v, sizeof(v), "%s \xe2\x80\x93 %s", from, to);
    text_at(d, d->regular, 9, INFO_X_MM, y, en ? "Period" : "Period");
    text_at(d, d->regular, 9, INFO_VAL_MM, y, v);
    address(d, &s->party);
    date_text(s->as_of, v);
    snprintf(text, sizeof(text),
             en ? "Your open invoices with us as of %s, with late-payment interest to that date, "
                  "and your payments and credits in the period."
                : "Dina obetalda fakturor hos oss per %s, med dröjsmålsränta till och med den "
                  "dagen, och dina betalningar och krediter under perioden.",
             v);
    paragraph(d, 10, LEFT_MM, 100, RIGHT_MM - LEFT_MM, text);
    /* the same y whether drawn or laid out (paragraph lays out nothing):
     * room for three lines of the text */
    f->y = 118;
}

/* The open items' columns: right edges of the amounts. */
#define C_INV   LEFT_MM
#define C_IDATE 36.0f
#define C_DUE   58.5f
#define C_AMT   106.0f
#define C_LEFT  131.0f
#define C_INT   152.0f
#define C_DAYS  164.0f
#define C_OCR   168.0f

static void st_items_head(struct flow *f)
{
    struct draw *d = f->d;
    bool en = f->s->party.english;
    float y = f->y;

    text_at(d, d->bold, 8, C_INV, y, en ? "Invoice" : "Faktura");
    text_at(d, d->bold, 8, C_IDATE, y, en ? "Inv. date" : "Fakturadatum");
    text_at(d, d->bold, 8, C_DUE, y, en ? "Due date" : "Förfallodag");
    text_right(d, d->bold, 8, C_AMT, y, en ? "Amount" : "Belopp");
    text_right(d, d->bold, 8, C_LEFT, y, en ? "Remaining" : "Kvar");
    text_right(d, d->bold, 8, C_INT, y, en ? "Interest" : "Ränta");
    text_right(d, d->bold, 8, C_DAYS, y, en ? "Days" : "Dagar");
    text_at(d, d->bold, 8, C_OCR, y, en ? "OCR" : "OCR-nr");
    hline(d, LEFT_MM, RIGHT_MM, y + 1.5f, 0.5f);
    f->y += 6;
}

static void st_item(struct flow *f, const struct letter_statement_item *it)
{
    struct draw *d = f->d;
    bool en = f->s->party.english;
    char v[MONEY_FORMAT_MAX + 8];
    float y = f->y;

    snprintf(v, sizeof(v), "%lld", (long long)it->invoice_number);
    text_at(d, d->regular, 8.5f, C_INV, y, v);
    date_text(it->invoice_date, v);
    text_at(d, d->regular, 8.5f, C_IDATE, y, v);
    date_text(it->due_date, v);
    text_at(d, d->regular, 8.5f, C_DUE, y, v);
    amount_text(en, it->amount_minor, v, sizeof(v));
    text_right(d, d->regular, 8.5f, C_AMT, y, v);
    amount_text(en, it->remaining_minor, v, sizeof(v));
    text_right(d, d->regular, 8.5f, C_LEFT, y, v);
    amount_text(en, it->interest_minor, v, sizeof(v));
    if (it->rate_unknown) {
        size_t len = strlen(v);

        snprintf(v + len, sizeof(v) - len, "*");
    }
    text_right(d, d->regular, 8.5f, C_INT, y, v);
    snprintf(v, sizeof(v), "%d", (int)it->days_overdue);
    text_right(d, d->regular, 8.5f, C_DAYS, y, it->days_overdue > 0 ? v : "\xe2\x80\x93");
    text_at(d, d->regular, 8.5f, C_OCR, y, it->ocr);
    f->y += ST_ROW_MM;
}

static void st_items(struct flow *f)
{
    const struct letter_statement *s = f->s;
    bool en = s->party.english;
    size_t i;

    text_at(f->d, f->d->bold, 11, LEFT_MM, f->y, en ? "Open invoices" : "Obetalda fakturor");
    f->y += 6;
    if (s->n_items == 0) {
        text_at(f->d, f->d->regular, 9, LEFT_MM, f->y,
                en ? "You have no open invoices with us."
                   : "Du har inga obetalda fakturor hos oss.");
        f->y += 7;
        return;
    }
    st_need(f, 6 + ST_ROW_MM);
    st_items_head(f);
    for (i = 0; i < s->n_items; i++) {
        if (st_need(f, ST_ROW_MM))
            st_items_head(f);
        st_item(f, &s->items[i]);
    }
}

static void st_total_row(struct flow *f, const char *label, int64_t amount, bool bold)
{
    char v[MONEY_FORMAT_MAX + 8];

    amount_text(f->s->party.english, amount, v, sizeof(v));
    text_at(f->d, bold ? f->d->bold : f->d->regular, bold ? 10.5f : 9.5f, 95, f->y, label);
    text_right(f->d, bold ? f->d->bold : f->d->regular, bold ? 10.5f : 9.5f, RIGHT_MM, f->y, v);
    f->y += 6;
}

static void st_totals(struct flow *f)
{
    const struct letter_statement *s = f->s;
    bool en = s->party.english;
    char label[120], v[16];

    st_need(f, 26);
    hline(f->d, 95, RIGHT_MM, f->y - 3, 0.3f);
    f->y += 2;
    st_total_row(f, en ? "Remaining on the invoices" : "Kvar att betala på fakturorna",
                 s->remaining_minor, false);
    date_text(s->as_of, v);
    snprintf(label, sizeof(label),
             en ? "Late-payment interest to %s%s" : "Dröjsmålsränta till och med %s%s", v,
             s->rate_unknown ? " *" : "");
    st_total_row(f, label, s->interest_minor, false);
    hline(f->d, 95, RIGHT_MM, f->y - 4, 0.8f);
    f->y += 1;
    st_total_row(f, en ? "Total to pay" : "Att betala totalt", s->total_minor, true);
    f->y += 2;
}

static void st_how_to_pay(struct flow *f)
{
    const struct letter_statement *s = f->s;
    struct draw *d = f->d;
    bool en = s->party.english;
    char text[400];

    st_need(f, 30);
    text_at(d, d->bold, 11, LEFT_MM, f->y, en ? "How to pay" : "Så betalar du");
    f->y += 5.5f;
    snprintf(text, sizeof(text),
             en ? "Pay to bankgiro %s. Pay each invoice with its own OCR reference (see the "
                  "table above)."
                : "Betala till bankgiro %s. Betala varje faktura för sig med dess OCR-nummer "
                  "(se tabellen ovan).",
             s->party.company_bankgiro[0] ? s->party.company_bankgiro : "\xe2\x80\x93");
    text_at(d, d->regular, 9, LEFT_MM, f->y, text);
    f->y += 4.5f;
    text_at(d, d->regular, 9, LEFT_MM, f->y,
            en ? "Interest under the Swedish Interest Act (räntelagen 6 §): the reference rate "
                 "of each half-year plus 8 percentage points."
               : "Ränta enligt räntelagen (6 §): Riksbankens referensränta för varje "
                 "kalenderhalvår plus 8 procentenheter.");
    f->y += 4.5f;
    if (s->rate_unknown) {
        text_at(d, d->regular, 9, LEFT_MM, f->y,
                en ? "* Interest for days whose reference rate is not yet published is not "
                     "included."
                   : "* Ränta för dagar vars referensränta ännu inte är fastställd ingår inte.");
        f->y += 4.5f;
    }
    text_at(d, d->regular, 9, LEFT_MM, f->y,
            en ? "If you have paid in the last few days, the payment may not be shown yet."
               : "Har du betalat de senaste dagarna kan betalningen saknas här.");
    f->y += 9;
}

static void st_moves_head(struct flow *f)
{
    struct draw *d = f->d;
    bool en = f->s->party.english;

    text_at(d, d->bold, 8, LEFT_MM, f->y, en ? "Date" : "Datum");
    text_at(d, d->bold, 8, 45, f->y, en ? "Kind" : "Typ");
    text_at(d, d->bold, 8, 95, f->y, en ? "Invoice" : "Faktura");
    text_right(d, d->bold, 8, RIGHT_MM, f->y, en ? "Amount" : "Belopp");
    hline(d, LEFT_MM, RIGHT_MM, f->y + 1.5f, 0.5f);
    f->y += 6;
}

static void st_move(struct flow *f, const struct letter_statement_move *m)
{
    struct draw *d = f->d;
    bool en = f->s->party.english;
    char v[MONEY_FORMAT_MAX + 8];

    date_text(m->date, v);
    text_at(d, d->regular, 8.5f, LEFT_MM, f->y, v);
    if (m->credit)
        snprintf(v, sizeof(v), en ? "Credit note %lld" : "Kreditfaktura %lld",
                 (long long)m->number);
    else
        snprintf(v, sizeof(v), "%s", en ? "Payment" : "Betalning");
    text_at(d, d->regular, 8.5f, 45, f->y, v);
    if (m->invoice_number) {
        snprintf(v, sizeof(v), "%lld", (long long)m->invoice_number);
        text_at(d, d->regular, 8.5f, 95, f->y, v);
    }
    amount_text(en, -m->amount_minor, v, sizeof(v));
    text_right(d, d->regular, 8.5f, RIGHT_MM, f->y, v);
    f->y += ST_ROW_MM;
}

static void st_moves(struct flow *f)
{
    const struct letter_statement *s = f->s;
    bool en = s->party.english;
    char title[120], from[16], to[16];
    size_t i;

    st_need(f, 6 + 6 + ST_ROW_MM);
    date_text(s->from, from);
    date_text(s->to, to);
    snprintf(title, sizeof(title),
             en ? "Payments and credits %s \xe2\x80\x93 %s"
                : "Betalningar och krediter %s \xe2\x80\x93 %s",
             from, to);
    text_at(f->d, f->d->bold, 11, LEFT_MM, f->y, title);
    f->y += 6;
    if (s->n_moves == 0) {
        text_at(f->d, f->d->regular, 9, LEFT_MM, f->y,
                en ? "No payments or credits in the period."
                   : "Inga betalningar eller krediter under perioden.");
        f->y += 6;
        return;
    }
    st_moves_head(f);
    for (i = 0; i < s->n_moves; i++) {
        if (st_need(f, ST_ROW_MM))
            st_moves_head(f);
        st_move(f, &s->moves[i]);
    }
    st_need(f, 13);
    hline(f->d, 95, RIGHT_MM, f->y - 3, 0.3f);
    f->y += 1;
    st_total_row(f, en ? "Paid in the period" : "Betalt under perioden", -s->paid_minor, false);
    st_total_row(f, en ? "Credited in the period" : "Krediterat under perioden", -s->credited_minor,
                 false);
}

/* The whole statement; *pages how many it took. */
static void st_flow(struct draw *d, const struct letter_statement *s, int pages, int *used)
{
    struct flow f = {d, s, 0, pages, 0};

    st_new_page(&f);
    if (d->page || d->dry) {
        st_first_page(&f);
        st_items(&f);
        st_totals(&f);
        st_how_to_pay(&f);
        st_moves(&f);
        st_page_footer(&f);
    }
    *used = f.page;
}

int letter_statement_pages(const struct letter_statement *s)
{
    struct draw d;
    int used = 0;

    memset(&d, 0, sizeof(d));
    d.dry = true;
    st_flow(&d, s, 0, &used);
    return used;
}

static enum pm_err statement_page(struct draw *d, const void *items, size_t i, struct pm_error *e)
{
    const struct letter_statement *s = items;
    int used = 0;

    (void)i;
    (void)e;
    st_flow(d, s, letter_statement_pages(s), &used);
    return PM_OK;
}

enum pm_err letter_statement_pdf(const struct letter_statement *s, const char *font_dir,
                                 struct buf *out, struct pm_error *e)
{
    return write_pdf(statement_page, s, 1, font_dir, out, e);
}
