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

/* An outside value as a reason quotes it: escaped, at most PW_TEXT_ECHO_MAX
 * bytes (then "…"). Returns buf. */
#define FEED_ECHO_CAP (PW_TEXT_ECHO_MAX + 1)
static const char *feed_echo(const char *s, size_t n, char buf[FEED_ECHO_CAP])
{
    return pw_text_escape(s, n, buf, FEED_ECHO_CAP);
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

/* The bytes an update id may hold: [A-Za-z0-9._:-] (every update passes
 * here in ingest and again in the store: a table, not a chain of tests). */
static const unsigned char feed_id_byte[256] = {
    ['-'] = 1, ['.'] = 1, [':'] = 1, ['_'] = 1,
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
    ['8'] = 1, ['9'] = 1,
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1,
    ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1,
    ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
    ['Y'] = 1, ['Z'] = 1,
    ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1,
    ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1,
    ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
    ['y'] = 1, ['z'] = 1,
};

int pw_feed_parse_update_id(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    for (; p[i]; i++)
        if (i == PW_UPDATE_ID_MAX || !feed_id_byte[p[i]])
            return PW_EFEED_UPDATE_ID;
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
    char day[11], day2[11], e[FEED_ECHO_CAP];
    if (!ind) {
        char near[3 * (PW_ID_MAX + 4)];
        if (pw_feed_suggest(cat, r->indicator_id, near, sizeof near)[0])
            return pw_diag_set(d, PW_EFEED_ID, file, r->row, "indicator_id",
                               "no indicator '%s' in the catalog; did you mean %s?",
                               feed_echo(r->indicator_id, strlen(r->indicator_id), e), near);
        return pw_diag_set(d, PW_EFEED_ID, file, r->row, "indicator_id",
                           "no indicator '%s' in the catalog",
                           feed_echo(r->indicator_id, strlen(r->indicator_id), e));
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
    char e[FEED_ECHO_CAP];
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
                           "'%s' is not a fiscal year (2025, 令和7, R7 or FY2025, %d–%d)",
                           feed_echo(t, strlen(t), e), PW_FY_MIN, PW_FY_MAX);

    feed_text(raw, COL_RETRACT, t, sizeof t);
    if (pw_feed_parse_bool(t, &r.retract))
        return feed_reject(f, row, PW_EFEED_BOOL, "retract", "'%s' is not true or false",
                           feed_echo(t, strlen(t), e));
    feed_text(raw, COL_VALUE, t, sizeof t);
    if (!t[0] && !r.retract)
        return feed_reject(f, row, PW_EFEED_MISSING, "value", "required, but empty");
    /* a retraction carries no figure: its value, if any, is not read */
    rc = r.retract ? 0 : pw_dec_parse(t, strlen(t), &r.value);
    if (rc == PW_ERANGE)
        return feed_reject(f, row, PW_EFEED_VALUE, "value",
                           "'%s' is out of range (at most 6 decimals, |value| <= 10^12)",
                           feed_echo(t, strlen(t), e));
    if (rc)
        return feed_reject(f, row, PW_EFEED_VALUE, "value", "'%s' is not a number",
                           feed_echo(t, strlen(t), e));

    feed_text(raw, COL_BASIS, t, sizeof t);
    if (pw_feed_parse_basis(t, &r.basis))
        return feed_reject(f, row, PW_EFEED_BASIS, "basis",
                           "'%s' is not cumulative or annual", feed_echo(t, strlen(t), e));
    feed_text(raw, COL_PRELIM, t, sizeof t);
    if (pw_feed_parse_bool(t, &r.preliminary))
        return feed_reject(f, row, PW_EFEED_BOOL, "preliminary", "'%s' is not true or false",
                           feed_echo(t, strlen(t), e));
    feed_text(raw, COL_ASOF, t, sizeof t);
    if (t[0] && pw_day_parse(t, &r.as_of))
        return feed_reject(f, row, PW_EFEED_DATE, "as_of",
                           "'%s' is not a date YYYY-MM-DD", feed_echo(t, strlen(t), e));
    feed_text(raw, COL_UID, t, sizeof t);
    if (pw_feed_parse_update_id(t))
        return feed_reject(f, row, PW_EFEED_UPDATE_ID, "update_id",
                           "'%s' is not 1-%d of [A-Za-z0-9._:-]", feed_echo(t, strlen(t), e),
                           PW_UPDATE_ID_MAX);
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
                        "'%s' read as %s (ids are lower-case)",
                        feed_echo(r.indicator_id, strlen(r.indicator_id), e), ind->id);
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

/* Counts in buf[0..len) the valid multi-byte UTF-8 sequences (*mb) and the
 * bytes that belong to none (*bad). */
static void feed_utf8_census(const char *buf, size_t len, size_t *mb, size_t *bad)
{
    const unsigned char *s = (const unsigned char *)buf;
    *mb = *bad = 0;
    for (size_t i = 0; i < len;) {
        size_t k = s[i] < 0x80 ? 1 : s[i] >= 0xF0 ? 4 : s[i] >= 0xE0 ? 3 : 2;
        if (k == 1) {
            i++;
        } else if (k <= len - i && pw_text_utf8(buf + i, k)) {
            (*mb)++;
            i += k;
        } else {
            (*bad)++;
            i++;
        }
    }
}

/* Converts buf[0..len) from CP932 into *out (caller frees; *olen bytes),
 * keeping a byte CP932 cannot read as it is (so that the row holding it is
 * rejected naming it) and counting those in *nbad. Returns 0 or PW_ENOMEM;
 * PW_EFEED_ENCODING when iconv has no CP932. */
static int feed_cp932(const char *buf, size_t len, char **out, size_t *olen, size_t *nbad)
{
    iconv_t cd = iconv_open("UTF-8", "CP932");
    size_t cap = len * 3 + 4, left = cap, ileft = len;
    char *o, *op, *ip = (char *)buf;
    *nbad = 0;
    if (cd == (iconv_t)-1)
        return PW_EFEED_ENCODING;
    if (!(o = op = malloc(cap))) {
        iconv_close(cd);
        return PW_ENOMEM;
    }
    /* a CP932 character is at most 3 bytes of UTF-8: left never runs out */
    while (ileft > 0 && iconv(cd, &ip, &ileft, &op, &left) == (size_t)-1) {
        if (errno != EILSEQ && errno != EINVAL)
            break;
        *op++ = *ip++;
        ileft--;
        left--;
        (*nbad)++;
        iconv(cd, NULL, NULL, NULL, NULL);
    }
    iconv_close(cd);
    *out = o;
    *olen = cap - left;
    return 0;
}

/* Yields the text without BOM: borrowed from buf, or converted from CP932
 * into *owned (caller frees). Whichever reading leaves fewer stray bytes
 * wins (UTF-8 on a tie); the rows holding the stray bytes are rejected one
 * by one (feed_csv_field, and jansson per JSON element), so one bad byte
 * never costs the whole file. Returns 0 or PW_ENOMEM. */
static int feed_utf8(const char *buf, size_t len, const char **text, size_t *tlen, char **owned)
{
    size_t mb, bad, cpbad, olen;
    char *out = NULL;
    *owned = NULL;
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
        buf += 3;
        len -= 3;
    }
    *text = buf;
    *tlen = len;
    if (pw_text_utf8(buf, len))
        return 0;
    feed_utf8_census(buf, len, &mb, &bad);
    if (mb > bad)
        return 0; /* UTF-8 with a few stray bytes */
    int rc = feed_cp932(buf, len, &out, &olen, &cpbad);
    if (rc)
        return rc == PW_ENOMEM ? rc : 0;
    if (cpbad >= bad) {
        free(out);
        return 0;
    }
    *owned = out;
    *text = out;
    *tlen = olen;
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
    struct pw_diag bad;      /* code != 0: the record's first NUL or non-UTF-8 field */
    int rc;                  /* PW_ENOMEM seen */
};

/* Notes the record's first field holding a NUL or a byte that is not UTF-8:
 * the row is rejected naming its column and the byte, the value shown
 * escaped (a NUL would end it in C). The header's own are caught as an
 * unknown column. */
static void feed_csv_check(struct feed_csv *c, int i, const char *s, size_t len)
{
    const char *nul = memchr(s, '\0', len);
    size_t at = 0;
    int code = 0;
    char what[48] = "", e[FEED_ECHO_CAP], col[40];
    if (c->bad.code)
        return;
    if (nul) {
        at = (size_t)(nul - s);
        code = PW_EFEED_VALUE;
        snprintf(what, sizeof what, "a NUL byte");
    }
    if (!pw_text_utf8(s, nul ? at : len)) {
        const unsigned char *u = (const unsigned char *)s;
        size_t lo = 0;
        while (lo < len) { /* to the first byte that starts no valid sequence */
            size_t k = u[lo] < 0x80 ? 1 : u[lo] >= 0xF0 ? 4 : u[lo] >= 0xE0 ? 3 : 2;
            if (k > len - lo || !pw_text_utf8(s + lo, k))
                break;
            lo += k;
        }
        at = lo;
        code = PW_EFEED_ENCODING;
        snprintf(what, sizeof what, "a byte that is not UTF-8 (\\x%02x)", u[at]);
    }
    if (!code)
        return;
    /* the column's name as the other row errors give it; an ignored or
     * unnamed one by its header text or position */
    if (i < c->ncols && i < FEED_MAX_HEADER && c->map[i] >= 0)
        snprintf(col, sizeof col, "%s", feed_col_names[c->map[i]]);
    else if (i < c->ncols && i < FEED_MAX_HEADER && c->hdr[i] && c->hdr[i][0])
        snprintf(col, sizeof col, "%s", c->hdr[i]);
    else
        snprintf(col, sizeof col, "column %d", i + 1);
    pw_diag_set(&c->bad, code, c->f->name, 0, col,
                "%s at byte %zu of the field: '%s'", what, at + 1, feed_echo(s, len, e));
}

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
    if (c->fatal)
        return;
    feed_csv_check(c, i, s ? s : "", len);
    if (i >= c->ncols || c->map[i] < 0)
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
            char e[FEED_ECHO_CAP];
            feed_reject(f, c->record, PW_EFEED_HEADER, "",
                        "unknown column '%s' (known: indicator_id, fiscal_year, value, basis, "
                        "preliminary, as_of, note, update_id, retract; or the template's 指標ID, "
                        "年度, 値, 区分, 速報値, 時点, 備考, 指標名, 単位)",
                        feed_echo(h, len, e));
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
    c->bad.code = 0;
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
    if (c->bad.code) { /* first: a stray byte may be why the count is off */
        c->bad.line = c->record;
        if (feed_push_err(f, &c->bad))
            c->rc = PW_ENOMEM;
        f->nrejected++;
    } else if (nfield != c->ncols) {
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

/* One element of the array of updates: a row. Returns 0 or PW_ENOMEM. */
static int feed_json_row(struct pw_feed *f, int row, json_t *o)
{
    struct feed_raw raw;
    char num[NCOLS][64];
    const char *key;
    json_t *v;
    memset(&raw, 0, sizeof raw);
    if (!json_is_object(o)) {
        f->nrejected++;
        return feed_reject(f, row, PW_EFEED_SYNTAX, "", "row is not a JSON object");
    }
    json_object_foreach(o, key, v)
    {
        int col = feed_col_lookup(key, strlen(key));
        if (col == COL_IGNORED)
            continue;
        if (col < 0) {
            f->nrejected++;
            return feed_reject(f, row, PW_EFEED_HEADER, key, "unknown field");
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
            if (!(fabs(d) <= 1e12) || (double)(micro = llround(d * 1e6)) / 1e6 != d) {
                f->nrejected++;
                return feed_reject(f, row, feed_col_codes[col], key,
                                   "%.17g is out of range or has more than 6 decimals "
                                   "(send exact decimals as strings)",
                                   d);
            }
            pw_dec_format(micro, num[col], sizeof num[col]);
            raw.f[col] = num[col];
            raw.len[col] = strlen(num[col]);
        } else if (json_is_boolean(v)) {
            raw.f[col] = json_is_true(v) ? "true" : "false";
            raw.len[col] = strlen(raw.f[col]);
        } else if (!json_is_null(v)) {
            f->nrejected++;
            return feed_reject(f, row, PW_EFEED_SYNTAX, key, "must be a string, number or boolean");
        }
    }
    return feed_take(f, row, &raw);
}

/* The row limit, checked before row (1-based); left: the rows from it on
 * (1 when not known). Returns 1 when reached (they are counted rejected and
 * reported), else 0; *rc: 0 or PW_ENOMEM. */
static int feed_json_full(struct pw_feed *f, int row, size_t left, int *rc)
{
    if (f->nrows + f->nrejected < PW_FEED_MAX_ROWS)
        return 0;
    *rc = feed_reject(f, row, PW_EFEED_TOOMANY, "",
                      "more than %d rows; this and later rows were not read", PW_FEED_MAX_ROWS);
    f->nrejected += left;
    return 1;
}

/* A JSON document that does not parse as a whole is split here into the
 * elements of its array of updates, so that the rows before a syntax error
 * are kept as the README promises (jansson reads whole documents only).
 * The scanner knows strings, escapes and nesting, nothing else: each element
 * is then parsed by jansson alone, and one that does not parse is that row's
 * error. Where elements cannot be delimited any more (an unterminated string,
 * brackets that do not match, the end of the text inside the array), the
 * rest is one error at that row. Line and column are the file's (jansson's
 * convention: 1-based, columns in characters). */
#define FEED_JSON_DEPTH 256

struct feed_json {
    struct pw_feed *f;
    const char *t;
    size_t n, i;
    size_t at, line, col; /* position cursor: offset at is on line, column col */
};

static void feed_json_ws(struct feed_json *j)
{
    while (j->i < j->n && (j->t[j->i] == ' ' || j->t[j->i] == '\t' || j->t[j->i] == '\n' ||
                           j->t[j->i] == '\r'))
        j->i++;
}

/* The line and column of the byte before offset off (the last one read):
 * errors come in file order, so the cursor only moves forward. */
static void feed_json_where(struct feed_json *j, size_t off, int *line, int *col)
{
    if (off > j->n)
        off = j->n;
    if (off < j->at)
        j->at = 0, j->line = 1, j->col = 0;
    for (; j->at < off; j->at++) {
        unsigned char c = (unsigned char)j->t[j->at];
        if (c == '\n')
            j->line++, j->col = 0;
        else if ((c & 0xC0) != 0x80)
            j->col++;
    }
    *line = j->line > INT32_MAX ? INT32_MAX : (int)j->line;
    *col = j->col > INT32_MAX ? INT32_MAX : (int)j->col;
}

/* Moves past the string that starts at j->i. Returns 0, or -1 when it does
 * not end. */
static int feed_json_string(struct feed_json *j)
{
    for (j->i++; j->i < j->n && j->t[j->i] != '"'; j->i++)
        if (j->t[j->i] == '\\')
            j->i++;
    if (j->i >= j->n)
        return -1;
    j->i++;
    return 0;
}

/* Moves past one value from j->i to the ',' or ']' (or '}') that ends it at
 * depth 0, or the end of the text. Returns 0, or -1 when the value cannot be
 * delimited (j->i: where that became clear). */
static int feed_json_skip(struct feed_json *j)
{
    char stack[FEED_JSON_DEPTH];
    size_t depth = 0;
    while (j->i < j->n) {
        char c = j->t[j->i];
        if (c == '"') {
            if (feed_json_string(j))
                return -1;
            continue;
        } else if (c == '[' || c == '{') {
            if (depth == FEED_JSON_DEPTH)
                return -1;
            stack[depth++] = c;
        } else if (c == ']' || c == '}') {
            if (depth == 0)
                return 0;
            if (stack[--depth] != (c == ']' ? '[' : '{'))
                return -1;
        } else if (c == ',' && depth == 0) {
            return 0;
        }
        j->i++;
    }
    return depth ? -1 : 0;
}

/* Records a syntax error at row (0: the file): jansson's reason for the
 * text t[from..to) (flags: JSON_DISABLE_EOF_CHECK to read the rest of the
 * file only as far as one value goes) at its place in the file, or, when
 * that parses, why at offset stop. Returns 0 or PW_ENOMEM. */
static int feed_json_error(struct feed_json *j, int row, size_t from, size_t to, size_t flags,
                           size_t stop, const char *why, const char *tail)
{
    json_error_t e;
    int line, col;
    json_t *v = json_loadb(j->t + from, to - from,
                           flags | JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &e);
    if (v) {
        json_decref(v);
        feed_json_where(j, stop + 1, &line, &col);
    } else {
        feed_json_where(j, from + (size_t)(e.position > 0 ? e.position : 0), &line, &col);
        /* jansson names its own flag here; say what it means */
        why = strstr(e.text, "JSON_ALLOW_NUL") ? "a NUL (\\u0000) in a string" : e.text;
    }
    return feed_reject(j->f, row, PW_EFEED_SYNTAX, "",
                       "malformed JSON: %s (line %d, column %d)%s", why, line, col, tail);
}

static int feed_json_recover(struct pw_feed *f, const char *text, size_t len,
                             const json_error_t *whole)
{
    struct feed_json j = {.f = f, .t = text, .n = len, .line = 1};
    int wrapped = 0, rc = 0;
    feed_json_ws(&j);
    if (j.i < len && text[j.i] == '{') {
        /* {"updates": [...]}: only that key, first */
        json_t *key;
        size_t ks;
        j.i++;
        feed_json_ws(&j);
        ks = j.i;
        if (j.i >= len || text[j.i] != '"' || feed_json_string(&j))
            goto whole;
        key = json_loadb(text + ks, j.i - ks, JSON_DECODE_ANY, NULL);
        if (!json_is_string(key) || strcmp(json_string_value(key), "updates") != 0) {
            if (json_is_string(key)) {
                rc = feed_reject(f, 0, PW_EFEED_HEADER, json_string_value(key),
                                 "unknown top-level key (expected \"updates\": [...])");
                json_decref(key);
                return rc;
            }
            json_decref(key);
            goto whole;
        }
        json_decref(key);
        feed_json_ws(&j);
        if (j.i >= len || text[j.i] != ':')
            goto whole;
        j.i++;
        feed_json_ws(&j);
        wrapped = 1;
    }
    if (j.i >= len || text[j.i] != '[')
        goto whole;
    j.i++;
    feed_json_ws(&j);
    if (j.i < len && text[j.i] == ']') {
        j.i++;
    } else {
        for (int row = 1;; row++) {
            size_t start, end;
            char term;
            int stuck;
            if (feed_json_full(f, row, 1, &rc))
                return rc;
            feed_json_ws(&j);
            start = j.i;
            stuck = feed_json_skip(&j);
            term = j.i < len ? text[j.i] : '\0';
            if (stuck || (term != ',' && term != ']')) {
                /* nothing after this can be told apart: one error for the rest */
                f->nrejected++;
                return feed_json_error(&j, row, start, len, JSON_DISABLE_EOF_CHECK, j.i,
                                       j.i < len ? "brackets do not match"
                                                 : "the text ends inside the array of updates",
                                       "; this and later rows were not read");
            }
            end = j.i;
            while (end > start && (text[end - 1] == ' ' || text[end - 1] == '\t' ||
                                   text[end - 1] == '\n' || text[end - 1] == '\r'))
                end--;
            if (end == start) {
                int line, col;
                feed_json_where(&j, j.i + 1, &line, &col);
                f->nrejected++;
                rc = feed_reject(f, row, PW_EFEED_SYNTAX, "",
                                 "malformed JSON: no row before '%c' (line %d, column %d)", term,
                                 line, col);
            } else {
                json_error_t e;
                json_t *o = json_loadb(text + start, end - start,
                                       JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &e);
                if (o) {
                    rc = feed_json_row(f, row, o);
                    json_decref(o);
                } else {
                    f->nrejected++;
                    rc = feed_json_error(&j, row, start, end, 0, end, "", "");
                }
            }
            if (rc)
                return rc;
            j.i++;
            if (term == ']')
                break;
        }
    }
    const char *what = "unexpected text";
    feed_json_ws(&j);
    if (wrapped && j.i < len && text[j.i] == '}') {
        j.i++;
        feed_json_ws(&j);
    } else if (wrapped) {
        what = "'}' expected";
        if (j.i >= len)
            j.i = len - 1; /* missed at the end */
    }
    if (j.i >= len)
        return 0;
    int line, col;
    feed_json_where(&j, j.i + 1, &line, &col);
    return feed_reject(f, 0, PW_EFEED_SYNTAX, "",
                       "malformed JSON after the rows: %s (line %d, column %d)", what, line, col);
whole:
    return feed_reject(f, 0, PW_EFEED_SYNTAX, "", "malformed JSON: %s (line %d, column %d)",
                       whole->text, whole->line, whole->column);
}

static int feed_parse_json(struct pw_feed *f, const char *text, size_t len)
{
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    int rc = 0;
    if (!root) {
        rc = feed_json_recover(f, text, len, &jerr);
        return rc == PW_ENOMEM ? rc : 0;
    }
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
    for (size_t i = 0; i < n && !rc; i++) {
        if (feed_json_full(f, (int)i + 1, n - i, &rc))
            break;
        rc = feed_json_row(f, (int)i + 1, json_array_get(arr, i));
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
    if ((rc = feed_utf8(buf, len, &text, &tlen, &owned)))
        goto fail;
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
