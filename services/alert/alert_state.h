/* alert_state.h - the alert service's pure logic: every stored update in a
 * pw_history, the last recorded status and open alert of every indicator,
 * the alert sequence and the store sequence applied (pw_seqtrack). It turns
 * evaluations into transitions and transitions into AlertState records and
 * Alert messages. No sockets, no clock, no logging: main.c does the I/O.
 * Not thread-safe. The catalog is borrowed and must outlive the state.
 *
 * Recording rule. Every indicator has a recorded status (its AlertState in
 * the store). An evaluation whose status differs from the recorded one is a
 * transition; the in-memory record is updated at once and the transition is
 * handed to the caller, who must record it in the store before publishing
 * its Alert (a crash in between re-derives the same transition, with the same
 * alert seq, from the store's older record at the next start).
 *
 * First evaluation (no record yet, e.g. the very first start): the recorded
 * status is taken as NO_DATA (NO_TARGET for an indicator without a target).
 * A first status of AT_RISK or BEHIND opens an alert (published, from
 * NO_DATA/NO_TARGET); any other first status (ON_TRACK, ACHIEVED, NO_DATA,
 * NO_TARGET) is recorded silently: a transition with publish = 0 and no alert
 * seq, which the caller records in the store but does not publish. Rationale:
 * a fresh service must not flood subscribers with "ON_TRACK" for the whole
 * catalog, yet an indicator already in trouble is news. After that, every
 * change of status is published (including NO_DATA -> ON_TRACK).
 *
 * Alert ids. An alert is open while its indicator is AT_RISK or BEHIND. The
 * alert that opens it gets the id "<indicator_id>:<its alert seq>"; every
 * later alert of the indicator keeps that id while it stays AT_RISK/BEHIND
 * (AT_RISK <-> BEHIND) and the alert that closes it (to ON_TRACK, ACHIEVED,
 * NO_DATA or NO_TARGET) carries it too. Opening again gives a new id. A
 * change between non-problem statuses with no open alert (NO_DATA ->
 * ON_TRACK) is a one-off INFO alert with its own id "<indicator_id>:<seq>".
 * Severity: BEHIND -> CRITICAL, AT_RISK -> WARNING, otherwise INFO.
 *
 * Lifecycle (kind STATUS): a change from a non-problem status to AT_RISK or
 * BEHIND is OPENED, between AT_RISK and BEHIND UPDATED, back to anything
 * else RESOLVED, between non-problem statuses a NOTICE. While an alert is
 * open, new figures that change what it reports (actual, data FY,
 * preliminary) with the same status are an UPDATED transition too; time
 * passing alone never is (the expected value moves every day).
 *
 * Two more kinds per indicator, each with its own alert id and the same
 * opened / updated / resolved lifecycle (alert_rules.h): OVERDUE (the latest
 * due fiscal year's figure has not arrived; UPDATED when a later year becomes
 * the one missing) and FORECAST (on track but projected short at the recent
 * pace; UPDATED when the projection changes). Both are WARNING while open and
 * INFO when resolved. One evaluation yields at most one transition per kind,
 * in the order status, overdue, forecast. The indicator's AlertState record
 * holds all three. */
#ifndef ALERT_STATE_H
#define ALERT_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "alert_rules.h"
#include "catalog.h"
#include "eval.h"
#include "msg.h"
#include "planwatch.pb-c.h"
#include "seqtrack.h"

/* Room for "<indicator id>:<u64>" and the terminating NUL. */
#define ALERT_STATE_ID_MAX (PW_ID_MAX + 24)

struct alert_state;

/* What is recorded of one indicator (its AlertState). */
struct alert_state_snap {
    enum pw_status status;              /* recorded status */
    uint64_t alert_seq;                 /* seq of the last alert published for it */
    char alert_id[ALERT_STATE_ID_MAX];  /* open status alert, "" when none */
    int has_actual, data_fy, preliminary;
    int64_t actual;                     /* figures of the last status transition */
    int overdue_fy;                     /* open overdue alert's FY, 0 when none */
    char overdue_id[ALERT_STATE_ID_MAX];
    char forecast_id[ALERT_STATE_ID_MAX]; /* open forecast alert, "" when none */
    int64_t forecast;                   /* its last published projection */
};

/* One transition of one indicator. Plain value: copyable. */
struct alert_state_transition {
    const struct pw_indicator *ind; /* borrowed from the catalog */
    Planwatch__V1__AlertKind kind;
    Planwatch__V1__AlertEvent event;
    enum pw_status from, to;        /* the indicator's status before / after (other kinds:
                                       both the current status) */
    Planwatch__V1__Severity severity, previous_severity;
    int publish;                    /* 0: silent record (no Alert, alert_seq 0) */
    uint64_t alert_seq;             /* the Alert's seq (0 when silent) */
    uint64_t update_seq;            /* store seq of the latest update to ind since its last
                                       evaluation (the cause), 0 when time passing did it */
    uint64_t applied_seq;           /* last store seq applied when it was decided */
    uint64_t figures_seq;           /* store seq of the latest update of ind applied */
    char alert_id[ALERT_STATE_ID_MAX]; /* "" when silent */
    int overdue_fy;                 /* OVERDUE: the fiscal year missing */
    int32_t due;                    /* OVERDUE: its due day */
    int has_forecast;               /* FORECAST opened/updated: fc is set */
    struct alert_rules_forecast fc;
    char summary[384];              /* one line for people (watch, webhooks) */
    struct pw_eval ev;              /* the evaluation that made it */
    struct alert_state_snap snap;   /* ind's whole record after this transition */
};

/* A growable list of transitions, oldest first. Zero-initialise it
 * ({0}); release with alert_state_list_free. */
struct alert_state_list {
    struct alert_state_transition *v;
    size_t n, cap;
};

/* Empties l (keeps its memory). */
void alert_state_list_clear(struct alert_state_list *l);
/* Frees l's memory and zeroes it; accepts NULL. */
void alert_state_list_free(struct alert_state_list *l);

/* Creates an empty state for cat (borrowed: must outlive the state): no
 * history, no records, applied seq 0, next alert seq 1, 0 resyncs.
 * Returns 0 and *out (caller closes with alert_state_close), PW_EINVAL (NULL
 * argument) or PW_ENOMEM; *out untouched on failure. */
int alert_state_open(struct alert_state **out, const struct pw_catalog *cat);

/* Frees the state; accepts NULL; nulls *s. */
void alert_state_close(struct alert_state **s);

/* Applies one update from the store's PUB per the gap rule. *verdict:
 *   PW_SEQ_APPLY  u->seq == applied + 1: added to the history and the seq
 *                 consumed; *index is its indicator's catalog position
 *                 (re-evaluate it with alert_state_eval);
 *   PW_SEQ_SKIP   u->seq <= applied: already applied, nothing changed;
 *   PW_SEQ_GAP    u->seq > applied + 1: nothing changed; resynchronise
 *                 (snapshot after alert_state_applied_seq, alert_state_load).
 * Returns 0; PW_EINVAL (NULL argument, or u->seq == 0: not a stored update;
 * nothing changed); PW_ENOTFOUND (verdict APPLY, but u's indicator is not in
 * the catalog: the seq is consumed so the stream goes on, nothing is added,
 * *index untouched); PW_ENOMEM (nothing changed, the seq not consumed).
 * u is borrowed for the call. */
int alert_state_apply(struct alert_state *s, const Planwatch__V1__IndicatorUpdate *u,
                      enum pw_seq_verdict *verdict, size_t *index);

/* Loads a snapshot chunk (QueryReply.updates, in seq order): every update
 * with seq > applied is added and its seq consumed, even if seqs are not
 * contiguous (the store's snapshot is authoritative); seq <= applied is
 * skipped. *added counts updates added, *unknown those whose indicator is not
 * in the catalog (consumed, not added); either may be NULL. Returns 0,
 * PW_EINVAL (NULL s, or n > 0 with NULL u) or PW_ENOMEM (the updates before
 * the failing one are applied: retrying after alert_state_applied_seq is
 * safe). u and the updates are borrowed for the call. */
int alert_state_load(struct alert_state *s, Planwatch__V1__IndicatorUpdate *const *u, size_t n,
                     size_t *added, size_t *unknown);

/* Forgets every update and sets the applied seq to 0 (records and the alert
 * seq stay): the next snapshot then replaces the history entirely. */
void alert_state_reset(struct alert_state *s);

/* Replaces the secretariat's assessments the evaluation honours with the
 * current ones a[0..n) (borrowed for the call; records of indicators not in
 * the catalog, withdrawn ones or grades other than A/B are skipped). An
 * assessed A of an indicator's checkpoint keeps no status alert open
 * (pw_eval_alerting_assessed): the next evaluation resolves an open one,
 * and one withdrawn lets it open again. Returns 0 or PW_ENOMEM (the old set
 * is kept then). */
int alert_state_assessments(struct alert_state *s, Planwatch__V1__Assessment *const *a, size_t n);

/* Replaces the records with the store's AlertState records (QUERY_ALERT_STATE_GET):
 * indicators without a record are treated as never evaluated (the first
 * evaluation rule applies). The next alert seq becomes 1 + the maximum of
 * alert_seq (QueryReply.alert_seq), every record's alert_seq and the alert
 * seqs already assigned (never goes back). Records for indicators not in the
 * catalog, or with a status out of range, are ignored and counted in
 * *ignored (may be NULL). Returns 0 or PW_EINVAL (NULL s, or n > 0 with NULL
 * recs). recs are borrowed for the call. */
int alert_state_restore(struct alert_state *s, Planwatch__V1__AlertState *const *recs, size_t n,
                        uint64_t alert_seq, size_t *ignored);

/* Evaluates the indicator at catalog position index at the end of day and,
 * if its status differs from the record (or it has none), appends one
 * transition to out and updates the record (status, open alert id, alert
 * seq). Returns 0, PW_EINVAL (NULL argument or index out of range) or
 * PW_ENOMEM (nothing changed). */
int alert_state_eval(struct alert_state *s, size_t index, int32_t day,
                     struct alert_state_list *out);

/* The same for every indicator, in catalog order. On PW_ENOMEM the
 * transitions appended so far stay in out and are recorded: the caller must
 * still record and publish them. */
int alert_state_eval_all(struct alert_state *s, int32_t day, struct alert_state_list *out);

/* Fills rec with the AlertState of t's indicator after t (t->snap,
 * applied_seq). Strings are borrowed from t and the catalog. */
void alert_state_record(const struct alert_state_transition *t, Planwatch__V1__AlertState *rec);

/* AlertState records for a QUERY_ALERT_STATE_PUT of the transitions in l:
 * one per indicator, the latest (the store keeps the last). */
struct alert_state_records {
    Planwatch__V1__AlertState *recs;
    Planwatch__V1__AlertState **ptrs; /* Query.alert_states = ptrs, n_alert_states = n */
    size_t n;
};

/* Builds r from l (strings borrowed from l's transitions: valid until l
 * changes). Returns 0, PW_EINVAL (NULL argument) or PW_ENOMEM (r zeroed).
 * Release with alert_state_records_free. */
int alert_state_records_build(struct alert_state_records *r, const struct alert_state_list *l);
/* Frees r's arrays and zeroes it; accepts NULL. */
void alert_state_records_free(struct alert_state_records *r);

/* An Alert with the buffers it borrows from. */
struct alert_state_msg {
    Planwatch__V1__Alert alert;
    Planwatch__V1__StatusRow row;
    struct pw_msg_row_buf buf;
    char due[11];
};

/* Fills m with t's Alert (alert_id, seq, indicator, plan, project, name,
 * status, previous, severity, row via pw_msg_status_row, update_seq, time_ns,
 * kind, event, previous_severity, summary, overdue_fy/due, forecast).
 * Strings are borrowed from t, m and the catalog: m is valid while t is and
 * must not be copied (m->alert.row points into m). */
void alert_state_build_alert(const struct alert_state_transition *t, int64_t time_ns,
                             struct alert_state_msg *m);

/* BEHIND -> CRITICAL, AT_RISK -> WARNING, anything else -> INFO. */
Planwatch__V1__Severity alert_state_severity(enum pw_status to);

/* Heartbeat of the store announcing its last seq (pw_seqtrack_heartbeat):
 * PW_SEQ_GAP when it stays ahead of the applied seq for two heartbeats,
 * PW_SEQ_RESTART when it is below it (the store's data was replaced). */
enum pw_seq_verdict alert_state_heartbeat(struct alert_state *s, uint64_t store_seq);

/* Counts one resynchronisation (reported in the heartbeat). */
void alert_state_count_resync(struct alert_state *s);

uint64_t alert_state_applied_seq(const struct alert_state *s); /* last store seq applied */
uint64_t alert_state_last_alert_seq(const struct alert_state *s); /* last alert seq assigned */
/* Assigns the next alert seq to an alert that is not an indicator's
 * transition (a failed subscription's DELIVERY alert) and returns it. */
uint64_t alert_state_take_alert_seq(struct alert_state *s);
uint64_t alert_state_resyncs(const struct alert_state *s);
const struct pw_catalog *alert_state_catalog(const struct alert_state *s);

/* Store seq of the latest update of indicator index applied (0: none). */
uint64_t alert_state_figures_seq(const struct alert_state *s, size_t index);

/* Indicator index's revisions applied so far, oldest first, their count in
 * *n (borrowed until the next apply, load or reset); NULL and 0 for none or
 * an index out of range. */
const struct pw_obs *alert_state_revisions(const struct alert_state *s, size_t index, size_t *n);

/* Indicator index's record: returns 1 and *status, *alert_id (borrowed until
 * the next change; "" when no alert is open) if it has one, else 0. Either
 * out pointer may be NULL. Returns 0 for an index out of range. */
int alert_state_recorded(const struct alert_state *s, size_t index, enum pw_status *status,
                         const char **alert_id);

#endif
