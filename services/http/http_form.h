/* http_form.h - what the acting pages (http_act.c, http_upload.c) share: a
 * request's form, read with libmicrohttpd's post processor from either
 * content type (multipart/form-data, application/x-www-form-urlencoded);
 * the page shell (navigation between the pages, who acts, Japanese first or
 * English); the hidden fields every form carries (its action, the CSRF token
 * of http_session.h, the language); and answering a page or a refusal.
 * Pages go to a memstream and are answered whole. */
#ifndef HTTP_FORM_H
#define HTTP_FORM_H

#include <stddef.h>
#include <stdio.h>

struct http;
struct http_req;

#define HTTP_FORM_FIELDS_MAX 24 /* form fields kept; more are refused */

struct http_form_field {
    char name[40];
    char *val;          /* NUL-terminated (a file may hold NULs: use len) */
    size_t len;
    char filename[256]; /* a file part's name, else "" */
    char ctype[128];    /* a file part's type, else "" */
};

struct http_form {
    struct http_form_field f[HTTP_FORM_FIELDS_MAX];
    size_t n;
    int bad;            /* too many fields or out of memory */
};

/* Reads r's body as a form into *f (caller frees with http_form_free).
 * Returns 0, or PW_EINVAL (not a form's content type, malformed, more than
 * HTTP_FORM_FIELDS_MAX fields, or out of memory) with f empty. */
int http_form_parse(struct http_req *r, struct http_form *f);
void http_form_free(struct http_form *f);
/* The first field called name (borrowed from f), or NULL. */
const struct http_form_field *http_form_field(const struct http_form *f, const char *name);
/* Its value as text; "" when absent. */
const char *http_form_val(const struct http_form *f, const char *name);

/* The page is English: the form's lang=en, else ?lang=en (f may be NULL). */
int http_form_lang_en(struct http_req *r, const struct http_form *f);
/* A memstream for a page into *buf, *len (NULL, 0 on entry; the caller
 * hands them to http_form_send): the stream, or NULL after answering r 500
 * (out of memory). */
FILE *http_form_open(struct http_req *r, char **buf, size_t *len);
/* Opens a page on out: <html lang>, the navigation, the title as <h1>, who acts. */
void http_form_page_open(FILE *out, struct http_req *r, int en, const char *title);
/* The hidden fields of a form: action, csrf (http_req_csrf_token), lang. */
void http_form_hidden(FILE *out, struct http_req *r, int en, const char *action);
/* Opens the form of one table row's action: <form method=post action=path
 * class=cls>, its hidden fields (http_form_hidden) and the row's key as a
 * hidden field=value (escaped). The caller adds the rest and </form>. */
void http_form_row_open(FILE *out, struct http_req *r, int en, const char *path, const char *cls,
                        const char *action, const char *field, const char *value);
/* Closes the page, the memstream out (of *buf, *len) and answers r with
 * status (503: Retry-After); frees *buf. */
void http_form_send(struct http_req *r, unsigned status, FILE *out, char **buf, size_t *len);
/* A page saying what happened (code: a PW_E name, or NULL) with a link back. */
void http_form_result(struct http_req *r, int en, unsigned status, const char *back,
                      const char *title, const char *what, const char *code);
/* A refusal: that page (html), else the JSON error body. */
void http_form_fail(struct http_req *r, int html, int en, unsigned status, int code,
                    const char *why);

/* The caller may write some indicator of h's catalog (none loaded: 0). */
int http_form_may_write_any(const struct http *h, const struct http_req *r);
/* <option>s of the catalog's indicators (writable_only: those the caller
 * may write), selected marking one (NULL: none). */
void http_form_indicator_options(FILE *out, const struct http *h, const struct http_req *r,
                                 int writable_only, const char *selected);

#endif
