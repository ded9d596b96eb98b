/*
 * camt054.h — a strict reader of ISO 20022 camt.054 files
 * (BankToCustomerDebitCreditNotification): the incoming payments a
 * Swedish bank reports beside, or instead of, BgMax.
 *
 * Part of src/bank: the bank file formats that need a library (libxml2)
 * above core/, below app/.  camt054_parse() reads a whole file held in
 * memory into the structure the BgMax import matches on (core/bgmax.h:
 * each booked entry, Ntry, a deposit; each of its transactions, TxDtls, a
 * payment), so app/app_bankfile.c matches and books both formats alike.
 * It does no I/O: the schema is loaded once (camt054_schema_load(), the
 * only read of a file here) and passed in.
 *
 * What is refused, the whole file, naming the line and the element:
 * anything but well-formed XML of at most CAMT054_MAX_BYTES; a DOCTYPE
 * (no DTD is ever read, no entity expanded: XXE and entity expansion
 * cannot happen); another root namespace than camt.054.001.02 .. 001.08;
 * anything our schema (data/camt054.xsd) refuses; an amount with more
 * than two decimals or above MONEY_MAX; an entry whose transactions do
 * not add up to its amount; a booked entry without a date.
 *
 * What is read but not booked (a deposit with skip_reason, and a
 * warning): debit entries (CdtDbtInd DBIT), entries not booked (Sts PDNG
 * or INFO), entries in another currency than SEK.  A transaction marked
 * DBIT inside a credit entry is a deduction (it reduces the entry).
 */
#ifndef PM_CAMT054_H
#define PM_CAMT054_H

#include <stddef.h>

#include "core/bgmax.h"
#include "util/err.h"

#define CAMT054_MAX_BYTES BGMAX_MAX_BYTES /* larger inputs are refused */

/* The schema, compiled once for each namespace version accepted.
 * Read-only once loaded: one may serve every thread. */
struct camt054_schema;

/* Compile the XSD text xsd[0..len) (data/camt054.xsd).  On success *out
 * owns the schema (free it with camt054_schema_free()); on failure e says
 * why. */
enum pm_err camt054_schema_compile(const char *xsd, size_t len, struct camt054_schema **out,
                                   struct pm_error *e);

/* Read the file at path (DATA_DIR/camt054.xsd) and compile it. */
enum pm_err camt054_schema_load(const char *path, struct camt054_schema **out, struct pm_error *e);

/* Free *s and set it to NULL; a NULL *s is a no-op. */
void camt054_schema_free(struct camt054_schema **s);

/* Parse the len bytes at data, validated against schema.  On success *out
 * holds the file (format BANKFILE_CAMT054; release it with
 * bgmax_file_release()); on failure *out is empty, e->field names the line
 * ("line 7", or "file") and e->message the element and the reason. */
enum pm_err camt054_parse(const struct camt054_schema *schema, const char *data, size_t len,
                          struct bgmax_file *out, struct pm_error *e);

#endif
