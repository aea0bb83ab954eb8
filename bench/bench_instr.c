/* bench_instr.c - instructions per update from callgrind's out files (see
 * bench.h): the machine's load does not change them, so they compare runs
 * that wall-clock figures on a shared machine cannot. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "bench.h"

double bench_cg_total(const char *file)
{
    FILE *f = fopen(file, "r");
    char line[512];
    double total = -1, summary = -1;
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "totals:", 7))
            total = strtod(line + 7, NULL);
        else if (!strncmp(line, "summary:", 8))
            summary = strtod(line + 8, NULL);
    }
    fclose(f);
    return total >= 0 ? total : summary;
}

/* One cost line of callgrind_annotate: "1,234 (5.6%)  file:fn [obj]" (the
 * percentage and the object may be missing). Returns 0 and the cost, the
 * function and the object (or "") or -1 for any other line. */
static int cg_line(char *line, double *ir, char **fn, char **obj)
{
    char digits[32];
    size_t k = 0;
    char *p = line;
    while (*p == ' ')
        p++;
    if (*p < '0' || *p > '9')
        return -1;
    for (; (*p >= '0' && *p <= '9') || *p == ','; p++)
        if (*p != ',' && k + 1 < sizeof digits)
            digits[k++] = *p;
    digits[k] = '\0';
    *ir = strtod(digits, NULL);
    while (*p == ' ')
        p++;
    if (*p == '(') { /* percentage */
        p = strchr(p, ')');
        if (!p)
            return -1;
        p++;
    }
    while (*p == ' ')
        p++;
    if (!*p || *p == '\n' || !strchr(p, ':'))
        return -1;
    line[strcspn(line, "\n")] = '\0';
    char *b = strstr(p, " [");
    *obj = "";
    if (b) {
        *b = '\0';
        *obj = b + 2;
        (*obj)[strcspn(*obj, "]")] = '\0';
    }
    *fn = strchr(p, ':') + 1; /* "file:function": the function */
    return 0;
}

/* The component an exclusive cost belongs to. */
enum cg_part { CG_PROTOBUF, CG_ZMQ, CG_LMDB, CG_MALLOC, CG_LIBC, CG_OURS, CG_OTHER, CG_NPART };
static const char *const cg_part_name[CG_NPART] = {
    "protobuf-c (encode, decode, free)", "ZeroMQ (libzmq, libstdc++)", "LMDB",
    "malloc/free (libc)", "libc other (copies, formatting, syscall stubs)", "planwatch code",
    "other (ld.so, libsodium, ...)"};

static int cg_has(const char *s, const char *word)
{
    return strstr(s, word) != NULL;
}

static enum cg_part cg_part_of(const char *fn, const char *obj)
{
    if (cg_has(obj, "libprotobuf-c") || !strncmp(fn, "planwatch__v1__", 15) ||
        !strncmp(fn, "protobuf_c_", 11))
        return CG_PROTOBUF;
    if (cg_has(obj, "libzmq") || cg_has(obj, "libstdc++"))
        return CG_ZMQ;
    if (cg_has(obj, "liblmdb") || !strncmp(fn, "mdb_", 4))
        return CG_LMDB;
    if (cg_has(obj, "libc.so") || cg_has(obj, "libc-")) {
        if (cg_has(fn, "malloc") || cg_has(fn, "free") || cg_has(fn, "calloc") ||
            cg_has(fn, "realloc") || cg_has(fn, "tcache") || cg_has(fn, "unlink_chunk") ||
            cg_has(fn, "memalign"))
            return CG_MALLOC;
        return CG_LIBC;
    }
    if (!obj[0] || cg_has(obj, "/planwatch-") || cg_has(obj, "libpw"))
        return CG_OURS;
    return CG_OTHER;
}

/* The functions of one callgrind_annotate listing: cost by "fn [obj]". */
struct cg_fn {
    char *fn, *obj;
    double ir;
};
struct cg_list {
    struct cg_fn *v;
    size_t n, cap;
};

static void cg_list_free(struct cg_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].fn);
        free(l->v[i].obj);
    }
    free(l->v);
    *l = (struct cg_list){0};
}

/* Reads every function of file's listing, exclusive or inclusive costs.
 * Returns 0 or -1. */
static int cg_list_read(struct cg_list *l, const char *file, int inclusive)
{
    char cmd[800], line[2048];
    *l = (struct cg_list){0};
    snprintf(cmd, sizeof cmd, "callgrind_annotate --auto=no --threshold=100 --inclusive=%s '%s' 2>/dev/null",
             inclusive ? "yes" : "no", file);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    int body = 0, rc = 0;
    while (fgets(line, sizeof line, p)) {
        double ir;
        char *fn, *obj;
        if (strstr(line, "file:function")) {
            body = 1;
            continue;
        }
        if (!body || cg_line(line, &ir, &fn, &obj))
            continue;
        if (l->n == l->cap) {
            size_t cap = l->cap ? l->cap * 2 : 256;
            struct cg_fn *v = realloc(l->v, cap * sizeof *v);
            if (!v) {
                rc = -1;
                break;
            }
            l->v = v;
            l->cap = cap;
        }
        l->v[l->n] = (struct cg_fn){strdup(fn), strdup(obj), ir};
        if (!l->v[l->n].fn || !l->v[l->n].obj) {
            free(l->v[l->n].fn);
            free(l->v[l->n].obj);
            rc = -1;
            break;
        }
        l->n++;
    }
    if (pclose(p) != 0 || l->n == 0)
        rc = -1;
    return rc;
}

/* a's costs minus base's, function by function (base may be empty). */
static void cg_list_sub(struct cg_list *a, const struct cg_list *base)
{
    for (size_t i = 0; i < a->n; i++)
        for (size_t j = 0; j < base->n; j++)
            if (!strcmp(a->v[i].fn, base->v[j].fn) && !strcmp(a->v[i].obj, base->v[j].obj)) {
                a->v[i].ir -= base->v[j].ir;
                break;
            }
}

static int cg_fn_cmp(const void *x, const void *y)
{
    double a = ((const struct cg_fn *)x)->ir, b = ((const struct cg_fn *)y)->ir;
    return (a < b) - (a > b);
}

int bench_cg_report(const char *name, const char *file, const char *base, double updates, int top)
{
    struct cg_list l, b = {0};
    double part[CG_NPART] = {0}, sum = 0;
    /* exclusive costs of every function, less the idle run's, by component */
    if (cg_list_read(&l, file, 0) || (base && cg_list_read(&b, base, 0))) {
        cg_list_free(&l);
        cg_list_free(&b);
        return -1;
    }
    cg_list_sub(&l, &b);
    for (size_t i = 0; i < l.n; i++) {
        part[cg_part_of(l.v[i].fn, l.v[i].obj)] += l.v[i].ir;
        sum += l.v[i].ir;
    }
    cg_list_free(&l);
    cg_list_free(&b);
    printf("\n%s: where the instructions go (exclusive, per update)\n\n", name);
    printf("| component | Ir/update | share |\n|---|---:|---:|\n");
    for (int i = 0; i < CG_NPART; i++) {
        double v = part[i] / updates; /* the idle run may leave a little less than 0 */
        printf("| %s | %.0f | %.1f%% |\n", cg_part_name[i], v > 0.5 ? v : 0,
               sum > 0 && v > 0.5 ? 100 * part[i] / sum : 0);
    }
    /* the heaviest functions with what they call (inclusive) */
    if (cg_list_read(&l, file, 1) || (base && cg_list_read(&b, base, 1))) {
        cg_list_free(&l);
        cg_list_free(&b);
        return -1;
    }
    cg_list_sub(&l, &b);
    qsort(l.v, l.n, sizeof *l.v, cg_fn_cmp);
    printf("\n%s: top %d functions by inclusive Ir (per update)\n\n", name, top);
    printf("| Ir/update | function | object |\n|---:|---|---|\n");
    int shown = 0;
    for (size_t i = 0; i < l.n && shown < top; i++) {
        const char *fn = l.v[i].fn, *obj = l.v[i].obj;
        /* the roots every function sits under say nothing */
        if (!strcmp(fn, "start_thread") || !strncmp(fn, "clone", 5) || !strncmp(fn, "0x", 2) ||
            !strcmp(fn, "(below main)") || !strcmp(fn, "main") ||
            !strncmp(fn, "__libc_start_main", 17))
            continue;
        const char *slash = strrchr(obj, '/');
        printf("| %.0f | %s | %s |\n", l.v[i].ir / updates, fn, slash ? slash + 1 : obj);
        shown++;
    }
    cg_list_free(&l);
    cg_list_free(&b);
    fflush(stdout);
    return 0;
}
