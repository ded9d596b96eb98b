/*
 * app_letter.c — the parties of a letter (app_letter.h).
 */
#include "app/app_letter.h"

#include <stdio.h>
#include <string.h>

#include "core/idnum.h"

static void postal_line(char *dst, size_t cap, const char *zip, const char *city)
{
    snprintf(dst, cap, "%s%s%s", zip, zip[0] && city[0] ? " " : "", city);
}

void app_letter_party(const struct company *co, const struct customer *cu,
                      struct letter_reminder *l)
{
    struct idnum org;

    l->english = !strcmp(cu->language, "en");
    snprintf(l->company_name, sizeof(l->company_name), "%s", co->name);
    snprintf(l->company_org_no, sizeof(l->company_org_no), "%s",
             !idnum_parse_org(co->organization_no, &org) ? org.display : co->organization_no);
    snprintf(l->company_address, sizeof(l->company_address), "%s", co->address_line_1);
    postal_line(l->company_postal, sizeof(l->company_postal), co->zip_code, co->city);
    snprintf(l->company_bankgiro, sizeof(l->company_bankgiro), "%s", co->bankgiro);
    snprintf(l->company_email, sizeof(l->company_email), "%s", co->email);
    snprintf(l->company_phone, sizeof(l->company_phone), "%s", co->phone);
    snprintf(l->company_swish, sizeof(l->company_swish), "%s", co->swish_number);
    snprintf(l->customer_name, sizeof(l->customer_name), "%s", cu->name);
    snprintf(l->customer_address_1, sizeof(l->customer_address_1), "%s", cu->address_line_1);
    snprintf(l->customer_address_2, sizeof(l->customer_address_2), "%s", cu->address_line_2);
    postal_line(l->customer_postal, sizeof(l->customer_postal), cu->zip_code, cu->city);
    if (cu->country[0] && strcmp(cu->country, "SE") != 0)
        snprintf(l->customer_country, sizeof(l->customer_country), "%s", cu->country);
}
