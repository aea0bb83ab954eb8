/* http_read.c - the read API and the data the pages need, all from the
 * store: the catalog it runs with (QUERY_CATALOG, loaded once), a cache of
 * every stored update for the charts (brought up to date with
 * QUERY_SNAPSHOT after the last seq seen: stored updates never change, so
 * an incremental copy is exact), and per request QUERY_STATUS (the store's
 * own evaluation), QUERY_HISTORY and QUERY_ALERTS (open alerts with their
 * acknowledgements). Answers are rendered by libplanwatch's reports (the
 * same columns as `planwatch status` / `history`). Status, history and the
 * report take ?known_at= (only the revisions received by then). Reports are
 * published (POST /api/v1/reports: the report rendered here, kept by the
 * store byte for byte) and read back (/api/v1/reports[/{id}]). A store that
 * does not answer gives 503 with Retry-After. */
#include <jansson.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "clock.h"
#include "err.h"
#include "explain_ja.h"
#include "followup.h"
#include "fy.h"
#include "http.h"
#include "log.h"
#include "msg.h"
#include "report.h"
#include "zsock.h"

#define RD_SNAPSHOT_CHUNK 5000

/* ---- helpers --------------------------------------------------------------- */

/* Sends what was written to a memstream. */
/* Sends what was written to the memstream f (of *buf, *len); closes it. */
static void rd_send(struct http_req *r, unsigned status, const char *ctype, char **buf,
                    size_t *len, FILE *f, int rc)
{
    if (f)
        fclose(f); /* sets *buf and *len */
    if (rc || !*buf)
        http_req_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, rc ? rc : PW_ENOMEM, "could not render");
    else
        http_req_respond(r, status, ctype, *buf, *len, NULL);
    free(*buf);
}

/* The store's answer as an HTTP error when it is not a good reply; 0 when it is. */
static int rd_store_failed(struct http_req *r, int rc, Planwatch__V1__MsgType type,
                           const ProtobufCMessage *m)
{
    if (!rc && type == PLANWATCH__V1__MSG_TYPE__MSG_ERROR) {
        /* the store refused the request itself: say why, not "try again" */
        const Planwatch__V1__ErrorReply *e = (const Planwatch__V1__ErrorReply *)m;
        http_req_error(r, http_status_of(e->code), e->code, e->reason);
        return 1;
    }
    if (rc || type != PLANWATCH__V1__MSG_TYPE__MSG_QUERY_REPLY) {
        http_req_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, rc ? rc : PW_EWIRE,
                       "the store did not answer; try again");
        return 1;
    }
    const Planwatch__V1__QueryReply *q = (const Planwatch__V1__QueryReply *)m;
    if (q->code == PW_ENOTFOUND) {
        http_req_error(r, MHD_HTTP_NOT_FOUND, q->code, q->error ? q->error : "not found");
        return 1;
    }
    if (q->code == PW_EINVAL) {
        http_req_error(r, MHD_HTTP_BAD_REQUEST, q->code, q->error ? q->error : "bad request");
        return 1;
    }
    if (q->code) {
        http_req_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, q->code,
                       q->error ? q->error : "the store could not answer");
        return 1;
    }
    return 0;
}

/* ?known_at= (an instant, or a date = the end of that day in Japan) into
 * *ns; absent: 0 (every revision). Answers 400 and returns 1 when malformed. */
static int rd_known_at(struct http_req *r, int64_t *ns)
{
    const char *k = http_req_arg(r, "known_at");
    char buf[64];
    *ns = 0;
    if (!k || !k[0])
        return 0;
    /* "+09:00" unencoded in a query string arrives as " 09:00" */
    snprintf(buf, sizeof buf, "%s", k);
    for (char *p = strchr(buf, ' '); p; p = strchr(p, ' '))
        *p = '+';
    if (strlen(k) >= sizeof buf || pw_clock_parse_known_at(buf, ns) || *ns <= 0) {
        http_req_error(r, MHD_HTTP_BAD_REQUEST, PW_EINVAL,
                       "known_at is an instant YYYY-MM-DDTHH:MM:SS+09:00 (or Z) or a date YYYY-MM-DD");
        return 1;
    }
    return 0;
}

/* Sends doc (consumed; NULL: out of memory) as indented JSON. */
static void rd_json(struct http_req *r, unsigned status, json_t *doc, const char *extra)
{
    char *text = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
    if (text)
        http_req_respond(r, status, "application/json", text, strlen(text), extra);
    else
        http_req_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, PW_ENOMEM, "out of memory");
    free(text);
    json_decref(doc);
}

/* 503 unless the catalog is there (and asks for it). */
static int rd_need_catalog(struct http *h, struct http_req *r)
{
    if (h->cat)
        return 0;
    http_catalog_load(h);
    http_req_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, PW_EUNAVAILABLE,
                   "the store's catalog is not loaded yet (store not reachable); try again");
    return 1;
}

/* Checks ?plan= and ?project= against the catalog (400 when unknown). */
static int rd_bad_filter(struct http *h, struct http_req *r, const char *plan, const char *project)
{
    char why[200];
    if (plan && plan[0] && !pw_catalog_find_plan(h->cat, plan)) {
        snprintf(why, sizeof why, "no plan '%.64s' in the catalog", plan);
        http_req_error(r, MHD_HTTP_BAD_REQUEST, PW_ENOTFOUND, why);
        return 1;
    }
    if (!project || !project[0])
        return 0;
    for (size_t i = 0; i < pw_catalog_count(h->cat); i++) {
        const struct pw_indicator *ind = pw_catalog_at(h->cat, i);
        if ((!plan || !plan[0] || strcmp(ind->plan->id, plan) == 0) &&
            strcmp(pw_indicator_project_id(ind), project) == 0)
            return 0;
    }
    snprintf(why, sizeof why, "no project '%.64s' in the catalog", project);
    http_req_error(r, MHD_HTTP_BAD_REQUEST, PW_ENOTFOUND, why);
    return 1;
}

/* ---- catalog ----------------------------------------------------------------- */

static void rd_catalog_done(struct http *h, void *arg, int rc, Planwatch__V1__MsgType type,
                            const ProtobufCMessage *m)
{
    (void)arg;
    h->cat_loading = 0;
    if (rc || type != PLANWATCH__V1__MSG_TYPE__MSG_QUERY_REPLY ||
        ((const Planwatch__V1__QueryReply *)m)->code)
        return; /* asked again at the next request or tick */
    struct pw_diag d = {0};
    char msg[600];
    if (pw_msg_catalog_load((const Planwatch__V1__QueryReply *)m, &h->cat, &d))
        pw_error("msg=\"the store's catalog is not valid\" %s",
                 pw_diag_format(&d, NULL, msg, sizeof msg));
    else if (pw_history_open(&h->hist, h->cat) ||
             !(h->ind_seq = calloc(pw_catalog_count(h->cat) + 1, sizeof *h->ind_seq))) {
        pw_history_close(&h->hist);
        pw_catalog_close(&h->cat);
    }
    else
        pw_info("msg=\"catalog loaded from the store\" indicators=%zu", pw_catalog_count(h->cat));
}

void http_catalog_load(struct http *h)
{
    if (h->cat || h->cat_loading)
        return;
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_CATALOG;
    h->cat_loading = 1;
    http_up_query(h, &q, rd_catalog_done, NULL);
}

/* ---- the chart cache ---------------------------------------------------------- */

struct http_hist_waiter {
    struct http_req *r;
    void (*then)(struct http *, struct http_req *, int);
    struct http_hist_waiter *next;
};

static void rd_hist_finish(struct http *h, int rc)
{
    struct http_hist_waiter *w = h->hist_waiters;
    h->hist_waiters = NULL;
    h->hist_loading = 0;
    while (w) {
        struct http_hist_waiter *next = w->next;
        w->then(h, w->r, rc);
        free(w);
        w = next;
    }
}

static void rd_hist_ask(struct http *h);

static void rd_hist_done(struct http *h, void *arg, int rc, Planwatch__V1__MsgType type,
                         const ProtobufCMessage *m)
{
    (void)arg;
    if (rc || type != PLANWATCH__V1__MSG_TYPE__MSG_QUERY_REPLY ||
        ((const Planwatch__V1__QueryReply *)m)->code) {
        rd_hist_finish(h, PW_EUNAVAILABLE);
        return;
    }
    const Planwatch__V1__QueryReply *q = (const Planwatch__V1__QueryReply *)m;
    for (size_t i = 0; i < q->n_updates; i++) {
        const Planwatch__V1__IndicatorUpdate *u = q->updates[i];
        const struct pw_indicator *ind = pw_catalog_find(h->cat, u->indicator_id);
        if (u->seq <= h->hist_seq)
            continue;
        h->hist_seq = u->seq;
        struct pw_obs o;
        if (!ind)
            continue;
        pw_msg_obs_from_update(&o, u, ind);
        if (pw_history_add(h->hist, ind, &o)) {
            rd_hist_finish(h, PW_ENOMEM);
            return;
        }
        h->ind_seq[ind->index] = u->seq; /* stale acknowledgements (http_alert_item) */
    }
    if (q->more && q->n_updates)
        rd_hist_ask(h);
    else
        rd_hist_finish(h, 0);
}

static void rd_hist_ask(struct http *h)
{
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_SNAPSHOT;
    q.after_seq = h->hist_seq;
    q.limit = RD_SNAPSHOT_CHUNK;
    http_up_query(h, &q, rd_hist_done, NULL);
}

void http_hist_refresh(struct http *h, struct http_req *r,
                       void (*then)(struct http *, struct http_req *, int))
{
    struct http_hist_waiter *w = h->cat ? calloc(1, sizeof *w) : NULL;
    if (!w) {
        then(h, r, h->cat ? PW_ENOMEM : PW_EUNAVAILABLE);
        return;
    }
    w->r = r;
    w->then = then;
    w->next = h->hist_waiters;
    h->hist_waiters = w;
    if (!h->hist_loading) {
        h->hist_loading = 1;
        rd_hist_ask(h);
    }
}

/* ---- GET /api/v1/status ------------------------------------------------------- */

static void rd_status_done(struct http *h, void *arg, int rc, Planwatch__V1__MsgType type,
                           const ProtobufCMessage *m)
{
    struct http_req *r = arg;
    if (rd_store_failed(r, rc, type, m))
        return;
    const Planwatch__V1__QueryReply *q = (const Planwatch__V1__QueryReply *)m;
    struct pw_status_row *rows = NULL;
    size_t n = 0;
    const char *bad = NULL;
    char *buf = NULL;
    size_t len = 0;
    rc = pw_msg_status_rows(h->cat, q->rows, q->n_rows, &rows, &n, &bad);
    if (rc) {
        http_req_error(r, MHD_HTTP_BAD_GATEWAY, rc, "the store's status rows do not match its catalog");
        return;
    }
    int csv = http_req_wants_csv(r);
    FILE *f = open_memstream(&buf, &len);
    rc = f ? pw_report_status(f, rows, n, csv ? PW_FMT_CSV : PW_FMT_JSON) : PW_ENOMEM;
    free(rows);
    rd_send(r, MHD_HTTP_OK, csv ? "text/csv; charset=utf-8" : "application/json", &buf, &len, f, rc);
}

void http_read_status(struct http *h, struct http_req *r)
{
    const char *as_of = http_req_arg(r, "as_of"), *plan = http_req_arg(r, "plan"),
               *project = http_req_arg(r, "project");
    int32_t day;
    int64_t known_at;
    if (rd_need_catalog(h, r) || rd_bad_filter(h, r, plan, project))
        return;
    if (as_of && as_of[0] && pw_day_parse(as_of, &day)) {
        http_req_error(r, MHD_HTTP_BAD_REQUEST, PW_EINVAL, "as_of is not a date YYYY-MM-DD");
        return;
    }
    if (rd_known_at(r, &known_at))
        return;
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_STATUS;
    q.known_at_ns = known_at;
    q.as_of = (char *)(as_of ? as_of : "");
    q.plan = (char *)(plan ? plan : "");
    q.project = (char *)(project ? project : "");
    http_up_query(h, &q, rd_status_done, r);
}

/* ---- GET /api/v1/indicators/{id}/history -------------------------------------- */

struct rd_hist_req {
    char id[PW_ID_MAX + 1];
};

static void rd_history_done(struct http *h, void *arg, int rc, Planwatch__V1__MsgType type,
                            const ProtobufCMessage *m)
{
    (void)h;
    struct http_req *r = arg;
    if (rd_store_failed(r, rc, type, m))
        return;
    const Planwatch__V1__QueryReply *q = (const Planwatch__V1__QueryReply *)m;
    const struct rd_hist_req *s = http_req_state(r);
    char *buf = NULL;
    size_t len = 0;
    int csv = http_req_wants_csv(r);
    FILE *f = open_memstream(&buf, &len);
    rc = f ? pw_report_history(f, s->id, q->updates, q->n_updates, csv ? PW_FMT_CSV : PW_FMT_JSON)
           : PW_ENOMEM;
    rd_send(r, MHD_HTTP_OK, csv ? "text/csv; charset=utf-8" : "application/json", &buf, &len, f, rc);
}

void http_read_history(struct http *h, struct http_req *r, const char *id)
{
    int64_t known_at;
    if (rd_known_at(r, &known_at))
        return;
    struct rd_hist_req *s = calloc(1, sizeof *s);
    if (!s) {
        http_req_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, PW_ENOMEM, "out of memory");
        return;
    }
    snprintf(s->id, sizeof s->id, "%s", id);
    http_req_set_state(r, s, free);
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_HISTORY;
    q.indicator_id = s->id;
    q.known_at_ns = known_at;
    http_up_query(h, &q, rd_history_done, r);
}

/* ---- GET /api/v1/alerts ---------------------------------------------------------- */

/* An enum value's name without its prefix ("STATUS_BEHIND" -> "BEHIND"). */
static const char *rd_enum(const ProtobufCEnumDescriptor *d, int v, const char *prefix)
{
    const ProtobufCEnumValue *e = protobuf_c_enum_descriptor_get_value(d, v);
    size_t n = strlen(prefix);
    if (!e)
        return "?";
    return strncmp(e->name, prefix, n) == 0 ? e->name + n : e->name;
}

static void rd_alerts_done(struct http *h, void *arg, int rc, Planwatch__V1__MsgType type,
                           const ProtobufCMessage *m)
{
    (void)h;
    struct http_req *r = arg;
    if (rd_store_failed(r, rc, type, m))
        return;
    const Planwatch__V1__QueryReply *q = (const Planwatch__V1__QueryReply *)m;
    json_t *alerts = json_array(), *sil = json_array();
    char t[32];
    for (size_t i = 0; i < q->n_alerts; i++) {
        const Planwatch__V1__Alert *a = q->alerts[i];
        json_t *acks = json_array();
        for (size_t k = 0; k < q->n_acks; k++)
            if (a->alert_id && q->acks[k]->alert_id && !strcmp(a->alert_id, q->acks[k]->alert_id))
                json_array_append_new(
                    acks, json_pack("{s:s, s:s, s:s}", "by", q->acks[k]->by ? q->acks[k]->by : "",
                                    "reason", q->acks[k]->reason ? q->acks[k]->reason : "", "time",
                                    pw_msg_time(q->acks[k]->time_ns, t, sizeof t)));
        json_array_append_new(
            alerts,
            json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:o}",
                      "alert_id", a->alert_id ? a->alert_id : "", "seq", (json_int_t)a->seq,
                      "indicator_id", a->indicator_id ? a->indicator_id : "", "plan",
                      a->plan ? a->plan : "", "project", a->project ? a->project : "", "name",
                      a->name ? a->name : "", "kind",
                      rd_enum(&planwatch__v1__alert_kind__descriptor, (int)a->kind, "ALERT_KIND_"),
                      "status", rd_enum(&planwatch__v1__status__descriptor, (int)a->status, "STATUS_"),
                      "severity",
                      rd_enum(&planwatch__v1__severity__descriptor, (int)a->severity, "SEVERITY_"),
                      "summary", a->summary ? a->summary : "", "time",
                      pw_msg_time(a->time_ns, t, sizeof t), "acknowledged", a->acknowledged,
                      "silenced", a->silenced, "acks", acks));
    }
    for (size_t i = 0; i < q->n_silences; i++) {
        const Planwatch__V1__Silence *s = q->silences[i];
        json_array_append_new(
            sil, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)s->id,
                           "plan", s->plan ? s->plan : "",
                           "project", s->project ? s->project : "", "indicator_id",
                           s->indicator_id ? s->indicator_id : "", "until",
                           s->until ? s->until : "", "comment", s->comment ? s->comment : "", "by",
                           s->by ? s->by : ""));
    }
    rd_json(r, MHD_HTTP_OK, json_pack("{s:o, s:o}", "alerts", alerts, "silences", sil), NULL);
}

void http_read_alerts(struct http *h, struct http_req *r)
{
    const char *plan = http_req_arg(r, "plan"), *project = http_req_arg(r, "project"),
               *ind = http_req_arg(r, "indicator");
    if (rd_need_catalog(h, r) || rd_bad_filter(h, r, plan, project))
        return;
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_ALERTS;
    q.plan = (char *)(plan ? plan : "");
    q.project = (char *)(project ? project : "");
    q.indicator_id = (char *)(ind ? ind : "");
    http_up_query(h, &q, rd_alerts_done, r);
}

/* ---- GET /api/v1/report ------------------------------------------------------------ */

struct rd_report {
    const struct pw_plan *plan;
    int fy;
    enum pw_followup_format fmt;
    struct pw_followup_row *rows;
    size_t n;
    char **acks;       /* per row, malloc'd or NULL */
    int64_t known_at;  /* asked (0: none), then the instant the store evaluated */
    int known_given;
    int publish;       /* POST /api/v1/reports: keep it, answer its id */
    char by[129];      /* publish: ?by=, else the token's office */
    int bom;           /* csv: ?bom= (default true) */
    enum pw_lang lang; /* ?lang=: 進捗の詳細's language (default ja) */
};

/* Formats whose rendering needs every indicator's history (the charts, or
 * in xlsx their numbers). */
static int rd_report_charts(enum pw_followup_format f)
{
    return f == PW_FOLLOWUP_HTML || f == PW_FOLLOWUP_PDF || f == PW_FOLLOWUP_XLSX;
}

static void rd_report_free(void *p)
{
    struct rd_report *x = p;
    for (size_t i = 0; x && x->acks && i < x->n; i++)
        free(x->acks[i]);
    if (x) {
        free(x->acks);
        free(x->rows);
    }
    free(x);
}

static void rd_publish(struct http *h, struct http_req *r, const struct rd_report *x,
                       const char *body, size_t len);

static void rd_report_render(struct http *h, struct http_req *r, int rc)
{
    struct rd_report *x = http_req_state(r);
    struct pw_chart *charts = NULL;
    char *buf = NULL;
    size_t len = 0;
    struct pw_history *then = NULL; /* the charts at a past known-at: what was known */
    (void)rc; /* a stale chart cache still draws what it has */
    if (rd_report_charts(x->fmt) &&
        (!x->known_given || pw_history_copy_known(h->hist, x->known_at, &then) == 0))
        pw_followup_charts(x->rows, x->n, then ? then : h->hist, pw_fy_first_day(x->fy + 1) - 1,
                           &charts);
    FILE *f = open_memstream(&buf, &len);
    /* the store's evaluation instant says whether the year is 途中経過; pdf
     * blocks this loop while chromium prints (seconds, bounded by its timeout) */
    struct pw_followup_opts fo = {.bom = x->bom, .renderer = h->pdf_renderer};
    fo.known_day = x->known_at > 0 ? pw_day_of_ns(x->known_at) : pw_clock_today(&h->clock);
    rc = f ? pw_followup_write_opts(f, x->plan, x->fy, x->rows, x->n, x->fmt, &fo) : PW_ENOMEM;
    for (size_t i = 0; i < x->n; i++)
        x->rows[i].chart = NULL;
    free(charts);
    pw_history_close(&then);
    if (x->publish) {
        if (f)
            fclose(f);
        if (rc || !buf)
            http_req_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, rc ? rc : PW_ENOMEM, "could not render");
        else
            rd_publish(h, r, x, buf, len);
        free(buf);
        return;
    }
    rd_send(r, MHD_HTTP_OK, pw_followup_format_ctype(x->fmt), &buf, &len, f, rc);
}

static void rd_report_acks(struct http *h, void *arg, int rc, Planwatch__V1__MsgType type,
                           const ProtobufCMessage *m)
{
    struct http_req *r = arg;
    struct rd_report *x = http_req_state(r);
    /* no answer: the report goes without the reasons */
    if (!rc && type == PLANWATCH__V1__MSG_TYPE__MSG_QUERY_REPLY &&
        !((const Planwatch__V1__QueryReply *)m)->code) {
        const Planwatch__V1__QueryReply *q = (const Planwatch__V1__QueryReply *)m;
        pw_followup_acks(x->rows, x->n, q->acks, q->n_acks, x->fy, x->known_at, &x->acks);
    }
    if (rd_report_charts(x->fmt))
        http_hist_refresh(h, r, rd_report_render);
    else
        rd_report_render(h, r, 0);
}

static void rd_report_status(struct http *h, void *arg, int rc, Planwatch__V1__MsgType type,
                             const ProtobufCMessage *m)
{
    struct http_req *r = arg;
    struct rd_report *x = http_req_state(r);
    if (rd_store_failed(r, rc, type, m))
        return;
    const Planwatch__V1__QueryReply *q = (const Planwatch__V1__QueryReply *)m;
    const char *bad = NULL;
    x->known_at = q->known_at_ns;
    if (pw_followup_rows_from_reply(h->cat, q->rows, q->n_rows, &x->rows, &x->n, &bad)) {
        http_req_error(r, MHD_HTTP_BAD_GATEWAY, PW_EWIRE, "the store's status rows do not match its catalog");
        return;
    }
    for (size_t i = 0; i < x->n; i++)
        x->rows[i].lang = x->lang;
    Planwatch__V1__Query aq;
    pw_msg_acks_query(&aq, x->plan->id);
    http_up_query(h, &aq, rd_report_acks, r);
}

void http_read_report(struct http *h, struct http_req *r)
{
    const char *plan = http_req_arg(r, "plan"), *fy = http_req_arg(r, "fy"),
               *fmt = http_req_arg(r, "format");
    struct rd_report *x;
    char day[11];
    if (rd_need_catalog(h, r))
        return;
    /* a report is of one plan: an empty plan is not "every plan" here */
    if (!plan || !plan[0] || !fy) {
        http_req_error(r, MHD_HTTP_BAD_REQUEST, PW_EINVAL,
                       "give ?plan=P&fy=Y[&format=csv|md|html|xlsx|pdf][&bom=false]");
        return;
    }
    if (rd_bad_filter(h, r, plan, NULL))
        return;
    if (!(x = calloc(1, sizeof *x))) {
        http_req_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, PW_ENOMEM, "out of memory");
        return;
    }
    http_req_set_state(r, x, rd_report_free);
    if (rd_known_at(r, &x->known_at))
        return;
    x->known_given = x->known_at != 0;
    x->publish = strcmp(r->method, "POST") == 0;
    if (x->publish) {
        const char *by = http_req_arg(r, "by");
        snprintf(x->by, sizeof x->by, "%s", by && by[0] ? by : http_req_office(r));
        if (by && strlen(by) >= sizeof x->by) {
            http_req_error(r, MHD_HTTP_BAD_REQUEST, PW_ETOOBIG, "by: at most 128 bytes");
            return;
        }
    }
    x->plan = pw_catalog_find_plan(h->cat, plan); /* exists: rd_bad_filter checked it */
    x->fmt = PW_FOLLOWUP_HTML;
    const char *bom = http_req_arg(r, "bom"), *lang = http_req_arg(r, "lang");
    x->bom = 1;
    if (pw_fy_parse(fy, &x->fy) || (fmt && pw_followup_format_parse(fmt, &x->fmt)) ||
        (bom && pw_cfg_parse_bool(bom, &x->bom)) ||
        (lang && lang[0] && pw_lang_parse(lang, &x->lang))) {
        http_req_error(r, MHD_HTTP_BAD_REQUEST, PW_EINVAL,
                       "fy is a fiscal year (2024, FY2024, 令和6, R6); format is csv, md, html, "
                       "xlsx or pdf; bom is true or false; lang is ja or en");
        return;
    }
    if (x->fmt == PW_FOLLOWUP_PDF && !h->pdf_renderer[0]) {
        http_req_error(r, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, PW_EUNAVAILABLE,
                       "format=pdf needs chromium (and fonts-noto-cjk) on the server, found at "
                       "start-up: none was; use format=html and print it");
        return;
    }
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_STATUS;
    q.as_of = pw_day_format(pw_fy_first_day(x->fy + 1) - 1, day);
    q.plan = (char *)plan;
    q.known_at_ns = x->known_at;
    http_up_query(h, &q, rd_report_status, r);
}

/* ---- published reports --------------------------------------------------------------- */

static json_t *rd_published_json(const Planwatch__V1__PublishedReport *p)
{
    char known[32], pub[32], url[64];
    snprintf(url, sizeof url, "/api/v1/reports/%llu", (unsigned long long)p->id);
    return json_pack("{s:I, s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s}", "id",
                     (json_int_t)p->id, "plan", p->plan ? p->plan : "", "fiscal_year",
                     (int)p->fiscal_year, "format", p->format ? p->format : "", "as_of",
                     p->as_of ? p->as_of : "", "known_at",
                     pw_msg_time(p->known_at_ns, known, sizeof known), "published",
                     pw_msg_time(p->published_ns, pub, sizeof pub), "by", p->by ? p->by : "",
                     "office", p->office ? p->office : "", "catalog_digest",
                     p->catalog_digest ? p->catalog_digest : "", "bytes", (json_int_t)p->size,
                     "url", url);
}


/* What x is as a publication (no id, no body); p borrows x, r and day (11 bytes). */
static void rd_record(Planwatch__V1__PublishedReport *p, const struct rd_report *x,
                      const struct http_req *r, char *day)
{
    planwatch__v1__published_report__init(p);
    p->plan = (char *)x->plan->id;
    p->fiscal_year = x->fy;
    p->format = (char *)pw_followup_format_name(x->fmt);
    p->as_of = pw_day_format(pw_fy_first_day(x->fy + 1) - 1, day);
    p->known_at_ns = x->known_at;
    p->by = (char *)x->by;
    p->office = (char *)http_req_office(r);
}

static void rd_publish_done(struct http *h, void *arg, int rc, Planwatch__V1__MsgType type,
                            const ProtobufCMessage *m)
{
    (void)h;
    struct http_req *r = arg;
    if (rd_store_failed(r, rc, type, m))
        return;
    const Planwatch__V1__QueryReply *q = (const Planwatch__V1__QueryReply *)m;
    Planwatch__V1__PublishedReport p;
    char day[11], loc[80];
    rd_record(&p, http_req_state(r), r, day);
    p.id = q->id;
    snprintf(loc, sizeof loc, "Location: /api/v1/reports/%llu", (unsigned long long)q->id);
    json_t *doc = rd_published_json(&p);
    json_object_del(doc, "published"); /* the store's record says it: GET the list */
    json_object_del(doc, "catalog_digest");
    json_object_del(doc, "bytes");
    rd_json(r, MHD_HTTP_CREATED, doc, loc);
}

static void rd_publish(struct http *h, struct http_req *r, const struct rd_report *x,
                       const char *body, size_t len)
{
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    Planwatch__V1__PublishedReport p;
    char day[11];
    rd_record(&p, x, r, day);
    p.body.data = (uint8_t *)body;
    p.body.len = len;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_REPORT_PUBLISH;
    q.report = &p;
    http_up_query(h, &q, rd_publish_done, r); /* packed at once: body may go after */
}

void http_read_publish(struct http *h, struct http_req *r)
{
    http_read_report(h, r); /* the same report; rd_report_render publishes it */
}

/* Answers 200 {key: [conv(items[0]), ...]} (a list of store records). */
static void rd_list(struct http_req *r, const char *key, void *const *items, size_t n,
                    json_t *(*conv)(const void *))
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, conv(items[i]));
    rd_json(r, MHD_HTTP_OK, a ? json_pack("{s:o}", key, a) : NULL, NULL);
}

static json_t *rd_published_any(const void *p)
{
    return rd_published_json(p);
}

static void rd_reports_done(struct http *h, void *arg, int rc, Planwatch__V1__MsgType type,
                            const ProtobufCMessage *m)
{
    (void)h;
    struct http_req *r = arg;
    if (rd_store_failed(r, rc, type, m))
        return;
    const Planwatch__V1__QueryReply *q = (const Planwatch__V1__QueryReply *)m;
    rd_list(r, "reports", (void *const *)q->reports, q->n_reports, rd_published_any);
}

void http_read_reports(struct http *h, struct http_req *r)
{
    const char *plan = http_req_arg(r, "plan");
    if (rd_need_catalog(h, r) || rd_bad_filter(h, r, plan, NULL))
        return;
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_REPORTS;
    q.plan = (char *)(plan ? plan : "");
    http_up_query(h, &q, rd_reports_done, r);
}

static void rd_published_done(struct http *h, void *arg, int rc, Planwatch__V1__MsgType type,
                              const ProtobufCMessage *m)
{
    (void)h;
    struct http_req *r = arg;
    if (rd_store_failed(r, rc, type, m))
        return;
    const Planwatch__V1__QueryReply *q = (const Planwatch__V1__QueryReply *)m;
    enum pw_followup_format f = PW_FOLLOWUP_HTML;
    if (q->n_reports != 1 || !q->reports[0]->format ||
        pw_followup_format_parse(q->reports[0]->format, &f)) {
        http_req_error(r, MHD_HTTP_BAD_GATEWAY, PW_EWIRE, "the store's answer holds no report");
        return;
    }
    const ProtobufCBinaryData *b = &q->reports[0]->body;
    http_req_respond(r, MHD_HTTP_OK, pw_followup_format_ctype(f), (const char *)b->data, b->len,
                     NULL);
}

void http_read_published(struct http *h, struct http_req *r, const char *id)
{
    char *end = NULL;
    unsigned long long v = id[0] >= '1' && id[0] <= '9' ? strtoull(id, &end, 10) : 0;
    if (!v || !end || *end) {
        http_req_error(r, MHD_HTTP_NOT_FOUND, PW_ENOTFOUND, "no such report (ids are 1, 2, ...)");
        return;
    }
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_REPORT_GET;
    q.id = v;
    http_up_query(h, &q, rd_published_done, r);
}

/* ---- POST and GET /api/v1/assessments ------------------------------------------- */

static json_t *rd_assessment_json(const void *p)
{
    const Planwatch__V1__Assessment *a = p;
    char t[32];
    return json_pack("{s:s, s:i, s:s?, s:s, s:s, s:s, s:s, s:b, s:s}", "indicator_id",
                     a->indicator_id ? a->indicator_id : "", "fiscal_year", (int)a->fiscal_year,
                     "grade", a->withdrawn ? NULL : a->grade, "reason", a->reason ? a->reason : "",
                     "by", a->by ? a->by : "", "office", a->office ? a->office : "", "recorded",
                     pw_msg_time(a->received_ns, t, sizeof t), "withdrawn", (int)a->withdrawn,
                     "source", a->source ? a->source : "");
}

static void rd_assess_done(struct http *h, void *arg, int rc, Planwatch__V1__MsgType type,
                           const ProtobufCMessage *m)
{
    (void)h;
    struct http_req *r = arg;
    if (rd_store_failed(r, rc, type, m))
        return;
    size_t len = 0;
    const char *body = http_req_body(r, &len);
    json_t *doc = json_loadb(body, len, 0, NULL); /* what was recorded: the request, checked */
    if (doc)
        json_object_set_new(doc, "status", json_string("recorded"));
    rd_json(r, MHD_HTTP_CREATED, doc, NULL);
}

void http_read_assess(struct http *h, struct http_req *r)
{
    size_t len = 0;
    const char *body = http_req_body(r, &len);
    json_error_t err;
    json_t *in = json_loadb(body, len, 0, &err);
    const char *id = NULL, *grade = NULL, *reason = NULL, *by = NULL;
    int fy = 0, withdraw = 0;
    if (!in || json_unpack(in, "{s:s, s:i, s?s, s?s, s?s, s?b}", "indicator_id", &id,
                           "fiscal_year", &fy, "grade", &grade, "reason", &reason, "by", &by,
                           "withdraw", &withdraw)) {
        json_decref(in);
        http_req_error(r, MHD_HTTP_BAD_REQUEST, PW_EINVAL,
                       "send JSON {\"indicator_id\": ID, \"fiscal_year\": Y, \"grade\": \"A\"|\"B\", "
                       "\"reason\": TEXT, \"by\": NAME} or with \"withdraw\": true");
        return;
    }
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    Planwatch__V1__Assessment a = PLANWATCH__V1__ASSESSMENT__INIT;
    a.indicator_id = (char *)id;
    a.fiscal_year = fy;
    a.grade = (char *)(grade ? grade : "");
    a.reason = (char *)(reason ? reason : "");
    a.by = (char *)(by ? by : "");
    a.withdrawn = withdraw != 0;
    a.office = (char *)http_req_office(r);
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_ASSESS;
    q.assessment = &a;
    http_up_query(h, &q, rd_assess_done, r); /* packed at once: in may go after */
    json_decref(in);
}

static void rd_assessments_done(struct http *h, void *arg, int rc, Planwatch__V1__MsgType type,
                                const ProtobufCMessage *m)
{
    (void)h;
    struct http_req *r = arg;
    if (rd_store_failed(r, rc, type, m))
        return;
    const Planwatch__V1__QueryReply *q = (const Planwatch__V1__QueryReply *)m;
    rd_list(r, "assessments", (void *const *)q->assessments, q->n_assessments, rd_assessment_json);
}

void http_read_assessments(struct http *h, struct http_req *r)
{
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    const char *hist = http_req_arg(r, "history");
    if (rd_known_at(r, &q.known_at_ns))
        return;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_ASSESSMENTS;
    q.history = hist && strcmp(hist, "true") == 0;
    http_up_query(h, &q, rd_assessments_done, r);
}

/* ---- GET /api/v1/health ------------------------------------------------------------ */

void http_read_health(struct http *h, struct http_req *r)
{
    int64_t now = pw_now_ms();
    int store = http_up_ready(h->store, now), ingest = http_up_ready(h->ingest, now);
    int ready = h->cat != NULL && store;
    char buf[300];
    int n = snprintf(buf, sizeof buf,
                     "{\"ready\": %s, \"catalog\": %s, \"store\": %s, \"ingest\": %s, "
                     "\"chart_seq\": %llu}\n",
                     ready ? "true" : "false", h->cat ? "true" : "false", store ? "true" : "false",
                     ingest ? "true" : "false", (unsigned long long)h->hist_seq);
    http_req_respond(r, ready ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE, "application/json", buf,
                     (size_t)n, ready ? NULL : "Retry-After: 1");
}
