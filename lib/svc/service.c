/* service.c - service start-up and systemd notification (see service.h).
 *
 * The shared settings are one table here; pw_service_start appends the
 * ones a service takes to its own rows for the one call to pw_cfg_load, in
 * a table it frees before returning (the values live in the service's
 * struct pw_service_settings, not here: no configuration globals).
 * sd_notify needs no setup and is a no-op without NOTIFY_SOCKET. STOPPING=1
 * goes out from an atexit handler: main returns after its clean shutdown,
 * so the manager hears it once the loop has stopped, and no service main
 * needs a second call; the signal handlers only set the stop flag. */
#include "service.h"

#include <assert.h>
#include <sodium.h>
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

/* The shared settings. A service says what one means for it (help) where
 * these words do not fit; name, type, default and whether PLANWATCH_<NAME>
 * is read are the same for every service. metrics and secret-key are not
 * shared: two services on one machine need two ports and have two keys. */
static const struct service_row {
    const char *name;
    enum pw_cfg_type type;
    const char *def;
    const char *help; /* NULL: made from the service's name (service_help) */
    size_t off;       /* of the value in struct pw_service_settings */
    int shared;
} service_rows[PW_SERVICE_SETTINGS] = {
#define SERVICE_AT(f) offsetof(struct pw_service_settings, f)
    [PW_SERVICE_CATALOG] = {"catalog", PW_CFG_STR, "",
        "catalog YAML files, comma-separated (\"\": the built-in plans 2 and 3)", SERVICE_AT(catalog), 1},
    [PW_SERVICE_CLOCK] = {"clock", PW_CFG_STR, "",
        "now: \"\" wall clock, YYYY-MM-DD (that day, the wall clock's time of day),\n"
        "YYYY-MM-DDTHH:MM:SS+09:00|Z (fixed), or file:PATH (either, re-read at each use)",
        SERVICE_AT(clock), 1},
    [PW_SERVICE_LOG_LEVEL] = {"log-level", PW_CFG_STR, "info", "debug|info|warn|error",
        SERVICE_AT(log_level), 1},
    [PW_SERVICE_METRICS] = {"metrics", PW_CFG_STR, "",
        "serve Prometheus metrics at http://HOST:PORT/metrics (e.g. 0.0.0.0:9100); \"\": off",
        SERVICE_AT(metrics), 0},
    [PW_SERVICE_INSECURE] = {"insecure", PW_CFG_BOOL, "false",
        "no CURVE: plain text, no authentication (local development only)", SERVICE_AT(insecure), 1},
    [PW_SERVICE_SECRET_KEY] = {"secret-key", PW_CFG_STR, "", NULL, SERVICE_AT(secret_key), 0},
    [PW_SERVICE_REGISTRY] = {"registry", PW_CFG_STR, "",
        "office registry YAML: which keys may connect and what each office may write",
        SERVICE_AT(registry), 1},
    [PW_SERVICE_INGEST_KEY] = {"ingest-key", PW_CFG_STR, "", "ingest's public key file (ingest.key)",
        SERVICE_AT(ingest_key), 1},
    [PW_SERVICE_STORE_KEY] = {"store-key", PW_CFG_STR, "",
        "the store's public key file (store.key)", SERVICE_AT(store_key), 1},
    [PW_SERVICE_INSECURE_ANYWHERE] = {"insecure-anywhere", PW_CFG_BOOL, "false",
        "with --insecure, bind addresses other than loopback anyway (refused without it)",
        SERVICE_AT(insecure_anywhere), 1},
#undef SERVICE_AT
};

/* Row w of the shared table as a cfg row writing into set. */
static struct pw_cfg service_row(enum pw_service_setting w, struct pw_service_settings *set,
                                 const char *help)
{
    const struct service_row *r = &service_rows[w];
    struct pw_cfg c = {r->name, r->type, r->def, 0, 0, help ? help : r->help,
                       (char *)set + r->off, r->shared};
    return c;
}

/* The service's own rows, then the shared ones it takes (caller frees);
 * every shared value starts at its default, taken or not. NULL: no memory. */
static struct pw_cfg *service_table(const struct pw_service_def *def,
                                    struct pw_service_settings *set, const char *secret_help)
{
    for (int w = 0; w < PW_SERVICE_SETTINGS; w++) {
        struct pw_cfg c = service_row((enum pw_service_setting)w, set, NULL);
        if (c.type == PW_CFG_BOOL)
            pw_cfg_parse_bool(c.def, c.target);
        else
            *(const char **)c.target = c.def;
    }
    struct pw_cfg *rows = calloc(def->nown + def->nshared + 1, sizeof *rows);
    if (!rows)
        return NULL;
    memcpy(rows, def->own, def->nown * sizeof *rows);
    for (size_t i = 0; i < def->nshared; i++) {
        const struct pw_service_use *u = &def->shared[i];
        assert(u->which < PW_SERVICE_SETTINGS);
        rows[def->nown + i] = service_row(u->which, set, u->help ? u->help
                                          : u->which == PW_SERVICE_SECRET_KEY ? secret_help
                                                                              : NULL);
    }
    return rows;
}

int pw_service_start(const struct pw_service_def *def, struct pw_service_settings *set, int argc,
                     char **argv, struct pw_clock *clock)
{
    char prog[64], secret_help[160];
    enum pw_log_level level;
    int status = 2;
    snprintf(prog, sizeof prog, "planwatch-%s", def->name);
    snprintf(secret_help, sizeof secret_help,
             "this service's secret key file (planwatch keygen %s: %s.key_secret)", def->name,
             def->name);
    size_t n = def->nown + def->nshared;
    struct pw_cfg *items = service_table(def, set, secret_help);
    if (!items) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return 1;
    }
    int rc = pw_cfg_load(items, n, argc, argv, prog, def->summary, stdout);
    if (rc == PW_CFG_VERSION)
        pw_service_print_version(stdout, prog);
    if (rc) {
        status = rc > 0 ? 0 : 2;
        goto done;
    }
    if (pw_log_level_parse(set->log_level, &level)) {
        fprintf(stderr, "%s: --log-level '%s' is not debug|info|warn|error\n", prog,
                set->log_level);
        goto done;
    }
    if (pw_clock_init(clock, set->clock)) {
        fprintf(stderr, "%s: --clock '%s' is not \"\", YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS+09:00 or file:PATH\n", prog,
                set->clock);
        goto done;
    }
    pw_log_init(def->name, level);
    pw_info("msg=\"start\" version=%s commit=%s pid=%ld", pw_service_version, pw_service_commit,
            (long)getpid());
    /* libsodium asks for sodium_init before any other call: done here once for
     * every service (webhook HMACs, bearer-token hashes, token comparisons) */
    if (sodium_init() < 0) {
        pw_error("msg=\"libsodium failed to initialise\"");
        status = 1;
        goto done;
    }
    pw_cfg_log(items, n);
    pw_zsock_signals();
    status = -1;
done:
    free(items);
    return status;
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
