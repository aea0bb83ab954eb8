/* xlsxread.c - the first worksheet of an .xlsx as rows of cell texts (see
 * xlsxread.h). The archive is read from memory with libzip; each XML part is
 * inflated whole (bounded) and parsed with expat without namespace
 * processing, so element names are matched on their local part: writers
 * differ in prefixes. Shared strings concatenate their runs (<r><t>) and
 * skip the phonetic guides (<rPh>) Japanese Excel adds. */
#include "xlsxread.h"

#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "err.h"

int pw_xlsxread_sniff(const char *buf, size_t len)
{
    return len >= 4 && memcmp(buf, "PK\x03\x04", 4) == 0;
}

/* The local part of an XML name ("x:sheet" -> "sheet"). */
static const char *xl_local(const char *name)
{
    const char *c = strrchr(name, ':');
    return c ? c + 1 : name;
}

static const char *xl_attr(const char **attrs, const char *local)
{
    for (int i = 0; attrs[i]; i += 2)
        if (strcmp(xl_local(attrs[i]), local) == 0)
            return attrs[i + 1];
    return NULL;
}

/* Inflates part name of z into *out (caller frees; NUL-terminated). Returns
 * 0, PW_ENOTFOUND, PW_ETOOBIG, PW_ESYNTAX or PW_ENOMEM. */
static int xl_part(zip_t *z, const char *name, char **out, size_t *olen)
{
    zip_stat_t st;
    zip_stat_init(&st);
    zip_int64_t idx = zip_name_locate(z, name, ZIP_FL_NOCASE);
    if (idx < 0)
        return PW_ENOTFOUND;
    if (zip_stat_index(z, (zip_uint64_t)idx, 0, &st) || !(st.valid & ZIP_STAT_SIZE))
        return PW_ESYNTAX;
    if (st.size > PW_XLSXREAD_MAX_BYTES)
        return PW_ETOOBIG;
    zip_file_t *f = zip_fopen_index(z, (zip_uint64_t)idx, 0);
    if (!f)
        return PW_ESYNTAX;
    char *b = malloc((size_t)st.size + 1);
    int rc = 0;
    zip_int64_t got = 0;
    if (!b)
        rc = PW_ENOMEM;
    else if ((got = zip_fread(f, b, st.size)) < 0 || (zip_uint64_t)got != st.size)
        rc = PW_ESYNTAX; /* corrupt data, CRC mismatch or a lying size */
    zip_fclose(f);
    if (rc) {
        free(b);
        return rc;
    }
    b[st.size] = '\0';
    *out = b;
    *olen = (size_t)st.size;
    return 0;
}

/* ---- a growing text buffer, bounded ----------------------------------- */

struct xl_text {
    char *s;
    size_t len, cap, max;
    int nomem;
};

static void xl_text_add(struct xl_text *t, const char *s, size_t n)
{
    if (t->len + n > t->max) {
        n = t->max > t->len ? t->max - t->len : 0;
        /* cut before a character, never inside one: a text cut short is
         * too long for its column, not "not UTF-8" */
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    if (!n || t->nomem)
        return;
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 64;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *p = realloc(t->s, cap);
        if (!p) {
            t->nomem = 1;
            return;
        }
        t->s = p;
        t->cap = cap;
    }
    memcpy(t->s + t->len, s, n);
    t->len += n;
    t->s[t->len] = '\0';
}

/* ---- XML driver ----------------------------------------------------------- */

struct xl_ctx {
    XML_Parser p;
    int rc;              /* first error: stops the parse */
    char why[160];
};

static void XMLCALL xl_doctype(void *data, const XML_Char *name, const XML_Char *sys,
                               const XML_Char *pub, int internal)
{
    struct xl_ctx *x = data;
    (void)name, (void)sys, (void)pub, (void)internal;
    x->rc = PW_ESYNTAX;
    snprintf(x->why, sizeof x->why, "a DOCTYPE in a workbook part (refused)");
    XML_StopParser(x->p, XML_FALSE);
}

/* Parses text with handlers on ud (whose first member is a struct xl_ctx). */
static int xl_parse(struct xl_ctx *x, const char *part, const char *text, size_t len,
                    XML_StartElementHandler start, XML_EndElementHandler end,
                    XML_CharacterDataHandler chars)
{
    XML_Parser p = XML_ParserCreate("UTF-8");
    if (!p)
        return PW_ENOMEM;
    x->p = p;
    XML_SetUserData(p, x);
    XML_SetElementHandler(p, start, end);
    XML_SetCharacterDataHandler(p, chars);
    XML_SetStartDoctypeDeclHandler(p, xl_doctype);
    if (len > (size_t)INT32_MAX)
        len = (size_t)INT32_MAX;
    if (XML_Parse(p, text, (int)len, XML_TRUE) == XML_STATUS_ERROR && !x->rc) {
        x->rc = PW_ESYNTAX;
        snprintf(x->why, sizeof x->why, "%s: malformed XML (%s, line %lu)", part,
                 XML_ErrorString(XML_GetErrorCode(p)), (unsigned long)XML_GetCurrentLineNumber(p));
    }
    XML_ParserFree(p);
    x->p = NULL;
    return x->rc;
}

/* ---- workbook.xml and its relationships: where the first sheet is ------ */

struct xl_book {
    struct xl_ctx x;
    char rid[128];       /* the first <sheet>'s r:id */
    char target[256];    /* its relationship's Target */
    int have_sheet;
};

static void XMLCALL xl_book_start(void *data, const XML_Char *name, const XML_Char **attrs)
{
    struct xl_book *b = data;
    const char *v;
    if (!b->have_sheet && strcmp(xl_local(name), "sheet") == 0) {
        b->have_sheet = 1;
        if ((v = xl_attr(attrs, "id")))
            snprintf(b->rid, sizeof b->rid, "%s", v);
    } else if (strcmp(xl_local(name), "Relationship") == 0 && b->rid[0] && !b->target[0] &&
               (v = xl_attr(attrs, "Id")) && strcmp(v, b->rid) == 0 &&
               (v = xl_attr(attrs, "Target"))) {
        snprintf(b->target, sizeof b->target, "%s", v);
    }
}

static void XMLCALL xl_noend(void *data, const XML_Char *name)
{
    (void)data, (void)name;
}

static void XMLCALL xl_nochars(void *data, const XML_Char *s, int len)
{
    (void)data, (void)s, (void)len;
}

/* The first sheet's part name into path: from the workbook and its rels,
 * else the conventional xl/worksheets/sheet1.xml. */
static int xl_first_sheet(zip_t *z, char *path, size_t n, struct xl_ctx *err)
{
    struct xl_book b;
    char *t = NULL;
    size_t tl;
    int rc;
    memset(&b, 0, sizeof b);
    snprintf(path, n, "xl/worksheets/sheet1.xml");
    if ((rc = xl_part(z, "xl/workbook.xml", &t, &tl)) == 0) {
        rc = xl_parse(&b.x, "xl/workbook.xml", t, tl, xl_book_start, xl_noend, xl_nochars);
        free(t);
        t = NULL;
        if (!rc && b.rid[0] && (rc = xl_part(z, "xl/_rels/workbook.xml.rels", &t, &tl)) == 0) {
            rc = xl_parse(&b.x, "xl/_rels/workbook.xml.rels", t, tl, xl_book_start, xl_noend,
                          xl_nochars);
            free(t);
        }
        if (rc == PW_ENOTFOUND)
            rc = 0;
    } else if (rc == PW_ENOTFOUND) {
        rc = 0;
    }
    if (rc) {
        *err = b.x;
        return rc;
    }
    if (b.target[0] == '/')
        snprintf(path, n, "%s", b.target + 1);
    else if (b.target[0])
        snprintf(path, n, "xl/%s", b.target);
    return 0;
}

/* ---- sharedStrings.xml ------------------------------------------------- */

struct xl_sst {
    struct xl_ctx x;
    char **s;
    size_t n, cap;
    struct xl_text cur;
    int in_si, in_t, in_rph;
};

static void XMLCALL xl_sst_start(void *data, const XML_Char *name, const XML_Char **attrs)
{
    struct xl_sst *s = data;
    const char *l = xl_local(name);
    (void)attrs;
    if (strcmp(l, "si") == 0) {
        s->in_si = 1;
        s->cur.len = 0;
        if (s->cur.s)
            s->cur.s[0] = '\0';
    } else if (strcmp(l, "rPh") == 0) {
        s->in_rph = 1;
    } else if (strcmp(l, "t") == 0 && s->in_si && !s->in_rph) {
        s->in_t = 1;
    }
}

static void XMLCALL xl_sst_end(void *data, const XML_Char *name)
{
    struct xl_sst *s = data;
    const char *l = xl_local(name);
    if (strcmp(l, "t") == 0) {
        s->in_t = 0;
    } else if (strcmp(l, "rPh") == 0) {
        s->in_rph = 0;
    } else if (strcmp(l, "si") == 0 && s->in_si) {
        s->in_si = 0;
        if (s->n == s->cap) {
            size_t cap = s->cap ? s->cap * 2 : 64;
            char **p = realloc(s->s, cap * sizeof *p);
            if (!p)
                goto nomem;
            s->s = p;
            s->cap = cap;
        }
        if (!(s->s[s->n] = strdup(s->cur.s ? s->cur.s : "")))
            goto nomem;
        s->n++;
    }
    return;
nomem:
    s->x.rc = PW_ENOMEM;
    XML_StopParser(s->x.p, XML_FALSE);
}

static void XMLCALL xl_sst_chars(void *data, const XML_Char *t, int len)
{
    struct xl_sst *s = data;
    if (s->in_t)
        xl_text_add(&s->cur, t, (size_t)len);
}

/* ---- the sheet ---------------------------------------------------------- */

struct xl_sheet {
    struct xl_ctx x;
    const struct xl_sst *sst;
    pw_xlsxread_row_fn fn;
    void *data;
    int row, next_row;       /* current row number; the one a row without r= gets */
    int col, next_col;
    char type[16];           /* the cell's t= */
    int in_v, in_is, in_t, in_rph;
    struct xl_text cell;     /* the current cell's text */
    struct xl_text texts;    /* the row's cell texts, NUL-separated */
    struct pw_xlsxread_cell cells[PW_XLSXREAD_MAX_COLS];
    size_t off[PW_XLSXREAD_MAX_COLS];
    size_t ncells;
};

/* "B12" -> column 1; -1 when there are no letters. */
static int xl_ref_col(const char *r)
{
    int c = 0, n = 0;
    for (; *r >= 'A' && *r <= 'Z'; r++, n++) {
        c = c * 26 + (*r - 'A' + 1);
        if (c > PW_XLSXREAD_MAX_COLS)
            return PW_XLSXREAD_MAX_COLS;
    }
    return n ? c - 1 : -1;
}

static void xl_stop(struct xl_sheet *s, int rc, const char *why)
{
    if (!s->x.rc) {
        s->x.rc = rc;
        if (why)
            snprintf(s->x.why, sizeof s->x.why, "%s", why);
    }
    XML_StopParser(s->x.p, XML_FALSE);
}

static void XMLCALL xl_sheet_start(void *data, const XML_Char *name, const XML_Char **attrs)
{
    struct xl_sheet *s = data;
    const char *l = xl_local(name), *v;
    if (strcmp(l, "row") == 0) {
        long r = (v = xl_attr(attrs, "r")) ? strtol(v, NULL, 10) : s->next_row;
        if (r < s->next_row || r > 10000000) {
            xl_stop(s, PW_ESYNTAX, "worksheet rows out of order or numbered past 10,000,000");
            return;
        }
        s->row = (int)r;
        s->next_row = (int)r + 1;
        s->ncells = 0;
        s->next_col = 0;
        s->texts.len = 0;
    } else if (strcmp(l, "c") == 0) {
        int c = (v = xl_attr(attrs, "r")) ? xl_ref_col(v) : -1;
        if (c < 0)
            c = s->next_col;
        if (c >= PW_XLSXREAD_MAX_COLS || c < s->next_col) {
            xl_stop(s, c >= PW_XLSXREAD_MAX_COLS ? PW_ETOOBIG : PW_ESYNTAX,
                    c >= PW_XLSXREAD_MAX_COLS ? "a cell beyond column IV (256 columns)"
                                          : "cells out of order within a row");
            return;
        }
        s->col = c;
        s->next_col = c + 1;
        snprintf(s->type, sizeof s->type, "%s", (v = xl_attr(attrs, "t")) ? v : "n");
        s->cell.len = 0;
        if (s->cell.s)
            s->cell.s[0] = '\0';
    } else if (strcmp(l, "v") == 0) {
        s->in_v = 1;
    } else if (strcmp(l, "is") == 0) {
        s->in_is = 1;
    } else if (strcmp(l, "rPh") == 0) {
        s->in_rph = 1;
    } else if (strcmp(l, "t") == 0 && s->in_is && !s->in_rph) {
        s->in_t = 1;
    }
}

/* Ends a cell: resolves its text and keeps it when not empty. */
static void xl_cell_end(struct xl_sheet *s)
{
    const char *t = s->cell.s ? s->cell.s : "";
    int numeric = 0;
    if (strcmp(s->type, "s") == 0) {
        char *end;
        unsigned long i = strtoul(t, &end, 10);
        if (end == t || *end || i >= s->sst->n) {
            xl_stop(s, PW_ESYNTAX, "a shared-string cell naming no shared string");
            return;
        }
        t = s->sst->s[i];
    } else if (strcmp(s->type, "n") == 0) {
        numeric = 1;
    } else if (strcmp(s->type, "b") == 0) {
        t = strcmp(t, "1") == 0 ? "true" : strcmp(t, "0") == 0 ? "false" : t;
    }
    size_t len = strlen(t);
    if (len == 0)
        return;
    size_t at = s->texts.len;
    xl_text_add(&s->texts, t, len);
    xl_text_add(&s->texts, "", 1); /* the NUL that ends this cell's text */
    if (s->texts.nomem || s->texts.len != at + len + 1) {
        xl_stop(s, PW_ENOMEM, NULL);
        return;
    }
    s->cells[s->ncells] = (struct pw_xlsxread_cell){.col = s->col, .numeric = numeric, .len = len};
    s->off[s->ncells++] = at;
}

static void XMLCALL xl_sheet_end(void *data, const XML_Char *name)
{
    struct xl_sheet *s = data;
    const char *l = xl_local(name);
    if (strcmp(l, "v") == 0) {
        s->in_v = 0;
    } else if (strcmp(l, "t") == 0) {
        s->in_t = 0;
    } else if (strcmp(l, "rPh") == 0) {
        s->in_rph = 0;
    } else if (strcmp(l, "is") == 0) {
        s->in_is = 0;
    } else if (strcmp(l, "c") == 0) {
        if (s->cell.nomem)
            xl_stop(s, PW_ENOMEM, NULL);
        else
            xl_cell_end(s);
    } else if (strcmp(l, "row") == 0) {
        for (size_t i = 0; i < s->ncells; i++)
            s->cells[i].text = s->texts.s + s->off[i];
        int rc = s->fn(s->data, s->row, s->cells, s->ncells);
        if (rc)
            xl_stop(s, rc, NULL);
    }
}

static void XMLCALL xl_sheet_chars(void *data, const XML_Char *t, int len)
{
    struct xl_sheet *s = data;
    if (s->in_v || s->in_t)
        xl_text_add(&s->cell, t, (size_t)len);
}

/* ---- entry point -------------------------------------------------------- */

int pw_xlsxread_rows(const char *buf, size_t len, pw_xlsxread_row_fn fn, void *data, char *why, size_t n)
{
    zip_error_t ze;
    zip_source_t *src = NULL;
    zip_t *z = NULL;
    struct xl_sst sst;
    struct xl_sheet *sh = NULL;
    struct xl_ctx err;
    char *t = NULL, path[300];
    size_t tl;
    int rc;
    memset(&sst, 0, sizeof sst);
    memset(&err, 0, sizeof err);
    sst.cur.max = PW_XLSXREAD_CELL_MAX;
    zip_error_init(&ze);
    if (!(src = zip_source_buffer_create(buf, len, 0, &ze))) {
        rc = PW_ENOMEM;
        goto done;
    }
    if (!(z = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze))) {
        zip_source_free(src);
        rc = PW_ESYNTAX;
        snprintf(err.why, sizeof err.why, "not an .xlsx workbook: %s", zip_error_strerror(&ze));
        goto done;
    }
    if ((rc = xl_first_sheet(z, path, sizeof path, &err)))
        goto done;
    rc = xl_part(z, "xl/sharedStrings.xml", &t, &tl);
    if (rc == 0) {
        rc = xl_parse(&sst.x, "xl/sharedStrings.xml", t, tl, xl_sst_start, xl_sst_end,
                      xl_sst_chars);
        if (rc == 0 && sst.cur.nomem)
            rc = PW_ENOMEM;
        free(t);
        t = NULL;
        if (rc) {
            err = sst.x;
            goto done;
        }
    } else if (rc != PW_ENOTFOUND) {
        goto part_err;
    }
    if ((rc = xl_part(z, path, &t, &tl))) {
        if (rc == PW_ENOTFOUND)
            rc = PW_ESYNTAX;
        goto part_err;
    }
    if (!(sh = calloc(1, sizeof *sh))) {
        rc = PW_ENOMEM;
        goto done;
    }
    sh->sst = &sst;
    sh->fn = fn;
    sh->data = data;
    sh->next_row = 1;
    sh->cell.max = PW_XLSXREAD_CELL_MAX;
    sh->texts.max = (size_t)PW_XLSXREAD_MAX_COLS * (PW_XLSXREAD_CELL_MAX + 2);
    rc = xl_parse(&sh->x, path, t, tl, xl_sheet_start, xl_sheet_end, xl_sheet_chars);
    err = sh->x;
    goto done;
part_err:
    if (!err.why[0])
        snprintf(err.why, sizeof err.why, "%s: %s", path,
                 rc == PW_ETOOBIG ? "larger than 64 MiB uncompressed"
                 : rc == PW_ESYNTAX ? "missing or corrupt"
                                    : "cannot be read");
done:
    if (rc && why && n)
        snprintf(why, n, "%s", err.why[0] ? err.why : pw_strerror(rc));
    if (sh) {
        free(sh->cell.s);
        free(sh->texts.s);
        free(sh);
    }
    free(t);
    for (size_t i = 0; i < sst.n; i++)
        free(sst.s[i]);
    free(sst.s);
    free(sst.cur.s);
    if (z)
        zip_discard(z);
    zip_error_fini(&ze);
    return rc;
}
