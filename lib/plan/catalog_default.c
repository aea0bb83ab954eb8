/* catalog_default.c - the catalogs built into the binary, so every command
 * and service runs with the plans' own catalogs when none is given. The
 * bytes come from catalog/plan{2,3}.yaml at build time (cmake/embed.cmake). */
#include <stddef.h>

#include "catalog.h"
#include "err.h"

extern const char *const pw_default_catalog_names[];
extern const char *const pw_default_catalog_bufs[];
extern const size_t pw_default_catalog_lens[];
extern const size_t pw_default_catalog_count;

int pw_catalog_load_default(struct pw_catalog **out, struct pw_diag *diag)
{
    return pw_catalog_load_buffers(out, pw_default_catalog_names, pw_default_catalog_bufs,
                                   pw_default_catalog_lens, pw_default_catalog_count, diag);
}

size_t pw_catalog_default_count(void)
{
    return pw_default_catalog_count;
}

int pw_catalog_default_file(size_t i, const char **name, const char **yaml, size_t *len)
{
    if (i >= pw_default_catalog_count)
        return PW_ENOTFOUND;
    *name = pw_default_catalog_names[i];
    *yaml = pw_default_catalog_bufs[i];
    *len = pw_default_catalog_lens[i];
    return 0;
}
