/*
 * payouts.c — money back to the creditor (GET /finance--payouts and
 * /finance--payout-specifications serve what this file creates).
 *
 * POST /_sandbox/payouts {"creditor": id} [ours] pays out every debtor
 * payment the agency received for that creditor since its last payout:
 * one payout and one specification line per booking, in the categories of
 * amili-api.md — capital (article capital), interest (interest), creditor
 * outlays the creditor had claimed or is owed (reminder, late_payment_fee,
 * ...) and the agency's commission on collected capital (10 % plus 25 %
 * VAT, negative, article reminder or debt_collection after the state the
 * case was in).  The reminder, collection and instalment fees are the
 * agency's and are not paid out.
 */
#include "sandbox.h"

#include <string.h>

#include "core/money.h"

#define COMMISSION_BP 1000 /* 10 % of collected capital [ours] */
#define VAT_BP        2500 /* 25 % VAT on the commission */

struct totals {
    int64_t capital, interest, outlay, commission, commission_vat, total;
};

static enum pm_err add_line(struct sb_ctx *ctx, const struct sb_doc *payout, const json_t *c,
                            const struct sb_ledger *l, const char *category, const char *article,
                            int64_t amount, int64_t vat, json_t *lines)
{
    struct sb_doc d = {0};
    json_t *debt = json_object_get(c, "debt");
    char booking[SB_RFC1123_LEN];
    enum pm_err rc;

    sb_fmt_day_rfc1123(l->day, booking);
    sb_fmt_new_id(d.id);
    snprintf(d.kind, sizeof(d.kind), "payout_specification");
    snprintf(d.partner, sizeof(d.partner), "%s", payout->partner);
    d.body = json_pack(
        "{s:s, s:o, s:o, s:o, s:s, s:s, s:s, s:s?, s:s?, s:O, s:s, s:s}", "payout", payout->id,
        "amount", sb_fmt_money(amount), "vat_amount", sb_fmt_money(vat), "total_amount",
        sb_fmt_money(amount + vat), "article", article, "finance_category", category,
        "booking_date", booking, "invoice_number", sb_fmt_str(debt, "invoice_number"),
        "payout_reference", sb_fmt_str(debt, "payout_reference"), "payout_date",
        json_object_get(payout->body, "payout_date"), "case", l->case_id, "currency", "SEK");
    if (!d.body)
        return PM_ERR_NOMEM;
    rc = sb_store_doc_put(ctx, &d);
    if (!rc)
        json_array_append_new(lines, sb_list_render(ctx, &d));
    sb_doc_release(&d);
    return rc;
}

static enum pm_err lines_of(struct sb_ctx *ctx, const struct sb_doc *payout,
                            const struct sb_ledger *l, json_t *lines, struct totals *t)
{
    struct sb_doc c = {0};
    int64_t commission = 0, vat = 0;
    enum pm_err rc = sb_store_doc_get(ctx, "case", NULL, l->case_id, &c);

    if (rc)
        return rc;
    if (l->capital > 0) {
        rc = add_line(ctx, payout, c.body, l, "capital", "capital", l->capital, 0, lines);
        t->capital += l->capital;
    }
    if (!rc && l->interest > 0) {
        rc = add_line(ctx, payout, c.body, l, "interest", "interest", l->interest, 0, lines);
        t->interest += l->interest;
    }
    if (!rc && l->outlay > 0) {
        rc = add_line(ctx, payout, c.body, l, "creditor_outlay", l->article, l->outlay, 0, lines);
        t->outlay += l->outlay;
    }
    if (!rc && l->capital > 0) {
        rc = money_percent_bp(-l->capital, COMMISSION_BP, &commission);
        if (!rc)
            rc = money_percent_bp(commission, VAT_BP, &vat);
        if (!rc)
            rc = add_line(ctx, payout, c.body, l, "creditor_commission", l->article, commission,
                          vat, lines);
        t->commission += commission;
        t->commission_vat += vat;
    }
    sb_doc_release(&c);
    return rc;
}

enum pm_err sb_payouts_create(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp)
{
    json_t *body = NULL, *lines = json_array(), *answer;
    struct sb_doc cred = {0}, payout = {0};
    struct sb_ledger *rows = NULL;
    struct totals t = {0};
    size_t n = 0;
    char today[SB_RFC1123_LEN];
    const char *creditor, *bankgiro;
    enum pm_err rc = sb_req_json(req, resp, &body);

    if (rc)
        goto out;
    creditor = sb_fmt_str(body, "creditor");
    if (!sb_fmt_is_id(creditor) || sb_store_doc_get(ctx, "creditor", NULL, creditor, &cred)) {
        rc = sb_resp_error(resp, 404, "no such creditor");
        goto out;
    }
    rc = sb_store_ledger_unpaid(ctx, creditor, &rows, &n);
    if (rc)
        goto out;
    if (n == 0) {
        rc = sb_resp_error(resp, 422, "no debtor payments since the last payout");
        goto out;
    }
    sb_fmt_day_rfc1123(sb_control_today(ctx), today);
    sb_fmt_new_id(payout.id);
    snprintf(payout.kind, sizeof(payout.kind), "payout");
    snprintf(payout.partner, sizeof(payout.partner), "%s", cred.partner);
    payout.body =
        json_pack("{s:s, s:s, s:s}", "creditor", creditor, "payout_date", today, "currency", "SEK");
    for (size_t i = 0; i < n && !rc; i++) {
        rc = lines_of(ctx, &payout, &rows[i], lines, &t);
        if (!rc)
            rc = sb_store_ledger_mark(ctx, rows[i].id, payout.id);
    }
    if (rc)
        goto out;
    t.total = t.capital + t.interest + t.outlay + t.commission + t.commission_vat;
    json_object_set_new(payout.body, "amount", sb_fmt_money(t.total));
    json_object_set_new(payout.body, "summary",
                        json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:I}", "capital_amount",
                                  sb_fmt_money(t.capital), "interest_amount",
                                  sb_fmt_money(t.interest), "outlay_amount", sb_fmt_money(t.outlay),
                                  "commission_amount", sb_fmt_money(t.commission),
                                  "commission_vat_amount", sb_fmt_money(t.commission_vat),
                                  "total_amount", sb_fmt_money(t.total), "specification_count",
                                  (json_int_t)json_array_size(lines)));
    bankgiro = sb_fmt_str(json_object_get(json_object_get(cred.body, "payout_details"), "sek"),
                          "bankgiro");
    json_object_set_new(payout.body, "bankgiro", bankgiro ? json_string(bankgiro) : json_null());
    rc = sb_store_doc_put(ctx, &payout);
    if (rc)
        goto out;
    answer = sb_list_created(&payout);
    json_object_set(answer, "payout", json_object_get(payout.body, "summary"));
    json_object_set(answer, "amount", json_object_get(payout.body, "amount"));
    json_object_set(answer, "_specifications", lines);
    rc = sb_resp_json(resp, 201, answer);
out:
    free(rows);
    sb_doc_release(&cred);
    sb_doc_release(&payout);
    json_decref(lines);
    json_decref(body);
    return rc;
}
