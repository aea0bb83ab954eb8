/* feed.c - CSV and JSON feed parsing and row validation (see feed.h).
 *
 * Both formats are first reduced to "raw rows" (one text per known column)
 * and then converted by the same code, so CSV and JSON accept and reject
 * exactly the same values; an .xlsx's first sheet goes through the CSV
 * rows' logic cell by cell (xlsxread.h). Row numbers count the header as row 1 and blank
 * lines too, so they match what a spreadsheet shows (quoted fields with
 * embedded newlines are the one exception: they count once). */
#include "feed.h"

#include <errno.h>
#include <iconv.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <csv.h>

#include "arena.h"
#include "dec.h"
#include "err.h"
#include "eval.h"
#include "file.h"
#include "vec.h"
#include "fy.h"
#include "text.h"
#include "xlsxread.h"

enum feed_col {
    COL_ID, COL_FY, COL_VALUE, COL_BASIS, COL_PRELIM, COL_ASOF, COL_NOTE, COL_UID, COL_RETRACT,
    NCOLS
};
static const char *const feed_col_names[NCOLS] = {"indicator_id", "fiscal_year", "value",
                                                  "basis",        "preliminary", "as_of",
                                                  "note",         "update_id",   "retract"};
/* the error code a bad value of each column gets */
static const int feed_col_codes[NCOLS] = {PW_EFEED_ID,   PW_EFEED_FY,   PW_EFEED_VALUE,
                                          PW_EFEED_BASIS, PW_EFEED_BOOL, PW_EFEED_DATE,
                                          PW_EFEED_TOOLONG, PW_EFEED_UPDATE_ID, PW_EFEED_BOOL};
#define FEED_MAX_HEADER 32
#define COL_UNKNOWN (-1)
#define COL_IGNORED (-2) /* an informational column of the template: read, not used */

/* The template's Japanese headers (planwatch template); 指標名 and 単位 only
 * help the person filling it in. */
static const struct {
    const char *name;
    int col;
} feed_col_aliases[] = {
    {"指標ID", COL_ID},     {"年度", COL_FY},       {"値", COL_VALUE},
    {"区分", COL_BASIS},    {"速報値", COL_PRELIM}, {"時点", COL_ASOF},
    {"備考", COL_NOTE},     {"指標名", COL_IGNORED}, {"単位", COL_IGNORED},
};
#define FEED_SUGGEST_MAX 3 /* ids named by "did you mean" */

struct pw_feed {
    struct pw_arena *arena;
    struct pw_feed_row *rows;
    size_t nrows, rows_cap;
    struct pw_diag *errs;
    size_t nerrs, errs_cap;
    struct pw_diag *warns;
    size_t nwarns, warns_cap;
    size_t nrejected;
    const struct pw_catalog *cat;
    const char *name;
    int32_t today;
};

/* One row's texts, indexed by enum feed_col; NULL = column absent. */
struct feed_raw {
    const char *f[NCOLS];
    size_t len[NCOLS];
};

static int feed_push_err(struct pw_feed *f, const struct pw_diag *d)
{
    if (pw_vec_grow((void **)&f->errs, &f->errs_cap, f->nerrs + 1, sizeof *f->errs))
        return PW_ENOMEM;
    f->errs[f->nerrs++] = *d;
    return 0;
}

static int feed_reject(struct pw_feed *f, int row, int code, const char *field, const char *fmt,
                       ...) __attribute__((format(printf, 5, 6)));

static int feed_reject(struct pw_feed *f, int row, int code, const char *field, const char *fmt,
                       ...)
{
    struct pw_diag d;
    char msg[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pw_diag_set(&d, code, f->name, row, field, "%s", msg);
    return feed_push_err(f, &d);
}

/* ---- text conversions --------------------------------------------------- */

static void feed_trim(const char **s, size_t *len)
{
    while (*len > 0 && ((*s)[0] == ' ' || (*s)[0] == '\t')) {
        (*s)++;
        (*len)--;
    }
    while (*len > 0 && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
        (*len)--;
}

int pw_feed_parse_basis(const char *s, int *out)
{
    static const char *const cum[] = {"cumulative", "累計", NULL}, *const ann[] = {"annual", "単年度", NULL};
    if (!s[0]) {
        *out = -1;
        return 0;
    }
    for (int i = 0; cum[i]; i++)
        if (strcasecmp(s, cum[i]) == 0) {
            *out = PW_BASIS_CUMULATIVE;
            return 0;
        }
    for (int i = 0; ann[i]; i++)
        if (strcasecmp(s, ann[i]) == 0) {
            *out = PW_BASIS_ANNUAL;
            return 0;
        }
    return PW_EFEED_BASIS;
}

int pw_feed_parse_bool(const char *s, int *out)
{
    static const char *const yes[] = {"true", "1", "yes", "y", "速報", "速報値", NULL};
    static const char *const no[] = {"false", "0", "no", "n", "確定", "確定値", NULL};
    if (!s[0]) {
        *out = 0;
        return 0;
    }
    for (int i = 0; yes[i]; i++)
        if (strcasecmp(s, yes[i]) == 0) {
            *out = 1;
            return 0;
        }
    for (int i = 0; no[i]; i++)
        if (strcasecmp(s, no[i]) == 0) {
            *out = 0;
            return 0;
        }
    return PW_EFEED_BOOL;
}

int pw_feed_parse_update_id(const char *s)
{
    size_t n = strlen(s);
    if (n > PW_UPDATE_ID_MAX)
        return PW_EFEED_UPDATE_ID;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == ':'))
            return PW_EFEED_UPDATE_ID;
    }
    return 0;
}

/* The column a header (or JSON key) names: enum feed_col, COL_IGNORED or
 * COL_UNKNOWN. English names ignore case; the Japanese ones are exact. */
static int feed_col_lookup(const char *h, size_t len)
{
    for (int k = 0; k < NCOLS; k++)
        if (strlen(feed_col_names[k]) == len && strncasecmp(h, feed_col_names[k], len) == 0)
            return k;
    for (size_t k = 0; k < sizeof feed_col_aliases / sizeof *feed_col_aliases; k++)
        if (strlen(feed_col_aliases[k].name) == len &&
            memcmp(h, feed_col_aliases[k].name, len) == 0)
            return feed_col_aliases[k].col;
    return COL_UNKNOWN;
}

const struct pw_indicator *pw_feed_find_indicator(const struct pw_catalog *cat, const char *id,
                                                  int *case_only)
{
    const struct pw_indicator *ind = pw_catalog_find(cat, id);
    *case_only = 0;
    if (ind)
        return ind;
    for (size_t i = 0; i < pw_catalog_count(cat); i++)
        if (strcasecmp(pw_catalog_at(cat, i)->id, id) == 0) {
            *case_only = 1;
            return pw_catalog_at(cat, i);
        }
    return NULL;
}

static char feed_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Levenshtein distance of a and b ignoring ASCII case, capped at cap + 1. */
static size_t feed_distance(const char *a, const char *b, size_t cap)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t row[PW_ID_MAX + 2];
    if (la > PW_ID_MAX || lb > PW_ID_MAX)
        return cap + 1;
    if ((la > lb ? la - lb : lb - la) > cap)
        return cap + 1;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0], best;
        row[0] = best = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t sub = diag + (feed_lower(a[i - 1]) != feed_lower(b[j - 1]));
            size_t v = up + 1 < row[j - 1] + 1 ? up + 1 : row[j - 1] + 1;
            row[j] = sub < v ? sub : v;
            diag = up;
            if (row[j] < best)
                best = row[j];
        }
        if (best > cap)
            return cap + 1;
    }
    return row[lb];
}

char *pw_feed_suggest(const struct pw_catalog *cat, const char *id, char *buf, size_t n)
{
    /* a typo is a few edits: at most a third of the id, at least 2, at most 6 */
    size_t cap = strlen(id) / 3, best = SIZE_MAX, nb = 0;
    const char *pick[FEED_SUGGEST_MAX];
    if (cap < 2)
        cap = 2;
    if (cap > 6)
        cap = 6;
    buf[0] = '\0';
    for (size_t i = 0; i < pw_catalog_count(cat); i++) {
        const char *c = pw_catalog_at(cat, i)->id;
        size_t dist = feed_distance(id, c, cap);
        if (dist > cap || dist > best)
            continue;
        if (dist < best) {
            best = dist;
            nb = 0;
        }
        if (nb < FEED_SUGGEST_MAX)
            pick[nb++] = c;
    }
    for (size_t i = 0; i < nb; i++) {
        size_t at = strlen(buf);
        snprintf(buf + at, n - at, "%s%s", i == 0 ? "" : i + 1 == nb ? " or " : ", ", pick[i]);
    }
    return buf;
}

int pw_feed_validate(const struct pw_catalog *cat, const struct pw_feed_row *r, int32_t today,
                     const char *file, const struct pw_indicator **indp, struct pw_diag *d)
{
    int case_only;
    const struct pw_indicator *ind = pw_feed_find_indicator(cat, r->indicator_id, &case_only);
    char day[11], day2[11];
    if (!ind) {
        char near[3 * (PW_ID_MAX + 4)];
        if (pw_feed_suggest(cat, r->indicator_id, near, sizeof near)[0])
            return pw_diag_set(d, PW_EFEED_ID, file, r->row, "indicator_id",
                               "no indicator '%.64s' in the catalog; did you mean %s?",
                               r->indicator_id, near);
        return pw_diag_set(d, PW_EFEED_ID, file, r->row, "indicator_id",
                           "no indicator '%.64s' in the catalog", r->indicator_id);
    }
    int first, last;
    pw_indicator_fy_range(ind, &first, &last);
    if (r->fy < first || r->fy > last)
        return pw_diag_set(d, PW_EFEED_FY, file, r->row, "fiscal_year",
                           "FY%d is outside FY%d–%d, the fiscal years %s reports", r->fy, first,
                           last, ind->id);
    if (pw_fy_first_day(r->fy) > today)
        return pw_diag_set(d, PW_EFEED_FY, file, r->row, "fiscal_year",
                           "FY%d has not started yet (today is %s)", r->fy,
                           pw_day_format(today, day));
    if (r->value < 0)
        return pw_diag_set(d, PW_EFEED_VALUE, file, r->row, "value",
                           "must not be negative (indicator values are counts or levels)");
    if (ind->percent && r->value > PW_DEC(100))
        return pw_diag_set(d, PW_EFEED_VALUE, file, r->row, "value",
                           "%s is a percentage: the value must lie in 0..100", ind->id);
    if (r->as_of != PW_NO_DAY) {
        if (r->as_of > today)
            return pw_diag_set(d, PW_EFEED_DATE, file, r->row, "as_of",
                               "%s is in the future (today is %s)", pw_day_format(r->as_of, day),
                               pw_day_format(today, day2));
        if (r->as_of < pw_fy_first_day(r->fy))
            return pw_diag_set(d, PW_EFEED_DATE, file, r->row, "as_of",
                               "%s is before FY%d began", pw_day_format(r->as_of, day), r->fy);
    }
    if (indp)
        *indp = ind;
    return 0;
}

/* Copies a raw field into a NUL-terminated buffer, trimmed. Returns 0 or
 * PW_EFEED_TOOLONG. */
static int feed_text(const struct feed_raw *raw, int col, char *buf, size_t cap)
{
    const char *s = raw->f[col];
    size_t len = raw->len[col];
    if (!s) {
        buf[0] = '\0';
        return 0;
    }
    feed_trim(&s, &len);
    if (len >= cap)
        return PW_EFEED_TOOLONG;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return 0;
}

/* Converts and (with a catalog) validates one raw row; appends it to the
 * accepted rows or records why not. Returns 0 or PW_ENOMEM. */
static int feed_convert(struct pw_feed *f, int row, const struct feed_raw *raw)
{
    struct pw_feed_row r;
    char t[PW_FEED_FIELD_MAX + 1] = "";
    int rc;
    memset(&r, 0, sizeof r);
    r.row = row;
    r.basis = -1;
    r.as_of = PW_NO_DAY;
    r.note = "";

    for (int c = 0; c < NCOLS; c++)
        if (raw->f[c] && raw->len[c] > PW_FEED_FIELD_MAX)
            return feed_reject(f, row, PW_EFEED_TOOLONG, feed_col_names[c],
                               "longer than %d bytes", PW_FEED_FIELD_MAX);
    feed_text(raw, COL_ID, t, sizeof t);
    if (!t[0])
        return feed_reject(f, row, PW_EFEED_MISSING, "indicator_id", "required, but empty");
    if (strlen(t) > PW_ID_MAX)
        return feed_reject(f, row, PW_EFEED_TOOLONG, "indicator_id",
                           "longer than %d bytes", PW_ID_MAX);
    memcpy(r.indicator_id, t, strlen(t) + 1);

    feed_text(raw, COL_FY, t, sizeof t);
    if (!t[0])
        return feed_reject(f, row, PW_EFEED_MISSING, "fiscal_year", "required, but empty");
    if ((rc = pw_fy_parse(t, &r.fy)))
        return feed_reject(f, row, PW_EFEED_FY, "fiscal_year",
                           "'%.40s' is not a fiscal year (2025, 令和7, R7 or FY2025, %d–%d)", t,
                           PW_FY_MIN, PW_FY_MAX);

    feed_text(raw, COL_RETRACT, t, sizeof t);
    if (pw_feed_parse_bool(t, &r.retract))
        return feed_reject(f, row, PW_EFEED_BOOL, "retract", "'%.40s' is not true or false", t);
    feed_text(raw, COL_VALUE, t, sizeof t);
    if (!t[0] && !r.retract)
        return feed_reject(f, row, PW_EFEED_MISSING, "value", "required, but empty");
    /* a retraction carries no figure: its value, if any, is not read */
    rc = r.retract ? 0 : pw_dec_parse(t, strlen(t), &r.value);
    if (rc == PW_ERANGE)
        return feed_reject(f, row, PW_EFEED_VALUE, "value",
                           "'%.40s' is out of range (at most 6 decimals, |value| <= 10^12)", t);
    if (rc)
        return feed_reject(f, row, PW_EFEED_VALUE, "value", "'%.40s' is not a number", t);

    feed_text(raw, COL_BASIS, t, sizeof t);
    if (pw_feed_parse_basis(t, &r.basis))
        return feed_reject(f, row, PW_EFEED_BASIS, "basis",
                           "'%.40s' is not cumulative or annual", t);
    feed_text(raw, COL_PRELIM, t, sizeof t);
    if (pw_feed_parse_bool(t, &r.preliminary))
        return feed_reject(f, row, PW_EFEED_BOOL, "preliminary", "'%.40s' is not true or false",
                           t);
    feed_text(raw, COL_ASOF, t, sizeof t);
    if (t[0] && pw_day_parse(t, &r.as_of))
        return feed_reject(f, row, PW_EFEED_DATE, "as_of",
                           "'%.40s' is not a date YYYY-MM-DD", t);
    feed_text(raw, COL_UID, t, sizeof t);
    if (pw_feed_parse_update_id(t))
        return feed_reject(f, row, PW_EFEED_UPDATE_ID, "update_id",
                           "'%.40s' is not 1-%d of [A-Za-z0-9._:-]", t, PW_UPDATE_ID_MAX);
    memcpy(r.update_id, t, strlen(t) + 1);
    feed_text(raw, COL_NOTE, t, sizeof t);
    if (strlen(t) > PW_NOTE_MAX)
        return feed_reject(f, row, PW_EFEED_TOOLONG, "note", "longer than %d bytes",
                           PW_NOTE_MAX);
    if (!pw_text_clean(t, strlen(t))) /* the file is UTF-8 by now: a control character */
        return feed_reject(f, row, PW_EFEED_VALUE, "note",
                           "contains a control character (escape, bell...)");
    if (t[0] && !(r.note = pw_arena_strndup(f->arena, t, strlen(t))))
        return PW_ENOMEM;

    if (f->cat) {
        struct pw_diag d;
        int case_only;
        const struct pw_indicator *ind = pw_feed_find_indicator(f->cat, r.indicator_id, &case_only);
        if (pw_feed_validate(f->cat, &r, f->today, f->name, NULL, &d))
            return feed_push_err(f, &d);
        if (case_only) {
            pw_diag_set(&d, PW_WFEED_IDCASE, f->name, row, "indicator_id",
                        "'%s' read as %s (ids are lower-case)", r.indicator_id, ind->id);
            if (pw_vec_grow((void **)&f->warns, &f->warns_cap, f->nwarns + 1, sizeof *f->warns))
                return PW_ENOMEM;
            f->warns[f->nwarns++] = d;
            memcpy(r.indicator_id, ind->id, strlen(ind->id) + 1);
        }
    }
    if (pw_vec_grow((void **)&f->rows, &f->rows_cap, f->nrows + 1, sizeof *f->rows))
        return PW_ENOMEM;
    f->rows[f->nrows++] = r;
    return 0;
}

/* Converts a raw row, counting it as rejected when it is. */
static int feed_take(struct pw_feed *f, int row, const struct feed_raw *raw)
{
    size_t before = f->nerrs;
    int rc = feed_convert(f, row, raw);
    if (f->nerrs > before)
        f->nrejected++;
    return rc;
}

/* ---- encoding ----------------------------------------------------------- */

/* Yields UTF-8 text without BOM: borrowed from buf, or converted from
 * CP932 into *owned (caller frees). Returns 0 or PW_EFEED_ENCODING/PW_ENOMEM. */
static int feed_utf8(const char *buf, size_t len, const char **text, size_t *tlen, char **owned)
{
    *owned = NULL;
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
        buf += 3;
        len -= 3;
    }
    if (pw_text_utf8(buf, len)) {
        *text = buf;
        *tlen = len;
        return 0;
    }
    iconv_t cd = iconv_open("UTF-8", "CP932");
    if (cd == (iconv_t)-1)
        return PW_EFEED_ENCODING;
    size_t cap = len * 3 + 4, left = cap;
    char *out = malloc(cap), *op = out;
    char *ip = (char *)buf;
    size_t ileft = len;
    int rc = 0;
    if (!out)
        rc = PW_ENOMEM;
    else if (iconv(cd, &ip, &ileft, &op, &left) == (size_t)-1)
        rc = PW_EFEED_ENCODING;
    iconv_close(cd);
    if (rc) {
        free(out);
        return rc;
    }
    *owned = out;
    *text = out;
    *tlen = cap - left;
    return 0;
}

/* ---- CSV ---------------------------------------------------------------- */

struct feed_csv {
    struct pw_feed *f;
    int record;              /* rows seen so far, header included */
    int header_done;
    int fatal;               /* header unusable: remaining rows are only counted */
    int ncols;               /* columns in the header */
    int map[FEED_MAX_HEADER];/* header position -> enum feed_col */
    int nfield;              /* fields in the current record */
    int last_term;
    char *hdr[FEED_MAX_HEADER];
    size_t hdrlen[FEED_MAX_HEADER];
    char *fields[NCOLS];     /* current record's texts (malloc'd copies) */
    size_t flen[NCOLS];
    int rc;                  /* PW_ENOMEM seen */
};

static void feed_csv_field(void *s, size_t len, void *data)
{
    struct feed_csv *c = data;
    int i = c->nfield++;
    if (!c->header_done) {
        if (i < FEED_MAX_HEADER) {
            c->hdr[i] = malloc(len + 1);
            if (!c->hdr[i]) {
                c->rc = PW_ENOMEM;
                return;
            }
            memcpy(c->hdr[i], s ? s : "", len);
            c->hdr[i][len] = '\0';
            c->hdrlen[i] = len;
        }
        return;
    }
    if (c->fatal || i >= c->ncols || c->map[i] < 0)
        return;
    int col = c->map[i];
    free(c->fields[col]);
    c->fields[col] = malloc(len + 1);
    if (!c->fields[col]) {
        c->rc = PW_ENOMEM;
        return;
    }
    memcpy(c->fields[col], s ? s : "", len);
    c->fields[col][len] = '\0';
    c->flen[col] = len;
}

static void feed_csv_header(struct feed_csv *c, int nfield)
{
    struct pw_feed *f = c->f;
    int seen[NCOLS] = {0};
    c->header_done = 1;
    c->ncols = nfield;
    if (nfield > FEED_MAX_HEADER) {
        feed_reject(f, c->record, PW_EFEED_HEADER, "", "more than %d columns", FEED_MAX_HEADER);
        c->fatal = 1;
        return;
    }
    for (int i = 0; i < c->ncols; i++) {
        const char *h = c->hdr[i];
        size_t len = c->hdrlen[i];
        feed_trim(&h, &len);
        c->map[i] = feed_col_lookup(h, len);
        if (c->map[i] == COL_IGNORED)
            continue;
        if (c->map[i] < 0) {
            feed_reject(f, c->record, PW_EFEED_HEADER, "",
                        "unknown column '%.*s' (known: indicator_id, fiscal_year, value, basis, "
                        "preliminary, as_of, note, update_id, retract; or the template's 指標ID, "
                        "年度, 値, 区分, 速報値, 時点, 備考, 指標名, 単位)",
                        (int)(len > 40 ? 40 : len), h);
            c->fatal = 1;
            return;
        }
        if (seen[c->map[i]]++) {
            feed_reject(f, c->record, PW_EFEED_HEADER, feed_col_names[c->map[i]],
                        "column appears twice");
            c->fatal = 1;
            return;
        }
    }
    for (int k = COL_ID; k <= COL_VALUE; k++)
        if (!seen[k]) {
            feed_reject(f, c->record, PW_EFEED_HEADER, feed_col_names[k],
                        "required column missing from the header");
            c->fatal = 1;
            return;
        }
}

static void feed_csv_clear(struct feed_csv *c)
{
    for (int k = 0; k < NCOLS; k++) {
        free(c->fields[k]);
        c->fields[k] = NULL;
        c->flen[k] = 0;
    }
}

static void feed_csv_row(int term, void *data)
{
    struct feed_csv *c = data;
    struct pw_feed *f = c->f;
    int nfield = c->nfield;
    int prev = c->last_term;
    c->last_term = term;
    c->nfield = 0;
    if (nfield == 0 && term == '\n' && prev == '\r')
        return; /* the LF of a CRLF */
    c->record++;
    if (nfield == 0 || c->rc)
        return; /* blank line */
    if (!c->header_done) {
        feed_csv_header(c, nfield);
        return;
    }
    if (c->fatal) {
        f->nrejected++;
        feed_csv_clear(c);
        return;
    }
    if ((size_t)(f->nrows + f->nrejected) >= PW_FEED_MAX_ROWS) {
        feed_reject(f, c->record, PW_EFEED_TOOMANY, "",
                    "more than %d data rows; this and later rows were not read", PW_FEED_MAX_ROWS);
        f->nrejected++;
        c->fatal = 1;
        feed_csv_clear(c);
        return;
    }
    if (nfield != c->ncols) {
        feed_reject(f, c->record, PW_EFEED_FIELDS, "", "%d fields, the header has %d", nfield,
                    c->ncols);
        f->nrejected++;
    } else {
        struct feed_raw raw;
        for (int k = 0; k < NCOLS; k++) {
            raw.f[k] = c->fields[k];
            raw.len[k] = c->flen[k];
        }
        if (feed_take(f, c->record, &raw))
            c->rc = PW_ENOMEM;
    }
    feed_csv_clear(c);
}

static int feed_parse_csv(struct pw_feed *f, const char *text, size_t len)
{
    struct csv_parser p;
    struct feed_csv c;
    memset(&c, 0, sizeof c);
    c.f = f;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL) != 0)
        return PW_ENOMEM;
    size_t done = csv_parse(&p, text, len, feed_csv_field, feed_csv_row, &c);
    if (done < len || csv_fini(&p, feed_csv_field, feed_csv_row, &c) != 0) {
        if (csv_error(&p) == CSV_ENOMEM)
            c.rc = PW_ENOMEM;
        else
            feed_reject(f, c.record + 1, PW_EFEED_SYNTAX, "",
                        "malformed CSV (%s); this and later rows were not read",
                        csv_strerror(csv_error(&p)));
    }
    if (!c.header_done && !c.rc && f->nerrs == 0)
        feed_reject(f, 0, PW_EFEED_HEADER, "", "empty feed: no header row");
    csv_free(&p);
    feed_csv_clear(&c);
    for (int i = 0; i < FEED_MAX_HEADER; i++)
        free(c.hdr[i]);
    return c.rc;
}

/* ---- xlsx: the first sheet, through the CSV rows' logic ---------------- */

/* A number cell's text as a feed reads it: Excel keeps doubles in their
 * shortest round-trip form ("0.30000000000000004", "1E-3"), rounded here to
 * the 6 decimals a value may have; in the 時点/as_of column a whole number is
 * a date serial (1900 system: 25569 = 1970-01-01). Returns t or buf. */
static const char *feed_xlsx_number(const char *t, int as_of, char *buf, size_t n)
{
    char *end;
    double d = strtod(t, &end);
    if (end == t || *end)
        return t;
    if (as_of) {
        if (d >= 1 && d < 2958466 && d == floor(d)) /* up to 9999-12-31 */
            return pw_day_format((int32_t)(d - 25569), buf);
        return t;
    }
    const char *dot = strchr(t, '.');
    if (!strpbrk(t, "eE") && (!dot || strlen(dot + 1) <= 6))
        return t;
    if (!(fabs(d) < 1e15))
        return t;
    snprintf(buf, n, "%.6f", d);
    size_t l = strlen(buf);
    while (l > 0 && buf[l - 1] == '0')
        buf[--l] = '\0';
    if (l > 0 && buf[l - 1] == '.')
        buf[--l] = '\0';
    return buf;
}

static int feed_xlsx_row(void *data, int row, const struct pw_xlsxread_cell *cells, size_t n)
{
    struct feed_csv *c = data;
    c->record = row - 1; /* rows the sheet leaves out are blank */
    c->last_term = '\n';
    if (n == 0) {
        c->record = row;
        return c->rc;
    }
    /* trailing empty cells are not stored: a row is as wide as the header */
    int width = cells[n - 1].col + 1;
    if (c->header_done && width < c->ncols)
        width = c->ncols;
    size_t k = 0;
    for (int i = 0; i < width && !c->rc; i++) {
        char num[40];
        const char *t = "";
        if (k < n && cells[k].col == i) {
            t = cells[k].text;
            if (cells[k].numeric && c->header_done && i < c->ncols && i < FEED_MAX_HEADER)
                t = feed_xlsx_number(t, c->map[i] == COL_ASOF, num, sizeof num);
            k++;
        }
        feed_csv_field((void *)(uintptr_t)t, strlen(t), c);
    }
    feed_csv_row('\n', c);
    return c->rc;
}

static int feed_parse_xlsx(struct pw_feed *f, const char *buf, size_t len)
{
    struct feed_csv c;
    char why[200];
    memset(&c, 0, sizeof c);
    c.f = f;
    int rc = pw_xlsxread_rows(buf, len, feed_xlsx_row, &c, why, sizeof why);
    if (rc == PW_ENOMEM || c.rc == PW_ENOMEM)
        rc = PW_ENOMEM;
    else if (rc)
        rc = feed_reject(f, c.record + 1, PW_EFEED_SYNTAX, "",
                         "unreadable .xlsx (%s); this and later rows were not read", why);
    if (!rc && !c.header_done && f->nerrs == 0)
        rc = feed_reject(f, 0, PW_EFEED_HEADER, "", "empty feed: no header row");
    feed_csv_clear(&c);
    for (int i = 0; i < FEED_MAX_HEADER; i++)
        free(c.hdr[i]);
    return rc;
}

/* ---- JSON --------------------------------------------------------------- */

static int feed_parse_json(struct pw_feed *f, const char *text, size_t len)
{
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    int rc = 0;
    if (!root)
        return feed_reject(f, jerr.line > 0 ? jerr.line : 0, PW_EFEED_SYNTAX, "",
                           "malformed JSON: %s (line %d, column %d)", jerr.text, jerr.line,
                           jerr.column);
    json_t *arr = root;
    if (json_is_object(root)) {
        const char *key;
        json_t *v;
        json_object_foreach(root, key, v)
        {
            if (strcmp(key, "updates") != 0) {
                rc = feed_reject(f, 0, PW_EFEED_HEADER, key,
                                 "unknown top-level key (expected \"updates\": [...])");
                goto done;
            }
        }
        arr = json_object_get(root, "updates");
    }
    if (!json_is_array(arr)) {
        rc = feed_reject(f, 0, PW_EFEED_SYNTAX, "",
                         "expected an array of updates or {\"updates\": [...]}");
        goto done;
    }
    size_t n = json_array_size(arr);
    char num[NCOLS][64];
    for (size_t i = 0; i < n && !rc; i++) {
        int row = (int)i + 1;
        json_t *o = json_array_get(arr, i);
        struct feed_raw raw;
        memset(&raw, 0, sizeof raw);
        if (f->nrows + f->nrejected >= PW_FEED_MAX_ROWS) {
            rc = feed_reject(f, row, PW_EFEED_TOOMANY, "",
                             "more than %d rows; this and later rows were not read",
                             PW_FEED_MAX_ROWS);
            f->nrejected += n - i;
            break;
        }
        if (!json_is_object(o)) {
            rc = feed_reject(f, row, PW_EFEED_SYNTAX, "", "row is not a JSON object");
            f->nrejected++;
            continue;
        }
        const char *key;
        json_t *v;
        int bad = 0;
        json_object_foreach(o, key, v)
        {
            int col = feed_col_lookup(key, strlen(key));
            if (col == COL_IGNORED)
                continue;
            if (col < 0) {
                rc = feed_reject(f, row, PW_EFEED_HEADER, key, "unknown field");
                bad = 1;
                break;
            }
            if (json_is_string(v)) {
                raw.f[col] = json_string_value(v);
                raw.len[col] = json_string_length(v);
            } else if (json_is_integer(v)) {
                raw.len[col] = (size_t)snprintf(num[col], sizeof num[col], "%lld",
                                                (long long)json_integer_value(v));
                raw.f[col] = num[col];
            } else if (json_is_real(v)) {
                /* a JSON number is a double: accept it only when it is exactly
                 * a decimal of at most 6 places within range, as CSV would */
                double d = json_real_value(v);
                int64_t micro = 0;
                if (!(fabs(d) <= 1e12) ||
                    (double)(micro = llround(d * 1e6)) / 1e6 != d) {
                    rc = feed_reject(f, row, feed_col_codes[col], key,
                                     "%.17g is out of range or has more than 6 decimals "
                                     "(send exact decimals as strings)", d);
                    bad = 1;
                    break;
                }
                pw_dec_format(micro, num[col], sizeof num[col]);
                raw.f[col] = num[col];
                raw.len[col] = strlen(num[col]);
            } else if (json_is_boolean(v)) {
                raw.f[col] = json_is_true(v) ? "true" : "false";
                raw.len[col] = strlen(raw.f[col]);
            } else if (!json_is_null(v)) {
                rc = feed_reject(f, row, PW_EFEED_SYNTAX, key,
                                 "must be a string, number or boolean");
                bad = 1;
                break;
            }
        }
        if (bad) {
            f->nrejected++;
            continue;
        }
        rc = feed_take(f, row, &raw);
    }
done:
    json_decref(root);
    return rc == PW_ENOMEM ? rc : 0;
}

/* ---- entry points ------------------------------------------------------- */

int pw_feed_parse(struct pw_feed **out, const struct pw_catalog *cat, const char *name,
                  const char *buf, size_t len, enum pw_feed_format fmt, int32_t today)
{
    struct pw_feed *f = calloc(1, sizeof *f);
    char *owned = NULL;
    const char *text;
    size_t tlen;
    int rc = PW_ENOMEM;
    if (!f)
        return rc;
    f->cat = cat;
    f->today = today;
    if (pw_arena_open(&f->arena))
        goto fail;
    if (!(f->name = pw_arena_strndup(f->arena, name, strlen(name))))
        goto fail;
    if (len > PW_FEED_MAX_BYTES) {
        if ((rc = feed_reject(f, 0, PW_ETOOBIG, "", "feed larger than %u bytes",
                              PW_FEED_MAX_BYTES)))
            goto fail;
        *out = f;
        return 0;
    }
    if (fmt == PW_FEED_XLSX || (fmt == PW_FEED_AUTO && pw_xlsxread_sniff(buf, len))) {
        if ((rc = feed_parse_xlsx(f, buf, len)))
            goto fail;
        *out = f;
        return 0;
    }
    rc = feed_utf8(buf, len, &text, &tlen, &owned);
    if (rc == PW_ENOMEM)
        goto fail;
    if (rc) {
        if ((rc = feed_reject(f, 0, PW_EFEED_ENCODING, "",
                              "the feed is neither UTF-8 nor CP932 (Shift_JIS)")))
            goto fail;
        *out = f;
        return 0;
    }
    if (fmt == PW_FEED_AUTO) {
        size_t i = 0;
        while (i < tlen && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
            i++;
        fmt = i < tlen && (text[i] == '[' || text[i] == '{') ? PW_FEED_JSON : PW_FEED_CSV;
    }
    rc = fmt == PW_FEED_JSON ? feed_parse_json(f, text, tlen) : feed_parse_csv(f, text, tlen);
    free(owned);
    owned = NULL;
    if (rc)
        goto fail;
    *out = f;
    return 0;
fail:
    free(owned);
    pw_feed_close(&f);
    return rc;
}

int pw_feed_parse_file(struct pw_feed **out, const struct pw_catalog *cat, const char *path,
                       int32_t today, struct pw_diag *diag)
{
    char *b;
    size_t n;
    int rc = pw_file_read(path, PW_FEED_MAX_BYTES, &b, &n, diag);
    if (rc)
        return rc;
    size_t pl = strlen(path);
    enum pw_feed_format fmt = pl > 5 && strcasecmp(path + pl - 5, ".json") == 0 ? PW_FEED_JSON
                              : pl > 4 && strcasecmp(path + pl - 4, ".csv") == 0 ? PW_FEED_CSV
                              : pl > 5 && strcasecmp(path + pl - 5, ".xlsx") == 0 ? PW_FEED_XLSX
                                                                                  : PW_FEED_AUTO;
    rc = pw_feed_parse(out, cat, path, b, n, fmt, today);
    if (rc)
        pw_diag_set(diag, rc, path, 0, "", "%s", pw_strerror(rc));
    free(b);
    return rc;
}

void pw_feed_close(struct pw_feed **fp)
{
    if (!fp || !*fp)
        return;
    free((*fp)->rows);
    free((*fp)->errs);
    free((*fp)->warns);
    pw_arena_close(&(*fp)->arena);
    free(*fp);
    *fp = NULL;
}

size_t pw_feed_nrows(const struct pw_feed *f)
{
    return f->nrows;
}

const struct pw_feed_row *pw_feed_row(const struct pw_feed *f, size_t i)
{
    return i < f->nrows ? &f->rows[i] : NULL;
}

size_t pw_feed_nerrors(const struct pw_feed *f)
{
    return f->nerrs;
}

const struct pw_diag *pw_feed_error(const struct pw_feed *f, size_t i)
{
    return i < f->nerrs ? &f->errs[i] : NULL;
}

size_t pw_feed_nrejected(const struct pw_feed *f)
{
    return f->nrejected;
}

size_t pw_feed_nwarnings(const struct pw_feed *f)
{
    return f->nwarns;
}

const struct pw_diag *pw_feed_warning(const struct pw_feed *f, size_t i)
{
    return i < f->nwarns ? &f->warns[i] : NULL;
}
