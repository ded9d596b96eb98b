/*
 * camt054.c — the strict camt.054 reader (see camt054.h).
 *
 * Part of src/bank.  Three steps, each refusing the whole file: libxml2
 * reads the bytes into a tree (no network, no DTD, a DOCTYPE stops the
 * parser at once), our schema validates the tree, and one walk over it
 * fills a struct bgmax_file, checking what a schema cannot say (amounts
 * in öre exactly, transactions adding up to their entry, dates present
 * where booked).  On any error everything read so far is released.
 */
#include "bank/camt054.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/money.h"

#define NS_BASE       "urn:iso:std:iso:20022:tech:xsd:camt.054.001.0"
#define XSD_NS        "camt.054.001.02" /* the namespace written in the XSD */
#define FIRST_VERSION 2
#define N_VERSIONS    7 /* 001.02 .. 001.08 */
#define XSD_MAX_BYTES (1024u * 1024)
#define TEXT_MAX      600 /* an element's text as read; Max140Text is 560 bytes of UTF-8 at most */

struct camt054_schema {
    xmlSchemaPtr s[N_VERSIONS];
};

/* The first error libxml2 reports, with its line. */
struct first_error {
    bool seen;
    int line;
    char message[200];
};

/* Keep the first structured error, without the namespace in braces
 * ("Element '{urn:...}Amt': ..." reads "Element 'Amt': ..."; other
 * braces, as around an enumeration's values, stay). */
static void on_error(void *arg, xmlErrorPtr err)
{
    struct first_error *fe = arg;
    const char *m, *close;
    size_t n = 0;

    if (fe->seen || !err)
        return;
    fe->seen = true;
    fe->line = err->line;
    if (err->node && ((xmlNodePtr)err->node)->type == XML_ELEMENT_NODE)
        fe->line = (int)xmlGetLineNo(err->node);
    for (m = err->message ? err->message : "unknown error"; *m && n + 1 < sizeof(fe->message);
         m++) {
        close = *m == '{' ? strchr(m, '}') : NULL;
        if (close && (!strncmp(m + 1, "urn:", 4) || !strncmp(m + 1, "http", 4))) {
            m = close;
            continue;
        }
        if (*m != '\n')
            fe->message[n++] = *m;
    }
    while (n > 0 && fe->message[n - 1] == ' ')
        n--;
    fe->message[n] = '\0';
}

/* xmlStructuredErrorFunc takes a non-const error in libxml2 2.9. */
static void on_schema_error(void *arg, xmlErrorPtr err)
{
    on_error(arg, err);
}

enum pm_err camt054_schema_compile(const char *xsd, size_t len, struct camt054_schema **out,
                                   struct pm_error *e)
{
    struct camt054_schema *s;
    struct first_error fe;
    xmlSchemaParserCtxtPtr pc;
    enum pm_err rc = PM_OK;
    char *text, *at;
    int v;

    *out = NULL;
    if (len == 0 || len > XSD_MAX_BYTES)
        return pm_error_set(e, PM_ERR_INVALID, "schema",
                            "the camt.054 schema is empty or too large");
    xmlInitParser();
    s = calloc(1, sizeof(*s));
    text = malloc(len + 1);
    if (!s || !text) {
        rc = pm_error_set(e, PM_ERR_NOMEM, "schema", "out of memory");
        goto out_free;
    }
    for (v = 0; v < N_VERSIONS; v++) {
        /* The same text with this version's namespace. */
        memcpy(text, xsd, len);
        text[len] = '\0';
        for (at = strstr(text, XSD_NS); at; at = strstr(at + 1, XSD_NS))
            at[strlen(XSD_NS) - 1] = (char)('0' + FIRST_VERSION + v);
        memset(&fe, 0, sizeof(fe));
        pc = xmlSchemaNewMemParserCtxt(text, (int)len);
        if (!pc) {
            rc = pm_error_set(e, PM_ERR_NOMEM, "schema", "out of memory");
            goto out_free;
        }
        xmlSchemaSetParserStructuredErrors(pc, on_schema_error, &fe);
        s->s[v] = xmlSchemaParse(pc);
        xmlSchemaFreeParserCtxt(pc);
        if (!s->s[v]) {
            rc = pm_error_set(e, PM_ERR_INVALID, "schema", "the camt.054 schema: line %d: %s",
                              fe.line, fe.seen ? fe.message : "not a schema");
            goto out_free;
        }
    }
    *out = s;
    s = NULL;
out_free:
    free(text);
    camt054_schema_free(&s);
    return rc;
}

enum pm_err camt054_schema_load(const char *path, struct camt054_schema **out, struct pm_error *e)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    size_t n = 0;
    enum pm_err rc;

    *out = NULL;
    if (!f)
        return pm_error_set(e, PM_ERR_NOT_FOUND, "schema", "cannot read %s", path);
    text = malloc(XSD_MAX_BYTES + 1);
    if (text)
        n = fread(text, 1, XSD_MAX_BYTES + 1, f);
    if (!text)
        rc = pm_error_set(e, PM_ERR_NOMEM, "schema", "out of memory");
    else if (ferror(f))
        rc = pm_error_set(e, PM_ERR_IO, "schema", "cannot read %s", path);
    else
        rc = camt054_schema_compile(text, n, out, e);
    fclose(f);
    free(text);
    return rc;
}

void camt054_schema_free(struct camt054_schema **s)
{
    int v;

    if (!s || !*s)
        return;
    for (v = 0; v < N_VERSIONS; v++)
        xmlSchemaFree((*s)->s[v]);
    free(*s);
    *s = NULL;
}

/* ---- the walk ---- */

struct reader {
    struct bgmax_file *f;
    struct pm_error *e;
    const xmlChar *ns;
    size_t cap_deposits, cap_payments, cap_extras;
    int64_t deposits_sum; /* Σ of the entries, at most MONEY_MAX */
};

static enum pm_err fail(struct reader *r, const xmlNode *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum pm_err fail(struct reader *r, const xmlNode *at, const char *fmt, ...)
{
    char msg[200];
    long line = at ? xmlGetLineNo(at) : 0;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (line > 0) {
        char field[32];

        snprintf(field, sizeof(field), "line %ld", line);
        return pm_error_set(r->e, PM_ERR_INVALID, field, "line %ld: %s", line, msg);
    }
    return pm_error_set(r->e, PM_ERR_INVALID, "file", "%s", msg);
}

static void warn(struct reader *r, const xmlNode *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void warn(struct reader *r, const xmlNode *at, const char *fmt, ...)
{
    struct bgmax_file *f = r->f;
    char text[sizeof(f->first_warning)], msg[sizeof(f->first_warning)];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(text, sizeof(text), "line %ld: %s", at ? xmlGetLineNo(at) : 0L, msg);
    if (f->n_warnings == 0)
        memcpy(f->first_warning, text, sizeof(text));
    if (f->n_warnings < BGMAX_WARNINGS_KEPT)
        memcpy(f->warnings[f->n_warnings], text, sizeof(text));
    f->n_warnings++;
}

/* An element of the message's namespace named name? */
static bool is(const struct reader *r, const xmlNode *n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && n->ns && xmlStrEqual(n->ns->href, r->ns) &&
           !strcmp((const char *)n->name, name);
}

/* The first child element of n named name, or NULL. */
static xmlNode *child(const struct reader *r, const xmlNode *n, const char *name)
{
    xmlNode *c;

    for (c = n ? n->children : NULL; c; c = c->next) {
        if (is(r, c, name))
            return c;
    }
    return NULL;
}

/* The next sibling of n with its name, or NULL. */
static xmlNode *next_same(const struct reader *r, const xmlNode *n)
{
    xmlNode *c;

    for (c = n->next; c; c = c->next) {
        if (is(r, c, (const char *)n->name))
            return c;
    }
    return NULL;
}

/* Follow "A/B/C" down from n (each step the first child so named). */
static xmlNode *path(const struct reader *r, const xmlNode *n, const char *p)
{
    char step[32];
    size_t len;

    while (n && *p) {
        len = strcspn(p, "/");
        if (len >= sizeof(step))
            return NULL;
        memcpy(step, p, len);
        step[len] = '\0';
        n = child(r, n, step);
        p += len + (p[len] == '/');
    }
    return (xmlNode *)n;
}

/* The text of n (NULL: ""), blanks at both ends dropped, runs of white
 * space as one blank, cut to fit dst[cap] at a character boundary. */
static void text_of(const xmlNode *n, char *dst, size_t cap)
{
    xmlChar *s = n ? xmlNodeGetContent(n) : NULL;
    const unsigned char *p = s;
    size_t len = 0;
    bool blank = false;

    dst[0] = '\0';
    if (!s)
        return;
    for (; *p; p++) {
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
            blank = len > 0;
            continue;
        }
        if (blank && len + 2 < cap)
            dst[len++] = ' ';
        blank = false;
        if (len + 1 >= cap) {
            /* never end inside a UTF-8 sequence */
            while (len > 0 && p > s && (*p & 0xC0) == 0x80) {
                p--;
                len--;
            }
            break;
        }
        dst[len++] = (char)*p;
    }
    dst[len] = '\0';
    xmlFree(s);
}

/* An amount: digits, at most two decimals, into öre; within MONEY_MAX. */
static enum pm_err amount_of(struct reader *r, const xmlNode *n, int64_t *out, char ccy[4])
{
    char t[64];
    xmlChar *c;
    const char *p;
    int64_t v = 0;
    int decimals = -1, digits = 0;

    text_of(n, t, sizeof(t));
    c = xmlGetProp(n, (const xmlChar *)"Ccy");
    snprintf(ccy, 4, "%s", c ? (const char *)c : "");
    xmlFree(c);
    for (p = t; *p; p++) {
        if (*p == '.' && decimals < 0) {
            decimals = 0;
            continue;
        }
        if (*p < '0' || *p > '9')
            return fail(r, n, "%s: '%s' is no amount (digits and a decimal point only)", n->name,
                        t);
        if (decimals >= 0 && ++decimals > 2)
            return fail(r, n, "%s: '%s' has more than two decimals", n->name, t);
        if (v > MONEY_MAX)
            return fail(r, n, "%s: '%s' is too large", n->name, t);
        v = v * 10 + (*p - '0');
        digits++;
    }
    if (digits == 0)
        return fail(r, n, "%s: '%s' is no amount", n->name, t);
    for (decimals = decimals < 0 ? 0 : decimals; decimals < 2; decimals++)
        v *= 10;
    if (v > MONEY_MAX)
        return fail(r, n, "%s: '%s' is too large", n->name, t);
    *out = v;
    return PM_OK;
}

/* BookgDt or ValDt: Dt, or the date of DtTm.  *out = 0 when absent. */
static enum pm_err date_of(struct reader *r, const xmlNode *n, int32_t *out)
{
    char t[40];
    xmlNode *d;

    *out = 0;
    if (!n)
        return PM_OK;
    d = child(r, n, "Dt");
    if (!d)
        d = child(r, n, "DtTm");
    text_of(d, t, sizeof(t));
    if (strlen(t) > DATE_ISO_LEN)
        t[DATE_ISO_LEN] = '\0';
    if (date_parse_iso(t, out))
        return fail(r, d ? d : n, "%s: '%s' is no date", n->name, t);
    return PM_OK;
}

/* An account's Id: an IBAN, or Othr/Id (a bankgiro number when its
 * SchmeNm/Prtry is BGNR).  bankgiro gets the zero-filled number or "". */
static enum pm_err account_of(struct reader *r, const xmlNode *id, char bankgiro[11], char *account,
                              size_t cap)
{
    xmlNode *iban = child(r, id, "IBAN"), *othr = child(r, id, "Othr");
    char scheme[40], number[40];

    bankgiro[0] = '\0';
    account[0] = '\0';
    if (iban) {
        text_of(iban, account, cap);
        return PM_OK;
    }
    text_of(path(r, othr, "Id"), number, sizeof(number));
    text_of(path(r, othr, "SchmeNm/Prtry"), scheme, sizeof(scheme));
    snprintf(account, cap, "%s", number);
    if (strcmp(scheme, "BGNR") != 0)
        return PM_OK;
    if (!bgmax_normalize_bankgiro(number, bankgiro))
        return fail(r, othr, "Othr/Id: '%s' is no bankgiro number", number);
    return PM_OK;
}

static enum pm_err grow(void **arr, size_t n, size_t *cap, size_t size)
{
    void *p;
    size_t ncap;

    if (n < *cap)
        return PM_OK;
    ncap = *cap ? *cap * 2 : 64;
    p = realloc(*arr, ncap * size);
    if (!p)
        return PM_ERR_NOMEM;
    *arr = p;
    *cap = ncap;
    return PM_OK;
}

static enum pm_err nomem(struct reader *r)
{
    return pm_error_set(r->e, PM_ERR_NOMEM, "file", "out of memory");
}

/* src into dst[cap], cut at a character boundary when it does not fit. */
static void copy_text(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);

    if (n >= cap) {
        n = cap - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* The structured references (RmtInf/Strd/CdtrRefInf/Ref) of a
 * transaction: the first is the payment's reference (an OCR number), the
 * others extra references without an amount of their own. */
static enum pm_err read_references(struct reader *r, const xmlNode *rmt, struct bgmax_payment *p)
{
    struct bgmax_file *f = r->f;
    xmlNode *strd, *ref;
    char t[TEXT_MAX];

    for (strd = child(r, rmt, "Strd"); strd; strd = next_same(r, strd)) {
        for (ref = child(r, strd, "CdtrRefInf"); ref; ref = next_same(r, ref)) {
            text_of(child(r, ref, "Ref"), t, sizeof(t));
            if (!t[0])
                continue;
            if (!p->reference[0]) {
                copy_text(p->reference, sizeof(p->reference), t);
                continue;
            }
            if (grow((void **)&f->extras, f->n_extras, &r->cap_extras, sizeof(*f->extras)))
                return nomem(r);
            memset(&f->extras[f->n_extras], 0, sizeof(f->extras[0]));
            copy_text(f->extras[f->n_extras].reference, sizeof(f->extras[0].reference), t);
            f->extras[f->n_extras].ref_code = 2;
            f->n_extras++;
            p->n_extra++;
        }
    }
    return PM_OK;
}

/* The free-text messages (RmtInf/Ustrd), joined with blanks, cut to fit
 * dst[cap] at a character boundary. */
static void read_message(struct reader *r, const xmlNode *rmt, char *dst, size_t cap)
{
    xmlNode *u;
    char t[TEXT_MAX];
    size_t len = 0, n;

    dst[0] = '\0';
    for (u = child(r, rmt, "Ustrd"); u; u = next_same(r, u)) {
        text_of(u, t, sizeof(t));
        if (!t[0] || len + 2 >= cap)
            continue;
        if (len)
            dst[len++] = ' ';
        n = strlen(t);
        if (len + n + 1 > cap) {
            n = cap - 1 - len;
            while (n > 0 && ((unsigned char)t[n] & 0xC0) == 0x80)
                n--;
        }
        memcpy(dst + len, t, n);
        len += n;
        dst[len] = '\0';
    }
}

/* One transaction (TxDtls, or the entry itself when it has none) as a
 * payment of deposit d; *signed_amount is its part of the entry. */
static enum pm_err read_payment(struct reader *r, const xmlNode *tx, const xmlNode *ntry,
                                size_t n_tx, const char *entry_dir, size_t d,
                                int64_t *signed_amount)
{
    struct bgmax_file *f = r->f;
    const struct bgmax_deposit *dep = &f->deposits[d];
    struct bgmax_payment *p;
    xmlNode *amt = NULL, *rmt, *ind, *dbtr;
    char ccy[4], dir[8], bg[11], acct[40];
    enum pm_err rc;

    if (grow((void **)&f->payments, f->n_payments, &r->cap_payments, sizeof(*f->payments)))
        return nomem(r);
    p = &f->payments[f->n_payments];
    memset(p, 0, sizeof(*p));
    p->deposit = d;
    p->line = (size_t)xmlGetLineNo(tx ? tx : ntry);
    p->first_extra = f->n_extras;
    p->ref_code = 2;
    memcpy(p->payer_bankgiro, "0000000000", 11);
    if (tx) {
        amt = child(r, tx, "Amt");
        if (!amt)
            amt = path(r, tx, "AmtDtls/TxAmt/Amt");
    }
    if (amt) {
        rc = amount_of(r, amt, &p->amount_minor, ccy);
        if (rc)
            return rc;
        if (strcmp(ccy, dep->currency) != 0)
            return fail(r, amt, "TxDtls/Amt: currency %s differs from the entry's %s", ccy,
                        dep->currency);
    } else if (n_tx == 1) {
        p->amount_minor = dep->amount_minor; /* the entry's own amount */
    } else {
        return fail(r, tx,
                    "TxDtls: no amount (Amt or AmtDtls/TxAmt/Amt) in an entry of %zu "
                    "transactions",
                    n_tx);
    }
    ind = child(r, tx, "CdtDbtInd");
    text_of(ind, dir, sizeof(dir));
    /* a transaction against the entry's direction reduces it */
    p->deduction = ind && strcmp(dir, entry_dir) != 0;
    *signed_amount = p->deduction ? -p->amount_minor : p->amount_minor;
    if (!tx) {
        text_of(child(r, ntry, "AddtlNtryInf"), p->info, sizeof(p->info));
        f->n_payments++;
        return PM_OK;
    }
    text_of(path(r, tx, "Refs/AcctSvcrRef"), p->bank_ref, sizeof(p->bank_ref));
    if (!p->bank_ref[0])
        text_of(path(r, tx, "Refs/EndToEndId"), p->bank_ref, sizeof(p->bank_ref));
    dbtr = path(r, tx, "RltdPties/Dbtr");
    text_of(child(r, dbtr, "Nm") ? child(r, dbtr, "Nm") : path(r, dbtr, "Pty/Nm"), p->payer_name,
            sizeof(p->payer_name));
    if (path(r, tx, "RltdPties/DbtrAcct/Id")) {
        rc = account_of(r, path(r, tx, "RltdPties/DbtrAcct/Id"), bg, acct, sizeof(acct));
        if (rc)
            return rc;
        if (bg[0])
            memcpy(p->payer_bankgiro, bg, sizeof(bg));
    }
    rmt = child(r, tx, "RmtInf");
    rc = read_references(r, rmt, p);
    if (rc)
        return rc;
    read_message(r, rmt, p->info, sizeof(p->info));
    f->n_payments++;
    return PM_OK;
}

/* Why an entry is not booked ("" when it is), with a warning. */
static void skip_reason(struct reader *r, const xmlNode *ntry, struct bgmax_deposit *d,
                        const char *dir, const char *status, bool reversal)
{
    if (strcmp(dir, "CRDT") != 0) {
        snprintf(d->skip_reason, sizeof(d->skip_reason), "a debit entry is no incoming payment");
        warn(r, ntry, "Ntry %s: debit entry not booked", d->bank_ref);
    } else if (strcmp(status, "BOOK") != 0) {
        snprintf(d->skip_reason, sizeof(d->skip_reason), "the entry is not booked (status %s)",
                 status);
        warn(r, ntry, "Ntry %s: status %s, not booked", d->bank_ref, status);
    } else if (reversal) {
        snprintf(d->skip_reason, sizeof(d->skip_reason), "a reversal is no incoming payment");
        warn(r, ntry, "Ntry %s: reversal not booked", d->bank_ref);
    } else if (strcmp(d->currency, "SEK") != 0) {
        snprintf(d->skip_reason, sizeof(d->skip_reason), "only deposits in SEK are booked");
        warn(r, ntry, "Ntry %s: an entry in %s, not booked", d->bank_ref, d->currency);
    }
}

/* One entry (Ntry) of account acct as a deposit with its payments. */
static enum pm_err read_entry(struct reader *r, const xmlNode *ntry, const char *bankgiro,
                              const char *account)
{
    struct bgmax_file *f = r->f;
    struct bgmax_deposit *d;
    xmlNode *dtls, *tx, *sts, *amt = child(r, ntry, "Amt");
    char dir[8], status[16], rvsl[8];
    size_t n_tx = 0, i = f->n_deposits;
    int64_t part, sum = 0;
    enum pm_err rc;

    if (grow((void **)&f->deposits, f->n_deposits, &r->cap_deposits, sizeof(*f->deposits)))
        return nomem(r);
    d = &f->deposits[i];
    memset(d, 0, sizeof(*d));
    f->n_deposits++;
    snprintf(d->payee_bankgiro, sizeof(d->payee_bankgiro), "%s", bankgiro);
    snprintf(d->account, sizeof(d->account), "%s", account);
    d->serial = (int)f->n_deposits;
    d->type = ' ';
    d->first_payment = f->n_payments;
    rc = amount_of(r, amt, &d->amount_minor, d->currency);
    if (rc)
        return rc;
    if (money_add(r->deposits_sum, d->amount_minor, &r->deposits_sum) ||
        r->deposits_sum > MONEY_MAX)
        return fail(r, amt, "Ntry/Amt: the entries add up to more than the largest amount");
    text_of(child(r, ntry, "CdtDbtInd"), dir, sizeof(dir));
    text_of(child(r, ntry, "AcctSvcrRef"), d->bank_ref, sizeof(d->bank_ref));
    sts = child(r, ntry, "Sts");
    text_of(child(r, sts, "Cd") ? child(r, sts, "Cd") : sts, status, sizeof(status));
    text_of(child(r, ntry, "RvslInd"), rvsl, sizeof(rvsl));
    rc = date_of(r, child(r, ntry, "BookgDt"), &d->date);
    if (!rc && d->date == 0)
        rc = date_of(r, child(r, ntry, "ValDt"), &d->date);
    if (rc)
        return rc;
    for (dtls = child(r, ntry, "NtryDtls"); dtls; dtls = next_same(r, dtls)) {
        for (tx = child(r, dtls, "TxDtls"); tx; tx = next_same(r, tx))
            n_tx++;
    }
    for (dtls = child(r, ntry, "NtryDtls"); !rc && dtls; dtls = next_same(r, dtls)) {
        for (tx = child(r, dtls, "TxDtls"); !rc && tx; tx = next_same(r, tx)) {
            rc = read_payment(r, tx, ntry, n_tx, dir, i, &part);
            sum += rc ? 0 : part; /* each within MONEY_MAX: no overflow */
        }
    }
    if (!rc && n_tx == 0) {
        rc = read_payment(r, NULL, ntry, 1, dir, i, &part);
        sum = part;
    }
    if (rc)
        return rc;
    d = &f->deposits[i]; /* the payments' array may have moved, not this one */
    d->n_payments = f->n_payments - d->first_payment;
    d->count = (int64_t)d->n_payments;
    if (sum != d->amount_minor)
        return fail(r, ntry,
                    "Ntry %s: the transactions add up to %lld öre, the entry's amount is %lld öre",
                    d->bank_ref, (long long)sum, (long long)d->amount_minor);
    skip_reason(r, ntry, d, dir, status, !strcmp(rvsl, "true") || !strcmp(rvsl, "1"));
    if (!d->skip_reason[0] && d->date == 0)
        return fail(r, ntry, "Ntry %s: a booked entry without BookgDt or ValDt", d->bank_ref);
    return PM_OK;
}

static enum pm_err read_document(struct reader *r, const xmlNode *root)
{
    xmlNode *msg = child(r, root, "BkToCstmrDbtCdtNtfctn"), *ntf, *ntry;
    char bankgiro[11], account[40], created[40];
    const char *c;
    size_t n = 0;
    enum pm_err rc = PM_OK;

    text_of(path(r, msg, "GrpHdr/MsgId"), r->f->msg_id, sizeof(r->f->msg_id));
    text_of(path(r, msg, "GrpHdr/CreDtTm"), created, sizeof(created));
    for (c = created; *c && n + 1 < sizeof(r->f->timestamp); c++) {
        if (*c >= '0' && *c <= '9')
            r->f->timestamp[n++] = *c;
    }
    r->f->timestamp[n] = '\0';
    for (ntf = child(r, msg, "Ntfctn"); !rc && ntf; ntf = next_same(r, ntf)) {
        rc = account_of(r, path(r, ntf, "Acct/Id"), bankgiro, account, sizeof(account));
        for (ntry = child(r, ntf, "Ntry"); !rc && ntry; ntry = next_same(r, ntry))
            rc = read_entry(r, ntry, bankgiro, account);
    }
    return rc;
}

/* ---- reading the bytes ---- */

/* A DOCTYPE stops the parser before its internal subset is read. */
static void on_doctype(void *ctx, const xmlChar *name, const xmlChar *external_id,
                       const xmlChar *system_id)
{
    xmlParserCtxtPtr pc = ctx;

    (void)name;
    (void)external_id;
    (void)system_id;
    *(bool *)pc->_private = true;
    xmlStopParser(pc);
}

/* The tree of data[0..len), or NULL with e set. */
static xmlDocPtr read_tree(const char *data, size_t len, struct pm_error *e)
{
    xmlParserCtxtPtr pc = xmlNewParserCtxt();
    bool doctype = false;
    const xmlError *err;
    xmlDocPtr doc;
    char field[32];
    struct first_error fe = {0};

    if (!pc) {
        pm_error_set(e, PM_ERR_NOMEM, "file", "out of memory");
        return NULL;
    }
    pc->_private = &doctype;
    pc->sax->internalSubset = on_doctype;
    /* no network, no DTD, no entity substitution (XML_PARSE_NOENT unset),
     * no default attributes; errors are kept, not printed */
    doc = xmlCtxtReadMemory(pc, data, (int)len, NULL, NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                                XML_PARSE_BIG_LINES);
    if (doctype) {
        xmlFreeDoc(doc);
        doc = NULL;
        snprintf(field, sizeof(field), "line %d", pc->input ? pc->input->line : 1);
        pm_error_set(e, PM_ERR_INVALID, field,
                     "%s: a DOCTYPE is not allowed in a camt.054 file (no DTD or entity is read)",
                     field);
    } else if (!doc || !pc->wellFormed) {
        xmlFreeDoc(doc);
        doc = NULL;
        err = xmlCtxtGetLastError(pc);
        if (err)
            on_error(&fe, (xmlErrorPtr)err);
        snprintf(field, sizeof(field), "line %d", fe.line > 0 ? fe.line : 1);
        pm_error_set(e, PM_ERR_INVALID, field, "%s: not well-formed XML: %s", field,
                     fe.seen ? fe.message : "unreadable");
    }
    xmlFreeParserCtxt(pc);
    return doc;
}

/* Validate doc against the schema of its version (v). */
static enum pm_err validate(const struct camt054_schema *schema, int v, xmlDocPtr doc,
                            struct pm_error *e)
{
    xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(schema->s[v]);
    struct first_error fe = {0};
    char field[32];
    int ok;

    if (!vc)
        return pm_error_set(e, PM_ERR_NOMEM, "file", "out of memory");
    xmlSchemaSetValidStructuredErrors(vc, on_schema_error, &fe);
    ok = xmlSchemaValidateDoc(vc, doc);
    xmlSchemaFreeValidCtxt(vc);
    if (ok == 0)
        return PM_OK;
    snprintf(field, sizeof(field), "line %d", fe.line > 0 ? fe.line : 1);
    return pm_error_set(e, PM_ERR_INVALID, field, "%s: not a valid camt.054 file: %s", field,
                        fe.seen ? fe.message : "schema validation failed");
}

enum pm_err camt054_parse(const struct camt054_schema *schema, const char *data, size_t len,
                          struct bgmax_file *out, struct pm_error *e)
{
    struct reader r;
    xmlDocPtr doc;
    xmlNode *root;
    enum pm_err rc;
    int v = -1, i;

    memset(out, 0, sizeof(*out));
    if (!schema)
        return pm_error_set(e, PM_ERR_INTERNAL, "file", "the camt.054 schema is not loaded");
    if (len == 0)
        return pm_error_set(e, PM_ERR_INVALID, "file", "the file is empty");
    if (len > CAMT054_MAX_BYTES)
        return pm_error_set(e, PM_ERR_INVALID, "file", "the file is larger than %u bytes",
                            (unsigned)CAMT054_MAX_BYTES);
    doc = read_tree(data, len, e);
    if (!doc)
        return PM_ERR_INVALID;
    root = xmlDocGetRootElement(doc);
    for (i = 0; root && root->ns && i < N_VERSIONS; i++) {
        char ns[64];

        snprintf(ns, sizeof(ns), NS_BASE "%d", FIRST_VERSION + i);
        if (xmlStrEqual(root->ns->href, (const xmlChar *)ns))
            v = i;
    }
    if (v < 0 || !root || strcmp((const char *)root->name, "Document") != 0) {
        char field[32];
        long line = root ? xmlGetLineNo(root) : 1L;

        snprintf(field, sizeof(field), "line %ld", line);
        rc = pm_error_set(e, PM_ERR_INVALID, field,
                          "%s: the root element is not a camt.054 Document of version 001.02 to "
                          "001.08 (namespace " NS_BASE "2 .. 8)",
                          field);
        goto out_free;
    }
    rc = validate(schema, v, doc, e);
    if (rc)
        goto out_free;
    memset(&r, 0, sizeof(r));
    r.f = out;
    r.e = e;
    r.ns = root->ns->href;
    out->format = BANKFILE_CAMT054;
    out->marker = 'P';
    rc = read_document(&r, root);
    if (rc)
        bgmax_file_release(out);
out_free:
    xmlFreeDoc(doc);
    return rc;
}
