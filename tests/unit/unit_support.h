/* unit_support.h - helpers every cmocka unit test may use: an inline YAML
 * catalog loaded by the real loader (its diagnostic printed when it fails),
 * ISO dates as day numbers, and what a call logs. Compiled into each unit test program. */
#ifndef PW_UNIT_SUPPORT_H
#define PW_UNIT_SUPPORT_H

#include <stdint.h>

#include "catalog.h"

/* Loads yaml (labelled name in diagnostics) into *out. Returns the
 * loader's code, printing file:line, field and reason when it is not 0. */
int ut_catalog_load(struct pw_catalog **out, const char *name, const char *yaml);

/* Runs fn with stderr sent to a temporary file; returns what it wrote
 * (the log lines; at most 64 KiB; caller frees). */
char *ut_capture_stderr(void (*fn)(void));

/* The day number of an ISO date; fails the test if it is not one. */
int32_t ut_day(const char *iso);

/* A fresh history holding every row of the feed file at path (a sample
 * feed: every row must be accepted, else the test fails). Caller closes it
 * with pw_history_close. */
struct pw_history;
struct pw_history *ut_feed_history(const struct pw_catalog *cat, const char *path);

#endif
