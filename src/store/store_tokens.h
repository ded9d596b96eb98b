/*
 * store_tokens.h — a company's API tokens listed and revoked, and the
 * session tables kept small: expired login sessions and old Idempotency-Key
 * answers are deleted.
 */
#ifndef PM_STORE_TOKENS_H
#define PM_STORE_TOKENS_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* Delete the login sessions expired at `now` (unix seconds); *deleted (may
 * be NULL) is how many went. */
enum pm_err store_sessions_prune(struct store *st, int64_t now, int64_t *deleted);
/* Delete the Idempotency-Key answers of every company created before
 * `before` (unix seconds); *deleted (may be NULL) is how many went. */
enum pm_err store_idempotency_prune(struct store *st, int64_t before, int64_t *deleted);

/* The company's tokens by id (their hashes left out), up to cap of them. */
enum pm_err store_api_token_list(struct store *st, int64_t company_id, struct api_token *out,
                                 size_t cap, size_t *n);
/* Delete (revoke) a token; PM_ERR_NOT_FOUND when the company has no such. */
enum pm_err store_api_token_delete(struct store *st, int64_t company_id, int64_t id);
/* Note that the token was used at `now` (unix seconds; an older note only
 * is replaced).  Gone already is no failure. */
enum pm_err store_api_token_touch(struct store *st, int64_t company_id, int64_t id, int64_t now);

#endif
