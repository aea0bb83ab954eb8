/* main.c - `planwatch` entry point: dispatches to a subcommand. The offline
 * commands (catalog --catalog, status --feed) need no service; the others
 * talk to ingest, the store or the alert publisher (docs/pipeline.md). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "service.h"

static void usage(FILE *out)
{
    fputs("Usage: planwatch COMMAND [OPTIONS]\n"
          "\n"
          "commands:\n"
          "  feed FILE... [--dry-run] [--format table|csv|json] [--office NAME]\n"
          "      send an office's feed files (CSV or JSON) to the ingest service; print every\n"
          "      row that was not accepted and a tally per file\n"
          "  retract ID --fy Y [--dry-run] [--format table|csv|json] [--office NAME]\n"
          "      withdraw the figure of one indicator and fiscal year (kept in history; the\n"
          "      year has no figure until one is sent again)\n"
          "  status [--as-of YYYY-MM-DD] [--known-at T] [--format F] [--plan P] [--project P]\n"
          "      every indicator at its checkpoint (the plan's rule), as the store evaluates it\n"
          "  template --office ID [--fy Y] [--format csv|xlsx] [--out FILE] [--registry FILE]\n"
          "      the feed template of the rows an office owes (offline: catalog + registry)\n"
          "  status --feed FILE... [--catalog FILE]... [--as-of YYYY-MM-DD] [--format F]\n"
          "      the same offline from feed files (an office's dry run: what would the\n"
          "      status be with this feed?)\n"
          "  history ID [--known-at T] [--format F]\n"
          "      every stored revision of one indicator, oldest first\n"
          "  catalog [--catalog FILE]... [--format F]\n"
          "      the indicators of the catalog the store runs with (or of the files given)\n"
          "  watch [--plan P] [--project P] [--indicator ID] [--format text|json] [--count N]\n"
          "      follow the alert service: one line per status change as it happens\n"
          "  report --plan P --fy Y [--format csv|md|html] [--feed FILE...] [--known-at T]\n"
          "         [--publish [--by NAME]] | --published ID\n"
          "      the annual follow-up table of a plan at the end of a fiscal year; publish it\n"
          "  reports [--plan P] | reports get ID\n"
          "      the published reports, or one exactly as it was published\n"
          "  health store|ingest|alert\n"
          "      is the service ready? (exit 0 ready, 1 not ready, 2 not answering)\n"
          "  keygen NAME [--dir DIR] [--force]\n"
          "      make a CURVE key pair: DIR/NAME.key (public) and DIR/NAME.key_secret\n"
          "  alerts [--open|--history] [--plan P] [--project P] [--indicator ID] [--format F]\n"
          "      the open alerts with their acknowledgements, or every transition, delivery,\n"
          "      acknowledgement and silence\n"
          "  subscribe --webhook URL [--plan P] [--project P] [--indicator ID]\n"
          "            [--severity info|warning|critical] [--secret S]\n"
          "      POST every alert transition that passes the filters to URL (JSON)\n"
          "  unsubscribe ID | subscriptions [--format F]\n"
          "      remove / list webhook subscriptions\n"
          "  ack ALERT_ID --by NAME --reason TEXT\n"
          "      answer an open alert: quiet until new figures arrive\n"
          "  silence [--plan P] [--project P] [--indicator ID] --until DATE --comment TEXT\n"
          "      mute webhooks until DATE\n"
          "  silence --lift ID [--by NAME]\n"
          "      end a silence now\n"
          "  assess ID --fy Y --grade A|B --reason TEXT --by NAME | assess ID --fy Y --withdraw\n"
          "  assess --file F\n"
          "      the secretariat's assessment of a fiscal year, shown beside the computed grade\n"
          "  backup NAME\n"
          "      the running store writes a consistent, compacted copy of its database to\n"
          "      NAME/data.mdb inside its own --backup-dir (on the store's machine)\n"
          "  restore BACKUP_DIR DATA_DIR\n"
          "      put a backup into a new store data dir (local; start a store on it after)\n"
          "  user add NAME --role member|secretariat|viewer [--office ID] [--users FILE]\n"
          "  user passwd|disable|enable NAME | user list   [--users FILE]\n"
          "      the people who sign in to planwatch-http (password from a prompt or stdin)\n"
          "\n"
          "services (flag, environment variable, default):\n"
          "  --ingest EP       PLANWATCH_INGEST      tcp://127.0.0.1:7601   (feed, retract)\n"
          "  --store EP        PLANWATCH_STORE       tcp://127.0.0.1:7604   (status, history,\n"
          "                                                                catalog, watch)\n"
          "  --alerts EP       PLANWATCH_ALERTS      tcp://127.0.0.1:7606   (watch)\n"
          "  --timeout-ms N    PLANWATCH_TIMEOUT_MS  10000   how long to wait for an answer\n"
          "  --office NAME     PLANWATCH_OFFICE      $USER   the reporting office (feed)\n"
          "  --key FILE        PLANWATCH_KEY         your NAME.key_secret (CURVE; see README)\n"
          "  --ingest-key FILE PLANWATCH_INGEST_KEY  ingest's public key file (ingest.key)\n"
          "  --store-key FILE  PLANWATCH_STORE_KEY   the store's public key file (store.key)\n"
          "  --alerts-key FILE PLANWATCH_ALERTS_KEY  the alert service's public key (alert.key)\n"
          "  --insecure        PLANWATCH_INSECURE    plain text, for services run --insecure\n"
          "\n"
          "exit status: 0 ok; 1 rows rejected or unavailable, or no such indicator;\n"
          "2 usage error, unreadable file, or a service did not answer.\n"
          "`planwatch COMMAND --help` describes a command; `planwatch --version` says\n"
          "the version and the git commit it was built from.\n",
          out);
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } cmds[] = {{"catalog", cli_catalog}, {"status", cli_status}, {"feed", cli_feed},
                {"retract", cli_retract},
                {"history", cli_history}, {"watch", cli_watch},   {"health", cli_health},
                {"keygen", cli_keygen},
                {"report", cli_report},   {"reports", cli_reports},
                {"subscribe", cli_subscribe}, {"unsubscribe", cli_unsubscribe},
                {"subscriptions", cli_subscriptions}, {"ack", cli_ack},
                {"assess", cli_assess},
                {"silence", cli_silence}, {"alerts", cli_alerts},
                {"backup", cli_backup},   {"restore", cli_restore},
                {"template", cli_template},
                {"user", cli_user}};
    /* the library logs socket failures; the CLI explains them itself */
    pw_log_init("planwatch", PW_LOG_ERROR);
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        pw_service_print_version(stdout, "planwatch");
        return 0;
    }
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (strcmp(argv[1], cmds[i].name) == 0)
            return cmds[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "planwatch: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}
