/*
 * api_ini_fuzz.c — libFuzzer target for the server's configuration file
 * (src/api/api_ini.c), which an operator writes by hand.
 *
 * Any bytes go to api_ini_parse().  A refusal must say why (a message);
 * a file that parses is written out again as the [server] section alone,
 * every value quoted, and that text must parse to the very same settings
 * (decode -> render -> decode).
 * Seeds: tests/fuzz/seeds/api_ini_fuzz/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_ini.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void render(const struct api_ini *c, struct buf *out)
{
    if (buf_adds(out, "; written again by the fuzz target\n[server]\n"))
        abort();
    if (c->has_db && buf_addf(out, "db = \"%s\"\n", c->db))
        abort();
    if (c->has_listen && buf_addf(out, "listen=\"%s\"\n", c->listen))
        abort();
    if (c->has_data_dir && buf_addf(out, "\tdata_dir =\"%s\"\r\n", c->data_dir))
        abort();
    if (c->has_threads && buf_addf(out, "threads = %lld\n", (long long)c->threads))
        abort();
    if (c->has_max_body && buf_addf(out, "max_body = %lld\n", (long long)c->max_body))
        abort();
}

static void same(const struct api_ini *a, const struct api_ini *b)
{
    if (a->has_db != b->has_db || a->has_listen != b->has_listen ||
        a->has_threads != b->has_threads || a->has_max_body != b->has_max_body ||
        a->has_data_dir != b->has_data_dir)
        abort();
    if (strcmp(a->db, b->db) || strcmp(a->listen, b->listen) || strcmp(a->data_dir, b->data_dir))
        abort();
    if (a->threads != b->threads || a->max_body != b->max_body)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct api_ini *first = malloc(sizeof(*first)), *second = malloc(sizeof(*second));
    struct buf text = BUF_INIT;
    struct pm_error e;

    if (!first || !second)
        abort();
    memset(&e, 0, sizeof(e));
    if (api_ini_parse((const char *)data, size, first, &e) != PM_OK) {
        if (!e.message[0])
            abort(); /* refused without saying why */
        goto out;
    }
    if ((first->has_threads && (first->threads < 1 || first->threads > 256)) ||
        (first->has_max_body && (first->max_body < 1 || first->max_body > (INT64_C(1) << 30))))
        abort();
    render(first, &text);
    memset(&e, 0, sizeof(e));
    if (api_ini_parse(text.data, text.len, second, &e) != PM_OK)
        abort(); /* what it read, written out, is refused */
    same(first, second);
out:
    buf_release(&text);
    free(first);
    free(second);
    return 0;
}
