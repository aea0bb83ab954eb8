/* msg.c - domain <-> protobuf conversions (see msg.h). */
#include "msg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dec.h"
#include "err.h"
#include "fy.h"
#include "text.h"

void pw_msg_update_from_row(Planwatch__V1__IndicatorUpdate *u, const struct pw_feed_row *r,
                            char *as_of_buf)
{
    planwatch__v1__indicator_update__init(u);
    u->update_id = (char *)r->update_id;
    u->indicator_id = (char *)r->indicator_id;
    u->fiscal_year = r->fy;
    u->value_micros = r->value;
    u->basis = r->basis < 0                        ? PLANWATCH__V1__BASIS__BASIS_UNSPECIFIED
               : r->basis == PW_BASIS_CUMULATIVE ? PLANWATCH__V1__BASIS__BASIS_CUMULATIVE
                                                 : PLANWATCH__V1__BASIS__BASIS_ANNUAL;
    u->preliminary = r->preliminary != 0;
    as_of_buf[0] = '\0';
    if (r->as_of != PW_NO_DAY)
        pw_day_format(r->as_of, as_of_buf);
    u->as_of = as_of_buf;
    u->note = (char *)(r->note ? r->note : "");
    u->row = r->row;
    u->retracted = r->retract != 0;
}

/* The refusal of a text that is not clean UTF-8 (text.h). */
static int msg_unclean(struct pw_diag *d, const char *file, int row, const char *field,
                       const char *s)
{
    return pw_text_utf8(s, strlen(s))
               ? pw_diag_set(d, PW_EFEED_VALUE, file, row, field,
                             "contains a control character (escape, bell...)")
               : pw_diag_set(d, PW_EFEED_ENCODING, file, row, field, "not UTF-8");
}

/* A value a reason quotes back: escaped, cut with "…" as feed.c's are
 * (PW_TEXT_ECHO_MAX bytes). */
#define MSG_QUOTE_CAP (PW_TEXT_ECHO_MAX + 1)
static const char *msg_quote(const char *s, char q[MSG_QUOTE_CAP])
{
    return pw_text_escape(s, strlen(s), q, MSG_QUOTE_CAP);
}

int pw_msg_row_from_update(struct pw_feed_row *r, const Planwatch__V1__IndicatorUpdate *u,
                           const char *file, struct pw_diag *d)
{
    char q[MSG_QUOTE_CAP];
    memset(r, 0, sizeof *r);
    r->row = u->row;
    r->as_of = PW_NO_DAY;
    r->note = u->note ? u->note : "";
    if (!u->indicator_id || !u->indicator_id[0])
        return pw_diag_set(d, PW_EFEED_MISSING, file, r->row, "indicator_id", "required, but empty");
    if (strlen(u->indicator_id) > PW_ID_MAX)
        return pw_diag_set(d, PW_EFEED_TOOLONG, file, r->row, "indicator_id",
                           "longer than %d bytes", PW_ID_MAX);
    memcpy(r->indicator_id, u->indicator_id, strlen(u->indicator_id) + 1);
    /* an empty update_id is ingest's to derive (feedid.h) */
    if (u->update_id && u->update_id[0]) {
        if (pw_feed_parse_update_id(u->update_id))
            return pw_diag_set(d, PW_EFEED_UPDATE_ID, file, r->row, "update_id",
                               "'%s' is not 1-%d of [A-Za-z0-9._:-]", msg_quote(u->update_id, q),
                               PW_UPDATE_ID_MAX);
        memcpy(r->update_id, u->update_id, strlen(u->update_id) + 1);
    }
    r->retract = u->retracted;
    if (u->fiscal_year < PW_FY_MIN || u->fiscal_year > PW_FY_MAX)
        return pw_diag_set(d, PW_EFEED_FY, file, r->row, "fiscal_year",
                           "%d is not a fiscal year from %d to %d", u->fiscal_year, PW_FY_MIN,
                           PW_FY_MAX);
    r->fy = u->fiscal_year;
    if (u->value_micros > PW_DEC_MAX || u->value_micros < -PW_DEC_MAX)
        return pw_diag_set(d, PW_EFEED_VALUE, file, r->row, "value", "out of range (|value| <= 10^12)");
    r->value = u->value_micros;
    switch (u->basis) {
    case PLANWATCH__V1__BASIS__BASIS_UNSPECIFIED:
        r->basis = -1;
        break;
    case PLANWATCH__V1__BASIS__BASIS_CUMULATIVE:
        r->basis = PW_BASIS_CUMULATIVE;
        break;
    case PLANWATCH__V1__BASIS__BASIS_ANNUAL:
        r->basis = PW_BASIS_ANNUAL;
        break;
    default:
        return pw_diag_set(d, PW_EFEED_BASIS, file, r->row, "basis", "unknown basis %d",
                           (int)u->basis);
    }
    r->preliminary = u->preliminary;
    if (u->as_of && u->as_of[0] && pw_day_parse(u->as_of, &r->as_of))
        return pw_diag_set(d, PW_EFEED_DATE, file, r->row, "as_of",
                           "'%s' is not a date YYYY-MM-DD", msg_quote(u->as_of, q));
    if (strlen(r->note) > PW_NOTE_MAX)
        return pw_diag_set(d, PW_EFEED_TOOLONG, file, r->row, "note", "longer than %d bytes",
                           PW_NOTE_MAX);
    if (!pw_text_clean(r->note, strlen(r->note)))
        return msg_unclean(d, file, r->row, "note", r->note);
    return 0;
}

static size_t msg_len(const char *s)
{
    return s ? strlen(s) : 0;
}

int pw_msg_check_batch(const Planwatch__V1__FeedBatch *b, struct pw_diag *d)
{
    const char *src = b->source && b->source[0] ? b->source : "feed";
    if (b->n_rows > PW_BATCH_MAX_ROWS)
        return pw_diag_set(d, PW_EFEED_TOOMANY, "", 0, "rows",
                           "%zu rows in one batch; at most %d (send several batches)", b->n_rows,
                           PW_BATCH_MAX_ROWS);
    if (msg_len(b->batch_id) > PW_BATCH_ID_MAX)
        return pw_diag_set(d, PW_EFEED_TOOLONG, "", 0, "batch_id", "longer than %d bytes",
                           PW_BATCH_ID_MAX);
    if (msg_len(b->source) > PW_SOURCE_MAX)
        return pw_diag_set(d, PW_EFEED_TOOLONG, "", 0, "source", "longer than %d bytes",
                           PW_SOURCE_MAX);
    if (msg_len(b->office) > PW_OFFICE_MAX)
        return pw_diag_set(d, PW_EFEED_TOOLONG, src, 0, "office", "longer than %d bytes",
                           PW_OFFICE_MAX);
    /* logged, echoed and stored: clean text only */
    const char *const texts[] = {b->batch_id, b->source, b->office};
    static const char *const names[] = {"batch_id", "source", "office"};
    for (size_t i = 0; i < 3; i++)
        if (texts[i] && !pw_text_clean(texts[i], strlen(texts[i])))
            return msg_unclean(d, "", 0, names[i], texts[i]);
    return 0;
}

char *pw_msg_echo(const char *s, char *buf, size_t n)
{
    return pw_text_escape_cut(s, s ? strlen(s) : 0, PW_BATCH_ID_MAX, buf, n);
}

int pw_msg_check_query(const Planwatch__V1__Query *q, struct pw_diag *d)
{
    const char *const texts[] = {q->indicator_id, q->as_of, q->plan, q->project, q->request_id};
    static const char *const names[] = {"indicator_id", "as_of", "plan", "project", "request_id"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (msg_len(texts[i]) > PW_QUERY_TEXT_MAX)
            return pw_diag_set(d, PW_ETOOBIG, "", 0, names[i], "longer than %d bytes",
                               PW_QUERY_TEXT_MAX);
    return 0;
}

void pw_msg_obs_from_update(struct pw_obs *o, const Planwatch__V1__IndicatorUpdate *u,
                            const struct pw_indicator *ind)
{
    o->fy = u->fiscal_year;
    o->value = u->value_micros;
    o->basis = u->basis == PLANWATCH__V1__BASIS__BASIS_CUMULATIVE ? PW_BASIS_CUMULATIVE
               : u->basis == PLANWATCH__V1__BASIS__BASIS_ANNUAL   ? PW_BASIS_ANNUAL
                                                                  : ind->reporting;
    o->preliminary = u->preliminary;
    o->as_of = PW_NO_DAY;
    if (u->as_of && u->as_of[0])
        pw_day_parse(u->as_of, &o->as_of);
    o->known_ns = u->received_ns; /* known from the instant the store received it */
    o->retracted = u->retracted;
}

void pw_msg_status_row(Planwatch__V1__StatusRow *row, const struct pw_indicator *ind,
                       const struct pw_eval *e, struct pw_msg_row_buf *buf)
{
    planwatch__v1__status_row__init(row);
    row->indicator_id = (char *)ind->id;
    row->as_of = pw_day_format(e->as_of, buf->as_of);
    row->status = (Planwatch__V1__Status)e->status;
    buf->grade[0] = e->grade;
    buf->grade[1] = '\0';
    row->grade = buf->grade;
    row->has_target = ind->target.type != PW_TARGET_NONE;
    row->target_micros = e->target;
    row->has_expected = e->has_expected != 0;
    row->expected_micros = e->expected;
    row->has_actual = e->has_actual != 0;
    row->actual_micros = e->actual;
    row->has_ratio = e->has_ratio != 0;
    row->ratio = e->ratio;
    row->explanation = (char *)e->explanation;
    row->data_fy = e->data_fy;
    row->preliminary = e->preliminary != 0;
    row->has_run_rate = e->has_run_rate != 0;
    row->run_rate_micros = e->run_rate;
    row->has_projected = e->has_projected != 0;
    row->projected_micros = e->projected;
    row->years_used = e->years_used;
    row->years_wanted = e->years_wanted;
    row->checkpoint_fy = e->cp.fy;
    row->final = e->cp.final != 0;
    row->overdue = e->cp.overdue != 0;
    row->due = e->cp.fy ? pw_day_format(e->cp.due, buf->due) : (char *)"";
    row->next_fy = e->cp.next_fy;
    row->next_due = e->cp.next_fy ? pw_day_format(e->cp.next_due, buf->next_due) : (char *)"";
    row->has_next = e->has_next != 0;
    row->next_expected_micros = e->next_expected;
    row->never = e->cp.never != 0;
}

void pw_msg_status_row_assessed(Planwatch__V1__StatusRow *row, const struct pw_eval *e,
                                const struct pw_assessment *a, struct pw_msg_row_buf *buf)
{
    if (!pw_assessment_applies(a, e))
        return;
    buf->assessed[0] = a->grade;
    buf->assessed[1] = '\0';
    row->assessed_grade = buf->assessed;
    row->assessment_reason = (char *)a->reason;
    row->assessed_by = (char *)a->by;
    row->assessed_fy = a->fy;
}

static void msg_assessment_set(struct pw_assessment *a, int fy, const char *grade,
                               const char *reason, const char *by)
{
    memset(a, 0, sizeof *a);
    if (!fy || !grade || (strcmp(grade, "A") && strcmp(grade, "B")))
        return;
    a->fy = fy;
    a->grade = grade[0];
    snprintf(a->reason, sizeof a->reason, "%s", reason ? reason : "");
    snprintf(a->by, sizeof a->by, "%s", by ? by : "");
}

void pw_msg_assessment_from_row(struct pw_assessment *a, const Planwatch__V1__StatusRow *row)
{
    msg_assessment_set(a, row->assessed_fy, row->assessed_grade, row->assessment_reason,
                       row->assessed_by);
}

void pw_msg_assessment_from(struct pw_assessment *a, const Planwatch__V1__Assessment *m)
{
    msg_assessment_set(a, m->withdrawn ? 0 : m->fiscal_year, m->grade, m->reason, m->by);
}

int pw_msg_eval_from_row(struct pw_eval *e, const Planwatch__V1__StatusRow *row)
{
    memset(e, 0, sizeof *e);
    if (!row->as_of || pw_day_parse(row->as_of, &e->as_of) || (unsigned)row->status >= PW_STATUS_COUNT)
        return PW_EWIRE;
    e->status = (enum pw_status)row->status;
    e->grade = row->grade && row->grade[0] ? row->grade[0] : '-';
    e->target = row->target_micros;
    e->has_expected = row->has_expected;
    e->expected = row->expected_micros;
    e->has_actual = row->has_actual;
    e->actual = row->actual_micros;
    e->has_ratio = row->has_ratio;
    e->ratio = row->ratio;
    snprintf(e->explanation, sizeof e->explanation, "%s", row->explanation ? row->explanation : "");
    e->data_fy = row->data_fy;
    e->preliminary = row->preliminary;
    e->has_run_rate = row->has_run_rate;
    e->run_rate = row->run_rate_micros;
    e->has_projected = row->has_projected;
    e->projected = row->projected_micros;
    e->years_used = row->years_used;
    e->years_wanted = row->years_wanted;
    /* the checkpoint: what the status says was judged (the rest of cp is
     * the evaluator's business) */
    e->cp.fy = row->checkpoint_fy;
    e->cp.final = row->final;
    e->cp.overdue = row->overdue;
    e->cp.never = row->never;
    e->has_next = row->has_next;
    e->next_expected = row->next_expected_micros;
    if (row->due && row->due[0] && pw_day_parse(row->due, &e->cp.due))
        return PW_EWIRE;
    e->cp.next_fy = row->next_fy;
    if (row->next_due && row->next_due[0] && pw_day_parse(row->next_due, &e->cp.next_due))
        return PW_EWIRE;
    return 0;
}

static int msg_row_cmp(const void *a, const void *b)
{
    const struct pw_status_row *x = a, *y = b;
    return x->ind->index < y->ind->index ? -1 : x->ind->index > y->ind->index;
}

int pw_msg_status_rows(const struct pw_catalog *cat, Planwatch__V1__StatusRow *const *in, size_t n,
                       struct pw_status_row **rows, size_t *nrows, const char **bad)
{
    struct pw_status_row *r = calloc(n ? n : 1, sizeof *r);
    if (!r)
        return PW_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        r[i].ind = in[i]->indicator_id ? pw_catalog_find(cat, in[i]->indicator_id) : NULL;
        if (!r[i].ind || pw_msg_eval_from_row(&r[i].ev, in[i])) {
            *bad = in[i]->indicator_id ? in[i]->indicator_id : "";
            free(r);
            return PW_EWIRE;
        }
        pw_msg_assessment_from_row(&r[i].as, in[i]);
    }
    /* catalog order, whatever order the store answered in */
    if (n > 1)
        qsort(r, n, sizeof *r, msg_row_cmp);
    *rows = r;
    *nrows = n;
    return 0;
}

void pw_msg_acks_query(Planwatch__V1__Query *q, const char *plan)
{
    planwatch__v1__query__init(q);
    q->kind = PLANWATCH__V1__QUERY_KIND__QUERY_ALERTS;
    q->history = 1;
    q->limit = 1; /* the acknowledgements are what is wanted */
    q->plan = (char *)plan;
}

static int msg_ack_cmp(const void *a, const void *b)
{
    const Planwatch__V1__Ack *x = *(Planwatch__V1__Ack *const *)a;
    const Planwatch__V1__Ack *y = *(Planwatch__V1__Ack *const *)b;
    return x->time_ns < y->time_ns ? -1 : x->time_ns > y->time_ns;
}

char *pw_msg_ack_reasons(Planwatch__V1__Ack *const *acks, size_t n, const char *indicator_id,
                         int64_t from_ns, int64_t to_ns)
{
    Planwatch__V1__Ack **mine = calloc(n ? n : 1, sizeof *mine);
    char *buf = NULL;
    size_t len = 0, k = 0;
    FILE *f;
    if (!mine)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (acks[i]->indicator_id && strcmp(acks[i]->indicator_id, indicator_id) == 0 &&
            acks[i]->time_ns >= from_ns && acks[i]->time_ns <= to_ns && acks[i]->reason &&
            acks[i]->reason[0])
            mine[k++] = acks[i];
    if (k == 0 || !(f = open_memstream(&buf, &len))) {
        free(mine);
        return NULL;
    }
    qsort(mine, k, sizeof *mine, msg_ack_cmp);
    for (size_t i = 0; i < k; i++) {
        char t[32];
        pw_msg_time(mine[i]->time_ns, t, sizeof t);
        t[10] = '\0'; /* the day */
        fprintf(f, "%s%s (%s, %s)", i ? "; " : "", mine[i]->reason,
                mine[i]->by && mine[i]->by[0] ? mine[i]->by : "?", t);
    }
    fclose(f);
    free(mine);
    return buf;
}

static int msg_streq(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

int pw_msg_same_figure(const Planwatch__V1__IndicatorUpdate *a,
                       const Planwatch__V1__IndicatorUpdate *b)
{
    return msg_streq(a->indicator_id, b->indicator_id) && a->fiscal_year == b->fiscal_year &&
           a->value_micros == b->value_micros && a->basis == b->basis &&
           a->preliminary == b->preliminary && msg_streq(a->as_of, b->as_of) &&
           msg_streq(a->note, b->note) && a->retracted == b->retracted;
}

/* Built for every update in ingest and the store: copied, not snprintf'd
 * (which cost some 1,400 instructions a topic), cut as snprintf would. */
void pw_msg_topic(char *buf, size_t n, const char *prefix, const struct pw_indicator *ind)
{
    const char *part[4] = {prefix, ind->plan->id, pw_indicator_project_id(ind), ind->id};
    size_t o = 0;
    if (n == 0)
        return;
    for (int i = 0; i < 4; i++) {
        if (i > 0 && o < n - 1)
            buf[o++] = '.';
        size_t len = strlen(part[i]);
        if (len > n - 1 - o)
            len = n - 1 - o;
        memcpy(buf + o, part[i], len);
        o += len;
    }
    buf[o] = '\0';
}

const char *pw_msg_kind_name(int kind)
{
    return kind == PLANWATCH__V1__ALERT_KIND__ALERT_KIND_OVERDUE    ? "overdue"
           : kind == PLANWATCH__V1__ALERT_KIND__ALERT_KIND_FORECAST ? "forecast"
           : kind == PLANWATCH__V1__ALERT_KIND__ALERT_KIND_DELIVERY ? "delivery"
                                                                    : "status";
}

const char *pw_msg_event_name(int event)
{
    switch (event) {
    case PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_OPENED: return "opened";
    case PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_UPDATED: return "updated";
    case PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_RESOLVED: return "resolved";
    case PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_NOTICE: return "notice";
    default: return "-";
    }
}

const char *pw_msg_severity_name(int severity, int lower)
{
    static const char *const up[] = {"INFO", "WARNING", "CRITICAL"},
                             *const low[] = {"info", "warning", "critical"};
    int i = severity == PLANWATCH__V1__SEVERITY__SEVERITY_CRITICAL  ? 2
            : severity == PLANWATCH__V1__SEVERITY__SEVERITY_WARNING ? 1
                                                                    : 0;
    return lower ? low[i] : up[i];
}

char *pw_msg_time(int64_t ns, char *buf, size_t n)
{
    struct tm tm;
    time_t s = (time_t)(ns / 1000000000);
    if (ns <= 0 || !gmtime_r(&s, &tm)) {
        if (n)
            buf[0] = '\0';
        return buf;
    }
    snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)((ns % 1000000000) / 1000000));
    return buf;
}

int pw_msg_catalog_load(const Planwatch__V1__QueryReply *r, struct pw_catalog **out,
                        struct pw_diag *d)
{
    size_t n = r->n_catalog;
    if (n == 0)
        return pw_diag_set(d, PW_ENOTFOUND, "", 0, "catalog", "the reply carries no catalog");
    const char **names = calloc(n, sizeof *names), **bufs = calloc(n, sizeof *bufs);
    size_t *lens = calloc(n, sizeof *lens);
    int rc = PW_ENOMEM;
    if (names && bufs && lens) {
        for (size_t i = 0; i < n; i++) {
            const Planwatch__V1__CatalogFile *f = r->catalog[i];
            names[i] = f->name && f->name[0] ? f->name : "catalog";
            bufs[i] = (const char *)f->yaml.data; /* NULL when empty: still loads cleanly */
            lens[i] = f->yaml.len;
        }
        rc = pw_catalog_load_buffers(out, names, bufs, lens, n, d);
    } else {
        pw_diag_set(d, rc, "", 0, "catalog", "out of memory");
    }
    free(names);
    free(bufs);
    free(lens);
    return rc;
}

char *pw_msg_redact_url(const char *url, char *buf, size_t n)
{
    const char *u = url ? url : "", *sep = strstr(u, "://");
    const char *auth = sep ? sep + 3 : u; /* [user[:password]@]host[:port] */
    size_t alen = strcspn(auth, "/?#"), slen = (size_t)(auth - u);
    const char *host = auth;
    for (const char *p = auth; p < auth + alen; p++)
        if (*p == '@') /* credentials in the URL: never shown */
            host = p + 1;
    snprintf(buf, n, "%.*s%.*s%s", (int)slen, u, (int)(auth + alen - host), host,
             auth[alen] || host != auth ? "/…" : "");
    return buf;
}

char *pw_msg_redact_email(const char *email, char *buf, size_t n)
{
    const char *e = email ? email : "", *at = strrchr(e, '@');
    if (!e[0])
        snprintf(buf, n, "%s", "");
    else if (!at || at == e)
        snprintf(buf, n, "%s", "…");
    else { /* the first character, whole (a UTF-8 lead byte says how long) */
        unsigned char c = (unsigned char)e[0];
        int k = c < 0xc0 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
        if (e + k > at)
            k = 1;
        snprintf(buf, n, "%.*s…%s", k, e, at);
    }
    return buf;
}
