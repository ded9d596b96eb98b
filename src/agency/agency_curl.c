/*
 * agency_curl.c — the real transport of the agency client: libcurl's multi
 * interface (struct agency_ops agency_curl_ops).
 *
 * One struct agency_conn is one curl multi handle owned by one thread; its
 * connection cache keeps connections to the agency alive between calls
 * (at most max_parallel per host), so the dispatcher's steady stream of
 * requests costs no TCP handshakes.  Each call gets its own easy handle;
 * answers are read into the call's buffer up to AGENCY_RESPONSE_MAX.
 * Transport failures are told apart because the dispatcher treats them
 * differently: nothing sent (connect), maybe processed (timeout, lost).
 *
 * Note: libcurl itself re-sends a request once when a reused keep-alive
 * connection turns out to be closed before any answer byte; for a POST the
 * agency may then see it twice.  The registration is safe against that (the
 * agency answers 409 with the existing case, which the dispatcher takes as
 * registered); see docs/agency.md.
 */
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agency/agency.h"

struct easy_state;

struct agency_conn {
    CURLM *multi;
    char *base; /* base URL */
    int in_flight;
    struct easy_state *running; /* calls started and not yet harvested */
};

struct easy_state {
    struct easy_state *prev, *next;
    struct agency_call *call;
    CURL *easy;
    struct curl_slist *headers;
    curl_mime *mime;
    char *url;
    char errbuf[CURL_ERROR_SIZE];
};

void agency_call_reset(struct agency_call *c)
{
    struct buf keep = c->response;

    buf_reset(&keep);
    memset(c, 0, sizeof(*c));
    c->response = keep;
}

void agency_call_release(struct agency_call *c)
{
    buf_release(&c->response);
}

static struct agency_conn *conn_new(const char *base_url, int max_parallel)
{
    struct agency_conn *c = calloc(1, sizeof(*c));

    if (!c)
        return NULL;
    c->multi = curl_multi_init();
    c->base = strdup(base_url);
    if (!c->multi || !c->base) {
        if (c->multi)
            curl_multi_cleanup(c->multi);
        free(c->base);
        free(c);
        return NULL;
    }
    if (max_parallel < 1)
        max_parallel = 1;
    curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)max_parallel);
    curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS, (long)max_parallel + 2);
    return c;
}

static void easy_free(struct easy_state *es)
{
    if (!es)
        return;
    if (es->easy)
        curl_easy_cleanup(es->easy);
    curl_slist_free_all(es->headers);
    if (es->mime)
        curl_mime_free(es->mime);
    free(es->url);
    free(es);
}

static void unlink_state(struct agency_conn *c, struct easy_state *es)
{
    if (es->prev)
        es->prev->next = es->next;
    else
        c->running = es->next;
    if (es->next)
        es->next->prev = es->prev;
    es->prev = es->next = NULL;
}

static void conn_free(struct agency_conn **cp)
{
    struct agency_conn *c;
    struct easy_state *es;

    if (!cp || !*cp)
        return;
    c = *cp;
    /* Abandon calls still running (their owners stopped waiting). */
    while (c->running) {
        es = c->running;
        unlink_state(c, es);
        curl_multi_remove_handle(c->multi, es->easy);
        es->call->impl = NULL;
        easy_free(es);
    }
    curl_multi_cleanup(c->multi);
    free(c->base);
    free(c);
    *cp = NULL;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *user)
{
    struct agency_call *call = user;
    size_t n = size * nmemb;

    if (call->response.len + n > AGENCY_RESPONSE_MAX || buf_add(&call->response, data, n))
        return 0; /* too large: abort the transfer */
    return n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *user)
{
    struct agency_call *call = user;
    size_t n = size * nmemb, k = strlen("retry-after:");

    if (n > k && strncasecmp(data, "retry-after:", k) == 0) {
        size_t len = n - k;
        const char *v = data + k;

        while (len > 0 && (*v == ' ' || *v == '\t')) {
            v++;
            len--;
        }
        while (len > 0 && (v[len - 1] == '\r' || v[len - 1] == '\n' || v[len - 1] == ' '))
            len--;
        if (len >= sizeof(call->retry_after))
            len = sizeof(call->retry_after) - 1;
        memcpy(call->retry_after, v, len);
        call->retry_after[len] = '\0';
    }
    return n;
}

static enum pm_err setup(struct agency_conn *c, struct agency_call *call, struct easy_state *es)
{
    char header[AGENCY_TOKEN_MAX + 32];
    size_t n = strlen(c->base) + strlen(call->path) + 1;
    long timeout = call->timeout_ms > 0 ? call->timeout_ms : 10000;
    curl_mimepart *part;
    size_t i;

    es->url = malloc(n);
    if (!es->url)
        return PM_ERR_NOMEM;
    snprintf(es->url, n, "%s%s", c->base, call->path);
    es->easy = curl_easy_init();
    if (!es->easy)
        return PM_ERR_NOMEM;
    curl_easy_setopt(es->easy, CURLOPT_URL, es->url);
    curl_easy_setopt(es->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(es->easy, CURLOPT_TIMEOUT_MS, timeout);
    curl_easy_setopt(es->easy, CURLOPT_CONNECTTIMEOUT_MS, timeout < 5000 ? timeout : 5000L);
    curl_easy_setopt(es->easy, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(es->easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(es->easy, CURLOPT_WRITEDATA, call);
    curl_easy_setopt(es->easy, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(es->easy, CURLOPT_HEADERDATA, call);
    curl_easy_setopt(es->easy, CURLOPT_ERRORBUFFER, es->errbuf);
    curl_easy_setopt(es->easy, CURLOPT_PRIVATE, (char *)call);
    curl_easy_setopt(es->easy, CURLOPT_USERAGENT, "paminn/0.1 (+agency client)");
    curl_easy_setopt(es->easy, CURLOPT_PROTOCOLS_STR, "http,https");
    es->headers = curl_slist_append(es->headers, "Accept: application/json");
    es->headers = curl_slist_append(es->headers, "Expect:");
    if (call->api_key[0]) {
        snprintf(header, sizeof(header), "X-API-Key: %s", call->api_key);
        es->headers = curl_slist_append(es->headers, header);
    }
    if (call->file) {
        es->mime = curl_mime_init(es->easy);
        if (!es->mime)
            return PM_ERR_NOMEM;
        for (i = 0; call->form && call->form[i].name; i++) {
            part = curl_mime_addpart(es->mime);
            curl_mime_name(part, call->form[i].name);
            curl_mime_data(part, call->form[i].value, CURL_ZERO_TERMINATED);
        }
        part = curl_mime_addpart(es->mime);
        curl_mime_name(part, "file");
        curl_mime_filename(part, call->file_name ? call->file_name : "file");
        curl_mime_type(part, call->file_type ? call->file_type : "application/octet-stream");
        curl_mime_data(part, (const char *)call->file, call->file_len);
        curl_easy_setopt(es->easy, CURLOPT_MIMEPOST, es->mime);
    } else if (call->body) {
        es->headers = curl_slist_append(es->headers, "Content-Type: application/json");
        curl_easy_setopt(es->easy, CURLOPT_POSTFIELDSIZE, (long)call->body_len);
        curl_easy_setopt(es->easy, CURLOPT_POSTFIELDS, call->body);
    }
    if (!es->headers)
        return PM_ERR_NOMEM;
    curl_easy_setopt(es->easy, CURLOPT_HTTPHEADER, es->headers);
    if (strcmp(call->method, "GET") != 0 && !call->body && !call->file) {
        curl_easy_setopt(es->easy, CURLOPT_CUSTOMREQUEST, call->method);
        curl_easy_setopt(es->easy, CURLOPT_POSTFIELDSIZE, 0L);
        curl_easy_setopt(es->easy, CURLOPT_POSTFIELDS, "");
    }
    return PM_OK;
}

static enum pm_err start(struct agency_conn *c, struct agency_call *call)
{
    struct easy_state *es = calloc(1, sizeof(*es));
    enum pm_err rc;

    if (!es)
        return PM_ERR_NOMEM;
    buf_reset(&call->response);
    call->outcome = AGENCY_T_NONE;
    call->status = 0;
    call->retry_after[0] = '\0';
    call->error[0] = '\0';
    rc = setup(c, call, es);
    if (!rc && curl_multi_add_handle(c->multi, es->easy) != CURLM_OK)
        rc = PM_ERR_INTERNAL;
    if (rc) {
        easy_free(es);
        return rc;
    }
    call->impl = es;
    es->call = call;
    es->next = c->running;
    if (c->running)
        c->running->prev = es;
    c->running = es;
    c->in_flight++;
    return PM_OK;
}

static enum agency_transport classify(CURLcode code)
{
    switch (code) {
    case CURLE_OK:
        return AGENCY_T_ANSWERED;
    case CURLE_OPERATION_TIMEDOUT:
        return AGENCY_T_TIMEOUT;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return AGENCY_T_CONNECT;
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
        return AGENCY_T_LOST;
    default:
        return AGENCY_T_FAILED;
    }
}

/* One finished transfer, if any. */
static struct agency_call *harvest(struct agency_conn *c)
{
    struct agency_call *call = NULL;
    struct easy_state *es;
    CURLMsg *msg;
    int left = 0;
    long status = 0;

    for (;;) {
        msg = curl_multi_info_read(c->multi, &left);
        if (!msg)
            return NULL;
        if (msg->msg == CURLMSG_DONE)
            break;
    }
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&call);
    es = call->impl;
    call->outcome = classify(msg->data.result);
    if (call->outcome == AGENCY_T_ANSWERED) {
        curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
        call->status = (int)status;
    } else {
        snprintf(call->error, sizeof(call->error), "%s%s%s", curl_easy_strerror(msg->data.result),
                 es->errbuf[0] ? ": " : "", es->errbuf);
    }
    curl_multi_remove_handle(c->multi, msg->easy_handle);
    unlink_state(c, es);
    easy_free(es);
    call->impl = NULL;
    c->in_flight--;
    return call;
}

static enum pm_err next(struct agency_conn *c, int timeout_ms, struct agency_call **done)
{
    int running = 0, waited = 0, step;

    *done = NULL;
    for (;;) {
        if (curl_multi_perform(c->multi, &running) != CURLM_OK)
            return PM_ERR_INTERNAL;
        *done = harvest(c);
        if (*done || waited >= timeout_ms || c->in_flight == 0)
            return PM_OK;
        step = timeout_ms - waited < 50 ? timeout_ms - waited : 50;
        if (curl_multi_poll(c->multi, NULL, 0, step, NULL) != CURLM_OK)
            return PM_ERR_INTERNAL;
        waited += step;
    }
}

static int in_flight(const struct agency_conn *c)
{
    return c->in_flight;
}

const struct agency_ops agency_curl_ops = {
    .name = "curl",
    .conn_new = conn_new,
    .conn_free = conn_free,
    .start = start,
    .next = next,
    .in_flight = in_flight,
};
