/* alert_format.h - what a subscription in another format receives: the
 * body of an Alertmanager API v2 POST (/api/v2/alerts: labels, annotations,
 * startsAt / endsAt) and of a chat incoming webhook (Slack, Mattermost:
 * text plus blocks), and the one-line Japanese headline those and the email
 * use. planwatch's own JSON stays alert_notify_body. Pure: no sockets, no
 * clock; the strings given are borrowed for the call. Not thread-safe only
 * in the sense that jansson's are not; no state of its own.
 *
 * Alertmanager identifies an alert by its label set, so the labels of an
 * alert id stay the same from opening to resolution: severity is the one it
 * had while open (a resolution carries the severity before it), and an
 * update that changes the severity ends the alert under its old labels and
 * starts it under the new ones in the same POST. */
#ifndef ALERT_FORMAT_H
#define ALERT_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "planwatch.pb-c.h"
#include "registry.h"

/* Subscription formats (Subscription.format). */
#define ALERT_FORMAT_JSON "json"
#define ALERT_FORMAT_ALERTMANAGER "alertmanager"
#define ALERT_FORMAT_SLACK "slack"
#define ALERT_FORMAT_EMAIL "email"

/* Where the bodies link to and who answers for an indicator. */
struct alert_format_ctx {
    const char *public_url;          /* the web door's public URL ("" or NULL: no links) */
    const struct pw_registry *reg;   /* the office label's source (NULL: "") */
    int reminder;                    /* a group body is a reminder of open alerts: the headline
                                        says 未対応, the JSON carries "reminder": true */
    int digest;                      /* ... a scheduled digest: まとめ, "digest": true, and */
    const Planwatch__V1__Alert *const *changes; /* the transitions of its period, oldest first */
    size_t nchanges;
};

/* Parses a digest schedule "mon 09:00" (mon..sun, or daily) into *wday
 * (0 Sunday .. 6, -1 daily) and *minute of the day (JST). Returns 0 or
 * PW_EINVAL. */
int alert_format_digest_parse(const char *s, int *wday, int *minute);

/* The first instant after now_ns (Unix ns) at which the schedule falls, in
 * Japan's time (UTC+9, no daylight saving). */
int64_t alert_format_digest_next(int wday, int minute, int64_t now_ns);

/* Whether s names a format ("" = json). */
int alert_format_known(const char *s);

/* The headline "遅れ 論文数（Top1%論文） 令和7年度末 86/120" of al (what is wrong,
 * the indicator, the checkpoint, actual/expected when known) into buf (n
 * bytes; 512 is always enough). ind may be NULL (the alert's name is used).
 * Returns buf. */
char *alert_format_title_ja(const Planwatch__V1__Alert *al, const struct pw_indicator *ind,
                            char *buf, size_t n);

/* The link to the indicator's page: PUBLIC_URL/indicator/ID into buf, or ""
 * without a public URL. Returns buf. */
char *alert_format_link(const struct alert_format_ctx *ctx, const char *indicator_id, char *buf,
                        size_t n);

/* The office that reports ind: the first office of the registry that may
 * write it, "" when none or no registry (static or borrowed, never NULL). */
const char *alert_format_office(const struct alert_format_ctx *ctx,
                                const struct pw_indicator *ind);

/* An Alertmanager body for als[0..n) (inds[i] may be NULL), compact JSON in
 * a malloc'd *out of *len bytes (caller frees). refresh: the alerts are
 * open and re-posted (no endsAt, current labels). Returns 0 or PW_ENOMEM. */
int alert_format_alertmanager(const Planwatch__V1__Alert *const *als,
                              const struct pw_indicator *const *inds, size_t n, int refresh,
                              const struct alert_format_ctx *ctx, char **out, size_t *len);

/* A chat incoming-webhook body (Slack's text + blocks; Mattermost and the
 * like read text) for al, in a malloc'd *out of *len bytes. Returns 0 or
 * PW_ENOMEM. */
int alert_format_slack(const Planwatch__V1__Alert *al, const struct pw_indicator *ind,
                       const struct alert_format_ctx *ctx, char **out, size_t *len);

/* The body subscription sub receives for al, by its format: planwatch's
 * JSON (alert_notify_body), Alertmanager or Slack. Email is not a body of
 * this kind (alert_mail). Returns 0, PW_EINVAL (unknown format) or PW_ENOMEM. */
int alert_format_body(const Planwatch__V1__Subscription *sub, const Planwatch__V1__Alert *al,
                      const struct pw_indicator *ind, const struct alert_format_ctx *ctx,
                      char **out, size_t *len);

/* "【planwatch】110件: 未報告 108件、遅れ 2件" — a group's headline (what
 * is wrong, counted; "【planwatch】未対応 3件: …" for a reminder) into buf
 * (512 is always enough). ctx may be NULL. Returns buf. */
char *alert_format_group_title(const Planwatch__V1__Alert *const *als, size_t n,
                               const struct alert_format_ctx *ctx, char *buf, size_t n_buf);

/* One message for the transitions als[0..n) that arrived together for sub
 * (inds[i] may be NULL), listed by plan / project in the order given (the
 * caller sorts): planwatch's JSON {"version":1, "grouped":true, "count",
 * "projects":[{"plan","project","alerts":[bodies]}]}, one Alertmanager
 * array, or one chat message. Email groups are alert_mail_build_group.
 * Returns 0, PW_EINVAL (email or unknown format) or PW_ENOMEM. */
int alert_format_group(const Planwatch__V1__Subscription *sub,
                       const Planwatch__V1__Alert *const *als,
                       const struct pw_indicator *const *inds, size_t n,
                       const struct alert_format_ctx *ctx, char **out, size_t *len);

#endif
