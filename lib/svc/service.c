/* service.c - service start-up and systemd notification (see service.h).
 *
 * sd_notify needs no setup and is a no-op without NOTIFY_SOCKET. STOPPING=1
 * goes out from an atexit handler: main returns after its clean shutdown,
 * so the manager hears it once the loop has stopped, and no service main
 * needs a second call; the signal handlers only set the stop flag. */
#include "service.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef PW_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "err.h"
#include "log.h"
#include "zsock.h"

void pw_service_print_version(FILE *out, const char *prog)
{
    fprintf(out, "%s %s (commit %s)\n", prog, pw_service_version, pw_service_commit);
}

int pw_service_start(const struct pw_cfg *items, size_t n, int argc, char **argv,
                     const char *service, const char *summary, const char *const *log_level,
                     const char *const *clock_spec, struct pw_clock *clock)
{
    char prog[64];
    enum pw_log_level level;
    snprintf(prog, sizeof prog, "planwatch-%s", service);
    int rc = pw_cfg_load(items, n, argc, argv, prog, summary, stdout);
    if (rc == PW_CFG_VERSION)
        pw_service_print_version(stdout, prog);
    if (rc)
        return rc > 0 ? 0 : 2;
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
    pw_info("msg=\"start\" version=%s commit=%s pid=%ld", pw_service_version, pw_service_commit,
            (long)getpid());
    pw_cfg_log(items, n);
    pw_zsock_signals();
    return -1;
}

/* One state message to the manager; 0 when sent or nobody listens. */
static int service_notify(const char *state)
{
#ifdef PW_HAVE_SYSTEMD
    int rc = sd_notify(0, state);
    if (rc < 0) {
        pw_warn("msg=\"systemd notification failed\" state=%s errno=%d", state, -rc);
        return PW_EIO;
    }
#else
    (void)state;
#endif
    return 0;
}

static void service_stopping(void)
{
    service_notify("STOPPING=1");
}

void pw_service_ready(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    if (!getenv("NOTIFY_SOCKET"))
        return;
    if (service_notify("READY=1\nSTATUS=ready") == 0)
        atexit(service_stopping);
}
