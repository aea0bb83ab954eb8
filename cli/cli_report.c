/* cli_report.c - `planwatch report --plan P --fy Y`: the follow-up table of
 * the annual report (lib/followup.h) for one plan at the end of one fiscal
 * year, as CSV, Markdown or a self-contained HTML page with a progress chart
 * per indicator. Online the store evaluates (QUERY_STATUS at the year's last
 * day) and, for HTML, each indicator's history feeds its chart; offline
 * (--feed FILE...) the same from feed files, as `status --feed` does.
 * Online, the details column also carries the acknowledgement reasons
 * (planwatch ack) recorded for the plan's alerts since the year began. */
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "chart.h"
#include "cli.h"
#include "cli_text.h"
#include "cli_conn.h"
#include "err.h"
#include "followup.h"
#include "fy.h"
#include "history.h"
#include "msg.h"

#define CLI_REPORT_OPTS                                                                            \
    (CLI_OPT_PLAN | CLI_OPT_FY | CLI_OPT_RFORMAT | CLI_OPT_FEED | CLI_OPT_CATALOG |               \
     CLI_OPT_STORE | CLI_OPT_TIMEOUT | CLI_OPT_KNOWN_AT | CLI_OPT_PUBLISH | CLI_OPT_BY |          \
     CLI_OPT_LANG)
#define CLI_REPORTS_OPTS (CLI_OPT_PLAN | CLI_OPT_FORMAT | CLI_OPT_STORE | CLI_OPT_TIMEOUT)

struct report_run {
    const struct cli_opts *o;
    const struct pw_plan *plan;
    int32_t as_of;
    int64_t known_at;               /* the revisions received by then (online: the store's
                                       answer, a concrete instant) */
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

/* Whether format f draws the progress charts (or, xlsx, tabulates their
 * numbers): then each indicator's history is needed. */
static int report_needs_charts(enum pw_followup_format f)
{
    return f == PW_FOLLOWUP_HTML || f == PW_FOLLOWUP_PDF || f == PW_FOLLOWUP_XLSX;
}

/* One indicator's stored revisions into the history, in seq order. */
static int report_history(struct report_run *x, struct cli_conn *c, const struct pw_indicator *ind)
{
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    Planwatch__V1__QueryReply *r = NULL;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_HISTORY;
    q.indicator_id = (char *)ind->id;
    q.known_at_ns = x->known_at; /* the charts show what the figures showed */
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
    rc = pw_followup_acks(x->rows, x->n, r->acks, r->n_acks, x->o->fy, x->known_at, &x->acks);
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
    q.known_at_ns = x->o->known_at_given ? x->o->known_at : 0;
    if ((rc = cli_conn_query(c, &q, 0, &r)))
        goto done;
    x->known_at = r->known_at_ns;
    const char *bad = NULL;
    if ((rc = pw_followup_rows_from_reply(x->cat, r->rows, r->n_rows, &x->rows, &x->n, &bad))) {
        if (rc == PW_EWIRE)
            fprintf(stderr, "planwatch: the store's status row for '%s' is not valid [%s]\n", bad,
                    pw_errname(rc));
        goto done;
    }
    for (size_t i = 0; report_needs_charts(x->o->rfmt) && i < x->n; i++)
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
        pw_eval_known(ind, obs, n, x->as_of, x->known_at, &x->rows[x->n++].ev);
    }
    return rejected;
}

/* report --publish: keeps body[0..len) in the store with what it was made
 * from; prints the new id on stdout. Returns the exit status. */
static int report_publish(const struct report_run *x, const char *body, size_t len)
{
    struct cli_conn *c = NULL;
    Planwatch__V1__QueryReply *r = NULL;
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    Planwatch__V1__PublishedReport p = PLANWATCH__V1__PUBLISHED_REPORT__INIT;
    char day[11], t[32];
    int status = 2;
    p.plan = (char *)x->o->plan;
    p.fiscal_year = x->o->fy;
    p.format = (char *)pw_followup_format_name(x->o->rfmt);
    p.as_of = pw_day_format(x->as_of, day);
    p.known_at_ns = x->known_at;
    p.by = (char *)(x->o->by ? x->o->by : "");
    p.body.data = (uint8_t *)body;
    p.body.len = len;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_REPORT_PUBLISH;
    q.report = &p;
    if (cli_conn_open(&c, x->o, "store", x->o->store) || cli_conn_query(c, &q, 0, &r))
        goto done;
    printf("%llu\n", (unsigned long long)r->id);
    fprintf(stderr, "planwatch: published report %llu: plan %s FY%d %s, as of %s, known at %s, %zu bytes\n",
            (unsigned long long)r->id, p.plan, x->o->fy, p.format, day,
            pw_msg_time(p.known_at_ns, t, sizeof t), len);
    status = fflush(stdout) ? 2 : 0;
done:
    if (r)
        planwatch__v1__query_reply__free_unpacked(r, NULL);
    cli_conn_close(&c);
    return status;
}

/* report --published ID, reports get ID: the stored bytes, as they were. */
static int report_get(const struct cli_opts *o, uint64_t id)
{
    struct cli_conn *c = NULL;
    Planwatch__V1__QueryReply *r = NULL;
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    int status = 2, rc;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_REPORT_GET;
    q.id = id;
    if (cli_conn_open(&c, o, "store", o->store))
        goto done;
    rc = cli_conn_query(c, &q, PW_ENOTFOUND, &r);
    if (rc == PW_ENOTFOUND) {
        fprintf(stderr, "planwatch: no published report %llu\n", (unsigned long long)id);
        status = 1;
        goto done;
    }
    if (rc)
        goto done;
    if (r->n_reports != 1) {
        fprintf(stderr, "planwatch: the store's answer holds no report [%s]\n", pw_errname(PW_EWIRE));
        goto done;
    }
    const ProtobufCBinaryData *b = &r->reports[0]->body;
    status = (b->len && fwrite(b->data, 1, b->len, stdout) != b->len) || fflush(stdout) ? 2 : 0;
done:
    if (r)
        planwatch__v1__query_reply__free_unpacked(r, NULL);
    cli_conn_close(&c);
    return status;
}

int cli_report(int argc, char **argv)
{
    static const char help[] =
        "usage: planwatch report --plan P --fy Y [--format csv|md|html|xlsx|pdf] [--no-bom]\n"
        "                        [--known-at INSTANT]\n"
        "                        [--publish [--by NAME]] [--store EP] [--timeout-ms N]\n"
        "       planwatch report --plan P --fy Y --feed FILE... [--catalog FILE]...\n"
        "                        [--format csv|md|html|xlsx|pdf] [--no-bom]\n"
        "       planwatch report --published ID\n"
        "The follow-up table of the annual report for plan P at the end of fiscal\n"
        "year Y (31 March Y+1), in the layout of the published follow-up documents:\n"
        "per project (plan-wide indicators first), grouped by outcome / output /\n"
        "monitoring, one row per indicator: indicator, target (as the plan prints\n"
        "it), value at the end of the fiscal year (速報値 marked), grade (A 順調に進捗\n"
        "している / B 進捗が不十分) and details (acknowledgement reasons, then the\n"
        "evaluation's explanation). csv: one header row, UTF-8 with a byte-order mark\n"
        "for Excel (--no-bom: without); md: Markdown tables; html: a self-contained\n"
        "page with each indicator's progress chart; xlsx: a workbook (a summary\n"
        "sheet, a sheet per project, the charts' numbers in a data sheet); pdf: the\n"
        "html page printed by headless chromium (needs chromium and fonts-noto-cjk;\n"
        "PLANWATCH_CHROMIUM names another). A year not yet over, or whose figures are\n"
        "not yet due, is titled 途中経過 with the day its figures were known on; the\n"
        "plan's last year 最終結果.\n"
        "Online the store evaluates; with --feed the figures come from feed files\n"
        "(rejected rows are listed on stderr and make the exit status 1).\n"
        "--known-at: from the revisions the store had received by then (default: all).\n"
        "--publish: the store keeps the report byte for byte with its as-of, known-at\n"
        "(default: the instant it was made), catalog digest and who published it; the\n"
        "new id is printed (needs the registry's manage: true). --published ID prints\n"
        "a published report exactly as it was published (planwatch reports lists them).\n";
    struct cli_opts o;
    struct report_run x = {0};
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = NULL;
    int status = 2, rc = cli_opts_parse(&o, argc, argv, CLI_REPORT_OPTS, help);
    long rejected = 0;
    if (rc >= 0)
        return rc;
    if (o.published)
        return report_get(&o, o.published);
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
    if (o.nfeeds && o.publish) {
        fputs("planwatch report: --publish keeps what the store evaluated: not with --feed\n",
              stderr);
        return 2;
    }
    x.o = &o;
    x.as_of = pw_fy_first_day(o.fy + 1) - 1;
    x.known_at = o.known_at; /* offline: feed rows are always known */
    if (o.nfeeds) {
        if ((rejected = report_offline(&x)) < 0)
            goto done;
    } else if (report_online(&x)) {
        goto done;
    }
    /* 進捗の詳細 in Japanese unless --lang en */
    for (size_t i = 0; i < x.n; i++)
        x.rows[i].lang = o.lang == PW_LANG_EN ? PW_LANG_EN : PW_LANG_JA;
    /* rows are in catalog order either way (pw_followup_rows_from_reply, the offline loop) */
    if (report_needs_charts(o.rfmt) && pw_followup_charts(x.rows, x.n, x.hist, x.as_of, &x.charts)) {
        fputs("planwatch: out of memory\n", stderr);
        goto done;
    }
    /* rendered whole first: what is published is exactly what would be printed */
    /* the day the figures were known on: before the year's end or its due
     * day, the report is 途中経過 and says so */
    struct pw_followup_opts fo = {.bom = o.bom};
    fo.known_day = o.nfeeds && !o.known_at_given ? pw_day_today()
                   : x.known_at > 0 && x.known_at != PW_KNOWN_ALL ? pw_day_of_ns(x.known_at)
                                                                   : pw_day_today();
    if (!(mem = open_memstream(&buf, &len)) ||
        pw_followup_write_opts(mem, x.plan, o.fy, x.rows, x.n, o.rfmt, &fo) || fclose(mem)) {
        mem = NULL;
        fputs("planwatch: could not render the report\n", stderr);
        goto done;
    }
    mem = NULL;
    if (o.publish) {
        status = report_publish(&x, buf, len);
        goto done;
    }
    if ((len && fwrite(buf, 1, len, stdout) != len) || fflush(stdout))
        goto done;
    status = rejected > 0 ? 1 : 0;
done:
    if (mem)
        fclose(mem);
    free(buf);
    for (size_t i = 0; x.acks && i < x.n; i++)
        free(x.acks[i]);
    free(x.acks);
    free(x.charts);
    free(x.rows);
    pw_history_close(&x.hist);
    pw_catalog_close(&x.cat);
    return status;
}

/* ---- reports: the published ones ------------------------------------------ */

static void reports_write(const struct cli_opts *o, Planwatch__V1__PublishedReport *const *v,
                          size_t n)
{
    struct cli_text x = {0}; /* its buffers are reused in turn */
    char known[32], pub[32];
    if (o->fmt == PW_FMT_JSON) {
        json_t *a = json_array();
        for (size_t i = 0; a && i < n; i++)
            json_array_append_new(
                a, json_pack("{s:I, s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "id",
                             (json_int_t)v[i]->id, "plan", v[i]->plan ? v[i]->plan : "",
                             "fiscal_year", (int)v[i]->fiscal_year, "format",
                             v[i]->format ? v[i]->format : "", "as_of", v[i]->as_of ? v[i]->as_of : "",
                             "known_at", pw_msg_time(v[i]->known_at_ns, known, sizeof known),
                             "published", pw_msg_time(v[i]->published_ns, pub, sizeof pub), "by",
                             v[i]->by ? v[i]->by : "", "office", v[i]->office ? v[i]->office : "",
                             "catalog_digest", v[i]->catalog_digest ? v[i]->catalog_digest : "",
                             "bytes", (json_int_t)v[i]->size));
        char *t = a ? json_dumps(a, JSON_INDENT(2)) : NULL;
        if (t)
            printf("%s\n", t);
        free(t);
        json_decref(a);
        return;
    }
    int csv = o->fmt == PW_FMT_CSV;
    puts(csv ? "id,plan,fiscal_year,format,as_of,known_at,published,by,office,bytes,catalog_digest"
             : "    ID  PLAN  FY      FORMAT  AS_OF       KNOWN_AT (UTC)            PUBLISHED (UTC)      "
               "     BYTES  BY");
    for (size_t i = 0; i < n; i++) {
        const Planwatch__V1__PublishedReport *p = v[i];
        pw_msg_time(p->known_at_ns, known, sizeof known);
        pw_msg_time(p->published_ns, pub, sizeof pub);
        if (csv) {
            printf("%llu,%s,%d,%s,%s,%s,%s,", (unsigned long long)p->id, cli_text(&x, p->plan),
                   (int)p->fiscal_year, cli_text(&x, p->format), cli_text(&x, p->as_of), known,
                   pub);
            pw_report_csv_field(stdout, cli_text(&x, p->by)); /* typed by a person */
            printf(",%s,%llu,%s\n", cli_text(&x, p->office), (unsigned long long)p->size,
                   cli_text(&x, p->catalog_digest));
        } else {
            printf("%6llu  %-4s  FY%-4d  %-6s  %-10s  %-24s  %-24s  %7llu  %s\n",
                   (unsigned long long)p->id, cli_text(&x, p->plan), (int)p->fiscal_year,
                   cli_text(&x, p->format), cli_text(&x, p->as_of), known, pub,
                   (unsigned long long)p->size, cli_text(&x, p->by));
        }
    }
}

int cli_reports(int argc, char **argv)
{
    static const char help[] =
        "usage: planwatch reports [--plan P] [--format table|csv|json] [--store EP] [--timeout-ms N]\n"
        "       planwatch reports get ID\n"
        "Lists the published reports (planwatch report --publish), oldest first: id,\n"
        "plan, fiscal year, format, as-of, known-at, when and by whom published, size,\n"
        "the digest of the catalog they were made with. `get ID` prints one exactly as\n"
        "it was published (exit status 1 when there is none).\n";
    struct cli_opts o;
    struct cli_conn *c = NULL;
    Planwatch__V1__QueryReply *r = NULL;
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    int status = 2, rc = cli_opts_parse(&o, argc, argv, CLI_REPORTS_OPTS, help);
    long id;
    if (rc >= 0)
        return rc;
    if (o.nargs == 2 && strcmp(o.args[0], "get") == 0) {
        if (pw_cfg_parse_long(o.args[1], 1, LONG_MAX, &id)) {
            fprintf(stderr, "planwatch reports: '%s' is not a report id\n", o.args[1]);
            return 2;
        }
        return report_get(&o, (uint64_t)id);
    }
    if (o.nargs) {
        fputs("planwatch reports: give nothing or get ID (see planwatch reports --help)\n", stderr);
        return 2;
    }
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_REPORTS;
    q.plan = (char *)(o.plan ? o.plan : "");
    if (cli_conn_open(&c, &o, "store", o.store) || cli_conn_query(c, &q, 0, &r))
        goto done;
    reports_write(&o, r->reports, r->n_reports);
    status = ferror(stdout) || fflush(stdout) ? 2 : 0;
done:
    if (r)
        planwatch__v1__query_reply__free_unpacked(r, NULL);
    cli_conn_close(&c);
    return status;
}
