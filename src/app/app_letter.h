/*
 * app_letter.h — the sender and the addressee of a letter (reminder,
 * credit note, statement) as the letters print them, from the company and
 * the customer: one filling for every letter of src/letter.
 *
 * Part of src/app.  The language is the customer's ("en" prints English);
 * the organisation number is shown in its display form when it parses; the
 * customer's country is printed only when it is not Sweden.
 */
#ifndef PM_APP_LETTER_H
#define PM_APP_LETTER_H

#include "letter/letter.h"
#include "store/store.h"

/* Fill l's parties (it is not cleared first): the company's name, number,
 * address, bankgiro, Swish number, e-mail and phone, and the customer's
 * name and address. */
void app_letter_party(const struct company *co, const struct customer *cu,
                      struct letter_reminder *l);

#endif
