/*
 * webhook.c — the signature and POST of one webhook (see webhook.h).
 */
#include "webhook/webhook.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct webhook_client {
    CURL *easy;
    long timeout_ms;
};

void webhook_sign(const char *secret, int64_t timestamp, const char *body, size_t len,
                  char dst[WEBHOOK_SIGNATURE_MAX])
{
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    char ts[24];

    snprintf(ts, sizeof(ts), "%lld.", (long long)timestamp);
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, strlen(ts));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
    crypto_auth_hmacsha256_final(&st, mac);
    memcpy(dst, "v1=", 3);
    sodium_bin2hex(dst + 3, WEBHOOK_SIGNATURE_MAX - 3, mac, sizeof(mac));
    sodium_memzero(&st, sizeof(st));
}

struct webhook_client *webhook_client_new(long timeout_ms)
{
    struct webhook_client *c = calloc(1, sizeof(*c));

    if (!c)
        return NULL;
    c->easy = curl_easy_init();
    if (!c->easy) {
        free(c);
        return NULL;
    }
    c->timeout_ms = timeout_ms > 0 ? timeout_ms : 10000;
    return c;
}

void webhook_client_free(struct webhook_client **c)
{
    if (!*c)
        return;
    curl_easy_cleanup((*c)->easy);
    free(*c);
    *c = NULL;
}

struct answer {
    char *dst;
    size_t n;
};

/* Keep the first WEBHOOK_ANSWER_MAX - 1 bytes, printable only. */
static size_t on_data(char *ptr, size_t size, size_t nmemb, void *arg)
{
    struct answer *a = arg;
    size_t len = size * nmemb, i;

    for (i = 0; i < len && a->n < WEBHOOK_ANSWER_MAX - 1; i++) {
        unsigned char ch = (unsigned char)ptr[i];

        a->dst[a->n++] = ch >= 0x20 && ch < 0x7f ? (char)ch : ' ';
    }
    a->dst[a->n] = '\0';
    return len;
}

static struct curl_slist *headers_of(const struct webhook_request *r)
{
    char line[160], sig[WEBHOOK_SIGNATURE_MAX];
    struct curl_slist *h = NULL, *next;

    webhook_sign(r->secret, r->timestamp, r->body, r->len, sig);
    next = curl_slist_append(h, "Content-Type: application/json");
    if (next)
        h = next;
    snprintf(line, sizeof(line), "Paminn-Webhook-Id: %s", r->event_id);
    if (next && (next = curl_slist_append(h, line)) != NULL)
        h = next;
    snprintf(line, sizeof(line), "Paminn-Webhook-Timestamp: %lld", (long long)r->timestamp);
    if (next && (next = curl_slist_append(h, line)) != NULL)
        h = next;
    snprintf(line, sizeof(line), "Paminn-Webhook-Signature: %s", sig);
    if (next && (next = curl_slist_append(h, line)) != NULL)
        h = next;
    if (next && (next = curl_slist_append(h, "Expect:")) != NULL)
        h = next;
    if (!next) {
        curl_slist_free_all(h);
        return NULL;
    }
    return h;
}

enum pm_err webhook_post(struct webhook_client *c, const struct webhook_request *r, long *status,
                         char answer[WEBHOOK_ANSWER_MAX])
{
    struct answer a = {answer, 0};
    struct curl_slist *h = headers_of(r);
    char errbuf[CURL_ERROR_SIZE] = "";
    CURLcode rc;
    CURL *e = c->easy;

    *status = 0;
    answer[0] = '\0';
    if (!h)
        return PM_ERR_NOMEM;
    curl_easy_reset(e);
    curl_easy_setopt(e, CURLOPT_URL, r->url);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->len);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "Paminn-Webhooks/1");
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &a);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, c->timeout_ms);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, c->timeout_ms);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    rc = curl_easy_perform(e);
    if (rc == CURLE_OK) {
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, status);
    } else {
        a.n = 0;
        on_data(errbuf[0] ? errbuf : (char *)curl_easy_strerror(rc),
                strlen(errbuf[0] ? errbuf : curl_easy_strerror(rc)), 1, &a);
    }
    curl_slist_free_all(h);
    return PM_OK;
}
