/*
 * webhook.c — webhook event types and the history events they come from
 * (see webhook.h).
 */
#include "core/webhook.h"

#include <string.h>

const char *const webhook_types[] = {
    "invoice.overdue",  "reminder.sent",   "invoice.handed_over", "case.state_changed",
    "payment.received", "payout.received", "customer.loss",       NULL,
};

static const struct {
    const char *kind, *type;
} of_history[] = {
    {"overdue", "invoice.overdue"},
    {"reminder", "reminder.sent"},
    {"amili_registered", "invoice.handed_over"},
    {"amili_state", "case.state_changed"},
    {"amili_status", "case.state_changed"},
    {"amili_closed", "case.state_changed"},
    {"payment", "payment.received"},
    {"amili_payment", "payment.received"},
    {"amili_payout", "payout.received"},
    {"customer_loss", "customer.loss"},
};

const char *webhook_type_of_history(const char *kind)
{
    size_t i;

    for (i = 0; kind && i < sizeof(of_history) / sizeof(of_history[0]); i++)
        if (!strcmp(of_history[i].kind, kind))
            return of_history[i].type;
    return NULL;
}

bool webhook_type_known(const char *name)
{
    size_t i;

    for (i = 0; webhook_types[i]; i++)
        if (!strcmp(webhook_types[i], name))
            return true;
    return false;
}

bool webhook_types_include(const char *types, const char *type)
{
    size_t len = strlen(type);
    const char *p = types;

    while (p && *p) {
        size_t word;

        p += strspn(p, " ");
        word = strcspn(p, " ");
        if (word == len && !strncmp(p, type, len))
            return true;
        p += word;
    }
    return false;
}

/* After "http://": the host is 127.0.0.1 or localhost, then ':', '/' or
 * the end. */
static bool loopback_host(const char *rest)
{
    static const char *const hosts[] = {"127.0.0.1", "localhost"};
    size_t i, n;

    for (i = 0; i < 2; i++) {
        n = strlen(hosts[i]);
        if (!strncmp(rest, hosts[i], n) && (rest[n] == '\0' || rest[n] == ':' || rest[n] == '/'))
            return true;
    }
    return false;
}

const char *webhook_url_problem(const char *url, bool allow_loopback_http)
{
    const char *host;
    size_t i;

    for (i = 0; url[i]; i++)
        if ((unsigned char)url[i] <= ' ' || (unsigned char)url[i] >= 0x7f)
            return "must not contain spaces or control characters";
    if (!strncmp(url, "https://", 8))
        host = url + 8;
    else if (!strncmp(url, "http://", 7) && allow_loopback_http && loopback_host(url + 7))
        host = url + 7;
    else
        return "must be an https:// address";
    if (!*host || *host == '/' || *host == ':' || strchr(host, '@'))
        return "must name a host";
    return NULL;
}
