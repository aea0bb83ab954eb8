/* unit_support.c - shared unit test helpers (see unit_support.h). */
#include "unit_support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "diag.h"
#include "feed.h"
#include "fy.h"
#include "history.h"

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

/* Loads a sample feed into a fresh history; every row must be accepted. */
struct pw_history *ut_feed_history(const struct pw_catalog *cat, const char *path)
{
    struct pw_history *h = NULL;
    struct pw_feed *f = NULL;
    struct pw_diag d = {0};
    assert_int_equal(pw_history_open(&h, cat), 0);
    assert_int_equal(pw_feed_parse_file(&f, cat, path, pw_day_from_ymd(2026, 11, 21), &d), 0);
    for (size_t i = 0; i < pw_feed_nerrors(f); i++)
        fprintf(stderr, "row %d %s: %s\n", pw_feed_error(f, i)->line, pw_feed_error(f, i)->field,
                pw_feed_error(f, i)->msg);
    assert_int_equal(pw_feed_nerrors(f), 0);
    assert_true(pw_feed_nrows(f) > 0);
    for (size_t i = 0; i < pw_feed_nrows(f); i++) {
        const struct pw_feed_row *r = pw_feed_row(f, i);
        const struct pw_indicator *ind = pw_catalog_find(cat, r->indicator_id);
        struct pw_obs o = {r->fy, r->value, r->basis < 0 ? ind->reporting : (enum pw_basis)r->basis,
                           r->preliminary, r->as_of, 0, r->retract};
        assert_int_equal(pw_history_add(h, ind, &o), 0);
    }
    pw_feed_close(&f);
    return h;
}

char *ut_capture_stderr(void (*fn)(void))
{
    char path[] = "/tmp/pw-unit-stderr-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    assert_true(saved >= 0);
    assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
    fn();
    fflush(stderr);
    assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
    close(saved);
    char *buf = calloc(1, 65536);
    assert_non_null(buf);
    ssize_t n = pread(fd, buf, 65535, 0);
    close(fd);
    assert_true(n >= 0);
    return buf;
}
