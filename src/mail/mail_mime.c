/*
 * mail_mime.c — an RFC 5322 / MIME message of a reminder (see mail.h):
 * headers with RFC 2047 encoded-words, a text/plain UTF-8 body and a PDF
 * attachment, base64 in lines of 76, CRLF line endings.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/date.h"
#include "mail/mail.h"
#include "util/secret.h"

#define LINE_SOFT      76 /* RFC 2047 lines with encoded-words */
#define WORD_RAW_BYTES 39 /* bytes of text per encoded-word: 52 base64 characters */
#define B64_LINE_BYTES 57 /* 76 base64 characters */

bool mail_address_ok(const char *addr)
{
    const char *at = addr ? strrchr(addr, '@') : NULL;
    const char *p;

    if (!at || at == addr || !at[1] || strlen(addr) >= MAIL_ADDRESS_MAX)
        return false;
    for (p = addr; *p; p++) {
        unsigned char c = (unsigned char)*p;

        if (c <= 0x20 || c >= 0x7f || strchr("\"<>(),;:\\[]", c))
            return false;
    }
    return strchr(at + 1, '.') || !strcmp(at + 1, "localhost");
}

void mail_message_id(const char *from_addr, char *dst, size_t cap)
{
    const char *at = from_addr ? strrchr(from_addr, '@') : NULL;
    const char *domain = at && at[1] ? at + 1 : "localhost";
    char token[SECRET_TOKEN_HEX];

    secret_random_token(token);
    snprintf(dst, cap, "<%.32s@%.100s>", token, domain);
}

/* Length of the UTF-8 character at s (1..4), 0 when it is not one. */
static size_t utf8_len(const unsigned char *s)
{
    size_t n, i;

    if (s[0] < 0x80)
        return 1;
    if ((s[0] & 0xe0) == 0xc0 && s[0] >= 0xc2)
        n = 2;
    else if ((s[0] & 0xf0) == 0xe0)
        n = 3;
    else if ((s[0] & 0xf8) == 0xf0 && s[0] <= 0xf4)
        n = 4;
    else
        return 0;
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    }
    return n;
}

/* Printable ASCII only (blanks included)?  Control characters refuse. */
static enum pm_err check_text(const char *v, bool *ascii)
{
    const unsigned char *s = (const unsigned char *)v;
    size_t n;

    *ascii = true;
    while (*s) {
        if (*s < 0x20 || *s == 0x7f)
            return PM_ERR_INVALID; /* CR, LF, TAB, NUL ... */
        n = utf8_len(s);
        if (!n)
            return PM_ERR_INVALID;
        if (n > 1) {
            /* C1 controls (U+0080..U+009F) and the line/paragraph separators */
            if ((s[0] == 0xc2 && s[1] < 0xa0) ||
                (s[0] == 0xe2 && s[1] == 0x80 && (s[2] == 0xa8 || s[2] == 0xa9)))
                return PM_ERR_INVALID;
            *ascii = false;
        }
        s += n;
    }
    return PM_OK;
}

static enum pm_err add_b64(struct buf *out, const void *data, size_t len)
{
    size_t need = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
    enum pm_err rc = buf_grow(out, need);

    if (rc)
        return rc;
    sodium_bin2base64(out->data + out->len, need, data, len, sodium_base64_VARIANT_ORIGINAL);
    out->len += need - 1;
    return PM_OK;
}

enum pm_err mail_base64_lines(struct buf *out, const void *data, size_t len)
{
    const unsigned char *p = data;
    size_t n;
    enum pm_err rc = PM_OK;

    while (!rc && len > 0) {
        n = len < B64_LINE_BYTES ? len : B64_LINE_BYTES;
        rc = add_b64(out, p, n);
        if (!rc)
            rc = buf_add(out, "\r\n", 2);
        p += n;
        len -= n;
    }
    return rc;
}

/* Encoded-words of value, each at most WORD_RAW_BYTES of whole UTF-8
 * characters, one per line after the first. */
static enum pm_err encoded_words(struct buf *out, const char *value)
{
    const unsigned char *s = (const unsigned char *)value;
    size_t take, n;
    enum pm_err rc = PM_OK;
    bool first = true;

    while (!rc && *s) {
        take = 0;
        while (s[take] && take + (n = utf8_len(s + take)) <= WORD_RAW_BYTES)
            take += n;
        if (!first)
            rc = buf_add(out, "\r\n ", 3);
        if (!rc)
            rc = buf_adds(out, "=?UTF-8?B?");
        if (!rc)
            rc = add_b64(out, s, take);
        if (!rc)
            rc = buf_adds(out, "?=");
        s += take;
        first = false;
    }
    return rc;
}

/* Printable ASCII, folded at blanks before LINE_SOFT characters where it
 * can be (a word longer than a line stays whole: lines may reach 998). */
static enum pm_err folded_ascii(struct buf *out, size_t col, const char *value)
{
    const char *p = value, *sp;
    size_t word;
    enum pm_err rc = PM_OK;

    while (!rc && *p) {
        sp = strchr(p + 1, ' ');
        word = sp ? (size_t)(sp - p) : strlen(p);
        if (p != value && *p == ' ' && col + word > LINE_SOFT) {
            rc = buf_add(out, "\r\n", 2); /* the blank starts the continuation line */
            col = 0;
        }
        if (!rc)
            rc = buf_add(out, p, word);
        col += word;
        p += word;
    }
    return rc;
}

enum pm_err mail_header_text(struct buf *out, size_t name_len, const char *value)
{
    bool ascii;
    enum pm_err rc = check_text(value, &ascii);

    if (rc)
        return rc;
    /* A plain value that looks like an encoded-word is encoded itself. */
    if (ascii && !strstr(value, "=?"))
        return folded_ascii(out, name_len, value);
    return encoded_words(out, value);
}

/* "Name: value\r\n" as unstructured text. */
static enum pm_err header_text(struct buf *out, const char *name, const char *value,
                               const char *field, struct pm_error *e)
{
    enum pm_err rc = buf_addf(out, "%s: ", name);

    if (!rc && mail_header_text(out, strlen(name) + 2, value))
        return pm_error_set(e, PM_ERR_INVALID, field,
                            "%s holds a control character or is not UTF-8", field);
    if (!rc)
        rc = buf_add(out, "\r\n", 2);
    return rc;
}

/* "Name: display <addr>\r\n" (or "Name: addr"). */
static enum pm_err header_address(struct buf *out, const char *name, const char *display,
                                  const char *addr, const char *field, struct pm_error *e)
{
    bool ascii;
    const char *p;
    enum pm_err rc;

    if (!mail_address_ok(addr))
        return pm_error_set(e, PM_ERR_INVALID, field, "%s is not an e-mail address", field);
    if (display && check_text(display, &ascii))
        return pm_error_set(e, PM_ERR_INVALID, field,
                            "the name of %s holds a control character or is not UTF-8", field);
    rc = buf_addf(out, "%s: ", name);
    if (!rc && display && *display) {
        if (ascii) {
            /* a quoted string: '"' and '\\' escaped */
            rc = buf_addch(out, '"');
            for (p = display; !rc && *p; p++)
                rc = (*p == '"' || *p == '\\') ? buf_addf(out, "\\%c", *p) : buf_addch(out, *p);
            if (!rc)
                rc = buf_addch(out, '"');
        } else {
            rc = encoded_words(out, display);
        }
        if (!rc)
            rc = buf_adds(out, "\r\n ");
    }
    if (!rc)
        rc = buf_addf(out, "<%s>\r\n", addr);
    return rc;
}

/* "Thu, 03 Dec 2026 03:24:23 +0000" */
static void rfc5322_date(int64_t t, char *dst, size_t cap)
{
    static const char *const days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int64_t day = t >= 0 ? t / 86400 : (t - 86399) / 86400, secs = t - day * 86400;
    int y, m, d, wd;

    date_to_ymd((int32_t)day, &y, &m, &d);
    wd = date_weekday((int32_t)day);
    snprintf(dst, cap, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[wd], d, months[m - 1], y,
             (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
}

static bool filename_ok(const char *s)
{
    if (!s || !*s || strlen(s) > 64)
        return false;
    for (; *s; s++) {
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '.' || *s == '-' || *s == '_'))
            return false;
    }
    return true;
}

static bool message_id_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    bool ascii;

    return n > 4 && n < MAIL_MESSAGE_ID_MAX && s[0] == '<' && s[n - 1] == '>' && strchr(s, '@') &&
           !strchr(s, ' ') && !check_text(s, &ascii) && ascii;
}

/* The body text with every line ended by CRLF (a lone CR dropped). */
static enum pm_err crlf_text(struct buf *out, const char *text)
{
    enum pm_err rc = PM_OK;

    for (; !rc && *text; text++) {
        if (*text == '\n')
            rc = buf_add(out, "\r\n", 2);
        else if (*text != '\r')
            rc = buf_addch(out, *text);
    }
    return rc;
}

static enum pm_err headers(const struct mail_message *m, const char *boundary, struct buf *out,
                           struct pm_error *e)
{
    char date[48];
    enum pm_err rc;

    rc = header_address(out, "From", m->from_name, m->from_addr, "from_addr", e);
    if (!rc && m->reply_to && *m->reply_to)
        rc = header_address(out, "Reply-To", NULL, m->reply_to, "reply_to", e);
    if (!rc)
        rc = header_address(out, "To", m->to_name, m->to_addr, "to_addr", e);
    if (!rc)
        rc = header_text(out, "Subject", m->subject ? m->subject : "", "subject", e);
    if (rc)
        return rc;
    if (!message_id_ok(m->message_id))
        return pm_error_set(e, PM_ERR_INVALID, "message_id", "not a Message-ID: <id@domain>");
    rfc5322_date(m->date, date, sizeof(date));
    return buf_addf(out,
                    "Date: %s\r\n"
                    "Message-ID: %s\r\n"
                    "MIME-Version: 1.0\r\n"
                    "Content-Type: multipart/mixed; boundary=\"%s\"\r\n"
                    "\r\n"
                    "This is a message in MIME format.\r\n",
                    date, m->message_id, boundary);
}

enum pm_err mail_build(const struct mail_message *m, struct buf *out, struct pm_error *e)
{
    struct buf text = BUF_INIT;
    char token[SECRET_TOKEN_HEX], boundary[48];
    enum pm_err rc;

    if (m->pdf && !filename_ok(m->pdf_name))
        return pm_error_set(e, PM_ERR_INVALID, "pdf_name", "not a plain file name");
    if (!m->text)
        return pm_error_set(e, PM_ERR_INVALID, "text", "no text");
    secret_random_token(token);
    /* "=_" never occurs in base64, so the parts cannot contain it */
    snprintf(boundary, sizeof(boundary), "=_paminn_%.24s", token);
    rc = headers(m, boundary, out, e);
    if (rc)
        return rc;
    rc = crlf_text(&text, m->text);
    if (!rc)
        rc = buf_addf(out,
                      "\r\n--%s\r\n"
                      "Content-Type: text/plain; charset=UTF-8\r\n"
                      "Content-Transfer-Encoding: base64\r\n\r\n",
                      boundary);
    if (!rc)
        rc = mail_base64_lines(out, text.data, text.len);
    if (!rc && m->pdf)
        rc = buf_addf(out,
                      "\r\n--%s\r\n"
                      "Content-Type: application/pdf; name=\"%s\"\r\n"
                      "Content-Disposition: attachment; filename=\"%s\"\r\n"
                      "Content-Transfer-Encoding: base64\r\n\r\n",
                      boundary, m->pdf_name, m->pdf_name);
    if (!rc && m->pdf)
        rc = mail_base64_lines(out, m->pdf, m->pdf_len);
    if (!rc)
        rc = buf_addf(out, "\r\n--%s--\r\n", boundary);
    buf_release(&text);
    if (rc)
        return pm_error_set(e, rc, "", "out of memory building the message");
    return PM_OK;
}
