/* alert_webhook.h - webhook delivery: HTTP POSTs with libcurl's multi
 * interface, driven from the alert service's single zmq_poll loop (curl's
 * sockets become zmq_pollitem_t .fd entries; curl's timer and the retry
 * schedule become the poll timeout). No threads.
 *
 * A delivery is one alert transition for one subscription. Deliveries to
 * one subscription go one at a time in alert seq order (a subscriber never
 * hears "resolved" before "opened"); different subscriptions proceed in
 * parallel. An attempt succeeds on HTTP 2xx; HTTP 408, 429, 5xx and transport
 * failures (refused, timeout) are retried after backoff_ms x 2^(attempt-1),
 * capped at backoff_max_ms, up to max_attempts attempts; any other answer is
 * a permanent failure. Every attempt yields an outcome (the delivery log
 * entry and the delivery's new state) that the caller records in the store.
 *
 * Headers: Content-Type: application/json; X-Planwatch-Delivery:
 * <alert seq>.<subscription id> (stable across retries and restarts, for
 * receivers to deduplicate); X-Planwatch-Event: <kind>.<event>; the
 * Standard Webhooks headers webhook-id (the same <alert seq>.<subscription
 * id>) and webhook-timestamp (Unix seconds of the attempt); with a secret
 * webhook-signature: v1,<base64 HMAC-SHA256(key, id "." timestamp "." body)>,
 * made afresh for every attempt, and (kept for one release) the replayable
 * X-Planwatch-Signature: sha256=<hex HMAC-SHA256(secret, body)> (libsodium).
 * The secret is kept with its delivery (every attempt signs anew) and zeroed
 * when the delivery ends. Not thread-safe. Owns its copies of everything it
 * is given. */
#ifndef ALERT_WEBHOOK_H
#define ALERT_WEBHOOK_H

#include <stddef.h>
#include <stdint.h>
#include <zmq.h>

/* Connections open at once (CURLMOPT_MAX_TOTAL_CONNECTIONS): the caller's
 * poll array needs room for this many sockets. */
#define ALERT_WEBHOOK_SOCKETS 48

/* A secret's bytes used as the HMAC key (longer ones are cut: the store
 * refuses secrets over 256 bytes anyway). */
#define ALERT_WEBHOOK_SECRET_MAX 256
/* "v1," + base64 of 32 bytes + NUL */
#define ALERT_WEBHOOK_SIG_STD_LEN 48
/* The receiver's tolerance the README documents: a timestamp further than
 * this from its clock is refused (a replay). */
#define ALERT_WEBHOOK_TOLERANCE_S 300

struct alert_webhook_cfg {
    long timeout_ms;      /* whole request, connect included */
    long max_attempts;    /* >= 1 */
    long backoff_ms;      /* first retry delay */
    long backoff_max_ms;  /* cap of the doubling delay */
    /* email (alert_webhook_add_mail); borrowed for the webhook's life */
    const char *smtp_url;      /* smtp://host:port or smtps://host:port; NULL / "": no email */
    const char *mail_from;     /* envelope sender */
    const char *smtp_user;     /* AUTH; NULL / "": none */
    const char *smtp_password;
    int smtp_starttls;         /* smtp://: 1 requires STARTTLS, 0 sends in the clear */
};

/* One finished attempt (or a delivery dropped without one: attempt 0). */
struct alert_webhook_outcome {
    uint64_t alert_seq, sub_id;
    char *alert_id, *url, *body, *event; /* owned by the webhook until outcomes_clear */
    size_t body_len;
    uint32_t attempt;            /* 1-based; 0: dropped without an attempt */
    int64_t time_ns;             /* when the attempt started (Unix ns) */
    int http;                    /* HTTP status, 0: no answer */
    char error[256];             /* "" on success */
    uint32_t duration_ms;
    int ok;
    int state;                   /* Planwatch__V1__DeliveryState after this attempt */
    int smtp;                    /* an email: http is the SMTP reply code */
    int64_t next_ns;             /* pending: when the next attempt is due (Unix ns) */
};

struct alert_webhook;

/* Initialises libcurl (curl_global_init) and a multi handle. Returns 0 and
 * *out, PW_EINVAL (bad cfg) or PW_ENOMEM. */
int alert_webhook_open(struct alert_webhook **out, const struct alert_webhook_cfg *cfg);
/* Aborts transfers in flight (their deliveries stay pending in the store)
 * and frees everything; accepts NULL; nulls *w. */
void alert_webhook_close(struct alert_webhook **w);

/* Queues a delivery (everything copied). attempts: attempts already made
 * (a delivery resumed after a restart). secret NULL or "": unsigned.
 * alert_seq 0: a refresh (Alertmanager's open alerts re-posted): one
 * attempt, in order with the subscription's deliveries, no outcome.
 * Returns 0 or PW_ENOMEM. */
int alert_webhook_add(struct alert_webhook *w, uint64_t alert_seq, uint64_t sub_id,
                      const char *alert_id, const char *url, const char *secret,
                      const char *event, const char *body, size_t len, uint32_t attempts);

/* Drops every queued delivery whose subscription keep() rejects (e.g.
 * unsubscribed), each with a FAILED outcome; transfers in flight are aborted. */
void alert_webhook_prune(struct alert_webhook *w, int (*keep)(void *arg, uint64_t sub_id),
                         void *arg);

/* Queues an email delivery: the message (RFC 5322, CRLF lines: what DATA
 * sends) to rcpt through cfg.smtp_url, in order with the subscription's
 * other deliveries. It succeeds when the server accepts it (SMTP 250); a
 * 4xx answer or a transport failure is retried like an HTTP 5xx, a 5xx
 * answer is permanent. Outcomes carry the SMTP code in http, smtp set and
 * url "mailto:<rcpt>". Returns 0, PW_EINVAL (no SMTP server configured) or
 * PW_ENOMEM. */
int alert_webhook_add_mail(struct alert_webhook *w, uint64_t alert_seq, uint64_t sub_id,
                           const char *alert_id, const char *rcpt, const char *event,
                           const char *msg, size_t len, uint32_t attempts);

/* Makes the delivery queued last a grouped message that also carries the
 * deliveries seqs[0..n) (their alert ids ids[0..n)): every attempt yields
 * an outcome for each of them too, the same result. Returns 0, PW_EINVAL
 * (nothing queued) or PW_ENOMEM. */
int alert_webhook_group(struct alert_webhook *w, const uint64_t *seqs, const char *const *ids,
                        size_t n);

/* Drops every queued delivery of subscription sub_id without an outcome
 * (they stay pending in the store: a failed subscription's); transfers in
 * flight are aborted. */
void alert_webhook_drop(struct alert_webhook *w, uint64_t sub_id);

/* Writes curl's sockets into items[0..max) (socket NULL, .fd set) and
 * returns how many. */
size_t alert_webhook_pollitems(struct alert_webhook *w, zmq_pollitem_t *items, size_t max);

/* Milliseconds until the webhook needs run() again without socket activity
 * (a due retry, curl's timer); -1: nothing scheduled. */
long alert_webhook_timeout(struct alert_webhook *w, int64_t now_ms);

/* Drives the transfers after zmq_poll: items[0..n) are those pollitems()
 * filled, with revents. Starts the deliveries that are due, collects the
 * finished ones into the outcomes. */
void alert_webhook_run(struct alert_webhook *w, const zmq_pollitem_t *items, size_t n,
                       int64_t now_ms);

/* The outcomes not yet cleared, oldest first (borrowed until outcomes_clear). */
const struct alert_webhook_outcome *alert_webhook_outcomes(const struct alert_webhook *w,
                                                           size_t *n);
void alert_webhook_outcomes_clear(struct alert_webhook *w);

/* Deliveries queued (in flight or waiting). */
size_t alert_webhook_queued(const struct alert_webhook *w);

/* The delay before the attempt after `attempts` failed ones, in ms:
 * backoff_ms doubled per earlier attempt, capped at backoff_max_ms. */
int64_t alert_webhook_backoff(const struct alert_webhook *w, uint32_t attempts);

/* sha256=<64 hex digits> of HMAC-SHA256(secret, body) into buf (>= 72 bytes).
 * Needs sodium_init() first (pw_service_start does it). */
void alert_webhook_sign(const char *secret, const char *body, size_t len, char *buf);

/* The Standard Webhooks signature "v1,<base64>" of id, ts (Unix seconds)
 * and body into buf (>= ALERT_WEBHOOK_SIG_STD_LEN bytes). The key: a secret
 * "whsec_<base64>" is the decoded bytes, any other secret its own bytes.
 * Returns 0 or PW_EINVAL. Needs sodium_init(). */
int alert_webhook_sign_std(const char *secret, const char *id, int64_t ts, const char *body,
                           size_t len, char *buf, size_t n);

/* A receiver's check (what the README tells receivers to do): 0 when one of
 * the space-delimited entries of sigs is the signature of id, ts and body
 * and ts is within tolerance_s of now_s; PW_EDENIED when no entry matches
 * (forged or altered); PW_ERANGE when authentic but too old or too new (a
 * replay); PW_EINVAL when a header is missing or malformed. Constant-time
 * comparison. */
int alert_webhook_verify_std(const char *secret, const char *id, const char *ts, const char *sigs,
                             const char *body, size_t len, int64_t now_s, int64_t tolerance_s);

#endif
