/* service.h - what every planwatch service does first: read its settings
 * (defaults < environment < flags, lib/cfg.h), turn the log level and the
 * clock they name into the logger and a pw_clock, log one start line and the
 * settings, and install the stop signals (lib/zsock.h). */
#ifndef PW_SERVICE_H
#define PW_SERVICE_H

#include <stddef.h>

#include "cfg.h"
#include "clock.h"

/* service: "store", "ingest", ... (the program is planwatch-<service>).
 * *log_level and *clock_spec are the table's targets for those settings,
 * read after the table is applied. Returns -1 to go on, or the exit status:
 * 0 after --help, 2 after a bad setting (said on stderr). */
int pw_service_start(const struct pw_cfg *items, size_t n, int argc, char **argv,
                     const char *service, const char *summary, const char *const *log_level,
                     const char *const *clock_spec, struct pw_clock *clock);

#endif
