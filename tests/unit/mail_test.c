/*
 * mail_test.c — unit tests for src/mail/mail_mime.c: RFC 2047 encoded-word
 * subjects (UTF-8, never split inside a character, folded), base64 in
 * lines of 76, the whole message's shape (CRLF, headers, parts), and
 * header injection refused: a CR or LF in any value that goes into a
 * header is PM_ERR_INVALID naming the value, and nothing is built.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "mail/mail.h"
#include "util/secret.h"

/* Decode the encoded-words of an unfolded header value (B only). */
static void decode_words(const char *v, char *out, size_t cap)
{
    size_t n = 0, bin;
    const char *p = v, *q;
    char b64[512];

    while ((p = strstr(p, "=?UTF-8?B?")) != NULL) {
        p += 10;
        q = strstr(p, "?=");
        assert_non_null(q);
        assert_true((size_t)(q - p) < sizeof(b64));
        memcpy(b64, p, (size_t)(q - p));
        b64[q - p] = '\0';
        assert_int_equal(sodium_base642bin((unsigned char *)out + n, cap - n - 1, b64, strlen(b64),
                                           NULL, &bin, NULL, sodium_base64_VARIANT_ORIGINAL),
                         0);
        n += bin;
        p = q + 2;
    }
    out[n] = '\0';
}

static void test_subject_encoded_words(void **state)
{
    const char *subject = "Påminnelse: faktura 1043 från Åkerö Bygg & Målning i Västerås AB — "
                          "att betala före förfallodagen, tack så mycket";
    struct buf b = BUF_INIT;
    char decoded[512], *line, *save = NULL;
    size_t lines = 0;

    (void)state;
    assert_int_equal(mail_header_text(&b, 9, subject), PM_OK);
    /* every line an encoded-word of at most 75 characters, folded with CRLF SP */
    for (line = strtok_r(b.data, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
        const char *w = line[0] == ' ' ? line + 1 : line;

        assert_true(strlen(w) <= 75);
        assert_true(9 + strlen(line) <= 76);
        assert_memory_equal(w, "=?UTF-8?B?", 10);
        lines++;
    }
    assert_true(lines > 2);
    buf_release(&b);
    /* decoded (the words joined) it is the subject again: no character split */
    assert_int_equal(mail_header_text(&b, 9, subject), PM_OK);
    decode_words(b.data, decoded, sizeof(decoded));
    assert_string_equal(decoded, subject);
    buf_release(&b);
    /* plain ASCII stays plain */
    assert_int_equal(mail_header_text(&b, 9, "Reminder: invoice 1043"), PM_OK);
    assert_string_equal(b.data, "Reminder: invoice 1043");
    buf_release(&b);
    /* ASCII that looks like an encoded-word is encoded itself */
    assert_int_equal(mail_header_text(&b, 9, "=?UTF-8?B?QQ==?="), PM_OK);
    decode_words(b.data, decoded, sizeof(decoded));
    assert_string_equal(decoded, "=?UTF-8?B?QQ==?=");
    buf_release(&b);
}

static void test_base64_lines(void **state)
{
    unsigned char data[200];
    struct buf b = BUF_INIT;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(data); i++)
        data[i] = (unsigned char)i;
    assert_int_equal(mail_base64_lines(&b, data, sizeof(data)), PM_OK);
    /* 200 bytes: 57 + 57 + 57 + 29 -> three lines of 76 and one of 40 */
    assert_int_equal(b.len, 76 * 3 + 40 + 4 * 2);
    assert_memory_equal(b.data + 76, "\r\n", 2);
    assert_memory_equal(b.data,
                        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEy"
                        "MzQ1Njc4",
                        76);
    buf_release(&b);
    assert_int_equal(mail_base64_lines(&b, "Man", 3), PM_OK);
    assert_string_equal(b.data, "TWFu\r\n");
    buf_release(&b);
}

static struct mail_message sample(void)
{
    static const char pdf[] = "%PDF-1.4 fake";
    struct mail_message m = {
        .from_name = "Åkerö Bygg AB",
        .from_addr = "paminnelser@akero.se",
        .reply_to = "faktura@akero.se",
        .to_name = "Örjan \"Ö\" Ängström",
        .to_addr = "orjan@example.se",
        .subject = "Påminnelse: faktura 1043",
        .message_id = "<0123456789abcdef@akero.se>",
        .date = 1759233600, /* 2025-09-30T12:00:00Z, a Tuesday */
        .text = "Hej Örjan,\nAtt betala: 10 586,30 kr\n",
        .pdf = pdf,
        .pdf_len = sizeof(pdf) - 1,
        .pdf_name = "paminnelse-1043.pdf",
    };
    return m;
}

static void test_message_shape(void **state)
{
    struct mail_message m = sample();
    struct buf b = BUF_INIT;
    struct pm_error e = {0};
    const char *p;

    (void)state;
    assert_int_equal(mail_build(&m, &b, &e), PM_OK);
    assert_non_null(strstr(b.data, "Date: Tue, 30 Sep 2025 12:00:00 +0000\r\n"));
    assert_non_null(strstr(b.data, "Message-ID: <0123456789abcdef@akero.se>\r\n"));
    assert_non_null(strstr(b.data, "MIME-Version: 1.0\r\n"));
    assert_non_null(strstr(b.data, "Reply-To: <faktura@akero.se>\r\n"));
    assert_non_null(strstr(b.data, "\r\n <orjan@example.se>\r\n"));
    assert_non_null(strstr(b.data, "Content-Type: multipart/mixed; boundary=\"=_paminn_"));
    assert_non_null(strstr(b.data, "Content-Type: text/plain; charset=UTF-8\r\n"));
    assert_non_null(strstr(b.data, "Content-Disposition: attachment; "
                                   "filename=\"paminnelse-1043.pdf\"\r\n"));
    /* "%PDF-1.4 fake" in base64 */
    assert_non_null(strstr(b.data, "JVBERi0xLjQgZmFrZQ==\r\n"));
    /* CRLF only, no line over 998 */
    for (p = b.data; *p; p++) {
        if (*p == '\n')
            assert_int_equal(p[-1], '\r');
    }
    buf_release(&b);
}

/* A value with CR or LF (or another control character) is refused,
 * naming the value, whichever header it would go into. */
static void test_header_injection_refused(void **state)
{
    struct mail_message m;
    struct buf b = BUF_INIT;
    struct pm_error e = {0};
    static const char *const evil[] = {
        "Hej\r\nBcc: victim@example.se",
        "Hej\nBcc: victim@example.se",
        "Hej\rBcc: victim@example.se",
        "Hej\tthere",
        "Hej\xc2\x85next line", /* NEL, U+0085 */
        "bad \xff utf-8",
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(evil) / sizeof(evil[0]); i++) {
        m = sample();
        m.subject = evil[i];
        assert_int_equal(mail_build(&m, &b, &e), PM_ERR_INVALID);
        assert_string_equal(e.field, "subject");

        m = sample();
        m.to_name = evil[i];
        assert_int_equal(mail_build(&m, &b, &e), PM_ERR_INVALID);
        assert_string_equal(e.field, "to_addr");

        m = sample();
        m.from_name = evil[i];
        assert_int_equal(mail_build(&m, &b, &e), PM_ERR_INVALID);
        assert_string_equal(e.field, "from_addr");
    }
    m = sample();
    m.to_addr = "orjan@example.se\r\nBcc: victim@example.se";
    assert_int_equal(mail_build(&m, &b, &e), PM_ERR_INVALID);
    assert_string_equal(e.field, "to_addr");
    m = sample();
    m.reply_to = "a@b.se>\r\nBcc: <victim@example.se";
    assert_int_equal(mail_build(&m, &b, &e), PM_ERR_INVALID);
    assert_string_equal(e.field, "reply_to");
    m = sample();
    m.message_id = "<x@y.se>\r\nBcc: victim@example.se";
    assert_int_equal(mail_build(&m, &b, &e), PM_ERR_INVALID);
    assert_string_equal(e.field, "message_id");
    m = sample();
    m.pdf_name = "a\"; x=\"y.pdf";
    assert_int_equal(mail_build(&m, &b, &e), PM_ERR_INVALID);
    assert_string_equal(e.field, "pdf_name");
    buf_release(&b);
}

static void test_addresses_and_ids(void **state)
{
    char id[MAIL_MESSAGE_ID_MAX], id2[MAIL_MESSAGE_ID_MAX];

    (void)state;
    assert_true(mail_address_ok("kund@example.se"));
    assert_true(mail_address_ok("a.b+c@sub.example.se"));
    assert_false(mail_address_ok(""));
    assert_false(mail_address_ok("kund"));
    assert_false(mail_address_ok("@example.se"));
    assert_false(mail_address_ok("kund@"));
    assert_false(mail_address_ok("kund @example.se"));
    assert_false(mail_address_ok("kund@example.se>"));
    assert_false(mail_address_ok("kund@example.se\n"));
    mail_message_id("paminnelser@akero.se", id, sizeof(id));
    mail_message_id("paminnelser@akero.se", id2, sizeof(id2));
    assert_int_equal(strlen(id), 1 + 32 + 1 + 8 + 1);
    assert_memory_equal(id + 33, "@akero.se>", 10);
    assert_string_not_equal(id, id2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_subject_encoded_words),
        cmocka_unit_test(test_base64_lines),
        cmocka_unit_test(test_message_shape),
        cmocka_unit_test(test_header_injection_refused),
        cmocka_unit_test(test_addresses_and_ids),
    };

    if (secret_init())
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
