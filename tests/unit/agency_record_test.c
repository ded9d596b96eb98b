/*
 * agency_record_test.c — unit tests for src/agency/agency_record.c: one
 * case as the agency reports it (an item of GET /cases) applied to the
 * books on a real SQLite file, or with PAMINN_TEST_DSN on a PostgreSQL
 * database of each test's own (pg_testdb.h).  New state and status history entries
 * become history events once each, the capital the agency collected
 * becomes an agency payment once, a closed case is recorded as closed, an
 * older reading or an unchanged etag changes nothing, a case that is not
 * ours is not found, an item without an id is refused.  A page of cases
 * applied at once (agency_record_cases, as the status sync does) writes
 * what applying its items one by one does, the same case twice in a page
 * included.  And the store
 * failing under it: each statement failing in turn (a driver wrapper, the
 * only fake here) fails the whole application, which the caller's
 * transaction then undoes — nothing of it is kept, and applied again
 * without a failure it records everything once.
 *
 * The live look-up (agency_record_live) goes through a scripted agency_ops
 * transport that answers the token request and GET /cases/{id} from a
 * script: the agency's refusals, an outage, a case that is not this one,
 * none of which amili-sandbox gives on demand for one request.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "agency/agency_edge.h"
#include "pg_testdb.h"
#include "agency/agency_record.h"
#include "store/sql.h"
#include "store/store.h"
#include "store/store_agency.h"
#include "store/store_driver.h"

#define GROSS 125000

struct fixture {
    char path[64];
    char name[64], dsn[512]; /* PostgreSQL: the test's own database */
    struct store *st;
    struct clock clock;
    int64_t company, invoice;
};

/* A company with one customer: its id, the customer's in *customer. */
static int64_t company_new(struct store *st, int64_t *customer)
{
    struct company co;
    struct customer cu;

    memset(&co, 0, sizeof(co));
    snprintf(co.name, sizeof(co.name), "Snickeri Ström AB");
    snprintf(co.country, sizeof(co.country), "SE");
    snprintf(co.language, sizeof(co.language), "sv");
    snprintf(co.timezone, sizeof(co.timezone), "Europe/Stockholm");
    co.payment_terms_days = 30;
    assert_int_equal(store_company_insert(st, &co), PM_OK);
    memset(&cu, 0, sizeof(cu));
    cu.company_id = co.id;
    snprintf(cu.name, sizeof(cu.name), "Anna Andersson");
    snprintf(cu.country, sizeof(cu.country), "SE");
    snprintf(cu.zip_code, sizeof(cu.zip_code), "72215");
    assert_int_equal(store_customer_insert(st, &cu), PM_OK);
    *customer = cu.id;
    return co.id;
}

/* An invoice of 1 250 kr handed over as case_id, as a registration
 * leaves it: its id. */
static int64_t handed_over(struct store *st, int64_t company, int64_t customer, const char *case_id)
{
    struct invoice inv;
    struct invoice_line_row line;
    struct agency_case c;

    memset(&inv, 0, sizeof(inv));
    memset(&line, 0, sizeof(line));
    inv.company_id = company;
    inv.customer_id = customer;
    inv.kind = INVOICE_STANDARD;
    snprintf(inv.currency, sizeof(inv.currency), "SEK");
    inv.invoice_date = 20179; /* 2025-04-01 */
    inv.due_date = 20209;
    inv.net_minor = 100000;
    inv.vat_minor = 25000;
    inv.total_minor = GROSS;
    inv.customer_part_minor = GROSS;
    snprintf(line.description, sizeof(line.description), "Snickeriarbete");
    line.line.quantity_milli = 1000;
    line.line.unit_price_minor = 100000;
    line.line.vat_rate_bp = 2500;
    line.net_minor = 100000;
    assert_int_equal(store_invoice_insert(st, &inv, &line, 1, NULL, 0), PM_OK);

    memset(&c, 0, sizeof(c));
    c.company_id = company;
    c.invoice_id = inv.id;
    snprintf(c.case_id, sizeof(c.case_id), "%s", case_id);
    snprintf(c.state, sizeof(c.state), "initializing");
    c.capital_minor = GROSS;
    c.remaining_minor = GROSS;
    c.registered_at = 1750000000;
    assert_int_equal(store_agency_case_insert(st, &c), PM_OK);
    return inv.id;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct pm_error e;
    int64_t customer = 0;
    int fd;

    assert_non_null(f);
    pm_error_clear(&e);
    if (on_pg()) {
        pg_create_db(f->name, f->dsn, sizeof(f->dsn));
        assert_int_equal(store_open(f->dsn, &f->st, &e), PM_OK);
    } else {
        snprintf(f->path, sizeof(f->path), "/tmp/paminn-record-XXXXXX");
        fd = mkstemp(f->path);
        assert_true(fd >= 0);
        close(fd);
        assert_int_equal(store_open(f->path, &f->st, &e), PM_OK);
    }
    f->clock.fixed_us = (int64_t)1750032000 * 1000000; /* 2025-06-16 */
    f->company = company_new(f->st, &customer);
    f->invoice = handed_over(f->st, f->company, customer, "case-1");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char side[80];

    store_close(&f->st);
    if (on_pg()) {
        pg_drop_db(f->name);
    } else {
        unlink(f->path);
        snprintf(side, sizeof(side), "%s-wal", f->path);
        unlink(side);
        snprintf(side, sizeof(side), "%s-shm", f->path);
        unlink(side);
    }
    free(f);
    return 0;
}

/* The case as the agency reports it: n_state state and n_status status
 * history entries (of fixed names), the capital still owed, closed. */
static json_t *item_of(const char *case_id, const char *etag, int n_state, int n_status,
                       double remaining_capital, bool closed, const char *status)
{
    static const char *const states[] = {"initializing", "reminder", "debt_collection"};
    static const char *const statuses[] = {"reminder_sent", "instalment_plan", "paid"};
    json_t *sh = json_array(), *th = json_array();
    int i;

    for (i = 0; i < n_state; i++)
        json_array_append_new(
            sh, json_pack("{s:s, s:s}", "state", states[i], "state_date", "2025-06-10T08:00:00Z"));
    for (i = 0; i < n_status; i++)
        json_array_append_new(th, json_pack("{s:s, s:s}", "status", statuses[i], "status_date",
                                            "2025-06-11T08:00:00Z"));
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:f, s:f, s:f, s:s, s:o, s:o}", "_id",
                     case_id, "_etag", etag, "_updated", "Mon, 16 Jun 2025 08:00:00 GMT", "state",
                     states[n_state ? n_state - 1 : 0], "status", status, "closed", closed, "ocr",
                     "7001", "local_added_capital_amount", 1250.0, "local_remaining_capital_amount",
                     remaining_capital, "local_remaining_transaction_amount", remaining_capital,
                     "original_invoice", "https://agency.example/inv/1.pdf", "state_history", sh,
                     "status_history", th);
}

static json_t *item(const char *etag, int n_state, int n_status, double remaining_capital,
                    bool closed, const char *status)
{
    return item_of("case-1", etag, n_state, n_status, remaining_capital, closed, status);
}

static int64_t events(struct fixture *f, const char *kind)
{
    struct history_event ev[32];
    size_t n = 0, i;
    int64_t k = 0;

    assert_int_equal(store_history_list(f->st, f->company, f->invoice, 0, ev, 32, &n), PM_OK);
    for (i = 0; i < n; i++)
        k += !strcmp(ev[i].kind, kind);
    return k;
}

static int64_t agency_paid(struct fixture *f)
{
    struct payment p[8];
    size_t n = 0, i;
    int64_t sum = 0;

    assert_int_equal(store_payment_list(f->st, f->company, f->invoice, p, 8, &n), PM_OK);
    for (i = 0; i < n; i++) {
        assert_int_equal(p[i].source, PAYMENT_AGENCY);
        sum += p[i].amount_minor;
    }
    return sum;
}

/* Apply in a transaction of the caller, committed or rolled back. */
static enum pm_err apply(struct fixture *f, json_t *it, bool force, bool *changed)
{
    enum pm_err rc;

    assert_int_equal(store_begin(f->st), PM_OK);
    rc = agency_record_case(f->st, &f->clock, f->company, it, force, changed);
    if (rc)
        assert_int_equal(store_rollback(f->st), PM_OK);
    else
        assert_int_equal(store_commit(f->st), PM_OK);
    return rc;
}

static void test_case_recorded_once(void **state)
{
    struct fixture *f = *state;
    json_t *first = item("e1", 2, 1, 1000.0, false, "reminder_sent");
    json_t *older = item("e0", 1, 0, 1250.0, false, "");
    json_t *closed = item("e2", 3, 3, 0.0, true, "paid");
    struct agency_case c;
    bool changed = false;

    assert_int_equal(apply(f, first, false, &changed), PM_OK);
    assert_true(changed);
    assert_int_equal(events(f, "amili_state"), 2);
    assert_int_equal(events(f, "amili_status"), 1);
    assert_int_equal(events(f, "amili_payment"), 1);
    assert_int_equal(agency_paid(f), 25000); /* 1 250 kr handed over, 1 000 kr still owed */
    assert_int_equal(store_agency_case_get(f->st, f->company, f->invoice, &c), PM_OK);
    assert_string_equal(c.etag, "e1");
    assert_string_equal(c.ocr, "7001");
    assert_string_equal(c.status, "reminder_sent");
    assert_string_equal(c.original_invoice_url, "https://agency.example/inv/1.pdf");
    assert_int_equal(c.state_events, 2);
    assert_false(c.instalment_plan);

    /* The same etag again: nothing new; forced, the amounts only. */
    assert_int_equal(apply(f, first, false, &changed), PM_OK);
    assert_false(changed);
    assert_int_equal(apply(f, first, true, &changed), PM_OK);
    assert_false(changed);
    assert_int_equal(events(f, "amili_state"), 2);
    assert_int_equal(agency_paid(f), 25000);
    /* An older reading (fewer history entries): ignored. */
    assert_int_equal(apply(f, older, false, &changed), PM_OK);
    assert_false(changed);
    assert_int_equal(store_agency_case_get(f->st, f->company, f->invoice, &c), PM_OK);
    assert_string_equal(c.etag, "e1");

    /* Closed as paid: the rest of the capital, the new entries, closed once. */
    assert_int_equal(apply(f, closed, false, &changed), PM_OK);
    assert_true(changed);
    assert_int_equal(events(f, "amili_state"), 3);
    assert_int_equal(events(f, "amili_status"), 3);
    assert_int_equal(events(f, "amili_closed"), 1);
    assert_int_equal(agency_paid(f), GROSS);
    assert_int_equal(store_agency_case_get(f->st, f->company, f->invoice, &c), PM_OK);
    assert_true(c.closed);
    assert_true(c.instalment_plan);
    assert_int_equal(c.agency_paid_minor, GROSS);
    json_decref(first);
    json_decref(older);
    json_decref(closed);
}

static void test_not_ours_or_not_a_case(void **state)
{
    struct fixture *f = *state;
    json_t *other = json_pack("{s:s, s:s}", "_id", "case-9", "_etag", "x");
    json_t *no_id = json_pack("{s:s}", "_etag", "x");
    json_t *not_object = json_string("case-1");

    assert_int_equal(apply(f, other, false, NULL), PM_ERR_NOT_FOUND);
    assert_int_equal(apply(f, no_id, false, NULL), PM_ERR_INVALID);
    assert_int_equal(apply(f, not_object, false, NULL), PM_ERR_INVALID);
    assert_int_equal(events(f, "amili_state"), 0);
    json_decref(other);
    json_decref(no_id);
    json_decref(not_object);
}

/* A sparse case: history entries without a name or a date, no OCR, no
 * status; the capital the agency collected on an invoice already paid
 * here is shown in the history but not paid twice. */
static void test_sparse_case_and_paid_invoice(void **state)
{
    struct fixture *f = *state;
    json_t *sparse = json_pack("{s:s, s:s, s:[{}], s:[], s:f, s:f}", "_id", "case-1", "_etag", "s1",
                               "state_history", "status_history", "local_added_capital_amount",
                               1250.0, "local_remaining_capital_amount", 250.0);
    struct agency_case c;
    struct payment p;
    bool changed = false;

    memset(&p, 0, sizeof(p));
    p.company_id = f->company;
    p.invoice_id = f->invoice;
    p.date = 20200;
    p.amount_minor = GROSS;
    assert_int_equal(store_payment_insert(f->st, &p), PM_OK); /* paid here in full */
    assert_int_equal(apply(f, sparse, false, &changed), PM_OK);
    assert_true(changed);
    assert_int_equal(events(f, "amili_state"), 1);
    assert_int_equal(events(f, "amili_payment"), 1); /* 1 000 kr collected, shown */
    assert_int_equal(store_agency_case_get(f->st, f->company, f->invoice, &c), PM_OK);
    assert_string_equal(c.ocr, "");
    assert_string_equal(c.status, "");
    assert_int_equal(c.agency_paid_minor, 100000);
    {
        struct payment list[4];
        size_t n = 0;

        assert_int_equal(store_payment_list(f->st, f->company, f->invoice, list, 4, &n), PM_OK);
        assert_int_equal(n, 1); /* not paid twice */
    }
    json_decref(sparse);
}

/* ---- a page of cases ---- */

enum { PAGE_CASES = 4 }; /* case-a .. case-d */

/* A company with the page's four cases handed over; case-d already read
 * with two state entries (etag "e5"). */
static int64_t page_company(struct store *st, int64_t *invoices)
{
    static const char *const ids[PAGE_CASES] = {"case-a", "case-b", "case-c", "case-d"};
    struct agency_case c;
    int64_t customer = 0, company = company_new(st, &customer);
    int i;

    for (i = 0; i < PAGE_CASES; i++)
        invoices[i] = handed_over(st, company, customer, ids[i]);
    assert_int_equal(store_agency_case_get(st, company, invoices[3], &c), PM_OK);
    snprintf(c.etag, sizeof(c.etag), "e5");
    c.state_events = 2;
    c.synced_at = 1750000000;
    assert_int_equal(store_agency_case_update(st, &c, NULL), PM_OK);
    return company;
}

/* The page as GET /cases could give it: a new state and status, a
 * payment, a closed case, a case not ours, an older reading, an item
 * that is no case. */
static json_t *page_items(void)
{
    json_t *page = json_array();

    json_array_append_new(page, item_of("case-a", "e1", 2, 1, 1250.0, false, "reminder_sent"));
    json_array_append_new(page, item_of("case-b", "e1", 2, 1, 1000.0, false, "reminder_sent"));
    json_array_append_new(page, item_of("case-c", "e1", 3, 3, 0.0, true, "paid"));
    json_array_append_new(page, item_of("case-zz", "e1", 2, 0, 1250.0, false, ""));
    json_array_append_new(page, item_of("case-d", "e0", 1, 0, 1250.0, false, ""));
    json_array_append_new(page, json_string("case-a"));
    return page;
}

static void history_of(struct store *st, int64_t company, int64_t invoice, struct history_event *ev,
                       size_t *n)
{
    assert_int_equal(store_history_list(st, company, invoice, 0, ev, 16, n), PM_OK);
}

static void test_page_as_case_by_case(void **state)
{
    struct fixture *f = *state;
    struct history_event ev_page[16], ev_each[16];
    struct agency_case c_page, c_each;
    struct invoice inv_page, inv_each;
    struct payment p_page[4], p_each[4];
    int64_t inv_p[PAGE_CASES], inv_e[PAGE_CASES];
    int64_t page_co = page_company(f->st, inv_p), each_co = page_company(f->st, inv_e);
    json_t *page = page_items();
    size_t i, j, n_page, n_each, np_page, np_each, total = 0;
    enum pm_err rc;
    static const size_t want_events[PAGE_CASES] = {3, 4, 8, 0};
    static const int64_t want_paid[PAGE_CASES] = {0, 25000, GROSS, 0};
    static const char *const want_status[PAGE_CASES] = {"reminder_sent", "reminder_sent", "paid",
                                                        ""};

    /* The page at once, and each item on its own in the other company. */
    assert_int_equal(store_begin(f->st), PM_OK);
    assert_int_equal(agency_record_cases(f->st, &f->clock, page_co, page), PM_OK);
    assert_int_equal(store_commit(f->st), PM_OK);
    assert_int_equal(store_begin(f->st), PM_OK);
    for (i = 0; i < json_array_size(page); i++) {
        rc = agency_record_case(f->st, &f->clock, each_co, json_array_get(page, i), false, NULL);
        assert_true(rc == PM_OK || rc == PM_ERR_NOT_FOUND || rc == PM_ERR_INVALID);
    }
    assert_int_equal(store_commit(f->st), PM_OK);

    for (i = 0; i < PAGE_CASES; i++) {
        history_of(f->st, page_co, inv_p[i], ev_page, &n_page);
        history_of(f->st, each_co, inv_e[i], ev_each, &n_each);
        assert_int_equal(n_page, want_events[i]);
        assert_int_equal(n_each, n_page);
        for (j = 0; j < n_page; j++) {
            assert_int_equal(ev_page[j].id, ev_each[j].id);
            assert_int_equal(ev_page[j].at_us, ev_each[j].at_us);
            assert_string_equal(ev_page[j].kind, ev_each[j].kind);
            assert_string_equal(ev_page[j].message, ev_each[j].message);
            assert_string_equal(ev_page[j].data, ev_each[j].data);
        }
        total += n_page;

        assert_int_equal(store_agency_case_get(f->st, page_co, inv_p[i], &c_page), PM_OK);
        assert_int_equal(store_agency_case_get(f->st, each_co, inv_e[i], &c_each), PM_OK);
        assert_string_equal(c_page.etag, c_each.etag);
        assert_string_equal(c_page.state, c_each.state);
        assert_string_equal(c_page.status, c_each.status);
        assert_string_equal(c_page.ocr, c_each.ocr);
        assert_string_equal(c_page.original_invoice_url, c_each.original_invoice_url);
        assert_int_equal(c_page.closed, c_each.closed);
        assert_int_equal(c_page.remaining_minor, c_each.remaining_minor);
        assert_int_equal(c_page.state_events, c_each.state_events);
        assert_int_equal(c_page.status_events, c_each.status_events);
        assert_int_equal(c_page.agency_paid_minor, c_each.agency_paid_minor);
        assert_int_equal(c_page.instalment_plan, c_each.instalment_plan);
        assert_int_equal(c_page.agency_paid_minor, want_paid[i]);

        assert_int_equal(store_invoice_get(f->st, page_co, inv_p[i], &inv_page), PM_OK);
        assert_int_equal(store_invoice_get(f->st, each_co, inv_e[i], &inv_each), PM_OK);
        assert_string_equal(inv_page.agency_status, want_status[i]);
        assert_string_equal(inv_each.agency_status, want_status[i]);
        assert_int_equal(inv_page.remaining_minor, GROSS - want_paid[i]);
        assert_int_equal(inv_each.remaining_minor, GROSS - want_paid[i]);

        assert_int_equal(store_payment_list(f->st, page_co, inv_p[i], p_page, 4, &np_page), PM_OK);
        assert_int_equal(store_payment_list(f->st, each_co, inv_e[i], p_each, 4, &np_each), PM_OK);
        assert_int_equal(np_page, want_paid[i] ? 1 : 0);
        assert_int_equal(np_each, np_page);
        for (j = 0; j < np_page; j++) {
            assert_int_equal(p_page[j].id, p_each[j].id);
            assert_int_equal(p_page[j].amount_minor, want_paid[i]);
            assert_int_equal(p_each[j].amount_minor, want_paid[i]);
        }
    }
    /* case-a: 2 states, 1 status; case-b: the same and the payment of
     * 250 kr (1 250 handed over, 1 000 still owed); case-c: 3 states,
     * 3 statuses, closed, the whole capital paid; case-d: an older
     * reading, nothing; the events numbered 1..15 in page order. */
    assert_int_equal(total, 15);
    history_of(f->st, page_co, inv_p[0], ev_page, &n_page);
    assert_int_equal(ev_page[0].id, 1);
    history_of(f->st, page_co, inv_p[2], ev_page, &n_page);
    assert_int_equal(ev_page[n_page - 1].id, 15);
    assert_string_equal(ev_page[6].kind, "amili_closed");
    assert_string_equal(ev_page[6].data, "{\"status\":\"paid\",\"case_id\":\"case-c\"}");
    assert_string_equal(ev_page[7].kind, "amili_payment");
    assert_string_equal(ev_page[7].data, "{\"amount_minor\":125000,\"recorded_minor\":125000,"
                                         "\"case_id\":\"case-c\"}");
    assert_string_equal(ev_page[0].data, "{\"state\":\"initializing\",\"date\":"
                                         "\"2025-06-10T08:00:00Z\",\"case_id\":\"case-c\","
                                         "\"index\":0}");
    assert_int_equal(store_agency_case_get(f->st, page_co, inv_p[3], &c_page), PM_OK);
    assert_string_equal(c_page.etag, "e5");
    assert_int_equal(store_agency_case_get(f->st, page_co, inv_p[2], &c_page), PM_OK);
    assert_true(c_page.closed);
    assert_true(c_page.instalment_plan);
    json_decref(page);
}

/* The agency's answer is kept as it came (agency_cases.raw): text that
 * needs escaping, reals of every shape, and nesting deeper than the
 * writer of hot answers goes read back as the same JSON value. */
struct raw_text {
    char text[16384];
};

static enum pm_err raw_read(struct store *st, struct store_stmt *q, void *out)
{
    struct raw_text *r = out;

    sql_text_col(st, q, 0, r->text, sizeof(r->text));
    return PM_OK;
}

/* Apply it (as a page of one) and read the case's raw back as JSON. */
static json_t *raw_after(struct fixture *f, json_t *it, struct raw_text *raw)
{
    static const struct sql_reader reader = SQL_READER_FN(struct raw_text, raw_read);
    json_t *page = json_array();
    json_error_t jerr;
    json_t *back;

    json_array_append(page, it);
    assert_int_equal(store_begin(f->st), PM_OK);
    assert_int_equal(agency_record_cases(f->st, &f->clock, f->company, page), PM_OK);
    assert_int_equal(store_commit(f->st), PM_OK);
    assert_int_equal(
        sql_getf(f->st, "", "no case", &reader, raw,
                 "SELECT raw FROM agency_cases WHERE company_id = $1 AND invoice_id = $2", "ii",
                 f->company, f->invoice),
        PM_OK);
    back = json_loads(raw->text, 0, &jerr);
    assert_non_null(back);
    json_decref(page);
    return back;
}

static void test_raw_kept_as_sent(void **state)
{
    struct fixture *f = *state;
    struct raw_text *raw = calloc(1, sizeof(*raw));
    json_t *it = item("e2", 2, 1, 1250.0, false, "reminder_sent");
    json_t *deep = json_string("botten"), *back;
    int i;

    assert_non_null(raw);
    json_object_set_new(
        it, "note",
        json_string("\"citat\" \\ ny rad\n\ttabb \x01 åäö € \xf0\x9f\x98\x80 </script>"));
    json_object_set_new(it, "amounts",
                        json_pack("[f, f, f, f, f, f, I]", 0.1, 0.1 + 0.2, 1250.5, 1e300, -0.0,
                                  5e-324, (json_int_t)9007199254740993LL));
    json_object_set_new(it, "flags", json_pack("[b, b, n]", 1, 0));
    back = raw_after(f, it, raw);
    assert_true(json_equal(back, it));
    json_decref(back);
    assert_int_equal(events(f, "amili_state"), 2);
    assert_int_equal(events(f, "amili_status"), 1);

    /* Nested deeper than the writer of hot answers goes: kept all the same. */
    for (i = 0; i < 40; i++)
        deep = json_pack("{s:[o]}", "n", deep);
    json_object_set_new(it, "deep", deep);
    json_object_set_new(it, "_etag", json_string("e3"));
    back = raw_after(f, it, raw);
    assert_true(json_equal(back, it));
    json_decref(back);
    json_decref(it);
    free(raw);
}

/* The same case twice in a page (it changed while the pages were read):
 * the second reading applies to what the first left. */
static void test_page_same_case_twice(void **state)
{
    struct fixture *f = *state;
    json_t *page = json_array();
    struct agency_case c;

    json_array_append_new(page, item("e1", 2, 1, 1000.0, false, "reminder_sent"));
    json_array_append_new(page, item("e2", 3, 2, 500.0, false, "instalment_plan"));
    assert_int_equal(store_begin(f->st), PM_OK);
    assert_int_equal(agency_record_cases(f->st, &f->clock, f->company, page), PM_OK);
    assert_int_equal(store_commit(f->st), PM_OK);
    assert_int_equal(events(f, "amili_state"), 3);
    assert_int_equal(events(f, "amili_status"), 2);
    assert_int_equal(events(f, "amili_payment"), 2);
    assert_int_equal(agency_paid(f), 75000); /* 1 250 kr handed over, 500 kr still owed */
    assert_int_equal(store_agency_case_get(f->st, f->company, f->invoice, &c), PM_OK);
    assert_string_equal(c.etag, "e2");
    assert_int_equal(c.state_events, 3);
    assert_int_equal(c.status_events, 2);
    assert_int_equal(c.agency_paid_minor, 75000);
    assert_true(c.instalment_plan);
    json_decref(page);
}

/* ---- the store failing under it ---- */

static struct {
    const struct store_driver *inner;
    struct store_driver table;
    int fail_at, steps;
} inj;

static enum pm_err inj_step(struct store *st, struct store_stmt *q, bool *row)
{
    if (inj.fail_at && ++inj.steps == inj.fail_at)
        return pm_error_set(&st->error, PM_ERR_DB, "", "injected failure of step %d", inj.steps);
    return inj.inner->step(st, q, row);
}

/* The caller's BEGIN, COMMIT and ROLLBACK are not failed here. */
static enum pm_err inj_begin(struct store *st, enum store_tx kind)
{
    int at = inj.fail_at;
    enum pm_err rc;

    inj.fail_at = 0;
    rc = inj.inner->begin(st, kind);
    inj.fail_at = at;
    return rc;
}

static enum pm_err inj_commit(struct store *st)
{
    int at = inj.fail_at;
    enum pm_err rc;

    inj.fail_at = 0;
    rc = inj.inner->commit(st);
    inj.fail_at = at;
    return rc;
}

static enum pm_err inj_rollback(struct store *st)
{
    int at = inj.fail_at;
    enum pm_err rc;

    inj.fail_at = 0;
    rc = inj.inner->rollback(st);
    inj.fail_at = at;
    return rc;
}

static void test_failing_statement_keeps_nothing(void **state)
{
    struct fixture *f = *state;
    json_t *first = item("e1", 2, 2, 1000.0, false, "instalment_plan");
    json_t *closed = item("e2", 3, 3, 0.0, true, "paid");
    json_t *its[] = {first, closed};
    struct agency_case c;
    bool changed;
    size_t k;
    int n;

    inj.inner = f->st->drv;
    inj.table = *f->st->drv;
    inj.table.step = inj_step;
    inj.table.begin = inj_begin;
    inj.table.commit = inj_commit;
    inj.table.rollback = inj_rollback;
    f->st->drv = &inj.table;
    for (k = 0; k < 2; k++) {
        int64_t state_events = events(f, "amili_state"), paid = agency_paid(f);
        char etag[64];

        assert_int_equal(store_agency_case_get(f->st, f->company, f->invoice, &c), PM_OK);
        snprintf(etag, sizeof(etag), "%s", c.etag);
        for (n = 1;; n++) {
            enum pm_err rc;

            inj.fail_at = n;
            inj.steps = 0;
            rc = apply(f, its[k], false, &changed);
            inj.fail_at = 0;
            if (inj.steps < n) {
                assert_int_equal(rc, PM_OK);
                break;
            }
            if (rc == PM_OK)
                fail_msg("step %d failed and the case was still applied", n);
            assert_int_equal(events(f, "amili_state"), state_events);
            assert_int_equal(agency_paid(f), paid);
            assert_int_equal(store_agency_case_get(f->st, f->company, f->invoice, &c), PM_OK);
            assert_string_equal(c.etag, etag);
        }
        assert_true(n > 3);
        assert_true(changed);
    }
    f->st->drv = inj.inner;
    assert_int_equal(events(f, "amili_state"), 3);
    assert_int_equal(events(f, "amili_status"), 3);
    assert_int_equal(events(f, "amili_closed"), 1);
    assert_int_equal(events(f, "amili_payment"), 2);
    assert_int_equal(agency_paid(f), GROSS);
    json_decref(first);
    json_decref(closed);
}

/* ---- the live look-up, through a scripted transport ---- */

struct agency_conn {
    int unused;
};

static struct {
    struct agency_conn conn;
    enum pm_err start_rc;          /* a transport that cannot send */
    int token_status, case_status; /* the answers */
    char case_body[2048];
    struct agency_call *current;
    int token_calls, case_calls;
} fake;

static struct agency_conn *fake_conn_new(const char *base_url, int max_parallel)
{
    (void)base_url;
    (void)max_parallel;
    return &fake.conn;
}

static void fake_conn_free(struct agency_conn **c)
{
    *c = NULL;
}

static enum pm_err fake_start(struct agency_conn *c, struct agency_call *call)
{
    bool is_case = strstr(call->path, "/cases/") != NULL;

    (void)c;
    if (fake.start_rc)
        return fake.start_rc;
    call->outcome = AGENCY_T_ANSWERED;
    if (is_case) {
        fake.case_calls++;
        call->status = fake.case_status;
        buf_adds(&call->response, fake.case_status == 200 ? fake.case_body : "{}");
    } else {
        fake.token_calls++;
        call->status = fake.token_status;
        buf_adds(&call->response, fake.token_status == 200 ? "{\"token\":\"tok-1\"}" : "{}");
    }
    fake.current = call;
    return PM_OK;
}

static enum pm_err fake_next(struct agency_conn *c, int timeout_ms, struct agency_call **done)
{
    (void)c;
    (void)timeout_ms;
    *done = fake.current;
    fake.current = NULL;
    return PM_OK;
}

static int fake_in_flight(const struct agency_conn *c)
{
    (void)c;
    return fake.current ? 1 : 0;
}

static const struct agency_ops fake_ops = {
    "scripted", fake_conn_new, fake_conn_free, fake_start, fake_next, fake_in_flight,
};

static struct agency *scripted_agency(char **pem)
{
    struct agency_config cfg;
    struct pm_error e = {0};
    char *pub = NULL;
    struct agency *a;

    assert_int_equal(agency_keys_generate(pem, &pub, &e), PM_OK);
    free(pub);
    memset(&cfg, 0, sizeof(cfg));
    cfg.url = "http://127.0.0.1:9/";
    cfg.api_code = "acme";
    cfg.key_pem = *pem;
    a = agency_new(&cfg, &fake_ops, &e);
    assert_non_null(a);
    return a;
}

static void script(int token_status, int case_status, json_t *body)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;

    memset(&fake, 0, sizeof(fake));
    fake.token_status = token_status;
    fake.case_status = case_status;
    snprintf(fake.case_body, sizeof(fake.case_body), "%s", text ? text : "{}");
    free(text);
}

/* Every way the look-up can fail leaves the stored case as it was; the
 * case the agency gives is applied. */
static void test_live_lookup(void **state)
{
    struct fixture *f = *state;
    char *pem = NULL;
    struct agency *a = scripted_agency(&pem);
    json_t *good = item("e1", 2, 1, 1000.0, false, "reminder_sent");
    json_t *other = json_pack("{s:s, s:s}", "_id", "case-9", "_etag", "x");
    struct agency_case c;

    /* An invoice without a case: not found, the agency not asked. */
    script(200, 200, good);
    assert_int_equal(agency_record_live(a, f->st, &f->clock, f->company, f->invoice + 50, 1000),
                     PM_ERR_NOT_FOUND);
    assert_int_equal(fake.token_calls + fake.case_calls, 0);
    /* The agency refuses the API key: no look-up. */
    script(401, 200, good);
    assert_int_not_equal(agency_record_live(a, f->st, &f->clock, f->company, f->invoice, 1000),
                         PM_OK);
    assert_int_equal(fake.case_calls, 0);
    /* The transport cannot send. */
    script(200, 200, good);
    fake.start_rc = PM_ERR_IO;
    assert_int_not_equal(agency_record_live(a, f->st, &f->clock, f->company, f->invoice, 1000),
                         PM_OK);
    /* The case answered 401 (the token is dropped), then 503. */
    script(200, 401, good);
    assert_int_equal(agency_record_live(a, f->st, &f->clock, f->company, f->invoice, 1000),
                     PM_ERR_IO);
    assert_int_equal(fake.case_calls, 1);
    script(200, 503, good);
    assert_int_equal(agency_record_live(a, f->st, &f->clock, f->company, f->invoice, 1000),
                     PM_ERR_IO);
    assert_int_equal(fake.token_calls, 1); /* bought again after the 401 */
    /* A case that is not this invoice's: nothing applied. */
    script(200, 200, other);
    assert_int_equal(agency_record_live(a, f->st, &f->clock, f->company, f->invoice, 1000),
                     PM_ERR_NOT_FOUND);
    assert_int_equal(store_agency_case_get(f->st, f->company, f->invoice, &c), PM_OK);
    assert_string_equal(c.etag, "");
    assert_int_equal(events(f, "amili_state"), 0);
    assert_int_equal(agency_paid(f), 0);
    /* The real answer: applied. */
    script(200, 200, good);
    assert_int_equal(agency_record_live(a, f->st, &f->clock, f->company, f->invoice, 1000), PM_OK);
    assert_int_equal(store_agency_case_get(f->st, f->company, f->invoice, &c), PM_OK);
    assert_string_equal(c.etag, "e1");
    assert_int_equal(events(f, "amili_state"), 2);
    assert_int_equal(agency_paid(f), 25000);
    json_decref(good);
    json_decref(other);
    agency_free(&a);
    free(pem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_case_recorded_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_ours_or_not_a_case, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failing_statement_keeps_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_live_lookup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sparse_case_and_paid_invoice, setup, teardown),
        cmocka_unit_test_setup_teardown(test_page_as_case_by_case, setup, teardown),
        cmocka_unit_test_setup_teardown(test_page_same_case_twice, setup, teardown),
        cmocka_unit_test_setup_teardown(test_raw_kept_as_sent, setup, teardown),
    };

    pg_base_from_env();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
