/*
 * cli.h — the `paminn` command line: shared context of the subcommands.
 *
 * src/cli turns argv into calls of the application layer (src/app) and
 * their results into text; it knows nothing of HTTP.  The binary's main()
 * (src/main/main.c) parses the global options into a struct cli, opens
 * what a subcommand asks for, and dispatches through a table of commands;
 * each subcommand lives in its own file and reports errors on stderr with
 * a non-zero exit code (1 = the operation failed, 2 = bad usage).
 */
#ifndef PM_CLI_H
#define PM_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/clock.h"
#include "util/err.h"

struct store;
struct tz;

#define CLI_EXIT_OK     0
#define CLI_EXIT_FAILED 1
#define CLI_EXIT_USAGE  2

struct cli {
    const char *program;  /* argv[0] */
    const char *db;       /* --db DSN */
    const char *data_dir; /* --data-dir: where reference-rates.csv and camt054.xsd are */
    struct clock clock;   /* --now fixes it */
    struct store *store;  /* opened and migrated for commands that need it */
    struct tz *tz;        /* Europe/Stockholm */
};

struct app_ctx;
struct app_error;
struct company;

/* The company's local date now. */
int32_t cli_today(const struct cli *c);

/* Subcommands: argv[0] is the subcommand's name. */
int cli_migrate(struct cli *c, int argc, char **argv);
int cli_demo_data(struct cli *c, int argc, char **argv);
int cli_company(struct cli *c, int argc, char **argv);
int cli_user(struct cli *c, int argc, char **argv);
/* books.c */
int cli_export_sie(struct cli *c, int argc, char **argv);
int cli_import_bgmax(struct cli *c, int argc, char **argv);
int cli_import_camt054(struct cli *c, int argc, char **argv);
/* Read and compile DATA_DIR/camt054.xsd (the reason on stderr as
 * `paminn CMD: ...` when it cannot); free *out with camt054_schema_free(). */
struct camt054_schema;
enum pm_err cli_load_camt054_schema(const char *cmd, const char *data_dir,
                                    struct camt054_schema **out);
int cli_unmatched(struct cli *c, int argc, char **argv);
/* `paminn credit-note`: src/cli/credit.c */
int cli_credit_note(struct cli *c, int argc, char **argv);
/* `paminn statement`: src/cli/statement.c */
int cli_statement(struct cli *c, int argc, char **argv);
/* An operation's failure as a command-line error (message, field, reason). */
void cli_report(const char *cmd, const struct app_error *e);
/* The application context for company_id (its row read into *co). */
int cli_books_ctx(struct cli *c, const char *cmd, int64_t company_id, struct company *co,
                  struct app_ctx *ax);
/* rules.c; cli_load_rates() reads DATA_DIR/reference-rates.csv (the
 * reason on stderr as `paminn CMD: ...` when it cannot) */
struct rate_table;
enum pm_err cli_load_rates(const char *cmd, const char *data_dir, struct rate_table *rates);
int cli_books_lock(struct cli *c, int argc, char **argv);
/* remind.c */
int cli_remind(struct cli *c, int argc, char **argv);
int cli_rates(struct cli *c, int argc, char **argv);

/* Print "paminn SUBCOMMAND: message" to stderr. */
void cli_errorf(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Strict integer option parsing: the whole text, within [min, max]. */
bool cli_parse_int(const char *s, int64_t min, int64_t max, int64_t *out);
/* Is value of option acceptable free text: under cap bytes (cap 0: any
 * length) and clean by the API's rule (core/text.h)?  When not, the reason
 * naming the option is on stderr. */
bool cli_text_ok(const char *cmd, const char *option, const char *value, size_t cap);

#endif
