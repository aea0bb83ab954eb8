/* alert_notify.c - subscriptions, acks, silences and webhook bodies (see
 * alert_notify.h). The admin reply is kept whole: its arrays are the
 * tables; they hold tens of entries, so lookups are linear scans. */
#include "alert_notify.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "dec.h"
#include "err.h"
#include "explain_ja.h"
#include "eval.h"
#include "fy.h"
#include "msg.h"

struct alert_notify {
    Planwatch__V1__QueryReply *admin; /* owned; NULL before the first load */
};

int alert_notify_open(struct alert_notify **out)
{
    struct alert_notify *n = calloc(1, sizeof *n);
    if (!n)
        return PW_ENOMEM;
    *out = n;
    return 0;
}

void alert_notify_close(struct alert_notify **np)
{
    if (!np || !*np)
        return;
    if ((*np)->admin)
        planwatch__v1__query_reply__free_unpacked((*np)->admin, NULL);
    free(*np);
    *np = NULL;
}

void alert_notify_load(struct alert_notify *n, Planwatch__V1__QueryReply *r)
{
    if (n->admin)
        planwatch__v1__query_reply__free_unpacked(n->admin, NULL);
    n->admin = r;
}

uint64_t alert_notify_admin_seq(const struct alert_notify *n)
{
    return n->admin ? n->admin->admin_seq : 0;
}

size_t alert_notify_nsubs(const struct alert_notify *n)
{
    return n->admin ? n->admin->n_subscriptions : 0;
}

const Planwatch__V1__Subscription *alert_notify_sub_at(const struct alert_notify *n, size_t i)
{
    return i < alert_notify_nsubs(n) ? n->admin->subscriptions[i] : NULL;
}

const Planwatch__V1__Subscription *alert_notify_sub(const struct alert_notify *n, uint64_t id)
{
    for (size_t i = 0; i < alert_notify_nsubs(n); i++)
        if (n->admin->subscriptions[i]->id == id)
            return n->admin->subscriptions[i];
    return NULL;
}

const Planwatch__V1__Ack *alert_notify_ack_of(const struct alert_notify *n, const char *alert_id)
{
    const Planwatch__V1__Ack *best = NULL;
    for (size_t i = 0; n->admin && alert_id && i < n->admin->n_acks; i++) {
        const Planwatch__V1__Ack *a = n->admin->acks[i];
        if (a->alert_id && !strcmp(a->alert_id, alert_id) && (!best || a->time_ns > best->time_ns))
            best = a;
    }
    return best;
}

/* "" or NULL in a filter matches anything; otherwise equality. */
static int notify_field(const char *filter, const char *value)
{
    return !filter || !filter[0] || (value && strcmp(filter, value) == 0);
}

int alert_notify_mute(const struct alert_notify *n, Planwatch__V1__Alert *al, uint64_t figures_seq,
                      int32_t today)
{
    al->acknowledged = 0;
    al->silenced = 0;
    if (!n->admin)
        return 0;
    for (size_t i = 0; i < n->admin->n_silences && !al->silenced; i++) {
        const Planwatch__V1__Silence *s = n->admin->silences[i];
        int32_t until;
        if (!s->until || pw_day_parse(s->until, &until) || today >= until)
            continue;
        if ((s->plan && s->plan[0]) || (s->project && s->project[0]) ||
            (s->indicator_id && s->indicator_id[0]))
            al->silenced = notify_field(s->plan, al->plan) &&
                           notify_field(s->project, al->project) &&
                           notify_field(s->indicator_id, al->indicator_id);
    }
    for (size_t i = 0; i < n->admin->n_acks && !al->acknowledged; i++) {
        const Planwatch__V1__Ack *a = n->admin->acks[i];
        al->acknowledged = a->alert_id && al->alert_id && !strcmp(a->alert_id, al->alert_id) &&
                           a->figures_seq >= figures_seq;
    }
    return al->silenced ||
           (al->acknowledged && al->event == PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_UPDATED);
}

int alert_notify_match(const Planwatch__V1__Subscription *s, const Planwatch__V1__Alert *al)
{
    Planwatch__V1__Severity sev =
        al->severity > al->previous_severity ? al->severity : al->previous_severity;
    return notify_field(s->plan, al->plan) && notify_field(s->project, al->project) &&
           notify_field(s->indicator_id, al->indicator_id) && sev >= s->min_severity;
}

static const char *notify_str(const char *s)
{
    return s ? s : "";
}

/* Whole values as JSON integers, others as reals; null when absent. */
static json_t *notify_dec(int has, int64_t v)
{
    if (!has)
        return json_null();
    return v % PW_DEC_SCALE == 0 ? json_integer(v / PW_DEC_SCALE) : json_real(pw_dec_to_double(v));
}

static const char *notify_status(Planwatch__V1__Status s)
{
    return (unsigned)s < PW_STATUS_COUNT ? pw_status_name((enum pw_status)s) : "?";
}

int alert_notify_body(const Planwatch__V1__Alert *al, const struct pw_indicator *ind,
                      uint64_t sub_id, char **out, size_t *len)
{
    const Planwatch__V1__StatusRow *r = al->row;
    char t[32];
    pw_msg_time(al->time_ns, t, sizeof t);
    json_t *o = json_pack(
        "{s:i, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s}, s:s, s:s, "
        "s:I, s:I}",
        "version", 1, "alert_id", notify_str(al->alert_id), "seq", (json_int_t)al->seq, "kind",
        pw_msg_kind_name(al->kind), "event", pw_msg_event_name(al->event), "severity",
        pw_msg_severity_name(al->severity, 1), "previous_severity", pw_msg_severity_name(al->previous_severity, 1),
        "status", notify_status(al->status), "previous_status", notify_status(al->previous),
        "indicator", "id", notify_str(al->indicator_id), "name", notify_str(al->name), "plan",
        notify_str(al->plan), "project", notify_str(al->project), "unit",
        ind ? notify_str(ind->unit) : "", "summary", notify_str(al->summary), "time", t,
        "update_seq", (json_int_t)al->update_seq, "subscription_id", (json_int_t)sub_id);
    if (!o)
        return PW_ENOMEM;
    if (r) {
        json_t *e = json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:s}", "as_of",
                              notify_str(r->as_of), "grade", notify_str(r->grade), "target",
                              notify_dec(r->has_target, r->target_micros), "expected",
                              notify_dec(r->has_expected, r->expected_micros), "actual",
                              notify_dec(r->has_actual, r->actual_micros), "ratio",
                              r->has_ratio ? json_real(r->ratio) : json_null(), "run_rate_needed",
                              notify_dec(r->has_run_rate, r->run_rate_micros), "projected",
                              notify_dec(r->has_projected, r->projected_micros), "explanation",
                              notify_str(r->explanation));
        if (e && r->data_fy)
            json_object_set_new(e, "data_fiscal_year", json_integer(r->data_fy));
        /* Japanese first where the catalog is Japanese: the same evaluation in
         * the register of the follow-up tables (pw_explain_ja) */
        struct pw_eval ev;
        char ja[PW_EXPLAIN_MAX];
        if (e && ind && pw_msg_eval_from_row(&ev, r) == 0) {
            pw_explain_ja(ind, &ev, ja, sizeof ja);
            json_object_set_new(e, "explanation_ja", json_string(ja));
            json_object_set_new(o, "summary_ja", json_string(ja));
            json_object_set_new(o, "status_ja",
                                json_string(pw_explain_status_ja((enum pw_status)ev.status)));
        }
        json_object_set_new(o, "evaluation", e ? e : json_null());
    }
    if (al->kind == PLANWATCH__V1__ALERT_KIND__ALERT_KIND_OVERDUE)
        json_object_set_new(o, "overdue",
                            json_pack("{s:i, s:s}", "fiscal_year", (int)al->overdue_fy, "due",
                                      notify_str(al->due)));
    if (al->has_forecast)
        json_object_set_new(o, "forecast",
                            json_pack("{s:o, s:o}", "projected", notify_dec(1, al->forecast_micros),
                                      "pace_per_year", notify_dec(1, al->pace_micros)));
    if (al->acknowledged)
        json_object_set_new(o, "acknowledged", json_true());
    char *s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(15));
    json_decref(o);
    if (!s)
        return PW_ENOMEM;
    *out = s;
    *len = strlen(s);
    return 0;
}
