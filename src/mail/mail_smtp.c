/*
 * mail_smtp.c — sending a built message over SMTP with libcurl (see
 * mail.h).
 *
 * One easy handle per sender: libcurl keeps its connection to the server
 * open between messages (on a reused connection it goes straight to MAIL
 * FROM), so a stream of reminders costs one TCP and TLS handshake and one
 * AUTH.  The server's replies are read through the debug callback
 * (CURLINFO_HEADER_IN carries them), so the last reply line is what the
 * user sees of a refusal.  The end of DATA is sent by libcurl only after
 * the read callback has said "no more": the caller's before_end runs
 * there, which is where the queue records the mail as sent.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail/mail.h"

#define DEFAULT_CONNECT_MS 10000L
#define DEFAULT_TIMEOUT_MS 60000L

struct mail_smtp {
    CURL *easy;
    char *url, *user, *password;
    struct mail_smtp_config cfg;
    char errbuf[CURL_ERROR_SIZE];
    char last[MAIL_ANSWER_MAX];     /* the last reply line of the server */
    char last_err[MAIL_ANSWER_MAX]; /* its last 4xx or 5xx reply line (a QUIT's 221 follows it) */
};

/* One message being read by libcurl. */
struct upload {
    const char *data;
    size_t len, off;
    mail_before_end before_end;
    void *arg;
    bool ended;   /* before_end ran */
    bool aborted; /* before_end said no */
};

enum pm_err mail_tls_parse(const char *s, enum mail_tls *out)
{
    if (!s)
        return PM_ERR_INVALID;
    if (!strcmp(s, "try"))
        *out = MAIL_TLS_TRY;
    else if (!strcmp(s, "require"))
        *out = MAIL_TLS_REQUIRE;
    else if (!strcmp(s, "none"))
        *out = MAIL_TLS_NONE;
    else
        return PM_ERR_INVALID;
    return PM_OK;
}

const char *mail_tls_name(enum mail_tls t)
{
    return t == MAIL_TLS_REQUIRE ? "require" : t == MAIL_TLS_NONE ? "none" : "try";
}

static char *dup_or_null(const char *s)
{
    return s && *s ? strdup(s) : NULL;
}

void mail_smtp_free(struct mail_smtp **sp)
{
    struct mail_smtp *s;

    if (!sp || !*sp)
        return;
    s = *sp;
    if (s->easy)
        curl_easy_cleanup(s->easy);
    free(s->url);
    free(s->user);
    if (s->password) {
        memset(s->password, 0, strlen(s->password));
        free(s->password);
    }
    free(s);
    *sp = NULL;
}

/* The server's replies: keep the last line (of a multi-line reply, the
 * last one, which carries the code followed by a blank). */
static int on_debug(CURL *h, curl_infotype type, char *data, size_t size, void *arg)
{
    struct mail_smtp *s = arg;
    size_t n = size;

    (void)h;
    if (type != CURLINFO_HEADER_IN)
        return 0;
    while (n > 0 && (data[n - 1] == '\n' || data[n - 1] == '\r'))
        n--;
    if (n >= sizeof(s->last))
        n = sizeof(s->last) - 1;
    memcpy(s->last, data, n);
    s->last[n] = '\0';
    if (n > 0 && (data[0] == '4' || data[0] == '5'))
        memcpy(s->last_err, s->last, n + 1);
    return 0;
}

static size_t on_read(char *dst, size_t size, size_t nmemb, void *arg)
{
    struct upload *u = arg;
    size_t room = size * nmemb, n = u->len - u->off;

    if (n == 0) {
        if (!u->ended && u->before_end) {
            u->ended = true;
            if (!u->before_end(u->arg)) {
                u->aborted = true;
                return CURL_READFUNC_ABORT;
            }
        }
        u->ended = true;
        return 0;
    }
    if (n > room)
        n = room;
    memcpy(dst, u->data + u->off, n);
    u->off += n;
    return n;
}

struct mail_smtp *mail_smtp_new(const struct mail_smtp_config *cfg, struct pm_error *e)
{
    struct mail_smtp *s = calloc(1, sizeof(*s));
    static const long use_ssl[] = {
        [MAIL_TLS_TRY] = CURLUSESSL_TRY,
        [MAIL_TLS_REQUIRE] = CURLUSESSL_ALL,
        [MAIL_TLS_NONE] = CURLUSESSL_NONE,
    };

    if (!s) {
        pm_error_set(e, PM_ERR_NOMEM, "", "out of memory");
        return NULL;
    }
    s->cfg = *cfg;
    s->url = dup_or_null(cfg->url);
    s->user = dup_or_null(cfg->user);
    s->password = dup_or_null(cfg->password);
    s->easy = curl_easy_init();
    if (!s->url || !s->easy || (cfg->user && *cfg->user && !s->user)) {
        pm_error_set(e, PM_ERR_NOMEM, "", "cannot set up libcurl for SMTP");
        mail_smtp_free(&s);
        return NULL;
    }
    curl_easy_setopt(s->easy, CURLOPT_URL, s->url);
    curl_easy_setopt(s->easy, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(s->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(s->easy, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(s->easy, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(s->easy, CURLOPT_ERRORBUFFER, s->errbuf);
    curl_easy_setopt(s->easy, CURLOPT_VERBOSE, 1L);
    curl_easy_setopt(s->easy, CURLOPT_DEBUGFUNCTION, on_debug);
    curl_easy_setopt(s->easy, CURLOPT_DEBUGDATA, s);
    curl_easy_setopt(s->easy, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(s->easy, CURLOPT_CONNECTTIMEOUT_MS,
                     cfg->connect_timeout_ms > 0 ? cfg->connect_timeout_ms : DEFAULT_CONNECT_MS);
    curl_easy_setopt(s->easy, CURLOPT_TIMEOUT_MS,
                     cfg->timeout_ms > 0 ? cfg->timeout_ms : DEFAULT_TIMEOUT_MS);
    curl_easy_setopt(s->easy, CURLOPT_USE_SSL, use_ssl[cfg->tls]);
    if (cfg->insecure) {
        curl_easy_setopt(s->easy, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(s->easy, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (s->user) {
        curl_easy_setopt(s->easy, CURLOPT_USERNAME, s->user);
        curl_easy_setopt(s->easy, CURLOPT_PASSWORD, s->password ? s->password : "");
    }
    return s;
}

/* A failure of the sender's own setup (authentication, TLS required but
 * not offered) is retried: it is no answer about the message. */
static bool setup_failure(CURLcode res)
{
    return res == CURLE_LOGIN_DENIED || res == CURLE_USE_SSL_FAILED ||
           res == CURLE_SSL_CONNECT_ERROR || res == CURLE_PEER_FAILED_VERIFICATION;
}

static enum mail_outcome send_once(struct mail_smtp *s, struct upload *u, struct curl_slist *rcpt,
                                   const char *from, char *answer, size_t cap, int *code,
                                   bool *nothing_said)
{
    char envelope[MAIL_ADDRESS_MAX + 2];
    long reply = 0;
    CURLcode res;

    snprintf(envelope, sizeof(envelope), "<%s>", from);
    s->errbuf[0] = '\0';
    s->last[0] = '\0';
    s->last_err[0] = '\0';
    curl_easy_setopt(s->easy, CURLOPT_MAIL_FROM, envelope);
    curl_easy_setopt(s->easy, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(s->easy, CURLOPT_READDATA, u);
    res = curl_easy_perform(s->easy);
    curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &reply);
    *code = (int)reply;
    *nothing_said = res != CURLE_OK && reply == 0;
    if (res == CURLE_OK) {
        snprintf(answer, cap, "%s", s->last[0] ? s->last : "250");
        return MAIL_SENT;
    }
    if (s->last_err[0] && reply >= 400)
        snprintf(answer, cap, "%s", s->last_err);
    else
        snprintf(answer, cap, "%s", s->errbuf[0] ? s->errbuf : curl_easy_strerror(res));
    if (reply >= 500 && reply < 600 && !setup_failure(res) && !u->aborted)
        return MAIL_REFUSED;
    return MAIL_RETRY;
}

enum mail_outcome mail_smtp_send(struct mail_smtp *s, const char *from, const char *to,
                                 const char *data, size_t len, mail_before_end before_end,
                                 void *arg, char *answer, size_t cap, int *code)
{
    struct upload u = {data, len, 0, before_end, arg, false, false};
    struct curl_slist *rcpt = NULL;
    char rcpt_addr[MAIL_ADDRESS_MAX + 2];
    enum mail_outcome out;
    bool nothing_said = false;
    int reply = 0;

    snprintf(rcpt_addr, sizeof(rcpt_addr), "<%s>", to);
    rcpt = curl_slist_append(NULL, rcpt_addr);
    if (!rcpt) {
        snprintf(answer, cap, "out of memory");
        if (code)
            *code = 0;
        return MAIL_RETRY;
    }
    out = send_once(s, &u, rcpt, from, answer, cap, &reply, &nothing_said);
    /* A kept connection the server had closed meanwhile: once more on a
     * new one, when nothing of the message went out. */
    if (out == MAIL_RETRY && nothing_said && !u.ended && u.off == 0)
        out = send_once(s, &u, rcpt, from, answer, cap, &reply, &nothing_said);
    curl_slist_free_all(rcpt);
    if (code)
        *code = reply;
    return out;
}
