/* unit_support.c - shared unit test helpers (see unit_support.h). */
#include "unit_support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "diag.h"
#include "fy.h"

int ut_catalog_load(struct pw_catalog **out, const char *name, const char *yaml)
{
    const char *names[] = {name}, *bufs[] = {yaml};
    size_t lens[] = {strlen(yaml)};
    struct pw_diag d = {0};
    int rc = pw_catalog_load_buffers(out, names, bufs, lens, 1, &d);
    if (rc)
        fprintf(stderr, "%s:%d %s: %s\n", d.file, d.line, d.field, d.msg);
    return rc;
}

int32_t ut_day(const char *iso)
{
    int32_t d = 0;
    assert_int_equal(pw_day_parse(iso, &d), 0);
    return d;
}
