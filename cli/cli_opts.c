/* cli_opts.c - option table and parser of the `planwatch` subcommands (see
 * cli_opts.h). getopt_long does the parsing; the table below is the single
 * source of the flags' help, environment variables and defaults. */
#include "cli_opts.h"

#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cfg.h"
#include "clock.h"
#include "err.h"
#include "eval.h"
#include "fy.h"

#define CLI_TIMEOUT_MAX 3600000L
#define CLI_COUNT_MAX 1000000000L

struct cli_opt_row {
    cli_optmask bit;
    const char *flag; /* without "--" */
    const char *arg;  /* NULL: a switch */
    const char *env;  /* NULL: no environment variable */
    const char *def;  /* default as text (shown in --help), NULL: none */
    const char *help;
};

static const struct cli_opt_row cli_rows[] = {
    {CLI_OPT_CATALOG, "catalog", "FILE", NULL, NULL,
     "catalog YAML file, repeatable (offline: no service is asked)"},
    {CLI_OPT_FEED, "feed", "FILE", NULL, NULL,
     "feed file (CSV or JSON), repeatable: evaluate offline from these files\n"
     "      instead of asking the store"},
    {CLI_OPT_AS_OF, "as-of", "YYYY-MM-DD", NULL, "today: JST offline, the store's today online",
     "evaluate at the end of this day"},
    {CLI_OPT_FORMAT, "format", "table|csv|json", NULL, "table", "output format"},
    {CLI_OPT_WFORMAT, "format", "text|json", NULL, "text",
     "output format; json: one JSON object per line"},
    {CLI_OPT_PLAN, "plan", "P", NULL, NULL, "only indicators of plan P (e.g. p3)"},
    {CLI_OPT_PROJECT, "project", "P", NULL, NULL,
     "only indicators of project P (e.g. pj2; all = plan-wide indicators)"},
    {CLI_OPT_INDICATOR, "indicator", "ID", NULL, NULL, "only this indicator"},
    {CLI_OPT_COUNT, "count", "N", NULL, NULL,
     "exit 0 after N alerts (default: until SIGINT/SIGTERM)"},
    {CLI_OPT_DRY_RUN, "dry-run", NULL, NULL, NULL,
     "ingest only validates the rows: nothing is stored"},
    {CLI_OPT_INGEST, "ingest", "EP", "PLANWATCH_INGEST", "tcp://127.0.0.1:7601",
     "ingest service (office endpoint)"},
    {CLI_OPT_STORE, "store", "EP", "PLANWATCH_STORE", "tcp://127.0.0.1:7604",
     "store service (queries)"},
    {CLI_OPT_ALERTS, "alerts", "EP", "PLANWATCH_ALERTS", "tcp://127.0.0.1:7606", "alert publisher"},
    {CLI_OPT_TIMEOUT, "timeout-ms", "N", "PLANWATCH_TIMEOUT_MS", "10000",
     "how long to wait for a service's answer (1-3600000)"},
    {CLI_OPT_OFFICE, "office", "NAME", "PLANWATCH_OFFICE", "$USER, else \"office\"",
     "the reporting office (part of every derived update id)"},
    {CLI_OPT_SECURITY, "key", "FILE", "PLANWATCH_KEY", NULL,
     "your secret key file (NAME.key_secret from planwatch keygen; the registry\n"
     "      says what its public key may do)"},
    {CLI_OPT_SECURITY, "ingest-key", "FILE", "PLANWATCH_INGEST_KEY", NULL,
     "the ingest service's public key file (ingest.key)"},
    {CLI_OPT_SECURITY, "store-key", "FILE", "PLANWATCH_STORE_KEY", NULL,
     "the store's public key file (store.key)"},
    {CLI_OPT_SECURITY, "alerts-key", "FILE", "PLANWATCH_ALERTS_KEY", NULL,
     "the alert service's public key file (alert.key)"},
    {CLI_OPT_SECURITY, "insecure", NULL, "PLANWATCH_INSECURE", NULL,
     "plain text, no keys: only for services started with --insecure (local\n"
     "      development)"},
    {CLI_OPT_KEYGEN, "dir", "DIR", NULL, ".", "where to write NAME.key and NAME.key_secret"},
    {CLI_OPT_KEYGEN, "force", NULL, NULL, NULL, "replace existing key files"},
    {CLI_OPT_FY, "fy", "Y", NULL, NULL, "fiscal year: 2024, FY2024, 令和6, R6"},
    {CLI_OPT_RFORMAT, "format", "csv|md|html|xlsx|pdf", NULL, "md",
     "output format (pdf: printed by chromium; Japanese needs fonts-noto-cjk)"},
    {CLI_OPT_RFORMAT, "bom", NULL, NULL, "on", "csv: start with a UTF-8 byte-order mark (Excel)"},
    {CLI_OPT_RFORMAT, "no-bom", NULL, NULL, NULL, "csv: no byte-order mark"},
    {CLI_OPT_WEBHOOK, "webhook", "URL", NULL, NULL, "http:// or https:// URL to POST alerts to"},
    {CLI_OPT_SECRET, "secret", "S", "PLANWATCH_WEBHOOK_SECRET", NULL,
     "shared secret: each POST is signed, webhook-signature: v1,<base64 HMAC-SHA256 of\n"
     "      id.timestamp.body> (and, one more release, X-Planwatch-Signature)"},
    {CLI_OPT_SEVERITY, "severity", "info|warning|critical", NULL, NULL,
     "only alerts of at least this severity (subscribe default: warning)"},
    {CLI_OPT_BY, "by", "NAME", "PLANWATCH_USER", "$USER", "who answers"},
    {CLI_OPT_REASON, "reason", "TEXT", NULL, NULL, "why: the cause analysis (要因分析)"},
    {CLI_OPT_UNTIL, "until", "YYYY-MM-DD", NULL, NULL, "mute until this day (notifications resume on it)"},
    {CLI_OPT_COMMENT, "comment", "TEXT", NULL, NULL, "why the silence"},
    {CLI_OPT_LIFT, "lift", "ID", NULL, NULL,
     "end silence ID now instead of adding one (its record stays in the history)"},
    {CLI_OPT_OPEN, "open", NULL, NULL, NULL, "the open alerts (default)"},
    {CLI_OPT_OPEN, "history", NULL, NULL, NULL,
     "every transition, delivery attempt, acknowledgement and silence, oldest first"},
    {CLI_OPT_LIMIT, "limit", "N", NULL, "1000", "--history: at most the N latest transitions"},
    {CLI_OPT_KNOWN_AT, "known-at", "INSTANT", NULL, "now: every revision",
     "only the revisions received by then count: 2026-05-01T12:00:00+09:00 (or Z),\n"
     "      or YYYY-MM-DD = the end of that day in Japan"},
    {CLI_OPT_PUBLISH, "publish", NULL, NULL, NULL,
     "keep this report in the store, byte for byte, and print its id (needs the\n"
     "      registry's manage: true)"},
    {CLI_OPT_PUBLISH, "published", "ID", NULL, NULL,
     "print the published report ID exactly as it was published"},
    {CLI_OPT_LANG, "lang", "ja|en", NULL, "ja (status csv/json: en)",
     "language of explanations, status words and headings"},
    {CLI_OPT_LANG, "wide", NULL, NULL, NULL,
     "table: print every cell whole (default: fit $COLUMNS, else 120)"},
    {CLI_OPT_USERS, "users", "FILE", "PLANWATCH_USERS", NULL,
     "the users file planwatch-http reads (--users there); created by user add"},
    {CLI_OPT_ROLE, "role", "member|secretariat|viewer", NULL, NULL,
     "member: writes its --office's scope; secretariat: manages alerts, assessments,\n"
     "      subscriptions and reports; viewer: reads"},
    /* notification channels */
    {CLI_OPT_SFORMAT, "format", "json|alertmanager|slack", NULL, "json",
     "what the URL receives: planwatch's JSON, an Alertmanager's API v2\n"
     "      (give its address: /api/v2/alerts is added), or a chat incoming webhook\n"
     "      (Slack, Mattermost: text and blocks)"},
    {CLI_OPT_EMAIL, "email", "ADDR", NULL, NULL,
     "send the alerts by email to ADDR (the alert service's --smtp-url) instead of a URL"},
    {CLI_OPT_GROUP, "group-wait", "DURATION", NULL, "0: one message per transition",
     "hold the first transition this long (30s, 5m, 1h) and send it with those that\n"
     "      arrive meanwhile as one message, listed by plan and project"},
    {CLI_OPT_GROUP, "group-interval", "DURATION", NULL, "the group wait",
     "after a grouped message, send the next no sooner than this"},
    {CLI_OPT_GROUP, "repeat-interval", "DURATION", NULL, "0: no reminders",
     "this often, one reminder listing the open alerts nobody acknowledged"},
    {CLI_OPT_RESUME, "resume", "ID", NULL, NULL,
     "send to failed subscription ID again, its waiting notifications first"},
    {CLI_OPT_DIGEST, "digest", "\"DAY HH:MM\"", NULL, NULL,
     "a digest of what is open and what changed, every DAY (mon..sun, or daily)\n"
     "      at HH:MM in Japan, e.g. \"mon 09:00\""},
};

enum {
    CLI_LONG_CATALOG = 1000,
    CLI_LONG_FEED,
    CLI_LONG_AS_OF,
    CLI_LONG_FORMAT,
    CLI_LONG_PLAN,
    CLI_LONG_PROJECT,
    CLI_LONG_INDICATOR,
    CLI_LONG_COUNT,
    CLI_LONG_DRY_RUN,
    CLI_LONG_INGEST,
    CLI_LONG_STORE,
    CLI_LONG_ALERTS,
    CLI_LONG_TIMEOUT,
    CLI_LONG_OFFICE,
    CLI_LONG_HELP,
    CLI_LONG_KEY,
    CLI_LONG_INGEST_KEY,
    CLI_LONG_STORE_KEY,
    CLI_LONG_ALERTS_KEY,
    CLI_LONG_INSECURE,
    CLI_LONG_DIR,
    CLI_LONG_FORCE,
    CLI_LONG_FY,
    CLI_LONG_WEBHOOK,
    CLI_LONG_SECRET,
    CLI_LONG_SEVERITY,
    CLI_LONG_BY,
    CLI_LONG_REASON,
    CLI_LONG_UNTIL,
    CLI_LONG_COMMENT,
    CLI_LONG_OPEN,
    CLI_LONG_HISTORY,
    CLI_LONG_LIMIT,
    CLI_LONG_KNOWN_AT,
    CLI_LONG_PUBLISH,
    CLI_LONG_PUBLISHED,
    CLI_LONG_LANG,
    CLI_LONG_WIDE,
    CLI_LONG_BOM,
    CLI_LONG_NO_BOM,
    CLI_LONG_LIFT,
    CLI_LONG_USERS,
    CLI_LONG_ROLE,
    CLI_LONG_EMAIL = 1400, /* notification channels: 1400-1415 */
    CLI_LONG_GROUP_WAIT,
    CLI_LONG_GROUP_INTERVAL,
    CLI_LONG_REPEAT_INTERVAL,
    CLI_LONG_DIGEST,
    CLI_LONG_RESUME,
};

/* getopt's view of the same table; `format` serves both format bits. */
static const struct option cli_long[] = {{"catalog", required_argument, NULL, CLI_LONG_CATALOG},
                                         {"feed", required_argument, NULL, CLI_LONG_FEED},
                                         {"as-of", required_argument, NULL, CLI_LONG_AS_OF},
                                         {"format", required_argument, NULL, CLI_LONG_FORMAT},
                                         {"plan", required_argument, NULL, CLI_LONG_PLAN},
                                         {"project", required_argument, NULL, CLI_LONG_PROJECT},
                                         {"indicator", required_argument, NULL, CLI_LONG_INDICATOR},
                                         {"count", required_argument, NULL, CLI_LONG_COUNT},
                                         {"dry-run", no_argument, NULL, CLI_LONG_DRY_RUN},
                                         {"ingest", required_argument, NULL, CLI_LONG_INGEST},
                                         {"store", required_argument, NULL, CLI_LONG_STORE},
                                         {"alerts", required_argument, NULL, CLI_LONG_ALERTS},
                                         {"timeout-ms", required_argument, NULL, CLI_LONG_TIMEOUT},
                                         {"office", required_argument, NULL, CLI_LONG_OFFICE},
                                         {"help", no_argument, NULL, CLI_LONG_HELP},
                                         {"key", required_argument, NULL, CLI_LONG_KEY},
                                         {"ingest-key", required_argument, NULL, CLI_LONG_INGEST_KEY},
                                         {"store-key", required_argument, NULL, CLI_LONG_STORE_KEY},
                                         {"alerts-key", required_argument, NULL, CLI_LONG_ALERTS_KEY},
                                         {"insecure", no_argument, NULL, CLI_LONG_INSECURE},
                                         {"dir", required_argument, NULL, CLI_LONG_DIR},
                                         {"force", no_argument, NULL, CLI_LONG_FORCE},
                                         {"fy", required_argument, NULL, CLI_LONG_FY},
                                         {"webhook", required_argument, NULL, CLI_LONG_WEBHOOK},
                                         {"secret", required_argument, NULL, CLI_LONG_SECRET},
                                         {"severity", required_argument, NULL, CLI_LONG_SEVERITY},
                                         {"by", required_argument, NULL, CLI_LONG_BY},
                                         {"reason", required_argument, NULL, CLI_LONG_REASON},
                                         {"until", required_argument, NULL, CLI_LONG_UNTIL},
                                         {"comment", required_argument, NULL, CLI_LONG_COMMENT},
                                         {"open", no_argument, NULL, CLI_LONG_OPEN},
                                         {"history", no_argument, NULL, CLI_LONG_HISTORY},
                                         {"limit", required_argument, NULL, CLI_LONG_LIMIT},
                                         {"known-at", required_argument, NULL, CLI_LONG_KNOWN_AT},
                                         {"publish", no_argument, NULL, CLI_LONG_PUBLISH},
                                         {"published", required_argument, NULL, CLI_LONG_PUBLISHED},
                                         {"lang", required_argument, NULL, CLI_LONG_LANG},
                                         {"wide", no_argument, NULL, CLI_LONG_WIDE},
                                         {"bom", no_argument, NULL, CLI_LONG_BOM},
                                         {"no-bom", no_argument, NULL, CLI_LONG_NO_BOM},
                                         {"lift", required_argument, NULL, CLI_LONG_LIFT},
                                         {"users", required_argument, NULL, CLI_LONG_USERS},
                                         {"role", required_argument, NULL, CLI_LONG_ROLE},
                                         {"email", required_argument, NULL, CLI_LONG_EMAIL},
                                         {"group-wait", required_argument, NULL, CLI_LONG_GROUP_WAIT},
                                         {"group-interval", required_argument, NULL, CLI_LONG_GROUP_INTERVAL},
                                         {"repeat-interval", required_argument, NULL, CLI_LONG_REPEAT_INTERVAL},
                                         {"digest", required_argument, NULL, CLI_LONG_DIGEST},
                                         {"resume", required_argument, NULL, CLI_LONG_RESUME},
                                         {NULL, 0, NULL, 0}};

/* The option bit(s) a getopt code stands for. */
static cli_optmask cli_bit(int code)
{
    switch (code) {
    case CLI_LONG_CATALOG: return CLI_OPT_CATALOG;
    case CLI_LONG_FEED: return CLI_OPT_FEED;
    case CLI_LONG_AS_OF: return CLI_OPT_AS_OF;
    case CLI_LONG_FORMAT:
        return CLI_OPT_FORMAT | CLI_OPT_WFORMAT | CLI_OPT_RFORMAT | CLI_OPT_SFORMAT;
    case CLI_LONG_EMAIL: return CLI_OPT_EMAIL;
    case CLI_LONG_GROUP_WAIT:
    case CLI_LONG_GROUP_INTERVAL:
    case CLI_LONG_REPEAT_INTERVAL: return CLI_OPT_GROUP;
    case CLI_LONG_DIGEST: return CLI_OPT_DIGEST;
    case CLI_LONG_RESUME: return CLI_OPT_RESUME;
    case CLI_LONG_BOM:
    case CLI_LONG_NO_BOM: return CLI_OPT_RFORMAT;
    case CLI_LONG_PLAN: return CLI_OPT_PLAN;
    case CLI_LONG_PROJECT: return CLI_OPT_PROJECT;
    case CLI_LONG_INDICATOR: return CLI_OPT_INDICATOR;
    case CLI_LONG_COUNT: return CLI_OPT_COUNT;
    case CLI_LONG_DRY_RUN: return CLI_OPT_DRY_RUN;
    case CLI_LONG_INGEST: return CLI_OPT_INGEST;
    case CLI_LONG_STORE: return CLI_OPT_STORE;
    case CLI_LONG_ALERTS: return CLI_OPT_ALERTS;
    case CLI_LONG_TIMEOUT: return CLI_OPT_TIMEOUT;
    case CLI_LONG_OFFICE: return CLI_OPT_OFFICE;
    case CLI_LONG_KEY:
    case CLI_LONG_INGEST_KEY:
    case CLI_LONG_STORE_KEY:
    case CLI_LONG_ALERTS_KEY:
    case CLI_LONG_INSECURE: return CLI_OPT_SECURITY;
    case CLI_LONG_DIR:
    case CLI_LONG_FORCE: return CLI_OPT_KEYGEN;
    case CLI_LONG_FY: return CLI_OPT_FY;
    case CLI_LONG_WEBHOOK: return CLI_OPT_WEBHOOK;
    case CLI_LONG_SECRET: return CLI_OPT_SECRET;
    case CLI_LONG_SEVERITY: return CLI_OPT_SEVERITY;
    case CLI_LONG_BY: return CLI_OPT_BY;
    case CLI_LONG_REASON: return CLI_OPT_REASON;
    case CLI_LONG_UNTIL: return CLI_OPT_UNTIL;
    case CLI_LONG_COMMENT: return CLI_OPT_COMMENT;
    case CLI_LONG_OPEN:
    case CLI_LONG_HISTORY: return CLI_OPT_OPEN;
    case CLI_LONG_LIMIT: return CLI_OPT_LIMIT;
    case CLI_LONG_KNOWN_AT: return CLI_OPT_KNOWN_AT;
    case CLI_LONG_PUBLISH:
    case CLI_LONG_PUBLISHED: return CLI_OPT_PUBLISH;
    case CLI_LONG_LIFT: return CLI_OPT_LIFT;
    case CLI_LONG_LANG:
    case CLI_LONG_WIDE: return CLI_OPT_LANG;
    case CLI_LONG_USERS: return CLI_OPT_USERS;
    case CLI_LONG_ROLE: return CLI_OPT_ROLE;
    default: return 0;
    }
}

/* Every command that talks to a service takes the security options. */
static cli_optmask cli_allowed(cli_optmask allowed)
{
    return allowed & (CLI_OPT_INGEST | CLI_OPT_STORE | CLI_OPT_ALERTS) ? allowed | CLI_OPT_SECURITY
                                                                       : allowed;
}

void cli_opts_help(FILE *out, cli_optmask allowed)
{
    allowed = cli_allowed(allowed);
    fputs("\noptions:\n", out);
    for (size_t i = 0; i < sizeof cli_rows / sizeof cli_rows[0]; i++) {
        const struct cli_opt_row *r = &cli_rows[i];
        if (!(allowed & r->bit))
            continue;
        fprintf(out, "  --%s%s%s\n      %s\n", r->flag, r->arg ? " " : "", r->arg ? r->arg : "",
                r->help);
        if (r->env || r->def) {
            fputs("      (", out);
            if (r->env)
                fprintf(out, "environment %s%s", r->env, r->def ? ", " : "");
            if (r->def)
                fprintf(out, "default %s", r->def);
            fputs(")\n", out);
        }
    }
    fputs("  --help\n      this text\n", out);
}

/* An environment variable, unset and empty alike meaning "not given". */
static const char *cli_env(const char *name)
{
    const char *v = getenv(name);
    return v && v[0] ? v : NULL;
}

static const char *cli_default_office(void)
{
    const char *u = cli_env("USER");
    if (u)
        return u;
    struct passwd *pw = getpwuid(getuid());
    return pw && pw->pw_name && pw->pw_name[0] ? pw->pw_name : "office";
}

/* Defaults, then the environment. Returns 0 or 2 (a bad variable). */
static int cli_defaults(struct cli_opts *o, cli_optmask allowed)
{
    const char *v;
    long t;
    memset(o, 0, sizeof *o);
    o->as_of = pw_day_today();
    o->known_at = PW_KNOWN_ALL;
    o->lang = -1;
    o->ingest = (v = cli_env("PLANWATCH_INGEST")) ? v : "tcp://127.0.0.1:7601";
    o->store = (v = cli_env("PLANWATCH_STORE")) ? v : "tcp://127.0.0.1:7604";
    o->alerts = (v = cli_env("PLANWATCH_ALERTS")) ? v : "tcp://127.0.0.1:7606";
    o->office = (v = cli_env("PLANWATCH_OFFICE")) ? v : cli_default_office();
    o->timeout_ms = 10000;
    o->key = cli_env("PLANWATCH_KEY");
    o->ingest_key = cli_env("PLANWATCH_INGEST_KEY");
    o->store_key = cli_env("PLANWATCH_STORE_KEY");
    o->alerts_key = cli_env("PLANWATCH_ALERTS_KEY");
    o->dir = ".";
    if ((allowed & CLI_OPT_SECURITY) && (v = cli_env("PLANWATCH_INSECURE"))) {
        if (pw_cfg_parse_bool(v, &o->insecure)) {
            fprintf(stderr, "planwatch: PLANWATCH_INSECURE '%s' is not true or false\n", v);
            return 2;
        }
    }
    o->rfmt = PW_FOLLOWUP_MD;
    o->bom = 1;
    o->severity = -1;
    o->secret = cli_env("PLANWATCH_WEBHOOK_SECRET");
    o->users = cli_env("PLANWATCH_USERS");
    o->by = (v = cli_env("PLANWATCH_USER")) ? v : cli_env("USER");
    if ((allowed & CLI_OPT_TIMEOUT) && (v = cli_env("PLANWATCH_TIMEOUT_MS"))) {
        if (pw_cfg_parse_long(v, 1, CLI_TIMEOUT_MAX, &t)) {
            fprintf(stderr,
                    "planwatch: PLANWATCH_TIMEOUT_MS '%s' is not a whole number from 1 to %ld\n", v,
                    CLI_TIMEOUT_MAX);
            return 2;
        }
        o->timeout_ms = (int)t;
    }
    return 0;
}

/* Prints the usage error and the help hint; returns 2. */
static int cli_usage(const char *cmd, const char *what)
{
    fprintf(stderr, "planwatch %s: %s (see planwatch %s --help)\n", cmd, what, cmd);
    return 2;
}

int cli_opts_parse(struct cli_opts *o, int argc, char **argv, cli_optmask allowed, const char *summary)
{
    const char *cmd = argv[0];
    char why[320];
    long v;
    int c, idx;
    allowed = cli_allowed(allowed);
    if (cli_defaults(o, allowed))
        return 2;
    optind = 1;
    opterr = 0; /* our own messages, naming the command */
    while ((c = getopt_long(argc, argv, ":", cli_long, &idx)) != -1) {
        if (c == CLI_LONG_HELP) {
            fputs(summary, stdout);
            cli_opts_help(stdout, allowed);
            return 0;
        }
        if (c == '?' || c == ':') {
            const char *bad = argv[optind - 1];
            snprintf(why, sizeof why,
                     c == ':' ? "option '%s' needs a value" : "unknown option '%s'", bad);
            return cli_usage(cmd, why);
        }
        if (!(cli_bit(c) & allowed)) {
            snprintf(why, sizeof why, "option --%s does not apply to this command",
                     cli_long[idx].name);
            return cli_usage(cmd, why);
        }
        switch (c) {
        case CLI_LONG_CATALOG:
        case CLI_LONG_FEED: {
            size_t *n = c == CLI_LONG_CATALOG ? &o->ncatalogs : &o->nfeeds;
            const char **list = c == CLI_LONG_CATALOG ? o->catalogs : o->feeds;
            if (*n == CLI_MAX_FILES) {
                snprintf(why, sizeof why, "at most %d files per option", CLI_MAX_FILES);
                return cli_usage(cmd, why);
            }
            list[(*n)++] = optarg;
            break;
        }
        case CLI_LONG_AS_OF:
            if (pw_day_parse(optarg, &o->as_of)) {
                snprintf(why, sizeof why, "--as-of '%s' is not a date YYYY-MM-DD", optarg);
                return cli_usage(cmd, why);
            }
            o->as_of_given = 1;
            break;
        case CLI_LONG_FORMAT:
            if (allowed & CLI_OPT_RFORMAT) {
                if (pw_followup_format_parse(optarg, &o->rfmt)) {
                    snprintf(why, sizeof why, "--format '%s' is not csv, md, html, xlsx or pdf",
                             optarg);
                    return cli_usage(cmd, why);
                }
            } else if (allowed & CLI_OPT_WFORMAT) {
                if (strcmp(optarg, "text") && strcmp(optarg, "json")) {
                    snprintf(why, sizeof why, "--format '%s' is not text or json", optarg);
                    return cli_usage(cmd, why);
                }
                o->json_lines = strcmp(optarg, "json") == 0;
            } else if (allowed & CLI_OPT_SFORMAT) {
                if (strcmp(optarg, "json") && strcmp(optarg, "alertmanager") &&
                    strcmp(optarg, "slack")) {
                    snprintf(why, sizeof why, "--format '%s' is not json, alertmanager or slack",
                             optarg);
                    return cli_usage(cmd, why);
                }
                o->sub_format = optarg;
            } else if (pw_format_parse(optarg, &o->fmt)) {
                snprintf(why, sizeof why, "--format '%s' is not table, csv or json", optarg);
                return cli_usage(cmd, why);
            }
            break;
        case CLI_LONG_PLAN: o->plan = optarg; break;
        case CLI_LONG_PROJECT: o->project = optarg; break;
        case CLI_LONG_INDICATOR: o->indicator = optarg; break;
        case CLI_LONG_COUNT:
            if (pw_cfg_parse_long(optarg, 1, CLI_COUNT_MAX, &v)) {
                snprintf(why, sizeof why, "--count '%s' is not a whole number from 1 to %ld",
                         optarg, CLI_COUNT_MAX);
                return cli_usage(cmd, why);
            }
            o->count = v;
            break;
        case CLI_LONG_DRY_RUN: o->dry_run = 1; break;
        case CLI_LONG_FY:
            if (pw_fy_parse(optarg, &o->fy)) {
                snprintf(why, sizeof why, "--fy '%s' is not a fiscal year (2024, FY2024, 令和6, R6)",
                         optarg);
                return cli_usage(cmd, why);
            }
            break;
        case CLI_LONG_INGEST: o->ingest = optarg; break;
        case CLI_LONG_STORE: o->store = optarg; break;
        case CLI_LONG_ALERTS: o->alerts = optarg; break;
        case CLI_LONG_OFFICE:
            if (!optarg[0])
                return cli_usage(cmd, "--office must not be empty");
            o->office = optarg;
            o->office_given = 1;
            break;
        case CLI_LONG_USERS: o->users = optarg; break;
        case CLI_LONG_ROLE: o->role = optarg; break;
        case CLI_LONG_KEY: o->key = optarg; break;
        case CLI_LONG_INGEST_KEY: o->ingest_key = optarg; break;
        case CLI_LONG_STORE_KEY: o->store_key = optarg; break;
        case CLI_LONG_ALERTS_KEY: o->alerts_key = optarg; break;
        case CLI_LONG_INSECURE: o->insecure = 1; break;
        case CLI_LONG_DIR: o->dir = optarg; break;
        case CLI_LONG_FORCE: o->force = 1; break;
        case CLI_LONG_WEBHOOK: o->webhook = optarg; break;
        case CLI_LONG_EMAIL: o->email = optarg; break;
        case CLI_LONG_DIGEST: o->digest = optarg; break; /* checked by the store */
        case CLI_LONG_RESUME: {
            char *end = NULL;
            errno = 0;
            unsigned long long id = strtoull(optarg, &end, 10);
            if (errno || !optarg[0] || *end || id == 0) {
                snprintf(why, sizeof why, "--resume '%s' is not a subscription id", optarg);
                return cli_usage(cmd, why);
            }
            o->resume = id;
            break;
        }
        case CLI_LONG_GROUP_WAIT:
        case CLI_LONG_GROUP_INTERVAL:
        case CLI_LONG_REPEAT_INTERVAL: {
            char *end = NULL;
            errno = 0;
            long d = strtol(optarg, &end, 10), unit = 1;
            if (end && *end && !end[1])
                unit = *end == 's' ? 1 : *end == 'm' ? 60 : *end == 'h' ? 3600 : 0;
            else if (end && *end)
                unit = 0;
            if (errno || end == optarg || unit == 0 || d < 0 || d > 86400 / unit) {
                snprintf(why, sizeof why,
                         "--%s '%s' is not a duration from 0 to 24h (30s, 5m, 1h, or seconds)",
                         cli_long[idx].name, optarg);
                return cli_usage(cmd, why);
            }
            *(c == CLI_LONG_GROUP_WAIT       ? &o->group_wait_s
              : c == CLI_LONG_GROUP_INTERVAL ? &o->group_interval_s
                                             : &o->repeat_s) = d * unit;
            break;
        }
        case CLI_LONG_SECRET: o->secret = optarg; break;
        case CLI_LONG_BY: o->by = optarg; break;
        case CLI_LONG_REASON: o->reason = optarg; break;
        case CLI_LONG_COMMENT: o->comment = optarg; break;
        case CLI_LONG_OPEN: o->history = 0; break;
        case CLI_LONG_HISTORY: o->history = 1; break;
        case CLI_LONG_SEVERITY:
            o->severity = !strcmp(optarg, "info")       ? 0
                          : !strcmp(optarg, "warning")  ? 1
                          : !strcmp(optarg, "critical") ? 2
                                                        : -2;
            if (o->severity == -2) {
                snprintf(why, sizeof why, "--severity '%s' is not info, warning or critical",
                         optarg);
                return cli_usage(cmd, why);
            }
            break;
        case CLI_LONG_UNTIL: {
            int32_t d;
            if (pw_day_parse(optarg, &d)) {
                snprintf(why, sizeof why, "--until '%s' is not a date YYYY-MM-DD", optarg);
                return cli_usage(cmd, why);
            }
            o->until = optarg;
            break;
        }
        case CLI_LONG_LIMIT:
            if (pw_cfg_parse_long(optarg, 1, 20000, &v)) {
                snprintf(why, sizeof why, "--limit '%s' is not a whole number from 1 to 20000",
                         optarg);
                return cli_usage(cmd, why);
            }
            o->limit = v;
            break;
        case CLI_LONG_KNOWN_AT:
            if (pw_clock_parse_known_at(optarg, &o->known_at)) {
                snprintf(why, sizeof why,
                         "--known-at '%s' is not an instant YYYY-MM-DDTHH:MM:SS+09:00 (or Z) or a "
                         "date YYYY-MM-DD",
                         optarg);
                return cli_usage(cmd, why);
            }
            o->known_at_given = 1;
            break;
        case CLI_LONG_PUBLISH: o->publish = 1; break;
        case CLI_LONG_WIDE: o->wide = 1; break;
        case CLI_LONG_LANG: {
            enum pw_lang l;
            if (pw_lang_parse(optarg, &l)) {
                snprintf(why, sizeof why, "--lang '%s' is not ja or en", optarg);
                return cli_usage(cmd, why);
            }
            o->lang = (int)l;
            break;
        }
        case CLI_LONG_BOM: o->bom = 1; break;
        case CLI_LONG_NO_BOM: o->bom = 0; break;
        case CLI_LONG_PUBLISHED:
            if (pw_cfg_parse_long(optarg, 1, LONG_MAX, &v)) {
                snprintf(why, sizeof why, "--published '%s' is not a report id", optarg);
                return cli_usage(cmd, why);
            }
            o->published = (uint64_t)v;
            break;
        case CLI_LONG_LIFT:
            if (pw_cfg_parse_long(optarg, 1, LONG_MAX, &v)) {
                snprintf(why, sizeof why, "--lift '%s' is not a silence id", optarg);
                return cli_usage(cmd, why);
            }
            o->lift = (uint64_t)v;
            break;
        case CLI_LONG_TIMEOUT:
            if (pw_cfg_parse_long(optarg, 1, CLI_TIMEOUT_MAX, &v)) {
                snprintf(why, sizeof why, "--timeout-ms '%s' is not a whole number from 1 to %ld",
                         optarg, CLI_TIMEOUT_MAX);
                return cli_usage(cmd, why);
            }
            o->timeout_ms = (int)v;
            break;
        default: return cli_usage(cmd, "unexpected option");
        }
    }
    for (; optind < argc; optind++) {
        if (o->nargs == CLI_MAX_FILES) {
            snprintf(why, sizeof why, "at most %d arguments", CLI_MAX_FILES);
            return cli_usage(cmd, why);
        }
        o->args[o->nargs++] = argv[optind];
    }
    return -1;
}

int cli_opts_check_filter(const struct cli_opts *o, const struct pw_catalog *cat)
{
    const struct pw_plan *plan = NULL;
    if (o->plan && !(plan = pw_catalog_find_plan(cat, o->plan))) {
        fprintf(stderr, "planwatch: no plan '%s' in the catalog\n", o->plan);
        return PW_ENOTFOUND;
    }
    if (!o->project)
        return 0;
    for (size_t i = 0; i < pw_catalog_count(cat); i++) {
        const struct pw_indicator *ind = pw_catalog_at(cat, i);
        if ((!plan || ind->plan == plan) && strcmp(pw_indicator_project_id(ind), o->project) == 0)
            return 0;
    }
    fprintf(stderr, "planwatch: no project '%s'%s%s in the catalog\n", o->project,
            plan ? " in plan " : "", plan ? plan->id : "");
    return PW_ENOTFOUND;
}

int cli_opts_match_ids(const struct cli_opts *o, const char *plan, const char *project,
                       const char *indicator)
{
    return (!o->plan || (plan && strcmp(plan, o->plan) == 0)) &&
           (!o->project || (project && strcmp(project, o->project) == 0)) &&
           (!o->indicator || (indicator && strcmp(indicator, o->indicator) == 0));
}

int cli_opts_match(const struct cli_opts *o, const struct pw_indicator *ind)
{
    return cli_opts_match_ids(o, ind->plan->id, pw_indicator_project_id(ind), ind->id);
}

void cli_opts_filter_rows(const struct cli_opts *o, struct pw_status_row *rows, size_t *n)
{
    size_t k = 0;
    for (size_t i = 0; i < *n; i++)
        if (cli_opts_match(o, rows[i].ind))
            rows[k++] = rows[i];
    *n = k;
}

size_t cli_opts_columns(void)
{
    const char *c = getenv("COLUMNS");
    long v = 0;
    struct winsize ws;
    if (c && !pw_cfg_parse_long(c, 20, 100000, &v))
        return (size_t)v;
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
        return ws.ws_col;
    return 120;
}

struct pw_report_opts cli_opts_report(const struct cli_opts *o)
{
    /* a table is read by people: Japanese; csv and json keep the explanation
     * column of every release (machine consumers, byte-equal online/offline) */
    enum pw_lang def = o->fmt == PW_FMT_TABLE ? PW_LANG_JA : PW_LANG_EN;
    struct pw_report_opts r = {o->lang < 0 ? def : (enum pw_lang)o->lang, 0, o->wide};
    if (o->fmt == PW_FMT_TABLE && !o->wide)
        r.width = cli_opts_columns();
    return r;
}
