/* test_assess.c - assessments files (lib/plan/assess.c): the rows, quoting,
 * the last record of an (indicator, fiscal year), and every error code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "assess.h"
#include "err.h"

#define HEADER "indicator_id,fiscal_year,grade,reason,by,source\n"

/* Reads text; returns the code, *d filled on error. */
static int read_text(const char *text, struct pw_assess_rec **v, size_t *n, struct pw_diag *d)
{
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    assert_non_null(f);
    int rc = pw_assess_read(f, "t.csv", NULL, v, n, d);
    fclose(f);
    return rc;
}

static void test_rows(void **state)
{
    (void)state;
    struct pw_assess_rec *v = NULL;
    size_t n = 0;
    struct pw_diag d = {0};
    assert_int_equal(read_text("\xEF\xBB\xBF" HEADER "# a comment\n"
                               "x1,2025,A,\"総合的に勘案, \"\"過程\"\"\",事務局,002:62\r\n"
                               "\n"
                               "x1,R7,B,later,,\n",
                               &v, &n, &d),
                     0);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].indicator_id, "x1");
    assert_int_equal(v[0].as.fy, 2025);
    assert_int_equal(v[0].as.grade, 'A');
    assert_string_equal(v[0].as.reason, "総合的に勘案, \"過程\"");
    assert_string_equal(v[0].as.by, "事務局");
    assert_string_equal(v[0].source, "002:62");
    assert_int_equal(v[1].as.fy, 2025); /* 令和7 */
    assert_ptr_equal(pw_assess_find(v, n, "x1", 2025), &v[1]);
    assert_null(pw_assess_find(v, n, "x1", 2024));
    assert_null(pw_assess_find(v, n, "x2", 2025));
    free(v);
}

static void test_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int code, line;
        const char *field;
    } bad[] = {
        {"", PW_ESYNTAX, 1, ""},
        {"id,fy\n", PW_ESYNTAX, 1, ""},
        {"indicator_id,fiscal_year,grade,reason,by,src\n", PW_ESYNTAX, 1, "source"},
        {HEADER "x1,2025,A,\"open,by,src\n", PW_ESYNTAX, 2, ""},
        {HEADER "x1,2025,A,r\"q,by,src\n", PW_ESYNTAX, 2, ""},
        {HEADER "x1,2025,A,r,by\n", PW_ESYNTAX, 2, ""},
        {HEADER "x1,soon,A,r,by,src\n", PW_EINVAL, 2, "fiscal_year"},
        {HEADER "x1,2025,C,r,by,src\n", PW_EINVAL, 2, "grade"},
        {HEADER "x1,2025,A,,by,src\n", PW_EINVAL, 2, "reason"},
        {HEADER "x1,2025,A,r,\xff,src\n", PW_EINVAL, 2, "by"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct pw_assess_rec *v = (struct pw_assess_rec *)&v;
        size_t n = 99;
        struct pw_diag d = {0};
        int rc = read_text(bad[i].text, &v, &n, &d);
        if (rc != bad[i].code || d.line != bad[i].line || strcmp(d.field, bad[i].field))
            fail_msg("case %zu: %s line %d field %s (%s)", i, pw_errname(rc), d.line, d.field,
                     d.msg);
        assert_ptr_equal(v, (struct pw_assess_rec *)&v); /* untouched */
        assert_int_equal(n, 99);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
