/* cli_alerts.c - the subscriber's commands, all store queries: `subscribe`,
 * `unsubscribe`, `subscriptions` (webhooks), `ack` and `silence` (answers and
 * mutes), and `alerts` (the open alerts with their acknowledgements, or the
 * history of every transition, delivery attempt, acknowledgement and
 * silence). The store checks and keeps everything; the alert service learns
 * of the changes from the store (docs/pipeline.md). One blocking request
 * each, with the --timeout-ms deadline. Secrets are never printed. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_text.h"
#include "cli_conn.h"
#include "dec.h"
#include "err.h"
#include "eval.h"
#include "msg.h"

#define CLI_ALERT_CONN (CLI_OPT_STORE | CLI_OPT_TIMEOUT)
#define CLI_FILTERS (CLI_OPT_PLAN | CLI_OPT_PROJECT | CLI_OPT_INDICATOR)

static const char *al_str(const char *s)
{
    return s ? s : "";
}

static const char *al_status(int s)
{
    return s >= 0 && s < PW_STATUS_COUNT ? pw_status_name((enum pw_status)s) : "?";
}

/* The indicator status an alert shows; a delivery alert has none ("-"). */
static const char *al_alert_status(const Planwatch__V1__Alert *a)
{
    return a->kind == PLANWATCH__V1__ALERT_KIND__ALERT_KIND_DELIVERY ? "-" : al_status(a->status);
}

/* Runs one store query and maps failures to exit statuses: 1 when the store
 * refused it (the reason is printed), 2 when it did not answer. */
int cli_store_query(const struct cli_opts *o, Planwatch__V1__Query *q,
                    Planwatch__V1__QueryReply **r)
{
    struct cli_conn *c = NULL;
    if (cli_conn_open(&c, o, "store", o->store))
        return 2;
    int rc = cli_conn_query(c, q, 0, r);
    cli_conn_close(&c);
    if (rc == 0)
        return 0;
    return rc == PW_EUNAVAILABLE || rc == PW_EZMQ || rc == PW_EWIRE || rc == PW_EVERSION ||
                   rc == PW_ESHUTDOWN
               ? 2
               : 1;
}

/* Parses options; no positional arguments unless nargs says how many. */
static int al_parse(struct cli_opts *o, int argc, char **argv, cli_optmask allowed, const char *help,
                    size_t nargs)
{
    int rc = cli_opts_parse(o, argc, argv, allowed, help);
    if (rc >= 0)
        return rc;
    if (o->nargs != nargs) {
        fprintf(stderr, "planwatch %s: %s (see planwatch %s --help)\n", argv[0],
                nargs ? "give exactly one id" : "unexpected argument", argv[0]);
        return 2;
    }
    return -1;
}

static int al_need(const char *cmd, const char *v, const char *flag)
{
    if (v && v[0])
        return 0;
    fprintf(stderr, "planwatch %s: %s is required (see planwatch %s --help)\n", cmd, flag, cmd);
    return 2;
}

static char *al_opt(const char *s)
{
    return (char *)(s ? s : "");
}

int cli_subscribe(int argc, char **argv)
{
    static const char help[] =
        "usage: planwatch subscribe --webhook URL [--format json|alertmanager|slack]\n"
        "                           [--plan P] [--project P] [--indicator ID]\n"
        "                           [--severity info|warning|critical] [--secret S] [--by NAME]\n"
        "       planwatch subscribe --email ADDR [filters, --severity, --by as above]\n"
        "       [--group-wait 30s [--group-interval 5m]] [--repeat-interval 4h]\n"
        "       [--digest \"mon 09:00\"]\n"
        "Adds a subscription: every alert transition that passes the filters is sent to\n"
        "URL (one POST per transition, retried with exponential backoff when the receiver\n"
        "answers 408, 429 or 5xx or cannot be reached) or, with --email, mailed to ADDR.\n"
        "--format: planwatch's JSON (default), an Alertmanager's API v2 (resolved alerts\n"
        "end there; open ones are re-posted so they do not expire), or a chat incoming\n"
        "webhook (Slack, Mattermost). --severity (default warning) counts the alert's\n"
        "severity before and after the transition, so a subscriber of critical alerts\n"
        "also hears when they resolve. With --secret, each POST is signed (Standard\n"
        "Webhooks: webhook-id, webhook-timestamp, webhook-signature; README \"Signature\").\n"
        "--group-wait D: transitions arriving within D of the first go as one message,\n"
        "listed by plan and project (e.g. the overdue alerts of a deadline).\n"
        "--repeat-interval D: every D, a reminder listing the open alerts nobody\n"
        "acknowledged. --digest: every week (or day) at that time in Japan, what is open\n"
        "and what changed since the previous digest.\n"
        "Prints the subscription id.\n";
    struct cli_opts o;
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    Planwatch__V1__Subscription sub = PLANWATCH__V1__SUBSCRIPTION__INIT;
    Planwatch__V1__QueryReply *r = NULL;
    int rc = al_parse(&o, argc, argv,
                      CLI_ALERT_CONN | CLI_FILTERS | CLI_OPT_WEBHOOK | CLI_OPT_SECRET |
                          CLI_OPT_SEVERITY | CLI_OPT_BY | CLI_OPT_SFORMAT | CLI_OPT_EMAIL |
                          CLI_OPT_GROUP | CLI_OPT_DIGEST,
                      help, 0);
    if (rc >= 0)
        return rc;
    if ((o.webhook != NULL) == (o.email != NULL)) {
        fputs("planwatch subscribe: give --webhook URL or --email ADDR (see planwatch subscribe "
              "--help)\n",
              stderr);
        return 2;
    }
    if (o.email && o.sub_format) {
        fputs("planwatch subscribe: --format applies to --webhook only\n", stderr);
        return 2;
    }
    sub.url = al_opt(o.webhook);
    sub.email = al_opt(o.email);
    sub.format = o.email ? (char *)"email" : al_opt(o.sub_format);
    sub.secret = al_opt(o.secret);
    sub.plan = al_opt(o.plan);
    sub.project = al_opt(o.project);
    sub.indicator_id = al_opt(o.indicator);
    sub.min_severity = (Planwatch__V1__Severity)(o.severity >= 0 ? o.severity : 1);
    sub.created_by = al_opt(o.by);
    Planwatch__V1__SubscriptionGroup grp = PLANWATCH__V1__SUBSCRIPTION_GROUP__INIT;
    if (o.group_wait_s || o.group_interval_s || o.repeat_s || o.digest) {
        grp.wait_s = (uint32_t)o.group_wait_s;
        grp.interval_s = (uint32_t)o.group_interval_s;
        grp.repeat_s = (uint32_t)o.repeat_s;
        grp.digest = (char *)al_opt(o.digest);
        sub.group = &grp;
    }
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_SUBSCRIBE;
    q.subscription = &sub;
    if ((rc = cli_store_query(&o, &q, &r)))
        return rc;
    struct cli_text x = {0};
    printf("subscription %llu: %s%s%s (severity >= %s%s)\n", (unsigned long long)r->id,
           o.email ? "email " : "", cli_text(&x, o.email ? o.email : o.webhook),
           o.sub_format && strcmp(o.sub_format, "json") ? (!strcmp(o.sub_format, "slack")
                                                               ? " as slack"
                                                               : " as alertmanager")
                                                         : "",
           pw_msg_severity_name(sub.min_severity, 0), sub.secret[0] ? ", signed" : "");
    planwatch__v1__query_reply__free_unpacked(r, NULL);
    return 0;
}

int cli_unsubscribe(int argc, char **argv)
{
    static const char help[] = "usage: planwatch unsubscribe ID\n"
                               "Removes webhook subscription ID; its pending deliveries are "
                               "dropped.\n";
    struct cli_opts o;
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    Planwatch__V1__QueryReply *r = NULL;
    int rc = al_parse(&o, argc, argv, CLI_ALERT_CONN, help, 1);
    if (rc >= 0)
        return rc;
    char *end;
    unsigned long long id = strtoull(o.args[0], &end, 10);
    if (!o.args[0][0] || *end || id == 0) {
        fprintf(stderr, "planwatch unsubscribe: '%s' is not a subscription id\n", o.args[0]);
        return 2;
    }
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_UNSUBSCRIBE;
    q.id = id;
    if ((rc = cli_store_query(&o, &q, &r)))
        return rc;
    printf("subscription %llu removed\n", id);
    planwatch__v1__query_reply__free_unpacked(r, NULL);
    return 0;
}

static const char *al_filter(const char *s)
{
    return s && s[0] ? s : "*";
}

/* The last result of a subscription's deliveries, for people: "delivered",
 * "failed: HTTP 405", "retrying: HTTP 503", "-" before any attempt. */
static const char *al_last(const Planwatch__V1__Subscription *s, char *buf, size_t n)
{
    const Planwatch__V1__SubscriptionHealth *h = s->health;
    if (!h || !h->last_ns)
        return "-";
    if (h->last_state == PLANWATCH__V1__DELIVERY_STATE__DELIVERY_DELIVERED)
        snprintf(buf, n, "delivered (HTTP %d)", h->last_http);
    else if (h->last_http)
        snprintf(buf, n, "%s: HTTP %d",
                 h->last_state == PLANWATCH__V1__DELIVERY_STATE__DELIVERY_PENDING ? "retrying"
                                                                                  : "failed",
                 h->last_http);
    else
        snprintf(buf, n, "%s: %.80s",
                 h->last_state == PLANWATCH__V1__DELIVERY_STATE__DELIVERY_PENDING ? "retrying"
                                                                                  : "failed",
                 al_str(h->last_error));
    return buf;
}

static const char *al_sub_target(const Planwatch__V1__Subscription *s)
{
    return s->email && s->email[0] ? s->email : al_str(s->url);
}

static const char *al_sub_format(const Planwatch__V1__Subscription *s)
{
    return s->format && s->format[0] ? s->format : "json";
}

int cli_subscriptions(int argc, char **argv)
{
    static const char help[] =
        "usage: planwatch subscriptions [--format table|csv|json]\n"
        "       planwatch subscriptions --resume ID\n"
        "Lists the subscriptions (secrets are never shown) with their delivery health:\n"
        "STATE ok, or failed when the receiver refused for good (HTTP 4xx other than\n"
        "408/429: nothing more is sent, its notifications wait as pending), the last\n"
        "result, and how many deliveries are pending, delivered and given up.\n"
        "--resume ID: the receiver was fixed; send to it again, waiting ones first.\n";
    struct cli_opts o;
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    Planwatch__V1__QueryReply *r = NULL;
    struct cli_text x = {0}; /* its buffers are reused in turn */
    char t[32], last[160];
    int rc = al_parse(&o, argc, argv, CLI_ALERT_CONN | CLI_OPT_FORMAT | CLI_OPT_RESUME, help, 0);
    if (rc >= 0)
        return rc;
    if (o.resume) {
        q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_SUBSCRIPTION_RESUME;
        q.id = o.resume;
        if ((rc = cli_store_query(&o, &q, &r)))
            return rc;
        printf("subscription %llu resumed: its waiting notifications go first\n",
               (unsigned long long)o.resume);
        planwatch__v1__query_reply__free_unpacked(r, NULL);
        return 0;
    }
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_SUBSCRIPTIONS;
    if ((rc = cli_store_query(&o, &q, &r)))
        return rc;
    json_t *arr = o.fmt == PW_FMT_JSON ? json_array() : NULL;
    if (o.fmt == PW_FMT_TABLE)
        printf("%4s  %-12s  %-6s  %-8s  %-6s  %-5s  %-8s  %-24s  %7s  %8s  %-24s  %s\n", "ID",
               "FORMAT", "STATE", "SEVERITY", "SIGNED", "PLAN", "PROJECT", "INDICATOR", "PENDING",
               "FAILURES", "LAST", "TO");
    else if (o.fmt == PW_FMT_CSV)
        /* the first release's columns, unchanged (scripts read them; test_store_format):
         * health is in the table and json */
        puts("id,url,plan,project,indicator_id,min_severity,signed,created,created_by");
    for (size_t i = 0; i < r->n_subscriptions; i++) {
        const Planwatch__V1__Subscription *s = r->subscriptions[i];
        const Planwatch__V1__SubscriptionHealth *h = s->health;
        unsigned pending = h ? h->pending : 0, delivered = h ? h->delivered : 0,
                 failures = h ? h->failures : 0;
        char lt[32];
        pw_msg_time(s->created_ns, t, sizeof t);
        pw_msg_time(h ? h->last_ns : 0, lt, sizeof lt);
        const char *lr = al_last(s, last, sizeof last);
        if (arr) {
            json_t *j = json_pack(
                "{s:I, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s, s:s, s:s, s:s}", "id",
                (json_int_t)s->id, "url", al_str(s->url), "plan", al_str(s->plan), "project",
                al_str(s->project), "indicator_id", al_str(s->indicator_id), "min_severity",
                pw_msg_severity_name(s->min_severity, 0), "signed", (int)s->has_secret, "created",
                t, "created_by", al_str(s->created_by), "format", al_sub_format(s), "email",
                al_str(s->email), "state", s->failed ? "failed" : "ok", "failed_reason",
                al_str(s->failed_reason));
            if (j && s->group)
                json_object_set_new(j, "group",
                                    json_pack("{s:i, s:i, s:i, s:s}", "wait_s",
                                              (int)s->group->wait_s, "interval_s",
                                              (int)(s->group->interval_s ? s->group->interval_s
                                                                         : s->group->wait_s),
                                              "repeat_s", (int)s->group->repeat_s, "digest",
                                              al_str(s->group->digest)));
            if (j)
                json_object_set_new(
                    j, "health",
                    json_pack("{s:i, s:i, s:i, s:s, s:s, s:i, s:s}", "pending", (int)pending,
                              "delivered", (int)delivered, "failures", (int)failures,
                              "last_result", lr, "last_time", lt, "last_http",
                              h ? (int)h->last_http : 0, "last_error",
                              h ? al_str(h->last_error) : ""));
            json_array_append_new(arr, j);
        } else if (o.fmt == PW_FMT_CSV) {
            printf("%llu,", (unsigned long long)s->id);
            pw_report_csv_field(stdout, cli_text(&x, s->url));
            printf(",%s,%s,%s,%s,%s,%s,", cli_text(&x, s->plan), cli_text(&x, s->project),
                   cli_text(&x, s->indicator_id), pw_msg_severity_name(s->min_severity, 0),
                   s->has_secret ? "true" : "false", t);
            pw_report_csv_field(stdout, cli_text(&x, s->created_by));
            fputc('\n', stdout);
        } else {
            printf("%4llu  %-12s  %-6s  %-8s  %-6s  %-5s  %-8s  %-24s  %7u  %8u  %-24s  %s\n",
                   (unsigned long long)s->id, al_sub_format(s), s->failed ? "failed" : "ok",
                   pw_msg_severity_name(s->min_severity, 0), s->has_secret ? "yes" : "no",
                   cli_text(&x, al_filter(s->plan)), cli_text(&x, al_filter(s->project)),
                   cli_text(&x, al_filter(s->indicator_id)), pending, failures, cli_text(&x, lr),
                   cli_text(&x, al_sub_target(s)));
        }
    }
    if (arr) {
        json_dumpf(arr, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
        json_decref(arr);
    }
    planwatch__v1__query_reply__free_unpacked(r, NULL);
    return ferror(stdout) ? 2 : 0;
}

int cli_ack(int argc, char **argv)
{
    static const char help[] =
        "usage: planwatch ack ALERT_ID --by NAME --reason TEXT\n"
        "Records who answered an open alert and why (the cause analysis, 要因分析). An\n"
        "acknowledged alert stays quiet (no webhook for its updates) until new figures\n"
        "arrive for its indicator; its resolution is still notified. The answer shows in\n"
        "`planwatch alerts` and in the history.\n";
    struct cli_opts o;
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    Planwatch__V1__Ack ack = PLANWATCH__V1__ACK__INIT;
    Planwatch__V1__QueryReply *r = NULL;
    int rc = al_parse(&o, argc, argv, CLI_ALERT_CONN | CLI_OPT_BY | CLI_OPT_REASON, help, 1);
    if (rc >= 0)
        return rc;
    if ((rc = al_need(argv[0], o.by, "--by NAME")) || (rc = al_need(argv[0], o.reason, "--reason TEXT")))
        return rc;
    ack.alert_id = (char *)o.args[0];
    ack.by = (char *)o.by;
    ack.reason = (char *)o.reason;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_ACK;
    q.ack = &ack;
    if ((rc = cli_store_query(&o, &q, &r)))
        return rc;
    const char *ind = r->n_acks ? al_str(r->acks[0]->indicator_id) : "";
    struct cli_text x = {0};
    printf("%s acknowledged by %s; quiet until new figures arrive for %s\n", cli_text(&x, o.args[0]),
           cli_text(&x, o.by), cli_text(&x, ind));
    planwatch__v1__query_reply__free_unpacked(r, NULL);
    return 0;
}

/* silence --lift ID: the silence ends now; its record stays in the history. */
static int al_lift(const struct cli_opts *o)
{
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    Planwatch__V1__QueryReply *r = NULL;
    int rc;
    if (o->plan || o->project || o->indicator || o->until || o->comment) {
        fputs("planwatch silence: --lift ID takes no --plan, --project, --indicator, --until or "
              "--comment (see planwatch silence --help)\n",
              stderr);
        return 2;
    }
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_SILENCE_LIFT;
    q.id = o->lift;
    q.by = al_opt(o->by);
    if ((rc = cli_store_query(o, &q, &r)))
        return rc;
    const Planwatch__V1__Silence *s = r->n_silences ? r->silences[0] : NULL;
    printf("silence %llu lifted%s%s: plan %s, project %s, indicator %s notify again from now\n",
           (unsigned long long)o->lift, o->by && o->by[0] ? " by " : "", o->by ? o->by : "",
           al_filter(s ? s->plan : NULL), al_filter(s ? s->project : NULL),
           al_filter(s ? s->indicator_id : NULL));
    planwatch__v1__query_reply__free_unpacked(r, NULL);
    return 0;
}

int cli_silence(int argc, char **argv)
{
    static const char help[] =
        "usage: planwatch silence [--plan P] [--project P] [--indicator ID] --until YYYY-MM-DD\n"
        "                         --comment TEXT [--by NAME]\n"
        "       planwatch silence --lift ID [--by NAME]\n"
        "Mutes webhooks for the alerts of a plan, project or indicator (at least one)\n"
        "until the given day, by the alert service's clock: notifications resume on that\n"
        "day. Transitions keep being recorded and published on the alert stream (marked\n"
        "silenced). Prints the silence id. --lift ID ends an active silence now (its\n"
        "record stays in `planwatch alerts --history`, with when and by whom it was\n"
        "lifted); a silence lifted already or past its day is not active (PW_ENOTFOUND).\n";
    struct cli_opts o;
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    Planwatch__V1__Silence sil = PLANWATCH__V1__SILENCE__INIT;
    Planwatch__V1__QueryReply *r = NULL;
    int rc = al_parse(&o, argc, argv,
                      CLI_ALERT_CONN | CLI_FILTERS | CLI_OPT_UNTIL | CLI_OPT_COMMENT | CLI_OPT_BY |
                          CLI_OPT_LIFT,
                      help, 0);
    if (rc >= 0)
        return rc;
    if (o.lift)
        return al_lift(&o);
    if ((rc = al_need(argv[0], o.until, "--until YYYY-MM-DD")) ||
        (rc = al_need(argv[0], o.comment, "--comment TEXT")))
        return rc;
    if (!o.plan && !o.project && !o.indicator) {
        fputs("planwatch silence: give --plan, --project or --indicator (see planwatch silence "
              "--help)\n",
              stderr);
        return 2;
    }
    sil.plan = al_opt(o.plan);
    sil.project = al_opt(o.project);
    sil.indicator_id = al_opt(o.indicator);
    sil.until = (char *)o.until;
    sil.comment = (char *)o.comment;
    sil.by = al_opt(o.by);
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_SILENCE;
    q.silence = &sil;
    if ((rc = cli_store_query(&o, &q, &r)))
        return rc;
    struct cli_text x = {0};
    printf("silence %llu: plan %s, project %s, indicator %s muted until %s\n",
           (unsigned long long)r->id, cli_text(&x, al_filter(o.plan)),
           cli_text(&x, al_filter(o.project)), cli_text(&x, al_filter(o.indicator)),
           cli_text(&x, o.until));
    planwatch__v1__query_reply__free_unpacked(r, NULL);
    return 0;
}

/* ---- alerts --------------------------------------------------------------- */

/* The latest acknowledgement of alert_id, or NULL. */
static const Planwatch__V1__Ack *al_ack_of(const Planwatch__V1__QueryReply *r, const char *id)
{
    const Planwatch__V1__Ack *best = NULL;
    for (size_t i = 0; i < r->n_acks; i++)
        if (!strcmp(al_str(r->acks[i]->alert_id), id) &&
            (!best || r->acks[i]->time_ns > best->time_ns))
            best = r->acks[i];
    return best;
}

static int al_sev_passes(const struct cli_opts *o, const Planwatch__V1__Alert *a)
{
    int s = (int)(a->severity > a->previous_severity ? a->severity : a->previous_severity);
    return o->severity < 0 || s >= o->severity;
}

static json_t *al_json_alert(const Planwatch__V1__Alert *a, const Planwatch__V1__Ack *ack)
{
    char t[32];
    json_t *j = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b}",
                          "alert_id", al_str(a->alert_id), "seq", (json_int_t)a->seq, "kind",
                          pw_msg_kind_name(a->kind), "event", pw_msg_event_name(a->event), "severity",
                          pw_msg_severity_name(a->severity, 0), "status", al_status(a->status), "previous",
                          al_status(a->previous), "indicator_id", al_str(a->indicator_id), "plan",
                          al_str(a->plan), "project", al_str(a->project), "time",
                          pw_msg_time(a->time_ns, t, sizeof t), "summary", al_str(a->summary),
                          "silenced", (int)a->silenced);
    if (j)
        json_object_set_new(j, "previous_severity",
                            json_string(pw_msg_severity_name(a->previous_severity, 0)));
    if (j && ack)
        json_object_set_new(j, "acknowledged",
                            json_pack("{s:s, s:s, s:s}", "by", al_str(ack->by), "reason",
                                      al_str(ack->reason), "time",
                                      pw_msg_time(ack->time_ns, t, sizeof t)));
    else if (j)
        json_object_set_new(j, "acknowledged", json_null());
    return j;
}

static void al_print_open(const struct cli_opts *o, const Planwatch__V1__QueryReply *r)
{
    struct cli_text x = {0}; /* its buffers are reused in turn */
    char t[32];
    json_t *root = o->fmt == PW_FMT_JSON ? json_object() : NULL, *arr = json_array();
    size_t shown = 0;
    if (o->fmt == PW_FMT_TABLE)
        printf("%-44s  %-8s  %-8s  %-9s  %-24s  %s\n", "ALERT_ID", "KIND", "SEVERITY", "STATUS",
               "SINCE (UTC)", "SUMMARY / ACKNOWLEDGEMENT");
    else if (o->fmt == PW_FMT_CSV)
        puts("alert_id,kind,event,severity,status,indicator_id,plan,project,time,summary,"
             "acknowledged_by,ack_reason");
    for (size_t i = 0; i < r->n_alerts; i++) {
        const Planwatch__V1__Alert *a = r->alerts[i];
        if (!al_sev_passes(o, a))
            continue;
        const Planwatch__V1__Ack *ack = al_ack_of(r, al_str(a->alert_id));
        shown++;
        pw_msg_time(a->time_ns, t, sizeof t);
        if (root) {
            json_array_append_new(arr, al_json_alert(a, ack));
        } else if (o->fmt == PW_FMT_CSV) {
            printf("%s,%s,%s,%s,%s,%s,%s,%s,%s,", cli_text(&x, a->alert_id),
                   pw_msg_kind_name(a->kind), pw_msg_event_name(a->event),
                   pw_msg_severity_name(a->severity, 0), al_alert_status(a),
                   cli_text(&x, a->indicator_id), cli_text(&x, a->plan), cli_text(&x, a->project),
                   t);
            pw_report_csv_field(stdout, cli_text(&x, a->summary));
            fputc(',', stdout);
            pw_report_csv_field(stdout, cli_text(&x, ack ? ack->by : ""));
            fputc(',', stdout);
            pw_report_csv_field(stdout, cli_text(&x, ack ? ack->reason : ""));
            fputc('\n', stdout);
        } else {
            printf("%-44s  %-8s  %-8s  %-9s  %-24s  %s\n", cli_text(&x, a->alert_id),
                   pw_msg_kind_name(a->kind), pw_msg_severity_name(a->severity, 0),
                   al_alert_status(a), t, cli_text(&x, a->summary));
            if (ack)
                printf("%-44s  acknowledged by %s: %s\n", "", cli_text(&x, ack->by),
                       cli_text(&x, ack->reason));
        }
    }
    if (root) {
        json_object_set_new(root, "alerts", arr);
        json_t *sil = json_array();
        for (size_t i = 0; i < r->n_silences; i++) {
            const Planwatch__V1__Silence *s = r->silences[i];
            json_array_append_new(
                sil, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)s->id,
                               "plan", al_str(s->plan), "project", al_str(s->project),
                               "indicator_id", al_str(s->indicator_id), "until", al_str(s->until),
                               "comment", al_str(s->comment), "by", al_str(s->by)));
        }
        json_object_set_new(root, "silences", sil);
        json_dumpf(root, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
        json_decref(root);
        return;
    }
    json_decref(arr);
    if (o->fmt == PW_FMT_TABLE) {
        printf("\n%zu open alert%s\n", shown, shown == 1 ? "" : "s");
        for (size_t i = 0; i < r->n_silences; i++) {
            const Planwatch__V1__Silence *s = r->silences[i];
            printf("silence %llu: plan %s, project %s, indicator %s muted until %s by %s: %s\n",
                   (unsigned long long)s->id, cli_text(&x, al_filter(s->plan)),
                   cli_text(&x, al_filter(s->project)), cli_text(&x, al_filter(s->indicator_id)),
                   cli_text(&x, s->until), cli_text(&x, al_str(s->by)[0] ? s->by : "-"),
                   cli_text(&x, s->comment));
        }
    }
}

/* One line of the history, sortable by time. */
struct al_event {
    int64_t t;
    int order;              /* ties: transition, attempt, ack, silence */
    const char *type;       /* "transition" | "delivery" | "ack" | "silence" */
    const char *alert_id;
    const char *indicator;
    char detail[600];
    json_t *json;
};

static int al_event_cmp(const void *a, const void *b)
{
    const struct al_event *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return x->order - y->order;
}

static void al_print_history(const struct cli_opts *o, const Planwatch__V1__QueryReply *r)
{
    struct cli_text x = {0}; /* its buffers are reused in turn */
    size_t n = r->n_alerts + r->n_attempts + r->n_acks + r->n_silences, k = 0;
    struct al_event *ev = calloc(n ? n : 1, sizeof *ev);
    char t[32];
    if (!ev) {
        fputs("planwatch: out of memory\n", stderr);
        return;
    }
    for (size_t i = 0; i < r->n_alerts; i++) {
        const Planwatch__V1__Alert *a = r->alerts[i];
        if (!al_sev_passes(o, a))
            continue;
        struct al_event *e = &ev[k++];
        e->t = a->time_ns;
        e->order = (int)(a->seq & 0xffffff);
        e->type = "transition";
        e->alert_id = al_str(a->alert_id);
        e->indicator = al_str(a->indicator_id);
        snprintf(e->detail, sizeof e->detail, "%s %s %s %s%s%s: %s", pw_msg_severity_name(a->severity, 0),
                 pw_msg_kind_name(a->kind), pw_msg_event_name(a->event), al_alert_status(a),
                 a->acknowledged ? " [acknowledged]" : "", a->silenced ? " [silenced]" : "",
                 al_str(a->summary));
        e->json = al_json_alert(a, NULL);
    }
    for (size_t i = 0; i < r->n_attempts; i++) {
        const Planwatch__V1__DeliveryAttempt *d = r->attempts[i];
        struct al_event *e = &ev[k++];
        e->t = d->time_ns;
        e->order = 1 << 25;
        e->type = "delivery";
        e->alert_id = al_str(d->alert_id);
        e->indicator = "";
        snprintf(e->detail, sizeof e->detail, "subscription %llu attempt %u: %s (HTTP %d%s%s, %u ms) %s",
                 (unsigned long long)d->subscription_id, d->attempt, d->ok ? "delivered" : "failed",
                 d->http_status, d->error && d->error[0] ? ", " : "", al_str(d->error),
                 d->duration_ms, al_str(d->url));
        e->json = json_pack("{s:s, s:I, s:s, s:I, s:i, s:b, s:i, s:s, s:i, s:s}", "type",
                            "delivery", "alert_seq", (json_int_t)d->alert_seq, "alert_id",
                            al_str(d->alert_id), "subscription_id", (json_int_t)d->subscription_id,
                            "attempt", (int)d->attempt, "ok", (int)d->ok, "http_status",
                            (int)d->http_status, "error", al_str(d->error), "duration_ms",
                            (int)d->duration_ms, "time", pw_msg_time(d->time_ns, t, sizeof t));
    }
    for (size_t i = 0; i < r->n_acks; i++) {
        const Planwatch__V1__Ack *a = r->acks[i];
        struct al_event *e = &ev[k++];
        e->t = a->time_ns;
        e->order = 2 << 25;
        e->type = "ack";
        e->alert_id = al_str(a->alert_id);
        e->indicator = al_str(a->indicator_id);
        snprintf(e->detail, sizeof e->detail, "acknowledged by %s: %s", al_str(a->by),
                 al_str(a->reason));
        e->json = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "type", "ack", "alert_id",
                            al_str(a->alert_id), "indicator_id", al_str(a->indicator_id), "by",
                            al_str(a->by), "reason", al_str(a->reason), "time",
                            pw_msg_time(a->time_ns, t, sizeof t));
    }
    for (size_t i = 0; i < r->n_silences; i++) {
        const Planwatch__V1__Silence *s = r->silences[i];
        struct al_event *e = &ev[k++];
        e->t = s->created_ns;
        e->order = 3 << 25;
        e->type = "silence";
        e->alert_id = "";
        e->indicator = al_str(s->indicator_id);
        char lifted[200] = "";
        if (s->lifted_ns) /* lifted early: when and by whom */
            snprintf(lifted, sizeof lifted, " [lifted %s by %s]",
                     pw_msg_time(s->lifted_ns, t, sizeof t),
                     al_str(s->lifted_by)[0] ? s->lifted_by : "-");
        snprintf(e->detail, sizeof e->detail,
                 "silence %llu: plan %s, project %s, indicator %s muted until %s by %s: %s%s",
                 (unsigned long long)s->id, al_filter(s->plan), al_filter(s->project),
                 al_filter(s->indicator_id), al_str(s->until), al_str(s->by)[0] ? s->by : "-",
                 al_str(s->comment), lifted);
        e->json = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "type", "silence",
                            "id", (json_int_t)s->id, "plan", al_str(s->plan), "project",
                            al_str(s->project), "indicator_id", al_str(s->indicator_id), "until",
                            al_str(s->until), "comment", al_str(s->comment), "by", al_str(s->by),
                            "time", pw_msg_time(s->created_ns, t, sizeof t));
        if (e->json && s->lifted_ns) {
            json_object_set_new(e->json, "lifted", json_string(pw_msg_time(s->lifted_ns, t, sizeof t)));
            json_object_set_new(e->json, "lifted_by", json_string(al_str(s->lifted_by)));
        }
    }
    if (k > 1)
        qsort(ev, k, sizeof *ev, al_event_cmp);
    /* --limit N means N transitions: when the store cut the history there,
     * the other events shown are those of the period the N cover (the store
     * sends every acknowledgement and silence) */
    if (o->limit && r->n_alerts >= (size_t)o->limit) {
        size_t first = 0, kept = 0;
        while (first < k && strcmp(ev[first].type, "transition") != 0)
            first++;
        for (size_t i = 0; i < k; i++) {
            if (i < first) {
                json_decref(ev[i].json);
                continue;
            }
            ev[kept++] = ev[i];
        }
        k = kept;
    }
    json_t *arr = o->fmt == PW_FMT_JSON ? json_array() : NULL;
    if (o->fmt == PW_FMT_TABLE)
        printf("%-24s  %-10s  %-44s  %s\n", "TIME (UTC)", "EVENT", "ALERT_ID", "DETAIL");
    else if (o->fmt == PW_FMT_CSV)
        puts("time,event,alert_id,indicator_id,detail");
    for (size_t i = 0; i < k; i++) {
        struct al_event *e = &ev[i];
        pw_msg_time(e->t, t, sizeof t);
        if (arr) {
            if (e->json && !json_object_get(e->json, "type"))
                json_object_set_new(e->json, "type", json_string(e->type));
            json_array_append(arr, e->json);
        } else if (o->fmt == PW_FMT_CSV) {
            printf("%s,%s,%s,%s,", t, e->type, cli_text(&x, e->alert_id),
                   cli_text(&x, e->indicator));
            pw_report_csv_field(stdout, cli_text(&x, e->detail));
            fputc('\n', stdout);
        } else {
            printf("%-24s  %-10s  %-44s  %s\n", t, e->type,
                   cli_text(&x, e->alert_id[0] ? e->alert_id : "-"), cli_text(&x, e->detail));
        }
        json_decref(e->json);
    }
    if (arr) {
        json_dumpf(arr, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
        json_decref(arr);
    }
    free(ev);
}

int cli_alerts(int argc, char **argv)
{
    static const char help[] =
        "usage: planwatch alerts [--open | --history] [--plan P] [--project P] [--indicator ID]\n"
        "                        [--severity info|warning|critical] [--limit N]\n"
        "                        [--format table|csv|json]\n"
        "--open (default): the open alerts (status, overdue, forecast) with their latest\n"
        "transition and acknowledgement, and the active silences.\n"
        "--history: every transition, delivery attempt, acknowledgement and silence,\n"
        "oldest first; --limit N: the N latest transitions, with the attempts,\n"
        "acknowledgements and silences of the period they cover.\n";
    struct cli_opts o;
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    Planwatch__V1__QueryReply *r = NULL;
    int rc = al_parse(&o, argc, argv,
                      CLI_ALERT_CONN | CLI_FILTERS | CLI_OPT_SEVERITY | CLI_OPT_OPEN |
                          CLI_OPT_LIMIT | CLI_OPT_FORMAT,
                      help, 0);
    if (rc >= 0)
        return rc;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_ALERTS;
    q.history = o.history;
    q.plan = al_opt(o.plan);
    q.project = al_opt(o.project);
    q.indicator_id = al_opt(o.indicator);
    q.limit = (uint32_t)o.limit;
    /* the store filters before it counts --limit (an older store ignores
     * the field: the filter below still holds, the count may be short) */
    q.min_severity = (Planwatch__V1__Severity)(o.severity > 0 ? o.severity : 0);
    if ((rc = cli_store_query(&o, &q, &r)))
        return rc;
    if (o.history)
        al_print_history(&o, r);
    else
        al_print_open(&o, r);
    planwatch__v1__query_reply__free_unpacked(r, NULL);
    return ferror(stdout) ? 2 : 0;
}
