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
#include "dec.h"
#include "err.h"
#include "fy.h"
#include "msg.h"

#define CLI_HISTORY_OPTS (CLI_OPT_FORMAT | CLI_OPT_STORE | CLI_OPT_TIMEOUT)

int cli_remote_catalog(const struct cli_opts *o)
{
    struct cli_conn *c = NULL;
    struct pw_catalog *cat = NULL;
    int status = 2;
    if (cli_conn_open(&c, o, "store", o->store) || cli_conn_catalog(c, &cat))
        goto done;
    status = pw_report_catalog(stdout, cat, o->fmt) ? 2 : 0;
done:
    pw_catalog_close(&cat);
    cli_conn_close(&c);
    return status;
}

/* Catalog order, whatever order the store answered in: the offline report
 * lists indicators in catalog order. */
static int remote_row_cmp(const void *a, const void *b)
{
    const struct pw_status_row *x = a, *y = b;
    return x->ind->index < y->ind->index ? -1 : x->ind->index > y->ind->index;
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
    if (cli_conn_query(c, &q, 0, &r))
        goto done;
    if (r->n_rows && !(rows = calloc(r->n_rows, sizeof *rows))) {
        fputs("planwatch: out of memory\n", stderr);
        goto done;
    }
    for (size_t i = 0; i < r->n_rows; i++) {
        const Planwatch__V1__StatusRow *sr = r->rows[i];
        const struct pw_indicator *ind =
            sr->indicator_id ? pw_catalog_find(cat, sr->indicator_id) : NULL;
        if (!ind) {
            fprintf(stderr, "planwatch: the store evaluated '%s', which its own catalog lacks\n",
                    sr->indicator_id ? sr->indicator_id : "");
            goto done;
        }
        if (pw_msg_eval_from_row(&rows[n].ev, sr)) {
            fprintf(stderr, "planwatch: the store's status row for '%s' is not valid [%s]\n",
                    ind->id, pw_errname(PW_EWIRE));
            goto done;
        }
        rows[n++].ind = ind;
    }
    if (n > 1)
        qsort(rows, n, sizeof *rows, remote_row_cmp);
    cli_filter_rows(o, rows, &n);
    status = pw_report_status(stdout, rows, n, o->fmt) ? 2 : 0;
done:
    free(rows);
    if (r)
        planwatch__v1__query_reply__free_unpacked(r, NULL);
    pw_catalog_close(&cat);
    cli_conn_close(&c);
    return status;
}

/* ---- history ------------------------------------------------------------ */

static int hist_seq_cmp(const void *a, const void *b)
{
    const Planwatch__V1__IndicatorUpdate *x = *(Planwatch__V1__IndicatorUpdate *const *)a;
    const Planwatch__V1__IndicatorUpdate *y = *(Planwatch__V1__IndicatorUpdate *const *)b;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* "cumulative", "annual", or NULL: not given (the indicator's reporting basis). */
static const char *hist_basis(Planwatch__V1__Basis b)
{
    return b == PLANWATCH__V1__BASIS__BASIS_CUMULATIVE ? "cumulative"
           : b == PLANWATCH__V1__BASIS__BASIS_ANNUAL   ? "annual"
                                                       : NULL;
}

static const char *hist_str(const char *s)
{
    return s ? s : "";
}

static size_t hist_max(size_t a, size_t b)
{
    return a > b ? a : b;
}

/* Whole values as JSON integers, others as reals, as the status report does. */
static json_t *hist_json_value(int64_t v)
{
    return v % PW_DEC_SCALE == 0 ? json_integer(v / PW_DEC_SCALE) : json_real(pw_dec_to_double(v));
}

static int hist_json(const char *id, Planwatch__V1__IndicatorUpdate *const *u, const int *latest,
                     size_t n)
{
    json_t *arr = json_array();
    char t[32];
    if (!arr)
        return PW_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const char *basis = hist_basis(u[i]->basis);
        json_t *o = json_pack(
            "{s:s, s:I, s:i, s:o, s:o, s:b, s:o, s:s, s:o, s:s, s:s, s:b}", "indicator_id", id,
            "seq", (json_int_t)u[i]->seq, "fiscal_year", (int)u[i]->fiscal_year, "value",
            hist_json_value(u[i]->value_micros), "basis", basis ? json_string(basis) : json_null(),
            "preliminary", (int)u[i]->preliminary, "as_of",
            u[i]->as_of && u[i]->as_of[0] ? json_string(u[i]->as_of) : json_null(), "office",
            hist_str(u[i]->office), "received",
            u[i]->received_ns ? json_string(cli_conn_time(u[i]->received_ns, t, sizeof t))
                              : json_null(),
            "update_id", hist_str(u[i]->update_id), "note", hist_str(u[i]->note), "latest",
            latest[i]);
        if (!o || json_array_append_new(arr, o)) {
            json_decref(arr);
            return PW_ENOMEM;
        }
    }
    int rc = json_dumpf(arr, stdout, JSON_INDENT(2)) ? PW_EIO : 0;
    fputc('\n', stdout);
    json_decref(arr);
    return rc;
}

static void hist_csv(Planwatch__V1__IndicatorUpdate *const *u, const int *latest, size_t n)
{
    char v[PW_DEC_BUFSZ], t[32];
    fputs("seq,fiscal_year,value,basis,preliminary,as_of,office,received,update_id,note,latest\n",
          stdout);
    for (size_t i = 0; i < n; i++) {
        const char *basis = hist_basis(u[i]->basis);
        printf("%llu,%d,%s,%s,%s,%s,", (unsigned long long)u[i]->seq, (int)u[i]->fiscal_year,
               pw_dec_format(u[i]->value_micros, v, sizeof v), basis ? basis : "",
               u[i]->preliminary ? "true" : "false", hist_str(u[i]->as_of));
        pw_report_csv_field(stdout, hist_str(u[i]->office));
        printf(",%s,", cli_conn_time(u[i]->received_ns, t, sizeof t));
        pw_report_csv_field(stdout, hist_str(u[i]->update_id));
        fputc(',', stdout);
        pw_report_csv_field(stdout, hist_str(u[i]->note));
        printf(",%s\n", latest[i] ? "true" : "false");
    }
}

/* Pads s with spaces to `width` display columns (names and notes may be Japanese). */
static void hist_cell(const char *s, size_t width)
{
    fputs(s, stdout);
    for (size_t w = pw_report_width(s); w < width; w++)
        fputc(' ', stdout);
}

static void hist_table(const char *id, Planwatch__V1__IndicatorUpdate *const *u, const int *latest,
                       size_t n)
{
    char v[PW_DEC_BUFSZ], t[32], seq[24];
    size_t seqw = 3, valw = 5, offw = 6, uidw = 9, nfy = 0;
    for (size_t i = 0; i < n; i++) {
        seqw = hist_max(seqw,
                        (size_t)snprintf(seq, sizeof seq, "%llu", (unsigned long long)u[i]->seq));
        valw = hist_max(valw, strlen(pw_dec_format(u[i]->value_micros, v, sizeof v)));
        offw = hist_max(offw, pw_report_width(hist_str(u[i]->office)));
        uidw = hist_max(uidw, strlen(hist_str(u[i]->update_id)));
        nfy += (size_t)latest[i];
    }
    printf("  %*s  FY      %*s  BASIS       PRELIM  AS_OF       ", (int)seqw, "SEQ", (int)valw,
           "VALUE");
    hist_cell("OFFICE", offw);
    printf("  RECEIVED (UTC)            ");
    hist_cell("UPDATE_ID", uidw);
    fputs("  NOTE\n", stdout);
    for (size_t i = 0; i < n; i++) {
        const char *basis = hist_basis(u[i]->basis);
        printf("%c %*llu  FY%-4d  %*s  %-10s  %-6s  %-10s  ", latest[i] ? '*' : ' ', (int)seqw,
               (unsigned long long)u[i]->seq, (int)u[i]->fiscal_year, (int)valw,
               pw_dec_format(u[i]->value_micros, v, sizeof v), basis ? basis : "-",
               u[i]->preliminary ? "yes" : "no", u[i]->as_of && u[i]->as_of[0] ? u[i]->as_of : "-");
        hist_cell(hist_str(u[i]->office), offw);
        printf("  %-24s  ",
               u[i]->received_ns ? cli_conn_time(u[i]->received_ns, t, sizeof t) : "-");
        if (u[i]->note && u[i]->note[0]) {
            hist_cell(hist_str(u[i]->update_id), uidw);
            printf("  %s", u[i]->note);
        } else {
            fputs(hist_str(u[i]->update_id), stdout); /* no trailing blanks */
        }
        fputc('\n', stdout);
    }
    printf("\n%s: %zu revision%s of %zu fiscal year%s (* latest of its fiscal year; basis - = the "
           "indicator's reporting basis)\n",
           id, n, n == 1 ? "" : "s", nfy, nfy == 1 ? "" : "s");
}

int cli_history(int argc, char **argv)
{
    static const char help[] =
        "usage: planwatch history ID [--format table|csv|json] [--store EP] [--timeout-ms N]\n"
        "Lists every stored revision of indicator ID, oldest first (store seq order):\n"
        "seq, fiscal_year, value, basis, preliminary, as_of, office, received (UTC),\n"
        "update_id, note; the latest revision of each fiscal year is marked\n"
        "(table: '*', csv/json: latest=true). Basis '-' (csv: empty, json: null) means\n"
        "the figure was sent without one: the indicator's reporting basis applies.\n"
        "Exit status 1 if the store has no indicator ID.\n";
    struct cli_opts o;
    struct cli_conn *c = NULL;
    Planwatch__V1__QueryReply *r = NULL;
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    Planwatch__V1__IndicatorUpdate **u = NULL;
    int *latest = NULL;
    int status = 2, rc = cli_opts_parse(&o, argc, argv, CLI_HISTORY_OPTS, help);
    if (rc >= 0)
        return rc;
    if (o.nargs != 1) {
        fputs("planwatch history: give exactly one indicator ID (see planwatch history --help)\n",
              stderr);
        return 2;
    }
    if (cli_conn_open(&c, &o, "store", o.store))
        goto done;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_HISTORY;
    q.indicator_id = (char *)o.args[0];
    rc = cli_conn_query(c, &q, PW_ENOTFOUND, &r);
    if (rc == PW_ENOTFOUND) {
        fprintf(stderr, "planwatch: no indicator '%s'\n", o.args[0]);
        status = 1;
        goto done;
    }
    if (rc)
        goto done;
    size_t n = r->n_updates;
    if (n && (!(u = malloc(n * sizeof *u)) || !(latest = calloc(n, sizeof *latest)))) {
        fputs("planwatch: out of memory\n", stderr);
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        u[i] = r->updates[i];
    if (n > 1)
        qsort(u, n, sizeof *u, hist_seq_cmp);
    /* the latest revision of a fiscal year is its highest seq (the store's `latest`) */
    unsigned char seen[PW_FY_MAX - PW_FY_MIN + 1] = {0};
    for (size_t i = n; i-- > 0;) {
        int fy = u[i]->fiscal_year;
        if (fy < PW_FY_MIN || fy > PW_FY_MAX) {
            latest[i] = 1; /* cannot be stored; shown rather than hidden */
            continue;
        }
        latest[i] = !seen[fy - PW_FY_MIN];
        seen[fy - PW_FY_MIN] = 1;
    }
    if (o.fmt == PW_FMT_JSON) {
        if (hist_json(o.args[0], u, latest, n))
            goto done;
    } else if (o.fmt == PW_FMT_CSV) {
        hist_csv(u, latest, n);
    } else {
        hist_table(o.args[0], u, latest, n);
    }
    status = ferror(stdout) ? 2 : 0;
done:
    free(latest);
    free(u);
    if (r)
        planwatch__v1__query_reply__free_unpacked(r, NULL);
    cli_conn_close(&c);
    return status;
}
