/* fuzz_catalog.c - fuzz target: any bytes as catalog YAML. The input is
 * loaded as one file, and, when it contains a line "---8<---", as two files
 * split there (ids are unique across the files of one catalog). A catalog
 * that loads is walked (every indicator, its fiscal-year range and final
 * target) and its digest taken, as the services do. */
#define _GNU_SOURCE /* memmem */
#include <string.h>

#include "catalog.h"
#include "fuzz.h"

static void fuzz_walk(const struct pw_catalog *c)
{
    for (size_t i = 0; i < pw_catalog_count(c); i++) {
        const struct pw_indicator *ind = pw_catalog_at(c, i);
        int first, last;
        int64_t final;
        pw_indicator_fy_range(ind, &first, &last);
        pw_target_final(&ind->target, &final);
        pw_catalog_find(c, ind->id);
    }
    for (size_t i = 0; i < pw_catalog_nplans(c); i++)
        pw_catalog_find_plan(c, pw_catalog_plan(c, i)->id);
    pw_catalog_digest(c);
}

static void fuzz_load(const char *const *names, const char *const *bufs, const size_t *lens,
                      size_t n)
{
    struct pw_catalog *c = NULL;
    struct pw_diag d;
    if (pw_catalog_load_buffers(&c, names, bufs, lens, n, &d) == 0) {
        fuzz_walk(c);
        pw_catalog_close(&c);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char sep[] = "\n---8<---\n";
    const char *text = (const char *)data;
    const char *names[2] = {"a.yaml", "b.yaml"};
    const char *bufs[2] = {text, NULL};
    size_t lens[2] = {size, 0};
    fuzz_load(names, bufs, lens, 1);
    const char *cut = size >= sizeof sep - 1 ? memmem(text, size, sep, sizeof sep - 1) : NULL;
    if (cut) {
        lens[0] = (size_t)(cut - text) + 1;
        bufs[1] = cut + sizeof sep - 1;
        lens[1] = size - (size_t)(bufs[1] - text);
        fuzz_load(names, bufs, lens, 2);
    }
    return 0;
}
