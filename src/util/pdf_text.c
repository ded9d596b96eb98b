/*
 * pdf_text.c — identity /ToUnicode maps for libharu's UTF-8 text (see
 * pdf_text.h).
 */
#include "util/pdf_text.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OBJECTS_MAX 100000

/* The identity map from two-byte codes to the same UTF-16 code units. */
static enum pm_err identity_cmap(struct buf *b)
{
    enum pm_err rc = buf_adds(b, "/CIDInit /ProcSet findresource begin\n"
                                 "12 dict begin\n"
                                 "begincmap\n"
                                 "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS)"
                                 " /Supplement 0 >> def\n"
                                 "/CMapName /Adobe-Identity-UCS def\n"
                                 "/CMapType 2 def\n"
                                 "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
    int hi;

    /* At most 100 lines per block; each line stays within one first byte. */
    for (hi = 0; !rc && hi < 256; hi++) {
        if (hi % 100 == 0)
            rc = buf_addf(b, "%d beginbfrange\n", hi + 100 <= 256 ? 100 : 256 - hi);
        if (!rc)
            rc = buf_addf(b, "<%02X00> <%02XFF> <%02X00>\n", hi, hi, hi);
        if (!rc && (hi % 100 == 99 || hi == 255))
            rc = buf_adds(b, "endbfrange\n");
    }
    if (!rc)
        rc = buf_adds(b, "endcmap\n"
                         "CMapName currentdict /CMap defineresource pop\n"
                         "end\n"
                         "end\n");
    return rc;
}

static const unsigned char *find(const unsigned char *from, const unsigned char *end,
                                 const char *what)
{
    size_t n = strlen(what);

    if (!n || (size_t)(end - from) < n)
        return NULL;
    for (; from + n <= end; from++) {
        if (*from == (unsigned char)what[0] && !memcmp(from, what, n))
            return from;
    }
    return NULL;
}

/* The object numbers named by "/ToUnicode N 0 R", marked in is_map[]. */
static void mark_maps(const unsigned char *p, const unsigned char *end, bool *is_map)
{
    const unsigned char *at;
    long n;

    while ((at = find(p, end, "/ToUnicode "))) {
        char num[16];
        size_t k = 0;

        at += strlen("/ToUnicode ");
        while (at < end && k + 1 < sizeof(num) && *at >= '0' && *at <= '9')
            num[k++] = (char)*at++;
        num[k] = '\0';
        n = k ? strtol(num, NULL, 10) : -1;
        if (n > 0 && n < OBJECTS_MAX)
            is_map[n] = true;
        p = at;
    }
}

/* At p, "N 0 obj": N into *n and true. */
static bool object_head(const unsigned char *p, const unsigned char *end, long *n)
{
    char num[16];
    size_t k = 0;

    while (p < end && k + 1 < sizeof(num) && *p >= '0' && *p <= '9')
        num[k++] = (char)*p++;
    num[k] = '\0';
    if (!k || (size_t)(end - p) < 6 || memcmp(p, " 0 obj", 6) != 0)
        return false;
    *n = strtol(num, NULL, 10);
    return *n > 0 && *n < OBJECTS_MAX;
}

enum pm_err pdf_text_fix_tounicode(const unsigned char *pdf, size_t len, struct buf *out)
{
    const unsigned char *end = pdf + len, *p, *obj_end, *xref, *trailer, *startxref;
    size_t *offset = NULL, base = out->len, start;
    bool *is_map = NULL;
    struct buf map = BUF_INIT;
    long n, size = 0, i;
    enum pm_err rc = PM_OK;

    xref = NULL;
    for (p = pdf; (p = find(p, end, "\nxref")); p++)
        xref = p + 1;
    trailer = xref ? find(xref, end, "trailer") : NULL;
    startxref = trailer ? find(trailer, end, "startxref") : NULL;
    p = find(pdf, end, " 0 obj");
    if (!xref || !trailer || !startxref || !p || len < 8 || memcmp(pdf, "%PDF-", 5) != 0)
        return PM_ERR_INVALID;
    while (p > pdf && p[-1] >= '0' && p[-1] <= '9') /* back to the first object's number */
        p--;
    offset = calloc(OBJECTS_MAX, sizeof(*offset));
    is_map = calloc(OBJECTS_MAX, sizeof(*is_map));
    if (!offset || !is_map) {
        rc = PM_ERR_NOMEM;
        goto out_free;
    }
    mark_maps(pdf, end, is_map);
    rc = identity_cmap(&map);
    start = out->len;
    if (!rc)
        rc = buf_add(out, pdf, (size_t)(p - pdf)); /* the header */
    while (!rc && p < xref) {
        if (!object_head(p, xref, &n)) {
            rc = (*p == '\r' || *p == '\n' || *p == ' ') ? PM_OK : PM_ERR_INVALID;
            if (!rc)
                rc = buf_addch(out, (char)*p++);
            continue;
        }
        obj_end = find(p, xref, "endobj");
        if (!obj_end) {
            rc = PM_ERR_INVALID;
            break;
        }
        obj_end += strlen("endobj");
        offset[n] = out->len - start + 1; /* +1: 0 means "no such object" */
        if (n >= size)
            size = n + 1;
        if (is_map[n])
            rc = buf_addf(out, "%ld 0 obj\n<<\n/Length %zu\n>>\nstream\n", n, map.len);
        if (!rc && is_map[n])
            rc = buf_add(out, map.data, map.len);
        if (!rc && is_map[n])
            rc = buf_adds(out, "endstream\nendobj");
        else if (!rc)
            rc = buf_add(out, p, (size_t)(obj_end - p));
        p = obj_end;
    }
    if (!rc) {
        size_t xref_at = out->len - start;

        rc = buf_addf(out, "\nxref\n0 %ld\n0000000000 65535 f\r\n", size);
        xref_at += 1;
        for (i = 1; !rc && i < size; i++)
            rc = offset[i] ? buf_addf(out, "%010zu 00000 n\r\n", offset[i] - 1)
                           : buf_adds(out, "0000000000 65535 f\r\n");
        if (!rc)
            rc = buf_add(out, trailer, (size_t)(startxref - trailer));
        if (!rc)
            rc = buf_addf(out, "startxref\n%zu\n%%%%EOF\n", xref_at);
    }
out_free:
    if (rc)
        out->len = base;
    buf_release(&map);
    free(is_map);
    free(offset);
    return rc;
}
