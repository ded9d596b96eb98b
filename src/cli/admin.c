/*
 * admin.c — `paminn migrate`, `paminn company add` and `paminn user add`:
 * what an operator needs to set up the first company and user by hand
 * (app/app_companies.h does it).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "app/app_companies.h"
#include "cli/cli.h"
#include "core/fiscal.h"
#include "core/idnum.h"
#include "store/store.h"

static bool wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help"))
            return true;
    return false;
}

int cli_migrate(struct cli *c, int argc, char **argv)
{
    struct app_error e;
    int applied = 0;

    if (wants_help(argc, argv) || argc > 1) {
        printf("usage: paminn [--db DSN] migrate\n\n"
               "Apply the numbered schema migrations the database lacks (safe to repeat).\n");
        return argc > 1 && !wants_help(argc, argv) ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    app_error_clear(&e);
    if (app_migrate(c->store, &applied, &e)) {
        cli_errorf("migrate", "%s", e.detail);
        return CLI_EXIT_FAILED;
    }
    printf("database %s: %d migration%s applied, schema up to date\n", c->db, applied,
           applied == 1 ? "" : "s");
    return CLI_EXIT_OK;
}

static void copy_field(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

/* Free text of an option into dst[cap], when it fits and is clean text
 * (else the reason is on stderr and nothing is kept). */
static bool take_text(const char *cmd, const char *option, char *dst, size_t cap, const char *src)
{
    if (!cli_text_ok(cmd, option, src, cap))
        return false;
    copy_field(dst, cap, src);
    return true;
}

static int company_add(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        {"name", required_argument, NULL, 'n'},
        {"org-no", required_argument, NULL, 'o'},
        {"address", required_argument, NULL, 'a'},
        {"zip", required_argument, NULL, 'z'},
        {"city", required_argument, NULL, 'c'},
        {"bankgiro", required_argument, NULL, 'b'},
        {"fiscal-year-start-month", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct company co = {0};
    struct app_ctx ax = {.store = c->store, .clock = &c->clock, .actor = "cli"};
    struct app_error e;
    struct idnum org;
    const char *org_no = NULL;
    int64_t month = FISCAL_START_MONTH_DEFAULT;
    int opt;

    co.payment_terms_days = 30;
    copy_field(co.country, sizeof(co.country), "SE");
    copy_field(co.language, sizeof(co.language), "sv");
    copy_field(co.timezone, sizeof(co.timezone), "Europe/Stockholm");
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 'n':
            if (!take_text("company add", "--name", co.name, sizeof(co.name), optarg))
                return CLI_EXIT_USAGE;
            break;
        case 'o':
            org_no = optarg;
            break;
        case 'a':
            if (!take_text("company add", "--address", co.address_line_1, sizeof(co.address_line_1),
                           optarg))
                return CLI_EXIT_USAGE;
            break;
        case 'z':
            if (!take_text("company add", "--zip", co.zip_code, sizeof(co.zip_code), optarg))
                return CLI_EXIT_USAGE;
            break;
        case 'c':
            if (!take_text("company add", "--city", co.city, sizeof(co.city), optarg))
                return CLI_EXIT_USAGE;
            break;
        case 'b':
            if (!take_text("company add", "--bankgiro", co.bankgiro, sizeof(co.bankgiro), optarg))
                return CLI_EXIT_USAGE;
            break;
        case 'f':
            if (!cli_parse_int(optarg, 1, 12, &month)) {
                cli_errorf("company add", "--fiscal-year-start-month: '%s' is not a month 1..12",
                           optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'h':
            printf("usage: paminn company add --name NAME --org-no NNNNNN-NNNN [--address LINE]\n"
                   "                          [--zip ZIP] [--city CITY] [--bankgiro NNNN-NNNN]\n"
                   "                          [--fiscal-year-start-month 1..12]\n"
                   "The fiscal year starts on the first of that month (default 1, the calendar\n"
                   "year; 5 for 1 May - 30 April).  It cannot change once vouchers exist.\n");
            return CLI_EXIT_OK;
        default:
            return CLI_EXIT_USAGE;
        }
    }
    if (!co.name[0]) {
        cli_errorf("company add", "--name is required");
        return CLI_EXIT_USAGE;
    }
    if (!org_no || idnum_parse_org(org_no, &org)) {
        cli_errorf("company add", "--org-no: '%s' is not a valid organisationsnummer",
                   org_no ? org_no : "");
        return CLI_EXIT_USAGE;
    }
    copy_field(co.organization_no, sizeof(co.organization_no), org.normalized);
    co.fiscal_year_start_month = (int)month;
    app_error_clear(&e);
    if (app_companies_create(&ax, &co, 0, &e)) {
        cli_errorf("company add", "%s", e.detail);
        return CLI_EXIT_FAILED;
    }
    printf("company %lld: %s (%s)\n", (long long)co.id, co.name, org.display);
    return CLI_EXIT_OK;
}

int cli_company(struct cli *c, int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "add"))
        return company_add(c, argc - 1, argv + 1);
    printf("usage: paminn company add --help\n");
    return wants_help(argc, argv) ? CLI_EXIT_OK : CLI_EXIT_USAGE;
}

#define PASSWORD_MAX 1024

/* The first line of file ("-" = standard input) into out[PASSWORD_MAX],
 * without its line end; false when it cannot be read. */
static bool read_password(const char *file, char out[PASSWORD_MAX])
{
    FILE *f = strcmp(file, "-") ? fopen(file, "r") : stdin;
    bool ok;

    if (!f)
        return false;
    ok = fgets(out, PASSWORD_MAX, f) != NULL;
    if (f != stdin)
        fclose(f);
    if (ok)
        out[strcspn(out, "\r\n")] = '\0';
    return ok;
}

/* The new user as one atomic operation (app_atomic). */
struct user_args {
    struct user *u;
    const char *password;
    enum member_role role;
};

static enum pm_err add_user(const struct app_ctx *ax, void *arg, struct app_error *e)
{
    struct user_args *ua = arg;

    return app_companies_add_user(ax, ua->u, ua->password, ua->role, e);
}

static int user_add(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        {"email", required_argument, NULL, 'e'},    {"name", required_argument, NULL, 'n'},
        {"password", required_argument, NULL, 'p'}, {"password-file", required_argument, NULL, 'f'},
        {"company", required_argument, NULL, 'c'},  {"role", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
    };
    struct user u = {0};
    struct company co;
    struct app_ctx ax = {.store = c->store, .clock = &c->clock, .actor = "cli", .company = &co};
    struct user_args ua = {&u, NULL, ROLE_OWNER};
    struct app_error e;
    int64_t company_id = 0;
    char from_file[PASSWORD_MAX];
    int opt;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 'e':
            if (!take_text("user add", "--email", u.email, sizeof(u.email), optarg))
                return CLI_EXIT_USAGE;
            break;
        case 'n':
            if (!take_text("user add", "--name", u.name, sizeof(u.name), optarg))
                return CLI_EXIT_USAGE;
            break;
        case 'p':
            /* kept for scripts and tests: argv is visible to every local user */
            fprintf(stderr, "paminn user add: warning: --password shows the password in the "
                            "process list; use --password-file FILE (- = standard input)\n");
            ua.password = optarg;
            break;
        case 'f':
            if (!read_password(optarg, from_file)) {
                cli_errorf("user add", "--password-file: cannot read a line from '%s'", optarg);
                return CLI_EXIT_USAGE;
            }
            ua.password = from_file;
            break;
        case 'c':
            if (!cli_parse_int(optarg, 1, INT64_MAX, &company_id)) {
                cli_errorf("user add", "--company: '%s' is not a company id", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'r':
            if (store_role_parse(optarg, &ua.role)) {
                cli_errorf("user add", "--role: '%s' is not owner, member or read_only", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'h':
            printf("usage: paminn user add --email EMAIL --password-file FILE|- --company ID\n"
                   "                       [--name NAME] [--role owner|member|read_only]\n"
                   "  --password-file FILE  the password: the first line of FILE, or of\n"
                   "                        standard input with '-'\n"
                   "  --password PASSWORD   the same on the command line (visible to other\n"
                   "                        local users in the process list; avoid)\n");
            return CLI_EXIT_OK;
        default:
            return CLI_EXIT_USAGE;
        }
    }
    if (!strchr(u.email, '@')) {
        cli_errorf("user add", "--email: an e-mail address is required");
        return CLI_EXIT_USAGE;
    }
    if (!ua.password || strlen(ua.password) < APP_PASSWORD_MIN) {
        cli_errorf("user add", "--password: at least 8 characters are required");
        return CLI_EXIT_USAGE;
    }
    if (!company_id || app_companies_get(&ax, company_id, &co, &e)) {
        cli_errorf("user add", "--company: no company with id %lld", (long long)company_id);
        return CLI_EXIT_USAGE;
    }
    ax.company_id = co.id;
    ax.today = cli_today(c);
    if (app_atomic(&ax, add_user, &ua, &e)) {
        cli_errorf("user add", "%s",
                   e.detail[0]                    ? e.detail
                   : !strcmp(e.field, "password") ? "could not hash the password"
                                                  : pm_err_name(e.rc));
        return CLI_EXIT_FAILED;
    }
    printf("user %lld: %s, %s of company %lld (%s)\n", (long long)u.id, u.email,
           store_role_name(ua.role), (long long)company_id, co.name);
    return CLI_EXIT_OK;
}

int cli_user(struct cli *c, int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "add"))
        return user_add(c, argc - 1, argv + 1);
    printf("usage: paminn user add --help\n");
    return wants_help(argc, argv) ? CLI_EXIT_OK : CLI_EXIT_USAGE;
}
