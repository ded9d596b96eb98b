/*
 * api_ini_test.c — the server's INI configuration file (src/api/api_ini.c):
 * what an operator writes under [server], and the mistakes that must stop
 * the start instead of silently falling back to a default.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "api/api_ini.h"

static enum pm_err parse(const char *text, struct api_ini *ini, struct pm_error *e)
{
    return api_ini_parse(text, strlen(text), ini, e);
}

static void reads_every_server_key(void **state)
{
    static const char text[] = "; Påminn\n"
                               "# comment\n"
                               "[other]\n"
                               "anything = goes\n"
                               "\n"
                               "[ server ]\r\n"
                               "  db = sqlite:/var/lib/paminn/p.db  \r\n"
                               "db_read = postgresql://standby.example.se/paminn\n"
                               "listen=0.0.0.0:9000\n"
                               "threads = 8\n"
                               "max_body = 2048\n"
                               "data_dir = \"/usr/share/paminn data\"\n";
    struct api_ini ini;
    struct pm_error e = {0};

    (void)state;
    assert_int_equal(parse(text, &ini, &e), PM_OK);
    assert_true(ini.has_db && ini.has_listen && ini.has_threads && ini.has_max_body &&
                ini.has_data_dir);
    assert_string_equal(ini.db, "sqlite:/var/lib/paminn/p.db");
    assert_true(ini.has_db_read);
    assert_string_equal(ini.db_read, "postgresql://standby.example.se/paminn");
    assert_string_equal(ini.listen, "0.0.0.0:9000");
    assert_int_equal(ini.threads, 8);
    assert_int_equal(ini.max_body, 2048);
    assert_string_equal(ini.data_dir, "/usr/share/paminn data");
}

static void reads_the_smtp_keys(void **state)
{
    static const char text[] = "[server]\n"
                               "smtp_url = smtp://mail.example.se:587\n"
                               "smtp_from = paminnelser@example.se\n"
                               "smtp_user = paminn\n"
                               "smtp_password_file = /etc/paminn/smtp-password\n"
                               "smtp_tls = require\n";
    struct api_ini ini;
    struct pm_error e = {0};

    (void)state;
    assert_int_equal(parse(text, &ini, &e), PM_OK);
    assert_true(ini.has_smtp_url && ini.has_smtp_from && ini.has_smtp_user &&
                ini.has_smtp_password_file && ini.has_smtp_tls);
    assert_string_equal(ini.smtp_url, "smtp://mail.example.se:587");
    assert_string_equal(ini.smtp_from, "paminnelser@example.se");
    assert_string_equal(ini.smtp_user, "paminn");
    assert_string_equal(ini.smtp_password_file, "/etc/paminn/smtp-password");
    assert_string_equal(ini.smtp_tls, "require");
    assert_int_equal(parse("[server]\nsmtp_url = a\nsmtp_url = b\n", &ini, &e), PM_ERR_INVALID);
    assert_string_equal(e.field, "smtp_url");
}

static void missing_keys_stay_unset(void **state)
{
    struct api_ini ini;
    struct pm_error e = {0};

    (void)state;
    assert_int_equal(parse("[server]\nthreads = 2", &ini, &e), PM_OK);
    assert_true(ini.has_threads);
    assert_false(ini.has_db || ini.has_listen || ini.has_max_body || ini.has_data_dir);
    assert_int_equal(parse("", &ini, &e), PM_OK);
    assert_false(ini.has_threads);
}

static void expect_refused(const char *text, const char *needle)
{
    struct api_ini ini;
    struct pm_error e = {0};

    assert_int_equal(parse(text, &ini, &e), PM_ERR_INVALID);
    assert_non_null(strstr(e.message, needle));
}

static void mistakes_are_refused_with_the_line(void **state)
{
    (void)state;
    expect_refused("[server]\nthread = 4\n", "line 2: unknown key 'thread'");
    expect_refused("[server]\nthreads = 0\n", "line 2");
    expect_refused("[server]\nthreads = 257\n", "line 2");
    expect_refused("[server]\nthreads = 4x\n", "line 2");
    expect_refused("[server]\nthreads = -1\n", "line 2");
    expect_refused("[server]\nmax_body = 1073741825\n", "line 2");
    expect_refused("[server]\n\nlisten = a:1\nlisten = b:2\n", "line 4: 'listen' given twice");
    expect_refused("[server]\ndb =\n", "line 2");
    expect_refused("db = x\n", "line 1: key outside a section");
    expect_refused("[server\n", "line 1: bad section header");
    expect_refused("[server]\njust text\n", "line 2: expected key = value");
}

static void nul_bytes_are_refused(void **state)
{
    struct api_ini ini;
    struct pm_error e = {0};

    (void)state;
    assert_int_equal(api_ini_parse("[server]\0", 9, &ini, &e), PM_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_every_server_key),
        cmocka_unit_test(reads_the_smtp_keys),
        cmocka_unit_test(missing_keys_stay_unset),
        cmocka_unit_test(mistakes_are_refused_with_the_line),
        cmocka_unit_test(nul_bytes_are_refused),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
