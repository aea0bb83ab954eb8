/* cli_remote.c - the store's answers, rendered: `catalog` and `status`
 * without files, and `history ID`. Status rows are rebuilt with the catalog
 * the store itself runs with (QUERY_CATALOG), so the CLI evaluates nothing
 * and its output is byte-identical to `status --feed` over the same data.
 * One blocking request at a time, each with the --timeout-ms deadline. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_conn.h"
#include "cli_text.h"
#include "dec.h"
#include "err.h"
#include "eval.h"
#include "fy.h"
#include "msg.h"

#define CLI_HISTORY_OPTS (CLI_OPT_FORMAT | CLI_OPT_STORE | CLI_OPT_TIMEOUT | CLI_OPT_KNOWN_AT)

int cli_remote_catalog(const struct cli_opts *o)
{
    struct cli_conn *c = NULL;
    struct pw_catalog *cat = NULL;
    int status = 2;
    if (cli_conn_open(&c, o, "store", o->store) || cli_conn_catalog(c, &cat))
        goto done;
    const struct pw_report_opts ropts = cli_opts_report(o);
    status = pw_report_catalog_opts(stdout, cat, o->fmt, &ropts) ? 2 : 0;
done:
    pw_catalog_close(&cat);
    cli_conn_close(&c);
    return status;
}

int cli_remote_status(const struct cli_opts *o)
{
    struct cli_conn *c = NULL;
    struct pw_catalog *cat = NULL;
    Planwatch__V1__QueryReply *r = NULL;
    struct pw_status_row *rows = NULL;
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    char day[11] = "";
    size_t n = 0;
    int status = 2;
    if (cli_conn_open(&c, o, "store", o->store) || cli_conn_catalog(c, &cat) ||
        cli_opts_check_filter(o, cat))
        goto done;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_STATUS;
    if (o->as_of_given)
        pw_day_format(o->as_of, day);
    q.as_of = day; /* "": the store's today */
    q.known_at_ns = o->known_at_given ? o->known_at : 0;
    if (cli_conn_query(c, &q, 0, &r))
        goto done;
    const char *bad = NULL;
    int rc = pw_msg_status_rows(cat, r->rows, r->n_rows, &rows, &n, &bad);
    if (rc == PW_ENOMEM) {
        fputs("planwatch: out of memory\n", stderr);
        goto done;
    }
    if (rc) {
        struct cli_text x = {0};
        fprintf(stderr, "planwatch: the store's status row for '%s' is not valid or not in its own "
                        "catalog [%s]\n",
                cli_text(&x, bad), pw_errname(PW_EWIRE));
        goto done;
    }
    cli_opts_filter_rows(o, rows, &n);
    const struct pw_report_opts ropts = cli_opts_report(o);
    status = pw_report_status_opts(stdout, rows, n, o->fmt, &ropts) ? 2 : 0;
done:
    free(rows);
    if (r)
        planwatch__v1__query_reply__free_unpacked(r, NULL);
    pw_catalog_close(&cat);
    cli_conn_close(&c);
    return status;
}

/* ---- history ------------------------------------------------------------ */

static size_t hist_max(size_t a, size_t b)
{
    return a > b ? a : b;
}

/* Pads s with spaces to `width` display columns (names and notes may be Japanese). */
static void hist_cell(const char *s, size_t width)
{
    fputs(s, stdout);
    for (size_t w = pw_report_width(s); w < width; w++)
        fputc(' ', stdout);
}

/* The VALUE cell: a retraction has none (its year has no figure). */
static const char *hist_value(const Planwatch__V1__IndicatorUpdate *u, char *v, size_t n)
{
    return u->retracted ? "retracted" : pw_dec_format(u->value_micros, v, n);
}

static void hist_table(const char *id, Planwatch__V1__IndicatorUpdate *const *u, const int *latest,
                       size_t n, const char *plan)
{
    struct cli_text x = {0}; /* its buffers are reused in turn */
    char v[PW_DEC_BUFSZ], t[32], seq[24];
    size_t seqw = 3, valw = 5, offw = 6, uidw = 9, nfy = 0;
    for (size_t i = 0; i < n; i++) {
        seqw = hist_max(seqw,
                        (size_t)snprintf(seq, sizeof seq, "%llu", (unsigned long long)u[i]->seq));
        valw = hist_max(valw, strlen(hist_value(u[i], v, sizeof v)));
        offw = hist_max(offw, pw_report_width(cli_text(&x, u[i]->office)));
        uidw = hist_max(uidw, strlen(cli_text(&x, u[i]->update_id)));
        nfy += (size_t)latest[i];
    }
    if (plan)
        printf("  PLAN%*s", (int)hist_max(strlen(plan), 4) - 4, "");
    printf("  %*s  FY      %*s  BASIS       PRELIM  AS_OF       ", (int)seqw, "SEQ", (int)valw,
           "VALUE");
    hist_cell("OFFICE", offw);
    printf("  RECEIVED (UTC)            ");
    hist_cell("UPDATE_ID", uidw);
    fputs("  NOTE\n", stdout);
    for (size_t i = 0; i < n; i++) {
        const char *basis = pw_report_wire_basis(u[i]->basis);
        putchar(latest[i] ? '*' : ' ');
        if (plan)
            printf(" %-*s ", (int)hist_max(strlen(plan), 4), plan);
        printf(" %*llu  FY%-4d  %*s  %-10s  %-6s  %-10s  ", (int)seqw,
               (unsigned long long)u[i]->seq, (int)u[i]->fiscal_year, (int)valw,
               hist_value(u[i], v, sizeof v), basis ? basis : "-",
               u[i]->preliminary ? "yes" : "no",
               cli_text(&x, u[i]->as_of && u[i]->as_of[0] ? u[i]->as_of : "-"));
        hist_cell(cli_text(&x, u[i]->office), offw);
        printf("  %-24s  ",
               u[i]->received_ns ? pw_msg_time(u[i]->received_ns, t, sizeof t) : "-");
        if (u[i]->note && u[i]->note[0]) {
            hist_cell(cli_text(&x, u[i]->update_id), uidw);
            printf("  %s", cli_text(&x, u[i]->note));
        } else {
            fputs(cli_text(&x, u[i]->update_id), stdout); /* no trailing blanks */
        }
        fputc('\n', stdout);
    }
    printf("\n%s: %zu revision%s of %zu fiscal year%s (* latest of its fiscal year; basis - = the "
           "indicator's reporting basis)\n",
           id, n, n == 1 ? "" : "s", nfy, nfy == 1 ? "" : "s");
}

/* Prints one indicator's revisions under its plan and judges each fiscal year
 * reported at that year's end by the indicator's own plan (pw_eval). */
static int hist_lineage_one(struct cli_conn *c, const struct cli_opts *o,
                            const struct pw_indicator *ind)
{
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    Planwatch__V1__QueryReply *r = NULL;
    Planwatch__V1__IndicatorUpdate **u = NULL;
    struct pw_obs *obs = NULL;
    int *latest = NULL, status = 2;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_HISTORY;
    q.indicator_id = (char *)ind->id;
    q.known_at_ns = o->known_at_given ? o->known_at : 0;
    int rc = cli_conn_query(c, &q, PW_ENOTFOUND, &r);
    printf("== plan %s %s (FY%d-FY%d): %s %s\n", ind->plan->id, ind->plan->name,
           ind->plan->first_fy, ind->plan->last_fy, ind->id, ind->name);
    if (rc == PW_ENOTFOUND || (!rc && r->n_updates == 0)) {
        printf("  (no revisions)\n\n");
        status = 0;
        goto done;
    }
    if (rc)
        goto done;
    size_t n = r->n_updates;
    if (!(u = malloc(n * sizeof *u)) || !(latest = calloc(n, sizeof *latest)) ||
        !(obs = calloc(n, sizeof *obs))) {
        fputs("planwatch: out of memory\n", stderr);
        goto done;
    }
    memcpy(u, r->updates, n * sizeof *u);
    pw_report_history_order(u, latest, n);
    for (size_t i = 0; i < n; i++)
        pw_msg_obs_from_update(&obs[i], u[i], ind);
    hist_table(ind->id, u, latest, n, ind->plan->id);
    for (size_t i = 0; i < n; i++) {
        if (!latest[i])
            continue;
        struct pw_eval ev;
        int fy = (int)u[i]->fiscal_year;
        if (pw_eval_known(ind, obs, n, pw_fy_first_day(fy + 1) - 1, PW_KNOWN_ALL, &ev))
            continue;
        printf("  plan %s judges FY%d: %s %c  %s\n", ind->plan->id, fy,
               pw_status_name(ev.status), ev.grade, ev.explanation);
    }
    fputc('\n', stdout);
    status = 0;
done:
    free(obs);
    free(latest);
    free(u);
    if (r)
        planwatch__v1__query_reply__free_unpacked(r, NULL);
    return status;
}

/* `history ID --lineage`: the series across plans, oldest plan first. */
static int hist_lineage(const struct cli_opts *o)
{
    struct cli_conn *c = NULL;
    struct pw_catalog *cat = NULL;
    const struct pw_indicator *chain[64];
    size_t k = 0;
    int status = 2;
    if (o->fmt != PW_FMT_TABLE) {
        fputs("planwatch history: --lineage prints a table only (no --format)\n", stderr);
        return 2;
    }
    if (cli_conn_open(&c, o, "store", o->store) || cli_conn_catalog(c, &cat))
        goto done;
    const struct pw_indicator *ind = pw_catalog_find(cat, o->args[0]);
    if (!ind) {
        fprintf(stderr, "planwatch: no indicator '%s'\n", o->args[0]);
        status = 1;
        goto done;
    }
    for (; ind && k < sizeof chain / sizeof chain[0]; ind = ind->predecessor)
        chain[k++] = ind;
    printf("%s: lineage over %zu plan%s, oldest first; each fiscal year is judged by its own "
           "plan\n\n", o->args[0], k, k == 1 ? "" : "s");
    status = 0;
    while (k > 0 && status == 0)
        status = hist_lineage_one(c, o, chain[--k]);
    if (status == 0 && ferror(stdout))
        status = 2;
done:
    pw_catalog_close(&cat);
    cli_conn_close(&c);
    return status;
}

int cli_history(int argc, char **argv)
{
    static const char help[] =
        "usage: planwatch history ID [--known-at INSTANT] [--format table|csv|json] [--store EP]\n"
        "                            [--timeout-ms N]\n"
        "Lists every stored revision of indicator ID, oldest first (store seq order):\n"
        "seq, fiscal_year, value, basis, preliminary, as_of, office, received (UTC),\n"
        "update_id, note; the latest revision of each fiscal year is marked\n"
        "(table: '*', csv/json: latest=true). Basis '-' (csv: empty, json: null) means\n"
        "the figure was sent without one: the indicator's reporting basis applies.\n"
        "--known-at: only the revisions the store had received by then (as known then).\n"
        "--lineage: also the indicator's predecessors in earlier plans (catalog\n"
        "`predecessor`), oldest plan first, each revision marked with its plan and each\n"
        "fiscal year judged by its own plan (table only).\n"
        "Exit status 1 if the store has no indicator ID.\n";
    struct cli_opts o;
    struct cli_conn *c = NULL;
    Planwatch__V1__QueryReply *r = NULL;
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    Planwatch__V1__IndicatorUpdate **u = NULL;
    int *latest = NULL;
    /* --lineage is history's own flag: taken out before the shared options */
    int lineage = 0, m = 0;
    char **av = malloc(((size_t)argc + 1) * sizeof *av);
    if (!av) {
        fputs("planwatch: out of memory\n", stderr);
        return 2;
    }
    for (int i = 0; i < argc; i++) {
        if (i > 0 && strcmp(argv[i], "--lineage") == 0)
            lineage = 1;
        else
            av[m++] = argv[i];
    }
    av[m] = NULL;
    int status = 2, rc = cli_opts_parse(&o, m, av, CLI_HISTORY_OPTS, help);
    if (rc >= 0) {
        free(av);
        return rc;
    }
    if (o.nargs != 1) {
        fputs("planwatch history: give exactly one indicator ID (see planwatch history --help)\n",
              stderr);
        free(av);
        return 2;
    }
    if (lineage) {
        status = hist_lineage(&o);
        free(av);
        return status;
    }
    if (cli_conn_open(&c, &o, "store", o.store))
        goto done;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_HISTORY;
    q.indicator_id = (char *)o.args[0];
    q.known_at_ns = o.known_at_given ? o.known_at : 0;
    rc = cli_conn_query(c, &q, PW_ENOTFOUND, &r);
    if (rc == PW_ENOTFOUND) {
        fprintf(stderr, "planwatch: no indicator '%s'\n", o.args[0]);
        status = 1;
        goto done;
    }
    if (rc)
        goto done;
    if (o.fmt != PW_FMT_TABLE) {
        if (pw_report_history(stdout, o.args[0], r->updates, r->n_updates, o.fmt)) {
            fputs("planwatch: out of memory\n", stderr);
            goto done;
        }
    } else {
        size_t n = r->n_updates;
        if (n && (!(u = malloc(n * sizeof *u)) || !(latest = calloc(n, sizeof *latest)))) {
            fputs("planwatch: out of memory\n", stderr);
            goto done;
        }
        if (n) /* u is NULL for an indicator without revisions */
            memcpy(u, r->updates, n * sizeof *u);
        pw_report_history_order(u, latest, n);
        hist_table(o.args[0], u, latest, n, NULL);
    }
    status = ferror(stdout) ? 2 : 0;
done:
    free(latest);
    free(u);
    free(av);
    if (r)
        planwatch__v1__query_reply__free_unpacked(r, NULL);
    cli_conn_close(&c);
    return status;
}
