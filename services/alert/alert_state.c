/* alert_state.c - the alert service's pure logic (see alert_state.h).
 * One record per indicator, indexed by the indicator's catalog position.
 * Invariant: last_alert_seq is the highest alert seq ever assigned or
 * restored, so alert seqs never repeat within a run or across restarts (the
 * store keeps the maximum). A record's alert_id is non-empty only while an
 * alert is open (status AT_RISK or BEHIND); overdue_id / forecast_id only
 * while theirs is. An evaluation reserves room for its (at most three)
 * transitions before it changes the record, so PW_ENOMEM changes nothing. */
#include "alert_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "fy.h"
#include "vec.h"
#include "history.h"

#define STATE_KINDS 3 /* transitions one evaluation can yield: status, overdue, forecast */

struct alert_rec {
    int known;                      /* has a record (restored or decided in this run) */
    struct alert_state_snap s;      /* what the store records */
    uint64_t dirty_seq;             /* latest update applied since the last evaluation */
    uint64_t figures_seq;           /* latest update applied */
};

struct alert_state {
    const struct pw_catalog *cat;
    struct pw_history *hist;
    struct alert_rec *recs;
    size_t n;
    uint64_t last_alert_seq;
    uint64_t resyncs;
    struct pw_seqtrack track;
    struct state_assessed *assessed; /* the current assessments, by catalog index */
    size_t nassessed;
};

struct state_assessed {
    size_t index;
    struct pw_assessment as;
};



void alert_state_list_clear(struct alert_state_list *l)
{
    if (l)
        l->n = 0;
}

void alert_state_list_free(struct alert_state_list *l)
{
    if (!l)
        return;
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}


int alert_state_open(struct alert_state **out, const struct pw_catalog *cat)
{
    if (!out || !cat)
        return PW_EINVAL;
    struct alert_state *s = calloc(1, sizeof *s);
    if (!s)
        return PW_ENOMEM;
    s->cat = cat;
    s->n = pw_catalog_count(cat);
    s->recs = calloc(s->n ? s->n : 1, sizeof *s->recs);
    if (!s->recs || pw_history_open(&s->hist, cat)) {
        free(s->recs);
        free(s);
        return PW_ENOMEM;
    }
    pw_seqtrack_init(&s->track, 0);
    *out = s;
    return 0;
}

void alert_state_close(struct alert_state **sp)
{
    if (!sp || !*sp)
        return;
    pw_history_close(&(*sp)->hist);
    free((*sp)->assessed);
    free((*sp)->recs);
    free(*sp);
    *sp = NULL;
}

int alert_state_assessments(struct alert_state *s, Planwatch__V1__Assessment *const *a, size_t n)
{
    if (!s)
        return PW_EINVAL;
    struct state_assessed *v = calloc(n ? n : 1, sizeof *v);
    size_t k = 0;
    if (!v)
        return PW_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const struct pw_indicator *ind =
            a[i]->indicator_id ? pw_catalog_find(s->cat, a[i]->indicator_id) : NULL;
        if (!ind)
            continue;
        pw_msg_assessment_from(&v[k].as, a[i]);
        if (!v[k].as.fy)
            continue;
        v[k++].index = ind->index;
    }
    free(s->assessed);
    s->assessed = v;
    s->nassessed = k;
    return 0;
}

/* The assessment of indicator i's fiscal year fy, or NULL. */
static const struct pw_assessment *state_assessed(const struct alert_state *s, size_t i, int fy)
{
    for (size_t k = 0; fy && k < s->nassessed; k++)
        if (s->assessed[k].index == i && s->assessed[k].as.fy == fy)
            return &s->assessed[k].as;
    return NULL;
}

/* Adds u (seq already judged to be applied) and consumes its seq. */
static int state_add(struct alert_state *s, const Planwatch__V1__IndicatorUpdate *u, size_t *index)
{
    const struct pw_indicator *ind =
        u->indicator_id ? pw_catalog_find(s->cat, u->indicator_id) : NULL;
    if (!ind) {
        pw_seqtrack_applied(&s->track, u->seq);
        return PW_ENOTFOUND;
    }
    struct pw_obs o;
    pw_msg_obs_from_update(&o, u, ind);
    /* the service judges with every revision known: the latest of each
     * fiscal year is all it keeps (updates come in seq order) */
    if (pw_history_put_latest(s->hist, ind, &o))
        return PW_ENOMEM;
    pw_seqtrack_applied(&s->track, u->seq);
    s->recs[ind->index].dirty_seq = u->seq;
    s->recs[ind->index].figures_seq = u->seq;
    if (index)
        *index = ind->index;
    return 0;
}

int alert_state_apply(struct alert_state *s, const Planwatch__V1__IndicatorUpdate *u,
                      enum pw_seq_verdict *verdict, size_t *index)
{
    if (!s || !u || !verdict || !index || u->seq == 0)
        return PW_EINVAL;
    *verdict = pw_seqtrack_message(&s->track, u->seq);
    if (*verdict != PW_SEQ_APPLY)
        return 0;
    return state_add(s, u, index);
}

int alert_state_load(struct alert_state *s, Planwatch__V1__IndicatorUpdate *const *u, size_t n,
                     size_t *added, size_t *unknown)
{
    size_t a = 0, k = 0;
    int rc = 0;
    if (!s || (n && !u))
        return PW_EINVAL;
    for (size_t i = 0; i < n && !rc; i++) {
        if (!u[i] || u[i]->seq <= s->track.last)
            continue;
        rc = state_add(s, u[i], NULL);
        if (rc == 0)
            a++;
        else if (rc == PW_ENOTFOUND) {
            k++;
            rc = 0;
        }
    }
    if (added)
        *added = a;
    if (unknown)
        *unknown = k;
    return rc;
}

void alert_state_reset(struct alert_state *s)
{
    pw_history_clear(s->hist);
    for (size_t i = 0; i < s->n; i++)
        s->recs[i].dirty_seq = s->recs[i].figures_seq = 0;
    pw_seqtrack_init(&s->track, 0);
}

static void state_copy_id(char *dst, const char *src)
{
    snprintf(dst, ALERT_STATE_ID_MAX, "%s", src ? src : "");
}

int alert_state_restore(struct alert_state *s, Planwatch__V1__AlertState *const *recs, size_t n,
                        uint64_t alert_seq, size_t *ignored)
{
    size_t bad = 0;
    if (!s || (n && !recs))
        return PW_EINVAL;
    for (size_t i = 0; i < s->n; i++) {
        s->recs[i].known = 0;
        memset(&s->recs[i].s, 0, sizeof s->recs[i].s);
    }
    if (alert_seq > s->last_alert_seq)
        s->last_alert_seq = alert_seq;
    for (size_t i = 0; i < n; i++) {
        const Planwatch__V1__AlertState *r = recs[i];
        const struct pw_indicator *ind =
            r && r->indicator_id ? pw_catalog_find(s->cat, r->indicator_id) : NULL;
        if (!ind || (unsigned)r->status >= PW_STATUS_COUNT) {
            bad++;
            continue;
        }
        struct alert_rec *a = &s->recs[ind->index];
        a->known = 1;
        a->s.status = (enum pw_status)r->status;
        a->s.alert_seq = r->alert_seq;
        /* only an open alert's id matters: a closed one is never reused */
        state_copy_id(a->s.alert_id, pw_status_behind(a->s.status) ? r->alert_id : "");
        a->s.has_actual = r->has_actual;
        a->s.actual = r->actual_micros;
        a->s.data_fy = r->data_fy;
        a->s.preliminary = r->preliminary;
        if (r->overdue_fy > 0 && r->overdue_alert_id && r->overdue_alert_id[0]) {
            a->s.overdue_fy = r->overdue_fy;
            state_copy_id(a->s.overdue_id, r->overdue_alert_id);
        }
        if (r->forecast_alert_id && r->forecast_alert_id[0]) {
            state_copy_id(a->s.forecast_id, r->forecast_alert_id);
            a->s.forecast = r->forecast_micros;
        }
        if (r->alert_seq > s->last_alert_seq)
            s->last_alert_seq = r->alert_seq;
    }
    if (ignored)
        *ignored = bad;
    return 0;
}

Planwatch__V1__Severity alert_state_severity(enum pw_status to)
{
    return to == PW_STATUS_BEHIND    ? PLANWATCH__V1__SEVERITY__SEVERITY_CRITICAL
           : to == PW_STATUS_AT_RISK ? PLANWATCH__V1__SEVERITY__SEVERITY_WARNING
                                     : PLANWATCH__V1__SEVERITY__SEVERITY_INFO;
}

/* A new transition of ind in out's reserved room, counted, with the fields
 * every kind shares. */
static struct alert_state_transition *state_new(struct alert_state *s, size_t i,
                                                const struct pw_eval *ev,
                                                Planwatch__V1__AlertKind kind,
                                                struct alert_state_list *out)
{
    struct alert_state_transition *t = &out->v[out->n++];
    memset(t, 0, sizeof *t);
    t->ind = pw_catalog_at(s->cat, i);
    t->kind = kind;
    t->from = t->to = ev->status;
    t->update_seq = s->recs[i].dirty_seq;
    t->applied_seq = s->track.last;
    t->figures_seq = s->recs[i].figures_seq;
    t->ev = *ev;
    t->publish = 1;
    return t;
}

/* Gives t the next alert seq and either the open alert's id or a new one. */
static void state_number(struct alert_state *s, struct alert_state_transition *t, const char *open)
{
    t->alert_seq = ++s->last_alert_seq;
    if (open && open[0])
        state_copy_id(t->alert_id, open);
    else
        snprintf(t->alert_id, sizeof t->alert_id, "%s:%llu", t->ind->id,
                 (unsigned long long)t->alert_seq);
    s->recs[t->ind->index].s.alert_seq = t->alert_seq;
}

static void state_take_figures(struct alert_state_snap *r, const struct pw_eval *ev)
{
    r->has_actual = ev->has_actual;
    r->actual = ev->has_actual ? ev->actual : 0;
    r->data_fy = ev->data_fy;
    r->preliminary = ev->preliminary;
}

static int state_same_figures(const struct alert_state_snap *r, const struct pw_eval *ev)
{
    return r->has_actual == ev->has_actual && (!ev->has_actual || r->actual == ev->actual) &&
           r->data_fy == ev->data_fy && r->preliminary == (ev->preliminary != 0);
}

/* The status condition: a transition when the status differs from the
 * record, or when an open alert's figures changed. */
static void state_judge_status(struct alert_state *s, size_t i, const struct pw_eval *ev,
                               const struct pw_assessment *as, struct alert_state_list *out)
{
    struct alert_rec *a = &s->recs[i];
    const struct pw_indicator *ind = pw_catalog_at(s->cat, i);
    int same = a->known && a->s.status == ev->status;
    int trouble = pw_eval_alerting_assessed(ev, as), open = a->s.alert_id[0] != '\0';
    int legacy = same && trouble && !a->s.has_actual && !a->s.data_fy;
    /* in trouble with no alert open (a final result that is not final any
     * more) opens one */
    if (same && !legacy && (trouble ? open && state_same_figures(&a->s, ev) : !open))
        return;
    struct alert_state_transition *t = state_new(s, i, ev, PLANWATCH__V1__ALERT_KIND__ALERT_KIND_STATUS, out);
    t->from = a->known                              ? a->s.status
              : ind->target.type == PW_TARGET_NONE ? PW_STATUS_NO_TARGET
                                                   : PW_STATUS_NO_DATA;
    t->severity = trouble ? alert_state_severity(t->to) : PLANWATCH__V1__SEVERITY__SEVERITY_INFO;
    t->previous_severity = open ? alert_state_severity(t->from)
                                : PLANWATCH__V1__SEVERITY__SEVERITY_INFO;
    /* a first record is news only when in trouble; a record written before
     * figures were kept just learns them */
    t->publish = !legacy && (a->known || trouble);
    int was_open = pw_status_behind(t->from) && open;
    t->event = trouble ? (was_open ? PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_UPDATED
                                                : PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_OPENED)
               : was_open ? PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_RESOLVED
                          : PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_NOTICE;
    if (t->publish)
        state_number(s, t, was_open ? a->s.alert_id : NULL);
    if (pw_eval_alerting(ev) && !trouble) /* the secretariat's A closes it */
        snprintf(t->summary, sizeof t->summary, "assessed A by %s: %s (computed %c: %s)", as->by,
                 as->reason, ev->grade, ev->explanation);
    else
        snprintf(t->summary, sizeof t->summary, "%s", ev->explanation);
    a->known = 1;
    a->s.status = t->to;
    state_copy_id(a->s.alert_id, trouble ? t->alert_id : "");
    state_take_figures(&a->s, ev);
}

/* Event and severities of an overdue / forecast transition: WARNING while
 * the condition holds (opened, or updated when already open), INFO when it
 * resolves. */
static void state_warning_event(struct alert_state_transition *t, int holds, int open)
{
    t->event = !holds  ? PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_RESOLVED
               : open ? PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_UPDATED
                      : PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_OPENED;
    t->severity = holds ? PLANWATCH__V1__SEVERITY__SEVERITY_WARNING
                        : PLANWATCH__V1__SEVERITY__SEVERITY_INFO;
    t->previous_severity = open ? PLANWATCH__V1__SEVERITY__SEVERITY_WARNING
                                : PLANWATCH__V1__SEVERITY__SEVERITY_INFO;
}

static void state_judge_overdue(struct alert_state *s, size_t i, const struct pw_eval *ev,
                                int od, int fy, int32_t due, int never,
                                struct alert_state_list *out)
{
    struct alert_rec *a = &s->recs[i];
    int open = a->s.overdue_fy > 0;
    if ((!od && !open) || (od && open && a->s.overdue_fy == fy))
        return;
    struct alert_state_transition *t =
        state_new(s, i, ev, PLANWATCH__V1__ALERT_KIND__ALERT_KIND_OVERDUE, out);
    char d[11];
    state_warning_event(t, od, open);
    if (od) {
        t->overdue_fy = fy;
        t->due = due;
        if (never)
            snprintf(t->summary, sizeof t->summary,
                     "overdue: never reported; the FY%d figure was due %s", fy,
                     pw_day_format(due, d));
        else
            snprintf(t->summary, sizeof t->summary,
                     "overdue: the FY%d figure was due %s and has not arrived", fy,
                     pw_day_format(due, d));
    } else {
        t->overdue_fy = a->s.overdue_fy;
        t->due = pw_due_day(t->ind, a->s.overdue_fy);
        if (ev->cp.final && ev->cp.overdue)
            snprintf(t->summary, sizeof t->summary, "closed: %s", ev->explanation);
        else
            snprintf(t->summary, sizeof t->summary, "the FY%d figure has arrived",
                     a->s.overdue_fy);
    }
    state_number(s, t, open ? a->s.overdue_id : NULL);
    a->s.overdue_fy = od ? fy : 0;
    state_copy_id(a->s.overdue_id, od ? t->alert_id : "");
}

static void state_judge_forecast(struct alert_state *s, size_t i, const struct pw_eval *ev, int fc,
                                 const struct alert_rules_forecast *f,
                                 struct alert_state_list *out)
{
    struct alert_rec *a = &s->recs[i];
    int open = a->s.forecast_id[0] != '\0';
    if ((!fc && !open) || (fc && open && a->s.forecast == f->projected))
        return;
    struct alert_state_transition *t =
        state_new(s, i, ev, PLANWATCH__V1__ALERT_KIND__ALERT_KIND_FORECAST, out);
    state_warning_event(t, fc, open);
    if (fc) {
        t->has_forecast = 1;
        t->fc = *f;
        snprintf(t->summary, sizeof t->summary, "%s", f->summary);
    } else {
        snprintf(t->summary, sizeof t->summary, "no longer projected short (%s): %s",
                 pw_status_name(ev->status), ev->explanation);
    }
    state_number(s, t, open ? a->s.forecast_id : NULL);
    state_copy_id(a->s.forecast_id, fc ? t->alert_id : "");
    a->s.forecast = fc ? f->projected : 0;
}

/* Whether no judge below can produce a transition for this evaluation, so
 * the explanation text (most of a sweep's cost) need not be written. It
 * must answer 1 only when that is certain: a known record, the same status,
 * not a problem status (open alerts follow their figures), no overdue
 * change, and no forecast alert open or due to open. Keep it in step with
 * the state_judge_* conditions. */
static int state_quiet(const struct alert_rec *a, const struct pw_eval *ev,
                       const struct pw_assessment *as, int od, int fy, int fc)
{
    return a->known && a->s.status == ev->status && !pw_eval_alerting_assessed(ev, as) &&
           !a->s.alert_id[0] &&
           (od ? a->s.overdue_fy == fy : a->s.overdue_fy == 0) && !fc && !a->s.forecast_id[0];
}

static int state_eval_one(struct alert_state *s, size_t i, int32_t day,
                          struct alert_state_list *out)
{
    const struct pw_indicator *ind = pw_catalog_at(s->cat, i);
    size_t nobs;
    const struct pw_obs *obs = pw_history_get(s->hist, ind, &nobs);
    struct pw_eval ev;
    struct alert_rules_forecast f;
    /* the sweep decides on numbers alone; words only where something moves */
    int rc = pw_eval_status(ind, obs, nobs, day, &ev);
    if (rc)
        return rc;
    /* a final result leaves nothing open: no overdue, no forecast */
    int od = ev.cp.overdue && !ev.cp.final, fy = ev.cp.fy, never = ev.cp.never;
    int32_t due = ev.cp.due;
    int fc = ev.cp.final ? 0 : alert_rules_forecast(ind, obs, nobs, &ev, &f);
    if (fc < 0)
        return fc;
    const struct pw_assessment *as = state_assessed(s, i, ev.cp.fy);
    if (state_quiet(&s->recs[i], &ev, as, od, fy, fc)) {
        s->recs[i].dirty_seq = 0;
        return 0;
    }
    if ((rc = pw_eval_indicator(ind, obs, nobs, day, &ev)))
        return rc;
    if (pw_vec_grow((void **)&out->v, &out->cap, out->n + STATE_KINDS, sizeof *out->v))
        return PW_ENOMEM;
    size_t before = out->n;
    state_judge_status(s, i, &ev, as, out);
    state_judge_overdue(s, i, &ev, od, fy, due, never, out);
    state_judge_forecast(s, i, &ev, fc, &f, out);
    for (size_t k = before; k < out->n; k++)
        out->v[k].snap = s->recs[i].s; /* every transition carries the final record */
    s->recs[i].dirty_seq = 0;
    return 0;
}

int alert_state_eval(struct alert_state *s, size_t index, int32_t day,
                     struct alert_state_list *out)
{
    if (!s || !out || index >= s->n)
        return PW_EINVAL;
    return state_eval_one(s, index, day, out);
}

int alert_state_eval_all(struct alert_state *s, int32_t day, struct alert_state_list *out)
{
    if (!s || !out)
        return PW_EINVAL;
    for (size_t i = 0; i < s->n; i++) {
        int rc = state_eval_one(s, i, day, out);
        if (rc)
            return rc;
    }
    return 0;
}

void alert_state_record(const struct alert_state_transition *t, Planwatch__V1__AlertState *rec)
{
    const struct alert_state_snap *r = &t->snap;
    planwatch__v1__alert_state__init(rec);
    rec->indicator_id = (char *)t->ind->id;
    rec->status = (Planwatch__V1__Status)r->status;
    rec->alert_seq = r->alert_seq;
    rec->applied_seq = t->applied_seq;
    rec->alert_id = (char *)r->alert_id;
    rec->has_actual = r->has_actual;
    rec->actual_micros = r->actual;
    rec->data_fy = r->data_fy;
    rec->preliminary = r->preliminary;
    rec->overdue_fy = r->overdue_fy;
    rec->overdue_alert_id = (char *)r->overdue_id;
    rec->forecast_alert_id = (char *)r->forecast_id;
    rec->forecast_micros = r->forecast;
}

int alert_state_records_build(struct alert_state_records *r, const struct alert_state_list *l)
{
    if (!r || !l)
        return PW_EINVAL;
    memset(r, 0, sizeof *r);
    if (l->n == 0)
        return 0;
    size_t nind = 0;
    for (size_t k = 0; k < l->n; k++)
        if (l->v[k].ind->index + 1 > nind)
            nind = l->v[k].ind->index + 1;
    unsigned char *seen = calloc(nind, 1);
    r->recs = calloc(l->n, sizeof *r->recs);
    r->ptrs = calloc(l->n, sizeof *r->ptrs);
    if (!seen || !r->recs || !r->ptrs) {
        free(seen);
        alert_state_records_free(r);
        return PW_ENOMEM;
    }
    /* newest first, skipping indicators already taken, then back in order:
     * one record per indicator, its latest state */
    for (size_t k = l->n; k-- > 0;) {
        const struct alert_state_transition *t = &l->v[k];
        if (!seen[t->ind->index]) {
            seen[t->ind->index] = 1;
            alert_state_record(t, &r->recs[r->n++]);
        }
    }
    free(seen);
    for (size_t j = 0; j < r->n / 2; j++) {
        Planwatch__V1__AlertState tmp = r->recs[j];
        r->recs[j] = r->recs[r->n - 1 - j];
        r->recs[r->n - 1 - j] = tmp;
    }
    for (size_t j = 0; j < r->n; j++)
        r->ptrs[j] = &r->recs[j];
    return 0;
}

void alert_state_records_free(struct alert_state_records *r)
{
    if (!r)
        return;
    free(r->recs);
    free(r->ptrs);
    memset(r, 0, sizeof *r);
}

void alert_state_build_alert(const struct alert_state_transition *t, int64_t time_ns,
                             struct alert_state_msg *m)
{
    planwatch__v1__alert__init(&m->alert);
    pw_msg_status_row(&m->row, t->ind, &t->ev, &m->buf);
    m->alert.alert_id = (char *)t->alert_id;
    m->alert.seq = t->alert_seq;
    m->alert.indicator_id = (char *)t->ind->id;
    m->alert.plan = (char *)t->ind->plan->id;
    m->alert.project = (char *)pw_indicator_project_id(t->ind);
    m->alert.name = (char *)t->ind->name;
    m->alert.status = (Planwatch__V1__Status)t->to;
    m->alert.previous = (Planwatch__V1__Status)t->from;
    m->alert.severity = t->severity;
    m->alert.row = &m->row;
    m->alert.update_seq = t->update_seq;
    m->alert.time_ns = time_ns;
    m->alert.kind = t->kind;
    m->alert.event = t->event;
    m->alert.previous_severity = t->previous_severity;
    m->alert.summary = (char *)t->summary;
    m->alert.overdue_fy = t->overdue_fy;
    m->alert.due = t->due ? pw_day_format(t->due, m->due) : (char *)"";
    m->alert.has_forecast = t->has_forecast;
    m->alert.forecast_micros = t->has_forecast ? t->fc.projected : 0;
    m->alert.pace_micros = t->has_forecast ? t->fc.pace : 0;
}

uint64_t alert_state_figures_seq(const struct alert_state *s, size_t index)
{
    return s && index < s->n ? s->recs[index].figures_seq : 0;
}

enum pw_seq_verdict alert_state_heartbeat(struct alert_state *s, uint64_t store_seq)
{
    return pw_seqtrack_heartbeat(&s->track, store_seq, 1); /* the store's seq is durable */
}

void alert_state_count_resync(struct alert_state *s)
{
    s->resyncs++;
}

uint64_t alert_state_applied_seq(const struct alert_state *s)
{
    return s->track.last;
}

uint64_t alert_state_take_alert_seq(struct alert_state *s)
{
    return ++s->last_alert_seq;
}

uint64_t alert_state_last_alert_seq(const struct alert_state *s)
{
    return s->last_alert_seq;
}

uint64_t alert_state_resyncs(const struct alert_state *s)
{
    return s->resyncs;
}

const struct pw_catalog *alert_state_catalog(const struct alert_state *s)
{
    return s->cat;
}

const struct pw_obs *alert_state_revisions(const struct alert_state *s, size_t index, size_t *n)
{
    *n = 0;
    if (!s || index >= s->n)
        return NULL;
    return pw_history_get(s->hist, pw_catalog_at(s->cat, index), n);
}

int alert_state_recorded(const struct alert_state *s, size_t index, enum pw_status *status,
                         const char **alert_id)
{
    if (!s || index >= s->n || !s->recs[index].known)
        return 0;
    if (status)
        *status = s->recs[index].s.status;
    if (alert_id)
        *alert_id = s->recs[index].s.alert_id;
    return 1;
}
