/* browser_support.h - what the browser tests' C programs share (prefix bs_):
 * the check that chromium, node and playwright-core are there, and running
 * one node script against planwatch-http. Passwords: hs_curl_password. */
#ifndef BROWSER_SUPPORT_H
#define BROWSER_SUPPORT_H

#include <stddef.h>

#include "harness.h"

/* 0 when chromium (PW_CHROMIUM or /usr/bin/chromium), node and
 * tests/browser/node_modules/playwright-core are there (then PW_CHROMIUM is
 * set for the script); otherwise says why on stderr and returns 77 (ctest's
 * skip code), which main returns. */
int bs_ready(void);

/* Runs node tests/browser/script with PW_URL (c's planwatch-http) and
 * PW_SHOTS (BUILD/tests/browser/screenshots) in the environment besides
 * what the caller set, its output to DIR/node.log; kills it after
 * deadline_ms. Prints the log; fails the test unless it exited 0 saying
 * "# every step passed". */
void bs_run_script(struct hs_cluster *c, const char *script, int deadline_ms);

#endif
