/*
 * store.c — the sandbox's own SQLite state (see sandbox.h, "store.c").
 *
 * One file, WAL, STRICT tables, prepared statements only.  Resources
 * (accounts, creditors, registrations, cases, payments, payouts, ...) are
 * JSON documents in one `docs` table keyed by id with their kind and
 * owning partner; what must be unique or summed has its own table:
 * invoice_keys (one case per creditor + invoice number, also across
 * restarts), ledger (money in, for payouts), counters, faults, partners,
 * tokens, media, and meta (clock offset, last stamp, processed date).
 * Callers hold ctx->lock.
 */
#include "sandbox.h"

#include <sodium.h>
#include <string.h>

#include "util/secret.h"

static const char SCHEMA[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;"
    "CREATE TABLE IF NOT EXISTS partners(api_code TEXT PRIMARY KEY, public_key TEXT NOT NULL,"
    "  created_us INTEGER NOT NULL) STRICT;"
    "CREATE TABLE IF NOT EXISTS tokens(hash TEXT PRIMARY KEY, api_code TEXT NOT NULL,"
    "  expires_s INTEGER NOT NULL) STRICT;"
    "CREATE TABLE IF NOT EXISTS docs(id TEXT PRIMARY KEY, kind TEXT NOT NULL,"
    "  partner TEXT NOT NULL, created_us INTEGER NOT NULL, updated_us INTEGER NOT NULL,"
    "  etag TEXT NOT NULL, body TEXT NOT NULL) STRICT;"
    "CREATE INDEX IF NOT EXISTS docs_kind ON docs(kind, partner, created_us);"
    "CREATE TABLE IF NOT EXISTS invoice_keys(creditor TEXT NOT NULL,"
    "  invoice_number TEXT NOT NULL, case_id TEXT NOT NULL,"
    "  PRIMARY KEY(creditor, invoice_number)) STRICT;"
    "CREATE TABLE IF NOT EXISTS counters(key TEXT PRIMARY KEY, n INTEGER NOT NULL) STRICT;"
    "CREATE TABLE IF NOT EXISTS faults(id INTEGER PRIMARY KEY, method TEXT NOT NULL,"
    "  path_prefix TEXT NOT NULL, mode TEXT NOT NULL, status INTEGER NOT NULL,"
    "  remaining INTEGER NOT NULL, probability REAL NOT NULL, latency_ms INTEGER NOT NULL,"
    "  retry_after INTEGER NOT NULL) STRICT;"
    "CREATE TABLE IF NOT EXISTS ledger(id INTEGER PRIMARY KEY, case_id TEXT NOT NULL,"
    "  creditor TEXT NOT NULL, kind TEXT NOT NULL, article TEXT NOT NULL,"
    "  day INTEGER NOT NULL, capital INTEGER NOT NULL, interest INTEGER NOT NULL,"
    "  fees INTEGER NOT NULL, outlay INTEGER NOT NULL, payout TEXT NOT NULL DEFAULT '') STRICT;"
    "CREATE TABLE IF NOT EXISTS media(id TEXT PRIMARY KEY, partner TEXT NOT NULL,"
    "  case_id TEXT NOT NULL, content_type TEXT NOT NULL, filename TEXT NOT NULL,"
    "  data BLOB NOT NULL) STRICT;";

static enum pm_err db_err(struct sb_ctx *ctx, int src)
{
    if (src == SQLITE_CONSTRAINT)
        return PM_ERR_CONFLICT;
    if (src == SQLITE_BUSY || src == SQLITE_LOCKED)
        return PM_ERR_BUSY;
    fprintf(stderr, "amili-sandbox: sqlite: %s\n", sqlite3_errmsg(ctx->db));
    return PM_ERR_DB;
}

static enum pm_err prepare(struct sb_ctx *ctx, const char *sql, sqlite3_stmt **st)
{
    int src = sqlite3_prepare_v2(ctx->db, sql, -1, st, NULL);

    return src == SQLITE_OK ? PM_OK : db_err(ctx, src);
}

/* Step a statement that returns no rows, then finalize it. */
static enum pm_err run(struct sb_ctx *ctx, sqlite3_stmt *st)
{
    int src = sqlite3_step(st);
    enum pm_err rc = src == SQLITE_DONE || src == SQLITE_ROW ? PM_OK : db_err(ctx, src);

    sqlite3_finalize(st);
    return rc;
}

static void text_col(sqlite3_stmt *st, int col, char *dst, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(st, col);

    snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

enum pm_err sb_store_open(struct sb_ctx *ctx, const char *path)
{
    enum pm_err rc = PM_OK;
    char *msg = NULL;
    int src;

    src = sqlite3_open_v2(path, &ctx->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (src != SQLITE_OK) {
        fprintf(stderr, "amili-sandbox: cannot open %s: %s\n", path,
                ctx->db ? sqlite3_errmsg(ctx->db) : "out of memory");
        rc = PM_ERR_IO;
        goto out_close;
    }
    sqlite3_busy_timeout(ctx->db, 5000);
    src = sqlite3_exec(ctx->db, SCHEMA, NULL, NULL, &msg);
    if (src != SQLITE_OK) {
        fprintf(stderr, "amili-sandbox: schema: %s\n", msg ? msg : "?");
        sqlite3_free(msg);
        rc = PM_ERR_DB;
        goto out_close;
    }
    return PM_OK;
out_close:
    sqlite3_close(ctx->db);
    ctx->db = NULL;
    return rc;
}

void sb_store_close(struct sb_ctx *ctx)
{
    if (ctx->db)
        sqlite3_close(ctx->db);
    ctx->db = NULL;
}

static enum pm_err exec(struct sb_ctx *ctx, const char *sql)
{
    int src = sqlite3_exec(ctx->db, sql, NULL, NULL, NULL);

    return src == SQLITE_OK ? PM_OK : db_err(ctx, src);
}

enum pm_err sb_store_begin(struct sb_ctx *ctx)
{
    return exec(ctx, "BEGIN IMMEDIATE");
}

enum pm_err sb_store_commit(struct sb_ctx *ctx)
{
    return exec(ctx, "COMMIT");
}

void sb_store_rollback(struct sb_ctx *ctx)
{
    if (!sqlite3_get_autocommit(ctx->db))
        (void)exec(ctx, "ROLLBACK");
}

enum pm_err sb_store_meta_get(struct sb_ctx *ctx, const char *key, int64_t dflt, int64_t *out)
{
    sqlite3_stmt *st = NULL;
    enum pm_err rc = prepare(ctx, "SELECT value FROM meta WHERE key = ?1", &st);
    int src;

    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    src = sqlite3_step(st);
    if (src == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    else if (src == SQLITE_DONE)
        *out = dflt;
    else
        rc = db_err(ctx, src);
    sqlite3_finalize(st);
    return rc;
}

enum pm_err sb_store_meta_set(struct sb_ctx *ctx, const char *key, int64_t value)
{
    sqlite3_stmt *st = NULL;
    enum pm_err rc = prepare(ctx,
                             "INSERT INTO meta(key, value) VALUES(?1, ?2)"
                             " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                             &st);

    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, value);
    return run(ctx, st);
}

enum pm_err sb_store_reset(struct sb_ctx *ctx)
{
    return exec(ctx, "DELETE FROM docs; DELETE FROM invoice_keys; DELETE FROM counters;"
                     "DELETE FROM faults; DELETE FROM ledger; DELETE FROM media;"
                     "DELETE FROM meta;");
}

/* ---- documents ---------------------------------------------------------- */

void sb_doc_release(struct sb_doc *d)
{
    if (!d)
        return;
    json_decref(d->body);
    d->body = NULL;
}

static enum pm_err doc_from_row(sqlite3_stmt *st, struct sb_doc *d)
{
    json_error_t jerr;
    const char *body = (const char *)sqlite3_column_text(st, 6);

    memset(d, 0, sizeof(*d));
    text_col(st, 0, d->id, sizeof(d->id));
    text_col(st, 1, d->kind, sizeof(d->kind));
    text_col(st, 2, d->partner, sizeof(d->partner));
    d->created_us = sqlite3_column_int64(st, 3);
    d->updated_us = sqlite3_column_int64(st, 4);
    text_col(st, 5, d->etag, sizeof(d->etag));
    d->body = json_loads(body ? body : "{}", 0, &jerr);
    return d->body ? PM_OK : PM_ERR_INTERNAL;
}

#define DOC_COLS "id, kind, partner, created_us, updated_us, etag, body"

enum pm_err sb_store_doc_get(struct sb_ctx *ctx, const char *kind, const char *partner,
                             const char *id, struct sb_doc *out)
{
    sqlite3_stmt *st = NULL;
    enum pm_err rc;
    int src;

    rc = prepare(ctx,
                 "SELECT " DOC_COLS " FROM docs WHERE id = ?1 AND kind = ?2"
                 " AND (?3 IS NULL OR partner = ?3)",
                 &st);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, id ? id : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    if (partner)
        sqlite3_bind_text(st, 3, partner, -1, SQLITE_STATIC);
    src = sqlite3_step(st);
    if (src == SQLITE_ROW)
        rc = doc_from_row(st, out);
    else if (src == SQLITE_DONE)
        rc = PM_ERR_NOT_FOUND;
    else
        rc = db_err(ctx, src);
    sqlite3_finalize(st);
    return rc;
}

enum pm_err sb_store_doc_put(struct sb_ctx *ctx, struct sb_doc *d)
{
    sqlite3_stmt *st = NULL;
    enum pm_err rc;
    int64_t last = 0, stamp;
    char *text = NULL, hex[SECRET_TOKEN_HEX];
    struct buf seed = BUF_INIT;

    rc = sb_store_meta_get(ctx, "last_stamp_us", 0, &last);
    if (rc)
        goto out;
    stamp = clock_now_us(&ctx->clock);
    if (stamp <= last)
        stamp = last + 1;
    rc = sb_store_meta_set(ctx, "last_stamp_us", stamp);
    if (rc)
        goto out;
    text = json_dumps(d->body, JSON_COMPACT);
    if (!text) {
        rc = PM_ERR_NOMEM;
        goto out;
    }
    rc = buf_addf(&seed, "%s/%lld/%s", d->id, (long long)stamp, text);
    if (rc)
        goto out;
    secret_sha256_hex(seed.data, seed.len, hex);
    memcpy(d->etag, hex, SB_ETAG_LEN);
    d->etag[SB_ETAG_LEN] = '\0';
    if (!d->created_us)
        d->created_us = stamp;
    d->updated_us = stamp;
    rc = prepare(ctx,
                 "INSERT INTO docs(" DOC_COLS ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)"
                 " ON CONFLICT(id) DO UPDATE SET updated_us = excluded.updated_us,"
                 " etag = excluded.etag, body = excluded.body",
                 &st);
    if (rc)
        goto out;
    sqlite3_bind_text(st, 1, d->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, d->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, d->partner, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, d->created_us);
    sqlite3_bind_int64(st, 5, d->updated_us);
    sqlite3_bind_text(st, 6, d->etag, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, text, -1, SQLITE_STATIC);
    rc = run(ctx, st);
out:
    buf_release(&seed);
    free(text);
    return rc;
}

enum pm_err sb_store_doc_list(struct sb_ctx *ctx, const char *kind, const char *partner,
                              struct sb_doc **out, size_t *n)
{
    sqlite3_stmt *st = NULL;
    enum pm_err rc;
    struct sb_doc *docs = NULL;
    size_t count = 0, cap = 0;
    int src;

    rc = prepare(ctx,
                 "SELECT " DOC_COLS " FROM docs WHERE kind = ?1 AND (?2 IS NULL OR partner = ?2)"
                 " ORDER BY created_us, id",
                 &st);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    if (partner)
        sqlite3_bind_text(st, 2, partner, -1, SQLITE_STATIC);
    for (;;) {
        src = sqlite3_step(st);
        if (src == SQLITE_DONE)
            break;
        if (src != SQLITE_ROW) {
            rc = db_err(ctx, src);
            goto out_free;
        }
        if (count == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct sb_doc *nd = realloc(docs, ncap * sizeof(*nd));

            if (!nd) {
                rc = PM_ERR_NOMEM;
                goto out_free;
            }
            docs = nd;
            cap = ncap;
        }
        rc = doc_from_row(st, &docs[count]);
        if (rc)
            goto out_free;
        count++;
    }
    sqlite3_finalize(st);
    *out = docs;
    *n = count;
    return PM_OK;
out_free:
    for (size_t i = 0; i < count; i++)
        sb_doc_release(&docs[i]);
    free(docs);
    sqlite3_finalize(st);
    return rc;
}

/* ---- partners and tokens ------------------------------------------------- */

enum pm_err sb_store_partner_put(struct sb_ctx *ctx, const char *api_code, const char *pem)
{
    sqlite3_stmt *st = NULL;
    enum pm_err rc = prepare(ctx,
                             "INSERT INTO partners(api_code, public_key, created_us)"
                             " VALUES(?1, ?2, ?3) ON CONFLICT(api_code) DO UPDATE"
                             " SET public_key = excluded.public_key",
                             &st);

    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, api_code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, pem, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, clock_now_us(NULL));
    return run(ctx, st);
}

enum pm_err sb_store_partner_key(struct sb_ctx *ctx, const char *api_code, char **pem)
{
    sqlite3_stmt *st = NULL;
    enum pm_err rc = prepare(ctx, "SELECT public_key FROM partners WHERE api_code = ?1", &st);
    int src;

    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, api_code, -1, SQLITE_STATIC);
    src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        *pem = strdup((const char *)sqlite3_column_text(st, 0));
        rc = *pem ? PM_OK : PM_ERR_NOMEM;
    } else {
        rc = src == SQLITE_DONE ? PM_ERR_NOT_FOUND : db_err(ctx, src);
    }
    sqlite3_finalize(st);
    return rc;
}

enum pm_err sb_store_token_put(struct sb_ctx *ctx, const char *hash, const char *api_code,
                               int64_t expires_s)
{
    sqlite3_stmt *st = NULL;
    enum pm_err rc = prepare(ctx, "DELETE FROM tokens WHERE expires_s < ?1", &st);

    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, expires_s - 2 * SB_TOKEN_LIFETIME_S);
    rc = run(ctx, st);
    if (rc)
        return rc;
    rc = prepare(ctx, "INSERT INTO tokens(hash, api_code, expires_s) VALUES(?1, ?2, ?3)", &st);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, api_code, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, expires_s);
    return run(ctx, st);
}

enum pm_err sb_store_token_get(struct sb_ctx *ctx, const char *hash, int64_t now_s, char *dst,
                               size_t cap)
{
    sqlite3_stmt *st = NULL;
    enum pm_err rc =
        prepare(ctx, "SELECT api_code FROM tokens WHERE hash = ?1 AND expires_s > ?2", &st);
    int src;

    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now_s);
    src = sqlite3_step(st);
    if (src == SQLITE_ROW)
        text_col(st, 0, dst, cap);
    else
        rc = src == SQLITE_DONE ? PM_ERR_NOT_FOUND : db_err(ctx, src);
    sqlite3_finalize(st);
    return rc;
}

/* ---- invoice keys ------------------------------------------------------- */

enum pm_err sb_store_invoice_find(struct sb_ctx *ctx, const char *creditor,
                                  const char *invoice_number, char case_id[SB_ID_LEN + 1])
{
    sqlite3_stmt *st = NULL;
    enum pm_err rc = prepare(ctx,
                             "SELECT case_id FROM invoice_keys WHERE creditor = ?1"
                             " AND invoice_number = ?2",
                             &st);
    int src;

    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, creditor, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, invoice_number, -1, SQLITE_STATIC);
    src = sqlite3_step(st);
    if (src == SQLITE_ROW)
        text_col(st, 0, case_id, SB_ID_LEN + 1);
    else
        rc = src == SQLITE_DONE ? PM_ERR_NOT_FOUND : db_err(ctx, src);
    sqlite3_finalize(st);
    return rc;
}

enum pm_err sb_store_invoice_claim(struct sb_ctx *ctx, const char *creditor,
                                   const char *invoice_number, const char *case_id,
                                   char existing[SB_ID_LEN + 1])
{
    sqlite3_stmt *st = NULL;
    enum pm_err rc = sb_store_invoice_find(ctx, creditor, invoice_number, existing);

    if (rc == PM_OK)
        return PM_ERR_CONFLICT;
    if (rc != PM_ERR_NOT_FOUND)
        return rc;
    rc = prepare(
        ctx, "INSERT INTO invoice_keys(creditor, invoice_number, case_id) VALUES(?1, ?2, ?3)", &st);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, creditor, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, invoice_number, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, case_id, -1, SQLITE_STATIC);
    return run(ctx, st);
}

/* ---- counters ----------------------------------------------------------- */

enum pm_err sb_store_count(struct sb_ctx *ctx, const char *key)
{
    sqlite3_stmt *st = NULL;
    enum pm_err rc = prepare(ctx,
                             "INSERT INTO counters(key, n) VALUES(?1, 1)"
                             " ON CONFLICT(key) DO UPDATE SET n = n + 1",
                             &st);

    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    return run(ctx, st);
}

enum pm_err sb_store_counters(struct sb_ctx *ctx, json_t **out)
{
    sqlite3_stmt *st = NULL;
    enum pm_err rc;
    json_t *requests = json_object(), *regs = json_object(), *all = NULL;
    int src;

    rc = prepare(ctx, "SELECT key, n FROM counters ORDER BY key", &st);
    if (rc)
        goto out_free;
    while (sqlite3_step(st) == SQLITE_ROW)
        json_object_set_new(requests, (const char *)sqlite3_column_text(st, 0),
                            json_integer(sqlite3_column_int64(st, 1)));
    sqlite3_finalize(st);
    rc = prepare(ctx, "SELECT creditor || '/' || invoice_number FROM invoice_keys ORDER BY 1", &st);
    if (rc)
        goto out_free;
    while (sqlite3_step(st) == SQLITE_ROW)
        json_object_set_new(regs, (const char *)sqlite3_column_text(st, 0), json_integer(1));
    sqlite3_finalize(st);
    rc = prepare(ctx, "SELECT count(*) FROM docs WHERE kind = 'case'", &st);
    if (rc)
        goto out_free;
    src = sqlite3_step(st);
    all = json_pack("{s:o, s:o, s:I}", "requests", requests, "registrations_by_invoice", regs,
                    "cases", (json_int_t)(src == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0));
    sqlite3_finalize(st);
    *out = all;
    return all ? PM_OK : PM_ERR_NOMEM;
out_free:
    json_decref(requests);
    json_decref(regs);
    return rc;
}

/* ---- faults ------------------------------------------------------------- */

enum pm_err sb_store_fault_add(struct sb_ctx *ctx, const struct sb_fault *f, int64_t *id)
{
    sqlite3_stmt *st = NULL;
    enum pm_err rc = prepare(ctx,
                             "INSERT INTO faults(method, path_prefix, mode, status, remaining,"
                             " probability, latency_ms, retry_after)"
                             " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                             &st);

    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, f->method, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, f->path_prefix, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, f->mode, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, f->status);
    sqlite3_bind_int64(st, 5, f->remaining);
    sqlite3_bind_double(st, 6, f->probability);
    sqlite3_bind_int(st, 7, f->latency_ms);
    sqlite3_bind_int(st, 8, f->retry_after);
    rc = run(ctx, st);
    if (!rc)
        *id = sqlite3_last_insert_rowid(ctx->db);
    return rc;
}

enum pm_err sb_store_fault_clear(struct sb_ctx *ctx)
{
    return exec(ctx, "DELETE FROM faults");
}

static void fault_from_row(sqlite3_stmt *st, struct sb_fault *f)
{
    memset(f, 0, sizeof(*f));
    f->id = sqlite3_column_int64(st, 0);
    text_col(st, 1, f->method, sizeof(f->method));
    text_col(st, 2, f->path_prefix, sizeof(f->path_prefix));
    text_col(st, 3, f->mode, sizeof(f->mode));
    f->status = sqlite3_column_int(st, 4);
    f->remaining = sqlite3_column_int64(st, 5);
    f->probability = sqlite3_column_double(st, 6);
    f->latency_ms = sqlite3_column_int(st, 7);
    f->retry_after = sqlite3_column_int(st, 8);
}

#define FAULT_COLS                                                               \
    "id, method, path_prefix, mode, status, remaining, probability, latency_ms," \
    " retry_after"

enum pm_err sb_store_fault_list(struct sb_ctx *ctx, json_t **out)
{
    sqlite3_stmt *st = NULL;
    enum pm_err rc = prepare(ctx, "SELECT " FAULT_COLS " FROM faults ORDER BY id", &st);
    json_t *items = json_array();
    struct sb_fault f;

    if (rc)
        goto out_free;
    while (sqlite3_step(st) == SQLITE_ROW) {
        fault_from_row(st, &f);
        json_array_append_new(items,
                              json_pack("{s:I, s:s, s:s, s:s, s:i, s:I, s:f, s:i, s:i}", "id",
                                        (json_int_t)f.id, "method", f.method, "path_prefix",
                                        f.path_prefix, "mode", f.mode, "status", f.status, "count",
                                        (json_int_t)f.remaining, "probability", f.probability,
                                        "latency_ms", f.latency_ms, "retry_after", f.retry_after));
    }
    sqlite3_finalize(st);
    *out = items;
    return PM_OK;
out_free:
    json_decref(items);
    return rc;
}

enum pm_err sb_store_fault_take(struct sb_ctx *ctx, const char *method, const char *path,
                                struct sb_fault *out, bool *hit)
{
    sqlite3_stmt *st = NULL;
    enum pm_err rc;
    struct sb_fault f;
    bool found = false;

    *hit = false;
    rc = prepare(ctx,
                 "SELECT " FAULT_COLS " FROM faults WHERE (method = '*' OR method = ?1)"
                 " AND substr(?2, 1, length(path_prefix)) = path_prefix ORDER BY id",
                 &st);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, method, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        fault_from_row(st, &f);
        if (f.probability >= 1.0 ||
            randombytes_uniform(1000000) < (uint32_t)(f.probability * 1000000.0)) {
            found = true;
            break;
        }
    }
    sqlite3_finalize(st);
    if (!found)
        return PM_OK;
    if (f.remaining == 1)
        rc = prepare(ctx, "DELETE FROM faults WHERE id = ?1", &st);
    else if (f.remaining > 1)
        rc = prepare(ctx, "UPDATE faults SET remaining = remaining - 1 WHERE id = ?1", &st);
    else
        st = NULL;
    if (rc)
        return rc;
    if (st) {
        sqlite3_bind_int64(st, 1, f.id);
        rc = run(ctx, st);
        if (rc)
            return rc;
    }
    *out = f;
    *hit = true;
    return PM_OK;
}

/* ---- ledger ------------------------------------------------------------- */

enum pm_err sb_store_ledger_add(struct sb_ctx *ctx, const struct sb_ledger *l)
{
    sqlite3_stmt *st = NULL;
    enum pm_err rc = prepare(ctx,
                             "INSERT INTO ledger(case_id, creditor, kind, article, day, capital,"
                             " interest, fees, outlay) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                             &st);

    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, l->case_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, l->creditor, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, l->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, l->article, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, l->day);
    sqlite3_bind_int64(st, 6, l->capital);
    sqlite3_bind_int64(st, 7, l->interest);
    sqlite3_bind_int64(st, 8, l->fees);
    sqlite3_bind_int64(st, 9, l->outlay);
    return run(ctx, st);
}

enum pm_err sb_store_ledger_unpaid(struct sb_ctx *ctx, const char *creditor, struct sb_ledger **out,
                                   size_t *n)
{
    sqlite3_stmt *st = NULL;
    enum pm_err rc;
    struct sb_ledger *rows = NULL;
    size_t count = 0, cap = 0;

    rc = prepare(ctx,
                 "SELECT id, case_id, creditor, kind, article, day, capital, interest, fees,"
                 " outlay FROM ledger WHERE creditor = ?1 AND kind = 'debtor_payment'"
                 " AND payout = '' ORDER BY id",
                 &st);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, creditor, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        struct sb_ledger *l;

        if (count == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct sb_ledger *nr = realloc(rows, ncap * sizeof(*nr));

            if (!nr) {
                rc = PM_ERR_NOMEM;
                goto out_free;
            }
            rows = nr;
            cap = ncap;
        }
        l = &rows[count++];
        memset(l, 0, sizeof(*l));
        l->id = sqlite3_column_int64(st, 0);
        text_col(st, 1, l->case_id, sizeof(l->case_id));
        text_col(st, 2, l->creditor, sizeof(l->creditor));
        text_col(st, 3, l->kind, sizeof(l->kind));
        text_col(st, 4, l->article, sizeof(l->article));
        l->day = sqlite3_column_int(st, 5);
        l->capital = sqlite3_column_int64(st, 6);
        l->interest = sqlite3_column_int64(st, 7);
        l->fees = sqlite3_column_int64(st, 8);
        l->outlay = sqlite3_column_int64(st, 9);
    }
    sqlite3_finalize(st);
    *out = rows;
    *n = count;
    return PM_OK;
out_free:
    free(rows);
    sqlite3_finalize(st);
    return rc;
}

enum pm_err sb_store_ledger_mark(struct sb_ctx *ctx, int64_t id, const char *payout)
{
    sqlite3_stmt *st = NULL;
    enum pm_err rc = prepare(ctx, "UPDATE ledger SET payout = ?1 WHERE id = ?2", &st);

    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, payout, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, id);
    return run(ctx, st);
}

/* ---- media -------------------------------------------------------------- */

enum pm_err sb_store_media_put(struct sb_ctx *ctx, const char *id, const char *partner,
                               const char *case_id, const char *content_type, const char *filename,
                               const void *data, size_t len)
{
    sqlite3_stmt *st = NULL;
    enum pm_err rc = prepare(ctx,
                             "INSERT INTO media(id, partner, case_id, content_type, filename,"
                             " data) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
                             &st);

    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, partner, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, case_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, content_type, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, filename, -1, SQLITE_STATIC);
    sqlite3_bind_blob64(st, 6, len ? data : "", len, SQLITE_STATIC);
    return run(ctx, st);
}

enum pm_err sb_store_media_get(struct sb_ctx *ctx, const char *id, const char *partner,
                               char *content_type, size_t ct_cap, char **data, size_t *len)
{
    sqlite3_stmt *st = NULL;
    enum pm_err rc =
        prepare(ctx, "SELECT content_type, data FROM media WHERE id = ?1 AND partner = ?2", &st);
    int src;

    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, partner, -1, SQLITE_STATIC);
    src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        size_t n = (size_t)sqlite3_column_bytes(st, 1);

        text_col(st, 0, content_type, ct_cap);
        *data = malloc(n ? n : 1);
        if (*data) {
            if (n)
                memcpy(*data, sqlite3_column_blob(st, 1), n);
            *len = n;
        } else {
            rc = PM_ERR_NOMEM;
        }
    } else {
        rc = src == SQLITE_DONE ? PM_ERR_NOT_FOUND : db_err(ctx, src);
    }
    sqlite3_finalize(st);
    return rc;
}
