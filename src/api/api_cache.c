/*
 * api_cache.c — a small LRU of answers, valid for one data version of a
 * store handle (the contract is in api_cache.h).
 *
 * The cache is a fixed array of a few dozen slots: a lookup compares a
 * 64-bit hash of the key before the key itself, and eviction scans for the
 * oldest use.  With so few entries a linear scan beats any index and keeps
 * the hit path free of allocations.
 */
#include "api/api_cache.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct cache_entry {
    uint64_t hash;
    uint64_t used; /* tick of the last get or put; 0 = free slot */
    void *key;
    size_t key_len;
    void *value;
    size_t bytes; /* the caller's cost plus the key */
};

struct api_cache {
    struct cache_entry *entries;
    size_t max_entries, max_bytes;
    size_t count, bytes;
    uint64_t tick;
    uint64_t version;
    bool synced; /* version is set */
    api_cache_release_fn *release;
};

/* FNV-1a, 64 bits. */
static uint64_t key_hash(const void *key, size_t len)
{
    const unsigned char *p = key;
    uint64_t h = 14695981039346656037u;
    size_t i;

    for (i = 0; i < len; i++) {
        h ^= p[i];
        h *= 1099511628211u;
    }
    return h;
}

static void entry_drop(struct api_cache *c, struct cache_entry *e)
{
    if (!e->used)
        return;
    c->release(e->value);
    free(e->key);
    c->count--;
    c->bytes -= e->bytes;
    memset(e, 0, sizeof(*e));
}

static void drop_all(struct api_cache *c)
{
    size_t i;

    for (i = 0; i < c->max_entries; i++)
        entry_drop(c, &c->entries[i]);
}

struct api_cache *api_cache_new(size_t max_entries, size_t max_bytes, api_cache_release_fn *release)
{
    struct api_cache *c;

    if (max_entries == 0 || !release)
        return NULL;
    c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->entries = calloc(max_entries, sizeof(*c->entries));
    if (!c->entries) {
        free(c);
        return NULL;
    }
    c->max_entries = max_entries;
    c->max_bytes = max_bytes;
    c->release = release;
    return c;
}

void api_cache_free(struct api_cache **cp)
{
    if (!cp || !*cp)
        return;
    drop_all(*cp);
    free((*cp)->entries);
    free(*cp);
    *cp = NULL;
}

void api_cache_sync(struct api_cache *c, uint64_t version)
{
    if (c->synced && c->version == version)
        return;
    drop_all(c);
    c->version = version;
    c->synced = true;
}

static struct cache_entry *find(struct api_cache *c, const void *key, size_t key_len)
{
    uint64_t h = key_hash(key, key_len);
    size_t i;

    for (i = 0; i < c->max_entries; i++) {
        struct cache_entry *e = &c->entries[i];

        if (e->used && e->hash == h && e->key_len == key_len && !memcmp(e->key, key, key_len))
            return e;
    }
    return NULL;
}

void *api_cache_get(struct api_cache *c, const void *key, size_t key_len)
{
    struct cache_entry *e = c->synced ? find(c, key, key_len) : NULL;

    if (!e)
        return NULL;
    e->used = ++c->tick;
    return e->value;
}

/* The least recently used entry, or NULL when the cache is empty. */
static struct cache_entry *least_recent(struct api_cache *c)
{
    struct cache_entry *best = NULL;
    size_t i;

    for (i = 0; i < c->max_entries; i++) {
        struct cache_entry *e = &c->entries[i];

        if (e->used && (!best || e->used < best->used))
            best = e;
    }
    return best;
}

/* A free slot, dropping the least recently used entry when there is none. */
static struct cache_entry *free_slot(struct api_cache *c)
{
    struct cache_entry *e;
    size_t i;

    for (i = 0; i < c->max_entries; i++) {
        if (!c->entries[i].used)
            return &c->entries[i];
    }
    e = least_recent(c);
    entry_drop(c, e);
    return e;
}

/* Drop least recently used entries until `bytes` more fit. */
static void make_room(struct api_cache *c, size_t bytes)
{
    while (c->count > 0 && c->bytes + bytes > c->max_bytes)
        entry_drop(c, least_recent(c));
}

enum pm_err api_cache_put(struct api_cache *c, const void *key, size_t key_len, void *value,
                          size_t bytes)
{
    struct cache_entry *e;
    void *copy;
    size_t cost = bytes + key_len;

    if (!c->synced || cost < bytes || cost > c->max_bytes) {
        c->release(value);
        return PM_ERR_RANGE;
    }
    copy = malloc(key_len ? key_len : 1);
    if (!copy) {
        c->release(value);
        return PM_ERR_NOMEM;
    }
    memcpy(copy, key, key_len);
    e = find(c, key, key_len);
    if (e)
        entry_drop(c, e);
    make_room(c, cost);
    e = free_slot(c);
    e->hash = key_hash(key, key_len);
    e->used = ++c->tick;
    e->key = copy;
    e->key_len = key_len;
    e->value = value;
    e->bytes = cost;
    c->count++;
    c->bytes += cost;
    return PM_OK;
}

size_t api_cache_count(const struct api_cache *c)
{
    return c->count;
}

size_t api_cache_bytes(const struct api_cache *c)
{
    return c->bytes;
}
