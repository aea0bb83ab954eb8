/* catalog.c - YAML catalog loader (see catalog.h, docs/catalog-format.md).
 *
 * libyaml builds a node tree (yaml_parser_load) whose marks carry line
 * numbers; a small schema walker then checks every map against the keys it
 * allows, so a typo is an error with file:line rather than a silently
 * ignored field. Everything the catalog keeps is copied into one arena.
 * A plan must be defined before the indicators that use it (earlier in the
 * file, or in an earlier file); project and parent references are resolved
 * after all files are read, so indicators may refer to each other freely. */
#include "catalog.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "arena.h"
#include "dec.h"
#include "err.h"
#include "file.h"
#include "fy.h"
#include "map.h"
#include "vec.h"
#include "yamlw.h"

#define CAT_MAX_PLANS 64
#define CAT_MAX_INDICATORS 1000000

struct pw_catalog {
    struct pw_arena *arena;
    struct pw_plan *plans;
    size_t nplans, plans_cap;
    struct pw_indicator **inds;       /* load order */
    struct pw_indicator **sorted;     /* by id: duplicate ids side by side */
    struct pw_map *by_id;             /* id -> indicator (borrows ind->id): pw_catalog_find */
    size_t ninds, inds_cap;
    const char **plan_refs;           /* per indicator: plan id, project id, parent id */
    const char **project_refs;
    const char **parent_refs;
    const char **pred_refs;           /* per indicator: predecessor id (earlier plan) */
    uint64_t digest;
};

/* Parse state for one file. */
struct cat_ctx {
    struct pw_catalog *cat;
    struct pw_yamlw w;        /* the document, file and diagnostics */
    int64_t margin;           /* file defaults */
    int deadline_month, deadline_day;
    int forecast_years;
};

static const char *cat_kind_names[] = {"output", "outcome", "monitoring"};
static const char *cat_basis_names[] = {"cumulative", "annual"};
static const char *cat_type_names[] = {"none",    "cumulative",      "annual",
                                       "level",   "ratio",           "rolling_average",
                                       "above_baseline", "prev_average", "trajectory"};

const char *pw_kind_name(enum pw_kind k)
{
    return (unsigned)k < 3 ? cat_kind_names[k] : "?";
}

const char *pw_basis_name(enum pw_basis b)
{
    return (unsigned)b < 2 ? cat_basis_names[b] : "?";
}

const char *pw_target_type_name(enum pw_target_type t)
{
    return (unsigned)t < sizeof cat_type_names / sizeof cat_type_names[0] ? cat_type_names[t]
                                                                          : "?";
}

int pw_basis_parse(const char *s, enum pw_basis *out)
{
    for (int i = 0; i < 2; i++)
        if (strcmp(s, cat_basis_names[i]) == 0) {
            *out = (enum pw_basis)i;
            return 0;
        }
    return PW_EINVAL;
}

/* ---- node helpers ---------------------------------------------------- */

/* Fetches a scalar. *out stays NULL when the key is absent and !required. */
static int cat_scalar(struct cat_ctx *x, yaml_node_t *map, const char *key, const char *base,
                      int required, yaml_node_t **node, const char **out)
{
    char path[96];
    pw_yamlw_path(path, sizeof path, base, key);
    yaml_node_t *n = pw_yamlw_get(&x->w, map, key);
    if (node)
        *node = n;
    return pw_yamlw_scalar(&x->w, n, map, key, path, required, out, NULL);
}

static int cat_str(struct cat_ctx *x, yaml_node_t *map, const char *key, const char *base,
                   int required, const char **out)
{
    const char *s;
    yaml_node_t *n;
    int rc = cat_scalar(x, map, key, base, required, &n, &s);
    if (rc)
        return rc;
    if (!s) {
        *out = "";
        return 0;
    }
    if (required && s[0] == '\0') {
        char path[96];
        pw_yamlw_path(path, sizeof path, base, key);
        return pw_yamlw_err(&x->w, PW_ECAT_VALUE, n, path, "must not be empty");
    }
    *out = pw_arena_strndup(x->cat->arena, s, n->data.scalar.length);
    return *out ? 0 : PW_ENOMEM;
}

static int cat_valid_id(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

static int cat_id(struct cat_ctx *x, yaml_node_t *map, const char *key, const char *base,
                  int required, size_t max, const char **out)
{
    int rc = cat_str(x, map, key, base, required, out);
    if (rc || (*out)[0] == '\0')
        return rc;
    if (!cat_valid_id(*out, max)) {
        char path[96];
        pw_yamlw_path(path, sizeof path, base, key);
        return pw_yamlw_err(&x->w, PW_ECAT_VALUE, pw_yamlw_get(&x->w, map, key), path,
                       "'%.60s' is not an id: use 1-%zu of [a-z0-9_-]", *out, max);
    }
    return 0;
}

static int cat_dec_node(struct cat_ctx *x, yaml_node_t *n, const char *path, int64_t *out)
{
    int rc = pw_yamlw_expect(&x->w, n, YAML_SCALAR_NODE, path);
    if (rc)
        return rc;
    rc = pw_dec_parse((const char *)n->data.scalar.value, n->data.scalar.length, out);
    if (rc == PW_ERANGE)
        return pw_yamlw_err(&x->w, PW_ECAT_VALUE, n, path, "'%.40s' is out of range (at most 6 decimals)",
                       n->data.scalar.value);
    if (rc)
        return pw_yamlw_err(&x->w, PW_ECAT_TYPE, n, path, "'%.40s' is not a number", n->data.scalar.value);
    return 0;
}

static int cat_dec(struct cat_ctx *x, yaml_node_t *map, const char *key, const char *base,
                   int required, int64_t *out, int *present)
{
    char path[96];
    pw_yamlw_path(path, sizeof path, base, key);
    yaml_node_t *n = pw_yamlw_get(&x->w, map, key);
    if (present)
        *present = n != NULL;
    if (!n)
        return required ? pw_yamlw_err(&x->w, PW_ECAT_MISSING, map, path, "required key '%s' missing", key)
                        : 0;
    return cat_dec_node(x, n, path, out);
}

static int cat_int(struct cat_ctx *x, yaml_node_t *map, const char *key, const char *base,
                   int required, int lo, int hi, int *out)
{
    int64_t v;
    int present;
    char path[96];
    pw_yamlw_path(path, sizeof path, base, key);
    int rc = cat_dec(x, map, key, base, required, &v, &present);
    if (rc || !present)
        return rc;
    if (v % PW_DEC_SCALE != 0 || v < PW_DEC(lo) || v > PW_DEC(hi))
        return pw_yamlw_err(&x->w, PW_ECAT_VALUE, pw_yamlw_get(&x->w, map, key), path,
                       "must be a whole number from %d to %d", lo, hi);
    *out = (int)(v / PW_DEC_SCALE);
    return 0;
}

static int cat_fy_node(struct cat_ctx *x, yaml_node_t *n, const char *path, int *out)
{
    int rc = pw_yamlw_expect(&x->w, n, YAML_SCALAR_NODE, path);
    if (rc)
        return rc;
    rc = pw_fy_parse((const char *)n->data.scalar.value, out);
    if (rc)
        return pw_yamlw_err(&x->w, PW_ECAT_VALUE, n, path,
                       "'%.40s' is not a fiscal year from %d to %d (2025 or 令和7)",
                       n->data.scalar.value, PW_FY_MIN, PW_FY_MAX);
    return 0;
}

static int cat_fy(struct cat_ctx *x, yaml_node_t *map, const char *key, const char *base,
                  int *out)
{
    char path[96];
    pw_yamlw_path(path, sizeof path, base, key);
    yaml_node_t *n = pw_yamlw_get(&x->w, map, key);
    if (!n)
        return pw_yamlw_err(&x->w, PW_ECAT_MISSING, map, path, "required key '%s' missing", key);
    return cat_fy_node(x, n, path, out);
}

static int cat_enum(struct cat_ctx *x, yaml_node_t *map, const char *key, const char *base,
                    int required, const char *const *names, int count, int *out)
{
    const char *s;
    yaml_node_t *n;
    int rc = cat_scalar(x, map, key, base, required, &n, &s);
    if (rc || !s)
        return rc;
    for (int i = 0; i < count; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = i;
            return 0;
        }
    char path[96], list[160] = "";
    pw_yamlw_path(path, sizeof path, base, key);
    for (int i = 0; i < count; i++) {
        strncat(list, names[i], sizeof list - strlen(list) - 2);
        if (i + 1 < count)
            strncat(list, "|", sizeof list - strlen(list) - 1);
    }
    return pw_yamlw_err(&x->w, PW_ECAT_VALUE, n, path, "'%.40s' is not one of %s", s, list);
}

/* "MM-DD": a day that exists in every year (so not 02-29). */
static int cat_deadline(struct cat_ctx *x, yaml_node_t *map, const char *base, int *month,
                        int *day)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const char *s;
    yaml_node_t *n;
    int rc = cat_scalar(x, map, "deadline", base, 0, &n, &s);
    if (rc || !s)
        return rc;
    int m, d;
    char tail;
    if (strlen(s) != 5 || sscanf(s, "%2d-%2d%c", &m, &d, &tail) != 2 || m < 1 || m > 12 ||
        d < 1 || d > mdays[m - 1]) {
        char path[96];
        pw_yamlw_path(path, sizeof path, base, "deadline");
        return pw_yamlw_err(&x->w, PW_ECAT_VALUE, n, path, "'%.20s' is not a month-day like \"06-30\"", s);
    }
    *month = m;
    *day = d;
    return 0;
}

static int cat_margin(struct cat_ctx *x, yaml_node_t *map, const char *base, int64_t *out)
{
    int present;
    int64_t v;
    int rc = cat_dec(x, map, "at_risk_margin", base, 0, &v, &present);
    if (rc || !present)
        return rc;
    if (v < 0 || v > PW_DEC(100)) {
        char path[96];
        pw_yamlw_path(path, sizeof path, base, "at_risk_margin");
        return pw_yamlw_err(&x->w, PW_ECAT_VALUE, pw_yamlw_get(&x->w, map, "at_risk_margin"), path,
                       "must be a percentage from 0 to 100");
    }
    *out = v;
    return 0;
}


/* ---- plans ------------------------------------------------------------- */

static int cat_load_plan(struct cat_ctx *x, yaml_node_t *n, size_t idx)
{
    static const char *const keys[] = {"id",     "name",     "name_en", "start_fy",
                                       "end_fy", "projects", "source",  NULL};
    static const char *const pkeys[] = {"id", "name", "name_en", "source", NULL};
    char base[48];
    snprintf(base, sizeof base, "plans[%zu]", idx);
    int rc = pw_yamlw_check_keys(&x->w, n, base, keys);
    if (rc)
        return rc;
    struct pw_catalog *c = x->cat;
    if (c->nplans >= CAT_MAX_PLANS)
        return pw_yamlw_err(&x->w, PW_ETOOBIG, n, base, "more than %d plans", CAT_MAX_PLANS);
    struct pw_plan *pl = &c->plans[c->nplans];
    memset(pl, 0, sizeof *pl);
    if ((rc = cat_id(x, n, "id", base, 1, 32, &pl->id)) ||
        (rc = cat_str(x, n, "name", base, 1, &pl->name)) ||
        (rc = cat_str(x, n, "name_en", base, 0, &pl->name_en)) ||
        (rc = cat_str(x, n, "source", base, 0, &pl->source)) ||
        (rc = cat_fy(x, n, "start_fy", base, &pl->first_fy)) ||
        (rc = cat_fy(x, n, "end_fy", base, &pl->last_fy)))
        return rc;
    if (pl->last_fy < pl->first_fy || pl->last_fy - pl->first_fy + 1 > PW_WINDOW_MAX) {
        char path[96];
        pw_yamlw_path(path, sizeof path, base, "end_fy");
        return pw_yamlw_err(&x->w, PW_ECAT_VALUE, pw_yamlw_get(&x->w, n, "end_fy"), path,
                       "the plan must span 1 to %d fiscal years from start_fy", PW_WINDOW_MAX);
    }
    for (size_t i = 0; i < c->nplans; i++)
        if (strcmp(c->plans[i].id, pl->id) == 0) {
            char path[96];
            pw_yamlw_path(path, sizeof path, base, "id");
            return pw_yamlw_err(&x->w, PW_ECAT_DUP, pw_yamlw_get(&x->w, n, "id"), path, "plan '%s' defined twice",
                           pl->id);
        }
    yaml_node_t *projs = pw_yamlw_get(&x->w, n, "projects");
    if (projs) {
        char path[96];
        pw_yamlw_path(path, sizeof path, base, "projects");
        if ((rc = pw_yamlw_expect(&x->w, projs, YAML_SEQUENCE_NODE, path)))
            return rc;
        size_t np = (size_t)(projs->data.sequence.items.top - projs->data.sequence.items.start);
        struct pw_project *pp = pw_arena_alloc(c->arena, (np ? np : 1) * sizeof *pp);
        if (!pp)
            return PW_ENOMEM;
        for (size_t i = 0; i < np; i++) {
            yaml_node_t *pn = pw_yamlw_node(&x->w, projs->data.sequence.items.start[i]);
            char pbase[128];
            snprintf(pbase, sizeof pbase, "%s[%zu]", path, i);
            if ((rc = pw_yamlw_check_keys(&x->w, pn, pbase, pkeys)) ||
                (rc = cat_id(x, pn, "id", pbase, 1, 32, &pp[i].id)) ||
                (rc = cat_str(x, pn, "name", pbase, 1, &pp[i].name)) ||
                (rc = cat_str(x, pn, "name_en", pbase, 0, &pp[i].name_en)) ||
                (rc = cat_str(x, pn, "source", pbase, 0, &pp[i].source)))
                return rc;
            char ipath[96];
            pw_yamlw_path(ipath, sizeof ipath, pbase, "id");
            if (strcmp(pp[i].id, "all") == 0)
                return pw_yamlw_err(&x->w, PW_ECAT_VALUE, pw_yamlw_get(&x->w, pn, "id"), ipath,
                               "'all' is reserved for plan-wide indicators");
            for (size_t j = 0; j < i; j++)
                if (strcmp(pp[j].id, pp[i].id) == 0)
                    return pw_yamlw_err(&x->w, PW_ECAT_DUP, pw_yamlw_get(&x->w, pn, "id"), ipath,
                                   "project '%s' defined twice in plan '%s'", pp[i].id, pl->id);
            pp[i].plan = pl;
        }
        pl->projects = pp;
        pl->nprojects = np;
    }
    c->nplans++;
    return 0;
}

/* ---- targets ----------------------------------------------------------- */

static int cat_load_target(struct cat_ctx *x, yaml_node_t *n, const char *base,
                           const struct pw_plan *pl, int percent, struct pw_target *t)
{
    static const char *const all[] = {"type",  "value", "window", "better", "baseline",
                                      "years", "lag",   "start",  "milestones", NULL};
    /* keys each type accepts beyond type/window/better */
    static const char *const extra[][4] = {
        [PW_TARGET_NONE] = {NULL},
        [PW_TARGET_CUMULATIVE] = {"value", NULL},
        [PW_TARGET_ANNUAL] = {"value", NULL},
        [PW_TARGET_LEVEL] = {"value", "baseline", NULL},
        [PW_TARGET_RATIO] = {"value", NULL},
        [PW_TARGET_ROLLING_AVERAGE] = {"value", "years", NULL},
        [PW_TARGET_ABOVE_BASELINE] = {"value", NULL},
        [PW_TARGET_PREV_AVERAGE] = {"years", "lag", "baseline", NULL},
        [PW_TARGET_TRAJECTORY] = {"milestones", "start", NULL},
    };
    int rc = pw_yamlw_check_keys(&x->w, n, base, all);
    if (rc)
        return rc;
    int type = 0, better = 0;
    if ((rc = cat_enum(x, n, "type", base, 1, cat_type_names,
                       (int)(sizeof cat_type_names / sizeof cat_type_names[0]), &type)))
        return rc;
    t->type = (enum pw_target_type)type;
    /* a key the type does not use is a mistake worth reporting */
    for (const char *const *k = all; *k; k++) {
        yaml_node_t *v = pw_yamlw_get(&x->w, n, *k);
        if (!v || !strcmp(*k, "type") || !strcmp(*k, "window") || !strcmp(*k, "better"))
            continue;
        int used = 0;
        for (const char *const *e = extra[type]; *e; e++)
            used |= strcmp(*e, *k) == 0;
        if (!used) {
            char path[96];
            pw_yamlw_path(path, sizeof path, base, *k);
            return pw_yamlw_err(&x->w, PW_ECAT_KEY, v, path, "'%s' is not used by target type %s", *k,
                           cat_type_names[type]);
        }
    }
    static const char *const betters[] = {"higher", "lower"};
    if ((rc = cat_enum(x, n, "better", base, 0, betters, 2, &better)))
        return rc;
    t->lower_better = better;

    t->first_fy = pl->first_fy;
    t->last_fy = pl->last_fy;
    yaml_node_t *w = pw_yamlw_get(&x->w, n, "window");
    if (w) {
        char path[96];
        pw_yamlw_path(path, sizeof path, base, "window");
        if ((rc = pw_yamlw_expect(&x->w, w, YAML_SEQUENCE_NODE, path)))
            return rc;
        if (w->data.sequence.items.top - w->data.sequence.items.start != 2)
            return pw_yamlw_err(&x->w, PW_ECAT_VALUE, w, path, "must be [first FY, last FY]");
        if ((rc = cat_fy_node(x, pw_yamlw_node(&x->w, w->data.sequence.items.start[0]), path,
                              &t->first_fy)) ||
            (rc = cat_fy_node(x, pw_yamlw_node(&x->w, w->data.sequence.items.start[1]), path,
                              &t->last_fy)))
            return rc;
        if (t->last_fy < t->first_fy || t->last_fy - t->first_fy + 1 > PW_WINDOW_MAX)
            return pw_yamlw_err(&x->w, PW_ECAT_VALUE, w, path, "must span 1 to %d fiscal years",
                           PW_WINDOW_MAX);
    }

    int need_value = type != PW_TARGET_NONE && type != PW_TARGET_PREV_AVERAGE &&
                     type != PW_TARGET_TRAJECTORY;
    if ((rc = cat_dec(x, n, "value", base, need_value, &t->value, NULL)))
        return rc;
    if (need_value) {
        char path[96];
        pw_yamlw_path(path, sizeof path, base, "value");
        if (t->value < 0)
            return pw_yamlw_err(&x->w, PW_ECAT_VALUE, pw_yamlw_get(&x->w, n, "value"), path,
                           "targets are not negative");
        if (percent && t->value > PW_DEC(100))
            return pw_yamlw_err(&x->w, PW_ECAT_VALUE, pw_yamlw_get(&x->w, n, "value"), path,
                           "a percentage target must lie in 0..100");
    }
    if ((rc = cat_dec(x, n, "baseline", base, 0, &t->baseline, &t->has_baseline)))
        return rc;
    int need_years = type == PW_TARGET_ROLLING_AVERAGE || type == PW_TARGET_PREV_AVERAGE;
    if ((rc = cat_int(x, n, "years", base, need_years, 1, 10, &t->years)))
        return rc;
    t->lag = 1;
    if ((rc = cat_int(x, n, "lag", base, 0, 1, 10, &t->lag)))
        return rc;
    if ((rc = cat_dec(x, n, "start", base, 0, &t->start, NULL)))
        return rc;
    if (type == PW_TARGET_TRAJECTORY) {
        char path[96];
        pw_yamlw_path(path, sizeof path, base, "milestones");
        yaml_node_t *m = pw_yamlw_get(&x->w, n, "milestones");
        if (!m)
            return pw_yamlw_err(&x->w, PW_ECAT_MISSING, n, path, "required key 'milestones' missing");
        if ((rc = pw_yamlw_expect(&x->w, m, YAML_MAPPING_NODE, path)))
            return rc;
        int seen[PW_WINDOW_MAX] = {0};
        for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top;
             p++) {
            int fy;
            yaml_node_t *k = pw_yamlw_node(&x->w, p->key);
            if ((rc = cat_fy_node(x, k, path, &fy)))
                return rc;
            if (fy < t->first_fy || fy > t->last_fy)
                return pw_yamlw_err(&x->w, PW_ECAT_VALUE, k, path, "FY%d is outside the window %d-%d",
                               fy, t->first_fy, t->last_fy);
            if (seen[fy - t->first_fy]++)
                return pw_yamlw_err(&x->w, PW_ECAT_DUP, k, path, "FY%d given twice", fy);
            if ((rc = cat_dec_node(x, pw_yamlw_node(&x->w, p->value), path,
                                   &t->milestones[fy - t->first_fy])))
                return rc;
        }
        /* the plan may state only some years: the window's last is required,
         * the others lie on straight lines between stated ones (from `start`
         * before the first); pw_target_milestone gives them exactly */
        if (!seen[t->last_fy - t->first_fy])
            return pw_yamlw_err(&x->w, PW_ECAT_MISSING, m, path, "no milestone for FY%d (the window end)",
                           t->last_fy);
        for (int fy = t->first_fy; fy <= t->last_fy; fy++) {
            t->milestone_stated[fy - t->first_fy] = (unsigned char)seen[fy - t->first_fy];
            if (!seen[fy - t->first_fy]) {
                int64_t num, den;
                pw_target_milestone(t, fy, &num, &den);
                t->milestones[fy - t->first_fy] = pw_dec_round_q(num, den);
            }
        }
    }
    return 0;
}

/* ---- indicators -------------------------------------------------------- */

static int cat_load_indicator(struct cat_ctx *x, yaml_node_t *n, size_t idx)
{
    static const char *const keys[] = {
        "id",     "plan",   "project",  "parent",         "name",        "name_en",
        "kind",   "unit",   "reporting", "deadline",      "at_risk_margin", "source",
        "target_text", "note", "target", "forecast", "must_report", "predecessor", NULL};
    char base[48];
    snprintf(base, sizeof base, "indicators[%zu]", idx);
    int rc = pw_yamlw_check_keys(&x->w, n, base, keys);
    if (rc)
        return rc;
    struct pw_catalog *c = x->cat;
    if (c->ninds >= CAT_MAX_INDICATORS)
        return pw_yamlw_err(&x->w, PW_ETOOBIG, n, base, "more than %d indicators", CAT_MAX_INDICATORS);
    if ((rc = pw_vec_grow((void **)&c->inds, &c->inds_cap, c->ninds + 1, sizeof *c->inds)))
        return rc;
    size_t cap = c->inds_cap;
    /* the three ref arrays share inds' capacity */
    const char **pr = realloc(c->plan_refs, cap * sizeof *pr);
    if (!pr)
        return PW_ENOMEM;
    c->plan_refs = pr;
    const char **jr = realloc(c->project_refs, cap * sizeof *jr);
    if (!jr)
        return PW_ENOMEM;
    c->project_refs = jr;
    const char **ar = realloc(c->parent_refs, cap * sizeof *ar);
    if (!ar)
        return PW_ENOMEM;
    c->parent_refs = ar;
    const char **dr = realloc(c->pred_refs, cap * sizeof *dr);
    if (!dr)
        return PW_ENOMEM;
    c->pred_refs = dr;

    struct pw_indicator *ind = pw_arena_alloc(c->arena, sizeof *ind);
    if (!ind)
        return PW_ENOMEM;
    const char *plan_id, *project_id, *parent_id, *pred_id;
    int kind = 0, reporting = 0;
    if ((rc = cat_id(x, n, "id", base, 1, PW_ID_MAX, &ind->id)) ||
        (rc = cat_id(x, n, "plan", base, 1, 32, &plan_id)) ||
        (rc = cat_id(x, n, "project", base, 0, 32, &project_id)) ||
        (rc = cat_id(x, n, "parent", base, 0, PW_ID_MAX, &parent_id)) ||
        (rc = cat_id(x, n, "predecessor", base, 0, PW_ID_MAX, &pred_id)) ||
        (rc = cat_str(x, n, "name", base, 1, &ind->name)) ||
        (rc = cat_str(x, n, "name_en", base, 0, &ind->name_en)) ||
        (rc = cat_enum(x, n, "kind", base, 1, cat_kind_names, 3, &kind)) ||
        (rc = cat_str(x, n, "unit", base, 1, &ind->unit)) ||
        (rc = cat_enum(x, n, "reporting", base, 1, cat_basis_names, 2, &reporting)) ||
        (rc = cat_str(x, n, "source", base, 1, &ind->source)) ||
        (rc = cat_str(x, n, "target_text", base, 0, &ind->target_text)) ||
        (rc = cat_str(x, n, "note", base, 0, &ind->note)))
        return rc;
    ind->kind = (enum pw_kind)kind;
    ind->reporting = (enum pw_basis)reporting;
    ind->deadline_month = x->deadline_month;
    ind->deadline_day = x->deadline_day;
    ind->at_risk_margin = x->margin;
    ind->forecast_years = x->forecast_years;
    if ((rc = cat_deadline(x, n, base, &ind->deadline_month, &ind->deadline_day)) ||
        (rc = cat_margin(x, n, base, &ind->at_risk_margin)) ||
        (rc = cat_int(x, n, "forecast", base, 0, 0, PW_FORECAST_YEARS_MAX, &ind->forecast_years)))
        return rc;
    ind->percent = strcmp(ind->unit, "%") == 0 || strcmp(ind->unit, "％") == 0;
    ind->file = x->w.file;
    ind->line = pw_yamlw_line(n);
    ind->index = c->ninds;
    c->inds[c->ninds] = ind;
    c->plan_refs[c->ninds] = plan_id;
    c->project_refs[c->ninds] = project_id[0] ? project_id : NULL;
    c->parent_refs[c->ninds] = parent_id[0] ? parent_id : NULL;
    c->pred_refs[c->ninds] = pred_id[0] ? pred_id : NULL;

    /* the plan must already be known to fill in the target window default */
    const struct pw_plan *pl = NULL;
    for (size_t i = 0; i < c->nplans; i++)
        if (strcmp(c->plans[i].id, plan_id) == 0)
            pl = &c->plans[i];
    if (!pl) {
        char path[96];
        pw_yamlw_path(path, sizeof path, base, "plan");
        return pw_yamlw_err(&x->w, PW_ECAT_REF, pw_yamlw_get(&x->w, n, "plan"), path, "no plan '%s' is defined",
                       plan_id);
    }
    ind->plan = pl;
    char tbase[96];
    pw_yamlw_path(tbase, sizeof tbase, base, "target");
    yaml_node_t *tn = pw_yamlw_get(&x->w, n, "target");
    if (!tn)
        return pw_yamlw_err(&x->w, PW_ECAT_MISSING, n, tbase,
                       "required key 'target' missing (use {type: none} for monitoring)");
    if ((rc = cat_load_target(x, tn, tbase, pl, ind->percent, &ind->target)))
        return rc;
    /* offices owe output and outcome figures; monitoring ones only when asked */
    static const char *const bools[] = {"false", "true"};
    int must = ind->kind != PW_KIND_MONITORING;
    if ((rc = cat_enum(x, n, "must_report", base, 0, bools, 2, &must)))
        return rc;
    ind->must_report = must;
    c->ninds++;
    return 0;
}

/* ---- files ------------------------------------------------------------- */

static int cat_load_doc(struct cat_ctx *x, yaml_node_t *root)
{
    static const char *const keys[] = {"version", "defaults", "plans", "indicators", NULL};
    static const char *const dkeys[] = {"at_risk_margin", "deadline", "forecast", NULL};
    int rc, version = 0;
    if (!root)
        return pw_yamlw_err(&x->w, PW_ECAT_MISSING, NULL, "", "the file is empty");
    if ((rc = pw_yamlw_check_keys(&x->w, root, "", keys)) ||
        (rc = cat_int(x, root, "version", "", 1, 0, 1000, &version)))
        return rc;
    if (version != 1)
        return pw_yamlw_err(&x->w, PW_ECAT_VERSION, pw_yamlw_get(&x->w, root, "version"), "version",
                       "catalog version %d is not supported (this planwatch reads 1)", version);
    yaml_node_t *d = pw_yamlw_get(&x->w, root, "defaults");
    if (d && ((rc = pw_yamlw_check_keys(&x->w, d, "defaults", dkeys)) ||
              (rc = cat_margin(x, d, "defaults", &x->margin)) ||
              (rc = cat_deadline(x, d, "defaults", &x->deadline_month, &x->deadline_day)) ||
              (rc = cat_int(x, d, "forecast", "defaults", 0, 0, PW_FORECAST_YEARS_MAX,
                            &x->forecast_years))))
        return rc;
    yaml_node_t *plans = pw_yamlw_get(&x->w, root, "plans");
    if (plans) {
        if ((rc = pw_yamlw_expect(&x->w, plans, YAML_SEQUENCE_NODE, "plans")))
            return rc;
        size_t np = (size_t)(plans->data.sequence.items.top - plans->data.sequence.items.start);
        for (size_t i = 0; i < np; i++)
            if ((rc = cat_load_plan(x, pw_yamlw_node(&x->w, plans->data.sequence.items.start[i]), i)))
                return rc;
    }
    yaml_node_t *inds = pw_yamlw_get(&x->w, root, "indicators");
    if (inds) {
        if ((rc = pw_yamlw_expect(&x->w, inds, YAML_SEQUENCE_NODE, "indicators")))
            return rc;
        size_t ni = (size_t)(inds->data.sequence.items.top - inds->data.sequence.items.start);
        for (size_t i = 0; i < ni; i++)
            if ((rc = cat_load_indicator(x, pw_yamlw_node(&x->w, inds->data.sequence.items.start[i]), i)))
                return rc;
    }
    return 0;
}

static int cat_load_buf(struct pw_catalog *c, const char *name, const char *buf, size_t len,
                        struct pw_diag *diag)
{
    struct cat_ctx x = {.cat = c,
                        .w = {.diag = diag, .e_type = PW_ECAT_TYPE, .e_key = PW_ECAT_KEY,
                              .e_dup = PW_ECAT_DUP, .e_missing = PW_ECAT_MISSING},
                        .margin = PW_DEC(10), .deadline_month = 6, .deadline_day = 30,
                        .forecast_years = 1};
    yaml_document_t doc;
    int rc;
    if (len > PW_CATALOG_MAX_BYTES)
        return pw_diag_set(diag, PW_ETOOBIG, name, 0, "", "catalog larger than %u bytes",
                           PW_CATALOG_MAX_BYTES);
    x.w.file = pw_arena_strndup(c->arena, name, strlen(name));
    if (!x.w.file)
        return PW_ENOMEM;
    if ((rc = pw_yamlw_load(&doc, name, buf, len, PW_ECAT_YAML, diag)))
        return rc;
    x.w.doc = &doc;
    rc = cat_load_doc(&x, yaml_document_get_root_node(&doc));
    yaml_document_delete(&doc);
    /* FNV-1a over every byte of every file, in load order */
    for (size_t i = 0; i < len; i++) {
        c->digest ^= (unsigned char)buf[i];
        c->digest *= UINT64_C(1099511628211);
    }
    return rc;
}

static int cat_cmp_id(const void *a, const void *b)
{
    const struct pw_indicator *const *ia = a, *const *ib = b;
    return strcmp((*ia)->id, (*ib)->id);
}

static const struct pw_project *cat_find_project(const struct pw_plan *pl, const char *id)
{
    for (size_t i = 0; i < pl->nprojects; i++)
        if (strcmp(pl->projects[i].id, id) == 0)
            return &pl->projects[i];
    return NULL;
}

/* Resolves the `predecessor` references (plan lineage): each must name an
 * existing indicator, the chain must not loop, and each step must go to a
 * plan that starts earlier. */
static int cat_resolve_predecessors(struct pw_catalog *c, struct pw_diag *diag)
{
    for (size_t i = 0; i < c->ninds; i++) {
        struct pw_indicator *ind = c->inds[i];
        if (!c->pred_refs[i])
            continue;
        const struct pw_indicator *p = pw_catalog_find(c, c->pred_refs[i]);
        if (!p)
            return pw_diag_set(diag, PW_ECAT_REF, ind->file, ind->line, "predecessor",
                               "no indicator '%s'", c->pred_refs[i]);
        ind->predecessor = p;
    }
    for (size_t i = 0; i < c->ninds; i++) {
        const struct pw_indicator *p = c->inds[i]->predecessor;
        for (int depth = 0; p; depth++, p = p->predecessor)
            if (p == c->inds[i] || depth > CAT_MAX_PLANS)
                return pw_diag_set(diag, PW_ECAT_REF, c->inds[i]->file, c->inds[i]->line,
                                   "predecessor", "predecessor chain of '%s' loops",
                                   c->inds[i]->id);
    }
    for (size_t i = 0; i < c->ninds; i++) {
        const struct pw_indicator *ind = c->inds[i], *p = ind->predecessor;
        if (p && p->plan->first_fy >= ind->plan->first_fy)
            return pw_diag_set(diag, PW_ECAT_REF, ind->file, ind->line, "predecessor",
                               "predecessor '%s' is not in an earlier plan (plan '%s' starts "
                               "FY%d, '%s' FY%d)",
                               p->id, p->plan->id, p->plan->first_fy, ind->plan->id,
                               ind->plan->first_fy);
    }
    return 0;
}

/* Resolves project and parent references, rejects duplicate ids and cycles. */
static int cat_resolve(struct pw_catalog *c, struct pw_diag *diag)
{
    if (c->ninds > 0) {
        c->sorted = malloc(c->ninds * sizeof *c->sorted);
        if (!c->sorted)
            return PW_ENOMEM;
        memcpy(c->sorted, c->inds, c->ninds * sizeof *c->sorted);
        qsort(c->sorted, c->ninds, sizeof *c->sorted, cat_cmp_id);
    }
    for (size_t i = 1; i < c->ninds; i++)
        if (strcmp(c->sorted[i - 1]->id, c->sorted[i]->id) == 0) {
            const struct pw_indicator *a = c->sorted[i - 1], *b = c->sorted[i];
            if (a->index > b->index) {
                const struct pw_indicator *t = a;
                a = b;
                b = t;
            }
            return pw_diag_set(diag, PW_ECAT_DUP, b->file, b->line, "id",
                               "indicator '%s' already defined at %s:%d", b->id, a->file,
                               a->line);
        }
    /* a hash lookup: ingest finds every row's indicator (a binary search
     * over thousands of ids was a dozen string compares) */
    if (pw_map_open_borrowed(&c->by_id) || pw_map_reserve(c->by_id, c->ninds))
        return PW_ENOMEM;
    for (size_t i = 0; i < c->ninds; i++)
        if (pw_map_put(c->by_id, c->inds[i]->id, c->inds[i]))
            return PW_ENOMEM;
    for (size_t i = 0; i < c->ninds; i++) {
        struct pw_indicator *ind = c->inds[i];
        if (c->project_refs[i]) {
            ind->project = cat_find_project(ind->plan, c->project_refs[i]);
            if (!ind->project)
                return pw_diag_set(diag, PW_ECAT_REF, ind->file, ind->line, "project",
                                   "plan '%s' has no project '%s'", ind->plan->id,
                                   c->project_refs[i]);
        }
        if (c->parent_refs[i]) {
            const struct pw_indicator *p = pw_catalog_find(c, c->parent_refs[i]);
            if (!p)
                return pw_diag_set(diag, PW_ECAT_REF, ind->file, ind->line, "parent",
                                   "no indicator '%s'", c->parent_refs[i]);
            if (p->plan != ind->plan)
                return pw_diag_set(diag, PW_ECAT_REF, ind->file, ind->line, "parent",
                                   "parent '%s' belongs to another plan", p->id);
            ind->parent = p;
        }
    }
    for (size_t i = 0; i < c->ninds; i++) {
        const struct pw_indicator *p = c->inds[i]->parent;
        for (int depth = 0; p; depth++, p = p->parent)
            if (p == c->inds[i] || depth > 8)
                return pw_diag_set(diag, PW_ECAT_REF, c->inds[i]->file, c->inds[i]->line,
                                   "parent", "parent chain of '%s' loops or is deeper than 8",
                                   c->inds[i]->id);
    }
    return cat_resolve_predecessors(c, diag);
}

int pw_catalog_load_buffers(struct pw_catalog **out, const char *const *names,
                            const char *const *bufs, const size_t *lens, size_t n,
                            struct pw_diag *diag)
{
    struct pw_catalog *c = calloc(1, sizeof *c);
    int rc = PW_ENOMEM;
    if (!c)
        return rc;
    c->digest = UINT64_C(14695981039346656037);
    c->plans_cap = CAT_MAX_PLANS;
    if ((rc = pw_arena_open(&c->arena)))
        goto fail;
    rc = PW_ENOMEM;
    c->plans = pw_arena_alloc(c->arena, CAT_MAX_PLANS * sizeof *c->plans);
    if (!c->plans)
        goto fail;
    for (size_t i = 0; i < n; i++)
        if ((rc = cat_load_buf(c, names[i], bufs[i], lens[i], diag)))
            goto fail;
    if ((rc = cat_resolve(c, diag)))
        goto fail;
    /* the ref arrays are only needed while loading */
    free(c->plan_refs);
    free(c->project_refs);
    free(c->parent_refs);
    free(c->pred_refs);
    c->plan_refs = c->project_refs = c->parent_refs = c->pred_refs = NULL;
    *out = c;
    return 0;
fail:
    if (rc == PW_ENOMEM && diag && diag->code == 0)
        pw_diag_set(diag, rc, n ? names[0] : "", 0, "", "out of memory");
    pw_catalog_close(&c);
    return rc;
}

int pw_catalog_load_files(struct pw_catalog **out, const char *const *paths, size_t n,
                          struct pw_diag *diag)
{
    char **bufs = calloc(n ? n : 1, sizeof *bufs);
    size_t *lens = calloc(n ? n : 1, sizeof *lens);
    int rc = PW_ENOMEM;
    if (!bufs || !lens)
        goto done;
    for (size_t i = 0; i < n; i++)
        if ((rc = pw_file_read(paths[i], PW_CATALOG_MAX_BYTES, &bufs[i], &lens[i], diag)))
            goto done;
    rc = pw_catalog_load_buffers(out, paths, (const char *const *)bufs, lens, n, diag);
done:
    if (bufs)
        for (size_t i = 0; i < n; i++)
            free(bufs[i]);
    free(bufs);
    free(lens);
    return rc;
}

void pw_catalog_close(struct pw_catalog **cp)
{
    if (!cp || !*cp)
        return;
    struct pw_catalog *c = *cp;
    free(c->inds);
    free(c->sorted);
    pw_map_close(&c->by_id);
    free(c->plan_refs);
    free(c->project_refs);
    free(c->parent_refs);
    free(c->pred_refs);
    pw_arena_close(&c->arena);
    free(c);
    *cp = NULL;
}

size_t pw_catalog_count(const struct pw_catalog *c)
{
    return c->ninds;
}

const struct pw_indicator *pw_catalog_at(const struct pw_catalog *c, size_t i)
{
    return i < c->ninds ? c->inds[i] : NULL;
}

const struct pw_indicator *pw_catalog_find(const struct pw_catalog *c, const char *id)
{
    if (!c->by_id || !id)
        return NULL;
    return pw_map_get(c->by_id, id);
}

size_t pw_catalog_nplans(const struct pw_catalog *c)
{
    return c->nplans;
}

const struct pw_plan *pw_catalog_plan(const struct pw_catalog *c, size_t i)
{
    return i < c->nplans ? &c->plans[i] : NULL;
}

const struct pw_plan *pw_catalog_find_plan(const struct pw_catalog *c, const char *id)
{
    for (size_t i = 0; i < c->nplans; i++)
        if (strcmp(c->plans[i].id, id) == 0)
            return &c->plans[i];
    return NULL;
}

uint64_t pw_catalog_digest(const struct pw_catalog *c)
{
    return c->digest;
}

const char *pw_indicator_project_id(const struct pw_indicator *ind)
{
    return ind->project ? ind->project->id : "all";
}

void pw_indicator_fy_range(const struct pw_indicator *ind, int *first, int *last)
{
    const struct pw_target *t = &ind->target;
    int back = 0;
    if (t->type == PW_TARGET_PREV_AVERAGE)
        back = t->years + t->lag - 1;
    *first = t->first_fy - back;
    *last = t->last_fy;
}

void pw_target_milestone(const struct pw_target *t, int fy, int64_t *num, int64_t *den)
{
    int k = fy - t->first_fy, last = t->last_fy - t->first_fy;
    if (k < 0) {
        *num = t->start, *den = 1;
        return;
    }
    if (k > last)
        k = last;
    if (t->milestone_stated[k]) {
        *num = t->milestones[k], *den = 1;
        return;
    }
    int p = k - 1, q = k + 1;
    while (p >= 0 && !t->milestone_stated[p])
        p--;
    while (q < last && !t->milestone_stated[q])
        q++;
    int64_t from = p >= 0 ? t->milestones[p] : t->start, to = t->milestones[q];
    /* from + (to - from) x (k - p) / (q - p), p = -1 being the window start */
    *den = q - p;
    *num = from * *den + (to - from) * (k - p);
}

int pw_target_final(const struct pw_target *t, int64_t *final)
{
    switch (t->type) {
    case PW_TARGET_CUMULATIVE:
    case PW_TARGET_LEVEL:
        *final = t->value;
        return 1;
    case PW_TARGET_TRAJECTORY:
        *final = t->milestones[t->last_fy - t->first_fy];
        return 1;
    default:
        return 0;
    }
}
