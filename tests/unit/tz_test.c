/*
 * tz_test.c — the TZif reader and POSIX TZ footer rules (src/util/tz.c).
 *
 * Broken or lying zone files must be refused without reading past the
 * data; footer rules must give the offsets the real zones have (figures
 * checked against the tz database for 2025).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/tz.h"

#define IMAGE_MAX 4096

/* A TZif image under construction. */
struct image {
    unsigned char data[IMAGE_MAX];
    size_t len;
};

static void put(struct image *im, const void *p, size_t n)
{
    assert_true(im->len + n <= IMAGE_MAX);
    if (n == 0)
        return;
    memcpy(im->data + im->len, p, n);
    im->len += n;
}

static void put32(struct image *im, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 8), (unsigned char)v};

    put(im, b, 4);
}

static void put64(struct image *im, int64_t v)
{
    put32(im, (uint32_t)((uint64_t)v >> 32));
    put32(im, (uint32_t)v);
}

static void put_header(struct image *im, char version, uint32_t timecnt, uint32_t typecnt,
                       uint32_t charcnt)
{
    unsigned char unused[15] = {0};

    put(im, "TZif", 4);
    put(im, &version, 1);
    put(im, unused, sizeof(unused));
    put32(im, 0); /* isutcnt */
    put32(im, 0); /* isstdcnt */
    put32(im, 0); /* leapcnt */
    put32(im, timecnt);
    put32(im, typecnt);
    put32(im, charcnt);
}

/* Offset of the 64-bit header in images from build() with version >= '2'. */
#define V2_HEADER  44
#define TIMECNT_AT 32
#define TYPECNT_AT 36

/* Build a TZif file: version 0 gives a v1 file (32-bit, no footer), '2' and
 * '3' a file whose v1 block is empty, then 64-bit data and the footer. */
static void build(struct image *im, char version, const int64_t *times, const unsigned char *idx,
                  size_t timecnt, const int32_t *utoff, size_t typecnt, const char *footer)
{
    unsigned tsize = version ? 8 : 4;

    im->len = 0;
    if (version)
        put_header(im, version, 0, 0, 0);
    put_header(im, version, (uint32_t)timecnt, (uint32_t)typecnt, 4);
    for (size_t i = 0; i < timecnt; i++) {
        if (tsize == 8)
            put64(im, times[i]);
        else
            put32(im, (uint32_t)times[i]);
    }
    put(im, idx, timecnt);
    for (size_t i = 0; i < typecnt; i++) {
        unsigned char isdst_desig[2] = {i > 0, 0};

        put32(im, (uint32_t)utoff[i]);
        put(im, isdst_desig, 2);
    }
    put(im, "UTC", 4);
    if (version) {
        put(im, "\n", 1);
        put(im, footer, strlen(footer));
        put(im, "\n", 1);
    }
}

/* A v2 image with no transitions: the footer rule decides every instant. */
static struct tz *rule_zone(const char *footer)
{
    struct image im;
    struct tz *tz = NULL;
    int32_t utoff = 0;

    build(&im, '2', NULL, NULL, 0, &utoff, 1, footer);
    if (tz_parse(im.data, im.len, &tz) != PM_OK)
        fail_msg("footer \"%s\" refused", footer);
    return tz;
}

static void expect_rule_refused(const char *footer)
{
    struct image im;
    struct tz *tz = NULL;
    int32_t utoff = 0;

    build(&im, '2', NULL, NULL, 0, &utoff, 1, footer);
    if (tz_parse(im.data, im.len, &tz) != PM_ERR_INVALID)
        fail_msg("footer \"%s\" accepted", footer);
    assert_null(tz);
}

static void v1_transitions_give_offsets(void **state)
{
    static const int64_t times[] = {-1000, 1000, 2000};
    static const unsigned char idx[] = {1, 2, 1};
    static const int32_t utoff[] = {0, 3600, 7200};
    struct image im;
    struct tz *tz = NULL;

    (void)state;
    build(&im, 0, times, idx, 3, utoff, 3, "");
    assert_int_equal(tz_parse(im.data, im.len, &tz), PM_OK);
    assert_int_equal(tz_offset(tz, -1001), 0); /* before the first: type 0 */
    assert_int_equal(tz_offset(tz, -1000), 3600);
    assert_int_equal(tz_offset(tz, 999), 3600);
    assert_int_equal(tz_offset(tz, 1000), 7200);
    assert_int_equal(tz_offset(tz, 1999), 7200);
    assert_int_equal(tz_offset(tz, 2000), 3600);
    assert_int_equal(tz_offset(tz, INT64_MAX), 3600); /* v1: no footer, last type stays */
    assert_int_equal(tz_offset(tz, INT64_MIN), 0);
    tz_free(&tz);
    assert_null(tz);
    tz_free(&tz);  /* no-op */
    tz_free(NULL); /* no-op */
}

static void v2_uses_64bit_data_then_footer(void **state)
{
    /* One transition in 1900 (before 32-bit range) to CET, then the rule. */
    static const int64_t times[] = {INT64_C(-2208992400)};
    static const unsigned char idx[] = {1};
    static const int32_t utoff[] = {4332, 3600};
    struct image im;
    struct tz *tz = NULL;

    (void)state;
    build(&im, '3', times, idx, 1, utoff, 2, "CET-1CEST,M3.5.0,M10.5.0/3");
    assert_int_equal(tz_parse(im.data, im.len, &tz), PM_OK);
    assert_int_equal(tz_offset(tz, INT64_C(-2208992401)), 4332); /* local mean time */
    assert_int_equal(tz_offset(tz, INT64_C(-2208992400)), 3600);
    assert_int_equal(tz_offset(tz, 1743296399), 3600); /* 2025-03-30 00:59:59Z */
    assert_int_equal(tz_offset(tz, 1743296400), 7200); /* 01:00:00Z */
    assert_int_equal(tz_offset(tz, 1761440399), 7200); /* 2025-10-26 00:59:59Z */
    assert_int_equal(tz_offset(tz, 1761440400), 3600);
    tz_free(&tz);
}

static void real_stockholm_and_every_truncation(void **state)
{
    struct buf file = BUF_INIT;
    struct tz *tz = NULL;

    (void)state;
    assert_int_equal(buf_read_file(&file, "/usr/share/zoneinfo/Europe/Stockholm", 1 << 20), PM_OK);
    assert_int_equal(tz_parse((const unsigned char *)file.data, file.len, &tz), PM_OK);
    assert_int_equal(tz_offset(tz, 1751371200), 7200); /* 2025-07-01 12:00Z */
    tz_free(&tz);
    /* Each shorter prefix lacks at least the footer's final newline. */
    for (size_t n = 0; n < file.len; n++) {
        unsigned char *copy = malloc(n ? n : 1);

        assert_non_null(copy);
        memcpy(copy, file.data, n);
        if (tz_parse(copy, n, &tz) != PM_ERR_INVALID)
            fail_msg("prefix of %zu bytes accepted", n);
        assert_null(tz);
        free(copy);
    }
    buf_release(&file);
}

static void expect_image_refused(const struct image *im)
{
    struct tz *tz = NULL;

    assert_int_equal(tz_parse(im->data, im->len, &tz), PM_ERR_INVALID);
    assert_null(tz);
}

static void lying_or_garbage_headers_refused(void **state)
{
    static const int64_t times[] = {0, 100};
    static const unsigned char idx[] = {0, 1};
    static const int32_t utoff[] = {0, 3600};
    struct image good, im;
    struct tz *tz = NULL;
    unsigned char zeros[64] = {0};

    (void)state;
    build(&good, '2', times, idx, 2, utoff, 2, "");
    assert_int_equal(tz_parse(good.data, good.len, &tz), PM_OK);
    tz_free(&tz);

    im = good; /* huge transition count */
    memset(im.data + V2_HEADER + TIMECNT_AT, 0xff, 4);
    expect_image_refused(&im);
    im = good; /* one transition more than present */
    im.data[V2_HEADER + TIMECNT_AT + 3] = 3;
    expect_image_refused(&im);
    im = good; /* no local time types */
    im.data[V2_HEADER + TYPECNT_AT + 3] = 0;
    expect_image_refused(&im);
    im = good; /* v1 header claims data that is not there */
    memset(im.data + TIMECNT_AT, 0x7f, 4);
    expect_image_refused(&im);
    im = good; /* bad magic */
    im.data[0] = 'X';
    expect_image_refused(&im);
    im = good; /* unknown version */
    im.data[4] = '9';
    expect_image_refused(&im);
    im = good; /* footer without its newlines */
    im.len -= 2;
    expect_image_refused(&im);

    /* Transition index pointing past the types. */
    {
        static const unsigned char bad_idx[] = {0, 2};

        build(&im, '2', times, bad_idx, 2, utoff, 2, "");
        expect_image_refused(&im);
    }
    /* Transitions out of order. */
    {
        static const int64_t backwards[] = {100, 0};

        build(&im, '2', backwards, idx, 2, utoff, 2, "");
        expect_image_refused(&im);
    }
    /* An absurd UT offset (INT32_MIN). */
    {
        static const int32_t absurd[] = {0, INT32_MIN};

        build(&im, '2', times, idx, 2, absurd, 2, "");
        expect_image_refused(&im);
    }
    assert_int_equal(tz_parse(zeros, sizeof(zeros), &tz), PM_ERR_INVALID);
    assert_int_equal(tz_parse(good.data, 0, &tz), PM_ERR_INVALID);
    assert_int_equal(tz_parse((const unsigned char *)"TZif2", 5, &tz), PM_ERR_INVALID);
    assert_null(tz);
}

static void footer_rules_match_real_zones(void **state)
{
    struct tz *tz;

    (void)state;
    /* New York 2025: DST 9 March 07:00Z .. 2 November 06:00Z. */
    tz = rule_zone("EST5EDT,M3.2.0,M11.1.0");
    assert_int_equal(tz_offset(tz, 1741503599), -18000);
    assert_int_equal(tz_offset(tz, 1741503600), -14400);
    assert_int_equal(tz_offset(tz, 1762063199), -14400);
    assert_int_equal(tz_offset(tz, 1762063200), -18000);
    tz_free(&tz);

    /* Sydney: summer time across New Year; 2025 ends 5 April 16:00Z and
     * starts again 4 October 16:00Z. */
    tz = rule_zone("AEST-10AEDT,M10.1.0,M4.1.0/3");
    assert_int_equal(tz_offset(tz, 1736899200), 39600); /* 2025-01-15 */
    assert_int_equal(tz_offset(tz, 1743868799), 39600);
    assert_int_equal(tz_offset(tz, 1743868800), 36000);
    assert_int_equal(tz_offset(tz, 1752537600), 36000); /* 2025-07-15 */
    assert_int_equal(tz_offset(tz, 1759593599), 36000);
    assert_int_equal(tz_offset(tz, 1759593600), 39600);
    tz_free(&tz);

    /* Nuuk: quoted names and negative transition times (version 3). */
    tz = rule_zone("<-02>2<-01>,M3.5.0/-1,M10.5.0/0");
    assert_int_equal(tz_offset(tz, 1743296399), -7200);
    assert_int_equal(tz_offset(tz, 1743296400), -3600);
    assert_int_equal(tz_offset(tz, 1761440399), -3600);
    assert_int_equal(tz_offset(tz, 1761440400), -7200);
    tz_free(&tz);

    /* No DST at all. */
    tz = rule_zone("JST-9");
    assert_int_equal(tz_offset(tz, 0), 32400);
    assert_int_equal(tz_offset(tz, INT64_MAX), 32400);
    tz_free(&tz);
    tz = rule_zone("<+0330>-3:30");
    assert_int_equal(tz_offset(tz, 1751371200), 12600);
    tz_free(&tz);

    /* DST all year (RFC 8536 §3.3.1), including around New Year. */
    tz = rule_zone("EST5EDT,0/0,J365/25");
    assert_int_equal(tz_offset(tz, 1751371200), -14400);
    assert_int_equal(tz_offset(tz, 1767225600), -14400); /* 2026-01-01 00:00Z */
    assert_int_equal(tz_offset(tz, 1735689600), -14400); /* 2025-01-01 00:00Z */
    tz_free(&tz);

    /* Jn never counts 29 February; n does. */
    tz = rule_zone("AAA0BBB,J60/0,J300/0");
    assert_int_equal(tz_offset(tz, 1709251199), 0);    /* 2024-02-29 23:59:59Z */
    assert_int_equal(tz_offset(tz, 1709251200), 3600); /* 2024-03-01 00:00Z */
    tz_free(&tz);
    tz = rule_zone("AAA0BBB,59/0,300/0");
    assert_int_equal(tz_offset(tz, 1709164799), 0);    /* 2024-02-28 23:59:59Z */
    assert_int_equal(tz_offset(tz, 1709164800), 3600); /* 2024-02-29 00:00Z */
    assert_int_equal(tz_offset(tz, 1740787199), 0);    /* 2025-02-28 23:59:59Z */
    assert_int_equal(tz_offset(tz, 1740787200), 3600); /* 2025-03-01 00:00Z */
    tz_free(&tz);

    /* Instants far beyond any year we use stay well defined. */
    tz = rule_zone("CET-1CEST,M3.5.0,M10.5.0/3");
    assert_int_equal(tz_offset(tz, INT64_MAX), tz_offset(tz, INT64_MAX - 1));
    (void)tz_offset(tz, INT64_MIN);
    tz_free(&tz);
}

static void malformed_footers_refused(void **state)
{
    static const char *bad[] = {
        "CET-1CEST",                    /* DST without a rule */
        "CET-1CEST,M3.5.0",             /* only a start */
        "CET-1CEST,M13.5.0,M10.5.0/3",  /* month 13 */
        "CET-1CEST,M3.6.0,M10.5.0/3",   /* week 6 */
        "CET-1CEST,M3.5.7,M10.5.0/3",   /* weekday 7 */
        "CET-1CEST,M3.5.0,M10.5.0/3x",  /* junk */
        "CET-1CEST,M3.5.0,M10.5.0/168", /* hour beyond 167 */
        "CET-1CEST,J0,J100",            /* J starts at 1 */
        "CET-1CEST,366,J100",           /* n ends at 365 */
        "CE-1",                         /* name too short */
        "CET",                          /* no offset */
        "CET-25",                       /* offset beyond 24 h */
        "CET-1:60",                     /* minutes */
        "<+01-1",                       /* unterminated quote */
        "CET-1 ",                       /* trailing space */
        "CET-0001",                     /* four-digit hours */
    };

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_rule_refused(bad[i]);
}

static void load_refuses_paths_and_unknown_zones(void **state)
{
    struct tz *tz = NULL;

    (void)state;
    assert_int_equal(tz_load("../../etc/passwd", &tz), PM_ERR_INVALID);
    assert_int_equal(tz_load("Europe/../../etc/passwd", &tz), PM_ERR_INVALID);
    assert_int_equal(tz_load("/etc/passwd", &tz), PM_ERR_INVALID);
    assert_int_equal(tz_load("", &tz), PM_ERR_INVALID);
    assert_int_equal(tz_load("Europe/Nowhere", &tz), PM_ERR_NOT_FOUND);
    assert_int_equal(tz_load("Europe", &tz), PM_ERR_NOT_FOUND); /* a directory */
    assert_null(tz);
    assert_int_equal(tz_load("Europe/Stockholm", &tz), PM_OK);
    assert_int_equal(tz_offset(tz, 1736899200), 3600); /* 2025-01-15 */
    tz_free(&tz);
}

static void load_honours_tzdir(void **state)
{
    static const int32_t utoff[] = {0};
    char dir[] = "/tmp/pm_tz_test.XXXXXX";
    char path[64];
    struct image im;
    struct tz *tz = NULL;
    FILE *f;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/Test_Zone", dir);
    build(&im, '2', NULL, NULL, 0, utoff, 1, "<+0530>-5:30");
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(im.data, 1, im.len, f), im.len);
    fclose(f);
    assert_int_equal(setenv("TZDIR", dir, 1), 0);
    assert_int_equal(tz_load("Test_Zone", &tz), PM_OK);
    assert_int_equal(tz_offset(tz, 0), 19800);
    tz_free(&tz);
    assert_int_equal(tz_load("Europe/Stockholm", &tz), PM_ERR_NOT_FOUND);
    unsetenv("TZDIR");
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(v1_transitions_give_offsets),
        cmocka_unit_test(v2_uses_64bit_data_then_footer),
        cmocka_unit_test(real_stockholm_and_every_truncation),
        cmocka_unit_test(lying_or_garbage_headers_refused),
        cmocka_unit_test(footer_rules_match_real_zones),
        cmocka_unit_test(malformed_footers_refused),
        cmocka_unit_test(load_refuses_paths_and_unknown_zones),
        cmocka_unit_test(load_honours_tzdir),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
