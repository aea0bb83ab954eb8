/* service.h - what every planwatch service does first: read its settings
 * (defaults < environment < flags, lib/cfg.h: its own rows, then the shared
 * ones of one table here), turn the log level and the clock they name into
 * the logger and a pw_clock, log one start line and the settings, and install the stop signals
 * and SIGHUP's reload flag (lib/zsock.h: the reactor then runs the service's one reload callback,
 * pw_reactor_on_reload; pw_sec_zap_register sets it to re-read the registry); then, once it
 * serves, tell systemd (sd_notify: READY=1, and STOPPING=1 at exit).
 *
 * The build's identity lives here too: the project version and the git
 * commit, recorded at build time by cmake/version.cmake. */
#ifndef PW_SERVICE_H
#define PW_SERVICE_H

#include <stddef.h>
#include <stdio.h>

#include "cfg.h"
#include "clock.h"

/* The project version (CMake's project(VERSION), "0.1.0") and the commit
 * (`git describe --always --dirty`, or "unknown" outside git); both only
 * [A-Za-z0-9._+-]. Defined in the generated pw_version.c. */
extern const char pw_service_version[];
extern const char pw_service_commit[];

/* Prints "PROG VERSION (commit COMMIT)\n" to out: what --version says. */
void pw_service_print_version(FILE *out, const char *prog);

/* The settings every service shares: one table (service.c) fixes each
 * one's flag, type, default and environment variables, PLANWATCH_<SERVICE>_<NAME>
 * and, where the value is the same for every service, PLANWATCH_<NAME>. */
enum pw_service_setting {
    PW_SERVICE_CATALOG,    /* --catalog (also PLANWATCH_CATALOG) */
    PW_SERVICE_CLOCK,      /* --clock (also PLANWATCH_CLOCK) */
    PW_SERVICE_LOG_LEVEL,  /* --log-level (also PLANWATCH_LOG_LEVEL) */
    PW_SERVICE_METRICS,    /* --metrics (its own: one port per service) */
    PW_SERVICE_INSECURE,   /* --insecure (also PLANWATCH_INSECURE) */
    PW_SERVICE_SECRET_KEY, /* --secret-key (its own: one key per service) */
    PW_SERVICE_REGISTRY,   /* --registry (also PLANWATCH_REGISTRY) */
    PW_SERVICE_INGEST_KEY, /* --ingest-key (also PLANWATCH_INGEST_KEY) */
    PW_SERVICE_STORE_KEY,  /* --store-key (also PLANWATCH_STORE_KEY) */
    PW_SERVICE_INSECURE_ANYWHERE, /* --insecure-anywhere (also PLANWATCH_INSECURE_ANYWHERE) */
    PW_SERVICE_SETTINGS    /* how many */
};

/* Their values, written by pw_service_start; a setting the service does not
 * take holds its default ("" or false, "info" for the log level). Owned by
 * the service; the strings point into argv, the environment or the
 * defaults (nothing to free). */
struct pw_service_settings {
    const char *catalog, *clock, *log_level, *metrics, *secret_key, *registry;
    const char *ingest_key, *store_key;
    int insecure, insecure_anywhere;
};

/* A shared setting a service takes. help: what it means for that service
 * (shown by --help), or NULL for the table's own words. */
struct pw_service_use {
    enum pw_service_setting which;
    const char *help;
};

/* A service's configuration: its own rows (targets owned by the service,
 * valid for the pw_service_start call), then the shared settings it takes,
 * appended in that order (--help, the start-up log line). */
struct pw_service_def {
    const char *name;                  /* "store": planwatch-store, PLANWATCH_STORE_* */
    const char *summary;               /* --help's second line */
    const struct pw_cfg *own;
    size_t nown;
    const struct pw_service_use *shared;
    size_t nshared;
};

/* Reads def's rows into their targets and the shared settings into *set
 * (defaults < environment < flags, cfg.h), turns set->log_level and
 * set->clock into the logger and *clock, logs the start line and every
 * setting, initialises libsodium (sodium_init) and installs the stop
 * signals. Returns -1 to go on, or the exit status: 0 after --help or
 * --version, 2 after a bad setting (said on stderr), 1 when out of memory or
 * libsodium fails (logged). */
int pw_service_start(const struct pw_service_def *def, struct pw_service_settings *set, int argc,
                     char **argv, struct pw_clock *clock);

/* The service is ready: call it where it first answers ready to `planwatch
 * health` (its Pong). Tells systemd READY=1 the first time (later calls
 * cost one test, so it may sit on a path that runs often) and arranges
 * STOPPING=1 at exit. Without NOTIFY_SOCKET (not run by systemd, or not
 * Type=notify) it does nothing; a failure to notify is logged once. */
void pw_service_ready(void);

#endif
