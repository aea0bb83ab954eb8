/* cli_assess.c - `planwatch assess`: records the secretariat's assessment of
 * one indicator's fiscal year (grade A/B, reason, who decided), withdraws
 * it, or loads an assessments file (e.g. catalog/feeds/plan3-fy2025-assessments.csv, read
 * by lib/plan/assess.c). The store keeps every record and checks the manage
 * right; this file only builds the queries and says what happened. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assess.h"
#include "cli.h"
#include "cli_text.h"
#include "err.h"

/* Takes --grade G, --withdraw and --file F out of argv (cli_opts does not
 * know them); returns the new argc, or -1 when a value is missing. */
static int as_take(int argc, char **argv, const char **grade, int *withdraw, const char **file)
{
    int k = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (i > 0 && (!strcmp(a, "--grade") || !strcmp(a, "--file"))) {
            if (i + 1 >= argc)
                return -1;
            *(!strcmp(a, "--grade") ? grade : file) = argv[++i];
        } else if (i > 0 && !strncmp(a, "--grade=", 8)) {
            *grade = a + 8;
        } else if (i > 0 && !strncmp(a, "--file=", 7)) {
            *file = a + 7;
        } else if (i > 0 && !strcmp(a, "--withdraw")) {
            *withdraw = 1;
        } else {
            argv[k++] = argv[i];
        }
    }
    return k;
}

/* Sends one record; prints what the store did. Returns the exit status. */
static int as_send(const struct cli_opts *o, Planwatch__V1__Assessment *a)
{
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    Planwatch__V1__QueryReply *r = NULL;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_ASSESS;
    q.assessment = a;
    int rc = cli_store_query(o, &q, &r);
    if (rc)
        return rc;
    struct cli_text x = {0};
    if (a->withdrawn)
        printf("%s FY%d: assessment withdrawn (the computed grade stands)\n",
               cli_text(&x, a->indicator_id), (int)a->fiscal_year);
    else
        printf("%s FY%d: assessed %s by %s%s\n", cli_text(&x, a->indicator_id),
               (int)a->fiscal_year, cli_text(&x, a->grade),
               cli_text(&x, a->by && a->by[0] ? a->by : "you"), r->id ? "" : " (already recorded)");
    planwatch__v1__query_reply__free_unpacked(r, NULL);
    return 0;
}

static int as_file(const struct cli_opts *o, const char *path)
{
    struct pw_assess_rec *v = NULL;
    size_t n = 0;
    struct pw_diag d = {0};
    char buf[600];
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "planwatch assess: %s: cannot open\n", path);
        return 2;
    }
    int rc = pw_assess_read(f, path, NULL, &v, &n, &d);
    fclose(f);
    if (rc) {
        fprintf(stderr, "planwatch assess: %s\n", pw_diag_format(&d, "assessments", buf, sizeof buf));
        return 2;
    }
    for (size_t i = 0; i < n && !rc; i++) {
        Planwatch__V1__Assessment a = PLANWATCH__V1__ASSESSMENT__INIT;
        char g[2] = {v[i].as.grade, 0};
        a.indicator_id = v[i].indicator_id;
        a.fiscal_year = v[i].as.fy;
        a.grade = g;
        a.reason = v[i].as.reason;
        a.by = v[i].as.by;
        a.source = v[i].source;
        rc = as_send(o, &a);
    }
    free(v);
    return rc;
}

int cli_assess(int argc, char **argv)
{
    static const char help[] =
        "usage: planwatch assess ID --fy Y --grade A|B --reason TEXT [--by NAME]\n"
        "       planwatch assess ID --fy Y --withdraw [--reason TEXT] [--by NAME]\n"
        "       planwatch assess --file F\n"
        "Records the secretariat's assessment of one indicator's fiscal year: a grade\n"
        "decided beside the plan's rule (総合的に勘案), with why and who. status, report\n"
        "and the dashboard show it next to the computed grade when that fiscal year is\n"
        "the checkpoint judged; an assessed A closes the indicator's status alert.\n"
        "--withdraw takes it back (kept in history; the computed grade stands again).\n"
        "--file loads an assessments CSV (indicator_id,fiscal_year,grade,reason,by,\n"
        "source); one already recorded is not recorded twice. Needs the manage right.\n";
    const char *grade = NULL, *file = NULL;
    int withdraw = 0;
    struct cli_opts o;
    argc = as_take(argc, argv, &grade, &withdraw, &file);
    if (argc < 0) {
        fputs("planwatch assess: --grade and --file take a value (see planwatch assess --help)\n",
              stderr);
        return 2;
    }
    int rc = cli_opts_parse(&o, argc, argv,
                            CLI_OPT_STORE | CLI_OPT_TIMEOUT | CLI_OPT_SECURITY | CLI_OPT_FY |
                                CLI_OPT_BY | CLI_OPT_REASON,
                            help);
    if (rc >= 0)
        return rc;
    if (file) {
        if (o.nargs || grade || withdraw) {
            fputs("planwatch assess: --file takes no ID, --grade or --withdraw\n", stderr);
            return 2;
        }
        return as_file(&o, file);
    }
    if (o.nargs != 1 || !o.fy || (!withdraw && (!grade || !o.reason || !o.reason[0])) ||
        (withdraw && grade)) {
        fputs("planwatch assess: give ID --fy Y and either --grade A|B --reason TEXT or "
              "--withdraw (see planwatch assess --help)\n",
              stderr);
        return 2;
    }
    if (grade && strcmp(grade, "A") && strcmp(grade, "B")) {
        fprintf(stderr, "planwatch assess: --grade is A or B, not \"%s\"\n", grade);
        return 2;
    }
    Planwatch__V1__Assessment a = PLANWATCH__V1__ASSESSMENT__INIT;
    a.indicator_id = (char *)o.args[0];
    a.fiscal_year = o.fy;
    a.grade = (char *)(grade ? grade : "");
    a.reason = (char *)(o.reason ? o.reason : "");
    a.by = (char *)(o.by ? o.by : "");
    a.withdrawn = withdraw;
    return as_send(&o, &a);
}
