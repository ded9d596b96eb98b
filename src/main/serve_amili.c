/*
 * serve_amili.c — the Amili part of `paminn serve`: its options, the agency
 * client and the background dispatcher and status sync.
 *
 *   --amili-url URL            the agency's API (PAMINN_AMILI_URL); without
 *                              it the Amili routes answer 503
 *   --amili-api-code CODE      the partner's API code (PAMINN_AMILI_API_CODE)
 *   --amili-key FILE           the partner's EC P-256 private key, PEM
 *                              (PAMINN_AMILI_KEY_FILE)
 *   --secret-key FILE          32 random bytes or 64 hex digits sealing the
 *                              secrets kept in the database
 *                              (PAMINN_SECRET_KEY_FILE; default
 *                              var/secret.key, created 0600 when missing)
 *   --dispatch-concurrency N   agency calls in flight (default 8)
 *   --sync-interval SECONDS    status sync period (default 30)
 *   --lease-seconds SECONDS    outbox lease (default 30)
 *
 * serve.c hands unknown options here (serve_amili_option) and starts and
 * stops what they configure (serve_amili_start / serve_amili_stop).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agency/agency.h"
#include "cli/cli.h"
#include "main/serve.h"
#include "util/buf.h"

#define KEY_FILE_MAX       (64 * 1024)
#define DEFAULT_SECRET_KEY "var/secret.key"

const char *const serve_amili_usage =
    "  --amili-url URL     Visma Amili API base URL ($PAMINN_AMILI_URL); without it\n"
    "                      the Amili routes answer 503 agency_not_configured\n"
    "  --amili-api-code CODE  partner API code ($PAMINN_AMILI_API_CODE)\n"
    "  --amili-key FILE    partner EC P-256 private key, PEM ($PAMINN_AMILI_KEY_FILE)\n"
    "  --secret-key FILE   key sealing secrets at rest ($PAMINN_SECRET_KEY_FILE;\n"
    "                      default var/secret.key, created with mode 0600)\n"
    "  --dispatch-concurrency N  agency calls in flight (default 8)\n"
    "  --sync-interval SECONDS   status sync period (default 30)\n"
    "  --lease-seconds SECONDS   outbox lease before another process takes over (30)\n";

bool serve_amili_option(struct serve_amili *am, int opt, const char *arg, int *status)
{
    int64_t v = 0;

    *status = CLI_EXIT_OK;
    switch (opt) {
    case SERVE_AMILI_OPT_URL:
        am->url = arg;
        return true;
    case SERVE_AMILI_OPT_CODE:
        am->api_code = arg;
        return true;
    case SERVE_AMILI_OPT_KEY:
        am->key_file = arg;
        return true;
    case SERVE_AMILI_OPT_SECRET:
        am->secret_key_file = arg;
        return true;
    case SERVE_AMILI_OPT_CONCURRENCY:
        if (!cli_parse_int(arg, 1, 64, &v)) {
            cli_errorf("serve", "--dispatch-concurrency: '%s' is not a number 1..64", arg);
            *status = CLI_EXIT_USAGE;
        }
        am->concurrency = (int)v;
        return true;
    case SERVE_AMILI_OPT_SYNC:
        if (!cli_parse_int(arg, 1, 86400, &v)) {
            cli_errorf("serve", "--sync-interval: '%s' is not a number of seconds 1..86400", arg);
            *status = CLI_EXIT_USAGE;
        }
        am->sync_interval = (int)v;
        return true;
    case SERVE_AMILI_OPT_LEASE:
        if (!cli_parse_int(arg, 2, 3600, &v)) {
            cli_errorf("serve", "--lease-seconds: '%s' is not a number of seconds 2..3600", arg);
            *status = CLI_EXIT_USAGE;
        }
        am->lease_seconds = (int)v;
        return true;
    default:
        return false;
    }
}

static const char *env_or(const char *value, const char *name)
{
    const char *e;

    if (value && *value)
        return value;
    e = getenv(name);
    return e && *e ? e : NULL;
}

/* The agency's address: https://, or http:// to a loopback address (the
 * local sandbox) or with a fixed clock (--now: tests and demos) — never
 * the partner token over a plain network. */
static bool url_allowed(const char *url, const struct cli *c)
{
    char host[64];
    struct in_addr a4;
    size_t n;

    if (!strncasecmp(url, "https://", 8))
        return true;
    if (strncasecmp(url, "http://", 7) != 0)
        return false;
    if (c->clock.fixed_us || c->clock.offset_us)
        return true;
    url += 7;
    n = url[0] == '[' ? strcspn(url, "]") + 1 : strcspn(url, ":/");
    if (n >= sizeof(host))
        return false;
    memcpy(host, url, n);
    host[n] = '\0';
    return !strcasecmp(host, "localhost") || !strcmp(host, "[::1]") ||
           (inet_pton(AF_INET, host, &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127);
}

int serve_amili_start(struct serve_amili *am, struct cli *c, const char *db)
{
    struct agency_config cfg;
    struct agency_service_config scfg = {0};
    struct buf key = BUF_INIT;
    struct pm_error err = {0};
    const char *secret;
    int status = CLI_EXIT_FAILED;

    am->url = env_or(am->url, "PAMINN_AMILI_URL");
    am->api_code = env_or(am->api_code, "PAMINN_AMILI_API_CODE");
    am->key_file = env_or(am->key_file, "PAMINN_AMILI_KEY_FILE");
    secret = env_or(am->secret_key_file, "PAMINN_SECRET_KEY_FILE");
    if (!am->url)
        return CLI_EXIT_OK; /* the agency is not configured: the rest works */
    if (!url_allowed(am->url, c)) {
        cli_errorf("serve",
                   "--amili-url: '%s' is not https:// (plain http:// only to this "
                   "machine, or with --now for tests)",
                   am->url);
        return CLI_EXIT_USAGE;
    }
    if (!am->api_code || !am->key_file) {
        cli_errorf("serve", "--amili-url needs --amili-api-code and --amili-key (or "
                            "PAMINN_AMILI_API_CODE and PAMINN_AMILI_KEY_FILE)");
        return CLI_EXIT_USAGE;
    }
    memset(&cfg, 0, sizeof(cfg));
    if (agency_vault_key(secret ? secret : DEFAULT_SECRET_KEY, true, cfg.secret_key, &err)) {
        cli_errorf("serve", "--secret-key: %s", err.message);
        goto out_release;
    }
    if (buf_read_file(&key, am->key_file, KEY_FILE_MAX) || !strstr(key.data, "PRIVATE KEY")) {
        cli_errorf("serve", "--amili-key: cannot read a PEM private key from %s", am->key_file);
        goto out_release;
    }
    cfg.url = am->url;
    cfg.api_code = am->api_code;
    cfg.key_pem = key.data;
    cfg.concurrency = am->concurrency ? am->concurrency : AGENCY_DEFAULT_CONCURRENCY;
    cfg.sync_interval_s = am->sync_interval ? am->sync_interval : AGENCY_DEFAULT_SYNC_S;
    cfg.lease_s = am->lease_seconds ? am->lease_seconds : AGENCY_DEFAULT_LEASE_S;
    am->agency = agency_new(&cfg, NULL, &err);
    if (!am->agency) {
        cli_errorf("serve", "Amili: %s", err.message);
        goto out_release;
    }
    scfg.db = db;
    scfg.clock = &c->clock;
    scfg.tz = c->tz;
    if (agency_service_start(am->agency, &scfg, &am->service, &err)) {
        cli_errorf("serve", "Amili: %s", err.message);
        agency_free(&am->agency);
        goto out_release;
    }
    fprintf(stderr, "paminn serve: Visma Amili at %s (API code %s), %d calls in flight\n", am->url,
            am->api_code, cfg.concurrency);
    status = CLI_EXIT_OK;
out_release:
    memset(cfg.secret_key, 0, sizeof(cfg.secret_key));
    if (key.len)
        memset(key.data, 0, key.len);
    buf_release(&key);
    return status;
}

void serve_amili_stop(struct serve_amili *am)
{
    agency_service_stop(&am->service);
    agency_free(&am->agency);
}
