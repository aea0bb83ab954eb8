/* template.c - feed templates as CSV or .xlsx (see template.h). The .xlsx
 * goes through xlsx_report's workbook helpers (a temporary file:
 * libxlsxwriter 1.1 writes files only). The 時点 column is formatted as text
 * so that a typed date stays YYYY-MM-DD instead of becoming a date serial. */
#include "template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xlsxwriter.h>

#include "err.h"
#include "followup.h"
#include "report.h"
#include "xlsx_report.h"

#if defined(__SANITIZE_ADDRESS__)
/* libxlsxwriter 1.1.4 (Debian 12) loses the copy of a list validation's
 * formula (worksheet_data_validation_range, LIST_FORMULA): a few bytes per
 * workbook, not ours to free. LeakSanitizer reads this hook of the
 * program that links this file; its fast unwinder sees only the library's
 * lxw_strdup (built without frame pointers), so that is what is named. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:worksheet_data_validation_range\nleak:lxw_strdup\n";
}
const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
    return "print_suppressions=0"; /* the known leak is not news on every run */
}
#endif

static const char *const tpl_headers[] = {"指標ID", "指標名", "単位",   "年度", "区分",
                                          "値",     "速報値", "時点",   "備考"};
#define TPL_NCOLS (sizeof tpl_headers / sizeof *tpl_headers)
#define TPL_COL_ID 0
#define TPL_COL_BASIS 4
#define TPL_COL_PRELIM 6
#define TPL_COL_ASOF 7

int pw_template_format_parse(const char *s, enum pw_template_format *out)
{
    if (strcmp(s, "csv") == 0)
        *out = PW_TEMPLATE_CSV;
    else if (strcmp(s, "xlsx") == 0)
        *out = PW_TEMPLATE_XLSX;
    else
        return PW_EINVAL;
    return 0;
}

int pw_template_select(const struct pw_catalog *cat, int fy,
                       int (*want)(void *ud, const struct pw_indicator *ind), void *ud,
                       const struct pw_indicator ***out, size_t *n)
{
    size_t total = pw_catalog_count(cat), k = 0;
    const struct pw_indicator **v = calloc(total + 1, sizeof *v);
    if (!v)
        return PW_ENOMEM;
    for (size_t i = 0; i < total; i++) {
        const struct pw_indicator *ind = pw_catalog_at(cat, i);
        int first, last;
        pw_indicator_fy_range(ind, &first, &last);
        if (fy >= first && fy <= last && want(ud, ind))
            v[k++] = ind;
    }
    *out = v;
    *n = k;
    return 0;
}

/* The texts of one row's pre-filled cells (fy_buf at least 32 bytes). */
static void tpl_cells(const struct pw_indicator *ind, int fy, char *fy_buf, const char *cell[TPL_NCOLS])
{
    for (size_t c = 0; c < TPL_NCOLS; c++)
        cell[c] = "";
    cell[0] = ind->id;
    cell[1] = ind->name;
    cell[2] = ind->unit;
    cell[3] = pw_followup_fy_name(fy, fy_buf, 32);
    cell[4] = ind->reporting == PW_BASIS_CUMULATIVE ? "累計" : "単年度";
}

static int tpl_csv(const struct pw_indicator *const *inds, size_t n, int fy, char **out,
                   size_t *len)
{
    char *buf = NULL, fyb[32];
    size_t blen = 0;
    FILE *f = open_memstream(&buf, &blen);
    if (!f)
        return PW_ENOMEM;
    fputs("\xEF\xBB\xBF", f); /* Excel reads UTF-8 only with a BOM */
    for (size_t c = 0; c < TPL_NCOLS; c++)
        fprintf(f, "%s%s", c ? "," : "", tpl_headers[c]);
    fputs("\r\n", f);
    for (size_t i = 0; i < n; i++) {
        const char *cell[TPL_NCOLS];
        tpl_cells(inds[i], fy, fyb, cell);
        for (size_t c = 0; c < TPL_NCOLS; c++) {
            if (c)
                fputc(',', f);
            pw_report_csv_field(f, cell[c]);
        }
        fputs("\r\n", f);
    }
    if (fclose(f) != 0 || !buf) {
        free(buf);
        return PW_ENOMEM;
    }
    *out = buf;
    *len = blen;
    return 0;
}

/* Fills the workbook of x (pw_xlsx_open) with the template. Returns 0 or
 * PW_ENOMEM. */
static int tpl_xlsx_fill(struct pw_xlsx *x, const struct pw_indicator *const *inds, size_t n,
                         int fy)
{
    /* libxlsxwriter takes char **; it only reads them */
    static char *bases[] = {"累計", "単年度", NULL};
    static char *prelim[] = {"速報値", "確定値", NULL};
    static const double widths[TPL_NCOLS] = {34, 40, 8, 12, 9, 12, 9, 12, 30};
    lxw_workbook *wb = pw_xlsx_book(x);
    char fyb[32], ref[64];
    lxw_worksheet *ws = pw_xlsx_sheet(x, "テンプレート", "template");
    lxw_worksheet *ls = pw_xlsx_sheet(x, "選択肢", "lists");
    lxw_format *bold = workbook_add_format(wb), *text = workbook_add_format(wb);
    if (!ws || !ls || !bold || !text)
        return PW_ENOMEM;
    format_set_bold(bold);
    format_set_num_format(text, "@");
    for (size_t c = 0; c < TPL_NCOLS; c++)
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, widths[c],
                             c == TPL_COL_ASOF ? text : NULL);
    pw_xlsx_row(ws, 0, tpl_headers, TPL_NCOLS, bold);
    worksheet_freeze_panes(ws, 1, 0);
    for (size_t i = 0; i < n; i++) {
        const char *cell[TPL_NCOLS];
        tpl_cells(inds[i], fy, fyb, cell);
        for (size_t c = 0; c < TPL_NCOLS; c++)
            if (cell[c][0])
                worksheet_write_string(ws, (lxw_row_t)(i + 1), (lxw_col_t)c, cell[c], NULL);
        worksheet_write_string(ls, (lxw_row_t)i, 0, inds[i]->id, NULL);
    }
    if (n > 0) {
        lxw_data_validation ids = {0}, basis = {0}, pre = {0};
        snprintf(ref, sizeof ref, "=%s!$A$1:$A$%zu", ls->name, n);
        ids.validate = LXW_VALIDATION_TYPE_LIST_FORMULA;
        ids.value_formula = ref;
        basis.validate = LXW_VALIDATION_TYPE_LIST;
        basis.value_list = bases;
        pre.validate = LXW_VALIDATION_TYPE_LIST;
        pre.value_list = prelim;
        lxw_row_t last = (lxw_row_t)n;
        worksheet_data_validation_range(ws, 1, TPL_COL_ID, last, TPL_COL_ID, &ids);
        worksheet_data_validation_range(ws, 1, TPL_COL_BASIS, last, TPL_COL_BASIS, &basis);
        worksheet_data_validation_range(ws, 1, TPL_COL_PRELIM, last, TPL_COL_PRELIM, &pre);
    }
    worksheet_hide(ls);
    return 0;
}

static int tpl_xlsx(const struct pw_indicator *const *inds, size_t n, int fy, char **out,
                    size_t *len)
{
    struct pw_xlsx *x = NULL;
    char *buf = NULL;
    size_t blen = 0;
    int rc = pw_xlsx_open(&x);
    if (rc)
        return rc;
    if ((rc = tpl_xlsx_fill(x, inds, n, fy))) {
        pw_xlsx_discard(&x);
        return rc;
    }
    FILE *f = open_memstream(&buf, &blen);
    if (!f) {
        pw_xlsx_discard(&x);
        return PW_ENOMEM;
    }
    rc = pw_xlsx_finish(&x, f);
    if (fclose(f) != 0 && !rc)
        rc = PW_ENOMEM;
    if (rc) {
        free(buf);
        return rc;
    }
    *out = buf;
    *len = blen;
    return 0;
}

int pw_template_render(const struct pw_indicator *const *inds, size_t n, int fy,
                       enum pw_template_format fmt, char **out, size_t *len)
{
    return fmt == PW_TEMPLATE_XLSX ? tpl_xlsx(inds, n, fy, out, len)
                                   : tpl_csv(inds, n, fy, out, len);
}
