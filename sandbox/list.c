/*
 * list.c — Eve-style reads of stored resources (amili-api.md, Conventions).
 *
 * GET /{resource} answers {"_items":[...],"_meta":{total,max_results,page}}
 * with `page` (from 1), `max_results` (default 25, clamped to 100),
 * `where` (a JSON object: equality on dot paths of the rendered item,
 * `$gt`/`$gte`/`$lt`/`$lte` on `_updated` and `_created`), `sort` (one
 * field, '-' for descending) and `projection` ({"field":1} keeps those
 * top-level fields plus `_id`; {"field":0} drops them).  Filtering runs on
 * the rendered items in memory: the sandbox serves tests and demos, not
 * millions of cases.
 */
#include "sandbox.h"

#include <errno.h>
#include <string.h>

#define PAGE_DEFAULT 25
#define PAGE_MAX     100

struct item {
    const struct sb_doc *doc;
    json_t *out;
};

json_t *sb_list_render(struct sb_ctx *ctx, const struct sb_doc *d)
{
    json_t *out = json_deep_copy(d->body);
    char created[SB_RFC1123_LEN], updated[SB_RFC1123_LEN];

    if (!out)
        return NULL;
    json_object_del(out, "__");
    sb_fmt_rfc1123(d->created_us / 1000000, created);
    sb_fmt_rfc1123(d->updated_us / 1000000, updated);
    json_object_set_new(out, "_id", json_string(d->id));
    json_object_set_new(out, "_created", json_string(created));
    json_object_set_new(out, "_updated", json_string(updated));
    json_object_set_new(out, "_etag", json_string(d->etag));
    if (strcmp(d->kind, "case") == 0)
        sb_cases_render(ctx, d, out);
    return out;
}

json_t *sb_list_created(const struct sb_doc *d)
{
    char created[SB_RFC1123_LEN], updated[SB_RFC1123_LEN];

    sb_fmt_rfc1123(d->created_us / 1000000, created);
    sb_fmt_rfc1123(d->updated_us / 1000000, updated);
    return json_pack("{s:s, s:s, s:s, s:s, s:s}", "_status", "OK", "_id", d->id, "_etag", d->etag,
                     "_created", created, "_updated", updated);
}

/* The value at a dot path ("debt.invoice_number"), or NULL. */
static json_t *at_path(json_t *obj, const char *path)
{
    char seg[128];
    const char *p = path;

    while (obj && *p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);

        if (n == 0 || n >= sizeof(seg))
            return NULL;
        memcpy(seg, p, n);
        seg[n] = '\0';
        obj = json_is_object(obj) ? json_object_get(obj, seg) : NULL;
        p += n + (dot ? 1 : 0);
    }
    return obj;
}

static bool parse_int(const char *s, long long lo, long long hi, long long *out)
{
    char *end = NULL;
    long long v;

    if (!s || !*s)
        return false;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

/* A time condition on an internal stamp (microseconds): {"$gt": "<date>"}. */
static enum pm_err time_cond(json_t *cond, int64_t stamp_us, bool *keep)
{
    const char *op;
    json_t *v;
    int64_t t, secs = stamp_us / 1000000;

    if (!json_is_object(cond) || json_object_size(cond) == 0)
        return PM_ERR_INVALID;
    json_object_foreach(cond, op, v)
    {
        if (!json_is_string(v) || sb_fmt_parse_instant(json_string_value(v), &t))
            return PM_ERR_INVALID;
        if (strcmp(op, "$gt") == 0)
            *keep = *keep && secs > t;
        else if (strcmp(op, "$gte") == 0)
            *keep = *keep && secs >= t;
        else if (strcmp(op, "$lt") == 0)
            *keep = *keep && secs < t;
        else if (strcmp(op, "$lte") == 0)
            *keep = *keep && secs <= t;
        else
            return PM_ERR_INVALID;
    }
    return PM_OK;
}

static bool has_operator(json_t *v)
{
    const char *k;
    json_t *x;

    if (!json_is_object(v))
        return false;
    json_object_foreach(v, k, x)
    {
        if (k[0] == '$')
            return true;
    }
    return false;
}

/* Does the item pass `where`?  PM_ERR_INVALID for an unsupported query. */
static enum pm_err matches(json_t *where, const struct item *it, bool *keep)
{
    const char *path;
    json_t *want;
    enum pm_err rc = PM_OK;

    *keep = true;
    json_object_foreach(where, path, want)
    {
        if (strcmp(path, "_updated") == 0 && json_is_object(want)) {
            rc = time_cond(want, it->doc->updated_us, keep);
        } else if (strcmp(path, "_created") == 0 && json_is_object(want)) {
            rc = time_cond(want, it->doc->created_us, keep);
        } else if (has_operator(want)) {
            rc = PM_ERR_INVALID;
        } else {
            json_t *have = at_path(it->out, path);

            *keep = *keep && have && json_equal(have, want);
        }
        if (rc)
            break;
    }
    return rc;
}

struct sort_spec {
    char field[128];
    int dir;
};

/* qsort has no context argument: the spec travels in each element. */
struct sort_item {
    struct item it;
    const struct sort_spec *spec;
};

static int cmp_json(json_t *a, json_t *b)
{
    if (!a || json_is_null(a))
        return (!b || json_is_null(b)) ? 0 : -1;
    if (!b || json_is_null(b))
        return 1;
    if (json_is_number(a) && json_is_number(b)) {
        double x = json_number_value(a), y = json_number_value(b);

        return x < y ? -1 : x > y;
    }
    if (json_is_string(a) && json_is_string(b))
        return strcmp(json_string_value(a), json_string_value(b));
    if (json_is_boolean(a) && json_is_boolean(b))
        return (int)json_is_true(a) - (int)json_is_true(b);
    return 0;
}

static int cmp_items(const void *pa, const void *pb)
{
    const struct sort_item *a = pa, *b = pb;
    const struct sort_spec *s = a->spec;
    int c = 0;

    if (strcmp(s->field, "_updated") == 0)
        c = (a->it.doc->updated_us > b->it.doc->updated_us) -
            (a->it.doc->updated_us < b->it.doc->updated_us);
    else if (strcmp(s->field, "_created") != 0)
        c = cmp_json(at_path(a->it.out, s->field), at_path(b->it.out, s->field));
    if (c == 0)
        c = (a->it.doc->created_us > b->it.doc->created_us) -
            (a->it.doc->created_us < b->it.doc->created_us);
    if (c == 0)
        c = strcmp(a->it.doc->id, b->it.doc->id);
    return c * s->dir;
}

static enum pm_err parse_sort(const char *s, struct sort_spec *out)
{
    out->dir = 1;
    snprintf(out->field, sizeof(out->field), "_created");
    if (!s || !*s)
        return PM_OK;
    if (*s == '-') {
        out->dir = -1;
        s++;
    }
    if (!*s || strlen(s) >= sizeof(out->field) || strpbrk(s, " ,[]()\"'"))
        return PM_ERR_INVALID;
    snprintf(out->field, sizeof(out->field), "%s", s);
    return PM_OK;
}

static enum pm_err project(json_t *projection, json_t *item)
{
    const char *k;
    json_t *v, *keep;
    void *tmp;
    bool include = false;

    json_object_foreach(projection, k, v)
    {
        if (!json_is_integer(v) && !json_is_boolean(v))
            return PM_ERR_INVALID;
        if (json_is_true(v) || json_integer_value(v) == 1)
            include = true;
    }
    if (!include) {
        json_object_foreach(projection, k, v)
        {
            if (strcmp(k, "_id") != 0)
                json_object_del(item, k);
        }
        return PM_OK;
    }
    keep = json_object();
    json_object_foreach_safe(item, tmp, k, v)
    {
        json_t *p = json_object_get(projection, k);

        if (strcmp(k, "_id") == 0 || json_is_true(p) || json_integer_value(p) == 1)
            json_object_set(keep, k, v);
    }
    json_object_clear(item);
    json_object_update(item, keep);
    json_decref(keep);
    return PM_OK;
}

static json_t *query_json(struct sb_req *req, const char *key, bool *bad)
{
    const char *s = sb_req_query(req, key);
    json_error_t jerr;
    json_t *v;

    if (!s || !*s)
        return NULL;
    v = json_loads(s, 0, &jerr);
    if (!json_is_object(v)) {
        json_decref(v);
        *bad = true;
        return NULL;
    }
    return v;
}

enum pm_err sb_list_get(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp,
                        const char *kind)
{
    struct sb_doc *docs = NULL;
    struct sort_item *items = NULL;
    size_t n = 0, kept = 0;
    json_t *where = NULL, *projection = NULL, *out_items = NULL;
    struct sort_spec spec;
    long long page = 1, max = PAGE_DEFAULT;
    const char *s;
    bool bad = false;
    enum pm_err rc = PM_OK;

    s = sb_req_query(req, "page");
    if (s && !parse_int(s, 1, 1000000000, &page)) {
        rc = sb_resp_error(resp, 400, "page must be an integer >= 1");
        goto out;
    }
    s = sb_req_query(req, "max_results");
    if (s && !parse_int(s, 1, 1000000000, &max)) {
        rc = sb_resp_error(resp, 400, "max_results must be an integer >= 1");
        goto out;
    }
    if (max > PAGE_MAX)
        max = PAGE_MAX;
    where = query_json(req, "where", &bad);
    if (bad) {
        rc = sb_resp_error(resp, 400, "where must be a JSON object");
        goto out;
    }
    projection = query_json(req, "projection", &bad);
    if (bad) {
        rc = sb_resp_error(resp, 400, "projection must be a JSON object");
        goto out;
    }
    if (parse_sort(sb_req_query(req, "sort"), &spec)) {
        rc = sb_resp_error(resp, 400, "sort must be one field name, optionally with '-'");
        goto out;
    }
    rc = sb_store_doc_list(ctx, kind, req->partner, &docs, &n);
    if (rc)
        goto out;
    items = calloc(n ? n : 1, sizeof(*items));
    if (!items) {
        rc = PM_ERR_NOMEM;
        goto out_free;
    }
    for (size_t i = 0; i < n; i++) {
        struct item it = {&docs[i], sb_list_render(ctx, &docs[i])};
        bool keep = true;

        if (!it.out) {
            rc = PM_ERR_NOMEM;
            goto out_free;
        }
        if (where && matches(where, &it, &keep)) {
            json_decref(it.out);
            rc = sb_resp_error(resp, 400,
                               "unsupported where: equality on fields, $gt/$gte/$lt/$lte on "
                               "_updated and _created");
            goto out_free;
        }
        if (!keep) {
            json_decref(it.out);
            continue;
        }
        items[kept].it = it;
        items[kept].spec = &spec;
        kept++;
    }
    qsort(items, kept, sizeof(*items), cmp_items);
    out_items = json_array();
    for (size_t i = (size_t)((page - 1) * max); i < kept && i < (size_t)(page * max); i++) {
        if (projection && project(projection, items[i].it.out)) {
            rc = sb_resp_error(resp, 400, "projection values must be 0 or 1");
            goto out_free;
        }
        json_array_append(out_items, items[i].it.out);
    }
    rc = sb_resp_json(resp, 200,
                      json_pack("{s:O, s:{s:I, s:I, s:I}}", "_items", out_items, "_meta", "total",
                                (json_int_t)kept, "max_results", (json_int_t)max, "page",
                                (json_int_t)page));
out_free:
    json_decref(out_items);
    for (size_t i = 0; i < kept; i++)
        json_decref(items[i].it.out);
    free(items);
    for (size_t i = 0; i < n; i++)
        sb_doc_release(&docs[i]);
    free(docs);
out:
    json_decref(where);
    json_decref(projection);
    return rc;
}

enum pm_err sb_list_get_one(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp,
                            const char *kind)
{
    struct sb_doc d;
    enum pm_err rc = sb_store_doc_get(ctx, kind, req->partner, req->param, &d);

    if (rc == PM_ERR_NOT_FOUND)
        return sb_resp_error(resp, 404, "no such resource");
    if (rc)
        return rc;
    rc = sb_resp_json(resp, 200, sb_list_render(ctx, &d));
    sb_doc_release(&d);
    return rc;
}
