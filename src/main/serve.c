/*
 * serve.c — `paminn serve`: run the HTTP server (src/api) until SIGTERM or
 * SIGINT.  Part of src/main, the composition root (see serve.h).
 *
 *   paminn [--db DSN] [--now TIME] [--data-dir DIR] serve [--listen HOST:PORT]
 *          [--threads N] [--max-body BYTES] [--config FILE] [--web-dir DIR]
 *          [--max-conns-per-ip N] [--header-timeout SECONDS] [--public-url URL]
 *          [--db-read DSN]
 *
 * Settings come from flags, then the environment (PAMINN_DB, PAMINN_LISTEN,
 * PAMINN_DATA_DIR; PAMINN_NOW is read by main.c), then the [server] section
 * of the --config INI file, then the defaults.  The reference rates for
 * late-payment interest are loaded from DATA_DIR/reference-rates.csv at start
 * (a missing or bad file stops the start).  When the server accepts
 * connections one line "paminn: listening on http://HOST:PORT" goes to
 * stdout.  The signals are blocked in every thread and taken with sigwait()
 * here, so shutdown is an ordinary call: stop accepting, finish what is in
 * flight, close the store.
 */
#include <getopt.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/api_ini.h"
#include "bank/camt054.h"
#include "cli/cli.h"
#include "main/serve.h"
#include "core/interest.h"
#include "util/buf.h"

#define CONFIG_FILE_MAX (1024 * 1024)

/* main.c's built-in defaults, recognised so that an INI file may override them. */
#define MAIN_DEFAULT_DB       "paminn.db"
#define MAIN_DEFAULT_DATA_DIR "data"

static int usage(FILE *f, int status)
{
    fprintf(f,
            "usage: paminn [--db DSN] [--now TIME] [--data-dir DIR] serve [--listen HOST:PORT]\n"
            "              [--threads N] [--max-body BYTES] [--config FILE] [--web-dir DIR]\n"
            "              [--max-conns-per-ip N] [--header-timeout SECONDS]\n"
            "              [--public-url URL] [--dunning-every SECONDS] [--dunning-hour H]\n"
            "              [--db-read DSN]\n\n"
            "Serve the JSON API under /api/v1 and the web UI until SIGTERM or SIGINT.\n\n"
            "  --listen HOST:PORT  address to listen on (default: $PAMINN_LISTEN or %s;\n"
            "                      port 0 picks a free port)\n"
            "  --threads N         worker threads, each with its own store handle (default %d)\n"
            "  --max-body BYTES    largest request body accepted (default %d)\n"
            "  --config FILE       INI file with db, listen, threads, max_body, data_dir\n"
            "                      under [server] (flags and environment win over it)\n"
            "  --web-dir DIR       static files of the web UI (default ./web)\n"
            "  --max-conns-per-ip N  open connections from one client address (default %d;\n"
            "                      0 = no limit, for use behind a reverse proxy that limits)\n"
            "  --header-timeout SECONDS  time for a request's whole head, however slowly\n"
            "                      it comes, and for a kept-alive connection's next request\n"
            "                      (default %d; 1..%d): past it the connection is closed\n"
            "  --public-url URL    the address users reach Påminn at; with https:// the\n"
            "                      session cookie is always Secure\n"
            "  --db-read DSN       a PostgreSQL standby of --db: invoice lists are read there\n"
            "                      when it has replayed what the primary shows, else from\n"
            "                      the primary (default $PAMINN_DB_READ or db_read in INI)\n"
            "  --dunning-every SECONDS  how often the daily reminder run looks for work\n"
            "                      (default %d; 0 = off: run `paminn dunning run` from cron)\n"
            "  --dunning-hour H    local hour (Europe/Stockholm) from which a day's run\n"
            "                      is made (default %d: the first look after 06:00)\n%s%s%s",
            API_DEFAULT_LISTEN, API_DEFAULT_THREADS, API_DEFAULT_MAX_BODY, API_DEFAULT_PER_IP,
            API_DEFAULT_HEADER_TIMEOUT_S, API_MAX_HEADER_TIMEOUT_S, DUNNING_DEFAULT_EVERY_S,
            DUNNING_DEFAULT_HOUR, serve_amili_usage, serve_mail_usage, serve_webhooks_usage);
    return status;
}

static enum pm_err load_config(const char *file, struct api_ini *ini)
{
    struct buf text = BUF_INIT;
    struct pm_error err = {0};
    enum pm_err rc;

    rc = buf_read_file(&text, file, CONFIG_FILE_MAX);
    if (rc)
        cli_errorf("serve", "cannot read --config %s (%s)", file, pm_err_name(rc));
    else if (api_ini_parse(text.data, text.len, ini, &err))
        cli_errorf("serve", "%s: %s", file, err.message);
    else
        rc = PM_OK;
    if (!rc && err.message[0])
        rc = PM_ERR_INVALID;
    buf_release(&text);
    return rc;
}

/* glibc gives each thread that allocates an arena of its own (up to eight
 * a core), and each keeps the memory freed into it: with four workers
 * writing 20 kB pages, RSS grew from 35 to 55 MiB in a minute of list
 * misses and stayed there.  Two arenas held it at 34 MiB for the same
 * throughput (docs/benchmarks.md, "Server RSS"). */
static void limit_arenas(void)
{
#ifdef M_ARENA_MAX
    (void)mallopt(M_ARENA_MAX, 2);
#endif
}

int serve_command(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        {"listen", required_argument, NULL, 'l'},
        {"threads", required_argument, NULL, 't'},
        {"max-body", required_argument, NULL, 'm'},
        {"config", required_argument, NULL, 'c'},
        {"web-dir", required_argument, NULL, 'w'},
        {"max-conns-per-ip", required_argument, NULL, 'i'},
        {"header-timeout", required_argument, NULL, 'T'},
        {"public-url", required_argument, NULL, 'u'},
        {"dunning-every", required_argument, NULL, 'D'},
        {"dunning-hour", required_argument, NULL, 'H'},
        {"db-read", required_argument, NULL, 'R'},
        {"help", no_argument, NULL, 'h'},
        SERVE_AMILI_LONG_OPTIONS,   /* serve_amili.c */
        SERVE_MAIL_LONG_OPTIONS,    /* serve_mail.c */
        SERVE_WEBHOOK_LONG_OPTIONS, /* serve_webhooks.c */
        {NULL, 0, NULL, 0},
    };
    const char *listen = NULL, *config = NULL, *web_dir = "web", *db = c->db;
    const char *data_dir = c->data_dir, *public_url = NULL, *db_read = NULL;
    int64_t threads = 0, max_body = 0, per_ip = -1, header_timeout = 0;
    struct api_ini ini = {0};
    struct rate_table rates = {0};
    struct camt054_schema *camt = NULL;
    struct api_config cfg = {0};
    struct api_server *srv = NULL;
    struct pm_error err = {0};
    struct serve_amili amili = {0};
    struct dunning_scheduler_config dcfg = {0};
    struct dunning_scheduler *dunning = NULL;
    int64_t dunning_every = DUNNING_DEFAULT_EVERY_S, dunning_hour = DUNNING_DEFAULT_HOUR;
    struct serve_mail mail = {0};
    struct serve_webhooks webhooks = {0};
    int amili_status = 0;
    sigset_t signals;
    const char *colon;
    int opt, sig = 0, status = CLI_EXIT_FAILED;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 'l':
            listen = optarg;
            break;
        case 't':
            if (!cli_parse_int(optarg, 1, 256, &threads)) {
                cli_errorf("serve", "--threads: '%s' is not a number 1..256", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'm':
            if (!cli_parse_int(optarg, 1, INT64_C(1) << 30, &max_body)) {
                cli_errorf("serve", "--max-body: '%s' is not a size 1..1073741824", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'i':
            if (!cli_parse_int(optarg, 0, API_CONNECTION_LIMIT, &per_ip)) {
                cli_errorf("serve", "--max-conns-per-ip: '%s' is not a number 0..%d", optarg,
                           API_CONNECTION_LIMIT);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'T':
            if (!cli_parse_int(optarg, 1, API_MAX_HEADER_TIMEOUT_S, &header_timeout)) {
                cli_errorf("serve", "--header-timeout: '%s' is not a number of seconds 1..%d",
                           optarg, API_MAX_HEADER_TIMEOUT_S);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'u':
            if (strncmp(optarg, "https://", 8) != 0 && strncmp(optarg, "http://", 7) != 0) {
                cli_errorf("serve", "--public-url: '%s' is not an http:// or https:// address",
                           optarg);
                return CLI_EXIT_USAGE;
            }
            public_url = optarg;
            break;
        case 'D':
            if (!cli_parse_int(optarg, 0, 86400, &dunning_every)) {
                cli_errorf("serve", "--dunning-every: '%s' is not a number of seconds 0..86400",
                           optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'H':
            if (!cli_parse_int(optarg, 0, 23, &dunning_hour)) {
                cli_errorf("serve", "--dunning-hour: '%s' is not an hour 0..23", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'R':
            db_read = optarg;
            break;
        case 'c':
            config = optarg;
            break;
        case 'w':
            web_dir = optarg;
            break;
        case 'h':
            return usage(stdout, CLI_EXIT_OK);
        default:
            /* the Amili options: serve_amili.c */
            if (serve_amili_option(&amili, opt, optarg, &amili_status) ||
                serve_mail_option(&mail, opt, optarg, &amili_status) ||
                serve_webhooks_option(&webhooks, opt, optarg, &amili_status)) {
                if (amili_status)
                    return amili_status;
                break;
            }
            return usage(stderr, CLI_EXIT_USAGE);
        }
    }
    if (optind < argc)
        return usage(stderr, CLI_EXIT_USAGE);
    if (config && load_config(config, &ini))
        return CLI_EXIT_USAGE;
    serve_mail_from_ini(&mail, &ini);

    /* flags > environment > INI > defaults */
    if (!listen)
        listen = getenv("PAMINN_LISTEN");
    if (!listen || !*listen)
        listen = ini.has_listen ? ini.listen : API_DEFAULT_LISTEN;
    if (!threads)
        threads = ini.has_threads ? ini.threads : API_DEFAULT_THREADS;
    if (!max_body)
        max_body = ini.has_max_body ? ini.max_body : API_DEFAULT_MAX_BODY;
    if (ini.has_db && !getenv("PAMINN_DB") && !strcmp(db, MAIN_DEFAULT_DB))
        db = ini.db;
    if (!db_read)
        db_read = getenv("PAMINN_DB_READ");
    if ((!db_read || !*db_read) && ini.has_db_read)
        db_read = ini.db_read;
    if (db_read && !*db_read)
        db_read = NULL;
    if (ini.has_data_dir && !getenv("PAMINN_DATA_DIR") && !strcmp(data_dir, MAIN_DEFAULT_DATA_DIR))
        data_dir = ini.data_dir;

    if (cli_load_rates("serve", data_dir, &rates))
        return CLI_EXIT_FAILED;
    if (cli_load_camt054_schema("serve", data_dir, &camt)) {
        rate_table_release(&rates);
        return CLI_EXIT_FAILED;
    }

    /* Block the signals before any thread starts, so that all inherit the
     * mask and only sigwait() below receives them. */
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, NULL);
    limit_arenas();

    cfg.listen = listen;
    cfg.threads = (unsigned)threads;
    cfg.max_body = (size_t)max_body;
    cfg.per_ip = (int)per_ip;
    cfg.header_timeout_s = (unsigned)header_timeout;
    cfg.public_url = public_url;
    cfg.db = db;
    cfg.db_read = db_read;
    cfg.web_dir = web_dir;
    /* The agency client and its threads first. */
    amili_status = serve_amili_start(&amili, c, db);
    if (amili_status) {
        status = amili_status;
        goto out_release;
    }
    cfg.agency = amili.agency;
    /* The mail dispatcher (when --smtp-url is given). */
    amili_status = serve_mail_start(&mail, c, db);
    if (amili_status) {
        status = amili_status;
        goto out_release;
    }
    cfg.mail_from = mail.n_workers > 0 ? mail.from : NULL;
    /* The webhook dispatcher. */
    amili_status = serve_webhooks_start(&webhooks, db);
    if (amili_status) {
        status = amili_status;
        goto out_release;
    }
    cfg.webhook_allow_http_loopback = webhooks.allow_http_loopback;
    cfg.camt054_schema = camt;
    if (api_server_start(&cfg, &c->clock, c->tz, &rates, &srv, &err)) {
        cli_errorf("serve", "%s", err.message);
        goto out_release;
    }
    /* the daily dunning run, beside the server */
    dcfg.db = db;
    dcfg.clock = &c->clock;
    dcfg.tz = c->tz;
    dcfg.rates = &rates;
    dcfg.agency = amili.agency;
    dcfg.every_s = (int)dunning_every;
    dcfg.hour = (int)dunning_hour;
    if (dunning_scheduler_start(&dcfg, &dunning)) {
        cli_errorf("serve", "cannot start the dunning scheduler");
        api_server_stop(&srv);
        goto out_release;
    }
    colon = strrchr(listen, ':');
    printf("paminn: listening on http://%.*s:%d\n", (int)(colon - listen), listen,
           api_server_port(srv));
    fflush(stdout);

    while (sigwait(&signals, &sig) != 0)
        ;
    dunning_scheduler_stop(&dunning);
    api_server_stop(&srv);
    status = CLI_EXIT_OK;
out_release:
    serve_webhooks_stop(&webhooks);
    serve_mail_stop(&mail);
    serve_amili_stop(&amili);
    rate_table_release(&rates);
    camt054_schema_free(&camt);
    return status;
}
