/*
 * app_demo.c — the demo company: a deterministic, realistic company with
 * customers, invoices and payments, and the vouchers the product would
 * have booked for them (see app_demo.h).
 *
 * Part of src/app.  One company (Snickarglädje i Västerås AB) with
 * customers that a Swedish small business has: private persons with
 * personnummer, companies with organisationsnummer, a few foreign
 * customers invoiced in SEK (and one in EUR), some customer cards lacking
 * an address or postal code; standard, ROT and RUT invoices spread over
 * the last 14 months, most paid, some part paid, some overdue.
 * Everything follows from a fixed seed and the company's "today", so the
 * same date gives the same database.  The invoices are written with
 * their lines, buyers, payments and history events as batches of the
 * store (store_invoice_insert_batch: a few round trips a batch of
 * DEMO_COMMIT_EVERY invoices, a COPY a table on PostgreSQL), a
 * transaction each (fast: a million invoices for the benchmarks).
 */
#include "app/app_demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/idnum.h"
#include "core/invoice.h"
#include "core/money.h"
#include "core/vat.h"
#include "core/voucher.h"
#include "store/store_books.h"

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

static void make_customer(size_t i, uint64_t *rng, struct customer *cu, struct app_demo_summary *s)
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
    enum vat_index vat;
    bool labour;
};

static const struct demo_line standard_lines[] = {
    {"Konsulttimmar snickeri", 72500, VAT_25, false},
    {"Trävaror och beslag", 184000, VAT_25, false},
    {"Platsbesök och offert", 95000, VAT_25, false},
    {"Fika till byggmöte", 24000, VAT_12, false},
    {"Ritningar och handböcker", 39000, VAT_6, false},
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
        lines[n].line.vat_rate_bp = vat_rates[VAT_25].bp;
        lines[n].line.labour = true;
        n++;
        snprintf(lines[n].description, sizeof(lines[n].description), "%s",
                 rot ? "Material: kakel och fix" : "Städmaterial");
        lines[n].line.quantity_milli = 1000;
        lines[n].line.unit_price_minor = 10000 * (int64_t)(5 + pick(rng, 200));
        lines[n].line.vat_rate_bp = vat_rates[VAT_25].bp;
        n++;
        return n;
    }
    for (size_t k = 1 + pick(rng, 3); n < k; n++) {
        const struct demo_line *dl = &standard_lines[pick(rng, COUNT(standard_lines))];

        snprintf(lines[n].description, sizeof(lines[n].description), "%s", dl->description);
        lines[n].line.quantity_milli = 500 * (int64_t)(1 + pick(rng, 40));
        lines[n].line.unit_price_minor = dl->unit_price_minor;
        /* Services to customers abroad carry no Swedish VAT. */
        lines[n].line.vat_rate_bp = vat_rates[foreign_customer ? VAT_0 : dl->vat].bp;
    }
    return n;
}

/* An invoice of the demo as it is built, before it is written: the rows
 * that go with it in the batch (store_invoice_insert_batch). */
struct demo_slot {
    struct invoice_line_row lines[4];
    struct invoice_buyer buyer;
    struct payment pay;
};

/* Event k of an invoice (not zeroed first: a history event is kilobytes,
 * and the store reads its text up to the NUL). */
static void set_event(struct history_event *ev, int32_t day, const char *kind, const char *message)
{
    ev->company_id = 0;
    ev->id = 0;
    ev->invoice_id = 0;
    ev->at_us = ((int64_t)day * 86400 + 9 * 3600) * 1000000;
    snprintf(ev->kind, sizeof(ev->kind), "%s", kind);
    snprintf(ev->actor, sizeof(ev->actor), "%s", APP_DEMO_EMAIL);
    snprintf(ev->message, sizeof(ev->message), "%s", message);
    memcpy(ev->data, "{}", 3);
}

/* Build invoice j of the demo into item (its rows in slot, its events in
 * evs[0..3)), drawing from rng in the same order as ever, so that the
 * same seed gives the same invoices. */
static enum pm_err make_invoice(const struct company *co, size_t j, const struct customer *cu,
                                int32_t today, uint64_t *rng, struct demo_slot *slot,
                                struct history_event *evs, struct store_invoice_new *item)
{
    struct invoice_line_row *lines = slot->lines;
    struct invoice_line plain[4];
    struct invoice_buyer *buyer = &slot->buyer;
    struct invoice_totals t;
    struct invoice *inv = &item->inv;
    struct payment *pay = &slot->pay;
    struct pm_error err;
    bool foreign_customer = strcmp(cu->country, "SE") != 0;
    size_t n;
    uint32_t roll;
    int32_t age;
    enum pm_err rc;

    memset(item, 0, sizeof(*item));
    memset(lines, 0, sizeof(slot->lines));
    memset(buyer, 0, sizeof(*buyer));
    inv->company_id = co->id;
    inv->customer_id = cu->id;
    inv->reminder_fee_agreed_minor = co->reminder_fee_agreed ? co->reminder_fee_minor : 0;
    inv->kind = INVOICE_STANDARD;
    if (!cu->is_company && !foreign_customer && j % 12 == 3)
        inv->kind = INVOICE_ROT;
    else if (!cu->is_company && !foreign_customer && j % 12 == 7)
        inv->kind = INVOICE_RUT;
    snprintf(inv->currency, sizeof(inv->currency), "%s",
             foreign_customer && j % 40 == 0 ? "EUR" : "SEK");
    inv->invoice_date = today - (int32_t)pick(rng, 420);
    inv->due_date = inv->invoice_date + (j % 10 == 0 ? 10 : co->payment_terms_days);
    n = make_lines(inv->kind, foreign_customer, rng, lines);
    for (size_t k = 0; k < n; k++) {
        plain[k] = lines[k].line;
        lines[k].net_minor = 0;
    }
    rc = invoice_compute(inv->kind, inv->invoice_date, plain, n, &t, &err);
    if (rc)
        return rc;
    for (size_t k = 0; k < n; k++)
        money_mul_div(plain[k].quantity_milli, plain[k].unit_price_minor, 1000,
                      &lines[k].net_minor);
    inv->net_minor = t.net_minor;
    inv->vat_minor = t.vat_minor;
    inv->total_minor = t.total_minor;
    inv->tax_reduction_minor = t.tax_reduction_minor;
    inv->customer_part_minor = t.customer_part_minor;
    item->lines = lines;
    item->n_lines = n;
    if (inv->kind != INVOICE_STANDARD) {
        snprintf(buyer->id_number, sizeof(buyer->id_number), "%s", cu->id_number);
        snprintf(buyer->name, sizeof(buyer->name), "%s", cu->name);
        item->buyers = buyer;
        item->n_buyers = 1;
    }
    set_event(&evs[0], inv->invoice_date, "created", "Faktura skapad");
    set_event(&evs[1], inv->invoice_date, "sent", "Faktura skickad via e-post");
    item->events = evs;
    item->n_events = 2;

    /* Who has paid: the older the invoice, the likelier. */
    age = today - inv->due_date;
    roll = pick(rng, 100);
    if ((age > 60 && roll < 88) || (age > 15 && roll < 65) || (age > 0 && roll < 35) ||
        (age <= 0 && roll < 20)) {
        memset(pay, 0, sizeof(*pay));
        pay->amount_minor = inv->customer_part_minor;
        if (roll % 9 == 4)
            pay->amount_minor = inv->customer_part_minor / 2; /* a part payment */
        pay->date = inv->due_date - 3 + (int32_t)pick(rng, 10);
        if (pay->date > today)
            pay->date = today;
        pay->source = PAYMENT_MANUAL;
        item->payments = pay;
        item->n_payments = 1;
        set_event(&evs[2], pay->date, "payment",
                  pay->amount_minor < inv->customer_part_minor ? "Delbetalning registrerad"
                                                               : "Betalning registrerad");
        item->n_events = 3;
    }
    return PM_OK;
}

/* The payment's reference names the invoice's number, known once the
 * batch has chosen it. */
static void demo_numbered(void *arg, struct store_invoice_new *item)
{
    (void)arg;
    if (item->n_payments)
        snprintf(item->payments[0].reference, sizeof(item->payments[0].reference), "Bankgiro %lld",
                 (long long)item->inv.number);
}

/* The invoices of the demo in batches of DEMO_COMMIT_EVERY, a transaction
 * each (the caller's first one open). */
struct demo_batch {
    struct store_invoice_new *items;
    struct demo_slot *slots;
    struct history_event *evs; /* up to 3 a slot, the items' one after the other */
};

static enum pm_err write_batch(struct store *st, struct demo_batch *b, size_t n,
                               struct app_demo_summary *s)
{
    enum pm_err rc;
    size_t k;

    rc = store_invoice_insert_batch(st, b->items, n, demo_numbered, NULL);
    for (k = 0; !rc && k < n; k++) {
        const struct invoice *inv = &b->items[k].inv;

        s->invoices++;
        s->rot += inv->kind == INVOICE_ROT;
        s->rut += inv->kind == INVOICE_RUT;
        s->eur += !strcmp(inv->currency, "EUR");
        s->payments += b->items[k].n_payments;
    }
    return rc;
}

#define DEMO_PAGE 500

/* The vouchers of a page of invoices: the invoice voucher and a voucher
 * per payment of each, booked with one store_books_voucher_insert_batch. */
struct demo_books {
    struct voucher *v;
    size_t n, cap;
};

/* The invoice voucher and a voucher per payment of one invoice, added to
 * books. */
static enum pm_err demo_invoice_vouchers(struct store *st, const struct invoice *inv, bool cash,
                                         struct invoice_line_row *rows, struct invoice_line *lines,
                                         struct payment *pays, struct demo_books *books)
{
    struct voucher_invoice vi;
    struct voucher_payment vp;
    struct voucher *v;
    struct customer cu;
    struct pm_error pe = {0};
    size_t n = 0, i, n_pays = 0;
    enum pm_err rc;

    rc = store_invoice_lines(st, inv->company_id, inv->id, rows, STORE_LINES_MAX, &n);
    if (!rc)
        rc = store_customer_get(st, inv->company_id, inv->customer_id, &cu);
    if (!rc)
        rc = store_payment_list(st, inv->company_id, inv->id, pays, DEMO_PAGE, &n_pays);
    if (rc)
        return rc;
    if (books->n + 1 + n_pays > books->cap) {
        size_t cap = (books->cap + 1 + n_pays) * 2;

        v = realloc(books->v, cap * sizeof(*v));
        if (!v)
            return PM_ERR_NOMEM;
        books->v = v;
        books->cap = cap;
    }
    memset(&vi, 0, sizeof(vi));
    for (i = 0; i < n; i++)
        lines[i] = rows[i].line;
    rc = invoice_compute(inv->kind, inv->invoice_date, lines, n, &vi.totals, &pe);
    if (rc)
        return rc;
    vi.number = inv->number;
    vi.customer_name = inv->customer_name;
    vi.market = voucher_market_of(cu.country);
    if (!cash) {
        v = &books->v[books->n];
        rc = voucher_invoice_issued(&vi, inv->invoice_date, v);
        v->company_id = inv->company_id;
        v->invoice_id = inv->id;
        books->n += !rc;
    }
    for (i = 0; !rc && i < n_pays; i++) {
        v = &books->v[books->n];
        memset(&vp, 0, sizeof(vp));
        vp.amount_minor = vp.capital_minor = pays[i].amount_minor;
        vp.cash_method = cash;
        vp.via = pays[i].source == PAYMENT_BGMAX ? "Bankgiro" : "Inbetalning";
        vp.reference = pays[i].reference;
        rc = voucher_payment(&vi, &vp, pays[i].date, v);
        v->company_id = inv->company_id;
        v->invoice_id = inv->id;
        books->n += !rc;
    }
    return rc;
}

enum pm_err app_demo_vouchers(struct store *st, int64_t company_id, int32_t today, int64_t *made)
{
    struct invoice_query q;
    struct invoice *page = calloc(DEMO_PAGE, sizeof(*page));
    struct invoice_line_row *rows = calloc(STORE_LINES_MAX, sizeof(*rows));
    struct invoice_line *lines = calloc(STORE_LINES_MAX, sizeof(*lines));
    struct payment *pays = calloc(DEMO_PAGE, sizeof(*pays));
    struct demo_books books = {0};
    struct company co;
    size_t n = 0, i, done = 0;
    enum pm_err rc;

    *made = 0;
    rc = !page || !rows || !lines || !pays ? PM_ERR_NOMEM : store_company_get(st, company_id, &co);
    if (!rc)
        rc = store_begin_for(st, company_id);
    memset(&q, 0, sizeof(q));
    q.filter = FILTER_ALL;
    q.sort = SORT_NUMBER_ASC;
    q.today = today;
    q.limit = DEMO_PAGE;
    while (!rc) {
        rc = store_invoice_list(st, company_id, &q, page, DEMO_PAGE, &n);
        books.n = 0;
        for (i = 0; !rc && i < n; i++)
            if (!strcmp(page[i].currency, "SEK")) /* the books are in SEK */
                rc = demo_invoice_vouchers(st, &page[i], co.accounting_method == ACCOUNTING_CASH,
                                           rows, lines, pays, &books);
        if (!rc)
            rc = store_books_voucher_insert_batch(st, books.v, books.n);
        if (!rc)
            *made += (int64_t)books.n;
        done += n;
        if (!rc && done % 2000 == 0) {
            rc = store_commit(st);
            if (!rc)
                rc = store_begin_for(st, company_id);
        }
        if (rc || n < DEMO_PAGE)
            break;
        q.after.set = true;
        q.after.key = page[n - 1].number;
        q.after.id = page[n - 1].id;
    }
    if (!rc)
        rc = store_commit(st);
    else
        store_rollback(st);
    free(books.v);
    free(pays);
    free(lines);
    free(rows);
    free(page);
    return rc;
}

/* From this many invoices on, the big tables' read indexes (and on
 * PostgreSQL their foreign keys) are set aside while the rows go in and
 * built afterwards (store_indexes_defer): a dozen indexes on invoices,
 * kept up row by row in random order, are most of the time of a large
 * load on SQLite; a query per row for its foreign key half of it on
 * PostgreSQL. */
#define DEMO_DEFER_INDEXES_FROM 20000
static const char *const bulk_tables[] = {"invoices", "invoice_lines",  "invoice_buyers",
                                          "payments", "history_events", NULL};

enum pm_err app_demo_build(struct store *st, const struct app_demo_options *o,
                           struct app_demo_summary *s, struct app_error *e)
{
    char org_base[10] = "556677889";
    struct company *co = &s->company;
    struct customer *custs = NULL;
    struct demo_batch batch = {0};
    struct user u = {0};
    struct app_ctx ax = {.store = st};
    uint64_t rng = UINT64_C(20251223);
    int32_t today = o->today;
    size_t n_custs, n_evs = 0;
    enum pm_err rc = PM_OK;

    memset(s, 0, sizeof(*s));
    if (!store_user_get_by_email(st, APP_DEMO_EMAIL, &u))
        return app_error_set(e, PM_ERR_CONFLICT, "conflict", "email");
    memset(&u, 0, sizeof(u));
    if (secret_init())
        return app_error_set(e, PM_ERR_INTERNAL, "internal_error", NULL);
    if (o->password) {
        snprintf(s->password, sizeof(s->password), "%s", o->password);
    } else {
        secret_random_token(s->password);
        s->password[12] = '\0';
    }

    snprintf(co->name, sizeof(co->name), "Snickarglädje i Västerås AB");
    snprintf(co->organization_no, sizeof(co->organization_no), "%s%d", org_base,
             luhn_check_digit(org_base, 9));
    snprintf(co->address_line_1, sizeof(co->address_line_1), "Kopparbergsvägen 10");
    snprintf(co->zip_code, sizeof(co->zip_code), "722 13");
    snprintf(co->city, sizeof(co->city), "Västerås");
    snprintf(co->country, sizeof(co->country), "SE");
    snprintf(co->email, sizeof(co->email), "faktura@snickarglädje.example.se");
    snprintf(co->phone, sizeof(co->phone), "021-12 34 56");
    snprintf(co->bankgiro, sizeof(co->bankgiro), "5050-1055");
    co->payment_terms_days = 30;
    co->reminder_fee_agreed = true;
    co->reminder_fee_minor = 6000;
    co->accounting_method = ACCOUNTING_ACCRUAL;
    snprintf(co->language, sizeof(co->language), "sv");
    snprintf(co->timezone, sizeof(co->timezone), "Europe/Stockholm");

    snprintf(u.email, sizeof(u.email), APP_DEMO_EMAIL);
    snprintf(u.name, sizeof(u.name), "Demo Bokförare");
    rc = secret_password_hash(s->password, u.password_hash, sizeof(u.password_hash));
    if (rc)
        return app_error_set(e, rc, "internal_error", "password");

    if (o->progress)
        o->progress(o->arg, 0);
    n_custs = (size_t)(o->invoices / 25);
    n_custs = n_custs < 40 ? 40 : n_custs > 40000 ? 40000 : n_custs;
    custs = calloc(n_custs, sizeof(*custs));
    batch.items = calloc(DEMO_COMMIT_EVERY, sizeof(*batch.items));
    batch.slots = calloc(DEMO_COMMIT_EVERY, sizeof(*batch.slots));
    batch.evs = calloc(3 * DEMO_COMMIT_EVERY, sizeof(*batch.evs));
    if (!custs || !batch.items || !batch.slots || !batch.evs) {
        rc = app_error_set(e, PM_ERR_NOMEM, "internal_error", NULL);
        goto out_free;
    }
    rc = store_begin(st);
    if (rc)
        goto out_failed;
    rc = store_company_insert(st, co);
    if (!rc)
        rc = store_user_insert(st, &u);
    if (!rc)
        rc = store_membership_set(st, co->id, u.id, ROLE_OWNER);
    for (size_t i = 0; !rc && i < n_custs; i++) {
        custs[i].company_id = co->id;
        make_customer(i, &rng, &custs[i], s);
        rc = store_customer_insert(st, &custs[i]);
    }
    if (!rc)
        rc = store_commit(st);
    if (rc) {
        store_rollback(st);
        goto out_failed;
    }
    if (!rc)
        rc = store_bulk_writes(st, true);
    if (!rc && o->invoices >= DEMO_DEFER_INDEXES_FROM)
        rc = store_indexes_defer(st, bulk_tables);
    if (rc)
        goto out_failed;
    /* The invoices: a batch a transaction of its own (no savepoint inside a
     * transaction of the caller: SQLite's cost of a statement inside a
     * savepoint grows with the transaction). */
    for (int64_t j = 0; !rc && j < o->invoices; j++) {
        size_t ci = j < (int64_t)n_custs ? (size_t)j : pick(&rng, (uint32_t)n_custs);
        size_t k = (size_t)(j % DEMO_COMMIT_EVERY);

        if (k == 0)
            n_evs = 0;
        rc = make_invoice(co, (size_t)j, &custs[ci], today, &rng, &batch.slots[k],
                          &batch.evs[n_evs], &batch.items[k]);
        n_evs += batch.items[k].n_events;
        if (!rc && (k + 1 == DEMO_COMMIT_EVERY || j + 1 == o->invoices))
            rc = write_batch(st, &batch, k + 1, s);
        if (!rc && (j + 1) % DEMO_COMMIT_EVERY == 0 && o->progress)
            o->progress(o->arg, j + 1);
    }
    /* the indexes, each built with one sort (before the vouchers, which
     * read the invoices in number order) */
    if (!rc)
        rc = store_indexes_restore(st);
    if (rc)
        goto out_failed;
    /* the vouchers of the invoices and payments */
    if (o->vouchers == 1 || (o->vouchers == -1 && o->invoices <= 50000))
        rc = app_demo_vouchers(st, co->id, today, &s->vouchers);
    if (!rc)
        rc = store_invoice_counts(st, co->id, today, s->counts);
out_failed:
    if (rc) {
        app_store_failed(&ax, rc, e);
        store_rollback(st);
        store_indexes_restore(st); /* else the next store_migrate() */
    }
    store_bulk_writes(st, false);
out_free:
    free(batch.evs);
    free(batch.slots);
    free(batch.items);
    free(custs);
    return rc;
}
