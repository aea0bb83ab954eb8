/* report.c - table / CSV / JSON rendering (see report.h). JSON goes through
 * jansson so escaping is never hand-rolled; the table pads by display width
 * because indicator names are Japanese (two columns per character). Text
 * from outside (catalog names and units, explanations with assessments'
 * reasons, offices, update ids, notes) reaches a table or CSV through
 * pw_text_escape: a control character kept in the store never reaches a
 * terminal or a spreadsheet raw; Japanese is kept as it is. */
#include "report.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dec.h"
#include "err.h"
#include "fy.h"
#include "explain_ja.h"
#include "msg.h"
#include "text.h"

int pw_format_parse(const char *s, enum pw_format *out)
{
    static const char *names[] = {"table", "csv", "json"};
    for (int i = 0; i < 3; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (enum pw_format)i;
            return 0;
        }
    return PW_EINVAL;
}

/* Decodes one UTF-8 code point at s; returns its byte length (>= 1). */
static size_t rep_cp(const unsigned char *s, unsigned *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if ((s[0] & 0xE0) == 0xC0 && s[1]) {
        *cp = ((s[0] & 0x1Fu) << 6) | (s[1] & 0x3Fu);
        return 2;
    }
    if ((s[0] & 0xF0) == 0xE0 && s[1] && s[2]) {
        *cp = ((s[0] & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
        return 3;
    }
    if ((s[0] & 0xF8) == 0xF0 && s[1] && s[2] && s[3]) {
        *cp = ((s[0] & 0x07u) << 18) | ((s[1] & 0x3Fu) << 12) | ((s[2] & 0x3Fu) << 6) |
              (s[3] & 0x3Fu);
        return 4;
    }
    *cp = '?';
    return 1;
}

static int rep_wide(unsigned cp)
{
    return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
           (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
           (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
}

size_t pw_report_width(const char *s)
{
    size_t w = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned cp;
        p += rep_cp(p, &cp);
        w += rep_wide(cp) ? 2 : 1;
    }
    return w;
}

/* Prints s cut with "…" to at most width columns, then padded to exactly
 * width when pad is set (the last column is not padded). */
static void rep_cut(FILE *out, const char *s, size_t width, int pad)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t w = 0;
    if (pw_report_width(s) <= width) {
        fputs(s, out);
        w = pw_report_width(s);
    } else if (width > 0) {
        while (*p) {
            unsigned cp;
            size_t n = rep_cp(p, &cp);
            size_t cw = rep_wide(cp) ? 2 : 1;
            if (w + cw > width - 1)
                break;
            fwrite(p, 1, n, out);
            w += cw;
            p += n;
        }
        fputs("…", out);
        w++;
    }
    for (; pad && w < width; w++)
        fputc(' ', out);
}

/* Prints s padded (or cut with "…") to exactly width columns. */
static void rep_cell(FILE *out, const char *s, size_t width)
{
    rep_cut(out, s, width, 1);
}

/* Prints s right-aligned in width columns (never cut: numbers). */
static void rep_right(FILE *out, const char *s, size_t width)
{
    for (size_t w = pw_report_width(s); w < width; w++)
        fputc(' ', out);
    fputs(s, out);
}

void pw_report_csv_field(FILE *out, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

/* Outside text for a table cell, escaped into buf (cap bytes; cut with "…"
 * when longer: a cell is cut anyway). */
static const char *rep_text(const char *s, char *buf, size_t cap)
{
    return pw_text_escape(s, strlen(s), buf, cap);
}

/* Bytes that hold a table's explanation escaped (at most 4 bytes a byte of
 * PW_EXPLAIN_MAX and an assessment), and an indicator's name (a line of a
 * plan, far shorter; a longer one is cut with "…"). */
#define REP_TEXT_MAX (4 * (PW_EXPLAIN_MAX + PW_ASSESS_REASON_MAX + PW_ASSESS_BY_MAX + 64))
#define REP_NAME_MAX 1024

/* A CSV field of outside text, escaped whole (at most 4 bytes a byte; cut
 * with "…" only when memory ran out). */
static void rep_csv_text(FILE *out, const char *s)
{
    char small[256], *big = NULL;
    size_t n = strlen(s), cap = 4 * n + 1;
    if (cap > sizeof small)
        big = malloc(cap);
    pw_report_csv_field(out, big ? pw_text_escape(s, n, big, cap)
                                 : pw_text_escape(s, n, small, sizeof small));
    free(big);
}

static char *rep_dec(int has, int64_t v, char *buf)
{
    if (!has) {
        buf[0] = '\0';
        return buf;
    }
    return pw_dec_format_q(v, 1, 2, buf, PW_DEC_BUFSZ);
}

static char *rep_ratio(const struct pw_eval *e, char *buf)
{
    if (!e->has_ratio)
        buf[0] = '\0';
    else
        snprintf(buf, 32, "%.2f", e->ratio);
    return buf;
}

static int rep_has_target(const struct pw_indicator *ind)
{
    return ind->target.type != PW_TARGET_NONE;
}

static json_t *rep_json_dec(int has, int64_t v)
{
    if (!has)
        return json_null();
    if (v % PW_DEC_SCALE == 0)
        return json_integer(v / PW_DEC_SCALE);
    return json_real(pw_dec_to_double(v));
}

/* The explanation in o's language (the row's explanation column). When an
 * assessment applies the table shows the assessed grade first, then what
 * the rule computed and why the secretariat decided otherwise (or alike),
 * so both grades stand side by side. */
static const char *rep_explain(const struct pw_status_row *r, enum pw_lang lang, int table,
                               char *buf, size_t n)
{
    char ja[PW_EXPLAIN_MAX];
    const char *ex = pw_explain(r->ind, &r->ev, lang, ja, sizeof ja);
    if (!table || !pw_assessment_applies(&r->as, &r->ev)) {
        snprintf(buf, n, "%s", ex);
        return buf;
    }
    if (lang == PW_LANG_EN)
        snprintf(buf, n, "%c (assessed; computed %c: %s — %s%s%s)", r->as.grade, r->ev.grade, ex,
                 r->as.reason, r->as.by[0] ? ", " : "", r->as.by);
    else
        snprintf(buf, n, "事務局評価 %c（計算上 %c）: %s — %s%s%s", r->as.grade, r->ev.grade, ex,
                 r->as.reason, r->as.by[0] ? "、" : "", r->as.by);
    return buf;
}

static int rep_status_json(FILE *out, const struct pw_status_row *rows, size_t n,
                           enum pw_lang lang)
{
    char ex[PW_EXPLAIN_MAX];
    json_t *arr = json_array();
    if (!arr)
        return PW_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const struct pw_indicator *ind = rows[i].ind;
        const struct pw_eval *e = &rows[i].ev;
        char day[11], grade[2] = {e->grade, 0};
        json_t *o = json_pack(
            "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:s, s:s, s:s}",
            "id", ind->id, "plan", ind->plan->id, "project", pw_indicator_project_id(ind), "name",
            ind->name, "name_en", ind->name_en, "kind", pw_kind_name(ind->kind), "unit",
            ind->unit, "target_type", pw_target_type_name(ind->target.type), "as_of",
            pw_day_format(e->as_of, day), "target", rep_json_dec(rep_has_target(ind), e->target),
            "expected", rep_json_dec(e->has_expected, e->expected), "actual",
            rep_json_dec(e->has_actual, e->actual), "ratio",
            e->has_ratio ? json_real(e->ratio) : json_null(), "status", pw_status_name(e->status),
            "grade", grade, "explanation", rep_explain(&rows[i], lang, 0, ex, sizeof ex));
        if (!o) {
            json_decref(arr);
            return PW_ENOMEM;
        }
        json_object_set_new(o, "data_fy", e->data_fy ? json_integer(e->data_fy) : json_null());
        json_object_set_new(o, "preliminary", json_boolean(e->preliminary));
        json_object_set_new(o, "checkpoint_fy", e->cp.fy ? json_integer(e->cp.fy) : json_null());
        json_object_set_new(o, "final", json_boolean(e->cp.final));
        json_object_set_new(o, "overdue", json_boolean(e->cp.overdue));
        json_object_set_new(o, "due", e->cp.fy ? json_string(pw_day_format(e->cp.due, day))
                                               : json_null());
        json_object_set_new(o, "next_fy", e->cp.next_fy ? json_integer(e->cp.next_fy) : json_null());
        json_object_set_new(o, "next_due", e->cp.next_fy
                                               ? json_string(pw_day_format(e->cp.next_due, day))
                                               : json_null());
        json_object_set_new(o, "run_rate", rep_json_dec(e->has_run_rate, e->run_rate));
        json_object_set_new(o, "projected", rep_json_dec(e->has_projected, e->projected));
        if (ind->parent)
            json_object_set_new(o, "parent", json_string(ind->parent->id));
        if (e->years_wanted) {
            json_object_set_new(o, "years_used", json_integer(e->years_used));
            json_object_set_new(o, "years_wanted", json_integer(e->years_wanted));
        }
        int as = pw_assessment_applies(&rows[i].as, e);
        char ag[2] = {rows[i].as.grade, 0};
        json_object_set_new(o, "assessed_grade", as ? json_string(ag) : json_null());
        json_object_set_new(o, "assessment_reason",
                            as ? json_string(rows[i].as.reason) : json_null());
        json_object_set_new(o, "assessed_by", as ? json_string(rows[i].as.by) : json_null());
        json_object_set_new(o, "assessed_fy", as ? json_integer(rows[i].as.fy) : json_null());
        json_array_append_new(arr, o);
    }
    int rc = json_dumpf(arr, out, JSON_INDENT(2)) ? PW_EIO : 0;
    fputc('\n', out);
    json_decref(arr);
    return rc;
}

/* The status table's layout: each column's width in display columns
 * (0: the column is left out) and the headings in the table's language. */
struct rep_layout {
    size_t id, grade, status, actual, expected, target, name, expl; /* expl 0: not cut */
    int stack; /* too narrow for the explanation beside the name: it goes on the
                  lines below the row, indented and wrapped to expl columns */
};

static const char *const rep_heads[2][8] = {
    {"ID", "進捗", "状況", "実績", "目安", "目標", "指標", "説明"},
    {"ID", "G", "STATUS", "ACTUAL", "EXPECTED", "TARGET", "NAME", "EXPLANATION"},
};

static void rep_max(size_t *w, const char *s)
{
    size_t k = pw_report_width(s);
    if (k > *w)
        *w = k;
}

/* Sizes the columns to the content, then to o->width: the fixed columns
 * first, the numbers given up from the right (target, expected, actual)
 * and the id cut when the terminal is too narrow for them, the name taking
 * at most two fifths of what is left and the explanation the rest; when
 * that leaves the explanation under 40 columns it goes below the row,
 * wrapped (nothing of it is lost). */
static void rep_fit(struct rep_layout *l, const struct pw_status_row *rows, size_t n,
                    const struct pw_report_opts *o)
{
    const char *const *h = rep_heads[o->lang == PW_LANG_EN];
    char t[PW_DEC_BUFSZ], nbuf[REP_NAME_MAX];
    memset(l, 0, sizeof *l);
    rep_max(&l->id, h[0]);
    rep_max(&l->grade, h[1]);
    rep_max(&l->status, h[2]);
    rep_max(&l->actual, h[3]);
    rep_max(&l->expected, h[4]);
    rep_max(&l->target, h[5]);
    rep_max(&l->name, h[6]);
    for (size_t i = 0; i < n; i++) {
        const struct pw_eval *e = &rows[i].ev;
        rep_max(&l->id, rows[i].ind->id);
        rep_max(&l->status, pw_explain_status(e->status, o->lang));
        rep_max(&l->actual, rep_dec(e->has_actual, e->actual, t));
        rep_max(&l->expected, rep_dec(e->has_expected, e->expected, t));
        rep_max(&l->target, rep_dec(rep_has_target(rows[i].ind), e->target, t));
        rep_max(&l->name, rep_text(rows[i].ind->name, nbuf, sizeof nbuf));
    }
    if (o->wide)
        return;
    if (!o->width) { /* the layout of every release: names cut at 40 columns */
        l->status = l->status > 9 ? l->status : 9;
        l->actual = l->actual > 8 ? l->actual : 8;
        l->expected = l->expected > 10 ? l->expected : 10;
        l->target = l->target > 10 ? l->target : 10;
        l->name = 40;
        return;
    }
    size_t *drop[] = {&l->target, &l->expected, &l->actual};
    size_t rest = 0;
    for (int k = 0; k <= 3; k++) {
        size_t fixed = l->id + 2 + l->grade + 2 + l->status + (l->actual ? 1 + l->actual : 0) +
                       (l->expected ? 1 + l->expected : 0) + (l->target ? 1 + l->target : 0) + 2;
        rest = o->width > fixed ? o->width - fixed : 0;
        if (rest >= 20) /* a name of 18 columns (the explanation may go below) */
            break;
        if (k < 3) {
            *drop[k] = 0;
            continue;
        }
        size_t cut = 20 - rest; /* still too narrow: cut the id, keeping 8 columns */
        size_t room = l->id > 8 ? l->id - 8 : 0;
        cut = room < cut ? room : cut;
        l->id -= cut;
        rest += cut;
    }
    if (rest < 16)
        rest = 16;
    size_t name = rest * 2 / 5;
    if (name > l->name)
        name = l->name;
    if (name < 8)
        name = 8;
    l->name = name;
    l->expl = rest > name + 2 ? rest - name - 2 : 1;
    if (l->expl < 40) { /* a readable explanation needs room: below the row */
        l->stack = 1;
        l->name = rest < l->name ? rest : l->name;
        l->expl = o->width > 4 + 16 ? o->width - 4 : 16;
    }
}

/* Writes s in lines of at most width columns, each after indent spaces. */
static void rep_wrap(FILE *out, const char *s, size_t indent, size_t width)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t w = 0;
        fprintf(out, "%*s", (int)indent, "");
        while (*p) {
            unsigned cp;
            size_t n = rep_cp(p, &cp), cw = rep_wide(cp) ? 2 : 1;
            if (w + cw > width && w > 0) /* a line holds one character at least */
                break;
            fwrite(p, 1, n, out);
            w += cw;
            p += n;
        }
        fputc('\n', out);
    }
}

/* One line of the table: the cells c[0..8) in layout l. */
static void rep_line(FILE *out, const struct rep_layout *l, const char *const *c)
{
    rep_cell(out, c[0], l->id);
    fputs("  ", out);
    rep_cell(out, c[1], l->grade);
    fputs("  ", out);
    rep_cell(out, c[2], l->status);
    const size_t num[3] = {l->actual, l->expected, l->target};
    for (int k = 0; k < 3; k++)
        if (num[k]) {
            fputc(' ', out);
            rep_right(out, c[3 + k], num[k]);
        }
    fputs("  ", out);
    if (l->stack) {
        rep_cut(out, c[6], l->name, 0);
        fputc('\n', out);
        if (c[7] != rep_heads[0][7] && c[7] != rep_heads[1][7])
            rep_wrap(out, c[7], 4, l->expl);
        return;
    }
    rep_cell(out, c[6], l->name);
    fputs("  ", out);
    if (l->expl)
        rep_cut(out, c[7], l->expl, 0);
    else
        fputs(c[7], out);
    fputc('\n', out);
}

static void rep_status_table(FILE *out, const struct pw_status_row *rows, size_t n,
                             const struct pw_report_opts *o)
{
    char t[PW_DEC_BUFSZ], x[PW_DEC_BUFSZ], a[PW_DEC_BUFSZ], g[2] = {0, 0};
    char ex[PW_EXPLAIN_MAX + PW_ASSESS_REASON_MAX + PW_ASSESS_BY_MAX + 64];
    char nbuf[REP_NAME_MAX], exs[REP_TEXT_MAX];
    int en = o->lang == PW_LANG_EN;
    struct rep_layout l;
    rep_fit(&l, rows, n, o);
    /* running targets first, then the final results of closed windows,
     * each with its one-line tally (the first thing a reader looks for) */
    for (int fin = 0; fin < 2; fin++) {
        size_t count[PW_STATUS_COUNT] = {0}, k = 0;
        for (size_t i = 0; i < n; i++)
            if ((rows[i].ev.cp.final != 0) == fin) {
                count[rows[i].ev.status]++;
                k++;
            }
        if (!k)
            continue;
        if (fin)
            fputs(en ? "\nfinal results (target window over):\n" : "\n最終結果（目標期間終了）:\n",
                  out);
        rep_line(out, &l, rep_heads[en]);
        for (size_t i = 0; i < n; i++) {
            const struct pw_indicator *ind = rows[i].ind;
            const struct pw_eval *e = &rows[i].ev;
            if ((e->cp.final != 0) != fin)
                continue;
            g[0] = pw_eval_grade_shown(e, &rows[i].as);
            const char *c[8] = {ind->id,
                                g,
                                pw_explain_status(e->status, o->lang),
                                rep_dec(e->has_actual, e->actual, a),
                                rep_dec(e->has_expected, e->expected, x),
                                rep_dec(rep_has_target(ind), e->target, t),
                                rep_text(ind->name, nbuf, sizeof nbuf),
                                rep_text(rep_explain(&rows[i], o->lang, 1, ex, sizeof ex), exs,
                                         sizeof exs)};
            rep_line(out, &l, c);
        }
        if (en)
            fprintf(out, "\n%zu %s:", k, fin ? "final results" : "indicators");
        else
            fprintf(out, "\n%s %zu件:", fin ? "最終結果" : "指標", k);
        for (int s = 0; s < PW_STATUS_COUNT; s++)
            if (count[s])
                fprintf(out, " %s %zu", pw_explain_status((enum pw_status)s, o->lang), count[s]);
        fputc('\n', out);
    }
}

int pw_report_status(FILE *out, const struct pw_status_row *rows, size_t n, enum pw_format fmt)
{
    const struct pw_report_opts o = {PW_LANG_EN, 0, 0};
    return pw_report_status_opts(out, rows, n, fmt, &o);
}

int pw_report_status_opts(FILE *out, const struct pw_status_row *rows, size_t n,
                          enum pw_format fmt, const struct pw_report_opts *o)
{
    char day[11], t[PW_DEC_BUFSZ], x[PW_DEC_BUFSZ], a[PW_DEC_BUFSZ], r[32], ex[PW_EXPLAIN_MAX];
    if (fmt == PW_FMT_JSON)
        return rep_status_json(out, rows, n, o->lang);
    if (fmt == PW_FMT_CSV) {
        fputs("id,project,name,as_of,target,expected,actual,ratio,status,grade,explanation,"
              "checkpoint_fy,final,overdue,assessed_grade,assessment_reason,assessed_by\n",
              out);
        for (size_t i = 0; i < n; i++) {
            const struct pw_indicator *ind = rows[i].ind;
            const struct pw_eval *e = &rows[i].ev;
            fprintf(out, "%s,%s,", ind->id, pw_indicator_project_id(ind));
            rep_csv_text(out, ind->name);
            fprintf(out, ",%s,%s,%s,%s,%s,%s,%c,", pw_day_format(e->as_of, day),
                    rep_dec(rep_has_target(ind), e->target, t),
                    rep_dec(e->has_expected, e->expected, x), rep_dec(e->has_actual, e->actual, a),
                    rep_ratio(e, r), pw_status_name(e->status), e->grade);
            rep_csv_text(out, rep_explain(&rows[i], o->lang, 0, ex, sizeof ex));
            if (e->cp.fy)
                fprintf(out, ",%d,", e->cp.fy);
            else
                fputs(",,", out);
            fprintf(out, "%s,%s,", e->cp.final ? "true" : "false",
                    e->cp.overdue ? "true" : "false");
            if (pw_assessment_applies(&rows[i].as, e)) {
                fprintf(out, "%c,", rows[i].as.grade);
                rep_csv_text(out, rows[i].as.reason);
                fputc(',', out);
                rep_csv_text(out, rows[i].as.by);
            } else {
                fputs(",,", out);
            }
            fputc('\n', out);
        }
    } else {
        rep_status_table(out, rows, n, o);
    }
    return ferror(out) ? PW_EIO : 0;
}

/* The number a catalog row's target names (has: there is one). */
static int64_t rep_catalog_target(const struct pw_target *tg, int *has)
{
    int64_t v = tg->value;
    *has = tg->type != PW_TARGET_NONE;
    if (tg->type == PW_TARGET_PREV_AVERAGE) {
        *has = tg->has_baseline;
        v = tg->baseline;
    } else if (tg->type == PW_TARGET_TRAJECTORY) {
        pw_target_final(tg, &v);
    }
    return v;
}

/* A catalog row's table cells into cell[0..8) (t and win: buffers the
 * cells may point into). */
static void rep_catalog_cells(const struct pw_indicator *ind, const char **cell, char *t,
                              char *win, size_t nwin)
{
    int has;
    int64_t v = rep_catalog_target(&ind->target, &has);
    snprintf(win, nwin, "FY%d–%d", ind->target.first_fy, ind->target.last_fy);
    const char *row[8] = {ind->id, ind->plan->id, pw_indicator_project_id(ind),
                          pw_kind_name(ind->kind), pw_target_type_name(ind->target.type),
                          rep_dec(has, v, t), win, ind->name};
    memcpy(cell, row, sizeof row);
}

static const char *const rep_cat_heads[8] = {"ID",   "PLAN",   "PROJECT", "KIND",
                                             "TYPE", "TARGET", "WINDOW",  "NAME"};

/* The catalog table: a header row, columns as wide as their widest cell,
 * the name (last) cut to what the width leaves (50 columns when no width
 * is given, whole when wide). */
static void rep_catalog_table(FILE *out, const struct pw_catalog *c,
                              const struct pw_report_opts *o)
{
    size_t n = pw_catalog_count(c), w[8] = {0};
    char t[PW_DEC_BUFSZ], win[32], nbuf[REP_NAME_MAX];
    for (int k = 0; k < 8; k++)
        rep_max(&w[k], rep_cat_heads[k]);
    for (size_t i = 0; i < n; i++) {
        const char *cell[8];
        rep_catalog_cells(pw_catalog_at(c, i), cell, t, win, sizeof win);
        cell[7] = rep_text(cell[7], nbuf, sizeof nbuf);
        for (int k = 0; k < 8; k++)
            rep_max(&w[k], cell[k]);
    }
    /* too narrow: leave columns out (window, type, kind, target, plan,
     * project), then cut the id, so the name keeps at least 12 columns */
    static const int drop[] = {6, 4, 3, 5, 1, 2};
    size_t fixed = 0;
    for (int k = 0; k < 7; k++)
        fixed += w[k] + 2;
    for (int d = 0; o->width && !o->wide && d < 6 && fixed + 12 > o->width; d++) {
        fixed -= w[drop[d]] + 2;
        w[drop[d]] = 0;
    }
    if (o->width && !o->wide && fixed + 12 > o->width && w[0] > 8) {
        size_t cut = fixed + 12 - o->width;
        cut = cut < w[0] - 8 ? cut : w[0] - 8;
        w[0] -= cut;
        fixed -= cut;
    }
    size_t name = o->wide ? 0 : !o->width ? 50 : o->width > fixed + 12 ? o->width - fixed : 12;
    for (size_t i = 0; i <= n; i++) {
        const struct pw_indicator *ind = i ? pw_catalog_at(c, i - 1) : NULL;
        const char *cell[8];
        if (!ind)
            memcpy(cell, rep_cat_heads, sizeof cell);
        else {
            rep_catalog_cells(ind, cell, t, win, sizeof win);
            cell[7] = rep_text(cell[7], nbuf, sizeof nbuf);
        }
        for (int k = 0; k < 7; k++) {
            if (!w[k])
                continue;
            if (k == 5)
                rep_right(out, cell[k], w[k]);
            else
                rep_cell(out, cell[k], w[k]);
            fputs("  ", out);
        }
        if (name)
            rep_cut(out, cell[7], name, 0);
        else
            fputs(cell[7], out);
        fputc('\n', out);
    }
}

int pw_report_catalog(FILE *out, const struct pw_catalog *c, enum pw_format fmt)
{
    const struct pw_report_opts o = {PW_LANG_EN, 0, 0};
    return pw_report_catalog_opts(out, c, fmt, &o);
}

int pw_report_catalog_opts(FILE *out, const struct pw_catalog *c, enum pw_format fmt,
                           const struct pw_report_opts *opt)
{
    size_t n = pw_catalog_count(c);
    char t[PW_DEC_BUFSZ];
    if (fmt == PW_FMT_TABLE) {
        rep_catalog_table(out, c, opt);
        return ferror(out) ? PW_EIO : 0;
    }
    json_t *arr = fmt == PW_FMT_JSON ? json_array() : NULL;
    if (fmt == PW_FMT_JSON && !arr)
        return PW_ENOMEM;
    if (fmt == PW_FMT_CSV)
        fputs("id,plan,project,name,kind,unit,target_type,target,window_start_fy,window_end_fy\n",
              out);
    for (size_t i = 0; i < n; i++) {
        const struct pw_indicator *ind = pw_catalog_at(c, i);
        const struct pw_target *tg = &ind->target;
        int has;
        int64_t v = rep_catalog_target(tg, &has);
        if (fmt == PW_FMT_JSON) {
            json_t *o = json_pack(
                "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:i, s:i, s:s, s:s}", "id",
                ind->id, "plan", ind->plan->id, "project", pw_indicator_project_id(ind), "name",
                ind->name, "name_en", ind->name_en, "kind", pw_kind_name(ind->kind), "unit",
                ind->unit, "target_type", pw_target_type_name(tg->type), "target",
                rep_json_dec(has, v), "target_text", ind->target_text, "window_start_fy",
                tg->first_fy, "window_end_fy", tg->last_fy, "reporting",
                pw_basis_name(ind->reporting), "source", ind->source);
            if (!o || json_array_append_new(arr, o)) {
                json_decref(arr);
                return PW_ENOMEM;
            }
            if (ind->parent)
                json_object_set_new(o, "parent", json_string(ind->parent->id));
        } else if (fmt == PW_FMT_CSV) {
            fprintf(out, "%s,%s,%s,", ind->id, ind->plan->id, pw_indicator_project_id(ind));
            rep_csv_text(out, ind->name);
            fprintf(out, ",%s,", pw_kind_name(ind->kind));
            rep_csv_text(out, ind->unit);
            fprintf(out, ",%s,%s,%d,%d\n", pw_target_type_name(tg->type), rep_dec(has, v, t),
                    tg->first_fy, tg->last_fy);
        }
    }
    if (arr) {
        int rc = json_dumpf(arr, out, JSON_INDENT(2)) ? PW_EIO : 0;
        fputc('\n', out);
        json_decref(arr);
        if (rc)
            return rc;
    }
    return ferror(out) ? PW_EIO : 0;
}

/* ---- revision history ------------------------------------------------------ */

const char *pw_report_wire_basis(Planwatch__V1__Basis b)
{
    return b == PLANWATCH__V1__BASIS__BASIS_CUMULATIVE ? "cumulative"
           : b == PLANWATCH__V1__BASIS__BASIS_ANNUAL   ? "annual"
                                                       : NULL;
}


static int rep_seq_cmp(const void *a, const void *b)
{
    const Planwatch__V1__IndicatorUpdate *x = *(Planwatch__V1__IndicatorUpdate *const *)a;
    const Planwatch__V1__IndicatorUpdate *y = *(Planwatch__V1__IndicatorUpdate *const *)b;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void pw_report_history_order(Planwatch__V1__IndicatorUpdate **u, int *latest, size_t n)
{
    unsigned char seen[PW_FY_MAX - PW_FY_MIN + 1] = {0};
    if (n > 1)
        qsort(u, n, sizeof *u, rep_seq_cmp);
    for (size_t i = n; i-- > 0;) {
        int fy = u[i]->fiscal_year;
        if (fy < PW_FY_MIN || fy > PW_FY_MAX) {
            latest[i] = 1; /* cannot be stored; shown rather than hidden */
            continue;
        }
        latest[i] = !seen[fy - PW_FY_MIN];
        seen[fy - PW_FY_MIN] = 1;
    }
}

static const char *rep_str(const char *s)
{
    return s ? s : "";
}

static int rep_history_json(FILE *out, const char *id, Planwatch__V1__IndicatorUpdate *const *u,
                            const int *latest, size_t n)
{
    json_t *arr = json_array();
    char t[32];
    if (!arr)
        return PW_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const char *basis = pw_report_wire_basis(u[i]->basis);
        json_t *o = json_pack(
            "{s:s, s:I, s:i, s:o, s:o, s:b, s:o, s:s, s:o, s:s, s:s, s:b}", "indicator_id", id,
            "seq", (json_int_t)u[i]->seq, "fiscal_year", (int)u[i]->fiscal_year, "value",
            rep_json_dec(1, u[i]->value_micros), "basis", basis ? json_string(basis) : json_null(),
            "preliminary", (int)u[i]->preliminary, "as_of",
            u[i]->as_of && u[i]->as_of[0] ? json_string(u[i]->as_of) : json_null(), "office",
            rep_str(u[i]->office), "received",
            u[i]->received_ns ? json_string(pw_msg_time(u[i]->received_ns, t, sizeof t))
                              : json_null(),
            "update_id", rep_str(u[i]->update_id), "note", rep_str(u[i]->note), "latest",
            latest[i]);
        if (o)
            json_object_set_new(o, "retracted", json_boolean(u[i]->retracted));
        if (!o || json_array_append_new(arr, o)) {
            json_decref(arr);
            return PW_ENOMEM;
        }
    }
    int rc = json_dumpf(arr, out, JSON_INDENT(2)) ? PW_EIO : 0;
    fputc('\n', out);
    json_decref(arr);
    return rc;
}

static void rep_history_csv(FILE *out, Planwatch__V1__IndicatorUpdate *const *u, const int *latest,
                            size_t n)
{
    char v[PW_DEC_BUFSZ], t[32];
    fputs("seq,fiscal_year,value,basis,preliminary,as_of,office,received,update_id,note,latest\n",
          out);
    for (size_t i = 0; i < n; i++) {
        const char *basis = pw_report_wire_basis(u[i]->basis);
        fprintf(out, "%llu,%d,%s,%s,%s,", (unsigned long long)u[i]->seq, (int)u[i]->fiscal_year,
                /* the columns stay those of every release: a retraction says so
                 * in place of its (unused) value */
                u[i]->retracted ? "retracted" : pw_dec_format(u[i]->value_micros, v, sizeof v),
                basis ? basis : "",
                u[i]->preliminary ? "true" : "false");
        rep_csv_text(out, rep_str(u[i]->as_of));
        fputc(',', out);
        rep_csv_text(out, rep_str(u[i]->office));
        fprintf(out, ",%s,", pw_msg_time(u[i]->received_ns, t, sizeof t));
        rep_csv_text(out, rep_str(u[i]->update_id));
        fputc(',', out);
        rep_csv_text(out, rep_str(u[i]->note));
        fprintf(out, ",%s\n", latest[i] ? "true" : "false");
    }
}

int pw_report_history(FILE *out, const char *id, Planwatch__V1__IndicatorUpdate *const *updates,
                      size_t n, enum pw_format fmt)
{
    if (fmt != PW_FMT_CSV && fmt != PW_FMT_JSON)
        return PW_EINVAL;
    Planwatch__V1__IndicatorUpdate **u = malloc((n ? n : 1) * sizeof *u);
    int *latest = calloc(n ? n : 1, sizeof *latest);
    int rc = 0;
    if (!u || !latest) {
        rc = PW_ENOMEM;
        goto done;
    }
    if (n)
        memcpy(u, updates, n * sizeof *u);
    pw_report_history_order(u, latest, n);
    if (fmt == PW_FMT_JSON)
        rc = rep_history_json(out, id, u, latest, n);
    else
        rep_history_csv(out, u, latest, n);
    if (!rc && ferror(out))
        rc = PW_EIO;
done:
    free(latest);
    free(u);
    return rc;
}
