/*
 * store_dunning.c — reminder policies, runs and run items (see
 * store_dunning.h), written once in SQL over the storage driver (sql.h).
 *
 * The run's candidates come from two statements over the invoices'
 * (company_id, state, due_date) index, each joined once with the customer
 * card, the books row, the claim, the customer's policy and both stops;
 * items are inserted in bulk (sql_bulk_insert: one COPY a batch on
 * PostgreSQL, multi-row INSERTs on SQLite).
 */
#include "store/store_dunning.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sql.h"

static const char *const run_state_names[] = {"proposed", "approved", "done"};
static const char *const item_state_names[] = {"pending", "done", "failed", "skipped"};

const char *dunning_run_state_name(enum dunning_run_state s)
{
    return (unsigned)s < 3 ? run_state_names[s] : NULL;
}

const char *dunning_item_state_name(enum dunning_item_state s)
{
    return (unsigned)s < 4 ? item_state_names[s] : NULL;
}

static int parse_name(const char *const *names, int n, const char *s)
{
    int i;

    for (i = 0; i < n; i++) {
        if (!strcmp(names[i], s))
            return i;
    }
    return -1;
}

/* ---- policies ---- */

#define POLICY_COLS                                                                    \
    "id, coalesce(customer_id, 0), enabled, minimum_minor, final_step, handover_days," \
    " approval, updated_by, updated_by_user, updated_at"

static enum pm_err policy_read(struct store *st, struct store_stmt *q, struct dunning_policy_row *r)
{
    char final_step[16], approval[16];

    r->id = sql_int(st, q, 0);
    r->customer_id = sql_int(st, q, 1);
    r->policy.enabled = sql_bool(st, q, 2);
    r->policy.minimum_minor = sql_int(st, q, 3);
    sql_col_arr(st, q, 4, final_step);
    r->policy.handover_days = (int)sql_int(st, q, 5);
    sql_col_arr(st, q, 6, approval);
    sql_col_arr(st, q, 7, r->updated_by);
    r->updated_by_user = sql_int(st, q, 8);
    r->updated_at = sql_int(st, q, 9);
    if (dunning_final_parse(final_step, &r->policy.final_step))
        return sql_bad_value(st, q, 4, "final_step");
    if (dunning_approval_parse(approval, &r->policy.approval))
        return sql_bad_value(st, q, 6, "approval");
    return PM_OK;
}

static enum pm_err levels_read(struct store *st, struct dunning_policy_row *r)
{
    static const char sql[] = "SELECT level, days, anchor, fee, channel, text_sv, text_en"
                              " FROM dunning_levels WHERE company_id = $1 AND policy_id = $2"
                              " ORDER BY level";
    struct store_stmt *q = NULL;
    struct dunning_level *l;
    char anchor[16], channel[16];
    bool row = false;
    enum pm_err err;

    r->policy.n_levels = 0;
    err = sql_query(st, &q, sql, "ii", r->company_id, r->id);
    while (!err && !(err = sql_step(st, q, &row)) && row) {
        if (r->policy.n_levels == DUNNING_LEVELS_MAX)
            break;
        l = &r->policy.levels[r->policy.n_levels];
        memset(l, 0, sizeof(*l));
        l->days = (int)sql_int(st, q, 1);
        sql_col_arr(st, q, 2, anchor);
        l->fee = sql_bool(st, q, 3);
        sql_col_arr(st, q, 4, channel);
        sql_col_arr(st, q, 5, l->text_sv);
        sql_col_arr(st, q, 6, l->text_en);
        if (dunning_anchor_parse(anchor, &l->anchor))
            err = sql_bad_value(st, q, 2, "anchor");
        else if (dunning_channel_parse(channel, &l->channel))
            err = sql_bad_value(st, q, 4, "channel");
        r->policy.n_levels++;
    }
    sql_done(st, q);
    return err;
}

enum pm_err store_dunning_policy_get(struct store *st, int64_t company_id, int64_t customer_id,
                                     struct dunning_policy_row *out, bool *found)
{
    static const char sql[] = "SELECT " POLICY_COLS " FROM dunning_policies"
                              " WHERE company_id = $1 AND coalesce(customer_id, 0) = $2";
    struct store_stmt *q = NULL;
    enum pm_err err;

    *found = false;
    memset(out, 0, sizeof(*out));
    out->company_id = company_id;
    err = sql_query(st, &q, sql, "ii", company_id, customer_id);
    if (!err)
        err = sql_step(st, q, found);
    if (!err && *found)
        err = policy_read(st, q, out);
    sql_done(st, q);
    if (!err && *found)
        err = levels_read(st, out);
    return err;
}

static enum pm_err policy_put_run(struct store *st, void *ctx)
{
    static const char find_sql[] = "SELECT id FROM dunning_policies"
                                   " WHERE company_id = $1 AND coalesce(customer_id, 0) = $2";
    static const char insert_sql[] =
        "INSERT INTO dunning_policies (company_id, id, customer_id, enabled, minimum_minor,"
        " final_step, handover_days, approval, updated_by, updated_by_user, updated_at)"
        " VALUES ($1, $2, NULLIF(CAST($3 AS BIGINT), 0), $4, $5, $6, $7, $8, $9, $10, $11)";
    static const char update_sql[] =
        "UPDATE dunning_policies SET enabled = $3, minimum_minor = $4, final_step = $5,"
        " handover_days = $6, approval = $7, updated_by = $8, updated_by_user = $9,"
        " updated_at = $10 WHERE company_id = $1 AND id = $2";
    static const char clear_sql[] =
        "DELETE FROM dunning_levels WHERE company_id = $1 AND policy_id = $2";
    static const char level_sql[] =
        "INSERT INTO dunning_levels (company_id, policy_id, level, days, anchor, fee, channel,"
        " text_sv, text_en) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
    struct dunning_policy_row *r = ctx;
    const struct dunning_policy *p = &r->policy;
    bool found = false;
    enum pm_err err;
    size_t i;

    err = sql_findf(st, &found, &sql_int_reader, &r->id, find_sql, "ii", r->company_id,
                    r->customer_id);
    if (!err && !found) {
        err = sql_next_id(st, r->company_id, "dunning_policies", 1, &r->id);
        if (!err)
            err = sql_runf(st, insert_sql, "iiibitdttii", r->company_id, r->id, r->customer_id,
                           p->enabled, p->minimum_minor, dunning_final_name(p->final_step),
                           (size_t)16, p->handover_days, dunning_approval_name(p->approval),
                           (size_t)16, SQL_ARR(r->updated_by), r->updated_by_user, r->updated_at);
    } else if (!err) {
        err = sql_runf(st, update_sql, "iibitdttii", r->company_id, r->id, p->enabled,
                       p->minimum_minor, dunning_final_name(p->final_step), (size_t)16,
                       p->handover_days, dunning_approval_name(p->approval), (size_t)16,
                       SQL_ARR(r->updated_by), r->updated_by_user, r->updated_at);
    }
    if (!err)
        err = sql_runf(st, clear_sql, "ii", r->company_id, r->id);
    for (i = 0; !err && i < p->n_levels; i++) {
        const struct dunning_level *l = &p->levels[i];

        err = sql_runf(st, level_sql, "iiddtbttt", r->company_id, r->id, (int)(i + 1), l->days,
                       dunning_anchor_name(l->anchor), (size_t)16, l->fee,
                       dunning_channel_name(l->channel), (size_t)16, SQL_ARR(l->text_sv),
                       SQL_ARR(l->text_en));
    }
    return err;
}

enum pm_err store_dunning_policy_put(struct store *st, struct dunning_policy_row *r)
{
    if (!r->updated_at)
        r->updated_at = sql_now();
    return sql_atomic(st, policy_put_run, r);
}

enum pm_err store_dunning_policy_delete(struct store *st, int64_t company_id, int64_t customer_id,
                                        bool *found)
{
    static const char find_sql[] = "SELECT id FROM dunning_policies"
                                   " WHERE company_id = $1 AND customer_id = $2";
    static const char levels_sql[] =
        "DELETE FROM dunning_levels WHERE company_id = $1 AND policy_id = $2";
    static const char policy_sql[] =
        "DELETE FROM dunning_policies WHERE company_id = $1 AND id = $2";
    int64_t id = 0;
    enum pm_err err;

    err = sql_findf(st, found, &sql_int_reader, &id, find_sql, "ii", company_id, customer_id);
    if (!err && *found)
        err = sql_runf(st, levels_sql, "ii", company_id, id);
    if (!err && *found)
        err = sql_runf(st, policy_sql, "ii", company_id, id);
    return err;
}

enum pm_err store_dunning_policies(struct store *st, int64_t company_id,
                                   struct dunning_policy_row **out, size_t *n)
{
    static const char sql[] = "SELECT " POLICY_COLS " FROM dunning_policies"
                              " WHERE company_id = $1 ORDER BY id";
    struct store_stmt *q = NULL;
    struct dunning_policy_row *rows = NULL, *grown;
    size_t cap = 0, i;
    bool row = false;
    enum pm_err err;

    *out = NULL;
    *n = 0;
    err = sql_query(st, &q, sql, "i", company_id);
    while (!err && !(err = sql_step(st, q, &row)) && row) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            grown = realloc(rows, cap * sizeof(*rows));
            if (!grown) {
                err = PM_ERR_NOMEM;
                break;
            }
            rows = grown;
        }
        memset(&rows[*n], 0, sizeof(rows[*n]));
        rows[*n].company_id = company_id;
        err = policy_read(st, q, &rows[*n]);
        (*n)++;
    }
    sql_done(st, q);
    for (i = 0; !err && i < *n; i++)
        err = levels_read(st, &rows[i]);
    if (err) {
        free(rows);
        *n = 0;
        return err;
    }
    *out = rows;
    return PM_OK;
}

enum pm_err store_dunning_companies(struct store *st, int64_t *out, size_t cap, size_t *n)
{
    static const char sql[] = "SELECT company_id FROM dunning_policies"
                              " WHERE customer_id IS NULL AND enabled = 1 ORDER BY company_id"
                              " LIMIT $1";

    return sql_listf(st, &sql_int_reader, out, cap, n, sql, "i", (int64_t)cap);
}

/* ---- the run's candidates ---- */

/* A customer column a hand-over needs: read from dunning_level $3 on. */
#define HANDOVER_COL(col) "CASE WHEN i.dunning_level >= $3 THEN " col " ELSE '' END"

/* clang-format off */
#define CANDIDATE_SELECT                                                                        \
    "SELECT i.id, i.customer_id, i.currency, i.due_date, i.remaining_minor, i.state,"           \
    " i.agency_state, k.invoice_id IS NOT NULL, i.dunning_level, i.dunning_date,"               \
    " i.reminder_fee_minor, coalesce(b.fee_charged_minor, 0), c.is_company, c.email <> '',"     \
    " " HANDOVER_COL("c.name") ", " HANDOVER_COL("c.address_line_1") ","                        \
    " " HANDOVER_COL("c.zip_code") ", " HANDOVER_COL("c.city") ","                              \
    " " HANDOVER_COL("c.country") ", " HANDOVER_COL("c.id_number") ","                          \
    " coalesce(p.id, 0), coalesce(si.kind, ''), coalesce(si.since_day, 0),"                     \
    " coalesce(si.until_day, 0), coalesce(sc.kind, ''), coalesce(sc.since_day, 0),"             \
    " coalesce(sc.until_day, 0)"                                                                \
    " FROM invoices AS i JOIN customers AS c"                                                   \
    "   ON c.company_id = i.company_id AND c.id = i.customer_id"                                \
    " LEFT JOIN invoice_books AS b ON b.company_id = i.company_id AND b.invoice_id = i.id"      \
    " LEFT JOIN agency_claims AS k ON k.company_id = i.company_id AND k.invoice_id = i.id"      \
    " LEFT JOIN dunning_policies AS p"                                                          \
    "   ON p.company_id = i.company_id AND p.customer_id = i.customer_id"                       \
    " LEFT JOIN reminder_stops AS si ON si.company_id = i.company_id AND si.target = 'invoice'" \
    "   AND si.target_id = i.id"                                                                \
    " LEFT JOIN reminder_stops AS sc ON sc.company_id = i.company_id"                           \
    "   AND sc.target = 'customer' AND sc.target_id = i.customer_id"
/* clang-format on */

static const struct sql_col candidate_cols[] =
    SQL_COLS(struct dunning_candidate, invoice_id, customer_id, currency, due_date, remaining_minor,
             state, agency_state, claimed, dunning_level, dunning_date, fee_agreed_minor,
             fee_charged_minor, customer_is_company, has_email, customer_name, address_line_1,
             zip_code, city, country, id_number, policy_id, inv_stop_kind, inv_stop_since,
             inv_stop_until, cust_stop_kind, cust_stop_since, cust_stop_until);

static const struct sql_reader candidate_reader =
    SQL_READER(struct dunning_candidate, candidate_cols, NULL);

static enum pm_err walk(struct store *st, const char *sql, int64_t company_id, int32_t day,
                        int address_level,
                        enum pm_err (*each)(void *arg, const struct dunning_candidate *c),
                        void *arg)
{
    struct store_stmt *q = NULL;
    struct dunning_candidate c;
    bool row = false;
    enum pm_err err;

    err = sql_query(st, &q, sql, "idd", company_id, (int)day, address_level);
    while (!err && !(err = sql_step(st, q, &row)) && row) {
        err = sql_read(st, q, &candidate_reader, &c);
        if (!err)
            err = each(arg, &c);
    }
    sql_done(st, q);
    return err;
}

enum pm_err store_dunning_candidates(
    struct store *st, int64_t company_id, int32_t today, int32_t recent, int address_level,
    enum pm_err (*each)(void *arg, const struct dunning_candidate *c), void *arg)
{
    static const char open_sql[] =
        CANDIDATE_SELECT " WHERE i.company_id = $1 AND i.state = 'open' AND i.due_date < $2";
    static const char closed_sql[] =
        CANDIDATE_SELECT " WHERE i.company_id = $1 AND i.dunning_level > 0 AND i.state <> 'open'"
                         " AND i.dunning_date >= $2";
    enum pm_err err = walk(st, open_sql, company_id, today, address_level, each, arg);

    if (!err)
        err = walk(st, closed_sql, company_id, recent, address_level, each, arg);
    return err;
}

/* ---- runs ---- */

#define RUN_COLS                                                                      \
    "company_id, id, run_date, state, approval, items, letters_batch_id, created_by," \
    " created_at, approved_by, approved_at, finished_at"

static enum pm_err run_fix(struct store *st, struct store_stmt *q, void *out)
{
    struct dunning_run *r = out;
    char s[16];
    int v;

    sql_col_arr(st, q, 3, s);
    v = parse_name(run_state_names, 3, s);
    if (v < 0)
        return sql_bad_value(st, q, 3, "state");
    r->state = (enum dunning_run_state)v;
    sql_col_arr(st, q, 4, s);
    if (dunning_approval_parse(s, &r->approval))
        return sql_bad_value(st, q, 4, "approval");
    return PM_OK;
}

static const struct sql_col run_cols[] =
    SQL_COLS(struct dunning_run, company_id, id, run_date, state, approval, items, letters_batch_id,
             created_by, created_at, approved_by, approved_at, finished_at);

static const struct sql_reader run_reader = SQL_READER(struct dunning_run, run_cols, run_fix);

struct run_open {
    struct dunning_run *r;
    bool created;
};

static enum pm_err run_open_run(struct store *st, void *ctx)
{
    static const char insert_sql[] =
        "INSERT INTO dunning_runs (company_id, id, run_date, state, approval, items,"
        " letters_batch_id, created_by, created_at) VALUES ($1, $2, $3, 'proposed', $4, 0, 0,"
        " $5, $6) ON CONFLICT (company_id, run_date) DO NOTHING";
    static const char get_sql[] = "SELECT " RUN_COLS " FROM dunning_runs"
                                  " WHERE company_id = $1 AND run_date = $2";
    struct run_open *o = ctx;
    struct dunning_run *r = o->r;
    struct store_stmt *q = NULL;
    int64_t id = 0;
    enum pm_err err;

    o->created = false;
    err = sql_next_id(st, r->company_id, "dunning_runs", 1, &id);
    if (!err)
        err = sql_query(st, &q, insert_sql, "iidtti", r->company_id, id, r->run_date,
                        dunning_approval_name(r->approval), (size_t)16, SQL_ARR(r->created_by),
                        r->created_at);
    if (!err)
        err = sql_run(st, q);
    if (!err)
        o->created = sql_changes(st, q) > 0;
    sql_done(st, q);
    if (!err)
        err = sql_getf(st, "run_date", "no run that day", &run_reader, r, get_sql, "id",
                       r->company_id, r->run_date);
    return err;
}

enum pm_err store_dunning_run_open(struct store *st, struct dunning_run *r, bool *created)
{
    struct run_open o = {r, false};
    enum pm_err err;

    if (!r->created_at)
        r->created_at = sql_now();
    err = sql_atomic(st, run_open_run, &o);
    *created = o.created;
    return err;
}

enum pm_err store_dunning_run_get(struct store *st, int64_t company_id, int64_t id,
                                  struct dunning_run *out)
{
    static const char sql[] = "SELECT " RUN_COLS " FROM dunning_runs"
                              " WHERE company_id = $1 AND id = $2";

    return sql_getf(st, "run_id", "no such run", &run_reader, out, sql, "ii", company_id, id);
}

enum pm_err store_dunning_runs(struct store *st, int64_t company_id, int64_t before,
                               struct dunning_run *out, size_t cap, size_t *n)
{
    static const char sql[] = "SELECT " RUN_COLS " FROM dunning_runs"
                              " WHERE company_id = $1 AND ($2 = 0 OR id < $2)"
                              " ORDER BY id DESC LIMIT $3";

    return sql_listf(st, &run_reader, out, cap, n, sql, "iii", company_id, before, (int64_t)cap);
}

enum pm_err store_dunning_runs_unfinished(struct store *st, int64_t company_id, int64_t *ids,
                                          size_t cap, size_t *n)
{
    static const char sql[] = "SELECT id FROM dunning_runs"
                              " WHERE company_id = $1 AND state = 'approved' ORDER BY id LIMIT $2";

    return sql_listf(st, &sql_int_reader, ids, cap, n, sql, "ii", company_id, (int64_t)cap);
}

enum pm_err store_dunning_run_move(struct store *st, int64_t company_id, int64_t id,
                                   enum dunning_run_state from, enum dunning_run_state to,
                                   const char *by, int64_t at)
{
    static const char approve_sql[] =
        "UPDATE dunning_runs SET state = $4, approved_by = $5, approved_at = $6"
        " WHERE company_id = $1 AND id = $2 AND state = $3";
    static const char finish_sql[] = "UPDATE dunning_runs SET state = $4, finished_at = $5"
                                     " WHERE company_id = $1 AND id = $2 AND state = $3";

    if (to == DUNNING_RUN_APPROVED)
        return sql_changef(st, "run_id", "the run is not in that state", approve_sql, "iittti",
                           company_id, id, dunning_run_state_name(from), (size_t)16,
                           dunning_run_state_name(to), (size_t)16, by ? by : "",
                           (size_t)STORE_EMAIL_MAX, at);
    return sql_changef(st, "run_id", "the run is not in that state", finish_sql, "iitti",
                       company_id, id, dunning_run_state_name(from), (size_t)16,
                       dunning_run_state_name(to), (size_t)16, at);
}

enum pm_err store_dunning_run_set_items(struct store *st, int64_t company_id, int64_t id,
                                        int64_t items)
{
    static const char sql[] =
        "UPDATE dunning_runs SET items = $3 WHERE company_id = $1 AND id = $2";

    return sql_changef(st, "run_id", "no such run", sql, "iii", company_id, id, items);
}

enum pm_err store_dunning_run_set_batch(struct store *st, int64_t company_id, int64_t id,
                                        int64_t batch_id)
{
    static const char sql[] =
        "UPDATE dunning_runs SET letters_batch_id = $3 WHERE company_id = $1 AND id = $2";

    return sql_changef(st, "run_id", "no such run", sql, "iii", company_id, id, batch_id);
}

/* ---- items ---- */

/* An item as its row: the codes as text, for sql_bulk_insert(). */
struct item_row {
    int64_t company_id;
    int64_t run_id;
    int64_t invoice_id;
    int due_date;
    int64_t remaining_minor;
    char action[16];
    int level;
    char reason[32];
    char detail[64];
    char channel[8];
    bool fee;
    int64_t fee_minor;
    char state[16];
    char result[64];
    int64_t reminder_id;
    int64_t updated_at;
};

static const struct sql_col item_row_cols[] = SQL_COLS(
    struct item_row, company_id, run_id, invoice_id, due_date, remaining_minor, action, level,
    reason, detail, channel, fee, fee_minor, state, result, reminder_id, updated_at);

/* PostgreSQL: one COPY a call, without per-row foreign-key checks (see
 * the migration that dropped them); SQLite: multi-row INSERTs. */
static const struct sql_bulk item_bulk =
    SQL_BULK("dunning_items",
             "company_id, run_id, invoice_id, due_date, remaining_minor, action, level, reason,"
             " detail, channel, fee, fee_minor, state, result, reminder_id, updated_at",
             item_row_cols);

static void item_row_of(const struct dunning_item *it, struct item_row *r)
{
    r->company_id = it->company_id;
    r->run_id = it->run_id;
    r->invoice_id = it->invoice_id;
    r->due_date = it->due_date;
    r->remaining_minor = it->remaining_minor;
    snprintf(r->action, sizeof(r->action), "%s", dunning_action_name(it->action));
    r->level = it->level;
    snprintf(r->reason, sizeof(r->reason), "%s", it->reason ? dunning_reason_name(it->reason) : "");
    memcpy(r->detail, it->detail, sizeof(r->detail));
    memcpy(r->channel, it->channel, sizeof(r->channel));
    r->fee = it->fee;
    r->fee_minor = it->fee_minor;
    snprintf(r->state, sizeof(r->state), "%s", dunning_item_state_name(it->state));
    memcpy(r->result, it->result, sizeof(r->result));
    r->reminder_id = it->reminder_id;
    r->updated_at = it->updated_at;
}

enum pm_err store_dunning_items_insert(struct store *st, const struct dunning_item *items, size_t n)
{
    struct item_row *rows;
    enum pm_err err;
    size_t i;

    if (n == 0)
        return PM_OK;
    rows = malloc(n * sizeof(*rows));
    if (!rows)
        return pm_error_set(&st->error, PM_ERR_NOMEM, "", "inserting dunning items");
    for (i = 0; i < n; i++)
        item_row_of(&items[i], &rows[i]);
    err = sql_bulk_insert(st, &item_bulk, rows, sizeof(rows[0]), n);
    free(rows);
    return err;
}

static enum pm_err item_fix(struct store *st, struct store_stmt *q, void *out)
{
    struct dunning_item *it = out;
    char s[32];
    int v;

    sql_col_arr(st, q, 5, s);
    if (dunning_action_parse(s, &it->action))
        return sql_bad_value(st, q, 5, "action");
    sql_col_arr(st, q, 7, s);
    it->reason = DUNNING_REASON_NONE;
    if (s[0] && dunning_reason_parse(s, &it->reason))
        return sql_bad_value(st, q, 7, "reason");
    sql_col_arr(st, q, 12, s);
    v = parse_name(item_state_names, 4, s);
    if (v < 0)
        return sql_bad_value(st, q, 12, "state");
    it->state = (enum dunning_item_state)v;
    return PM_OK;
}

static const struct sql_col item_cols[] =
    SQL_COLS(struct dunning_item, company_id, run_id, invoice_id, due_date, remaining_minor, action,
             level, reason, detail, channel, fee, fee_minor, state, result, reminder_id, updated_at,
             invoice_number, customer_id, customer_name);

static const struct sql_reader item_reader = SQL_READER(struct dunning_item, item_cols, item_fix);

#define ITEM_SELECT                                                                         \
    "SELECT d.company_id, d.run_id, d.invoice_id, d.due_date, d.remaining_minor, d.action," \
    " d.level, d.reason, d.detail, d.channel, d.fee, d.fee_minor, d.state, d.result,"       \
    " d.reminder_id, d.updated_at, i.number, i.customer_id, c.name"                         \
    " FROM dunning_items AS d JOIN invoices AS i"                                           \
    "   ON i.company_id = d.company_id AND i.id = d.invoice_id"                             \
    " JOIN customers AS c ON c.company_id = i.company_id AND c.id = i.customer_id"

enum pm_err store_dunning_items(struct store *st, int64_t company_id, int64_t run_id, int64_t after,
                                const char *action_filter, struct dunning_item *out, size_t cap,
                                size_t *n)
{
    static const char sql[] =
        ITEM_SELECT " WHERE d.company_id = $1 AND d.run_id = $2 AND d.invoice_id > $3"
                    " AND ($4 = '' OR d.action = $4) ORDER BY d.invoice_id LIMIT $5";

    return sql_listf(st, &item_reader, out, cap, n, sql, "iiiti", company_id, run_id, after,
                     action_filter ? action_filter : "", (size_t)16, (int64_t)cap);
}

enum pm_err store_dunning_items_pending(struct store *st, int64_t company_id, int64_t run_id,
                                        struct dunning_item *out, size_t cap, size_t *n)
{
    static const char sql[] = ITEM_SELECT " WHERE d.company_id = $1 AND d.run_id = $2"
                                          " AND d.state = 'pending' ORDER BY d.invoice_id LIMIT $3";

    return sql_listf(st, &item_reader, out, cap, n, sql, "iii", company_id, run_id, (int64_t)cap);
}

enum pm_err store_dunning_item_finish(struct store *st, int64_t company_id, int64_t run_id,
                                      int64_t invoice_id, enum dunning_item_state state,
                                      const char *result, int64_t reminder_id, int64_t at)
{
    static const char sql[] =
        "UPDATE dunning_items SET state = $4, result = $5, reminder_id = $6, updated_at = $7"
        " WHERE company_id = $1 AND run_id = $2 AND invoice_id = $3 AND state = 'pending'";

    return sql_changef(st, "invoice_id", "the item is not pending", sql, "iiittii", company_id,
                       run_id, invoice_id, dunning_item_state_name(state), (size_t)16,
                       result ? result : "", (size_t)64, reminder_id, at);
}

static const struct sql_col total_cols[] =
    SQL_COLS(struct dunning_total, action, reason, level, state, count, remaining_minor, fee_minor);

static const struct sql_reader total_reader = SQL_READER(struct dunning_total, total_cols, NULL);

enum pm_err store_dunning_totals(struct store *st, int64_t company_id, int64_t run_id,
                                 struct dunning_total *out, size_t cap, size_t *n)
{
    static const char sql[] =
        "SELECT action, reason, level, state, count(*), CAST(sum(remaining_minor) AS BIGINT),"
        " CAST(sum(fee_minor) AS BIGINT) FROM dunning_items WHERE company_id = $1 AND run_id = $2"
        " GROUP BY action, reason, level, state ORDER BY action, reason, level, state LIMIT $3";

    return sql_listf(st, &total_reader, out, cap, n, sql, "iii", company_id, run_id, (int64_t)cap);
}
