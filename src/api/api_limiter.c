/*
 * api_limiter.c — the failed-login tables: small arrays searched linearly (a login costs an
 * argon2id hash, which dwarfs the scan) under a mutex.
 */
#include "api/api_limiter.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/secret.h"

struct slot {
    char key[SECRET_TOKEN_HEX];          /* "" = free */
    int64_t fails[API_LIMITER_ATTEMPTS]; /* ring of failure times */
    size_t next;                         /* ring position of the next failure */
    uint64_t used;                       /* LRU stamp */
};

/* Failures counted in a fixed window: a client address, or everyone. */
struct counter {
    char key[SECRET_TOKEN_HEX]; /* "" = free */
    int64_t start;              /* the window's first second */
    unsigned count;
    uint64_t used;
};

struct api_limiter {
    pthread_mutex_t lock;
    struct slot *slots;
    struct counter *clients;
    struct counter global;
    size_t n;
    uint64_t stamp;
};

struct api_limiter *api_limiter_new(size_t slots)
{
    struct api_limiter *l = calloc(1, sizeof(*l));
    size_t n = slots ? slots : 1;

    if (!l)
        return NULL;
    l->slots = calloc(n, sizeof(*l->slots));
    l->clients = calloc(n, sizeof(*l->clients));
    if (!l->slots || !l->clients || pthread_mutex_init(&l->lock, NULL)) {
        free(l->slots);
        free(l->clients);
        free(l);
        return NULL;
    }
    l->n = n;
    return l;
}

void api_limiter_free(struct api_limiter **l)
{
    if (!l || !*l)
        return;
    pthread_mutex_destroy(&(*l)->lock);
    free((*l)->slots);
    free((*l)->clients);
    free(*l);
    *l = NULL;
}

static void key_of(const char *email, char key[SECRET_TOKEN_HEX])
{
    char lower[256];
    size_t i;

    for (i = 0; email[i] && i < sizeof(lower) - 1; i++)
        lower[i] = email[i] >= 'A' && email[i] <= 'Z' ? (char)(email[i] + 32) : email[i];
    lower[i] = '\0';
    secret_sha256_hex(lower, i, key);
}

/* The failures of s within the window ending at now, and the oldest of them. */
static size_t recent_fails(const struct slot *s, int64_t now, int64_t *oldest)
{
    size_t i, recent = 0;

    *oldest = INT64_MAX;
    for (i = 0; i < API_LIMITER_ATTEMPTS; i++) {
        if (s->fails[i] && s->fails[i] > now - API_LIMITER_WINDOW_S) {
            recent++;
            if (s->fails[i] < *oldest)
                *oldest = s->fails[i];
        }
    }
    return recent;
}

/* The slot of key, or NULL; with create, a free one or the least recently
 * used one that is not locked at now (NULL when every slot is locked). */
static struct slot *find(struct api_limiter *l, const char *key, bool create, int64_t now)
{
    struct slot *victim = NULL;
    int64_t oldest;
    size_t i;

    for (i = 0; i < l->n; i++) {
        if (!strcmp(l->slots[i].key, key))
            return &l->slots[i];
    }
    if (!create)
        return NULL;
    for (i = 0; i < l->n; i++) {
        if (l->slots[i].key[0] && recent_fails(&l->slots[i], now, &oldest) >= API_LIMITER_ATTEMPTS)
            continue;
        if (!victim || l->slots[i].used < victim->used)
            victim = &l->slots[i];
    }
    if (victim) {
        memset(victim, 0, sizeof(*victim));
        memcpy(victim->key, key, SECRET_TOKEN_HEX);
    }
    return victim;
}

bool api_limiter_blocked(struct api_limiter *l, const char *email, int64_t now,
                         int64_t *retry_after)
{
    char key[SECRET_TOKEN_HEX];
    struct slot *s;
    int64_t oldest;
    bool blocked = false;

    key_of(email, key);
    pthread_mutex_lock(&l->lock);
    s = find(l, key, false, now);
    if (s && recent_fails(s, now, &oldest) >= API_LIMITER_ATTEMPTS) {
        blocked = true;
        *retry_after = oldest + API_LIMITER_WINDOW_S - now;
        if (*retry_after < 1)
            *retry_after = 1;
    }
    pthread_mutex_unlock(&l->lock);
    return blocked;
}

void api_limiter_fail(struct api_limiter *l, const char *email, int64_t now)
{
    char key[SECRET_TOKEN_HEX];
    struct slot *s;

    key_of(email, key);
    pthread_mutex_lock(&l->lock);
    s = find(l, key, true, now);
    if (s) { /* else every slot is locked: the client and global counts still see it */
        s->fails[s->next] = now > 0 ? now : 1;
        s->next = (s->next + 1) % API_LIMITER_ATTEMPTS;
        s->used = ++l->stamp;
    }
    pthread_mutex_unlock(&l->lock);
}

void api_limiter_success(struct api_limiter *l, const char *email)
{
    char key[SECRET_TOKEN_HEX];
    struct slot *s;

    key_of(email, key);
    pthread_mutex_lock(&l->lock);
    s = find(l, key, false, 0);
    if (s)
        memset(s, 0, sizeof(*s));
    pthread_mutex_unlock(&l->lock);
}

/* ---- per client address and in all ---- */

static bool counter_over(const struct counter *c, unsigned limit, int64_t now, int64_t *retry)
{
    if (!c->count || now >= c->start + API_LIMITER_WINDOW_S || c->count < limit)
        return false;
    *retry = c->start + API_LIMITER_WINDOW_S - now;
    if (*retry < 1)
        *retry = 1;
    return true;
}

static void counter_add(struct counter *c, int64_t now)
{
    if (!c->count || now >= c->start + API_LIMITER_WINDOW_S) {
        c->start = now;
        c->count = 0;
    }
    c->count++;
}

/* The counter of a client key; with create, a free one or the least
 * recently used one that is not over its limit (NULL when none is). */
static struct counter *find_client(struct api_limiter *l, const char *key, bool create, int64_t now)
{
    struct counter *victim = NULL;
    int64_t retry;
    size_t i;

    for (i = 0; i < l->n; i++) {
        if (!strcmp(l->clients[i].key, key))
            return &l->clients[i];
    }
    if (!create)
        return NULL;
    for (i = 0; i < l->n; i++) {
        if (l->clients[i].key[0] &&
            counter_over(&l->clients[i], API_LIMITER_CLIENT_ATTEMPTS, now, &retry))
            continue;
        if (!victim || l->clients[i].used < victim->used)
            victim = &l->clients[i];
    }
    if (victim) {
        memset(victim, 0, sizeof(*victim));
        memcpy(victim->key, key, SECRET_TOKEN_HEX);
    }
    return victim;
}

bool api_limiter_client_blocked(struct api_limiter *l, const char *client, int64_t now,
                                int64_t *retry_after)
{
    char key[SECRET_TOKEN_HEX];
    struct counter *c;
    bool blocked;

    key_of(client, key);
    pthread_mutex_lock(&l->lock);
    blocked = counter_over(&l->global, API_LIMITER_GLOBAL_ATTEMPTS, now, retry_after);
    c = blocked ? NULL : find_client(l, key, false, now);
    if (c)
        blocked = counter_over(c, API_LIMITER_CLIENT_ATTEMPTS, now, retry_after);
    pthread_mutex_unlock(&l->lock);
    return blocked;
}

void api_limiter_client_fail(struct api_limiter *l, const char *client, int64_t now)
{
    char key[SECRET_TOKEN_HEX];
    struct counter *c;

    key_of(client, key);
    pthread_mutex_lock(&l->lock);
    counter_add(&l->global, now);
    c = find_client(l, key, true, now);
    if (c) {
        counter_add(c, now);
        c->used = ++l->stamp;
    }
    pthread_mutex_unlock(&l->lock);
}
