/*
 * bgmax.h — a strict reader of Bankgirot's BgMax files (Bankgiro
 * Inbetalningar), the incoming payments to a bankgiro number.
 *
 * Part of core/: pure, no I/O.  bgmax_parse() reads a whole file held in
 * memory and either returns every deposit and payment in it, or refuses the
 * whole file naming the line and the field at fault: a file is imported
 * entirely or not at all.  The layout and the checks are those of
 * docs/books.md and the shared specification (bgmax-and-sie4.md, A.1–A.7):
 *
 * - records of 80 characters, CR LF or LF, ISO-8859-1 (texts are returned
 *   as UTF-8); shorter lines are padded, longer ones may only overflow with
 *   blanks; empty lines only at the end.  Read with a warning: a file in
 *   UTF-8 (detected: valid UTF-8 with characters beyond ASCII; a byte order
 *   mark is skipped), 80-character records without line ends, TABs (read
 *   as blanks);
 * - fields the product does not act on never refuse a file: a payer
 *   bankgiro written with blanks ("009701233 ") is read zero-filled, one
 *   that is no number as unknown; a payee plusgiro or bank account that is
 *   no number, a channel, image marker or deduction code that is no digit
 *   are warned about;
 * - order: 01, then sections 05 (20|21 (22|23)* 25* 26? 27? 28? 29?)+ 15,
 *   then 70 and nothing after it; 25–29 in another order within an entry
 *   and 22/23 after them are accepted with a warning;
 * - numeric fields are digits; amounts are öre; each section's 15 record
 *   must match its payments (count of 20 + 21, Σ20 − Σ21, currency), the 70
 *   record the counts of the file;
 * - unknown record types are skipped with a warning (Bankgirot asks readers
 *   to ignore what they do not understand).
 */
#ifndef PM_BGMAX_H
#define PM_BGMAX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define BGMAX_MAX_BYTES     (64u * 1024 * 1024) /* larger inputs are refused */
#define BGMAX_WARNINGS_KEPT 20                  /* warnings kept with their text */

/* A 22/23 record: an extra reference of the payment before it. */
struct bgmax_extra {
    char reference[26];
    int ref_code;
    int64_t amount_minor; /* signed: 23 records are negative */
};

/* A 20 (payment) or 21 (deduction) record with its 22–29 records. */
struct bgmax_payment {
    bool deduction;              /* record 21: the amount is subtracted */
    size_t deposit;              /* index into bgmax_file.deposits */
    size_t line;                 /* line number of the record, from 1 */
    char payer_bankgiro[11];     /* "0000000000" when unknown */
    char reference[52];          /* trimmed; UTF-8 (a free text may hold å ä ö) */
    int ref_code;                /* 0..5 (A.4) */
    int64_t amount_minor;        /* > 0 ... or 0; the sign is `deduction` */
    int channel;                 /* 1..4, other values kept */
    char serial[13];             /* BGC serial number */
    int image;                   /* 0 / 1 */
    int deduction_code;          /* record 21 only */
    char info[512];              /* the 25 texts, joined with blanks, UTF-8 */
    char payer_name[144];        /* record 26, UTF-8 */
    char payer_orgnr[13];        /* record 29 */
    size_t first_extra, n_extra; /* its 22/23 records in bgmax_file.extras */
    char bank_ref[40];           /* camt.054: Refs/AcctSvcrRef or EndToEndId; BgMax: "" */
};

/* A section 05 .. 15: one deposit to one bankgiro in one currency. */
struct bgmax_deposit {
    char payee_bankgiro[11]; /* zero-filled, 10 digits */
    char currency[4];
    char account[36];     /* payee bank account */
    int32_t date;         /* payment date (a day number) */
    int serial;           /* deposit serial number */
    int64_t amount_minor; /* Σ20 − Σ21 */
    int64_t count;        /* 20 + 21 records */
    char type;            /* ' ', 'K', 'D', 'S' (kept, not interpreted) */
    size_t first_payment, n_payments;
    /* Set by readers of other formats (bank/camt054.h), empty in BgMax:
     * the bank's own reference of the deposit (a camt.054 entry's
     * AcctSvcrRef), and why it is not booked (empty: booked when in SEK). */
    char bank_ref[40];
    char skip_reason[64];
};

/* The file's format: the same structure carries an ISO 20022 camt.054
 * notification read by bank/camt054.h, each entry a deposit and each of its
 * transactions a payment. */
enum bankfile_format { BANKFILE_BGMAX, BANKFILE_CAMT054 };

struct bgmax_file {
    enum bankfile_format format;
    char timestamp[21]; /* YYYYMMDDHHMMSSffffff */
    char msg_id[40];    /* camt.054: GrpHdr/MsgId, the file's identity */
    char marker;        /* 'T' test or 'P' production */
    struct bgmax_deposit *deposits;
    size_t n_deposits;
    struct bgmax_payment *payments;
    size_t n_payments;
    struct bgmax_extra *extras;
    size_t n_extras;
    size_t n_warnings;
    char first_warning[160];                 /* "line 12: ..." */
    char warnings[BGMAX_WARNINGS_KEPT][160]; /* the first ones */
};

/* Parse the len bytes at data.  On success *out holds the file (release it
 * with bgmax_file_release()); on failure *out is empty and e names the line
 * in e->field ("line 7") and the reason in e->message. */
enum pm_err bgmax_parse(const char *data, size_t len, struct bgmax_file *out, struct pm_error *e);
void bgmax_file_release(struct bgmax_file *f);

/* Bankgiro digits (any dashes/blanks dropped) zero-filled to 10 into dst[11];
 * false when s is not 7..10 digits after dropping them. */
bool bgmax_normalize_bankgiro(const char *s, char dst[11]);

#endif
