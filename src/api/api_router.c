/*
 * api_router.c — route matching for the API's table of routes.
 *
 * A pattern and a path are compared segment by segment.  Of all routes whose
 * pattern matches, the winner is the one whose first differing segment is a
 * literal rather than a parameter, so a table may list "/invoices/counts"
 * and "/invoices/{id}" in any order.
 */
#include "api/api_router.h"

#include <stdio.h>
#include <string.h>

bool api_router_parse_id(const char *s, size_t len, int64_t *out)
{
    int64_t v = 0;
    size_t i;

    if (len == 0 || len > 19 || s[0] == '0')
        return false;
    for (i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        if (v > (INT64_MAX - (s[i] - '0')) / 10)
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* The next '/'-separated segment of *p; advances *p past it and its '/'.
 * Returns whether another segment follows. */
static bool next_segment(const char **p, const char **seg, size_t *len)
{
    const char *end = strchr(*p, '/');

    *seg = *p;
    if (end) {
        *len = (size_t)(end - *p);
        *p = end + 1;
        return true;
    }
    *len = strlen(*p);
    *p += *len;
    return false;
}

/* Copy a parameter's name (len bytes, truncated to fit) into dst; no
 * snprintf: every route of every request passes here. */
static void param_name(char dst[API_PARAM_NAME_MAX], const char *name, size_t len)
{
    if (len >= API_PARAM_NAME_MAX)
        len = API_PARAM_NAME_MAX - 1;
    memcpy(dst, name, len);
    dst[len] = '\0';
}

/*
 * Match path against pattern.  On a match fills the parameters of m and
 * writes the literal mask (the bit of segment i, from the top, set when the
 * segment is literal) to *mask.
 */
static bool match_one(const char *pattern, const char *path, struct api_match *m, uint64_t *mask)
{
    const char *pp = pattern, *sp = path, *pseg, *sseg;
    size_t plen, slen, seg;
    bool pmore, smore;
    int64_t v;

    if (*pp != '/' || *sp != '/')
        return false;
    pp++;
    sp++;
    m->n_params = 0;
    *mask = 0;
    for (seg = 0;; seg++) {
        pmore = next_segment(&pp, &pseg, &plen);
        smore = next_segment(&sp, &sseg, &slen);
        if (plen > 2 && pseg[0] == '{' && pseg[plen - 1] == '}') {
            if (m->n_params >= API_PARAMS_MAX || !api_router_parse_id(sseg, slen, &v))
                return false;
            param_name(m->names[m->n_params], pseg + 1, plen - 2);
            m->values[m->n_params++] = v;
        } else {
            if (plen != slen || memcmp(pseg, sseg, plen) != 0)
                return false;
            if (seg < 64)
                *mask |= UINT64_C(1) << (63 - seg);
        }
        if (!pmore || !smore)
            return pmore == smore;
    }
}

static void add_allow(struct api_match *m, const char *method)
{
    size_t len = strlen(m->allow);

    if (strstr(m->allow, method))
        return;
    snprintf(m->allow + len, sizeof(m->allow) - len, "%s%s", len ? ", " : "", method);
}

enum pm_err api_router_match(const struct api_route *routes, size_t n, const char *method,
                             const char *path, struct api_match *m)
{
    struct api_match trial, best = {0};
    uint64_t mask, best_mask = 0;
    const char *want = strcmp(method, "HEAD") == 0 ? "GET" : method;
    size_t i;

    memset(m, 0, sizeof(*m));
    for (i = 0; i < n; i++) {
        memset(&trial, 0, sizeof(trial));
        if (!match_one(routes[i].pattern, path, &trial, &mask))
            continue;
        if (strcmp(routes[i].method, want) != 0) {
            add_allow(m, routes[i].method);
            continue;
        }
        if (!best.route || mask > best_mask) {
            best = trial;
            best.route = &routes[i];
            best_mask = mask;
        }
    }
    if (!best.route)
        return PM_ERR_NOT_FOUND;
    memcpy(best.allow, m->allow, sizeof(best.allow));
    *m = best;
    return PM_OK;
}

int64_t api_router_param(const struct api_match *m, const char *name)
{
    size_t i;

    for (i = 0; i < m->n_params; i++) {
        if (!strcmp(m->names[i], name))
            return m->values[i];
    }
    return 0;
}
