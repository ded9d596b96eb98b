/*
 * main.c — amili-sandbox: command line, start-up and graceful shutdown.
 *
 *   amili-sandbox --db PATH [--listen 127.0.0.1:PORT] [--data-dir DIR] [--now TIME]
 *
 * Opens (or creates) the sandbox's own SQLite file, restores its clock,
 * loads the reference rates from DIR/reference-rates.csv, catches the
 * case process up to the sandbox date, listens (port 0 = a free port) and
 * prints "amili-sandbox: listening on http://HOST:PORT" once ready.
 * SIGTERM or SIGINT stop it with exit status 0.  See docs/amili-sandbox.md.
 */
#include "sandbox.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

#include "util/secret.h"

#define RATES_MAX_BYTES (1u << 20)
#define NO_OFFSET       INT64_MIN

struct options {
    const char *db;
    char host[64];
    unsigned port;
    const char *data_dir;
    const char *now;
};

static void usage(FILE *to)
{
    fprintf(to, "usage: amili-sandbox --db PATH [--listen 127.0.0.1:PORT] [--data-dir DIR]"
                " [--now YYYY-MM-DD|YYYY-MM-DDTHH:MM:SSZ]\n");
}

static enum pm_err parse_listen(const char *s, struct options *o)
{
    const char *colon = strrchr(s, ':');
    char *end = NULL;
    long port;

    if (!colon || colon == s || (size_t)(colon - s) >= sizeof(o->host))
        return PM_ERR_INVALID;
    errno = 0;
    port = strtol(colon + 1, &end, 10);
    if (errno || !*(colon + 1) || *end || port < 0 || port > 65535)
        return PM_ERR_INVALID;
    memcpy(o->host, s, (size_t)(colon - s));
    o->host[colon - s] = '\0';
    o->port = (unsigned)port;
    return PM_OK;
}

static enum pm_err parse_args(int argc, char **argv, struct options *o)
{
    memset(o, 0, sizeof(*o));
    snprintf(o->host, sizeof(o->host), "127.0.0.1");
    o->port = 8090;
    o->data_dir = "./data";
    for (int i = 1; i < argc; i += 2) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;

        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            exit(0);
        }
        if (!v)
            return PM_ERR_INVALID;
        if (strcmp(a, "--db") == 0) {
            o->db = v;
        } else if (strcmp(a, "--listen") == 0) {
            if (parse_listen(v, o))
                return PM_ERR_INVALID;
        } else if (strcmp(a, "--data-dir") == 0) {
            o->data_dir = v;
        } else if (strcmp(a, "--now") == 0) {
            o->now = v;
        } else {
            return PM_ERR_INVALID;
        }
    }
    return o->db ? PM_OK : PM_ERR_INVALID;
}

static enum pm_err load_rates(struct sb_ctx *ctx, const char *dir)
{
    struct buf path = BUF_INIT, text = BUF_INIT;
    struct pm_error e;
    enum pm_err rc = buf_addf(&path, "%s/reference-rates.csv", dir);

    if (rc)
        goto out;
    rc = buf_read_file(&text, path.data, RATES_MAX_BYTES);
    if (rc) {
        fprintf(stderr, "amili-sandbox: cannot read %s\n", path.data);
        goto out;
    }
    pm_error_clear(&e);
    rc = rate_table_parse(text.data, text.len, &ctx->rates, &e);
    if (rc)
        fprintf(stderr, "amili-sandbox: %s: %s\n", path.data, e.message);
out:
    buf_release(&text);
    buf_release(&path);
    return rc;
}

/* Restore the stored clock, or start it at --now (or real time). */
static enum pm_err restore_state(struct sb_ctx *ctx, const char *now)
{
    struct clock fixed;
    int64_t stored = 0;
    enum pm_err rc;

    ctx->initial_offset_us = 0;
    if (now) {
        if (clock_parse_fixed(now, &fixed)) {
            fprintf(stderr, "amili-sandbox: --now wants YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ\n");
            return PM_ERR_INVALID;
        }
        ctx->initial_offset_us = fixed.fixed_us - clock_now_us(NULL);
    }
    rc = sb_store_begin(ctx);
    if (rc)
        return rc;
    rc = sb_store_meta_get(ctx, "clock_offset_us", NO_OFFSET, &stored);
    if (!rc && stored == NO_OFFSET) {
        stored = ctx->initial_offset_us;
        rc = sb_store_meta_set(ctx, "clock_offset_us", stored);
    }
    ctx->clock.offset_us = stored;
    if (!rc)
        rc = sb_cases_catch_up(ctx);
    if (!rc)
        rc = sb_store_commit(ctx);
    if (rc)
        sb_store_rollback(ctx);
    return rc;
}

int main(int argc, char **argv)
{
    struct options o;
    struct sb_ctx ctx;
    struct sb_http *http = NULL;
    sigset_t stop;
    unsigned port = 0;
    int sig = 0, status = 1;

    if (parse_args(argc, argv, &o)) {
        usage(stderr);
        return 2;
    }
    memset(&ctx, 0, sizeof(ctx));
    atomic_init(&ctx.stopping, false);
    if (secret_init() || pthread_mutex_init(&ctx.lock, NULL))
        return 1;
    if (load_rates(&ctx, o.data_dir))
        goto out_mutex;
    if (sb_store_open(&ctx, o.db))
        goto out_rates;
    if (restore_state(&ctx, o.now))
        goto out_store;
    /* Block the stop signals before any thread exists, so that every
     * thread inherits the mask and sigwait() below receives them. */
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (sb_http_start(&ctx, o.host, o.port, &http, &port)) {
        fprintf(stderr, "amili-sandbox: cannot listen on %s:%u\n", o.host, o.port);
        goto out_store;
    }
    snprintf(ctx.public_url, sizeof(ctx.public_url), "http://%s:%u", o.host, port);
    printf("amili-sandbox: listening on %s\n", ctx.public_url);
    fflush(stdout);
    sigwait(&stop, &sig);
    atomic_store(&ctx.stopping, true);
    sb_http_stop(&http);
    status = 0;
out_store:
    sb_store_close(&ctx);
out_rates:
    rate_table_release(&ctx.rates);
out_mutex:
    pthread_mutex_destroy(&ctx.lock);
    return status;
}
