/* cli_local.c - `catalog` and `status`: from files alone (catalog
 * --catalog FILE, status --feed FILE: the office's dry run, no service is
 * contacted), or, without those files, from the store (cli_remote.c). The
 * offline output is the reference the online output must match byte for
 * byte. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dec.h"
#include "err.h"
#include "eval.h"
#include "feed.h"
#include "fy.h"
#include "history.h"

#define CLI_CATALOG_OPTS                                                                      \
    (CLI_OPT_CATALOG | CLI_OPT_FORMAT | CLI_OPT_STORE | CLI_OPT_TIMEOUT | CLI_OPT_LANG)
#define CLI_STATUS_OPTS                                                                       \
    (CLI_OPT_FEED | CLI_OPT_CATALOG | CLI_OPT_AS_OF | CLI_OPT_FORMAT | CLI_OPT_PLAN |          \
     CLI_OPT_PROJECT | CLI_OPT_STORE | CLI_OPT_TIMEOUT | CLI_OPT_KNOWN_AT | CLI_OPT_LANG)

int cli_load_catalog(const struct cli_opts *o, struct pw_catalog **out)
{
    struct pw_diag d = {0};
    char msg[600];
    int rc = o->ncatalogs ? pw_catalog_load_files(out, o->catalogs, o->ncatalogs, &d)
                          : pw_catalog_load_default(out, &d);
    if (rc)
        fprintf(stderr, "planwatch: catalog rejected: %s\n", pw_diag_format(&d, NULL, msg, sizeof msg));
    return rc;
}

int cli_catalog(int argc, char **argv)
{
    static const char help[] =
        "usage: planwatch catalog [--catalog FILE]... [--format table|csv|json]\n"
        "                         [--store EP] [--timeout-ms N]\n"
        "Lists every indicator: id,plan,project,name,kind,unit,target_type,target,\n"
        "window_start_fy,window_end_fy. With --catalog, the indicators of those files;\n"
        "otherwise the catalog the store runs with (QUERY_CATALOG). Exit status 2 when\n"
        "the store does not answer (there is no silent fallback to the built-in plans).\n";
    struct cli_opts o;
    struct pw_catalog *cat = NULL;
    int rc = cli_opts_parse(&o, argc, argv, CLI_CATALOG_OPTS, help);
    if (rc >= 0)
        return rc;
    if (o.nargs) {
        fprintf(stderr,
                "planwatch catalog: unexpected argument '%s' (see planwatch catalog --help)\n",
                o.args[0]);
        return 2;
    }
    if (o.ncatalogs == 0)
        return cli_remote_catalog(&o);
    if (cli_load_catalog(&o, &cat))
        return 2;
    const struct pw_report_opts ropts = cli_opts_report(&o);
    rc = pw_report_catalog_opts(stdout, cat, o.fmt, &ropts);
    pw_catalog_close(&cat);
    return rc ? 2 : 0;
}

long cli_read_feeds(const struct cli_opts *o, const struct pw_catalog *cat,
                           struct pw_history *h)
{
    long rejected = 0;
    char msg[600];
    for (size_t i = 0; i < o->nfeeds; i++) {
        struct pw_feed *f = NULL;
        struct pw_diag d = {0};
        if (pw_feed_parse_file(&f, cat, o->feeds[i], pw_day_today(), &d)) {
            fprintf(stderr, "planwatch: %s\n", pw_diag_format(&d, NULL, msg, sizeof msg));
            return -1;
        }
        for (size_t k = 0; k < pw_feed_nerrors(f); k++)
            fprintf(stderr, "rejected: %s\n", pw_diag_format(pw_feed_error(f, k), "row", msg, sizeof msg));
        for (size_t k = 0; k < pw_feed_nwarnings(f); k++)
            fprintf(stderr, "warning: %s\n", pw_diag_format(pw_feed_warning(f, k), "row", msg, sizeof msg));
        for (size_t k = 0; k < pw_feed_nrows(f); k++) {
            const struct pw_feed_row *r = pw_feed_row(f, k);
            const struct pw_indicator *ind = pw_catalog_find(cat, r->indicator_id);
            struct pw_obs ob = {.fy = r->fy, .value = r->value,
                                .basis = r->basis < 0 ? ind->reporting : (enum pw_basis)r->basis,
                                .preliminary = r->preliminary, .as_of = r->as_of,
                                .retracted = r->retract};
            if (pw_history_add(h, ind, &ob)) {
                pw_feed_close(&f);
                return -1;
            }
        }
        fprintf(stderr, "%s: %zu accepted, %zu rejected\n", o->feeds[i], pw_feed_nrows(f),
                pw_feed_nrejected(f));
        rejected += (long)pw_feed_nrejected(f) + (pw_feed_nerrors(f) && !pw_feed_nrejected(f));
        pw_feed_close(&f);
    }
    return rejected;
}

int cli_status(int argc, char **argv)
{
    static const char help[] =
        "usage: planwatch status [--as-of YYYY-MM-DD] [--known-at INSTANT] [--format table|csv|json]\n"
        "                        [--plan P] [--project P] [--store EP] [--timeout-ms N]\n"
        "       planwatch status --feed FILE... [--catalog FILE]... [--as-of YYYY-MM-DD]\n"
        "                        [--format table|csv|json] [--plan P] [--project P]\n"
        "Evaluates every indicator at its checkpoint (the plan's rule) at the end of the as-of\n"
        "day. Columns: id,project,name,as_of,target,expected,actual,ratio,status,grade,\n"
        "explanation,checkpoint_fy,final,overdue; the table shows final results (ended\n"
        "target windows) apart.\n"
        "Online (no --feed): the store's evaluation of everything it holds, rendered with\n"
        "the store's own catalog (default as-of: the store's today).\n"
        "Offline (--feed, or feed files as arguments): from the feed files (CSV or JSON)\n"
        "against the catalog (default: the built-in plans) - an office's dry run: what\n"
        "would the status be with this feed? Rejected rows are listed on stderr and make\n"
        "the exit status 1.\n"
        "--known-at: only the revisions the store had received by then count (feed\n"
        "rows are always known).\n";
    struct cli_opts o;
    struct pw_catalog *cat = NULL;
    struct pw_history *h = NULL;
    struct pw_status_row *rows = NULL;
    size_t n = 0;
    int rc = cli_opts_parse(&o, argc, argv, CLI_STATUS_OPTS, help), status = 2;
    if (rc >= 0)
        return rc;
    /* further arguments are feed files, like `planwatch feed FILE...` */
    for (size_t i = 0; i < o.nargs; i++) {
        if (o.nfeeds == CLI_MAX_FILES) {
            fprintf(stderr, "planwatch: at most %d feed files\n", CLI_MAX_FILES);
            return 2;
        }
        o.feeds[o.nfeeds++] = o.args[i];
    }
    if (o.nfeeds == 0) {
        if (o.ncatalogs) {
            fputs("planwatch status: --catalog needs --feed FILE (online, the store's own "
                  "catalog is used)\n",
                  stderr);
            return 2;
        }
        return cli_remote_status(&o);
    }
    if (cli_load_catalog(&o, &cat) || cli_opts_check_filter(&o, cat) || pw_history_open(&h, cat))
        goto done;
    long rejected = cli_read_feeds(&o, cat, h);
    if (rejected < 0 || pw_history_eval_all(h, o.as_of, o.known_at, &rows, &n))
        goto done;
    cli_opts_filter_rows(&o, rows, &n);
    const struct pw_report_opts ropts = cli_opts_report(&o);
    if (pw_report_status_opts(stdout, rows, n, o.fmt, &ropts))
        goto done;
    status = rejected > 0 ? 1 : 0;
done:
    free(rows);
    pw_history_close(&h);
    pw_catalog_close(&cat);
    return status;
}
