/* http_form.c - forms and the page shell of the acting pages (see
 * http_form.h). The form is parsed once the whole body is in (the router
 * collects it up to --max-body-bytes): libmicrohttpd's post processor fed
 * the buffer, values longer than its buffer joined from their pieces. */
#include "http_form.h"

#include <jansson.h>
#include <microhttpd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "html.h"
#include "http.h"
#include "http_session.h"

void http_form_free(struct http_form *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->f[i].val);
    f->n = 0;
}

static enum MHD_Result form_iter(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *filename, const char *content_type,
                                 const char *transfer_encoding, const char *data, uint64_t off,
                                 size_t size)
{
    (void)kind;
    (void)transfer_encoding;
    struct http_form *f = cls;
    struct http_form_field *x = NULL;
    if (!key)
        return MHD_YES;
    /* a value longer than the processor's buffer comes in pieces (off > 0) */
    if (off > 0 && f->n && strcmp(f->f[f->n - 1].name, key) == 0) {
        x = &f->f[f->n - 1];
    } else {
        if (f->n == HTTP_FORM_FIELDS_MAX) {
            f->bad = 1;
            return MHD_NO;
        }
        x = &f->f[f->n++];
        memset(x, 0, sizeof *x);
        snprintf(x->name, sizeof x->name, "%s", key);
        snprintf(x->filename, sizeof x->filename, "%s", filename ? filename : "");
        snprintf(x->ctype, sizeof x->ctype, "%s", content_type ? content_type : "");
    }
    char *nv = realloc(x->val, x->len + size + 1);
    if (!nv) {
        f->bad = 1;
        return MHD_NO;
    }
    x->val = nv;
    memcpy(x->val + x->len, data, size);
    x->len += size;
    x->val[x->len] = '\0';
    return MHD_YES;
}

/* The request's body as a form (either content type). Returns 0, or
 * PW_EINVAL (not a form, or malformed / too many fields) with f empty. */
int http_form_parse(struct http_req *r, struct http_form *f)
{
    size_t len = 0;
    const char *body = http_req_body(r, &len);
    memset(f, 0, sizeof *f);
    struct MHD_PostProcessor *pp = MHD_create_post_processor(r->conn, 16384, form_iter, f);
    if (!pp)
        return PW_EINVAL;
    enum MHD_Result ok = len ? MHD_post_process(pp, body, len) : MHD_YES;
    /* the last value of an urlencoded form is delivered here */
    if (MHD_destroy_post_processor(pp) != MHD_YES && ok == MHD_YES && !f->n)
        ok = MHD_NO;
    if (ok != MHD_YES || f->bad) {
        http_form_free(f);
        return PW_EINVAL;
    }
    return 0;
}

const struct http_form_field *http_form_field(const struct http_form *f, const char *name)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->f[i].name, name) == 0)
            return &f->f[i];
    return NULL;
}

/* A text field ("" when absent). */
const char *http_form_val(const struct http_form *f, const char *name)
{
    const struct http_form_field *x = http_form_field(f, name);
    return x && x->val ? x->val : "";
}

/* The caller may write some indicator of the catalog (NULL catalog: not
 * known yet, answered by the handler). */
int http_form_may_write_any(const struct http *h, const struct http_req *r)
{
    for (size_t i = 0; h->cat && i < pw_catalog_count(h->cat); i++)
        if (http_req_may_write(r, pw_catalog_at(h->cat, i)))
            return 1;
    return 0;
}

void http_form_indicator_options(FILE *out, const struct http *h, const struct http_req *r,
                                 int writable_only, const char *selected)
{
    for (size_t i = 0; i < pw_catalog_count(h->cat); i++) {
        const struct pw_indicator *ind = pw_catalog_at(h->cat, i);
        if (writable_only && !http_req_may_write(r, ind))
            continue;
        fputs("<option value=\"", out);
        pw_html_text(out, ind->id);
        fprintf(out, "\"%s>", selected && strcmp(selected, ind->id) == 0 ? " selected" : "");
        pw_html_text(out, ind->id);
        fputs(" — ", out);
        pw_html_text(out, ind->name);
        fputs("</option>", out);
    }
}

int http_form_lang_en(struct http_req *r, const struct http_form *f)
{
    const char *l = f ? http_form_val(f, "lang") : "";
    if (!l[0])
        l = http_req_arg(r, "lang") ? http_req_arg(r, "lang") : "";
    return strcmp(l, "en") == 0;
}

/* The page shell: title, the navigation between the pages (one line), and
 * who acts. */
void http_form_page_open(FILE *out, struct http_req *r, int en, const char *title)
{
    const char *q = en ? "?lang=en" : "";
    const char *actor = http_req_actor(r);
    pw_html_page_open_lang(out, title, en ? "en" : "ja");
    http_session_bar(out, r->h, r); /* who is signed in, and signing out, on every page */
    fprintf(out,
            "<nav class=\"legend\"><a href=\"/%s\">%s</a> · <a href=\"/alerts%s\">%s</a> · "
            "<a href=\"/upload%s\">%s</a> · <a href=\"/subscriptions%s\">%s</a> · "
            "<a href=\"%s?lang=%s\" lang=\"%s\">%s</a></nav>\n<h1>",
            q, en ? "Dashboard" : "ダッシュボード", q, en ? "Alerts" : "アラート", q,
            en ? "Upload" : "取り込み", q, en ? "Webhooks" : "通知先", http_req_path(r),
            en ? "ja" : "en", en ? "ja" : "en", en ? "日本語" : "English");
    pw_html_text(out, title);
    fprintf(out, "</h1>\n<p class=\"legend\" id=\"actor\">%s: ", en ? "Acting as" : "操作者");
    pw_html_text(out, actor ? actor : (en ? "(not signed in: read only)" : "（未認証: 閲覧のみ）"));
    fputs("</p>\n", out);
}

/* The hidden fields every form carries: its action, the CSRF token, the language. */
void http_form_hidden(FILE *out, struct http_req *r, int en, const char *action)
{
    fprintf(out, "<input type=\"hidden\" name=\"action\" value=\"%s\">"
                 "<input type=\"hidden\" name=\"csrf\" value=\"",
            action);
    pw_html_text(out, http_req_csrf_token(r));
    fprintf(out, "\"><input type=\"hidden\" name=\"lang\" value=\"%s\">", en ? "en" : "ja");
}

void http_form_row_open(FILE *out, struct http_req *r, int en, const char *path, const char *cls,
                        const char *action, const char *field, const char *value)
{
    fprintf(out, "<form method=\"post\" action=\"%s\" class=\"%s\">", path, cls);
    http_form_hidden(out, r, en, action);
    fprintf(out, "<input type=\"hidden\" name=\"%s\" value=\"", field);
    pw_html_text(out, value);
    fputs("\">", out);
}

/* A page's memstream, or NULL after answering 500 (see http_form.h). */
FILE *http_form_open(struct http_req *r, char **buf, size_t *len)
{
    FILE *out = open_memstream(buf, len);
    if (!out)
        http_req_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, PW_ENOMEM, "out of memory");
    return out;
}

/* Sends the memstream page (closed here) with status. */
void http_form_send(struct http_req *r, unsigned status, FILE *out, char **buf, size_t *len)
{
    pw_html_page_close(out);
    fclose(out);
    if (!*buf)
        http_req_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, PW_ENOMEM, "out of memory");
    else
        http_req_respond(r, status, "text/html; charset=utf-8", *buf, *len,
                         status == MHD_HTTP_SERVICE_UNAVAILABLE ? "Retry-After: 5" : NULL);
    free(*buf);
}

/* A page saying what happened (a form's outcome) with the way back. */
void http_form_result(struct http_req *r, int en, unsigned status, const char *back,
                      const char *title, const char *what, const char *code)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = http_form_open(r, &buf, &len);
    if (!out)
        return;
    http_form_page_open(out, r, en, title);
    fprintf(out, "<p id=\"result\" data-status=\"%u\"%s>", status,
            status >= 300 ? " role=\"alert\" class=\"st st-behind\"" : " class=\"st st-on-track\"");
    pw_html_text(out, what);
    if (code && code[0]) {
        fputs(" (", out);
        pw_html_text(out, code);
        fputs(")", out);
    }
    fprintf(out, "</p>\n<p><a href=\"%s%s\">%s</a></p>\n", back, en ? "?lang=en" : "",
            en ? "Back" : "戻る");
    http_form_send(r, status, out, &buf, &len);
}

/* A refusal, as the request asked to be answered: a page or JSON. */
void http_form_fail(struct http_req *r, int html, int en, unsigned status, int code,
                    const char *why)
{
    if (!html) {
        http_req_error(r, status, code, why);
        return;
    }
    const char *back = strcmp(http_req_path(r), "/upload") == 0 ? "/upload"
                       : strcmp(http_req_path(r), "/subscriptions") == 0 ? "/subscriptions"
                                                                         : "/alerts";
    http_form_result(r, en, status, back, en ? "Not done" : "実行できませんでした", why,
                     code ? pw_errname(code) : NULL);
}
