/*
 * demo.c — `paminn demo-data`: a deterministic, realistic demo company.
 *
 * One company (Snickarglädje i Västerås AB) with customers that a Swedish
 * small business has: private persons with personnummer, companies with
 * organisationsnummer, a few foreign customers invoiced in SEK (and one in
 * EUR), some customer cards lacking an address or postal code; standard,
 * ROT and RUT invoices spread over the last 14 months, most paid, some part
 * paid, some overdue.  Everything follows from a fixed seed and the
 * company's "today", so the same --now gives the same database.
 * --invoices N scales the company up (a million for the benchmarks).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/app_demo.h"
#include "cli/cli.h"
#include "core/date.h"
#include "core/idnum.h"
#include "core/invoice.h"
#include "core/money.h"
#include "store/store.h"
#include "util/secret.h"

#define DEMO_EMAIL        "demo@example.se"
#define DEMO_COMMIT_EVERY 2000

static const char *const first_names[] = {
    "Anna",   "Erik",  "Maria", "Lars",  "Karin",  "Johan", "Eva",  "Anders",
    "Sara",   "Per",   "Lena",  "Nils",  "Ingrid", "Oskar", "Elsa", "Gustav",
    "Astrid", "Björn", "Åsa",   "Örjan", "Märta",  "Sven",  "Ulla", "Håkan",
};
static const char *const last_names[] = {
    "Andersson", "Johansson", "Karlsson", "Nilsson",    "Eriksson",  "Larsson",
    "Olsson",    "Persson",   "Svensson", "Gustafsson", "Lindström", "Åberg",
    "Öberg",     "Björk",     "Sjöberg",  "Engström",   "Holmgren",  "Lundqvist",
};
static const char *const company_forms[] = {
    "%s Bygg AB",    "%ss Måleri AB",  "Fastighets AB %s",
    "%s Konsult AB", "%s Trädgård HB", "%s El & VVS AB",
};
static const char *const streets[] = {
    "Storgatan",       "Drottninggatan", "Kungsgatan", "Vasagatan", "Sveavägen",
    "Östra Långgatan", "Björkvägen",     "Ekbacken",   "Skolgatan", "Järnvägsgatan",
};
static const struct {
    const char *city, *zip;
} cities[] = {
    {"Stockholm", "114 55"}, {"Göteborg", "411 38"}, {"Malmö", "211 22"},
    {"Uppsala", "753 20"},   {"Västerås", "722 15"}, {"Örebro", "702 10"},
    {"Linköping", "582 24"}, {"Umeå", "903 26"},     {"Luleå", "972 31"},
    {"Jönköping", "553 15"}, {"Gävle", "803 20"},    {"Sundsvall", "852 30"},
};
static const struct {
    const char *name, *street, *zip, *city, *country, *language;
} foreign[] = {
    {"Nordfjord Eiendom AS", "Karl Johans gate 12", "0154", "Oslo", "NO", "en"},
    {"Øresund Design ApS", "Strøget 41", "1160", "København K", "DK", "en"},
    {"Saimaa Rakennus Oy", "Mannerheimintie 8", "00100", "Helsinki", "FI", "en"},
    {"Friedrich Holzbau GmbH", "Friedrichstraße 110", "10117", "Berlin", "DE", "en"},
    {"Ingrid Haugen", "Bryggen 3", "5003", "Bergen", "NO", "en"},
};

/* splitmix64: a small deterministic generator; the state lives in the caller. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));

    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static uint32_t pick(uint64_t *state, uint32_t n)
{
    return (uint32_t)(next_random(state) % n);
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct demo_stats {
    size_t customers, persons, businesses, foreign, incomplete;
    size_t invoices, rot, rut, eur, payments;
};

static void make_personnummer(uint64_t *rng, char *dst, size_t cap)
{
    char digits[11];
    int year = 1945 + (int)pick(rng, 58), month = 1 + (int)pick(rng, 12);
    int day = 1 + (int)pick(rng, (uint32_t)date_days_in_month(year, month));

    snprintf(digits, sizeof(digits), "%02u%02u%02u%03u", (unsigned)(year % 100),
             (unsigned)month % 100, (unsigned)day % 100, pick(rng, 1000) % 1000);
    snprintf(dst, cap, "%d%s%d", year / 100, digits, luhn_check_digit(digits, 9));
}

static void make_org_no(uint64_t *rng, char *dst, size_t cap)
{
    char digits[11];

    snprintf(digits, sizeof(digits), "55%07u", pick(rng, 10000000));
    snprintf(dst, cap, "%s%d", digits, luhn_check_digit(digits, 9));
}

static void make_customer(size_t i, uint64_t *rng, struct customer *cu, struct demo_stats *s)
{
    const char *last = last_names[pick(rng, COUNT(last_names))];
    size_t city = pick(rng, COUNT(cities));

    snprintf(cu->number, sizeof(cu->number), "%zu", 1001 + i);
    snprintf(cu->language, sizeof(cu->language), "sv");
    snprintf(cu->country, sizeof(cu->country), "SE");
    if (i % 17 == 5) {
        size_t f = (i / 17) % COUNT(foreign);

        snprintf(cu->name, sizeof(cu->name), "%s", foreign[f].name);
        if (i >= 17 * COUNT(foreign))
            snprintf(cu->name, sizeof(cu->name), "%s (%zu)", foreign[f].name, i);
        snprintf(cu->address_line_1, sizeof(cu->address_line_1), "%s", foreign[f].street);
        snprintf(cu->zip_code, sizeof(cu->zip_code), "%s", foreign[f].zip);
        snprintf(cu->city, sizeof(cu->city), "%s", foreign[f].city);
        snprintf(cu->country, sizeof(cu->country), "%s", foreign[f].country);
        snprintf(cu->language, sizeof(cu->language), "%s", foreign[f].language);
        cu->is_company = strstr(foreign[f].name, " AS") || strstr(foreign[f].name, " ApS") ||
                         strstr(foreign[f].name, " Oy") || strstr(foreign[f].name, " GmbH");
        s->foreign++;
    } else {
        cu->is_company = i % 3 == 0;
        if (cu->is_company) {
            snprintf(cu->name, sizeof(cu->name), company_forms[pick(rng, COUNT(company_forms))],
                     last);
            make_org_no(rng, cu->id_number, sizeof(cu->id_number));
            s->businesses++;
        } else {
            snprintf(cu->name, sizeof(cu->name), "%s %s",
                     first_names[pick(rng, COUNT(first_names))], last);
            make_personnummer(rng, cu->id_number, sizeof(cu->id_number));
            s->persons++;
        }
        snprintf(cu->address_line_1, sizeof(cu->address_line_1), "%s %u",
                 streets[pick(rng, COUNT(streets))], 1 + pick(rng, 80));
        snprintf(cu->zip_code, sizeof(cu->zip_code), "%s", cities[city].zip);
        snprintf(cu->city, sizeof(cu->city), "%s", cities[city].city);
    }
    /* Some customer cards are incomplete, as in real life: the hand-over
     * to the agency will name the missing field. */
    if (i % 23 == 7) {
        cu->address_line_1[0] = '\0';
        s->incomplete++;
    } else if (i % 29 == 11) {
        cu->zip_code[0] = '\0';
        s->incomplete++;
    }
    snprintf(cu->email, sizeof(cu->email), "kund%zu@example.se", 1001 + i);
    s->customers++;
}

struct demo_line {
    const char *description;
    int64_t unit_price_minor;
    int vat_rate_bp;
    bool labour;
};

static const struct demo_line standard_lines[] = {
    {"Konsulttimmar snickeri", 72500, 2500, false},  {"Trävaror och beslag", 184000, 2500, false},
    {"Platsbesök och offert", 95000, 2500, false},   {"Fika till byggmöte", 24000, 1200, false},
    {"Ritningar och handböcker", 39000, 600, false},
};

/* Fill the lines of invoice j; returns how many. */
static size_t make_lines(enum invoice_kind kind, bool foreign_customer, uint64_t *rng,
                         struct invoice_line_row *lines)
{
    size_t n = 0;

    if (kind == INVOICE_ROT || kind == INVOICE_RUT) {
        bool rot = kind == INVOICE_ROT;

        snprintf(lines[n].description, sizeof(lines[n].description), "%s",
                 rot ? "Arbetskostnad renovering badrum" : "Hemstädning, arbetskostnad");
        lines[n].line.quantity_milli = 1000 * (int64_t)(2 + pick(rng, 30));
        lines[n].line.unit_price_minor = rot ? 52000 : 36000;
        lines[n].line.vat_rate_bp = 2500;
        lines[n].line.labour = true;
        n++;
        snprintf(lines[n].description, sizeof(lines[n].description), "%s",
                 rot ? "Material: kakel och fix" : "Städmaterial");
        lines[n].line.quantity_milli = 1000;
        lines[n].line.unit_price_minor = 10000 * (int64_t)(5 + pick(rng, 200));
        lines[n].line.vat_rate_bp = 2500;
        n++;
        return n;
    }
    for (size_t k = 1 + pick(rng, 3); n < k; n++) {
        const struct demo_line *dl = &standard_lines[pick(rng, COUNT(standard_lines))];

        snprintf(lines[n].description, sizeof(lines[n].description), "%s", dl->description);
        lines[n].line.quantity_milli = 500 * (int64_t)(1 + pick(rng, 40));
        lines[n].line.unit_price_minor = dl->unit_price_minor;
        /* Services to customers abroad carry no Swedish VAT. */
        lines[n].line.vat_rate_bp = foreign_customer ? 0 : dl->vat_rate_bp;
    }
    return n;
}

static enum pm_err add_event(struct store *st, int64_t company_id, int64_t invoice_id, int32_t day,
                             const char *kind, const char *actor, const char *message)
{
    struct history_event ev = {0};

    ev.company_id = company_id;
    ev.invoice_id = invoice_id;
    ev.at_us = ((int64_t)day * 86400 + 9 * 3600) * 1000000;
    snprintf(ev.kind, sizeof(ev.kind), "%s", kind);
    snprintf(ev.actor, sizeof(ev.actor), "%s", actor);
    snprintf(ev.message, sizeof(ev.message), "%s", message);
    snprintf(ev.data, sizeof(ev.data), "{}");
    return store_history_insert(st, &ev);
}

static enum pm_err make_invoice(struct store *st, const struct company *co, size_t j,
                                const struct customer *cu, int32_t today, uint64_t *rng,
                                struct demo_stats *s)
{
    struct invoice_line_row lines[4] = {0};
    struct invoice_line plain[4];
    struct invoice_buyer buyer = {0};
    struct invoice_totals t;
    struct invoice inv = {0};
    struct payment pay = {0};
    struct pm_error err;
    bool foreign_customer = strcmp(cu->country, "SE") != 0;
    size_t n;
    uint32_t roll;
    int32_t age;
    enum pm_err rc;

    inv.company_id = co->id;
    inv.customer_id = cu->id;
    inv.kind = INVOICE_STANDARD;
    if (!cu->is_company && !foreign_customer && j % 12 == 3)
        inv.kind = INVOICE_ROT;
    else if (!cu->is_company && !foreign_customer && j % 12 == 7)
        inv.kind = INVOICE_RUT;
    snprintf(inv.currency, sizeof(inv.currency), "%s",
             foreign_customer && j % 40 == 0 ? "EUR" : "SEK");
    inv.invoice_date = today - (int32_t)pick(rng, 420);
    inv.due_date = inv.invoice_date + (j % 10 == 0 ? 10 : co->payment_terms_days);
    n = make_lines(inv.kind, foreign_customer, rng, lines);
    for (size_t k = 0; k < n; k++) {
        plain[k] = lines[k].line;
        lines[k].net_minor = 0;
    }
    rc = invoice_compute(inv.kind, inv.invoice_date, plain, n, &t, &err);
    if (rc)
        return rc;
    for (size_t k = 0; k < n; k++)
        money_mul_div(plain[k].quantity_milli, plain[k].unit_price_minor, 1000,
                      &lines[k].net_minor);
    inv.net_minor = t.net_minor;
    inv.vat_minor = t.vat_minor;
    inv.total_minor = t.total_minor;
    inv.tax_reduction_minor = t.tax_reduction_minor;
    inv.customer_part_minor = t.customer_part_minor;
    if (inv.kind != INVOICE_STANDARD) {
        snprintf(buyer.id_number, sizeof(buyer.id_number), "%s", cu->id_number);
        snprintf(buyer.name, sizeof(buyer.name), "%s", cu->name);
    }
    rc = store_invoice_insert(st, &inv, lines, n, &buyer, inv.kind != INVOICE_STANDARD);
    if (rc)
        return rc;
    rc = add_event(st, co->id, inv.id, inv.invoice_date, "created", "demo@example.se",
                   "Faktura skapad");
    if (!rc)
        rc = add_event(st, co->id, inv.id, inv.invoice_date, "sent", "demo@example.se",
                       "Faktura skickad via e-post");
    if (rc)
        return rc;
    s->invoices++;
    s->rot += inv.kind == INVOICE_ROT;
    s->rut += inv.kind == INVOICE_RUT;
    s->eur += !strcmp(inv.currency, "EUR");

    /* Who has paid: the older the invoice, the likelier. */
    age = today - inv.due_date;
    roll = pick(rng, 100);
    if ((age > 60 && roll < 88) || (age > 15 && roll < 65) || (age > 0 && roll < 35) ||
        (age <= 0 && roll < 20)) {
        pay.amount_minor = inv.customer_part_minor;
        if (roll % 9 == 4)
            pay.amount_minor = inv.customer_part_minor / 2; /* a part payment */
        pay.company_id = co->id;
        pay.invoice_id = inv.id;
        pay.date = inv.due_date - 3 + (int32_t)pick(rng, 10);
        if (pay.date > today)
            pay.date = today;
        pay.source = PAYMENT_MANUAL;
        snprintf(pay.reference, sizeof(pay.reference), "Bankgiro %lld", (long long)inv.number);
        rc = store_payment_insert(st, &pay);
        if (!rc)
            rc = add_event(st, co->id, inv.id, pay.date, "payment", "demo@example.se",
                           pay.amount_minor < inv.customer_part_minor ? "Delbetalning registrerad"
                                                                      : "Betalning registrerad");
        s->payments += !rc;
    }
    return rc;
}

static int usage(FILE *f, int status)
{
    fprintf(f, "usage: paminn [--db DSN] [--now TIME] demo-data [--invoices N] [--password PW]\n"
               "              [--vouchers | --no-vouchers]\n\n"
               "Create the demo company Snickarglädje i Västerås AB with customers and\n"
               "invoices (default 400; up to 1000000), and the user " DEMO_EMAIL ".\n"
               "The same --now gives the same data.  The database must not hold the demo\n"
               "user already.  The invoices' and payments' vouchers are booked too (for the\n"
               "SIE export) unless --no-vouchers; above 50 000 invoices only with --vouchers.\n");
    return status;
}

int cli_demo_data(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        {"invoices", required_argument, NULL, 'i'}, {"password", required_argument, NULL, 'p'},
        {"vouchers", no_argument, NULL, 'v'},       {"no-vouchers", no_argument, NULL, 'V'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
    };
    char org_base[10] = "556677889", pw[SECRET_TOKEN_HEX], today_iso[DATE_ISO_LEN + 1];
    const char *password = NULL;
    struct demo_stats s = {0};
    struct company co = {0};
    struct customer *custs = NULL;
    struct user u = {0};
    int64_t n_invoices = 400, counts[FILTER_COUNT];
    int vouchers = -1; /* books (issue 6): -1 = on up to 50 000 invoices */
    int64_t n_vouchers = 0;
    uint64_t rng = UINT64_C(20251223);
    size_t n_custs;
    struct timespec t0, t1;
    int32_t today = cli_today(c);
    int opt, status = CLI_EXIT_FAILED;
    enum pm_err rc = PM_OK;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 'i':
            if (!cli_parse_int(optarg, 1, 1000000, &n_invoices)) {
                cli_errorf("demo-data", "--invoices: '%s' is not a number from 1 to 1000000",
                           optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'p':
            password = optarg;
            break;
        case 'v':
        case 'V':
            vouchers = opt == 'v';
            break;
        case 'h':
            return usage(stdout, CLI_EXIT_OK);
        default:
            return usage(stderr, CLI_EXIT_USAGE);
        }
    }
    if (optind < argc)
        return usage(stderr, CLI_EXIT_USAGE);
    if (password && strlen(password) < 8) {
        cli_errorf("demo-data", "--password: at least 8 characters are required");
        return CLI_EXIT_USAGE;
    }
    if (!store_user_get_by_email(c->store, DEMO_EMAIL, &u)) {
        cli_errorf("demo-data", "the database %s already holds the demo company; use a new --db",
                   c->db);
        return CLI_EXIT_FAILED;
    }
    if (secret_init())
        return CLI_EXIT_FAILED;
    if (!password) {
        secret_random_token(pw);
        pw[12] = '\0';
        password = pw;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    date_format_iso(today, today_iso);
    printf("demo-data: building the demo company as of %s in %s\n", today_iso, c->db);

    snprintf(co.name, sizeof(co.name), "Snickarglädje i Västerås AB");
    snprintf(co.organization_no, sizeof(co.organization_no), "%s%d", org_base,
             luhn_check_digit(org_base, 9));
    snprintf(co.address_line_1, sizeof(co.address_line_1), "Kopparbergsvägen 10");
    snprintf(co.zip_code, sizeof(co.zip_code), "722 13");
    snprintf(co.city, sizeof(co.city), "Västerås");
    snprintf(co.country, sizeof(co.country), "SE");
    snprintf(co.email, sizeof(co.email), "faktura@snickarglädje.example.se");
    snprintf(co.phone, sizeof(co.phone), "021-12 34 56");
    snprintf(co.bankgiro, sizeof(co.bankgiro), "5050-1055");
    co.payment_terms_days = 30;
    co.reminder_fee_agreed = true;
    co.reminder_fee_minor = 6000;
    co.accounting_method = ACCOUNTING_ACCRUAL;
    snprintf(co.language, sizeof(co.language), "sv");
    snprintf(co.timezone, sizeof(co.timezone), "Europe/Stockholm");

    snprintf(u.email, sizeof(u.email), DEMO_EMAIL);
    snprintf(u.name, sizeof(u.name), "Demo Bokförare");
    rc = secret_password_hash(password, u.password_hash, sizeof(u.password_hash));
    if (rc)
        goto out;

    n_custs = (size_t)(n_invoices / 25);
    n_custs = n_custs < 40 ? 40 : n_custs > 40000 ? 40000 : n_custs;
    custs = calloc(n_custs, sizeof(*custs));
    if (!custs) {
        rc = PM_ERR_NOMEM;
        goto out;
    }
    rc = store_begin(c->store);
    if (rc)
        goto out;
    rc = store_company_insert(c->store, &co);
    if (!rc)
        rc = store_user_insert(c->store, &u);
    if (!rc)
        rc = store_membership_set(c->store, co.id, u.id, ROLE_OWNER);
    for (size_t i = 0; !rc && i < n_custs; i++) {
        custs[i].company_id = co.id;
        make_customer(i, &rng, &custs[i], &s);
        rc = store_customer_insert(c->store, &custs[i]);
    }
    for (int64_t j = 0; !rc && j < n_invoices; j++) {
        size_t ci = j < (int64_t)n_custs ? (size_t)j : pick(&rng, (uint32_t)n_custs);

        rc = make_invoice(c->store, &co, (size_t)j, &custs[ci], today, &rng, &s);
        if (!rc && (j + 1) % DEMO_COMMIT_EVERY == 0) {
            rc = store_commit(c->store);
            if (!rc)
                rc = store_begin(c->store);
            if (!rc && (j + 1) % 100000 == 0)
                printf("demo-data: %lld invoices\n", (long long)(j + 1));
        }
    }
    if (!rc)
        rc = store_commit(c->store);
    if (rc) {
        store_rollback(c->store);
        goto out;
    }
    /* the vouchers of the invoices and payments */
    if (vouchers == 1 || (vouchers == -1 && n_invoices <= 50000))
        rc = app_demo_vouchers(c->store, co.id, today, &n_vouchers);
    if (rc)
        goto out;
    rc = store_invoice_counts(c->store, co.id, today, counts);
    if (rc)
        goto out;
    clock_gettime(CLOCK_MONOTONIC, &t1);

    printf("\nCompany %lld: %s, org. nr %.6s-%s, bankgiro %s\n", (long long)co.id, co.name,
           co.organization_no, co.organization_no + 6, co.bankgiro);
    printf("  customers: %zu (%zu persons, %zu companies, %zu abroad; %zu cards lack an "
           "address or postal code)\n",
           s.customers, s.persons, s.businesses, s.foreign, s.incomplete);
    printf("  invoices:  %zu (%zu ROT, %zu RUT, %zu in EUR), %zu payments\n", s.invoices, s.rot,
           s.rut, s.eur, s.payments);
    printf("  as of %s: %lld unpaid, of which %lld overdue; %lld paid\n", today_iso,
           (long long)counts[FILTER_UNPAID], (long long)counts[FILTER_OVERDUE],
           (long long)counts[FILTER_PAID]);
    printf("  vouchers:  %lld%s\n", (long long)n_vouchers,
           n_vouchers ? "" : " (--vouchers makes them; on by default up to 50 000 invoices)");
    printf("  log in as %s with password %s\n", DEMO_EMAIL, password);
    printf("  built in %.1f s\n",
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    status = CLI_EXIT_OK;
out:
    if (rc)
        cli_errorf("demo-data", "%s: %s", pm_err_name(rc),
                   store_error(c->store)->message[0] ? store_error(c->store)->message : "failed");
    free(custs);
    return status;
}
