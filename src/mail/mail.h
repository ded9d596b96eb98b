/*
 * mail.h — e-mail of reminders: building the message and sending it over
 * SMTP.
 *
 * A layer beside src/agency and src/letter: it uses util/ and core/ and
 * libcurl, and knows nothing of the store, the HTTP API or what a reminder
 * says.  src/app/app_mail.c decides the text and the recipient, keeps the
 * queue (the mail_outbox table) and calls this layer to deliver.
 *
 * mail_mime.c builds an RFC 5322 / MIME message: From, To, Reply-To and
 * Subject with non-ASCII text as RFC 2047 UTF-8 encoded-words, folded so
 * no header line passes 76 characters; Date; the Message-ID given (made
 * once when the mail is queued, so a retry sends the same one);
 * multipart/mixed with a text/plain UTF-8 body and a PDF attachment, both
 * base64 in lines of 76; CRLF line endings throughout.  A CR or LF (or any
 * other control character) in a value that goes into a header is refused
 * (PM_ERR_INVALID naming the field): header injection is impossible.
 *
 * mail_smtp.c sends a built message with libcurl (smtp:// with STARTTLS
 * tried or required, or smtps://; AUTH with user and password; connect and
 * overall timeouts) on one easy handle that keeps its connection to the
 * server open between messages.  The server's answer is classified: 2xx
 * sent, 4xx or no answer (connection failure, timeout) to be retried later,
 * 5xx refused for good; its last reply line is kept for the user.
 */
#ifndef PM_MAIL_H
#define PM_MAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/err.h"

#define MAIL_ADDRESS_MAX    255 /* an address as the store keeps it, with NUL */
#define MAIL_MESSAGE_ID_MAX 160 /* "<...@domain>" with NUL */
#define MAIL_ANSWER_MAX     512 /* the server's last reply line, with NUL */

/* ---- the message ---- */

struct mail_message {
    const char *from_name;  /* display name (UTF-8), may be "" */
    const char *from_addr;  /* the envelope sender and From address */
    const char *reply_to;   /* an address, or NULL / "" for none */
    const char *to_name;    /* display name (UTF-8), may be "" */
    const char *to_addr;    /* the one recipient */
    const char *subject;    /* UTF-8 */
    const char *message_id; /* "<id@domain>" */
    int64_t date;           /* unix seconds, written as UTC */
    const char *text;       /* the body, UTF-8, lines ended by "\n" */
    const void *pdf;        /* the attachment, or NULL for none */
    size_t pdf_len;
    const char *pdf_name; /* its filename: letters, digits, '.', '-', '_' */
};

/* Is addr a plain address (local@domain, printable ASCII without blanks,
 * quotes, angle brackets or commas)? */
bool mail_address_ok(const char *addr);

/* Write a new Message-ID "<32 hex digits@domain>" into dst[cap] (at least
 * MAIL_MESSAGE_ID_MAX); domain is the part of from_addr after its last
 * '@' ("localhost" when there is none). */
void mail_message_id(const char *from_addr, char *dst, size_t cap);

/* A header value as an unstructured field: printable ASCII as it is (folded
 * at blanks), anything else as RFC 2047 encoded-words ("=?UTF-8?B?...?=")
 * of at most 75 characters each, never splitting a UTF-8 character, one
 * per folded line.  name_len is the length of "Name: " before it on the
 * first line.  PM_ERR_INVALID when the value holds a control character or
 * is not UTF-8. */
enum pm_err mail_header_text(struct buf *out, size_t name_len, const char *value);

/* base64 of data[0..len) in lines of 76 characters, each ended by CRLF. */
enum pm_err mail_base64_lines(struct buf *out, const void *data, size_t len);

/* The whole message as sent (CRLF line endings), appended to *out.
 * PM_ERR_INVALID with e->field naming the value ("to_addr", "subject" ...)
 * when one is unsafe or malformed. */
enum pm_err mail_build(const struct mail_message *m, struct buf *out, struct pm_error *e);

/* ---- sending over SMTP ---- */

enum mail_tls {
    MAIL_TLS_TRY,     /* STARTTLS when the server offers it (default) */
    MAIL_TLS_REQUIRE, /* STARTTLS or nothing */
    MAIL_TLS_NONE,    /* plain SMTP */
};

/* "try", "require", "none"; PM_ERR_INVALID for anything else. */
enum pm_err mail_tls_parse(const char *s, enum mail_tls *out);
const char *mail_tls_name(enum mail_tls t);

struct mail_smtp_config {
    const char *url;      /* smtp://host:port or smtps://host:port */
    const char *user;     /* NULL or "" = no AUTH */
    const char *password; /* with user */
    enum mail_tls tls;
    bool insecure;           /* do not verify the server's certificate (tests) */
    long connect_timeout_ms; /* 0 = 10 s */
    long timeout_ms;         /* a whole message, 0 = 60 s */
};

/* What became of one message. */
enum mail_outcome {
    MAIL_SENT,    /* the server took it (2xx after DATA) */
    MAIL_RETRY,   /* 4xx, or no answer: try again later */
    MAIL_REFUSED, /* 5xx: never again */
};

/* Called once the whole message has been handed to the connection and
 * before the end of DATA ("\r\n.\r\n") is sent: the caller records it as
 * sent there (a crash after that point may lose a mail, never send it
 * twice).  Returns false to abort (nothing delivered). */
typedef bool (*mail_before_end)(void *arg);

struct mail_smtp;

/* A sender for cfg (copied); NULL with e when libcurl fails. */
struct mail_smtp *mail_smtp_new(const struct mail_smtp_config *cfg, struct pm_error *e);
void mail_smtp_free(struct mail_smtp **s);

/* Send data[0..len) (a built message) from `from` to `to`.  The result is
 * the outcome; answer[cap] gets the server's last reply line ("250 2.0.0
 * Ok", "550 5.1.1 <x@y>: Recipient address rejected") or libcurl's
 * description of what failed when there was no reply.  before_end (may be
 * NULL) is called as described above; *code (may be NULL) is the last
 * reply code, 0 for none. */
enum mail_outcome mail_smtp_send(struct mail_smtp *s, const char *from, const char *to,
                                 const char *data, size_t len, mail_before_end before_end,
                                 void *arg, char *answer, size_t cap, int *code);

#endif
