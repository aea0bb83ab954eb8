/* cfg.c - configuration tables (see cfg.h). */
#include "cfg.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "err.h"
#include "log.h"

/* PLANWATCH_[SERVICE_]NAME: service is the program name after "planwatch-" */
static void cfg_env_name(const char *prog, const char *name, char *buf, size_t n)
{
    size_t k = (size_t)snprintf(buf, n, "PLANWATCH_");
    const char *svc = prog && !strncmp(prog, "planwatch-", 10) ? prog + 10 : "";
    for (const char *parts[2] = {svc, name}, **p = parts; p < parts + 2; p++) {
        for (const char *c = *p; *c && k + 2 < n; c++, k++)
            buf[k] = *c == '-' ? '_' : (char)toupper((unsigned char)*c);
        if (p == parts && **p && k + 2 < n)
            buf[k++] = '_';
    }
    buf[k] = '\0';
}

int pw_cfg_parse_bool(const char *s, int *out)
{
    static const char *const yes[] = {"1", "true", "yes", "on"}, *const no[] = {"0", "false", "no", "off"};
    for (size_t i = 0; i < 4; i++) {
        if (!strcasecmp(s, yes[i]) || !strcasecmp(s, no[i])) {
            *out = !strcasecmp(s, yes[i]);
            return 0;
        }
    }
    return PW_EINVAL;
}

int pw_cfg_parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return PW_EINVAL;
    *out = v;
    return 0;
}

static int cfg_set(const struct pw_cfg *c, const char *v, const char *from)
{
    if (c->type == PW_CFG_STR) {
        *(const char **)c->target = v;
        return 0;
    }
    if (c->type == PW_CFG_BOOL) {
        if (pw_cfg_parse_bool(v, (int *)c->target)) {
            fprintf(stderr, "%s %s: '%s' is not true or false\n", from, c->name, v);
            return PW_EINVAL;
        }
        return 0;
    }
    if (pw_cfg_parse_long(v, c->min, c->max, (long *)c->target)) {
        fprintf(stderr, "%s %s: '%s' is not a whole number from %ld to %ld\n", from, c->name, v,
                c->min, c->max);
        return PW_EINVAL;
    }
    return 0;
}

static void cfg_help(const struct pw_cfg *items, size_t n, const char *prog, const char *summary,
                     FILE *out)
{
    char env[96], shared[96];
    fprintf(out, "Usage: %s [OPTIONS]\n%s\n\noptions (environment variable, default):\n", prog,
            summary);
    for (size_t i = 0; i < n; i++) {
        cfg_env_name(prog, items[i].name, env, sizeof env);
        cfg_env_name(NULL, items[i].name, shared, sizeof shared);
        fprintf(out, "  --%s%s\n      %s\n      (%s%s%s, default: %s)\n", items[i].name,
                items[i].type == PW_CFG_BOOL ? "[=true|false]" : " VALUE", items[i].help, env,
                items[i].shared ? " or " : "", items[i].shared ? shared : "",
                items[i].def[0] ? items[i].def : "\"\"");
    }
    fputs("  --help\n      this text\n"
          "  --version\n      the version and the git commit it was built from\n",
          out);
}

int pw_cfg_load(const struct pw_cfg *items, size_t n, int argc, char **argv, const char *prog,
                const char *summary, FILE *out)
{
    char env[96];
    for (size_t i = 0; i < n; i++)
        if (cfg_set(&items[i], items[i].def, "default"))
            return PW_EINVAL;
    for (size_t i = 0; i < n; i++) {
        for (int pass = items[i].shared ? 0 : 1; pass < 2; pass++) {
            cfg_env_name(pass ? prog : NULL, items[i].name, env, sizeof env);
            const char *v = getenv(env);
            if (v && cfg_set(&items[i], v, env))
                return PW_EINVAL;
        }
    }
    for (int a = 1; a < argc; a++) {
        const char *arg = argv[a];
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            cfg_help(items, n, prog, summary, out);
            return 1;
        }
        if (!strcmp(arg, "--version"))
            return PW_CFG_VERSION;
        if (strncmp(arg, "--", 2) != 0) {
            fprintf(stderr, "%s: unexpected argument '%s' (see --help)\n", prog, arg);
            return PW_EINVAL;
        }
        const char *name = arg + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        const struct pw_cfg *c = NULL;
        for (size_t i = 0; i < n; i++)
            if (strlen(items[i].name) == len && !strncmp(items[i].name, name, len))
                c = &items[i];
        if (!c) {
            fprintf(stderr, "%s: unknown option '%s' (see --help)\n", prog, arg);
            return PW_EINVAL;
        }
        const char *v = eq ? eq + 1 : NULL;
        if (!v && c->type == PW_CFG_BOOL)
            v = "true";
        if (!v) {
            if (a + 1 >= argc) {
                fprintf(stderr, "%s: option --%s needs a value\n", prog, c->name);
                return PW_EINVAL;
            }
            v = argv[++a];
        }
        if (cfg_set(c, v, "option --"))
            return PW_EINVAL;
    }
    return 0;
}

void pw_cfg_log(const struct pw_cfg *items, size_t n)
{
    char line[1536];
    size_t k = 0;
    for (size_t i = 0; i < n && k < sizeof line - 1; i++) {
        const struct pw_cfg *c = &items[i];
        int w;
        char q[512];
        if (c->type == PW_CFG_STR)
            w = snprintf(line + k, sizeof line - k, " %s=%s", c->name,
                         pw_log_quote(*(const char **)c->target, q, sizeof q));
        else if (c->type == PW_CFG_BOOL)
            w = snprintf(line + k, sizeof line - k, " %s=%s", c->name,
                         *(int *)c->target ? "true" : "false");
        else
            w = snprintf(line + k, sizeof line - k, " %s=%ld", c->name, *(long *)c->target);
        if (w < 0)
            break;
        k += (size_t)w;
    }
    if (k >= sizeof line)
        k = sizeof line - 1;
    line[k] = '\0';
    pw_info("msg=\"config\"%s", line);
}
