/* alert_notify.h - who hears of an alert transition: the subscriptions,
 * acknowledgements and silences the store holds (QUERY_ADMIN_GET), the
 * rules that quiet a transition, the webhook deliveries it owes, and the
 * JSON body those deliveries POST. Pure: no sockets, no clock of its own
 * ("today" and "now" are parameters). Not thread-safe.
 *
 * Quiet rules. A transition is silenced when an active silence (today
 * before its `until`) matches its plan / project / indicator (every field
 * the silence sets). It is acknowledged when an acknowledgement of its alert
 * id was given after the latest figures of its indicator arrived (the ack's
 * figures_seq >= the indicator's latest update seq); an acknowledged UPDATED
 * transition is quiet, an acknowledged RESOLVED one is still delivered
 * (people want to know it closed). Quiet transitions are recorded and
 * published on the alert stream (flags set) but owe no webhook.
 *
 * Matching. A subscription receives a transition that passes its plan /
 * project / indicator filters ("" = any) and whose severity, or severity
 * before the transition, is at least its min_severity (so a subscriber of
 * CRITICAL alerts hears when they resolve). */
#ifndef ALERT_NOTIFY_H
#define ALERT_NOTIFY_H

#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "planwatch.pb-c.h"

struct alert_notify;

/* Returns 0 and *out (no subscriptions, acks or silences; admin seq 0) or PW_ENOMEM. */
int alert_notify_open(struct alert_notify **out);
void alert_notify_close(struct alert_notify **n);

/* Takes ownership of r (a QUERY_ADMIN_GET reply, unpacked with the default
 * allocator) and replaces the previous one. */
void alert_notify_load(struct alert_notify *n, Planwatch__V1__QueryReply *r);
uint64_t alert_notify_admin_seq(const struct alert_notify *n);

/* The subscription with that id (borrowed until the next load), or NULL. */
const Planwatch__V1__Subscription *alert_notify_sub(const struct alert_notify *n, uint64_t id);

/* Sets al->acknowledged and al->silenced. figures_seq: the store seq of the
 * indicator's latest update; today: the alert service's day. Returns 1 when
 * the transition is quiet (owes no webhook). */
int alert_notify_mute(const struct alert_notify *n, Planwatch__V1__Alert *al, uint64_t figures_seq,
                      int32_t today);

/* Whether subscription s receives al. */
int alert_notify_match(const Planwatch__V1__Subscription *s, const Planwatch__V1__Alert *al);

/* The webhook body for al sent to subscription sub_id: compact JSON, in a
 * malloc'd string *out of *len bytes (caller frees). ind gives the unit
 * (may be NULL). Returns 0 or PW_ENOMEM. Format: README "Webhook payload". */
int alert_notify_body(const Planwatch__V1__Alert *al, const struct pw_indicator *ind,
                      uint64_t sub_id, char **out, size_t *len);

/* The latest acknowledgement of alert_id (its reason is the 要因分析), or
 * NULL; borrowed until the next load. */
const Planwatch__V1__Ack *alert_notify_ack_of(const struct alert_notify *n, const char *alert_id);

/* Number of subscriptions and the i-th (borrowed until the next load). */
size_t alert_notify_nsubs(const struct alert_notify *n);
const Planwatch__V1__Subscription *alert_notify_sub_at(const struct alert_notify *n, size_t i);

#endif
