/* fuzz_assess.c - fuzz target: any bytes as a file of the secretariat's
 * assessments (planwatch assess --file), read against the built-in catalog;
 * every record read is looked up again as the CLI does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assess.h"
#include "catalog.h"
#include "fuzz.h"

static struct pw_catalog *fuzz_cat;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pw_assess_rec *r = NULL;
    size_t n = 0;
    struct pw_diag d;
    if (!fuzz_cat && pw_catalog_load_default(&fuzz_cat, NULL) != 0)
        abort();
    FILE *f = fmemopen(size ? (void *)data : (void *)"", size ? size : 1, "r");
    if (!f)
        return 0;
    int rc = pw_assess_read(f, "fuzz.csv", fuzz_cat, &r, &n, &d);
    fclose(f);
    if (rc != 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        const struct pw_assess_rec *x = pw_assess_find(r, n, r[i].indicator_id, r[i].as.fy);
        if (!x || (r[i].as.grade != 'A' && r[i].as.grade != 'B') || !pw_catalog_find(fuzz_cat, r[i].indicator_id))
            abort(); /* what was read is what the checks promise */
    }
    free(r);
    return 0;
}
