/*
 * store_reminder_stops.c — stops of reminders (see store_reminder_stops.h),
 * written once in SQL over the storage driver (sql.h).
 */
#include "store/store_reminder_stops.h"

#include "store/sql.h"

#define STOP_COLUMNS                                                                        \
    "company_id, target, target_id, kind, text, since_day, until_day, no_interest, set_by," \
    " set_at"

static const struct sql_col stop_cols[] =
    SQL_COLS(struct reminder_stop_row, company_id, target, target_id, kind, text, since, until,
             no_interest, set_by, set_at);

static const struct sql_reader stop_reader = SQL_READER(struct reminder_stop_row, stop_cols, NULL);

enum pm_err store_reminder_stop_get(struct store *st, int64_t company_id, const char *target,
                                    int64_t target_id, struct reminder_stop_row *out, bool *found)
{
    static const char sql[] = "SELECT " STOP_COLUMNS " FROM reminder_stops"
                              " WHERE company_id = $1 AND target = $2 AND target_id = $3";

    return sql_findf(st, found, &stop_reader, out, sql, "iti", company_id, SQL_CAP(target, 12),
                     target_id);
}

enum pm_err store_reminder_stop_put(struct store *st, const struct reminder_stop_row *s)
{
    static const char sql[] =
        "INSERT INTO reminder_stops (" STOP_COLUMNS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8,"
        " $9, $10) ON CONFLICT (company_id, target, target_id) DO UPDATE SET"
        " kind = excluded.kind, text = excluded.text, since_day = excluded.since_day,"
        " until_day = excluded.until_day, no_interest = excluded.no_interest,"
        " set_by = excluded.set_by, set_at = excluded.set_at";

    return sql_runf(st, sql, "c", SQL_ROW(stop_cols, s));
}

enum pm_err store_reminder_stop_delete(struct store *st, int64_t company_id, const char *target,
                                       int64_t target_id)
{
    static const char sql[] = "DELETE FROM reminder_stops"
                              " WHERE company_id = $1 AND target = $2 AND target_id = $3";

    return sql_runf(st, sql, "iti", company_id, SQL_CAP(target, 12), target_id);
}
