/*
 * serve_mail.c — the e-mail part of `paminn serve`: its options and the
 * mail dispatcher thread.
 *
 *   --smtp-url URL             smtp://host:port (STARTTLS per --smtp-tls) or
 *                              smtps://host:port; without it no mail is sent
 *                              (mails are still queued)
 *   --smtp-user USER           AUTH user (with --smtp-password-file)
 *   --smtp-password-file FILE  the password, the file's first line
 *   --smtp-from ADDRESS        the sender (envelope and From); required
 *   --smtp-tls try|require|none  STARTTLS (default try)
 *   --smtp-insecure            do not verify the server's certificate
 *   --smtp-retry-seconds N     first retry after a 4xx (default 60, doubled)
 *   --smtp-max-attempts N      failed after this many tries (default 8)
 *   --smtp-lease-seconds N     a batch's lease (default 120)
 *   --smtp-timeout SECONDS     one message (default 60)
 *   --smtp-connections N       dispatcher threads, each with its own SMTP
 *                              connection and store handle (default 2)
 *
 * The same settings in the environment (PAMINN_SMTP_URL, PAMINN_SMTP_FROM,
 * PAMINN_SMTP_USER, PAMINN_SMTP_PASSWORD_FILE, PAMINN_SMTP_TLS) and in the
 * INI file's [server] section: smtp_url, smtp_user, smtp_password_file,
 * smtp_from, smtp_tls (flags > environment > INI).
 *
 * The dispatcher is one thread with its own store handle and one SMTP
 * connection kept open between messages (mail/mail.h): it delivers what is
 * due in batches (app_mail_deliver) and, when nothing is, looks again
 * twice a second.  Stopping sets a flag read between messages: the mail in
 * flight is finished, the rest of its batch given back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api_ini.h"
#include "app/app_mail.h"
#include "cli/cli.h"
#include "main/serve.h"
#include "main/serve_loop.h"
#include "util/buf.h"
#include "util/secret.h"

#define IDLE_MS           500
#define PASSWORD_FILE_MAX 4096

const char *const serve_mail_usage =
    "  --smtp-url URL      send reminders by e-mail: smtp://HOST:PORT or smtps://HOST:PORT\n"
    "                      (without it e-mails are queued, not sent)\n"
    "  --smtp-from ADDRESS the sender of the e-mails (required with --smtp-url)\n"
    "                      (also $PAMINN_SMTP_URL, _FROM, _USER, _PASSWORD_FILE, _TLS)\n"
    "  --smtp-user USER    SMTP AUTH user, with --smtp-password-file FILE (first line)\n"
    "  --smtp-tls try|require|none  STARTTLS on smtp:// (default try)\n"
    "  --smtp-insecure     do not verify the SMTP server's certificate (tests only)\n"
    "  --smtp-retry-seconds N  first retry after a temporary refusal (60, then doubled)\n"
    "  --smtp-max-attempts N   give up (failed, shown on the invoice) after N tries (8)\n"
    "  --smtp-lease-seconds N  a batch of mails' lease before another process takes over (120)\n"
    "  --smtp-timeout SECONDS  connection and one message (60)\n"
    "  --smtp-connections N    mails sent at once, one connection each (default 2)\n"
    "                      INI [server]: smtp_url, smtp_user, smtp_password_file,\n"
    "                      smtp_from, smtp_tls\n";

struct serve_mail_worker {
    struct store *st;
    struct mail_smtp *smtp;
    struct app_mail_sender sender;
    char owner[STORE_MAIL_OWNER_MAX];
    struct serve_loop loop;
};

bool serve_mail_option(struct serve_mail *m, int opt, const char *arg, int *status)
{
    *status = CLI_EXIT_OK;
    switch (opt) {
    case SERVE_MAIL_OPT_URL:
        m->url = arg;
        return true;
    case SERVE_MAIL_OPT_USER:
        m->user = arg;
        return true;
    case SERVE_MAIL_OPT_PASSWORD_FILE:
        m->password_file = arg;
        return true;
    case SERVE_MAIL_OPT_FROM:
        m->from = arg;
        return true;
    case SERVE_MAIL_OPT_TLS:
        m->tls = arg;
        return true;
    case SERVE_MAIL_OPT_INSECURE:
        m->insecure = true;
        return true;
    case SERVE_MAIL_OPT_RETRY:
        return serve_int_option("smtp-retry-seconds", arg, 1, 86400, &m->retry_s, status);
    case SERVE_MAIL_OPT_ATTEMPTS:
        return serve_int_option("smtp-max-attempts", arg, 1, 100, &m->max_attempts, status);
    case SERVE_MAIL_OPT_LEASE:
        return serve_int_option("smtp-lease-seconds", arg, 2, 3600, &m->lease_s, status);
    case SERVE_MAIL_OPT_TIMEOUT:
        return serve_int_option("smtp-timeout", arg, 1, 3600, &m->timeout_s, status);
    case SERVE_MAIL_OPT_CONNECTIONS:
        return serve_int_option("smtp-connections", arg, 1, 16, &m->connections, status);
    default:
        return false;
    }
}

static const char *env_or(const char *value, const char *name)
{
    const char *e = getenv(name);

    return value ? value : e && *e ? e : NULL;
}

void serve_mail_from_ini(struct serve_mail *m, const struct api_ini *ini)
{
    m->url = env_or(m->url, "PAMINN_SMTP_URL");
    m->from = env_or(m->from, "PAMINN_SMTP_FROM");
    m->user = env_or(m->user, "PAMINN_SMTP_USER");
    m->password_file = env_or(m->password_file, "PAMINN_SMTP_PASSWORD_FILE");
    m->tls = env_or(m->tls, "PAMINN_SMTP_TLS");
    if (!m->url && ini->has_smtp_url)
        m->url = ini->smtp_url;
    if (!m->user && ini->has_smtp_user)
        m->user = ini->smtp_user;
    if (!m->password_file && ini->has_smtp_password_file)
        m->password_file = ini->smtp_password_file;
    if (!m->from && ini->has_smtp_from)
        m->from = ini->smtp_from;
    if (!m->tls && ini->has_smtp_tls)
        m->tls = ini->smtp_tls;
}

static enum pm_err worker_round(void *arg, size_t *n, struct pm_error *e)
{
    struct serve_mail_worker *w = arg;

    return app_mail_deliver(&w->sender, n, e);
}

static void worker_free(struct serve_mail_worker *w)
{
    serve_loop_join(&w->loop); /* first: the thread uses the rest */
    mail_smtp_free(&w->smtp);
    store_close(&w->st);
    free(w);
}

/* The password: the file's first line. */
static int read_password(const char *file, struct buf *pw)
{
    if (buf_read_file(pw, file, PASSWORD_FILE_MAX)) {
        cli_errorf("serve", "--smtp-password-file: cannot read %s", file);
        return CLI_EXIT_FAILED;
    }
    pw->data[strcspn(pw->data, "\r\n")] = '\0';
    pw->len = strlen(pw->data);
    return CLI_EXIT_OK;
}

static int check_settings(const struct serve_mail *m, enum mail_tls *tls)
{
    if (strncmp(m->url, "smtp://", 7) != 0 && strncmp(m->url, "smtps://", 8) != 0) {
        cli_errorf("serve", "--smtp-url: '%s' is not smtp:// or smtps://", m->url);
        return CLI_EXIT_USAGE;
    }
    if (!m->from || !mail_address_ok(m->from)) {
        cli_errorf("serve", "--smtp-url needs --smtp-from with an e-mail address");
        return CLI_EXIT_USAGE;
    }
    if (mail_tls_parse(m->tls ? m->tls : "try", tls)) {
        cli_errorf("serve", "--smtp-tls: '%s' is not try, require or none", m->tls);
        return CLI_EXIT_USAGE;
    }
    if (m->user && !m->password_file) {
        cli_errorf("serve", "--smtp-user needs --smtp-password-file");
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

/* One dispatcher thread: its store handle, SMTP connection and owner. */
static int worker_start(struct serve_mail *m, struct cli *c, const char *db,
                        const struct mail_smtp_config *cfg, int index)
{
    struct serve_mail_worker *w = calloc(1, sizeof(*w));
    struct pm_error e = {0};
    char token[SECRET_TOKEN_HEX];

    if (!w)
        return CLI_EXIT_FAILED;
    serve_loop_init(&w->loop, "mail dispatcher", IDLE_MS, worker_round, w);
    w->smtp = mail_smtp_new(cfg, &e);
    if (!w->smtp || store_open(db, &w->st, &e)) {
        cli_errorf("serve", "e-mail: %s", e.message);
        worker_free(w);
        return CLI_EXIT_FAILED;
    }
    secret_random_token(token);
    snprintf(w->owner, sizeof(w->owner), "mail:%ld:%d:%.16s", (long)getpid(), index, token);
    w->sender = (struct app_mail_sender){
        .store = w->st,
        .clock = &c->clock,
        .smtp = w->smtp,
        .from = m->from,
        .owner = w->owner,
        .retry_s = m->retry_s,
        .max_attempts = m->max_attempts,
        .lease_s = m->lease_s,
        .stop = &w->loop.stop,
    };
    if (!serve_loop_start(&w->loop)) {
        cli_errorf("serve", "e-mail: cannot start the mail dispatcher thread");
        worker_free(w);
        return CLI_EXIT_FAILED;
    }
    m->worker[m->n_workers++] = w;
    return CLI_EXIT_OK;
}

int serve_mail_start(struct serve_mail *m, struct cli *c, const char *db)
{
    struct mail_smtp_config cfg = {0};
    struct buf pw = BUF_INIT;
    int status, i, n = m->connections > 0 ? m->connections : 2;

    m->n_workers = 0;
    if (!m->url)
        return CLI_EXIT_OK;
    status = check_settings(m, &cfg.tls);
    if (!status && m->password_file)
        status = read_password(m->password_file, &pw);
    if (status)
        return status;
    cfg.url = m->url;
    cfg.user = m->user;
    cfg.password = pw.data;
    cfg.insecure = m->insecure;
    cfg.connect_timeout_ms = m->timeout_s ? m->timeout_s * 1000L : 0;
    cfg.timeout_ms = m->timeout_s ? m->timeout_s * 1000L : 0;
    for (i = 0; !status && i < n; i++)
        status = worker_start(m, c, db, &cfg, i);
    if (pw.len)
        memset(pw.data, 0, pw.len);
    buf_release(&pw);
    if (status) {
        serve_mail_stop(m);
        return status;
    }
    fprintf(stderr, "paminn serve: e-mail over %s from %s (STARTTLS %s), %d connections\n", m->url,
            m->from, mail_tls_name(cfg.tls), n);
    return CLI_EXIT_OK;
}

void serve_mail_stop(struct serve_mail *m)
{
    int i;

    for (i = 0; i < m->n_workers; i++)
        serve_loop_request_stop(&m->worker[i]->loop);
    for (i = 0; i < m->n_workers; i++) {
        worker_free(m->worker[i]);
        m->worker[i] = NULL;
    }
    m->n_workers = 0;
}
