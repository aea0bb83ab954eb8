/* catalog.h - the indicator catalog: plans, projects, indicators and their
 * targets, loaded from human-edited YAML (libyaml).
 *
 * A catalog is immutable once loaded; every pointer it hands out is owned by
 * it and valid until pw_catalog_close. Several files load into one catalog
 * (plan2.yaml + plan3.yaml); ids are unique across all of them. The loader
 * stops at the first error and reports file:line, the field path and why.
 * The YAML format is documented in docs/catalog-format.md. Thread-safe for
 * concurrent readers. */
#ifndef PW_CATALOG_H
#define PW_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"

#define PW_WINDOW_MAX 20   /* fiscal years in a target window */
#define PW_ID_MAX 64       /* bytes in an indicator id */
#define PW_CATALOG_MAX_BYTES (16u << 20)
#define PW_FORECAST_YEARS_MAX 5 /* `forecast:` reads the pace of at most this many years */

enum pw_kind { PW_KIND_OUTPUT, PW_KIND_OUTCOME, PW_KIND_MONITORING };
enum pw_basis { PW_BASIS_CUMULATIVE, PW_BASIS_ANNUAL };

enum pw_target_type {
    PW_TARGET_NONE,            /* monitoring only */
    PW_TARGET_CUMULATIVE,      /* total over the window, pro-rated linearly */
    PW_TARGET_ANNUAL,          /* every single FY >= value */
    PW_TARGET_LEVEL,           /* value reached by the window end, linear from baseline */
    PW_TARGET_RATIO,           /* a level (often %) that must hold at all times */
    PW_TARGET_ROLLING_AVERAGE, /* average of the last `years` FYs >= value */
    PW_TARGET_ABOVE_BASELINE,  /* every single FY strictly > value */
    PW_TARGET_PREV_AVERAGE,    /* FY value >= average of FYs [y-lag-years+1, y-lag] */
    PW_TARGET_TRAJECTORY,      /* planned per-FY milestones, interpolated within a year */
};

struct pw_target {
    enum pw_target_type type;
    int first_fy, last_fy;       /* the target window */
    int lower_better;            /* 1: lower is better */
    int64_t value;               /* pw_dec; unused by none/prev_average/trajectory */
    int64_t baseline;            /* level: value at window start; prev_average: fallback reference */
    int has_baseline;
    int years;                   /* rolling_average, prev_average */
    int lag;                     /* prev_average */
    int64_t start;               /* trajectory: value at the window start */
    int64_t milestones[PW_WINDOW_MAX]; /* trajectory: planned value at end of FY first_fy+i
                                          (rounded where interpolated) */
    unsigned char milestone_stated[PW_WINDOW_MAX]; /* 1: the catalog states it, 0: interpolated */
};

struct pw_plan;

struct pw_project {
    const char *id, *name, *name_en, *source;
    const struct pw_plan *plan;
};

struct pw_plan {
    const char *id, *name, *name_en, *source;
    int first_fy, last_fy;
    const struct pw_project *projects;
    size_t nprojects;
};

struct pw_indicator {
    const char *id;
    const char *name;          /* Japanese, as printed */
    const char *name_en;       /* "" when absent */
    const char *unit;
    const char *source;        /* seed file:line, ... */
    const char *target_text;   /* "" when absent */
    const char *note;          /* "" when absent */
    const struct pw_plan *plan;
    const struct pw_project *project;   /* NULL: the plan as a whole */
    const struct pw_indicator *parent;  /* NULL unless a うち sub-indicator */
    const struct pw_indicator *predecessor; /* the same indicator in an earlier plan
                                               (catalog `predecessor`), or NULL */
    enum pw_kind kind;
    enum pw_basis reporting;
    int deadline_month, deadline_day;   /* figures for FY y due by this day in FY y+1 */
    int64_t at_risk_margin;             /* pw_dec percent, 0..100 */
    int percent;                        /* unit is "%": values must lie in 0..100 */
    struct pw_target target;
    size_t index;                       /* position in load order */
    const char *file;                   /* catalog file it came from */
    int line;                           /* line of its "- id:" entry */
    int forecast_years;                 /* projected-shortfall alerts: the pace of the last
                                           this many reported years (1-5); 0 = off */
    int must_report;                    /* a missing figure is overdue (catalog `must_report`;
                                           default: outputs and outcomes, not monitoring) */
};

struct pw_catalog;

/* Loads the YAML files paths[0..n). Returns 0 and *out (caller closes with
 * pw_catalog_close), or a PW_ECAT_* / PW_EIO / PW_ETOOBIG / PW_ENOMEM code
 * with diag filled (if not NULL); *out untouched on failure. */
int pw_catalog_load_files(struct pw_catalog **out, const char *const *paths, size_t n,
                          struct pw_diag *diag);

/* The same from memory: names[i] is used in diagnostics, bufs[i][0..lens[i])
 * is the YAML text (borrowed for the duration of the call). */
int pw_catalog_load_buffers(struct pw_catalog **out, const char *const *names,
                            const char *const *bufs, const size_t *lens, size_t n,
                            struct pw_diag *diag);

/* Loads the catalogs built into the binary (catalog/plan2.yaml and plan3.yaml). */
int pw_catalog_load_default(struct pw_catalog **out, struct pw_diag *diag);

/* The built-in catalog files: count, and file i's name and YAML text
 * (static storage). Returns 0 or PW_ENOTFOUND for i out of range. */
size_t pw_catalog_default_count(void);
int pw_catalog_default_file(size_t i, const char **name, const char **yaml, size_t *len);

/* Frees the catalog; accepts NULL; nulls *c. */
void pw_catalog_close(struct pw_catalog **c);

size_t pw_catalog_count(const struct pw_catalog *c);
const struct pw_indicator *pw_catalog_at(const struct pw_catalog *c, size_t i);
/* Returns the indicator with that id, or NULL. */
const struct pw_indicator *pw_catalog_find(const struct pw_catalog *c, const char *id);

size_t pw_catalog_nplans(const struct pw_catalog *c);
const struct pw_plan *pw_catalog_plan(const struct pw_catalog *c, size_t i);
const struct pw_plan *pw_catalog_find_plan(const struct pw_catalog *c, const char *id);

/* A 64-bit FNV-1a digest of the catalog's source texts: services compare
 * it to know they evaluate against the same catalog. */
uint64_t pw_catalog_digest(const struct pw_catalog *c);

/* "all" for plan-wide indicators, else the project id. */
const char *pw_indicator_project_id(const struct pw_indicator *ind);

/* Fiscal years a feed may report for ind: the target window, widened before
 * it by the reference years a prev_average target reads. */
void pw_indicator_fy_range(const struct pw_indicator *ind, int *first, int *last);

/* Trajectory milestone of fiscal year fy as the exact fraction num/den: the
 * stated one, or the straight line between the stated milestones around it
 * (from `start` at the window start). */
void pw_target_milestone(const struct pw_target *t, int fy, int64_t *num, int64_t *den);

/* Whether ind's target has a final value to be reached (cumulative, level,
 * trajectory), and that value in *final. */
int pw_target_final(const struct pw_target *t, int64_t *final);

const char *pw_kind_name(enum pw_kind k);
const char *pw_basis_name(enum pw_basis b);
const char *pw_target_type_name(enum pw_target_type t);
/* Parses "cumulative" | "annual". Returns 0 or PW_EINVAL. */
int pw_basis_parse(const char *s, enum pw_basis *out);

#endif
