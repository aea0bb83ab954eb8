/* browser_support.c - see browser_support.h. */
#include "browser_support.h"

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ts_proc.h"

int bs_ready(void)
{
    char mod[600];
    const char *chromium = getenv("PW_CHROMIUM") ? getenv("PW_CHROMIUM") : "/usr/bin/chromium";
    snprintf(mod, sizeof mod, "%s/tests/browser/node_modules/playwright-core/package.json",
             PW_SOURCE_DIR);
    if (access(chromium, X_OK) != 0 || system("node --version >/dev/null 2>&1") != 0 ||
        access(mod, R_OK) != 0) {
        fprintf(stderr, "skipped: needs %s (scripts/deps.sh), node and `npm ci` in tests/browser "
                        "(scripts/test.sh runs it)\n",
                chromium);
        return 77;
    }
    setenv("PW_CHROMIUM", chromium, 1);
    return 0;
}

void bs_run_script(struct hs_cluster *c, const char *script, int deadline_ms)
{
    char shots[600], log[400], path[600];
    struct ts_proc_argv a;
    snprintf(shots, sizeof shots, "%s/tests/browser/screenshots", PW_BINARY_DIR);
    mkdir(shots, 0755);
    snprintf(path, sizeof path, "%s/tests/browser/%s", PW_SOURCE_DIR, script);
    snprintf(log, sizeof log, "%s/node.log", c->dir);
    setenv("PW_URL", c->http_url, 1);
    setenv("PW_SHOTS", shots, 1);
    ts_proc_argv_init(&a);
    assert_int_equal(ts_proc_arg(&a, "/usr/bin/env"), 0);
    assert_int_equal(ts_proc_arg(&a, "node"), 0);
    assert_int_equal(ts_proc_arg(&a, "%s", path), 0);
    pid_t pid = ts_proc_spawn(a.argv, log);
    assert_true(pid > 0);
    int rc = ts_proc_wait_exit(pid, deadline_ms);
    if (rc < 0)
        rc = ts_proc_stop(pid, SIGKILL, 5000);
    char *out = hs_read_file(log, NULL);
    fputs(out, stderr);
    int ok = rc == 0 && strstr(out, "# every step passed") != NULL;
    free(out);
    if (!ok)
        fail_msg("%s: exit %d (screenshots in %s)", script, rc, shots);
}
