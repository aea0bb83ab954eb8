/* cli.h - the `planwatch` command's subcommands. Each is
 * `int cli_<name>(int argc, char **argv)` (argv[0] is the subcommand name)
 * returning the process exit status: 0 ok, 1 rejected rows / not found,
 * 2 usage, connection or system error.
 *   cli_local.c   catalog, status: offline from files, or dispatch online
 *   cli_remote.c  status, catalog (online) and history: store queries
 *   cli_feed.c    feed: send feed files to ingest; retract: withdraw a figure
 *   cli_watch.c   watch: follow the alert publisher
 *   cli_health.c  health: is a service ready?
 *   cli_keygen.c  keygen: a CURVE key pair for a service or an office
 *   cli_report.c  report: the annual follow-up table (csv, md, html); its
 *                 publication (--publish) and reports: the published ones
 *   cli_alerts.c  subscribe, unsubscribe, subscriptions, ack, silence, alerts
 *   cli_backup.c  backup (by the running store), restore (local copy)
 *   cli_template.c template: an office's feed template (csv, xlsx), offline
 *   cli_user.c    user add|passwd|disable|enable|list: planwatch-http's users file */
#ifndef PW_CLI_H
#define PW_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "cli_opts.h"
#include "feed.h"
#include "planwatch.pb-c.h"
#include "report.h"

/* Asks the store (--store) q and waits for the answer *r (caller frees with
 * planwatch__v1__query_reply__free_unpacked), printing why it failed
 * (cli_alerts.c). Returns the exit status: 0, 1 (the store refused: see
 * r's code) or 2 (no answer). */
int cli_store_query(const struct cli_opts *o, Planwatch__V1__Query *q,
                    Planwatch__V1__QueryReply **r);

/* Loads --catalog files, or the built-in catalogs when none was given.
 * Prints the loader's diagnostic on failure. Returns 0 or an error code. */
int cli_load_catalog(const struct cli_opts *o, struct pw_catalog **out);

/* Reads the --feed files into h (validated against cat); prints rejected
 * rows and a summary per file to stderr. Returns the number of rejected
 * rows, or -1 on a system error (printed). */
struct pw_history;
long cli_read_feeds(const struct cli_opts *o, const struct pw_catalog *cat, struct pw_history *h);

int cli_catalog(int argc, char **argv);
int cli_status(int argc, char **argv);
int cli_feed(int argc, char **argv);
int cli_retract(int argc, char **argv);
int cli_history(int argc, char **argv);
int cli_watch(int argc, char **argv);
int cli_health(int argc, char **argv);
int cli_keygen(int argc, char **argv);
int cli_report(int argc, char **argv);
int cli_reports(int argc, char **argv);
int cli_subscribe(int argc, char **argv);
int cli_unsubscribe(int argc, char **argv);
int cli_subscriptions(int argc, char **argv);
int cli_ack(int argc, char **argv);
int cli_assess(int argc, char **argv);
int cli_silence(int argc, char **argv);
int cli_alerts(int argc, char **argv);
int cli_backup(int argc, char **argv);
int cli_restore(int argc, char **argv);
int cli_template(int argc, char **argv);
int cli_user(int argc, char **argv);

/* The online halves of catalog and status (o already parsed; no --catalog /
 * --feed given). Return the exit status. */
int cli_remote_catalog(const struct cli_opts *o);
int cli_remote_status(const struct cli_opts *o);


#endif
