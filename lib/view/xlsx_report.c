/* xlsx_report.c - workbooks with libxlsxwriter (see xlsx_report.h). The
 * temporary file is made with mkstemp so no other process can race for the
 * name; libxlsxwriter reopens it by name and also keeps its own scratch files
 * in the same directory. Numbers go in as numbers (so Excel sums them), the
 * printed forms (1,443件（速報値）) beside them where the seeds print them. */
#include "xlsx_report.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dec.h"
#include "err.h"
#include "followup.h"
#include "fy.h"

struct pw_xlsx {
    lxw_workbook *wb;
    char path[4096];
    char tmpdir[4096];
    int nsheets;
};

int pw_xlsx_open(struct pw_xlsx **out)
{
    const char *dir = getenv("TMPDIR");
    struct pw_xlsx *x = calloc(1, sizeof *x);
    if (!x)
        return PW_ENOMEM;
    if (!dir || !dir[0])
        dir = "/tmp";
    snprintf(x->tmpdir, sizeof x->tmpdir, "%s", dir);
    int fd = -1;
    if ((size_t)snprintf(x->path, sizeof x->path, "%s/planwatch-xlsx-XXXXXX", dir) <
            sizeof x->path)
        fd = mkstemp(x->path);
    if (fd < 0) {
        free(x);
        return PW_EIO;
    }
    close(fd);
    lxw_workbook_options o = {.constant_memory = 0, .tmpdir = x->tmpdir};
    if (!(x->wb = workbook_new_opt(x->path, &o))) {
        unlink(x->path);
        free(x);
        return PW_ENOMEM;
    }
    *out = x;
    return 0;
}

lxw_workbook *pw_xlsx_book(struct pw_xlsx *x)
{
    return x->wb;
}

/* name cut to Excel's 31 characters (UTF-8 aware) into buf */
static const char *xl_cut(const char *name, char *buf, size_t n)
{
    size_t k = 0, chars = 0;
    while (name[k] && chars < 31 && k + 4 < n) {
        size_t len = 1;
        while ((name[k + len] & 0xC0) == 0x80)
            len++;
        k += len;
        chars++;
    }
    snprintf(buf, n, "%.*s", (int)k, name);
    return buf;
}

lxw_worksheet *pw_xlsx_sheet(struct pw_xlsx *x, const char *name, const char *fallback)
{
    char buf[160];
    const char *cand[2] = {name, fallback};
    x->nsheets++;
    for (int i = 0; i < 2; i++) {
        if (!cand[i] || !cand[i][0])
            continue;
        xl_cut(cand[i], buf, sizeof buf);
        if (workbook_validate_sheet_name(x->wb, buf) == LXW_NO_ERROR)
            return workbook_add_worksheet(x->wb, buf);
    }
    snprintf(buf, sizeof buf, "Sheet%d", x->nsheets);
    return workbook_add_worksheet(x->wb, buf);
}

void pw_xlsx_dec(lxw_worksheet *ws, uint32_t row, uint16_t col, int64_t v, lxw_format *f)
{
    char d[PW_DEC_BUFSZ];
    worksheet_write_number(ws, row, col, strtod(pw_dec_format(v, d, sizeof d), NULL), f);
}

void pw_xlsx_row(lxw_worksheet *ws, uint32_t row, const char *const *cells, size_t n,
                 lxw_format *f)
{
    for (size_t c = 0; c < n; c++)
        if (cells[c])
            worksheet_write_string(ws, row, (lxw_col_t)c, cells[c], f);
}

void pw_xlsx_discard(struct pw_xlsx **xp)
{
    struct pw_xlsx *x = xp ? *xp : NULL;
    if (!x)
        return;
    if (x->wb)
        workbook_close(x->wb); /* writes the file we then remove */
    unlink(x->path);
    free(x);
    *xp = NULL;
}

int pw_xlsx_finish(struct pw_xlsx **xp, FILE *out)
{
    struct pw_xlsx *x = xp ? *xp : NULL;
    char buf[65536];
    size_t k;
    int rc = 0;
    if (!x)
        return 0;
    lxw_error e = workbook_close(x->wb);
    x->wb = NULL;
    FILE *in = e == LXW_NO_ERROR ? fopen(x->path, "rb") : NULL;
    if (!in)
        rc = e == LXW_ERROR_MEMORY_MALLOC_FAILED ? PW_ENOMEM : PW_EIO;
    while (in && (k = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, k, out) != k) {
            rc = PW_EIO;
            break;
        }
    if (in && ferror(in))
        rc = PW_EIO;
    if (in)
        fclose(in);
    pw_xlsx_discard(xp);
    return rc ? rc : ferror(out) ? PW_EIO : 0;
}

/* ---- the follow-up workbook ------------------------------------------------- */

struct xl_formats {
    lxw_format *title, *head, *text, *num, *a, *b, *none, *kind;
};

static lxw_format *xl_format(lxw_workbook *wb, int bold, lxw_color_t bg, int wrap)
{
    lxw_format *f = workbook_add_format(wb);
    if (!f)
        return NULL;
    format_set_border(f, LXW_BORDER_THIN);
    format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
    if (bold)
        format_set_bold(f);
    if (bg != LXW_COLOR_UNSET)
        format_set_bg_color(f, bg);
    if (wrap)
        format_set_text_wrap(f);
    return f;
}

static int xl_formats(lxw_workbook *wb, struct xl_formats *f)
{
    f->title = workbook_add_format(wb);
    if (f->title) {
        format_set_bold(f->title);
        format_set_font_size(f->title, 14);
    }
    f->head = xl_format(wb, 1, 0xD9E1F2, 1);
    f->text = xl_format(wb, 0, LXW_COLOR_UNSET, 1);
    f->num = xl_format(wb, 0, LXW_COLOR_UNSET, 0);
    f->a = xl_format(wb, 1, 0xC6EFCE, 0); /* Excel's "good" fill */
    f->b = xl_format(wb, 1, 0xFFC7CE, 0); /* Excel's "bad" fill */
    f->none = xl_format(wb, 0, LXW_COLOR_UNSET, 0);
    f->kind = workbook_add_format(wb);
    if (f->kind)
        format_set_bold(f->kind);
    return f->title && f->head && f->text && f->num && f->a && f->b && f->none && f->kind
               ? 0
               : PW_ENOMEM;
}

static int xl_in_section(const struct pw_followup_row *r, const struct pw_plan *plan,
                         const struct pw_project *pj)
{
    return r->ind->plan == plan && r->ind->project == pj;
}

/* One section's sheet: title, then per kind a heading and the table. */
static void xl_section(lxw_worksheet *ws, const struct xl_formats *f, const char *title,
                       const char *section, const char *fyname, const struct pw_plan *plan,
                       const struct pw_project *pj, const struct pw_followup_row *rows, size_t n)
{
    char head[64], tgt[96], val[96], grade[2], det[3200];
    uint32_t row = 0;
    int kind = -1;
    worksheet_set_column(ws, 0, 0, 40, NULL);
    worksheet_set_column(ws, 1, 1, 22, NULL);
    worksheet_set_column(ws, 2, 2, 18, NULL);
    worksheet_set_column(ws, 3, 3, 6, NULL);
    worksheet_set_column(ws, 4, 4, 80, NULL);
    worksheet_write_string(ws, row++, 0, title, f->title);
    worksheet_write_string(ws, row++, 0, section, f->kind);
    snprintf(head, sizeof head, "%s末の数値", fyname);
    for (size_t i = 0; i < n; i++) {
        const struct pw_followup_row *r = &rows[i];
        if (!xl_in_section(r, plan, pj))
            continue;
        if ((int)r->ind->kind != kind) {
            const char *cols[] = {"指標", "達成目標", head, "進捗", "進捗の詳細"};
            kind = (int)r->ind->kind;
            row++;
            worksheet_write_string(ws, row++, 0, pw_followup_kind_heading(r->ind->kind), f->kind);
            pw_xlsx_row(ws, row++, cols, 5, f->head);
        }
        pw_followup_grade(r, grade);
        worksheet_write_string(ws, row, 0, r->ind->name, f->text);
        worksheet_write_string(ws, row, 1, pw_followup_target(r->ind, &r->ev, tgt, sizeof tgt),
                               f->text);
        worksheet_write_string(ws, row, 2, pw_followup_value(r, val, sizeof val), f->num);
        worksheet_write_string(ws, row, 3, grade,
                               grade[0] == 'A' ? f->a : grade[0] == 'B' ? f->b : f->none);
        worksheet_write_string(ws, row, 4, pw_followup_details(r, det, sizeof det), f->text);
        row++;
    }
}

/* The data sheet's rows of one indicator: per fiscal year of its chart, the
 * value judged there and the plan's expectation; without a chart, the
 * checkpoint's. */
static uint32_t xl_data(lxw_worksheet *ws, const struct xl_formats *f, uint32_t row,
                        const struct pw_followup_row *r)
{
    const struct pw_chart *c = r->chart;
    if (!c) {
        if (!r->ev.cp.fy)
            return row;
        worksheet_write_string(ws, row, 0, r->ind->id, f->text);
        worksheet_write_string(ws, row, 1, r->ind->name, f->text);
        worksheet_write_number(ws, row, 2, r->ev.cp.fy, f->num);
        if (r->ev.has_actual)
            pw_xlsx_dec(ws, row, 3, r->ev.actual, f->num);
        if (r->ev.has_expected)
            pw_xlsx_dec(ws, row, 4, r->ev.expected, f->num);
        return row + 1;
    }
    int fy0 = pw_fy_of(c->x0 + 1), fy1 = pw_fy_of(c->x1);
    for (int y = fy0; y <= fy1; y++) {
        int32_t end = pw_fy_first_day(y + 1) - 1;
        const struct pw_chart_pt *a = NULL, *p = NULL;
        for (size_t k = 0; k < c->nactual; k++)
            if (c->actual[k].day == end)
                a = &c->actual[k];
        for (size_t k = 0; k < c->nplan; k++)
            if (c->plan[k].day == end)
                p = &c->plan[k];
        if (!a && !p)
            continue;
        worksheet_write_string(ws, row, 0, r->ind->id, f->text);
        worksheet_write_string(ws, row, 1, r->ind->name, f->text);
        worksheet_write_number(ws, row, 2, y, f->num);
        if (a)
            pw_xlsx_dec(ws, row, 3, a->v, f->num);
        if (p)
            pw_xlsx_dec(ws, row, 4, p->v, f->num);
        row++;
    }
    return row;
}

int pw_xlsx_report_write(FILE *out, const struct pw_plan *plan, int fy, const char *title,
                         const struct pw_followup_row *rows, size_t n)
{
    struct pw_xlsx *x = NULL;
    struct xl_formats f;
    char fyname[32];
    int rc = pw_xlsx_open(&x);
    if (rc)
        return rc;
    lxw_workbook *wb = pw_xlsx_book(x);
    if ((rc = xl_formats(wb, &f)))
        goto fail;
    pw_followup_fy_name(fy, fyname, sizeof fyname);
    lxw_worksheet *sum = pw_xlsx_sheet(x, "集計", "summary");
    if (!sum) {
        rc = PW_ENOMEM;
        goto fail;
    }
    static const char *const sum_cols[] = {"プロジェクト", "指標数", "A", "B", "進捗なし"};
    worksheet_set_column(sum, 0, 0, 40, NULL);
    worksheet_set_column(sum, 1, 4, 10, NULL);
    worksheet_write_string(sum, 0, 0, title, f.title);
    pw_xlsx_row(sum, 2, sum_cols, 5, f.head);
    uint32_t srow = 3;
    int tot[4] = {0};
    for (size_t p = 0; p <= plan->nprojects; p++) {
        const struct pw_project *pj = p == 0 ? NULL : &plan->projects[p - 1];
        const char *name = pj ? pj->name : "計画全体";
        int cnt[4] = {0}; /* indicators, A, B, neither */
        char grade[2];
        for (size_t i = 0; i < n; i++) {
            if (!xl_in_section(&rows[i], plan, pj))
                continue;
            pw_followup_grade(&rows[i], grade);
            cnt[0]++;
            cnt[grade[0] == 'A' ? 1 : grade[0] == 'B' ? 2 : 3]++;
        }
        if (!cnt[0])
            continue;
        lxw_worksheet *ws = pw_xlsx_sheet(x, name, pj ? pj->id : "all");
        if (!ws) {
            rc = PW_ENOMEM;
            goto fail;
        }
        xl_section(ws, &f, title, name, fyname, plan, pj, rows, n);
        worksheet_write_string(sum, srow, 0, name, f.text);
        for (int k = 0; k < 4; k++) {
            worksheet_write_number(sum, srow, (lxw_col_t)(k + 1), cnt[k],
                                   k == 1 ? f.a : k == 2 ? f.b : f.num);
            tot[k] += cnt[k];
        }
        srow++;
    }
    worksheet_write_string(sum, srow, 0, "合計", f.head);
    for (int k = 0; k < 4; k++)
        worksheet_write_number(sum, srow, (lxw_col_t)(k + 1), tot[k], f.head);

    lxw_worksheet *data = pw_xlsx_sheet(x, "データ", "data");
    if (!data) {
        rc = PW_ENOMEM;
        goto fail;
    }
    static const char *const data_cols[] = {"指標ID", "指標", "年度", "実績", "期待値"};
    worksheet_set_column(data, 0, 0, 28, NULL);
    worksheet_set_column(data, 1, 1, 40, NULL);
    worksheet_set_column(data, 2, 4, 12, NULL);
    pw_xlsx_row(data, 0, data_cols, 5, f.head);
    uint32_t drow = 1;
    for (size_t i = 0; i < n; i++)
        if (rows[i].ind->plan == plan)
            drow = xl_data(data, &f, drow, &rows[i]);
    return pw_xlsx_finish(&x, out);
fail:
    pw_xlsx_discard(&x);
    return rc;
}
