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

/* Option bits: which options a subcommand accepts (64 of them fit). */
typedef uint64_t cli_optmask;
#define CLI_OPT_CATALOG    ((cli_optmask)1 << 0)  /* --catalog FILE (repeatable) */
#define CLI_OPT_FEED       ((cli_optmask)1 << 1)  /* --feed FILE (repeatable) */
#define CLI_OPT_AS_OF      ((cli_optmask)1 << 2)  /* --as-of YYYY-MM-DD */
#define CLI_OPT_FORMAT     ((cli_optmask)1 << 3)  /* --format table|csv|json */
#define CLI_OPT_WFORMAT    ((cli_optmask)1 << 4)  /* --format text|json (watch) */
#define CLI_OPT_PLAN       ((cli_optmask)1 << 5)  /* --plan P */
#define CLI_OPT_PROJECT    ((cli_optmask)1 << 6)  /* --project P */
#define CLI_OPT_INDICATOR  ((cli_optmask)1 << 7)  /* --indicator ID */
#define CLI_OPT_COUNT      ((cli_optmask)1 << 8)  /* --count N */
#define CLI_OPT_DRY_RUN    ((cli_optmask)1 << 9)  /* --dry-run */
#define CLI_OPT_INGEST     ((cli_optmask)1 << 10)  /* --ingest EP  / PLANWATCH_INGEST */
#define CLI_OPT_STORE      ((cli_optmask)1 << 11)  /* --store EP   / PLANWATCH_STORE */
#define CLI_OPT_ALERTS     ((cli_optmask)1 << 12)  /* --alerts EP  / PLANWATCH_ALERTS */
#define CLI_OPT_TIMEOUT    ((cli_optmask)1 << 13)  /* --timeout-ms N / PLANWATCH_TIMEOUT_MS */
#define CLI_OPT_OFFICE     ((cli_optmask)1 << 14)  /* --office NAME / PLANWATCH_OFFICE */
#define CLI_OPT_FY         ((cli_optmask)1 << 15)  /* --fy Y (2024, FY2024, 令和6, R6) */
#define CLI_OPT_RFORMAT    ((cli_optmask)1 << 16)  /* --format csv|md|html|xlsx|pdf, --bom, --no-bom (report) */
#define CLI_OPT_WEBHOOK    ((cli_optmask)1 << 17)  /* --webhook URL */
#define CLI_OPT_SECRET     ((cli_optmask)1 << 18)  /* --secret S / PLANWATCH_WEBHOOK_SECRET */
#define CLI_OPT_SEVERITY   ((cli_optmask)1 << 19)  /* --severity info|warning|critical */
#define CLI_OPT_BY         ((cli_optmask)1 << 20)  /* --by NAME / PLANWATCH_USER */
#define CLI_OPT_REASON     ((cli_optmask)1 << 21)  /* --reason TEXT */
#define CLI_OPT_UNTIL      ((cli_optmask)1 << 22)  /* --until YYYY-MM-DD */
#define CLI_OPT_COMMENT    ((cli_optmask)1 << 23)  /* --comment TEXT */
#define CLI_OPT_OPEN       ((cli_optmask)1 << 24)  /* --open / --history */
#define CLI_OPT_LIMIT      ((cli_optmask)1 << 25)  /* --limit N */
#define CLI_OPT_SECURITY   ((cli_optmask)1 << 26)  /* --key, --ingest-key, --store-key, --alerts-key, --insecure */
#define CLI_OPT_KEYGEN     ((cli_optmask)1 << 27)  /* --dir DIR, --force (keygen) */
#define CLI_OPT_KNOWN_AT   ((cli_optmask)1 << 28)  /* --known-at INSTANT|YYYY-MM-DD */
#define CLI_OPT_PUBLISH    ((cli_optmask)1 << 29)  /* report --publish / --published ID */
#define CLI_OPT_LANG       ((cli_optmask)1 << 30)  /* --lang ja|en, --wide (status, report, catalog) */
#define CLI_OPT_LIFT       ((cli_optmask)1 << 36)  /* silence --lift ID */
#define CLI_OPT_USERS      ((cli_optmask)1 << 31)  /* --users FILE / PLANWATCH_USERS (user) */
#define CLI_OPT_ROLE       ((cli_optmask)1 << 32)  /* --role member|secretariat|viewer (user add) */
/* 40-55: notification channels (subscribe, subscriptions) */
#define CLI_OPT_SFORMAT    ((cli_optmask)1 << 40)  /* --format json|alertmanager|slack (subscribe) */
#define CLI_OPT_EMAIL      ((cli_optmask)1 << 41)  /* --email ADDR (subscribe) */
#define CLI_OPT_GROUP      ((cli_optmask)1 << 42)  /* --group-wait D, --group-interval D, --repeat-interval D */
#define CLI_OPT_DIGEST     ((cli_optmask)1 << 43)  /* --digest "mon 09:00" (subscribe) */
#define CLI_OPT_RESUME     ((cli_optmask)1 << 44)  /* --resume ID (subscriptions) */

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
    uint64_t lift;                          /* silence --lift ID; 0: none */
    int lang;                               /* --lang: PW_LANG_JA / PW_LANG_EN; -1: not given
                                               (each command picks its default) */
    int wide;                               /* --wide: tables print every cell whole */
    int office_given;                       /* --office was on the command line */
    const char *users;                      /* --users FILE / PLANWATCH_USERS; NULL: none */
    const char *role;                       /* --role; NULL: not given */
    /* notification channels (bits 40-55) */
    const char *sub_format;                 /* subscribe --format; NULL: json */
    const char *email;                      /* subscribe --email; NULL: not given */
    long group_wait_s, group_interval_s;    /* subscribe --group-wait / --group-interval (s) */
    long repeat_s;                          /* subscribe --repeat-interval (s) */
    const char *digest;                     /* subscribe --digest "DAY HH:MM"; NULL: none */
    uint64_t resume;                        /* subscriptions --resume ID; 0: none */
};

/* The width a table fits: $COLUMNS when it is a number, else the
 * terminal's width when stdout is one, else 120. */
size_t cli_opts_columns(void);

/* The report options of a table, csv or json: --lang (default: ja for a
 * table, en for csv and json, whose explanation column stays as it was),
 * --wide, the width of cli_opts_columns() for a table. */
struct pw_report_opts cli_opts_report(const struct cli_opts *o);

/* Parses argv[1..argc) (argv[0] is the subcommand name) into *o, accepting
 * only the options in `allowed` (a cli_optmask). summary is the
 * command's usage and description; --help prints it followed by the
 * generated option list. Environment variables are read for the connection
 * options. Returns -1 to go on, else the exit status: 0 after --help, 2 after
 * a usage error (printed to stderr). */
int cli_opts_parse(struct cli_opts *o, int argc, char **argv, cli_optmask allowed,
                   const char *summary);

/* Writes the option list of the options in `allowed` (the --help body). */
void cli_opts_help(FILE *out, cli_optmask allowed);

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
