/*
 * sqlite_outbox.c — the agency outbox in the SQLite engine.
 *
 * A message is written in the caller's transaction (or its own), so it
 * exists exactly when the change that calls for it exists.  The unique
 * (company_id, idempotency_key) makes a second enqueue of the same message
 * a PM_ERR_CONFLICT instead of a second delivery.  Delivery (leasing,
 * retries, completion) belongs to the dispatcher's operations.
 */
#include <string.h>

#include "store/sqlite/sqlite_store.h"

enum pm_err sqlite_outbox_enqueue(struct store *stp, struct outbox_message *m)
{
    static const char sql[] =
        "INSERT INTO outbox (company_id, id, invoice_id, batch_id, kind, payload, state,"
        " idempotency_key, created_at, updated_at)"
        " VALUES (:cid, :id, :iid, nullif(:batch, 0), :kind, :payload, 'pending', :key, :now,"
        " :now)";
    struct sqlite_store *s = (struct sqlite_store *)stp;
    struct outbox_message row = *m;
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    bool own = false;
    int rc;

    if (!row.kind[0] || !row.idempotency_key[0])
        return pm_error_set(&s->base.error, PM_ERR_INVALID,
                            row.kind[0] ? "idempotency_key" : "kind",
                            "an outbox message needs a kind and an idempotency key");
    if (!row.payload[0])
        memcpy(row.payload, "{}", 3);
    err = sqlite_store_tx_begin(s, &own);
    if (err)
        return err;
    err = sqlite_store_next_id(s, row.company_id, "outbox", 1, &row.id);
    if (err)
        goto out_tx;
    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        goto out_tx;
    sqlite_store_bind_int(st, ":cid", row.company_id);
    sqlite_store_bind_int(st, ":id", row.id);
    sqlite_store_bind_int(st, ":iid", row.invoice_id);
    sqlite_store_bind_int(st, ":batch", row.batch_id);
    sqlite_store_bind_text(st, ":kind", row.kind, sizeof(row.kind));
    sqlite_store_bind_text(st, ":payload", row.payload, sizeof(row.payload));
    sqlite_store_bind_text(st, ":key", row.idempotency_key, sizeof(row.idempotency_key));
    sqlite_store_bind_int(st, ":now", sqlite_store_now());
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        err = sqlite_store_fail(s, rc, "queueing a message for the agency");
    sqlite_store_done(st);
out_tx:
    err = sqlite_store_tx_end(s, own, err);
    if (!err)
        *m = row;
    return err;
}
