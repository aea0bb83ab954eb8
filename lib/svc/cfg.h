/* cfg.h - service configuration as a table (name, type, default, bounds,
 * help), read from defaults < PLANWATCH_<NAME> (shared settings only) <
 * PLANWATCH_<SERVICE>_<NAME> environment variables < --<name> flags, where
 * SERVICE comes from the program name ("planwatch-store" -> STORE), so the
 * services can share one environment without their settings colliding. --help and the start-up log line are generated from the
 * table. The table's targets are written; strings point into argv, the
 * environment or the defaults (no allocation). */
#ifndef PW_CFG_H
#define PW_CFG_H

#include <stddef.h>
#include <stdio.h>

enum pw_cfg_type { PW_CFG_STR, PW_CFG_INT, PW_CFG_BOOL };

struct pw_cfg {
    const char *name;      /* "data-dir": flag --data-dir, variable PLANWATCH_DATA_DIR */
    enum pw_cfg_type type;
    const char *def;       /* default, as text */
    long min, max;         /* PW_CFG_INT bounds */
    const char *help;
    void *target;          /* const char ** | long * | int * */
    int shared;            /* also read PLANWATCH_<NAME> (catalog, clock, log level) */
};

/* pw_cfg_load's answer to --version: the caller prints its version (exit 0). */
#define PW_CFG_VERSION 2

/* Applies defaults, environment, then argv. Returns 0; 1 when --help was
 * printed to out (exit 0); PW_CFG_VERSION when --version was asked;
 * PW_EINVAL after printing why to stderr. */
int pw_cfg_load(const struct pw_cfg *items, size_t n, int argc, char **argv, const char *prog,
                const char *summary, FILE *out);

/* A setting's boolean: 1/true/yes/on or 0/false/no/off (any case), the
 * same words for flags, PLANWATCH_* variables and the registry. Returns 0
 * or PW_EINVAL. */
int pw_cfg_parse_bool(const char *s, int *out);
/* A setting's whole number lo..hi. Returns 0 or PW_EINVAL. */
int pw_cfg_parse_long(const char *s, long lo, long hi, long *out);

/* Logs one INFO line msg="config" name=value ... (the values, never
 * secrets; logfmt-quoted where they need it). */
void pw_cfg_log(const struct pw_cfg *items, size_t n);

#endif
