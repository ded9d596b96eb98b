/*
 * sie.h — SIE type 4 export (SIE filformat, utgåva 4B/4C): the company's
 * vouchers of one fiscal year (a broken one too) with its chart of
 * accounts and balances, for the bookkeeping program.
 *
 * Part of core/: pure, writes into a struct buf.  Two levels:
 *
 * - struct sie_writer writes records field by field in the lexical rules of
 *   the format (CP437 bytes, `#FORMAT PC8`; text fields quoted with `\"`,
 *   control characters as blanks, a trailing backslash as '/', characters
 *   without a CP437 code as '?'; amounts `-12500.00`; CR LF) and keeps the
 *   #KSUMMA checksum (CRC-32 over labels and field contents);
 * - sie_export() writes a whole 4I or 4E file from the vouchers: #FLAGGA,
 *   #KSUMMA, #PROGRAM, #FORMAT PC8, #GEN, #SIETYP 4, #FNAMN, #ORGNR,
 *   #ADRESS, #RAR, #KPTYP, #VALUTA, #KONTO for every account used; in 4E
 *   #IB/#UB for balance accounts and #RES for result accounts (non-zero),
 *   for year 0 and, when #RAR -1 is declared, #UB -1 and #RES -1; and every
 *   #VER with its #TRANS rows, then the closing #KSUMMA.  Vouchers are
 *   streamed from a callback, so a year of a million fits; each must
 *   balance, lie in the year and follow the previous number, or the export
 *   fails.
 */
#ifndef PM_SIE_H
#define PM_SIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/voucher.h"
#include "util/buf.h"
#include "util/err.h"

/* ---- the record writer ---- */

struct sie_writer {
    struct buf *out;
    uint32_t crc; /* running CRC-32 (pre-final-XOR) */
    bool crc_on;  /* between the opening and closing #KSUMMA */
    bool line_open;
    enum pm_err error; /* the first failure; later calls do nothing */
};

void sie_writer_init(struct sie_writer *w, struct buf *out);
/* Start a record: "#LABEL". */
void sie_label(struct sie_writer *w, const char *label);
/* A bare field (numbers, dates, account numbers, series). */
void sie_field(struct sie_writer *w, const char *text);
/* A quoted text field from UTF-8. */
void sie_text(struct sie_writer *w, const char *utf8);
/* An amount in öre: "-12500.00". */
void sie_amount(struct sie_writer *w, int64_t minor);
/* A date "YYYYMMDD". */
void sie_date(struct sie_writer *w, int32_t date);
/* An object list written as is ("{}" or "{6 \"P100\"}"); its contents
 * (dimension and object id, unquoted) are fed to the checksum. */
void sie_objects(struct sie_writer *w, const char *list);
/* End the line (CR LF). */
void sie_end(struct sie_writer *w);
/* A line with a lone "{" or "}" (not part of the checksum). */
void sie_brace(struct sie_writer *w, char brace);
/* The opening "#KSUMMA" (checksum starts after it) and the closing
 * "#KSUMMA n". */
void sie_ksumma_open(struct sie_writer *w);
void sie_ksumma_close(struct sie_writer *w);
/* The checksum so far (final XOR applied). */
uint32_t sie_checksum(const struct sie_writer *w);

/* UTF-8 to CP437: at most cap - 1 bytes and a NUL; invalid UTF-8 and
 * characters without a CP437 code become '?'.  Returns the length. */
size_t sie_cp437(const char *utf8, char *dst, size_t cap);

/* ---- the 4E export ---- */

struct sie_company {
    const char *name;
    const char *organization_no; /* display form NNNNNN-NNNN, or "" */
    const char *contact;
    const char *street;
    const char *postal; /* "111 22 STOCKHOLM" */
    const char *phone;
};

/* An account's balance (debit positive) at the start of the year. */
struct sie_balance {
    int account;
    int64_t amount_minor;
};

/* 4I: for a bookkeeping program to import from a pre-system (vouchers
 * only, `.SI`); 4E: a full export with balances (`.SE`). */
enum sie_type {
    SIE_TYPE_4I,
    SIE_TYPE_4E,
};

struct sie_export {
    const struct sie_company *company;
    enum sie_type type;
    int year;            /* the exported fiscal year, by the calendar year it starts in */
    int start_month;     /* 1..12: the month fiscal years start in (0 is read as 1);
                          * #RAR 0 and #RAR -1 give the years' first and last days
                          * (core/fiscal.h) */
    bool previous_year;  /* 4E: vouchers exist before it: #RAR -1, #UB -1, #RES -1 */
    int32_t generated;   /* #GEN date */
    const char *program; /* "Påminn" */
    const char *version; /* "0.1.0" */
    /* Balance per account (debit positive) of all vouchers before the year
     * and of all vouchers up to its end; every account of a voucher of the
     * year must be in closing (with 0 when it nets out).  Result accounts
     * of earlier years are carried into 2091 (balanserat resultat). */
    const struct sie_balance *opening;
    size_t n_opening;
    const struct sie_balance *closing;
    size_t n_closing;
    /* 4E with previous_year: the balances of all vouchers before the
     * previous year, for its #UB -1 and #RES -1. */
    const struct sie_balance *earlier;
    size_t n_earlier;
    /* The year's vouchers in ascending number, one per call: *v = NULL at
     * the end.  The voucher stays valid until the next call. */
    enum pm_err (*next_voucher)(void *ctx, const struct voucher **v);
    void *ctx;
};

/* Write the file into *out (appending).  PM_ERR_INVALID (e names the
 * voucher) when a voucher does not balance, lies outside the year or is out
 * of order; the callback's error otherwise. */
enum pm_err sie_export(const struct sie_export *x, struct buf *out, struct pm_error *e);

#endif
