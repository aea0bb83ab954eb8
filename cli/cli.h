/* cli.h - the `planwatch` command: shared option handling for its
 * subcommands. Each subcommand is `int cli_<name>(int argc, char **argv)`
 * returning the process exit status (0 ok, 1 rejected rows / not ok,
 * 2 usage or system error). */
#ifndef PW_CLI_H
#define PW_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "report.h"

#define CLI_MAX_FILES 64

struct cli_opts {
    const char *catalogs[CLI_MAX_FILES];
    size_t ncatalogs;
    const char *feeds[CLI_MAX_FILES];
    size_t nfeeds;
    int32_t as_of;            /* default: today (JST) */
    enum pw_format fmt;
};

/* Loads --catalog files, or the built-in catalogs when none was given.
 * Prints the loader's diagnostic on failure. Returns 0 or an error code. */
int cli_load_catalog(const struct cli_opts *o, struct pw_catalog **out);

int cli_catalog(int argc, char **argv);
int cli_status(int argc, char **argv);

#endif
