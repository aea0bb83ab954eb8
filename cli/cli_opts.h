/* cli_opts.h - the options of every `planwatch` subcommand, as one table:
 * flag, argument, environment variable, default and help. Each subcommand
 * names the options it accepts (a mask); its --help lists exactly those,
 * generated from the table. Precedence: default < environment < flag.
 * Also the --plan/--project filters shared by status and watch. Strings in
 * struct cli_opts point into argv, the environment or static defaults (no
 * allocation, nothing to free). */
#ifndef PW_CLI_OPTS_H
#define PW_CLI_OPTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "catalog.h"
#include "followup.h"
#include "report.h"

#define CLI_MAX_FILES 64

/* Option bits: which options a subcommand accepts. */
enum cli_opt {
    CLI_OPT_CATALOG = 1u << 0,   /* --catalog FILE (repeatable) */
    CLI_OPT_FEED = 1u << 1,      /* --feed FILE (repeatable) */
    CLI_OPT_AS_OF = 1u << 2,     /* --as-of YYYY-MM-DD */
    CLI_OPT_FORMAT = 1u << 3,    /* --format table|csv|json */
    CLI_OPT_WFORMAT = 1u << 4,   /* --format text|json (watch) */
    CLI_OPT_PLAN = 1u << 5,      /* --plan P */
    CLI_OPT_PROJECT = 1u << 6,   /* --project P */
    CLI_OPT_INDICATOR = 1u << 7, /* --indicator ID */
    CLI_OPT_COUNT = 1u << 8,     /* --count N */
    CLI_OPT_DRY_RUN = 1u << 9,   /* --dry-run */
    CLI_OPT_INGEST = 1u << 10,   /* --ingest EP  / PLANWATCH_INGEST */
    CLI_OPT_STORE = 1u << 11,    /* --store EP   / PLANWATCH_STORE */
    CLI_OPT_ALERTS = 1u << 12,   /* --alerts EP  / PLANWATCH_ALERTS */
    CLI_OPT_TIMEOUT = 1u << 13,  /* --timeout-ms N / PLANWATCH_TIMEOUT_MS */
    CLI_OPT_OFFICE = 1u << 14,   /* --office NAME / PLANWATCH_OFFICE */

    CLI_OPT_FY = 1u << 15,       /* --fy Y (2024, FY2024, 令和6, R6) */
    CLI_OPT_RFORMAT = 1u << 16,  /* --format csv|md|html|xlsx|pdf, --bom, --no-bom (report) */
    CLI_OPT_WEBHOOK = 1u << 17,  /* --webhook URL */
    CLI_OPT_SECRET = 1u << 18,   /* --secret S / PLANWATCH_WEBHOOK_SECRET */
    CLI_OPT_SEVERITY = 1u << 19, /* --severity info|warning|critical */
    CLI_OPT_BY = 1u << 20,       /* --by NAME / PLANWATCH_USER */
    CLI_OPT_REASON = 1u << 21,   /* --reason TEXT */
    CLI_OPT_UNTIL = 1u << 22,    /* --until YYYY-MM-DD */
    CLI_OPT_COMMENT = 1u << 23,  /* --comment TEXT */
    CLI_OPT_OPEN = 1u << 24,     /* --open / --history */
    CLI_OPT_LIMIT = 1u << 25,    /* --limit N */
    CLI_OPT_SECURITY = 1u << 26, /* --key, --ingest-key, --store-key, --alerts-key, --insecure */
    CLI_OPT_KEYGEN = 1u << 27,   /* --dir DIR, --force (keygen) */
    CLI_OPT_KNOWN_AT = 1u << 28, /* --known-at INSTANT|YYYY-MM-DD */
    CLI_OPT_PUBLISH = 1u << 29,  /* report --publish / --published ID */
    CLI_OPT_LANG = 1u << 30,     /* --lang ja|en, --wide (status, report, catalog) */
};

struct cli_opts {
    const char *catalogs[CLI_MAX_FILES];
    size_t ncatalogs;
    const char *feeds[CLI_MAX_FILES];
    size_t nfeeds;
    const char *args[CLI_MAX_FILES]; /* positional arguments, in order */
    size_t nargs;
    int32_t as_of;                          /* default: today (JST) */
    int as_of_given;                        /* --as-of was given */
    enum pw_format fmt;                     /* table|csv|json; default table */
    int json_lines;                         /* watch --format json */
    const char *plan, *project, *indicator; /* NULL: no filter */
    long count;                             /* watch --count; 0: until stopped */
    int dry_run;
    const char *ingest, *store, *alerts, *office;
    int timeout_ms;
    /* security: this client's secret key file and the services' public key
     * files (PLANWATCH_KEY, PLANWATCH_INGEST_KEY, ...), or insecure */
    const char *key, *ingest_key, *store_key, *alerts_key;
    int insecure;
    const char *dir; /* keygen --dir (default ".") */
    int force;       /* keygen --force */
    int fy;                                 /* --fy; 0: not given */
    enum pw_followup_format rfmt;           /* report --format; default md */
    int bom;                                /* report --bom (default) / --no-bom: csv's BOM */
    const char *webhook, *secret, *by, *reason, *until, *comment; /* NULL: not given */
    int severity;                           /* --severity: 0 info, 1 warning, 2 critical; -1 none */
    int history;                            /* --history (default --open) */
    long limit;                             /* --limit; 0: the service's default */
    int64_t known_at;                       /* --known-at (Unix ns); PW_KNOWN_ALL: every revision */
    int known_at_given;
    int publish;                            /* report --publish */
    uint64_t published;                     /* report --published ID; 0: none */
    int lang;                               /* --lang: PW_LANG_JA / PW_LANG_EN; -1: not given
                                               (each command picks its default) */
    int wide;                               /* --wide: tables print every cell whole */
};

/* The width a table fits: $COLUMNS when it is a number, else the
 * terminal's width when stdout is one, else 120. */
size_t cli_opts_columns(void);

/* The report options of a table, csv or json: --lang (default: ja for a
 * table, en for csv and json, whose explanation column stays as it was),
 * --wide, the width of cli_opts_columns() for a table. */
struct pw_report_opts cli_opts_report(const struct cli_opts *o);

/* Parses argv[1..argc) (argv[0] is the subcommand name) into *o, accepting
 * only the options in `allowed` (a mask of enum cli_opt). summary is the
 * command's usage and description; --help prints it followed by the
 * generated option list. Environment variables are read for the connection
 * options. Returns -1 to go on, else the exit status: 0 after --help, 2 after
 * a usage error (printed to stderr). */
int cli_opts_parse(struct cli_opts *o, int argc, char **argv, unsigned allowed,
                   const char *summary);

/* Writes the option list of the options in `allowed` (the --help body). */
void cli_opts_help(FILE *out, unsigned allowed);

/* Checks --plan / --project against cat: the plan exists; the project
 * exists (in that plan when --plan is given; "all" = plan-wide indicators).
 * Prints why to stderr. Returns 0 or PW_ENOTFOUND. */
int cli_opts_check_filter(const struct cli_opts *o, const struct pw_catalog *cat);

/* Keeps the rows[0..*n) that match the --plan/--project filter, in order. */
struct pw_status_row;
void cli_opts_filter_rows(const struct cli_opts *o, struct pw_status_row *rows, size_t *n);

/* Whether ind passes the --plan / --project filters. */
int cli_opts_match(const struct cli_opts *o, const struct pw_indicator *ind);

/* The same on the ids an Alert carries (plan, project, indicator; NULL ok). */
int cli_opts_match_ids(const struct cli_opts *o, const char *plan, const char *project,
                       const char *indicator);

#endif
