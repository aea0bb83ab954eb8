/* cli_report.c - `planwatch report --plan P --fy Y`: the follow-up table of
 * the annual report (lib/followup.h) for one plan at the end of one fiscal
 * year, as CSV, Markdown or a self-contained HTML page with a progress chart
 * per indicator. Online the store evaluates (QUERY_STATUS at the year's last
 * day) and, for HTML, each indicator's history feeds its chart; offline
 * (--feed FILE...) the same from feed files, as `status --feed` does.
 * Online, the details column also carries the acknowledgement reasons
 * (planwatch ack) recorded for the plan's alerts since the year began. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "cli.h"
#include "cli_conn.h"
#include "err.h"
#include "followup.h"
#include "fy.h"
#include "history.h"
#include "msg.h"

#define CLI_REPORT_OPTS                                                                            \
    (CLI_OPT_PLAN | CLI_OPT_FY | CLI_OPT_RFORMAT | CLI_OPT_FEED | CLI_OPT_CATALOG |               \
     CLI_OPT_STORE | CLI_OPT_TIMEOUT)

struct report_run {
    const struct cli_opts *o;
    const struct pw_plan *plan;
    int32_t as_of;
    struct pw_catalog *cat;
    struct pw_history *hist;        /* for the charts (html), and offline the figures */
    struct pw_followup_row *rows;
    struct pw_chart *charts;
    char **acks;                    /* per row: reasons (malloc'd) or NULL */
    size_t n;
};

static int report_seq_cmp(const void *a, const void *b)
{
    const Planwatch__V1__IndicatorUpdate *x = *(Planwatch__V1__IndicatorUpdate *const *)a;
    const Planwatch__V1__IndicatorUpdate *y = *(Planwatch__V1__IndicatorUpdate *const *)b;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* One indicator's stored revisions into the history, in seq order. */
static int report_history(struct report_run *x, struct cli_conn *c, const struct pw_indicator *ind)
{
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    Planwatch__V1__QueryReply *r = NULL;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_HISTORY;
    q.indicator_id = (char *)ind->id;
    int rc = cli_conn_query(c, &q, 0, &r);
    if (rc)
        return rc;
    if (r->n_updates > 1)
        qsort(r->updates, r->n_updates, sizeof *r->updates, report_seq_cmp);
    for (size_t i = 0; !rc && i < r->n_updates; i++) {
        struct pw_obs o;
        pw_msg_obs_from_update(&o, r->updates[i], ind);
        rc = pw_history_add(x->hist, ind, &o);
    }
    planwatch__v1__query_reply__free_unpacked(r, NULL);
    if (rc)
        fputs("planwatch: out of memory\n", stderr);
    return rc;
}

/* The acknowledgement reasons of the plan's alerts. Returns 0 or an error
 * (printed). */
static int report_acks(struct report_run *x, struct cli_conn *c)
{
    Planwatch__V1__Query q;
    Planwatch__V1__QueryReply *r = NULL;
    pw_msg_acks_query(&q, x->plan->id);
    int rc = cli_conn_query(c, &q, 0, &r);
    if (rc)
        return rc;
    rc = pw_followup_acks(x->rows, x->n, r->acks, r->n_acks, x->o->fy, &x->acks);
    planwatch__v1__query_reply__free_unpacked(r, NULL);
    return rc;
}

/* Online: the store's evaluation of the plan at the year's end. */
static int report_online(struct report_run *x)
{
    struct cli_conn *c = NULL;
    Planwatch__V1__QueryReply *r = NULL;
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    char day[11];
    int rc;
    if ((rc = cli_conn_open(&c, x->o, "store", x->o->store)) ||
        (rc = cli_conn_catalog(c, &x->cat)))
        goto done;
    if (!(x->plan = pw_catalog_find_plan(x->cat, x->o->plan))) {
        fprintf(stderr, "planwatch: no plan '%s' in the store's catalog\n", x->o->plan);
        rc = PW_ENOTFOUND;
        goto done;
    }
    if ((rc = pw_history_open(&x->hist, x->cat)))
        goto done;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_STATUS;
    q.as_of = pw_day_format(x->as_of, day);
    q.plan = (char *)x->o->plan;
    if ((rc = cli_conn_query(c, &q, 0, &r)))
        goto done;
    const char *bad = NULL;
    if ((rc = pw_followup_rows_from_reply(x->cat, r->rows, r->n_rows, &x->rows, &x->n, &bad))) {
        if (rc == PW_EWIRE)
            fprintf(stderr, "planwatch: the store's status row for '%s' is not valid [%s]\n", bad,
                    pw_errname(rc));
        goto done;
    }
    for (size_t i = 0; x->o->rfmt == PW_FOLLOWUP_HTML && i < x->n; i++)
        if ((rc = report_history(x, c, x->rows[i].ind)))
            goto done;
    rc = report_acks(x, c);
done:
    if (rc == PW_ENOMEM)
        fputs("planwatch: out of memory\n", stderr);
    if (r)
        planwatch__v1__query_reply__free_unpacked(r, NULL);
    cli_conn_close(&c);
    return rc;
}

/* Offline: the feed files' figures, evaluated here. Returns the number of
 * rejected rows, or -1. */
static long report_offline(struct report_run *x)
{
    if (cli_load_catalog(x->o, &x->cat))
        return -1;
    if (!(x->plan = pw_catalog_find_plan(x->cat, x->o->plan))) {
        fprintf(stderr, "planwatch: no plan '%s' in the catalog\n", x->o->plan);
        return -1;
    }
    if (pw_history_open(&x->hist, x->cat)) {
        fputs("planwatch: out of memory\n", stderr);
        return -1;
    }
    long rejected = cli_read_feeds(x->o, x->cat, x->hist);
    if (rejected < 0)
        return -1;
    if (!(x->rows = calloc(pw_catalog_count(x->cat) + 1, sizeof *x->rows))) {
        fputs("planwatch: out of memory\n", stderr);
        return -1;
    }
    for (size_t i = 0; i < pw_catalog_count(x->cat); i++) {
        const struct pw_indicator *ind = pw_catalog_at(x->cat, i);
        size_t n;
        const struct pw_obs *obs = pw_history_get(x->hist, ind, &n);
        if (ind->plan != x->plan)
            continue;
        x->rows[x->n].ind = ind;
        pw_eval_indicator(ind, obs, n, x->as_of, &x->rows[x->n++].ev);
    }
    return rejected;
}

int cli_report(int argc, char **argv)
{
    static const char help[] =
        "usage: planwatch report --plan P --fy Y [--format csv|md|html]\n"
        "                        [--store EP] [--timeout-ms N]\n"
        "       planwatch report --plan P --fy Y --feed FILE... [--catalog FILE]...\n"
        "                        [--format csv|md|html]\n"
        "The follow-up table of the annual report for plan P at the end of fiscal\n"
        "year Y (31 March Y+1), in the layout of the published follow-up documents:\n"
        "per project (plan-wide indicators first), grouped by outcome / output /\n"
        "monitoring, one row per indicator: indicator, target (as the plan prints\n"
        "it), value at the end of the fiscal year (速報値 marked), grade (A 順調に進捗\n"
        "している / B 進捗が不十分) and details (acknowledgement reasons, then the\n"
        "evaluation's explanation). csv: one header row, UTF-8; md: Markdown tables;\n"
        "html: a self-contained page with each indicator's progress chart.\n"
        "Online the store evaluates; with --feed the figures come from feed files\n"
        "(rejected rows are listed on stderr and make the exit status 1).\n";
    struct cli_opts o;
    struct report_run x = {0};
    int status = 2, rc = cli_opts_parse(&o, argc, argv, CLI_REPORT_OPTS, help);
    long rejected = 0;
    if (rc >= 0)
        return rc;
    for (size_t i = 0; i < o.nargs; i++) {
        if (o.nfeeds == CLI_MAX_FILES) {
            fprintf(stderr, "planwatch: at most %d feed files\n", CLI_MAX_FILES);
            return 2;
        }
        o.feeds[o.nfeeds++] = o.args[i];
    }
    if (!o.plan || !o.fy) {
        fputs("planwatch report: give --plan P and --fy Y (see planwatch report --help)\n", stderr);
        return 2;
    }
    if (!o.nfeeds && o.ncatalogs) {
        fputs("planwatch report: --catalog needs --feed FILE (online, the store's own catalog "
              "is used)\n",
              stderr);
        return 2;
    }
    x.o = &o;
    x.as_of = pw_fy_first_day(o.fy + 1) - 1;
    if (o.nfeeds) {
        if ((rejected = report_offline(&x)) < 0)
            goto done;
    } else if (report_online(&x)) {
        goto done;
    }
    /* rows are in catalog order either way (pw_followup_rows_from_reply, the offline loop) */
    if (o.rfmt == PW_FOLLOWUP_HTML && pw_followup_charts(x.rows, x.n, x.hist, x.as_of, &x.charts)) {
        fputs("planwatch: out of memory\n", stderr);
        goto done;
    }
    if (pw_followup_write(stdout, x.plan, o.fy, x.rows, x.n, o.rfmt) || fflush(stdout))
        goto done;
    status = rejected > 0 ? 1 : 0;
done:
    for (size_t i = 0; x.acks && i < x.n; i++)
        free(x.acks[i]);
    free(x.acks);
    free(x.charts);
    free(x.rows);
    pw_history_close(&x.hist);
    pw_catalog_close(&x.cat);
    return status;
}
