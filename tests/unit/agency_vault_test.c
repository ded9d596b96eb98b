/*
 * agency_vault_test.c — unit tests for src/agency/agency_vault.c, the
 * secret key file of `paminn serve --secret-key` and sealing with it
 * (agency_edge_test.c seals and opens): a missing file is created with 64
 * hex digits, mode 0600, in a directory made for it and read back as the
 * same key; an existing file is never replaced; hex (any case, white space
 * around it) and 32 raw bytes are read; anything else is refused naming
 * the setting and the file, a symbolic link is never written through;
 * sealed text too short or a buffer too small is
 * refused.  Files live in a temporary directory removed afterwards.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agency/agency.h"

static char dir[64];

static int make_dir(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/paminn-vault-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
    char cmd[128];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void path_of(char *dst, size_t cap, const char *name)
{
    snprintf(dst, cap, "%s/%s", dir, name);
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void test_created_then_read(void **state)
{
    unsigned char key[AGENCY_SECRET_KEY_BYTES], again[AGENCY_SECRET_KEY_BYTES];
    char path[128], text[80], sub[128];
    struct pm_error e = {0};
    struct stat st;
    FILE *f;
    size_t n, i;

    (void)state;
    path_of(sub, sizeof(sub), "keys");
    path_of(path, sizeof(path), "keys/secret.key");
    assert_int_equal(agency_vault_key(path, true, key, &e), PM_OK);
    assert_int_equal(stat(sub, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    f = fopen(path, "r");
    assert_non_null(f);
    n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = '\0';
    /* 64 lowercase hex digits and a newline: the key. */
    assert_int_equal(n, 65);
    assert_int_equal(text[64], '\n');
    for (i = 0; i < AGENCY_SECRET_KEY_BYTES; i++) {
        unsigned v = 0;

        assert_int_equal(sscanf(text + 2 * i, "%2x", &v), 1);
        assert_int_equal(v, key[i]);
    }
    /* Read back, with or without create: the same key, the file kept. */
    assert_int_equal(agency_vault_key(path, false, again, &e), PM_OK);
    assert_memory_equal(again, key, sizeof(key));
    memset(again, 0, sizeof(again));
    assert_int_equal(agency_vault_key(path, true, again, &e), PM_OK);
    assert_memory_equal(again, key, sizeof(key));
}

static void test_hex_and_raw(void **state)
{
    unsigned char key[AGENCY_SECRET_KEY_BYTES], raw[AGENCY_SECRET_KEY_BYTES];
    char path[128], hex[128];
    struct pm_error e = {0};
    size_t i;

    (void)state;
    path_of(path, sizeof(path), "hex.key");
    /* Upper case with white space around it (an editor's newline). */
    snprintf(hex, sizeof(hex), "  \n%s\n\n",
             "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F");
    write_file(path, hex, strlen(hex));
    assert_int_equal(agency_vault_key(path, false, key, &e), PM_OK);
    for (i = 0; i < sizeof(key); i++)
        assert_int_equal(key[i], i);

    /* 32 raw bytes, some of them white space and non-hex. */
    for (i = 0; i < sizeof(raw); i++)
        raw[i] = (unsigned char)(255 - i * 7);
    raw[0] = ' ';
    raw[31] = '\n';
    path_of(path, sizeof(path), "raw.key");
    write_file(path, raw, sizeof(raw));
    assert_int_equal(agency_vault_key(path, false, key, &e), PM_OK);
    assert_memory_equal(key, raw, sizeof(raw));
}

static void test_refused(void **state)
{
    unsigned char key[AGENCY_SECRET_KEY_BYTES];
    char path[128], bad[65], target[128];
    struct pm_error e = {0};

    (void)state;
    /* 64 characters that are not all hex. */
    memset(bad, 'a', 64);
    bad[40] = 'g';
    path_of(path, sizeof(path), "bad.key");
    write_file(path, bad, 64);
    assert_int_equal(agency_vault_key(path, false, key, &e), PM_ERR_INVALID);
    assert_string_equal(e.field, "secret_key");
    assert_non_null(strstr(e.message, "bad.key must hold 32 random bytes or 64 hex digits"));
    /* Too short for either. */
    write_file(path, "abc\n", 4);
    memset(&e, 0, sizeof(e));
    assert_int_equal(agency_vault_key(path, true, key, &e), PM_ERR_INVALID);
    assert_string_equal(e.field, "secret_key");
    /* Missing, and not to be created. */
    path_of(path, sizeof(path), "missing.key");
    memset(&e, 0, sizeof(e));
    assert_int_not_equal(agency_vault_key(path, false, key, &e), PM_OK);
    assert_string_equal(e.field, "secret_key");
    assert_non_null(strstr(e.message, "cannot read the secret key file"));
    assert_int_equal(access(path, F_OK), -1);
    /* Its directory cannot be made: two levels are missing. */
    path_of(path, sizeof(path), "no/such/secret.key");
    memset(&e, 0, sizeof(e));
    assert_int_equal(agency_vault_key(path, true, key, &e), PM_ERR_IO);
    assert_string_equal(e.field, "secret_key");
    assert_non_null(strstr(e.message, "cannot create"));
    assert_non_null(strstr(e.message, "/no/such: "));
    /* A dangling symbolic link where the file should be is not followed:
     * nothing is written where it points. */
    path_of(path, sizeof(path), "link.key");
    path_of(target, sizeof(target), "elsewhere.key");
    assert_int_equal(symlink(target, path), 0);
    memset(&e, 0, sizeof(e));
    assert_int_equal(agency_vault_key(path, true, key, &e), PM_ERR_IO);
    assert_non_null(strstr(e.message, "cannot create"));
    assert_int_equal(access(target, F_OK), -1);
}

/* More that is not a key: white space only, a pair with its second digit
 * not hex, 64 characters with one below '0'; a path under a regular file
 * is not created through (read, refused); a relative path is made in the
 * working directory. */
static void test_more_refusals_and_a_relative_path(void **state)
{
    unsigned char key[AGENCY_SECRET_KEY_BYTES], again[AGENCY_SECRET_KEY_BYTES];
    char path[128], bad[65], cwd[512];
    struct pm_error e = {0};

    (void)state;
    path_of(path, sizeof(path), "blank.key");
    write_file(path, "  \n\t\n", 5);
    assert_int_equal(agency_vault_key(path, false, key, &e), PM_ERR_INVALID);
    memset(bad, 'a', 64);
    bad[1] = 'g';
    write_file(path, bad, 64);
    assert_int_equal(agency_vault_key(path, false, key, &e), PM_ERR_INVALID);
    memset(bad, 'a', 64);
    bad[10] = '-';
    write_file(path, bad, 64);
    assert_int_equal(agency_vault_key(path, false, key, &e), PM_ERR_INVALID);

    /* blank.key is a file: nothing can be made below it. */
    path_of(path, sizeof(path), "blank.key/secret.key");
    memset(&e, 0, sizeof(e));
    assert_int_not_equal(agency_vault_key(path, true, key, &e), PM_OK);
    assert_string_equal(e.field, "secret_key");

    assert_non_null(getcwd(cwd, sizeof(cwd)));
    assert_int_equal(chdir(dir), 0);
    assert_int_equal(agency_vault_key("relative.key", true, key, &e), PM_OK);
    assert_int_equal(agency_vault_key("relative.key", false, again, &e), PM_OK);
    assert_int_equal(chdir(cwd), 0);
    assert_memory_equal(again, key, sizeof(key));
    path_of(path, sizeof(path), "relative.key");
    assert_int_equal(access(path, F_OK), 0);
}

static void test_open_refuses_short(void **state)
{
    unsigned char key[AGENCY_SECRET_KEY_BYTES], sealed[64];
    char opened[64];
    size_t len = 0, olen = 0;

    (void)state;
    memset(key, 3, sizeof(key));
    assert_int_equal(agency_vault_seal(key, "abcdefgh", 8, sealed, sizeof(sealed), &len), PM_OK);
    assert_int_equal(len, 8 + AGENCY_SEAL_OVERHEAD);
    /* Shorter than a nonce and a tag. */
    assert_int_equal(
        agency_vault_open(key, sealed, AGENCY_SEAL_OVERHEAD - 1, opened, sizeof(opened), &olen),
        PM_ERR_INVALID);
    /* Room for 7 of the 8 bytes. */
    assert_int_equal(agency_vault_open(key, sealed, len, opened, 7, &olen), PM_ERR_INVALID);
    assert_int_equal(agency_vault_open(key, sealed, len, opened, 8, &olen), PM_OK);
    assert_int_equal(olen, 8);
    assert_memory_equal(opened, "abcdefgh", 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_created_then_read),
        cmocka_unit_test(test_hex_and_raw),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_open_refuses_short),
        cmocka_unit_test(test_more_refusals_and_a_relative_path),
    };

    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
