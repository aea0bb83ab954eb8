/* service.c - service start-up (see service.h). */
#include "service.h"

#include <stdio.h>
#include <unistd.h>

#include "log.h"
#include "zsock.h"

int pw_service_start(const struct pw_cfg *items, size_t n, int argc, char **argv,
                     const char *service, const char *summary, const char *const *log_level,
                     const char *const *clock_spec, struct pw_clock *clock)
{
    char prog[64];
    enum pw_log_level level;
    snprintf(prog, sizeof prog, "planwatch-%s", service);
    int rc = pw_cfg_load(items, n, argc, argv, prog, summary, stdout);
    if (rc)
        return rc == 1 ? 0 : 2;
    if (pw_log_level_parse(*log_level, &level)) {
        fprintf(stderr, "%s: --log-level '%s' is not debug|info|warn|error\n", prog, *log_level);
        return 2;
    }
    if (pw_clock_init(clock, *clock_spec)) {
        fprintf(stderr, "%s: --clock '%s' is not \"\", YYYY-MM-DD or file:PATH\n", prog,
                *clock_spec);
        return 2;
    }
    pw_log_init(service, level);
    pw_info("msg=\"start\" pid=%ld", (long)getpid());
    pw_cfg_log(items, n);
    pw_zsock_signals();
    return -1;
}
