/* alert_channel.c - one place that knows how each channel of a subscription
 * is served (see alert.h): what its delivery carries (planwatch's JSON, an
 * Alertmanager or chat body, or the whole email) and how it goes out (an
 * HTTP POST, or SMTP through --smtp-url). Both the outbox and the start-up
 * resumption of pending deliveries go through here. */
#include <stdio.h>
#include <string.h>

#include "alert.h"
#include "alert_mail.h"
#include "err.h"
#include "log.h"
#include "zsock.h"

static int chan_is_mail(const Planwatch__V1__Subscription *sub)
{
    return sub && sub->format && !strcmp(sub->format, ALERT_FORMAT_EMAIL);
}

int alert_channel_body(struct alert_svc *a, const Planwatch__V1__Subscription *sub,
                       const Planwatch__V1__Alert *al, const struct pw_indicator *ind, char **out,
                       size_t *len)
{
    a->fmt.reg = pw_sec_registry(a->sec); /* the current one (a reload replaces it) */
    if (!chan_is_mail(sub))
        return alert_format_body(sub, al, ind, &a->fmt, out, len);
    const Planwatch__V1__Ack *ack = alert_notify_ack_of(a->notify, al->alert_id);
    struct alert_mail_in in = {a->wh_cfg.mail_from, sub->email, sub->id,
                               ack ? ack->reason : NULL, ack ? ack->by : NULL, pw_now_ns()};
    return alert_mail_build(al, ind, &a->fmt, &in, out, len);
}

int alert_channel_add(struct alert_svc *a, const Planwatch__V1__Subscription *sub,
                      uint64_t alert_seq, uint64_t sub_id, const char *alert_id,
                      const char *event, const char *body, size_t len, uint32_t attempts)
{
    if (!chan_is_mail(sub))
        return alert_webhook_add(a->wh, alert_seq, sub_id, alert_id, sub ? sub->url : "",
                                 sub ? sub->secret : NULL, event, body, len, attempts);
    int rc = alert_webhook_add_mail(a->wh, alert_seq, sub_id, alert_id, sub->email, event, body,
                                    len, attempts);
    if (rc == PW_EINVAL && !a->mail_warned++) /* recorded pending: sent once configured */
        pw_warn("msg=\"email subscriptions wait: no --smtp-url\" subscription=%llu",
                (unsigned long long)sub_id);
    return rc == PW_EINVAL ? 0 : rc;
}
