/* cli_watch.c - `planwatch watch`: follows the alert publisher and prints
 * every status change as it arrives. It subscribes to all of "alert." and
 * "hb." and filters on its side, so every alert's seq passes through the gap
 * tracker (docs/pipeline.md): on a gap it says which alerts were missed and
 * prints the current state from the store (QUERY_ALERT_STATE_GET), then goes
 * on with the alerts after it; the SUB socket keeps buffering meanwhile.
 * Single-threaded; the signal handler only sets pw_zsock_stop. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "cli.h"
#include "cli_conn.h"
#include "cli_text.h"
#include "dec.h"
#include "err.h"
#include "eval.h"
#include "explain_ja.h"
#include "msg.h"
#include "seqtrack.h"
#include "zsock.h"

#define CLI_WATCH_OPTS                                                                             \
    (CLI_OPT_PLAN | CLI_OPT_PROJECT | CLI_OPT_INDICATOR | CLI_OPT_WFORMAT | CLI_OPT_COUNT |        \
     CLI_OPT_ALERTS | CLI_OPT_STORE | CLI_OPT_TIMEOUT | CLI_OPT_LANG)
#define WATCH_POLL_MS 500
#define WATCH_SILENCE_MS 5000 /* heartbeats come every second */
#define WATCH_DRAIN_MAX 1000  /* messages per wake-up before re-checking the stop flag */

struct watch {
    const struct cli_opts *o;
    void *ctx;
    void *sub;
    struct cli_conn *store; /* opened when first needed */
    struct pw_catalog *cat; /* the store's, for names and filters; may stay NULL */
    struct pw_seqtrack trk; /* joined: starts at the first seq heard */
    long printed; /* alerts printed (--count) */
    int64_t last_msg_ms;
    int silent; /* the silence was reported */
};

static const char *watch_status(int s)
{
    return s >= 0 && s < PW_STATUS_COUNT ? pw_status_name((enum pw_status)s) : "UNKNOWN";
}

static const char *watch_str(const char *s)
{
    return s ? s : "";
}

/* One JSON object on one line. */
static void watch_json_line(json_t *o)
{
    if (!o)
        return;
    char *s = json_dumps(o, JSON_COMPACT);
    if (s)
        puts(s);
    free(s);
    json_decref(o);
}

static json_t *watch_json_dec(int has, int64_t v)
{
    if (!has)
        return json_null();
    return v % PW_DEC_SCALE == 0 ? json_integer(v / PW_DEC_SCALE) : json_real(pw_dec_to_double(v));
}

static void watch_print_alert(const struct watch *w, const Planwatch__V1__Alert *a)
{
    char t[32];
    const Planwatch__V1__StatusRow *r = a->row;
    pw_msg_time(a->time_ns ? a->time_ns : pw_now_ns(), t, sizeof t);
    if (w->o->json_lines) {
        json_t *o =
            json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "type",
                      "alert", "seq", (json_int_t)a->seq, "alert_id", watch_str(a->alert_id),
                      "time", t, "severity", pw_msg_severity_name(a->severity, 0), "previous",
                      watch_status(a->previous), "status", watch_status(a->status), "indicator",
                      watch_str(a->indicator_id), "plan", watch_str(a->plan), "project",
                      watch_str(a->project), "name", watch_str(a->name), "explanation",
                      r ? watch_str(r->explanation) : "", "update_seq", (json_int_t)a->update_seq);
        if (o) {
            json_object_set_new(o, "kind", json_string(pw_msg_kind_name(a->kind)));
            json_object_set_new(o, "event", json_string(pw_msg_event_name(a->event)));
            json_object_set_new(o, "summary", json_string(watch_str(a->summary)));
            json_object_set_new(o, "acknowledged", json_boolean(a->acknowledged));
            json_object_set_new(o, "silenced", json_boolean(a->silenced));
        }
        if (o && r) {
            json_object_set_new(o, "as_of", json_string(watch_str(r->as_of)));
            json_object_set_new(o, "grade", json_string(watch_str(r->grade)));
            json_object_set_new(o, "actual", watch_json_dec(r->has_actual, r->actual_micros));
            json_object_set_new(o, "expected", watch_json_dec(r->has_expected, r->expected_micros));
            json_object_set_new(o, "target", watch_json_dec(r->has_target, r->target_micros));
        }
        watch_json_line(o);
    } else if (a->kind == PLANWATCH__V1__ALERT_KIND__ALERT_KIND_STATUS) {
        /* Japanese unless --lang en: the follow-up tables' wording (pw_explain_ja) */
        const char *text = r ? watch_str(r->explanation) : "";
        const struct pw_indicator *ind =
            w->cat && a->indicator_id ? pw_catalog_find(w->cat, a->indicator_id) : NULL;
        struct pw_eval ev;
        char ja[PW_EXPLAIN_MAX];
        int japanese = w->o->lang != PW_LANG_EN && ind && r && pw_msg_eval_from_row(&ev, r) == 0;
        if (japanese)
            text = pw_explain_ja(ind, &ev, ja, sizeof ja);
        struct cli_text x = {0};
        printf("%s  %-8s  %s → %s  %s  %s  %s%s%s\n", t, pw_msg_severity_name(a->severity, 0),
               japanese ? pw_explain_status_ja((enum pw_status)a->previous) : watch_status(a->previous),
               japanese ? pw_explain_status_ja((enum pw_status)a->status) : watch_status(a->status),
               cli_text(&x, a->indicator_id), cli_text(&x, a->name), cli_text(&x, text),
               a->acknowledged ? "  [acknowledged]" : "", a->silenced ? "  [silenced]" : "");
    } else {
        struct cli_text x = {0};
        printf("%s  %-8s  %s %s  %s  %s  %s%s%s\n", t, pw_msg_severity_name(a->severity, 0),
               a->kind == PLANWATCH__V1__ALERT_KIND__ALERT_KIND_OVERDUE ? "OVERDUE" : "FORECAST",
               pw_msg_event_name(a->event), cli_text(&x, a->indicator_id), cli_text(&x, a->name),
               cli_text(&x, a->summary), a->acknowledged ? "  [acknowledged]" : "",
               a->silenced ? "  [silenced]" : "");
    }
    fflush(stdout);
}

/* ---- resynchronisation ---------------------------------------------------- */

struct watch_state {
    const Planwatch__V1__AlertState *s;
    const struct pw_indicator *ind; /* NULL: not in the store's catalog */
};

static int watch_state_cmp(const void *a, const void *b)
{
    const struct watch_state *x = a, *y = b;
    if (x->ind && y->ind)
        return x->ind->index < y->ind->index ? -1 : x->ind->index > y->ind->index;
    if (x->ind || y->ind)
        return x->ind ? -1 : 1;
    return strcmp(watch_str(x->s->indicator_id), watch_str(y->s->indicator_id));
}

/* Whether a recorded state passes the filters; unknown to the catalog, it
 * passes only when no plan/project filter asks what we cannot tell. */
static int watch_state_match(const struct watch *w, const struct watch_state *st)
{
    const struct cli_opts *o = w->o;
    if (st->ind)
        return cli_opts_match(o, st->ind);
    return !o->plan && !o->project && cli_opts_match_ids(o, NULL, NULL, st->s->indicator_id);
}

static void watch_print_states(const struct watch *w, struct watch_state *sts, size_t n,
                               uint64_t seq)
{
    struct cli_text x = {0}; /* its buffers are reused in turn */
    if (n) /* sts is NULL when the store has no states */
        qsort(sts, n, sizeof *sts, watch_state_cmp);
    for (size_t i = 0; i < n; i++) {
        const Planwatch__V1__AlertState *s = sts[i].s;
        const char *sev =
            s->status == PLANWATCH__V1__STATUS__STATUS_BEHIND ? "CRITICAL" : "WARNING";
        const char *name = sts[i].ind ? sts[i].ind->name : "";
        if (w->o->json_lines) {
            json_t *o =
                json_pack("{s:s, s:s, s:s, s:s, s:I}", "type", "state", "severity", sev, "status",
                          watch_status(s->status), "indicator", watch_str(s->indicator_id),
                          "alert_seq", (json_int_t)s->alert_seq);
            if (o && sts[i].ind) {
                json_object_set_new(o, "plan", json_string(sts[i].ind->plan->id));
                json_object_set_new(o, "project", json_string(pw_indicator_project_id(sts[i].ind)));
                json_object_set_new(o, "name", json_string(name));
            }
            watch_json_line(o);
        } else {
            printf("  %-8s  %-7s  %s  %s\n", sev, watch_status(s->status),
                   cli_text(&x, s->indicator_id), cli_text(&x, name));
        }
    }
    if (w->o->json_lines)
        watch_json_line(json_pack("{s:s, s:I, s:I}", "type", "resync", "alert_seq", (json_int_t)seq,
                                  "at_risk_or_behind", (json_int_t)n));
    else
        printf("(end of current state: %zu indicator%s at risk or behind; following from alert "
               "seq %llu)\n",
               n, n == 1 ? "" : "s", (unsigned long long)seq);
    fflush(stdout);
}

/* Asks the store for the recorded alert state and prints the indicators at
 * risk or behind; the tracker then continues after the newest of the store's
 * alert seq and `upto` (the seq that revealed the gap), or after `upto`
 * alone when `exact` (the publisher restarted its numbering). When the
 * store does not answer, says so and follows the live stream from `upto`. */
static void watch_resync(struct watch *w, uint64_t upto, int exact)
{
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    Planwatch__V1__QueryReply *r = NULL;
    struct watch_state *sts = NULL;
    uint64_t seq = upto;
    size_t n = 0;
    if (!w->store && cli_conn_open(&w->store, w->o, "store", w->o->store))
        goto fail;
    int rc = w->cat ? 0 : cli_conn_catalog(w->store, &w->cat);
    if (rc == PW_ESHUTDOWN)
        goto done;
    if (rc == PW_EUNAVAILABLE)
        goto fail; /* do not wait a second time */
    /* any other catalog failure: go on without names */
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_ALERT_STATE_GET;
    rc = cli_conn_query(w->store, &q, 0, &r);
    if (rc == PW_ESHUTDOWN)
        goto done;
    if (rc)
        goto fail;
    if (r->n_alert_states && !(sts = calloc(r->n_alert_states, sizeof *sts))) {
        fputs("planwatch: out of memory\n", stderr);
        goto fail;
    }
    for (size_t i = 0; i < r->n_alert_states; i++) {
        const Planwatch__V1__AlertState *s = r->alert_states[i];
        if (!exact && s->alert_seq > seq)
            seq = s->alert_seq;
        if (!pw_status_behind((enum pw_status)s->status) || !s->alert_id || !s->alert_id[0])
            continue; /* no status alert open (a final result closes it) */
        sts[n].s = s;
        sts[n].ind = w->cat && s->indicator_id ? pw_catalog_find(w->cat, s->indicator_id) : NULL;
        if (watch_state_match(w, &sts[n]))
            n++;
    }
    if (!exact && r->alert_seq > seq)
        seq = r->alert_seq;
    watch_print_states(w, sts, n, seq);
    pw_seqtrack_init(&w->trk, seq);
    goto done;
fail:
    if (w->o->json_lines)
        watch_json_line(
            json_pack("{s:s, s:I}", "type", "resync_failed", "alert_seq", (json_int_t)upto));
    else
        printf("(current state unavailable from the store; following from alert seq %llu)\n",
               (unsigned long long)upto);
    fflush(stdout);
    pw_seqtrack_init(&w->trk, upto);
done:
    free(sts);
    if (r)
        planwatch__v1__query_reply__free_unpacked(r, NULL);
}

static void watch_gap(const struct watch *w, uint64_t from, uint64_t to)
{
    if (w->o->json_lines)
        watch_json_line(json_pack("{s:s, s:I, s:I}", "type", "gap", "from", (json_int_t)from, "to",
                                  (json_int_t)to));
    else if (from == to)
        printf("(missed alert %llu; current state follows)\n", (unsigned long long)from);
    else
        printf("(missed alerts %llu..%llu; current state follows)\n", (unsigned long long)from,
               (unsigned long long)to);
    fflush(stdout);
}

/* ---- the stream ----------------------------------------------------------- */

static void watch_heartbeat(struct watch *w, const Planwatch__V1__Heartbeat *hb)
{
    if (strcmp(watch_str(hb->service), "alert") != 0)
        return;
    int joined = !w->trk.started;
    switch (pw_seqtrack_heartbeat(&w->trk, hb->seq, hb->ready)) {
    case PW_SEQ_RESTART:
        /* its history was reset (new data dir): its current state is all
         * that is left */
        if (w->o->json_lines)
            watch_json_line(json_pack("{s:s, s:I}", "type", "restart", "seq", (json_int_t)hb->seq));
        else
            printf("(the alert stream restarted at seq %llu; current state follows)\n",
                   (unsigned long long)hb->seq);
        watch_resync(w, hb->seq, 1);
        break;
    case PW_SEQ_GAP:
        watch_gap(w, w->trk.gap_from, w->trk.gap_to);
        watch_resync(w, hb->seq, 0);
        break;
    default:
        if (joined) /* tells a person (and a script) that nothing from now on is missed */
            fprintf(stderr, "planwatch: watching %s from alert seq %llu\n", w->o->alerts,
                    (unsigned long long)hb->seq);
        break;
    }
}

static void watch_alert(struct watch *w, const Planwatch__V1__Alert *a)
{
    switch (pw_seqtrack_message(&w->trk, a->seq)) {
    case PW_SEQ_APPLY: break;
    case PW_SEQ_GAP:
        /* the store recorded this alert before it was published: the
         * snapshot covers it */
        watch_gap(w, w->trk.gap_from, w->trk.gap_to);
        watch_resync(w, a->seq, 0);
        return;
    default: return;
    }
    pw_seqtrack_applied(&w->trk, a->seq);
    if (!cli_opts_match_ids(w->o, a->plan, a->project, a->indicator_id))
        return;
    watch_print_alert(w, a);
    w->printed++;
}

/* Handles one message. Returns 0, or PW_ESHUTDOWN / PW_EZMQ to stop. */
static int watch_one(struct watch *w, int *drained)
{
    struct pw_frames fr = {.n = 0};
    Planwatch__V1__MsgType type;
    ProtobufCMessage *m = NULL;
    int rc = pw_zsock_recv_msg(w->sub, &fr, ZMQ_DONTWAIT, &type, &m);
    pw_frames_close(&fr);
    if (rc == PW_EUNAVAILABLE) {
        *drained = 1;
        return 0;
    }
    if (rc == PW_ESHUTDOWN || rc == PW_EZMQ)
        return rc;
    w->last_msg_ms = pw_now_ms();
    if (w->silent) {
        fprintf(stderr, "planwatch: the alert service at %s is heard again\n", w->o->alerts);
        w->silent = 0;
    }
    if (rc) { /* one bad message affects only itself */
        fprintf(stderr,
                "planwatch: dropped a message on the alert stream that is not a "
                "planwatch v1 message [%s]\n",
                pw_errname(rc));
        return 0;
    }
    if (type == PLANWATCH__V1__MSG_TYPE__MSG_HEARTBEAT)
        watch_heartbeat(w, (const Planwatch__V1__Heartbeat *)m);
    else if (type == PLANWATCH__V1__MSG_TYPE__MSG_ALERT)
        watch_alert(w, (const Planwatch__V1__Alert *)m);
    protobuf_c_message_free_unpacked(m, NULL);
    return 0;
}

/* With filters: checks them against the store's catalog, if it answers. */
static int watch_check_filters(struct watch *w)
{
    const struct cli_opts *o = w->o;
    if (!o->plan && !o->project && !o->indicator)
        return 0;
    if (cli_conn_open(&w->store, o, "store", o->store) ||
        cli_conn_catalog(w->store, &w->cat)) {
        fputs("planwatch: watching anyway; the filters were not checked against the catalog\n",
              stderr);
        return 0;
    }
    if (cli_opts_check_filter(o, w->cat))
        return PW_ENOTFOUND;
    if (o->indicator && !pw_catalog_find(w->cat, o->indicator)) {
        fprintf(stderr, "planwatch: no indicator '%s' in the catalog\n", o->indicator);
        return PW_ENOTFOUND;
    }
    return 0;
}

int cli_watch(int argc, char **argv)
{
    static const char help[] =
        "usage: planwatch watch [--plan P] [--project P] [--indicator ID]\n"
        "                       [--format text|json] [--count N]\n"
        "                       [--alerts EP] [--store EP] [--timeout-ms N]\n"
        "Follows the alert service and prints one line per status change as it arrives:\n"
        "  TIME (UTC)  SEVERITY  PREVIOUS → STATUS  ID  NAME  EXPLANATION\n"
        "(--format json: one JSON object per line, \"type\": \"alert\"). Alerts carry a\n"
        "sequence number; when some were missed (a jump, or heartbeats announcing more\n"
        "than was received), it prints \"(missed alerts N..M; current state follows)\",\n"
        "the indicators the store records as AT_RISK or BEHIND, and goes on.\n"
        "Status lines are in Japanese (the follow-up tables' wording) unless --lang en.\n"
        "Exit status 0 after --count N alerts or on SIGINT/SIGTERM; 2 on usage or\n"
        "socket errors.\n";
    struct cli_opts o;
    struct watch w = {0};
    int status = 2, rc = cli_opts_parse(&o, argc, argv, CLI_WATCH_OPTS, help);
    if (rc >= 0)
        return rc;
    if (o.nargs) {
        fprintf(stderr, "planwatch watch: unexpected argument '%s' (see planwatch watch --help)\n",
                o.args[0]);
        return 2;
    }
    w.o = &o;
    pw_seqtrack_join(&w.trk); /* from wherever the stream is */
    pw_zsock_signals();
    if (!(w.ctx = zmq_ctx_new())) {
        fputs("planwatch: cannot create a ZeroMQ context\n", stderr);
        return 2;
    }
    if (pw_zsock_new(w.ctx, ZMQ_SUB, 0, &w.sub) ||
        zmq_setsockopt(w.sub, ZMQ_SUBSCRIBE, "alert.", 6) ||
        zmq_setsockopt(w.sub, ZMQ_SUBSCRIBE, "hb.", 3) || cli_conn_secure(&o, w.sub, "alert") ||
        pw_zsock_connect(w.sub, o.alerts)) {
        fprintf(stderr, "planwatch: cannot subscribe to the alert service at '%s'\n", o.alerts);
        goto done;
    }
    if (watch_check_filters(&w))
        goto done;
    /* the Japanese wording needs the indicators: without the store, English */
    if (o.lang != PW_LANG_EN && !w.cat &&
        (w.store || cli_conn_open(&w.store, &o, "store", o.store) == 0))
        cli_conn_catalog(w.store, &w.cat);
    w.last_msg_ms = pw_now_ms();
    status = 0;
    while (!pw_zsock_stop && (!o.count || w.printed < o.count)) {
        zmq_pollitem_t it = {w.sub, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&it, 1, WATCH_POLL_MS) < 0) {
            if (errno == EINTR)
                continue; /* the loop re-checks the stop flag */
            fprintf(stderr, "planwatch: polling the alert stream failed: %s\n",
                    zmq_strerror(errno));
            status = 2;
            break;
        }
        int drained = !(it.revents & ZMQ_POLLIN);
        for (int k = 0;
             !drained && k < WATCH_DRAIN_MAX && !pw_zsock_stop && (!o.count || w.printed < o.count);
             k++) {
            rc = watch_one(&w, &drained);
            if (rc == PW_EZMQ) {
                status = 2;
                goto done;
            }
            if (rc)
                break;
        }
        if (!w.silent && pw_now_ms() - w.last_msg_ms > WATCH_SILENCE_MS) {
            fprintf(stderr,
                    "planwatch: nothing from the alert service at %s for %d s; still "
                    "waiting\n",
                    o.alerts, WATCH_SILENCE_MS / 1000);
            w.silent = 1;
        }
    }
done:
    fflush(stdout);
    pw_catalog_close(&w.cat);
    cli_conn_close(&w.store);
    pw_zsock_close(&w.sub);
    if (w.ctx)
        zmq_ctx_term(w.ctx);
    return status;
}
