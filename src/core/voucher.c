/*
 * voucher.c — BAS vouchers built from the facts of an event (see voucher.h).
 *
 * Part of core/: pure.  The account rules are those of the domain notes
 * (swedish-rules.md §5); the accounts for reminder fees (3930) and for
 * over-payments (2420, förskott från kunder) are the BAS accounts commonly
 * used for them and are documented in docs/books.md.
 */
#include "core/voucher.h"

#include "core/vat.h"

#include <stdio.h>
#include <string.h>

#include "core/date.h"
#include "core/fiscal.h"
#include "core/money.h"

struct account_name {
    int account;
    const char *name;
};

static const struct account_name chart[] = {
    {ACC_RECEIVABLES, "Kundfordringar"},
    {ACC_RECEIVABLES_TAX_REDUCTION, "Kundfordringar - delad faktura"},
    {1516, "Tvistiga kundfordringar"},
    {ACC_RECEIVABLES_WRITE_DOWN, "Nedskrivning av kundfordringar"},
    {ACC_BANK, "Företagskonto"},
    {ACC_CUSTOMER_ADVANCES, "Förskott från kunder"},
    {ACC_OUTPUT_VAT_25, "Utgående moms på försäljning inom Sverige, 25 %"},
    {ACC_OUTPUT_VAT_12, "Utgående moms på försäljning inom Sverige, 12 %"},
    {ACC_OUTPUT_VAT_6, "Utgående moms på försäljning inom Sverige, 6 %"},
    {ACC_INPUT_VAT, "Debiterad ingående moms"},
    {ACC_SALES_25, "Försäljning inom Sverige, 25 % moms"},
    {ACC_SALES_12, "Försäljning inom Sverige, 12 % moms"},
    {ACC_SALES_6, "Försäljning inom Sverige, 6 % moms"},
    {ACC_SALES_EXEMPT, "Försäljning inom Sverige, momsfri"},
    {ACC_SALES_NON_EU, "Försäljning tjänster till land utanför EU"},
    {ACC_SALES_EU, "Försäljning tjänster till annat EU-land"},
    {ACC_SALES_GOODS_NON_EU, "Försäljning varor till land utanför EU"},
    {ACC_SALES_GOODS_EU, "Försäljning varor till annat EU-land, momsfri"},
    {ACC_SALES_CONSTRUCTION_REVERSE,
     "Försäljning inom byggsektorn, omvänd betalningsskyldighet moms"},
    {ACC_REMINDER_FEES, "Påminnelseavgifter"},
    {ACC_COLLECTION_FEES, "Inkasso- och KFM-avgifter"},
    {ACC_CONFIRMED_LOSS, "Konstaterade förluster på kundfordringar"},
    {ACC_EXPECTED_LOSS, "Befarade förluster på kundfordringar"},
    {ACC_INTEREST_INCOME, "Ränteintäkter från kundfordringar"},
};

static const char *const eu_countries[] = {
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SI", "SK", NULL,
};

const char *voucher_account_name(int account)
{
    size_t i;

    for (i = 0; i < sizeof(chart) / sizeof(chart[0]); i++) {
        if (chart[i].account == account)
            return chart[i].name;
    }
    return NULL;
}

bool voucher_account_is_balance(int account)
{
    return account >= 1000 && account <= 2999;
}

void voucher_init(struct voucher *v, int32_t date, const char *source, const char *text)
{
    memset(v, 0, sizeof(*v));
    v->date = date;
    snprintf(v->source, sizeof(v->source), "%s", source ? source : "");
    snprintf(v->text, sizeof(v->text), "%s", text ? text : "");
}

static enum pm_err add_row(struct voucher *v, int account, int64_t debit, int64_t credit)
{
    struct voucher_row *row;
    size_t i;

    if (debit == 0 && credit == 0)
        return PM_OK;
    for (i = 0; i < v->n_rows; i++) {
        row = &v->rows[i];
        if (row->account != account || (debit && !row->debit_minor) ||
            (credit && !row->credit_minor))
            continue;
        if (debit)
            return money_add(row->debit_minor, debit, &row->debit_minor);
        return money_add(row->credit_minor, credit, &row->credit_minor);
    }
    if (v->n_rows == VOUCHER_ROWS_MAX)
        return PM_ERR_RANGE;
    v->rows[v->n_rows].account = account;
    v->rows[v->n_rows].debit_minor = debit;
    v->rows[v->n_rows].credit_minor = credit;
    v->n_rows++;
    return PM_OK;
}

enum pm_err voucher_debit(struct voucher *v, int account, int64_t amount_minor)
{
    if (amount_minor == INT64_MIN)
        return PM_ERR_OVERFLOW;
    if (amount_minor < 0)
        return add_row(v, account, 0, -amount_minor);
    return add_row(v, account, amount_minor, 0);
}

enum pm_err voucher_credit(struct voucher *v, int account, int64_t amount_minor)
{
    if (amount_minor == INT64_MIN)
        return PM_ERR_OVERFLOW;
    if (amount_minor < 0)
        return add_row(v, account, -amount_minor, 0);
    return add_row(v, account, 0, amount_minor);
}

enum pm_err voucher_sums(const struct voucher *v, int64_t *debit, int64_t *credit)
{
    int64_t d = 0, c = 0;
    enum pm_err rc = PM_OK;
    size_t i;

    for (i = 0; !rc && i < v->n_rows; i++) {
        rc = money_add(d, v->rows[i].debit_minor, &d);
        if (!rc)
            rc = money_add(c, v->rows[i].credit_minor, &c);
    }
    if (!rc) {
        *debit = d;
        *credit = c;
    }
    return rc;
}

bool voucher_balanced(const struct voucher *v)
{
    int64_t d, c;

    return v->n_rows >= 2 && !voucher_sums(v, &d, &c) && d == c && d > 0;
}

/* One row: an account of the chart's four digits, one side only. */
static enum pm_err row_check(const struct voucher_row *r, size_t i, struct pm_error *e)
{
    if (r->account < 1000 || r->account > 9999)
        return pm_error_set(e, PM_ERR_INVALID, "rows", "row %zu: %d is not a four-digit account",
                            i + 1, r->account);
    if (r->debit_minor < 0 || r->credit_minor < 0)
        return pm_error_set(e, PM_ERR_INVALID, "rows", "row %zu: a negative amount", i + 1);
    if (r->debit_minor && r->credit_minor)
        return pm_error_set(e, PM_ERR_INVALID, "rows", "row %zu: an amount on both sides", i + 1);
    if (!r->debit_minor && !r->credit_minor)
        return pm_error_set(e, PM_ERR_INVALID, "rows", "row %zu: no amount", i + 1);
    return PM_OK;
}

enum pm_err voucher_check(const struct voucher *v, struct pm_error *e)
{
    int64_t debit = 0, credit = 0;
    int year, month, day;
    enum pm_err rc;
    size_t i;

    date_to_ymd(v->date, &year, &month, &day);
    if (year < DATE_MIN_YEAR || year > DATE_MAX_YEAR)
        return pm_error_set(e, PM_ERR_INVALID, "date", "a voucher's date must lie in %d..%d",
                            DATE_MIN_YEAR, DATE_MAX_YEAR);
    if (v->n_rows < 2)
        return pm_error_set(e, PM_ERR_INVALID, "rows",
                            "the voucher does not balance: it needs two rows or more");
    if (v->n_rows > VOUCHER_ROWS_MAX)
        return pm_error_set(e, PM_ERR_INVALID, "rows", "a voucher has at most %d rows",
                            VOUCHER_ROWS_MAX);
    for (i = 0; i < v->n_rows; i++) {
        rc = row_check(&v->rows[i], i, e);
        if (rc)
            return rc;
    }
    if (voucher_sums(v, &debit, &credit))
        return pm_error_set(e, PM_ERR_INVALID, "rows", "the voucher's sums overflow");
    if (debit != credit)
        return pm_error_set(e, PM_ERR_INVALID, "rows", "the voucher does not balance");
    return PM_OK;
}

int voucher_year(int32_t date, int fiscal_start_month)
{
    return fiscal_label_of(date, fiscal_start_month);
}

enum pm_err voucher_next_number(int64_t highest, int64_t *out)
{
    if (highest < 0)
        return PM_ERR_RANGE;
    if (highest == INT64_MAX)
        return PM_ERR_OVERFLOW;
    *out = highest + 1;
    return PM_OK;
}

enum voucher_market voucher_market_of(const char *country)
{
    size_t i;

    if (!country || !country[0] || !strcmp(country, "SE"))
        return MARKET_SWEDEN;
    for (i = 0; eu_countries[i]; i++) {
        if (!strcmp(eu_countries[i], country))
            return MARKET_EU;
    }
    return MARKET_OUTSIDE_EU;
}

int voucher_sales_account(const struct voucher_invoice *inv, int i)
{
    if (i != VAT_0)
        return vat_rates[i].sales_account;
    if (inv->zero_vat == ZERO_VAT_CONSTRUCTION)
        return ACC_SALES_CONSTRUCTION_REVERSE;
    if (inv->market == MARKET_EU)
        return inv->zero_vat == ZERO_VAT_GOODS ? ACC_SALES_GOODS_EU : ACC_SALES_EU;
    if (inv->market == MARKET_OUTSIDE_EU)
        return inv->zero_vat == ZERO_VAT_GOODS ? ACC_SALES_GOODS_NON_EU : ACC_SALES_NON_EU;
    return vat_rates[i].sales_account;
}

enum pm_err voucher_zero_vat_check(enum invoice_zero_vat zero_vat, enum voucher_market market,
                                   bool company, int64_t vat_minor, struct pm_error *e)
{
    if (zero_vat == ZERO_VAT_NONE)
        return PM_OK;
    if (vat_minor != 0)
        return pm_error_set(e, PM_ERR_INVALID, "zero_vat",
                            "an invoice without VAT for this reason has no line with VAT");
    if (zero_vat == ZERO_VAT_CONSTRUCTION && (market != MARKET_SWEDEN || !company))
        return pm_error_set(e, PM_ERR_INVALID, "zero_vat",
                            "reverse charge on building services is for a Swedish company");
    if (zero_vat == ZERO_VAT_GOODS && market == MARKET_SWEDEN)
        return pm_error_set(e, PM_ERR_INVALID, "zero_vat",
                            "goods without VAT are sold to another country");
    return PM_OK;
}

/* End of every builder: a built voucher must balance. */
static enum pm_err finish(struct voucher *v, enum pm_err rc)
{
    if (!rc && !voucher_balanced(v))
        rc = PM_ERR_INTERNAL;
    return rc;
}

enum pm_err voucher_invoice_issued(const struct voucher_invoice *inv, int32_t date,
                                   struct voucher *out)
{
    const struct invoice_totals *t = &inv->totals;
    char text[VOUCHER_TEXT_MAX];
    enum pm_err rc;
    int i;

    snprintf(text, sizeof(text), "Faktura %lld %s", (long long)inv->number,
             inv->customer_name ? inv->customer_name : "");
    voucher_init(out, date, "invoice", text);
    rc = voucher_debit(out, ACC_RECEIVABLES, t->customer_part_minor);
    if (!rc)
        rc = voucher_debit(out, ACC_RECEIVABLES_TAX_REDUCTION, t->tax_reduction_minor);
    for (i = 0; !rc && i < VAT_RATES; i++) {
        rc = voucher_credit(out, voucher_sales_account(inv, i), t->net_by_rate[i]);
        if (!rc && t->vat_by_rate[i])
            rc = vat_rates[i].output_vat_account
                     ? voucher_credit(out, vat_rates[i].output_vat_account, t->vat_by_rate[i])
                     : PM_ERR_INTERNAL;
    }
    return finish(out, rc);
}

/* Split amount over the invoice's totals in proportion: VAT per rate and
 * net per rate, the rounding rest on the largest net row. */
static enum pm_err split_proportional(const struct invoice_totals *t, int64_t amount,
                                      int64_t net[VAT_RATES], int64_t vat[VAT_RATES])
{
    int64_t rest = amount;
    enum pm_err rc = PM_OK;
    int i, largest = 0;

    if (t->total_minor <= 0)
        return PM_ERR_INVALID;
    for (i = 0; !rc && i < VAT_RATES; i++) {
        rc = money_mul_div(amount, t->vat_by_rate[i], t->total_minor, &vat[i]);
        if (!rc)
            rc = money_mul_div(amount, t->net_by_rate[i], t->total_minor, &net[i]);
        if (!rc)
            rest -= vat[i] + net[i];
        if (t->net_by_rate[i] > t->net_by_rate[largest])
            largest = i;
    }
    if (!rc)
        net[largest] += rest;
    return rc;
}

enum pm_err voucher_payment(const struct voucher_invoice *inv, const struct voucher_payment *p,
                            int32_t date, struct voucher *out)
{
    int64_t net[VAT_RATES] = {0}, vat[VAT_RATES] = {0}, sum = 0;
    char text[VOUCHER_TEXT_MAX];
    enum pm_err rc;
    int i;

    rc = money_add(p->capital_minor, p->fees_minor, &sum);
    if (!rc)
        rc = money_add(sum, p->interest_minor, &sum);
    if (!rc)
        rc = money_add(sum, p->overpaid_minor, &sum);
    if (rc)
        return rc;
    if (sum != p->amount_minor || p->amount_minor <= 0 || p->capital_minor < 0 ||
        p->fees_minor < 0 || p->interest_minor < 0 || p->overpaid_minor < 0)
        return PM_ERR_INVALID;
    snprintf(text, sizeof(text), "%s faktura %lld%s%s", p->via ? p->via : "Inbetalning",
             (long long)inv->number, p->reference && p->reference[0] ? ", ref " : "",
             p->reference ? p->reference : "");
    voucher_init(out, date, "payment", text);
    rc = voucher_debit(out, p->from_advances ? ACC_CUSTOMER_ADVANCES : ACC_BANK, p->amount_minor);
    if (!rc && p->cash_method) {
        rc = split_proportional(&inv->totals, p->capital_minor, net, vat);
        for (i = 0; !rc && i < VAT_RATES; i++) {
            rc = voucher_credit(out, voucher_sales_account(inv, i), net[i]);
            if (!rc && vat[i])
                rc = voucher_credit(out, vat_rates[i].output_vat_account, vat[i]);
        }
    } else if (!rc) {
        rc = voucher_credit(out, ACC_RECEIVABLES, p->capital_minor);
    }
    if (!rc)
        rc = voucher_credit(out, ACC_REMINDER_FEES, p->fees_minor);
    if (!rc)
        rc = voucher_credit(out, ACC_INTEREST_INCOME, p->interest_minor);
    if (!rc)
        rc = voucher_credit(out, ACC_CUSTOMER_ADVANCES, p->overpaid_minor);
    return finish(out, rc);
}

enum pm_err voucher_loss_split(const struct voucher_invoice *inv, int64_t customer_minor,
                               struct voucher_loss *out)
{
    const struct invoice_totals *t = &inv->totals;
    int64_t gross = customer_minor, net;
    enum pm_err rc = PM_OK;
    int i;

    memset(out, 0, sizeof(*out));
    if (customer_minor <= 0 || t->total_minor <= 0 || customer_minor > t->customer_part_minor)
        return PM_ERR_RANGE;
    if (t->tax_reduction_minor > 0)
        rc = money_mul_div(customer_minor, t->tax_reduction_minor, t->customer_part_minor,
                           &out->tax_reduction_minor);
    if (!rc)
        rc = money_add(gross, out->tax_reduction_minor, &gross);
    net = gross;
    for (i = 0; !rc && i < VAT_RATES; i++) {
        rc = money_mul_div(gross, t->vat_by_rate[i], t->total_minor, &out->vat_by_rate[i]);
        if (!rc)
            net -= out->vat_by_rate[i];
    }
    out->gross_minor = gross;
    out->net_minor = net;
    return rc;
}

int64_t voucher_loss_customer_part(const struct voucher_loss *loss)
{
    return loss->gross_minor - loss->tax_reduction_minor;
}

enum pm_err voucher_expected_loss(const struct voucher_invoice *inv, int64_t net_minor,
                                  int32_t date, struct voucher *out)
{
    char text[VOUCHER_TEXT_MAX];
    enum pm_err rc;

    if (net_minor <= 0)
        return PM_ERR_RANGE;
    snprintf(text, sizeof(text), "Befarad kundförlust faktura %lld %s", (long long)inv->number,
             inv->customer_name ? inv->customer_name : "");
    voucher_init(out, date, "expected_loss", text);
    rc = voucher_debit(out, ACC_EXPECTED_LOSS, net_minor);
    if (!rc)
        rc = voucher_credit(out, ACC_RECEIVABLES_WRITE_DOWN, net_minor);
    return finish(out, rc);
}

enum pm_err voucher_expected_loss_reversal(const struct voucher_invoice *inv, int64_t net_minor,
                                           int32_t date, struct voucher *out)
{
    char text[VOUCHER_TEXT_MAX];
    enum pm_err rc;

    if (net_minor <= 0)
        return PM_ERR_RANGE;
    snprintf(text, sizeof(text), "Återföring befarad kundförlust faktura %lld",
             (long long)inv->number);
    voucher_init(out, date, "expected_loss_reversal", text);
    rc = voucher_debit(out, ACC_RECEIVABLES_WRITE_DOWN, net_minor);
    if (!rc)
        rc = voucher_credit(out, ACC_EXPECTED_LOSS, net_minor);
    return finish(out, rc);
}

enum pm_err voucher_confirmed_loss(const struct voucher_invoice *inv,
                                   const struct voucher_loss *loss, int32_t date,
                                   struct voucher *out)
{
    char text[VOUCHER_TEXT_MAX];
    enum pm_err rc;
    int i;

    if (loss->gross_minor <= 0)
        return PM_ERR_RANGE;
    snprintf(text, sizeof(text), "Konstaterad kundförlust faktura %lld %s", (long long)inv->number,
             inv->customer_name ? inv->customer_name : "");
    voucher_init(out, date, "confirmed_loss", text);
    rc = voucher_debit(out, ACC_CONFIRMED_LOSS, loss->net_minor);
    for (i = 0; !rc && i < VAT_RATES; i++) {
        if (loss->vat_by_rate[i])
            rc = vat_rates[i].output_vat_account
                     ? voucher_debit(out, vat_rates[i].output_vat_account, loss->vat_by_rate[i])
                     : PM_ERR_INTERNAL;
    }
    if (!rc)
        rc = voucher_credit(out, ACC_RECEIVABLES, voucher_loss_customer_part(loss));
    if (!rc && loss->tax_reduction_minor > 0)
        rc = voucher_credit(out, ACC_RECEIVABLES_TAX_REDUCTION, loss->tax_reduction_minor);
    return finish(out, rc);
}

/* The recovered part of a loss: amount (the customer's money) with the
 * tax reduction it makes claimable again (debit 1513), the whole split like
 * the loss. */
static enum pm_err recovery_rows(const struct voucher_loss *loss, int64_t amount,
                                 struct voucher *out)
{
    int64_t customer = voucher_loss_customer_part(loss), restored = amount, vat, net;
    enum pm_err rc = PM_OK;
    int i;

    if (loss->gross_minor <= 0 || customer <= 0 || amount <= 0 || amount > customer)
        return PM_ERR_RANGE;
    if (loss->tax_reduction_minor > 0) {
        rc = money_mul_div(amount, loss->gross_minor, customer, &restored);
        if (!rc)
            rc = restored > amount
                     ? voucher_debit(out, ACC_RECEIVABLES_TAX_REDUCTION, restored - amount)
                     : PM_OK;
    }
    net = restored;
    for (i = 0; !rc && i < VAT_RATES; i++) {
        if (!loss->vat_by_rate[i])
            continue;
        rc = money_mul_div(restored, loss->vat_by_rate[i], loss->gross_minor, &vat);
        if (!rc)
            rc = voucher_credit(out, vat_rates[i].output_vat_account, vat);
        net -= vat;
    }
    if (!rc)
        rc = voucher_credit(out, ACC_CONFIRMED_LOSS, net);
    return rc;
}

enum pm_err voucher_recovery(const struct voucher_invoice *inv, const struct voucher_loss *loss,
                             int64_t amount_minor, int32_t date, struct voucher *out)
{
    char text[VOUCHER_TEXT_MAX];
    enum pm_err rc;

    snprintf(text, sizeof(text), "Återvunnen kundförlust faktura %lld", (long long)inv->number);
    voucher_init(out, date, "recovery", text);
    rc = voucher_debit(out, ACC_RECEIVABLES, amount_minor);
    if (!rc)
        rc = recovery_rows(loss, amount_minor, out);
    return finish(out, rc);
}

enum pm_err voucher_payout_category_parse(const char *s, enum payout_category *out)
{
    if (!s)
        return PM_ERR_INVALID;
    if (!strcmp(s, "capital"))
        *out = PAYOUT_CAPITAL;
    else if (!strcmp(s, "interest"))
        *out = PAYOUT_INTEREST;
    else if (!strcmp(s, "creditor_outlay"))
        *out = PAYOUT_OUTLAY;
    else if (!strcmp(s, "creditor_commission"))
        *out = PAYOUT_COMMISSION;
    else
        return PM_ERR_INVALID;
    return PM_OK;
}

enum pm_err voucher_agency_payout(const struct payout_line *lines, size_t n, const char *payout_id,
                                  int32_t date, struct voucher *out)
{
    char text[VOUCHER_TEXT_MAX];
    int64_t bank = 0;
    enum pm_err rc = PM_OK;
    size_t i;

    snprintf(text, sizeof(text), "Utbetalning Visma Amili %s", payout_id ? payout_id : "");
    voucher_init(out, date, "agency_payout", text);
    for (i = 0; !rc && i < n; i++) {
        const struct payout_line *l = &lines[i];

        rc = money_add(bank, l->amount_minor, &bank);
        if (!rc)
            rc = money_add(bank, l->vat_minor, &bank);
        if (rc)
            break;
        switch (l->category) {
        case PAYOUT_CAPITAL:
            if (l->amount_minor < 0)
                rc = PM_ERR_RANGE;
            else if (l->loss && l->loss->gross_minor > 0)
                rc = recovery_rows(l->loss, l->amount_minor, out);
            else
                rc = voucher_credit(out, ACC_RECEIVABLES, l->amount_minor);
            break;
        case PAYOUT_INTEREST:
            rc = voucher_credit(out, ACC_INTEREST_INCOME, l->amount_minor);
            break;
        case PAYOUT_OUTLAY:
            rc = voucher_credit(out, ACC_REMINDER_FEES, l->amount_minor);
            break;
        case PAYOUT_COMMISSION:
            if (l->amount_minor > 0 || l->vat_minor > 0)
                rc = PM_ERR_RANGE;
            if (!rc)
                rc = voucher_debit(out, ACC_COLLECTION_FEES, -l->amount_minor);
            if (!rc)
                rc = voucher_debit(out, ACC_INPUT_VAT, -l->vat_minor);
            break;
        }
        if (!rc && l->category != PAYOUT_COMMISSION && l->vat_minor)
            rc = PM_ERR_INVALID;
    }
    /* A part of a payout (one invoice's lines) may net to nothing or less:
     * the agency kept its commission from other money of the payout. */
    if (!rc)
        rc = voucher_debit(out, ACC_BANK, bank);
    return finish(out, rc);
}
