/*
 * agency_curl_test.c — unit tests for src/agency/agency_curl.c, the libcurl
 * transport of the agency client, against a real TCP server in a thread
 * of this test that answers each connection with bytes of the test's
 * choosing (what amili-sandbox cannot be made to send: a Retry-After
 * padded with blanks or too long to keep, an answer larger than the client
 * reads, a connection closed without an answer, no answer at all).
 *
 * What the client relies on: each exchange ends as exactly one outcome —
 * answered (with the status and Retry-After), lost, could not connect,
 * timed out, failed — and the request went out as built: the method, an
 * empty body for a POST without one, a multipart upload with its fields
 * and the default file name and type, the API key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agency/agency.h"

/* ---- the server: one connection, one scripted answer ---- */

enum how { ANSWER, CLOSE, SILENT, HUGE };

static struct {
    int listen_fd, port;
    pthread_t thread;
    enum how how;
    const char *answer;
    char request[16384]; /* what the client sent */
    size_t request_len;
} srv;

/* needle in hay, ASCII case ignored. */
static const char *find_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);

    for (; *hay; hay++)
        if (!strncasecmp(hay, needle, n))
            return hay;
    return NULL;
}

/* Read the request: its head and Content-Length bytes of body (or until
 * the client stops sending for a moment, for a chunked upload). */
static void read_request(int fd)
{
    const char *end, *cl;
    size_t want = 0;
    struct pollfd p = {fd, POLLIN, 0};
    ssize_t got;

    srv.request_len = 0;
    for (;;) {
        if (poll(&p, 1, 2000) <= 0)
            return;
        got = read(fd, srv.request + srv.request_len, sizeof(srv.request) - 1 - srv.request_len);
        if (got <= 0)
            return;
        srv.request_len += (size_t)got;
        srv.request[srv.request_len] = '\0';
        end = strstr(srv.request, "\r\n\r\n");
        if (!end)
            continue;
        cl = find_ci(srv.request, "\r\nContent-Length:");
        want = (size_t)(end + 4 - srv.request) + (cl && cl < end ? strtoul(cl + 17, NULL, 10) : 0);
        if (srv.request_len >= want)
            return;
    }
}

static void *serve_one(void *arg)
{
    int fd = accept(srv.listen_fd, NULL, NULL);
    char chunk[65536], head[128], junk[256];

    (void)arg;
    if (fd < 0)
        return NULL;
    read_request(fd);
    switch (srv.how) {
    case ANSWER:
        if (write(fd, srv.answer, strlen(srv.answer)) < 0)
            break;
        break;
    case HUGE: {
        size_t sent = 0, total = AGENCY_RESPONSE_MAX + sizeof(chunk);

        snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", total);
        if (write(fd, head, strlen(head)) < 0)
            break;
        memset(chunk, 'x', sizeof(chunk));
        while (sent < total && write(fd, chunk, sizeof(chunk)) > 0)
            sent += sizeof(chunk);
        break;
    }
    case SILENT: /* never answer: wait until the client gives up */
        while (read(fd, junk, sizeof(junk)) > 0)
            ;
        break;
    case CLOSE:
        break;
    }
    close(fd);
    return NULL;
}

static void serve(enum how how, const char *answer)
{
    srv.how = how;
    srv.answer = answer;
    assert_int_equal(pthread_create(&srv.thread, NULL, serve_one, NULL), 0);
}

static int setup(void **state)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int one = 1;

    (void)state;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    srv.listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (srv.listen_fd < 0)
        return -1;
    setsockopt(srv.listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(srv.listen_fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        listen(srv.listen_fd, 4) != 0 ||
        getsockname(srv.listen_fd, (struct sockaddr *)&a, &len) != 0)
        return -1;
    srv.port = ntohs(a.sin_port);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    close(srv.listen_fd);
    return 0;
}

/* Run one call to the server (or to base_url) and wait for its end. */
static void run(const char *base_url, struct agency_call *call)
{
    char base[64];
    struct agency_conn *c;
    struct agency_call *done = NULL;
    int rounds = 0;

    if (!base_url) {
        snprintf(base, sizeof(base), "http://127.0.0.1:%d", srv.port);
        base_url = base;
    }
    c = agency_curl_ops.conn_new(base_url, 2);
    assert_non_null(c);
    assert_int_equal(agency_curl_ops.start(c, call), PM_OK);
    assert_int_equal(agency_curl_ops.in_flight(c), 1);
    while (!done) {
        assert_int_equal(agency_curl_ops.next(c, 200, &done), PM_OK);
        assert_true(++rounds < 600); /* two minutes: far beyond any call here */
    }
    assert_ptr_equal(done, call);
    assert_int_equal(agency_curl_ops.in_flight(c), 0);
    agency_curl_ops.conn_free(&c);
    assert_null(c);
}

static void get(struct agency_call *call, const char *path, long timeout_ms)
{
    memset(call, 0, sizeof(*call));
    call->method = "GET";
    snprintf(call->path, sizeof(call->path), "%s", path);
    call->timeout_ms = timeout_ms;
}

static void test_answered_with_retry_after(void **state)
{
    struct agency_call call;

    (void)state;
    serve(ANSWER, "HTTP/1.1 503 Service Unavailable\r\nRetry-After: \t 7  \r\n"
                  "Content-Length: 2\r\n\r\n{}");
    get(&call, "/cases?x=1", 10000);
    snprintf(call.api_key, sizeof(call.api_key), "tok-1");
    run(NULL, &call);
    pthread_join(srv.thread, NULL);
    assert_int_equal(call.outcome, AGENCY_T_ANSWERED);
    assert_int_equal(call.status, 503);
    assert_string_equal(call.retry_after, "7");
    assert_int_equal(call.response.len, 2);
    assert_non_null(strstr(srv.request, "GET /cases?x=1 HTTP/1.1\r\n"));
    assert_non_null(strstr(srv.request, "\r\nX-API-Key: tok-1\r\n"));
    agency_call_release(&call);
}

static void test_retry_after_too_long_is_cut(void **state)
{
    static char answer[1024];
    struct agency_call call;
    char value[400];

    (void)state;
    memset(value, '9', sizeof(value) - 1);
    value[sizeof(value) - 1] = '\0';
    snprintf(answer, sizeof(answer),
             "HTTP/1.1 429 Too Many Requests\r\nRetry-After: %s\r\nContent-Length: 0\r\n\r\n",
             value);
    serve(ANSWER, answer);
    get(&call, "/x", 10000);
    run(NULL, &call);
    pthread_join(srv.thread, NULL);
    assert_int_equal(call.status, 429);
    assert_int_equal(strlen(call.retry_after), sizeof(call.retry_after) - 1);
    agency_call_release(&call);
}

static void test_lost_refused_timed_out_too_large(void **state)
{
    struct agency_call call;
    char base[64];

    (void)state;
    /* Closed without an answer. */
    serve(CLOSE, NULL);
    get(&call, "/x", 10000);
    run(NULL, &call);
    pthread_join(srv.thread, NULL);
    assert_int_equal(call.outcome, AGENCY_T_LOST);
    assert_true(call.error[0] != '\0');
    agency_call_release(&call);

    /* No answer within the call's time. */
    serve(SILENT, NULL);
    get(&call, "/x", 300);
    run(NULL, &call);
    pthread_join(srv.thread, NULL);
    assert_int_equal(call.outcome, AGENCY_T_TIMEOUT);
    agency_call_release(&call);

    /* An answer larger than the client reads: failed, not kept. */
    serve(HUGE, NULL);
    get(&call, "/x", 60000);
    run(NULL, &call);
    pthread_join(srv.thread, NULL);
    assert_int_equal(call.outcome, AGENCY_T_FAILED);
    assert_true(call.response.len <= AGENCY_RESPONSE_MAX);
    agency_call_release(&call);

    /* Nobody listening: could not connect (nothing was sent). */
    close(srv.listen_fd);
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", srv.port);
    get(&call, "/x", 10000);
    run(base, &call);
    assert_int_equal(call.outcome, AGENCY_T_CONNECT);
    agency_call_release(&call);
    /* teardown closes it again: give it a socket to close */
    srv.listen_fd = socket(AF_INET, SOCK_STREAM, 0);
}

static void test_requests_as_built(void **state)
{
    static const unsigned char pdf[] = "%PDF-1.4 test";
    static const struct agency_form_field form[] = {{"case", "case-1"}, {NULL, NULL}};
    struct agency_call call;

    (void)state;
    /* A POST of no body: an empty one, the method as given. */
    serve(ANSWER, "HTTP/1.1 204 No Content\r\n\r\n");
    get(&call, "/creditor--cancellations", 10000);
    call.method = "POST";
    run(NULL, &call);
    pthread_join(srv.thread, NULL);
    assert_int_equal(call.status, 204);
    assert_non_null(strstr(srv.request, "POST /creditor--cancellations HTTP/1.1\r\n"));
    assert_non_null(find_ci(srv.request, "\r\nContent-Length: 0\r\n"));
    agency_call_release(&call);

    /* An upload: its fields, the file with the default name and type. */
    serve(ANSWER, "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}");
    get(&call, "/media--upload/case-1", 10000);
    call.method = "POST";
    call.file = pdf;
    call.file_len = sizeof(pdf) - 1;
    call.form = form;
    run(NULL, &call);
    pthread_join(srv.thread, NULL);
    assert_int_equal(call.status, 201);
    assert_non_null(
        strstr(srv.request, "Content-Disposition: form-data; name=\"case\"\r\n\r\ncase-1"));
    assert_non_null(strstr(srv.request, "name=\"file\"; filename=\"file\""));
    assert_non_null(
        strstr(srv.request, "Content-Type: application/octet-stream\r\n\r\n%PDF-1.4 test"));
    agency_call_release(&call);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_answered_with_retry_after, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retry_after_too_long_is_cut, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lost_refused_timed_out_too_large, setup, teardown),
        cmocka_unit_test_setup_teardown(test_requests_as_built, setup, teardown),
    };

    /* The server writes on after the client has given up on a large answer. */
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
