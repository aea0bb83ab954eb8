/* fuzz_registry.c - fuzz target: any bytes as an office registry. A
 * registry that loads is checked against the built-in catalog and every
 * entry's write scope is tried on every indicator, as ingest does per row;
 * each key is looked up as the ZAP handler does. */
#include <stdlib.h>

#include "catalog.h"
#include "fuzz.h"
#include "registry.h"
#include "zap.h"

static struct pw_catalog *fuzz_cat;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pw_registry *r = NULL;
    struct pw_diag d;
    char scope[256];
    if (!fuzz_cat && pw_catalog_load_default(&fuzz_cat, NULL) != 0)
        abort();
    if (pw_registry_load_buffer(&r, "fuzz.yaml", (const char *)data, size, &d) != 0)
        return 0;
    pw_registry_check(r, fuzz_cat, &d);
    for (size_t i = 0; i < pw_registry_count(r); i++) {
        const struct pw_principal *p = pw_registry_at(r, i), *who;
        const char *why;
        if (pw_registry_find_key(r, p->key_bin) != p || pw_registry_find(r, p->id) != p)
            abort(); /* ids and keys are unique */
        pw_zap_decide(r, PW_ZAP_QUERY, "CURVE", p->key_bin, sizeof p->key_bin, &who, &why);
        pw_principal_scope(p, scope, sizeof scope);
        for (size_t k = 0; k < pw_catalog_count(fuzz_cat); k++)
            pw_principal_may_write(p, pw_catalog_at(fuzz_cat, k));
    }
    pw_registry_close(&r);
    return 0;
}
