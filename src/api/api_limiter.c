/*
 * api_limiter.c — the failed-login table: a small array searched linearly
 * (a login costs an argon2id hash, which dwarfs the scan) under a mutex.
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

struct api_limiter {
    pthread_mutex_t lock;
    struct slot *slots;
    size_t n;
    uint64_t stamp;
};

struct api_limiter *api_limiter_new(size_t slots)
{
    struct api_limiter *l = calloc(1, sizeof(*l));

    if (!l)
        return NULL;
    l->slots = calloc(slots ? slots : 1, sizeof(*l->slots));
    if (!l->slots || pthread_mutex_init(&l->lock, NULL)) {
        free(l->slots);
        free(l);
        return NULL;
    }
    l->n = slots ? slots : 1;
    return l;
}

void api_limiter_free(struct api_limiter **l)
{
    if (!l || !*l)
        return;
    pthread_mutex_destroy(&(*l)->lock);
    free((*l)->slots);
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

/* The slot of key, or NULL; with create, a free or the least recently used one. */
static struct slot *find(struct api_limiter *l, const char *key, bool create)
{
    struct slot *victim = &l->slots[0];
    size_t i;

    for (i = 0; i < l->n; i++) {
        if (!strcmp(l->slots[i].key, key))
            return &l->slots[i];
        if (l->slots[i].used < victim->used)
            victim = &l->slots[i];
    }
    if (!create)
        return NULL;
    memset(victim, 0, sizeof(*victim));
    memcpy(victim->key, key, SECRET_TOKEN_HEX);
    return victim;
}

bool api_limiter_blocked(struct api_limiter *l, const char *email, int64_t now,
                         int64_t *retry_after)
{
    char key[SECRET_TOKEN_HEX];
    struct slot *s;
    int64_t oldest = INT64_MAX;
    size_t i, recent = 0;
    bool blocked = false;

    key_of(email, key);
    pthread_mutex_lock(&l->lock);
    s = find(l, key, false);
    if (s) {
        for (i = 0; i < API_LIMITER_ATTEMPTS; i++) {
            if (s->fails[i] && s->fails[i] > now - API_LIMITER_WINDOW_S) {
                recent++;
                if (s->fails[i] < oldest)
                    oldest = s->fails[i];
            }
        }
        blocked = recent >= API_LIMITER_ATTEMPTS;
        if (blocked) {
            *retry_after = oldest + API_LIMITER_WINDOW_S - now;
            if (*retry_after < 1)
                *retry_after = 1;
        }
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
    s = find(l, key, true);
    s->fails[s->next] = now > 0 ? now : 1;
    s->next = (s->next + 1) % API_LIMITER_ATTEMPTS;
    s->used = ++l->stamp;
    pthread_mutex_unlock(&l->lock);
}

void api_limiter_success(struct api_limiter *l, const char *email)
{
    char key[SECRET_TOKEN_HEX];
    struct slot *s;

    key_of(email, key);
    pthread_mutex_lock(&l->lock);
    s = find(l, key, false);
    if (s)
        memset(s, 0, sizeof(*s));
    pthread_mutex_unlock(&l->lock);
}
