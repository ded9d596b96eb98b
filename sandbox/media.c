/*
 * media.c — POST /media--upload/{case_id}: the original invoice of a case.
 *
 * multipart/form-data parsed by libmicrohttpd's post processor over the
 * already bounded body (10 MiB): `file` (PDF, JPEG, PNG, GIF or BMP by its
 * part Content-Type), `domain` = "cases", `dotted_path` =
 * "original_invoice".  The documented 400s (invalid domain, missing or
 * invalid dotted path, missing file, content type not allowed) and 404 for
 * an unknown case.  The file is kept in the sandbox database and served at
 * GET /media/{id} [ours]; the case gets `original_invoice` = that URL.
 */
#include "sandbox.h"

#include <microhttpd.h>
#include <strings.h>
#include <string.h>

#define FIELD_MAX 256

static const char *const ALLOWED[] = {"application/pdf", "image/jpeg", "image/png",
                                      "image/gif",       "image/bmp",  NULL};

struct form {
    struct buf domain, dotted_path, file;
    char content_type[64];
    char filename[128];
    bool has_file, has_domain, has_path;
};

static enum MHD_Result on_part(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *filename, const char *content_type,
                               const char *transfer_encoding, const char *data, uint64_t off,
                               size_t size)
{
    struct form *f = cls;
    struct buf *dst = NULL;

    (void)kind;
    (void)transfer_encoding;
    (void)off;
    if (strcmp(key, "domain") == 0) {
        dst = &f->domain;
        f->has_domain = true;
    } else if (strcmp(key, "dotted_path") == 0) {
        dst = &f->dotted_path;
        f->has_path = true;
    } else if (strcmp(key, "file") == 0) {
        dst = &f->file;
        if (!f->has_file) {
            f->has_file = true;
            snprintf(f->content_type, sizeof(f->content_type), "%s",
                     content_type ? content_type : "");
            snprintf(f->filename, sizeof(f->filename), "%s", filename ? filename : "upload");
        }
    }
    if (dst && size && buf_add(dst, data, size))
        return MHD_NO;
    return MHD_YES;
}

static bool allowed_type(char *ct)
{
    char *semi = strchr(ct, ';');

    if (semi)
        *semi = '\0';
    for (size_t i = 0; ALLOWED[i]; i++)
        if (strcasecmp(ct, ALLOWED[i]) == 0)
            return true;
    return false;
}

enum pm_err sb_media_upload(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp)
{
    struct form f;
    struct MHD_PostProcessor *pp;
    struct sb_doc c = {0};
    char id[SB_ID_LEN + 1], url[160];
    enum pm_err rc = PM_OK;
    bool parsed;

    memset(&f, 0, sizeof(f));
    buf_init(&f.domain);
    buf_init(&f.dotted_path);
    buf_init(&f.file);
    f.domain.max = FIELD_MAX;
    f.dotted_path.max = FIELD_MAX;
    f.file.max = SB_UPLOAD_MAX;
    pp = MHD_create_post_processor(req->conn, 64 * 1024, on_part, &f);
    if (!pp) {
        rc = sb_resp_error(resp, 400, "multipart/form-data expected");
        goto out;
    }
    parsed = MHD_post_process(pp, req->body, req->body_len) == MHD_YES;
    parsed = MHD_destroy_post_processor(pp) == MHD_YES && parsed;
    if (!parsed) {
        rc = sb_resp_error(resp, 400, "malformed multipart/form-data body");
        goto out;
    }
    if (!f.has_domain || strcmp(f.domain.data, "cases") != 0) {
        rc = sb_resp_error(resp, 400, "invalid domain: only \"cases\" is accepted");
        goto out;
    }
    if (!sb_fmt_is_id(req->param) ||
        sb_store_doc_get(ctx, "case", req->partner, req->param, &c) != PM_OK) {
        rc = sb_resp_error(resp, 404, "no such case");
        goto out;
    }
    if (!f.has_path || !*f.dotted_path.data) {
        rc = sb_resp_error(resp, 400, "missing dotted path");
        goto out;
    }
    if (strcmp(f.dotted_path.data, "original_invoice") != 0) {
        rc = sb_resp_error(resp, 400, "invalid dotted path: only \"original_invoice\"");
        goto out;
    }
    if (!f.has_file || f.file.len == 0) {
        rc = sb_resp_error(resp, 400, "missing file");
        goto out;
    }
    if (!allowed_type(f.content_type)) {
        rc = sb_resp_error(resp, 400, "content type not allowed: PDF, JPEG, PNG, GIF or BMP");
        goto out;
    }
    sb_fmt_new_id(id);
    rc = sb_store_media_put(ctx, id, req->partner, c.id, f.content_type, f.filename, f.file.data,
                            f.file.len);
    if (rc)
        goto out;
    snprintf(url, sizeof(url), "%s/media/%s", ctx->public_url, id);
    rc = sb_cases_attach(ctx, &c, f.dotted_path.data, url);
    if (rc)
        goto out;
    rc = sb_resp_json(resp, 201, json_pack("{s:s, s:s}", "_status", "OK", "url", url));
out:
    sb_doc_release(&c);
    buf_release(&f.domain);
    buf_release(&f.dotted_path);
    buf_release(&f.file);
    return rc;
}

enum pm_err sb_media_get(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp)
{
    char ct[64];
    char *data = NULL;
    size_t len = 0;
    enum pm_err rc = sb_store_media_get(ctx, req->param, req->partner, ct, sizeof(ct), &data, &len);

    if (rc == PM_ERR_NOT_FOUND)
        return sb_resp_error(resp, 404, "no such media");
    if (rc)
        return rc;
    resp->status = 200;
    resp->raw = data;
    resp->raw_len = len;
    snprintf(resp->content_type, sizeof(resp->content_type), "%s", ct);
    return PM_OK;
}
