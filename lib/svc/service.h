/* service.h - what every planwatch service does first: read its settings
 * (defaults < environment < flags, lib/cfg.h), turn the log level and the
 * clock they name into the logger and a pw_clock, log one start line and the
 * settings, and install the stop signals (lib/zsock.h); then, once it
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

/* service: "store", "ingest", ... (the program is planwatch-<service>).
 * *log_level and *clock_spec are the table's targets for those settings,
 * read after the table is applied. Returns -1 to go on, or the exit status:
 * 0 after --help or --version, 2 after a bad setting (said on stderr). */
int pw_service_start(const struct pw_cfg *items, size_t n, int argc, char **argv,
                     const char *service, const char *summary, const char *const *log_level,
                     const char *const *clock_spec, struct pw_clock *clock);

/* The service is ready: call it where it first answers ready to `planwatch
 * health` (its Pong). Tells systemd READY=1 the first time (later calls
 * cost one test, so it may sit on a path that runs often) and arranges
 * STOPPING=1 at exit. Without NOTIFY_SOCKET (not run by systemd, or not
 * Type=notify) it does nothing; a failure to notify is logged once. */
void pw_service_ready(void);

#endif
