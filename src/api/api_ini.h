/*
 * api_ini.h — the server's optional configuration file.
 *
 *   [server]
 *   db = sqlite:/var/lib/paminn/paminn.db
 *   listen = 127.0.0.1:8080
 *   threads = 4
 *   max_body = 1048576
 *   data_dir = /usr/share/paminn/data
 *   smtp_url = smtp://mail.example.se:587
 *   smtp_from = paminnelser@example.se
 *   smtp_user = paminn
 *   smtp_password_file = /etc/paminn/smtp-password
 *   smtp_tls = require
 *
 * Lines are "key = value" (the value may be double-quoted), comments start
 * with ';' or '#'.  Sections other than [server] are left for other parts of
 * the product; within [server] an unknown or repeated key is an error, so a
 * typo never silently falls back to a default.  Precedence (flags >
 * environment > file > defaults) is the caller's business (cli/serve.c).
 */
#ifndef PM_API_INI_H
#define PM_API_INI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define API_INI_VALUE_MAX 512

struct api_ini {
    bool has_db, has_db_read, has_listen, has_threads, has_max_body, has_data_dir;
    bool has_smtp_url, has_smtp_user, has_smtp_password_file, has_smtp_from, has_smtp_tls;
    char smtp_url[API_INI_VALUE_MAX];
    char smtp_user[API_INI_VALUE_MAX];
    char smtp_password_file[API_INI_VALUE_MAX];
    char smtp_from[API_INI_VALUE_MAX];
    char smtp_tls[API_INI_VALUE_MAX];
    char db[API_INI_VALUE_MAX];
    char db_read[API_INI_VALUE_MAX]; /* a standby for list reads (serve --db-read) */
    char listen[API_INI_VALUE_MAX];
    char data_dir[API_INI_VALUE_MAX];
    int64_t threads;  /* 1..256 */
    int64_t max_body; /* 1..1 GiB */
};

/* Parse text[0..len) into *out (cleared first).  On error e->message names
 * the line ("line 3: unknown key 'thread'") and e->field the key. */
enum pm_err api_ini_parse(const char *text, size_t len, struct api_ini *out, struct pm_error *e);

#endif
