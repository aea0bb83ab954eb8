/* msg.h - conversions between the domain types (feed rows, observations,
 * evaluations) and their protobuf messages, so that every door (CLI, ingest,
 * store, alert) moves the same fields the same way. Setters borrow strings
 * from their inputs: the message is valid while the inputs are. */
#ifndef PW_MSG_H
#define PW_MSG_H

#include "catalog.h"
#include "diag.h"
#include "eval.h"
#include "feed.h"
#include "planwatch.pb-c.h"

/* Fills u from row r (borrowed strings; as_of is written into as_of_buf,
 * 11 bytes). */
void pw_msg_update_from_row(Planwatch__V1__IndicatorUpdate *u, const struct pw_feed_row *r,
                            char *as_of_buf);

/* Limits of a request's own fields (README "Limits"): rows in one FeedBatch
 * (`planwatch feed` sends at most this many), and the bytes of its
 * batch_id, source and office, and of a Query's texts. */
#define PW_BATCH_MAX_ROWS 10000
#define PW_BATCH_ID_MAX 128
#define PW_SOURCE_MAX 1024
#define PW_OFFICE_MAX 64
#define PW_QUERY_TEXT_MAX 128

/* Checks a FeedBatch's own fields before any row is read: at most
 * PW_BATCH_MAX_ROWS rows (PW_EFEED_TOOMANY), batch_id, source and office
 * within their limits (PW_EFEED_TOOLONG). Returns 0 or the code with d
 * filled (field and reason). */
int pw_msg_check_batch(const Planwatch__V1__FeedBatch *b, struct pw_diag *d);

/* An id a request sent (batch_id, request_id), fit to echo in an error
 * reply whatever it holds: at most PW_BATCH_ID_MAX bytes of it, cut before
 * a character and then "…", escaped as pw_text_escape does (text.h: control
 * characters, bidi controls and bytes that are not UTF-8 as \xHH or
 * \uHHHH, Japanese kept). Writes into buf (n bytes; PW_MSG_ECHO_BUF always
 * suffices: at most 4 bytes an input byte, then "…") and returns buf (""
 * for NULL). */
#define PW_MSG_ECHO_BUF (4 * PW_BATCH_ID_MAX + 8)
char *pw_msg_echo(const char *s, char *buf, size_t n);

/* A subscription's destination as shown to someone who may read but not
 * manage: a webhook URL can be its own credential (a Slack incoming-webhook
 * URL posts to the channel), and an address is personal. The URL keeps its
 * scheme, host and port ("https://hooks.slack.com/…"; a user and password
 * in it are dropped), the address its first
 * character and domain ("j…@example.jp"); "" stays "". Writes into buf (n
 * bytes, cut to fit) and returns buf. */
char *pw_msg_redact_url(const char *url, char *buf, size_t n);
char *pw_msg_redact_email(const char *email, char *buf, size_t n);

/* Loads the catalog a QUERY_CATALOG reply carries (every file of it).
 * Returns 0, PW_ENOTFOUND (no file in the reply), PW_ENOMEM or the
 * catalog's error, with d filled. */
int pw_msg_catalog_load(const Planwatch__V1__QueryReply *r, struct pw_catalog **out,
                        struct pw_diag *d);

/* Checks a Query's texts (indicator_id, as_of, plan, project, request_id)
 * against PW_QUERY_TEXT_MAX. Returns 0 or PW_ETOOBIG with d filled. */
int pw_msg_check_query(const Planwatch__V1__Query *q, struct pw_diag *d);

/* Converts a received update into a feed row for validation: checks the
 * fields the wire cannot type (id lengths and characters, as_of date, note
 * length, basis range). An empty update_id is left empty (ingest derives
 * it). Returns 0 or the PW_EFEED_* code with d filled (file, row, field,
 * reason). note stays borrowed from u. */
int pw_msg_row_from_update(struct pw_feed_row *r, const Planwatch__V1__IndicatorUpdate *u,
                           const char *file, struct pw_diag *d);

/* The observation a stored update contributes to ind's history. */
void pw_msg_obs_from_update(struct pw_obs *o, const Planwatch__V1__IndicatorUpdate *u,
                            const struct pw_indicator *ind);

/* Buffers a StatusRow borrows from. */
struct pw_msg_row_buf {
    char as_of[11];
    char grade[2];
    char due[11], next_due[11];
    char assessed[2];
};

/* Fills row from an evaluation (strings borrowed from ind, e and buf). */
void pw_msg_status_row(Planwatch__V1__StatusRow *row, const struct pw_indicator *ind,
                       const struct pw_eval *e, struct pw_msg_row_buf *buf);

/* Adds a's assessment to row when it applies to e, the row's evaluation
 * (pw_assessment_applies; else leaves the assessment fields empty). Strings
 * borrowed from a and buf. */
void pw_msg_status_row_assessed(Planwatch__V1__StatusRow *row, const struct pw_eval *e,
                                const struct pw_assessment *a, struct pw_msg_row_buf *buf);

/* The assessment a StatusRow carries into *a (copied, cut to fit; a->fy = 0
 * when none). */
void pw_msg_assessment_from_row(struct pw_assessment *a, const Planwatch__V1__StatusRow *row);

/* The assessment record m into *a (copied, cut to fit); a withdrawn record
 * or a grade other than A/B gives a->fy = 0. */
void pw_msg_assessment_from(struct pw_assessment *a, const Planwatch__V1__Assessment *m);

/* Rebuilds an evaluation from a StatusRow (the explanation is copied).
 * Returns 0 or PW_EWIRE if the row's date or status is not valid. */
int pw_msg_eval_from_row(struct pw_eval *e, const Planwatch__V1__StatusRow *row);

/* Rebuilds the rows of a store's status answer (in[0..n), assessments
 * included) with cat, the
 * catalog the store runs with, in catalog order, into a new array *rows of
 * *nrows entries (caller frees with free()). Returns 0, PW_ENOMEM, or
 * PW_EWIRE when a row names an indicator cat lacks or is not valid (*bad =
 * its indicator id, borrowed from in). */
struct pw_status_row;
int pw_msg_status_rows(const struct pw_catalog *cat, Planwatch__V1__StatusRow *const *in, size_t n,
                       struct pw_status_row **rows, size_t *nrows, const char **bad);

/* The query whose answer carries every acknowledgement of plan's alerts
 * (QUERY_ALERTS with history; the alerts themselves are not wanted). */
void pw_msg_acks_query(Planwatch__V1__Query *q, const char *plan);

/* The acknowledgement reasons recorded for indicator_id between from_ns and
 * to_ns (Unix ns, inclusive), oldest first, as one line:
 * "REASON (BY, YYYY-MM-DD); ..." into a new string (caller frees), or NULL
 * when there are none or memory ran out. */
char *pw_msg_ack_reasons(Planwatch__V1__Ack *const *acks, size_t n, const char *indicator_id,
                         int64_t from_ns, int64_t to_ns);

/* Two updates carry the same figure (indicator, FY, value, basis,
 * preliminary, as_of, note, retracted): a resend, not a conflicting reuse of the id. */
int pw_msg_same_figure(const Planwatch__V1__IndicatorUpdate *a,
                       const Planwatch__V1__IndicatorUpdate *b);

/* Names of the Alert enums: "status" | "overdue" | "forecast"; "opened" |
 * "updated" | "resolved" | "notice" ("-" unspecified); "INFO" | "WARNING" |
 * "CRITICAL" (lowercase when lower is set). Never NULL. */
const char *pw_msg_kind_name(int kind);
const char *pw_msg_event_name(int event);
const char *pw_msg_severity_name(int severity, int lower);

/* Unix ns as ISO UTC "2026-11-21T06:22:01.123Z" into buf (>= 32 bytes);
 * "" for ns <= 0. Returns buf. */
char *pw_msg_time(int64_t ns, char *buf, size_t n);

/* ZeroMQ topic "update.<plan>.<project>.<indicator>" / "alert...." into buf
 * (project "all" for a plan-wide indicator), cut to n - 1 bytes and always
 * terminated (nothing written when n is 0), as snprintf would. */
void pw_msg_topic(char *buf, size_t n, const char *prefix, const struct pw_indicator *ind);

#endif
