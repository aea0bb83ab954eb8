/* cli_local.c - the commands that work from files alone: `catalog` and
 * `status --feed` (the office's dry run). No service is contacted. */
#include <getopt.h>
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

enum { OPT_CATALOG = 1000, OPT_FEED, OPT_AS_OF, OPT_FORMAT, OPT_HELP };

static const struct option cli_long[] = {
    {"catalog", required_argument, NULL, OPT_CATALOG}, {"feed", required_argument, NULL, OPT_FEED},
    {"as-of", required_argument, NULL, OPT_AS_OF},     {"format", required_argument, NULL, OPT_FORMAT},
    {"help", no_argument, NULL, OPT_HELP},             {NULL, 0, NULL, 0}};

/* Parses the options shared by the local commands. Returns -1 to go on,
 * else the exit status. */
static int cli_parse(int argc, char **argv, struct cli_opts *o, const char *help)
{
    int c;
    memset(o, 0, sizeof *o);
    o->as_of = pw_day_today();
    optind = 1;
    while ((c = getopt_long(argc, argv, "", cli_long, NULL)) != -1) {
        switch (c) {
        case OPT_CATALOG:
        case OPT_FEED: {
            size_t *n = c == OPT_CATALOG ? &o->ncatalogs : &o->nfeeds;
            const char **v = c == OPT_CATALOG ? o->catalogs : o->feeds;
            if (*n == CLI_MAX_FILES) {
                fprintf(stderr, "planwatch: at most %d files per option\n", CLI_MAX_FILES);
                return 2;
            }
            v[(*n)++] = optarg;
            break;
        }
        case OPT_AS_OF:
            if (pw_day_parse(optarg, &o->as_of)) {
                fprintf(stderr, "planwatch: --as-of '%s' is not a date YYYY-MM-DD\n", optarg);
                return 2;
            }
            break;
        case OPT_FORMAT:
            if (pw_format_parse(optarg, &o->fmt)) {
                fprintf(stderr, "planwatch: --format '%s' is not table, csv or json\n", optarg);
                return 2;
            }
            break;
        case OPT_HELP:
            fputs(help, stdout);
            return 0;
        default:
            fputs(help, stderr);
            return 2;
        }
    }
    /* further arguments are feed files, like `planwatch feed FILE...` */
    for (; optind < argc; optind++) {
        if (o->nfeeds == CLI_MAX_FILES) {
            fprintf(stderr, "planwatch: at most %d feed files\n", CLI_MAX_FILES);
            return 2;
        }
        o->feeds[o->nfeeds++] = argv[optind];
    }
    return -1;
}

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
        "Lists every indicator: id,plan,project,name,kind,unit,target_type,target,\n"
        "window_start_fy,window_end_fy. Without --catalog, the built-in catalogs.\n";
    struct cli_opts o;
    struct pw_catalog *cat = NULL;
    int rc = cli_parse(argc, argv, &o, help);
    if (rc >= 0)
        return rc;
    if (cli_load_catalog(&o, &cat))
        return 2;
    rc = pw_report_catalog(stdout, cat, o.fmt);
    pw_catalog_close(&cat);
    return rc ? 2 : 0;
}

/* Reads the feed files into h; prints rejected rows and a summary to
 * stderr. Returns the number of rejected rows, or -1 on a system error. */
static long cli_read_feeds(const struct cli_opts *o, const struct pw_catalog *cat,
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
        for (size_t k = 0; k < pw_feed_nrows(f); k++) {
            const struct pw_feed_row *r = pw_feed_row(f, k);
            const struct pw_indicator *ind = pw_catalog_find(cat, r->indicator_id);
            struct pw_obs ob = {.fy = r->fy, .value = r->value,
                                .basis = r->basis < 0 ? ind->reporting : (enum pw_basis)r->basis,
                                .preliminary = r->preliminary, .as_of = r->as_of};
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
        "usage: planwatch status --feed FILE... [--catalog FILE]... [--as-of YYYY-MM-DD]\n"
        "                        [--format table|csv|json]\n"
        "Evaluates every indicator at the end of the as-of day (default: today) from the\n"
        "feed files (CSV or JSON), against the catalog (default: the built-in plans).\n"
        "Columns: id,project,name,as_of,target,expected,actual,ratio,status,grade,explanation.\n"
        "Rejected rows are listed on stderr; the exit status is 1 if there were any.\n";
    struct cli_opts o;
    struct pw_catalog *cat = NULL;
    struct pw_history *h = NULL;
    struct pw_status_row *rows = NULL;
    size_t n = 0;
    int rc = cli_parse(argc, argv, &o, help), status = 2;
    if (rc >= 0)
        return rc;
    if (o.nfeeds == 0) {
        fputs("planwatch status: give at least one --feed FILE\n", stderr);
        return 2;
    }
    if (cli_load_catalog(&o, &cat) || pw_history_open(&h, cat))
        goto done;
    long rejected = cli_read_feeds(&o, cat, h);
    if (rejected < 0 || pw_history_eval_all(h, o.as_of, &rows, &n))
        goto done;
    if (pw_report_status(stdout, rows, n, o.fmt))
        goto done;
    status = rejected > 0 ? 1 : 0;
done:
    free(rows);
    pw_history_close(&h);
    pw_catalog_close(&cat);
    return status;
}
