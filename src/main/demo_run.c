/*
 * demo_run.c — `paminn demo`: the whole product on one machine, with a
 * local amili-sandbox standing in for Visma Amili.
 *
 *   paminn [--db DSN] [--now TIME] demo [--sandbox-bin PATH]
 *          [--sandbox-listen HOST:PORT] [--var DIR] [serve options...]
 *
 * 1. starts amili-sandbox (default: sandbox/amili-sandbox next to this
 *    binary) on 127.0.0.1:8090 with DIR/sandbox.db (DIR = var);
 * 2. makes an EC P-256 partner key DIR/amili-partner.pem (0600) unless it
 *    exists, and registers its public half with the sandbox
 *    (POST /_sandbox/partners, API code "paminn-demo");
 * 3. runs `paminn serve` wired to it (--amili-url, --amili-api-code,
 *    --amili-key, --secret-key DIR/secret.key, --sync-interval 5) with any
 *    further options passed on, until SIGTERM or SIGINT;
 * 4. stops the sandbox.
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agency/agency.h"
#include "cli/cli.h"
#include "main/serve.h"
#include "util/buf.h"

#define DEMO_API_CODE   "paminn-demo"
#define DEMO_SANDBOX    "127.0.0.1:8090"
#define DEMO_ARGS_MAX   64
#define DEMO_SMTP_PORT  "8025"
#define DEMO_PYTHON     "/usr/bin/python3"
#define READY_TIMEOUT_S 15

static int usage(FILE *f, int status)
{
    fprintf(f,
            "usage: paminn [--db DSN] [--now TIME] demo [--sandbox-bin PATH]\n"
            "              [--sandbox-listen HOST:PORT] [--var DIR] [serve options...]\n\n"
            "Run Påminn with a local amili-sandbox as Visma Amili: starts the sandbox\n"
            "(default %s, database DIR/sandbox.db), makes a partner key DIR/amili-partner.pem\n"
            "if missing, registers it with the sandbox and serves until Ctrl-C.\n"
            "DIR is ./var by default.  Serve options (--listen ...) are passed on.\n"
            "It also starts a local SMTP sink (tests/lib/smtp_sink.py with Debian's\n"
            "python3-aiosmtpd) on 127.0.0.1:%s keeping the e-mails in DIR/demo-mail/, and\n"
            "serves with --smtp-url pointing at it: reminders e-mailed in the demo show as\n"
            "sent (--smtp-sink PATH: another script; without python3-aiosmtpd no e-mail).\n",
            DEMO_SANDBOX, DEMO_SMTP_PORT);
    return status;
}

/* dirname(/proc/self/exe)/sandbox/amili-sandbox */
static void default_sandbox(char *dst, size_t cap)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    char *slash;

    if (n <= 0) {
        snprintf(dst, cap, "sandbox/amili-sandbox");
        return;
    }
    self[n] = '\0';
    slash = strrchr(self, '/');
    if (slash)
        *slash = '\0';
    snprintf(dst, cap, "%s/sandbox/amili-sandbox", self);
}

static enum pm_err write_private(const char *path, const char *pem)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    size_t len = strlen(pem);
    enum pm_err rc = PM_OK;

    if (fd < 0)
        return PM_ERR_IO;
    if (write(fd, pem, len) != (ssize_t)len)
        rc = PM_ERR_IO;
    if (close(fd) != 0)
        rc = PM_ERR_IO;
    return rc;
}

/* The partner key: read it, or make and write it; *public_pem = its public half. */
static int partner_key(const char *path, char **public_pem)
{
    struct buf text = BUF_INIT;
    struct pm_error e = {0};
    char *priv = NULL;
    int status = CLI_EXIT_FAILED;

    *public_pem = NULL;
    if (access(path, F_OK) == 0) {
        if (buf_read_file(&text, path, 64 * 1024) ||
            agency_keys_public_of(text.data, public_pem, &e)) {
            cli_errorf("demo", "%s: %s", path, e.message[0] ? e.message : "cannot read it");
            goto out_release;
        }
    } else {
        if (agency_keys_generate(&priv, public_pem, &e)) {
            cli_errorf("demo", "%s", e.message);
            goto out_release;
        }
        if (write_private(path, priv)) {
            cli_errorf("demo", "cannot write %s: %s", path, strerror(errno));
            goto out_release;
        }
        printf("paminn demo: made the partner key %s\n", path);
    }
    status = CLI_EXIT_OK;
out_release:
    free(priv);
    buf_release(&text);
    return status;
}

/* Start the sandbox; its URL into url once it reports listening. */
static int start_sandbox(const char *bin, const char *db, const char *listen, const char *data_dir,
                         const char *now, pid_t *pid, char *url, size_t cap)
{
    int fds[2];
    char line[512];
    size_t len = 0;
    time_t until = time(NULL) + READY_TIMEOUT_S;
    FILE *out;
    const char *prefix = "amili-sandbox: listening on ";

    if (access(bin, X_OK) != 0) {
        cli_errorf("demo", "no amili-sandbox at %s (build it, or give --sandbox-bin)", bin);
        return CLI_EXIT_FAILED;
    }
    if (pipe(fds) != 0)
        return CLI_EXIT_FAILED;
    *pid = fork();
    if (*pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return CLI_EXIT_FAILED;
    }
    if (*pid == 0) {
        sigset_t none;

        sigemptyset(&none);
        pthread_sigmask(SIG_SETMASK, &none, NULL);
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        if (now && *now)
            execl(bin, bin, "--db", db, "--listen", listen, "--data-dir", data_dir, "--now", now,
                  (char *)NULL);
        else
            execl(bin, bin, "--db", db, "--listen", listen, "--data-dir", data_dir, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    out = fdopen(fds[0], "r");
    while (out && time(NULL) < until && fgets(line, sizeof(line), out)) {
        len = strlen(line);
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (!strncmp(line, prefix, strlen(prefix))) {
            snprintf(url, cap, "%s", line + strlen(prefix));
            /* Keep reading nothing more: the sandbox writes one line only. */
            fclose(out);
            return CLI_EXIT_OK;
        }
    }
    if (out)
        fclose(out);
    cli_errorf("demo", "amili-sandbox did not start (is %s free?)", listen);
    kill(*pid, SIGTERM);
    waitpid(*pid, NULL, 0);
    *pid = -1;
    return CLI_EXIT_FAILED;
}

/* The SMTP sink of the demo: DEMO_PYTHON script --dir dir --port PORT,
 * its "smtp-sink: listening on 127.0.0.1:PORT" line read into url
 * (smtp://...).  Not fatal: without it the demo runs without e-mail. */
static int start_smtp_sink(const char *script, const char *dir, pid_t *pid, char *url, size_t cap)
{
    const char *prefix = "smtp-sink: listening on ";
    time_t until = time(NULL) + READY_TIMEOUT_S;
    char line[512];
    size_t len;
    int fds[2];
    FILE *out;

    if (access(DEMO_PYTHON, X_OK) != 0 || access(script, R_OK) != 0 || pipe(fds) != 0)
        return CLI_EXIT_FAILED;
    *pid = fork();
    if (*pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return CLI_EXIT_FAILED;
    }
    if (*pid == 0) {
        sigset_t none;

        sigemptyset(&none);
        pthread_sigmask(SIG_SETMASK, &none, NULL);
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execl(DEMO_PYTHON, DEMO_PYTHON, script, "--dir", dir, "--port", DEMO_SMTP_PORT,
              (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    out = fdopen(fds[0], "r");
    while (out && time(NULL) < until && fgets(line, sizeof(line), out)) {
        len = strlen(line);
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (!strncmp(line, prefix, strlen(prefix))) {
            snprintf(url, cap, "smtp://%s", line + strlen(prefix));
            fclose(out);
            return CLI_EXIT_OK;
        }
    }
    if (out)
        fclose(out);
    kill(*pid, SIGTERM);
    waitpid(*pid, NULL, 0);
    *pid = -1;
    return CLI_EXIT_FAILED;
}

/* dirname(/proc/self/exe)/../../tests/lib/smtp_sink.py (build/default/paminn). */
static void default_sink(char *dst, size_t cap)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    char *slash;

    snprintf(dst, cap, "tests/lib/smtp_sink.py");
    if (n <= 0)
        return;
    self[n] = '\0';
    slash = strrchr(self, '/');
    if (slash)
        *slash = '\0';
    snprintf(dst, cap, "%s/../../tests/lib/smtp_sink.py", self);
    if (access(dst, R_OK) != 0)
        snprintf(dst, cap, "tests/lib/smtp_sink.py");
}

static size_t discard(char *data, size_t size, size_t nmemb, void *user)
{
    (void)data;
    (void)user;
    return size * nmemb;
}

/* POST /_sandbox/partners {api_code, public_key}: the sandbox's own control
 * endpoint (the product's agency client never calls /_sandbox/). */
static int register_partner(const char *url, const char *public_pem)
{
    json_t *doc = json_pack("{s:s, s:s}", "api_code", DEMO_API_CODE, "public_key", public_pem);
    char *body = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    char endpoint[600];
    struct curl_slist *headers = NULL;
    CURL *easy = curl_easy_init();
    long status = 0;
    int rc = CLI_EXIT_FAILED;

    json_decref(doc);
    if (!body || !easy)
        goto out_free;
    snprintf(endpoint, sizeof(endpoint), "%s/_sandbox/partners", url);
    headers = curl_slist_append(headers, "Content-Type: application/json");
    curl_easy_setopt(easy, CURLOPT_URL, endpoint);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard);
    if (curl_easy_perform(easy) == CURLE_OK)
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    if (status == 201)
        rc = CLI_EXIT_OK;
    else
        cli_errorf("demo", "the sandbox refused the partner key (HTTP %ld)", status);
out_free:
    curl_slist_free_all(headers);
    if (easy)
        curl_easy_cleanup(easy);
    free(body);
    return rc;
}

int demo_run_command(struct cli *c, int argc, char **argv)
{
    const char *sandbox_bin = NULL, *sandbox_listen = DEMO_SANDBOX, *var = "var", *sink = NULL;
    char bin[PATH_MAX], key[PATH_MAX], db[PATH_MAX], secret[PATH_MAX], url[512];
    char sink_script[PATH_MAX], mail_dir[PATH_MAX], smtp_url[128];
    pid_t sink_pid = -1;
    char *serve_argv[DEMO_ARGS_MAX], *public_pem = NULL, *now = getenv("PAMINN_NOW");
    int serve_argc = 0, status = CLI_EXIT_FAILED, i;
    pid_t pid = -1;

    /* Our own options first; everything else goes to serve. */
    serve_argv[serve_argc++] = (char *)"serve";
    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return usage(stdout, CLI_EXIT_OK);
        if (!strcmp(argv[i], "--sandbox-bin") && i + 1 < argc) {
            sandbox_bin = argv[++i];
        } else if (!strcmp(argv[i], "--sandbox-listen") && i + 1 < argc) {
            sandbox_listen = argv[++i];
        } else if (!strcmp(argv[i], "--var") && i + 1 < argc) {
            var = argv[++i];
        } else if (!strcmp(argv[i], "--smtp-sink") && i + 1 < argc) {
            sink = argv[++i];
        } else if (serve_argc < DEMO_ARGS_MAX - 16) {
            serve_argv[serve_argc++] = argv[i];
        } else {
            return usage(stderr, CLI_EXIT_USAGE);
        }
    }
    if (!sandbox_bin) {
        default_sandbox(bin, sizeof(bin));
        sandbox_bin = bin;
    }
    if (mkdir(var, 0700) != 0 && errno != EEXIST) {
        cli_errorf("demo", "cannot create %s: %s", var, strerror(errno));
        return CLI_EXIT_FAILED;
    }
    snprintf(key, sizeof(key), "%s/amili-partner.pem", var);
    snprintf(db, sizeof(db), "%s/sandbox.db", var);
    snprintf(secret, sizeof(secret), "%s/secret.key", var);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return CLI_EXIT_FAILED;
    status = partner_key(key, &public_pem);
    if (!status)
        status = start_sandbox(sandbox_bin, db, sandbox_listen, c->data_dir, now, &pid, url,
                               sizeof(url));
    if (!status)
        status = register_partner(url, public_pem);
    if (status)
        goto out_stop;
    printf("paminn demo: Visma Amili stand-in (amili-sandbox) at %s\n", url);
    fflush(stdout);
    serve_argv[serve_argc++] = (char *)"--amili-url";
    serve_argv[serve_argc++] = url;
    serve_argv[serve_argc++] = (char *)"--amili-api-code";
    serve_argv[serve_argc++] = (char *)DEMO_API_CODE;
    serve_argv[serve_argc++] = (char *)"--amili-key";
    serve_argv[serve_argc++] = key;
    serve_argv[serve_argc++] = (char *)"--secret-key";
    serve_argv[serve_argc++] = secret;
    serve_argv[serve_argc++] = (char *)"--sync-interval";
    serve_argv[serve_argc++] = (char *)"5";
    if (!sink) {
        default_sink(sink_script, sizeof(sink_script));
        sink = sink_script;
    }
    snprintf(mail_dir, sizeof(mail_dir), "%s/demo-mail", var);
    if (!start_smtp_sink(sink, mail_dir, &sink_pid, smtp_url, sizeof(smtp_url))) {
        printf("paminn demo: SMTP sink at %s (messages in %s/)\n", smtp_url, mail_dir);
        fflush(stdout);
        serve_argv[serve_argc++] = (char *)"--smtp-url";
        serve_argv[serve_argc++] = smtp_url;
        serve_argv[serve_argc++] = (char *)"--smtp-from";
        serve_argv[serve_argc++] = (char *)"paminnelser@demo.paminn.se";
        serve_argv[serve_argc++] = (char *)"--smtp-retry-seconds";
        serve_argv[serve_argc++] = (char *)"5";
    } else {
        fprintf(stderr, "paminn demo: no SMTP sink (%s with python3-aiosmtpd): e-mail is off\n",
                sink);
    }
    serve_argv[serve_argc] = NULL;
    status = serve_command(c, serve_argc, serve_argv);
out_stop:
    if (pid > 0) {
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
    }
    if (sink_pid > 0) {
        kill(sink_pid, SIGTERM);
        waitpid(sink_pid, NULL, 0);
    }
    free(public_pem);
    return status;
}
