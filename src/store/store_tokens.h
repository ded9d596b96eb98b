/*
 * store_tokens.h — keeping the session and token tables small: expired
 * login sessions and old Idempotency-Key answers are deleted.
 */
#ifndef PM_STORE_TOKENS_H
#define PM_STORE_TOKENS_H

#include <stdint.h>

#include "store/store.h"

/* Delete the login sessions expired at `now` (unix seconds); *deleted (may
 * be NULL) is how many went. */
enum pm_err store_sessions_prune(struct store *st, int64_t now, int64_t *deleted);
/* Delete the Idempotency-Key answers of every company created before
 * `before` (unix seconds); *deleted (may be NULL) is how many went. */
enum pm_err store_idempotency_prune(struct store *st, int64_t before, int64_t *deleted);

#endif
