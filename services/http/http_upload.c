/* http_upload.c - the upload page (README "Acting in the browser"): a feed
 * file (CSV, JSON or xlsx, multipart) is previewed first - read as POST
 * /api/v1/feeds reads it, every row within the caller's scope validated
 * against the catalog by the door (http_feed_start's dry run: ingest is not
 * asked), nothing stored - then imported from the preview page's own form,
 * which carries the same bytes in base64 (nothing waits on the server, so
 * any replica takes the import); a figure is retracted from its form. The
 * import summary (http_feed.c) becomes a page listing every conflict by row
 * and column. Also POST /api/v1/feeds with a multipart body (its part
 * "file"). The write scope is checked per row by http_feed.c. */
#include <jansson.h>
#include <microhttpd.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "err.h"
#include "feed.h"
#include "html.h"
#include "http.h"
#include "http_form.h"
#include "http_session.h"

void http_upload_page(struct http *h, struct http_req *r, int en)
{
    char *buf = NULL;
    size_t len = 0;
    int write = http_form_may_write_any(h, r);
    FILE *out = http_form_open(r, &buf, &len);
    if (!out)
        return;
    http_form_page_open(out, r, en, en ? "Upload a feed" : "実績の取り込み");
    if (!write) {
        fprintf(out, "<p id=\"read-only\">%s</p>\n",
                en ? "Read only: uploading and retracting need a write scope."
                   : "閲覧のみ: 取り込み・取り消しには書き込み権限が必要です。");
        http_form_send(r, MHD_HTTP_OK, out, &buf, &len);
        return;
    }
    fprintf(out, "<p>%s</p>\n<form method=\"post\" action=\"/upload\" "
                 "enctype=\"multipart/form-data\" id=\"upload-form\">",
            en ? "A CSV, JSON or Excel (.xlsx) file in the feed format (a filled-in template). "
                 "It is checked first and nothing is stored until you import it."
               : "実績ファイル（CSV・JSON・Excel .xlsx、テンプレートに記入したもの）。まず確認し、"
                 "取り込むまで何も保存されません。");
    http_form_hidden(out, r, en, "preview");
    fprintf(out, "<label>%s<input type=\"file\" name=\"file\" required "
                 "accept=\".csv,.json,.xlsx,text/csv,application/json,%s\"></label>"
                 "<button>%s</button></form>\n",
            en ? "file" : "ファイル", HTTP_XLSX_TYPE,
            en ? "Check (dry run)" : "確認する（保存しない）");
    fprintf(out, "<h2>%s</h2>\n<form method=\"post\" action=\"/upload\" id=\"retract-form\">",
            en ? "Retract a figure" : "実績の取り消し");
    http_form_hidden(out, r, en, "retract");
    fprintf(out, "<label>%s<select name=\"indicator_id\" required>", en ? "indicator" : "指標");
    http_form_indicator_options(out, h, r, 1, NULL);
    fprintf(out, "</select></label><label>%s<input name=\"fiscal_year\" required "
                 "placeholder=\"2024 / 令和6\"></label><button>%s</button></form>\n",
            en ? "fiscal year" : "年度", en ? "Retract" : "取り消す");
    http_form_send(r, MHD_HTTP_OK, out, &buf, &len);
}

/* ---- the import summary as a page ----------------------------------------------- */

struct up_job {
    int en;
    int preview;          /* a dry run: offer the import */
    int retract;
    char filename[256];
    char *b64;            /* the file, for the import button (owned) */
};

static void up_free(void *p)
{
    struct up_job *u = p;
    if (u)
        free(u->b64);
    free(u);
}

static const char *up_jstr(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static void up_render(struct http_req *r, unsigned status, json_t *doc, void *arg)
{
    const struct up_job *u = arg;
    int en = u->en;
    char *buf = NULL;
    size_t len = 0;
    FILE *out = http_form_open(r, &buf, &len);
    if (!out)
        return;
    json_t *count = json_object_get(doc, "import_count"), *conflicts = json_object_get(doc, "conflicts"),
           *rows = json_object_get(doc, "rows"), *warnings = json_object_get(doc, "warnings");
    long long acc = json_integer_value(json_object_get(count, "accepted")),
              unch = json_integer_value(json_object_get(count, "unchanged")),
              rej = json_integer_value(json_object_get(count, "rejected")),
              unav = json_integer_value(json_object_get(count, "unavailable"));
    http_form_page_open(out, r, en,
                        u->preview ? (en ? "Check before import (nothing stored)" : "取り込み前の確認（未保存）")
                        : u->retract ? (en ? "Retraction" : "取り消しの結果")
                                     : (en ? "Import summary" : "取り込み結果"));
    if (u->filename[0]) {
        fprintf(out, "<p>%s: ", en ? "file" : "ファイル");
        pw_html_text(out, u->filename);
        fputs("</p>\n", out);
    }
    fprintf(out, "<p id=\"summary\" data-status=\"%s\" data-http-status=\"%u\" class=\"st %s\">",
            up_jstr(doc, "status"), status,
            status == MHD_HTTP_OK ? "st-on-track" : acc + unch ? "st-at-risk" : "st-behind");
    if (u->preview)
        fprintf(out, en ? "%lld valid, %lld rejected; nothing was stored."
                        : "有効 %lld 行、却下 %lld 行。まだ何も保存していません。",
                acc, rej);
    else
        fprintf(out, en ? "%lld accepted, %lld unchanged, %lld rejected, %lld not confirmed."
                        : "取り込み %lld 行、変更なし %lld 行、却下 %lld 行、未確認 %lld 行。",
                acc, unch, rej, unav);
    fputs("</p>\n", out);
    size_t nc = json_array_size(conflicts);
    fprintf(out, "<h2>%s (%zu)</h2>\n", en ? "Conflicts by row and column" : "却下・問題（行・列ごと）",
            nc);
    if (nc) {
        fprintf(out, "<table id=\"conflicts\"><thead><tr><th>%s</th><th>%s</th><th>%s</th>"
                     "<th>%s</th><th>%s</th></tr></thead><tbody>\n",
                en ? "row" : "行", en ? "column" : "列", en ? "indicator" : "指標",
                en ? "code" : "コード", en ? "reason" : "理由");
        for (size_t i = 0; i < nc; i++) {
            json_t *x = json_array_get(conflicts, i);
            fprintf(out, "<tr data-row=\"%lld\" data-column=\"",
                    (long long)json_integer_value(json_object_get(x, "row")));
            pw_html_text(out, up_jstr(x, "column"));
            fprintf(out, "\"><td>%lld</td><td>", (long long)json_integer_value(json_object_get(x, "row")));
            pw_html_text(out, up_jstr(x, "column"));
            fputs("</td><td>", out);
            pw_html_text(out, up_jstr(x, "indicator_id"));
            fputs("</td><td>", out);
            pw_html_text(out, up_jstr(x, "code"));
            fputs("</td><td>", out);
            pw_html_text(out, up_jstr(x, "reason"));
            fputs("</td></tr>\n", out);
        }
        fputs("</tbody></table>\n", out);
    }
    for (size_t i = 0; i < json_array_size(warnings); i++) {
        json_t *x = json_array_get(warnings, i);
        fprintf(out, "<p class=\"warning\">%s %lld, ", en ? "warning: row" : "注意: 行",
                (long long)json_integer_value(json_object_get(x, "row")));
        pw_html_text(out, up_jstr(x, "column"));
        fputs(": ", out);
        pw_html_text(out, up_jstr(x, "reason"));
        fputs("</p>\n", out);
    }
    fprintf(out, "<h2>%s</h2>\n<table id=\"rows\"><thead><tr><th>%s</th><th>%s</th><th>%s</th>"
                 "</tr></thead><tbody>\n",
            en ? "Rows" : "行ごとの結果", en ? "row" : "行", en ? "indicator" : "指標",
            en ? "status" : "状態");
    for (size_t i = 0; i < json_array_size(rows); i++) {
        json_t *x = json_array_get(rows, i);
        fprintf(out, "<tr data-row=\"%lld\" data-status=\"%s\"><td>%lld</td><td>",
                (long long)json_integer_value(json_object_get(x, "row")), up_jstr(x, "status"),
                (long long)json_integer_value(json_object_get(x, "row")));
        pw_html_text(out, up_jstr(x, "indicator_id"));
        fputs("</td><td>", out);
        pw_html_text(out, up_jstr(x, "status"));
        if (up_jstr(x, "reason")[0]) {
            fputs(": ", out);
            pw_html_text(out, up_jstr(x, "reason"));
        }
        fputs("</td></tr>\n", out);
    }
    fputs("</tbody></table>\n", out);
    if (u->preview && acc > 0 && u->b64) {
        /* the same bytes again: the preview keeps nothing on the server */
        fputs("<form method=\"post\" action=\"/upload\" enctype=\"multipart/form-data\" "
              "id=\"import-form\">",
              out);
        http_form_hidden(out, r, en, "import");
        fputs("<input type=\"hidden\" name=\"filename\" value=\"", out);
        pw_html_text(out, u->filename);
        fputs("\"><input type=\"hidden\" name=\"content_b64\" value=\"", out);
        fputs(u->b64, out); /* base64: nothing to escape */
        fprintf(out, "\"><button>%s</button></form>\n",
                rej ? (en ? "Import the valid rows" : "有効な行を取り込む")
                    : (en ? "Import" : "取り込む"));
    }
    fprintf(out, "<p><a href=\"/upload%s\">%s</a></p>\n", en ? "?lang=en" : "",
            en ? "Upload another file" : "別のファイルを取り込む");
    /* the feed's own status: 200, 409 some rows refused, 403 none in scope, ... */
    http_form_send(r, status, out, &buf, &len);
}

/* The format of an uploaded part: its type, else its name's extension,
 * else the content (pw_feed_parse sniffs CSV or JSON). */
static enum pw_feed_format up_format(const char *ctype, const char *name)
{
    size_t nl = strlen(name);
    if (strncasecmp(ctype, HTTP_XLSX_TYPE, strlen(HTTP_XLSX_TYPE)) == 0 ||
        (nl > 5 && strcasecmp(name + nl - 5, ".xlsx") == 0))
        return PW_FEED_XLSX;
    if (strncasecmp(ctype, "application/json", 16) == 0 ||
        (nl > 5 && strcasecmp(name + nl - 5, ".json") == 0))
        return PW_FEED_JSON;
    if (strncasecmp(ctype, "text/csv", 8) == 0 || (nl > 4 && strcasecmp(name + nl - 4, ".csv") == 0))
        return PW_FEED_CSV;
    return PW_FEED_AUTO;
}

/* POST /upload: preview (a file part "file", or "content_b64" with
 * "filename"), import (the same, stored), retract. */
void http_upload_post(struct http *h, struct http_req *r, const struct http_form *f, int en)
{
    const char *action = http_form_val(f, "action");
    struct up_job *u = calloc(1, sizeof *u);
    char *bytes = NULL;
    size_t n = 0;
    if (!u) {
        http_req_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, PW_ENOMEM, "out of memory");
        return;
    }
    u->en = en;
    if (strcmp(action, "retract") == 0) {
        const char *id = http_form_val(f, "indicator_id"), *fy = http_form_val(f, "fiscal_year");
        json_t *feed = json_pack("{s:[{s:s, s:s, s:b}]}", "updates", "indicator_id", id,
                                 "fiscal_year", fy, "retract", 1);
        char *text = feed ? json_dumps(feed, JSON_COMPACT) : NULL;
        json_decref(feed);
        if (!text || !id[0] || !fy[0]) {
            free(text);
            up_free(u);
            http_form_fail(r, 1, en, MHD_HTTP_BAD_REQUEST, PW_EINVAL,
                           en ? "give the indicator and the fiscal year" : "指標と年度を指定してください");
            return;
        }
        u->retract = 1;
        h->feeds++;
        http_feed_start(h, r, text, strlen(text), PW_FEED_JSON, 0, up_render, u,
                        up_free);
        free(text);
        return;
    }
    int preview = strcmp(action, "preview") == 0;
    if (!preview && strcmp(action, "import") != 0) {
        up_free(u);
        http_form_fail(r, 1, en, MHD_HTTP_BAD_REQUEST, PW_EINVAL,
                       "action is preview, import or retract");
        return;
    }
    const struct http_form_field *file = http_form_field(f, "file");
    const char *ctype = "", *name = http_form_val(f, "filename");
    if (file && file->filename[0]) {
        bytes = malloc(file->len + 1);
        if (bytes) {
            memcpy(bytes, file->val ? file->val : "", file->len);
            n = file->len;
        }
        ctype = file->ctype;
        name = file->filename;
    } else {
        const char *b = http_form_val(f, "content_b64");
        size_t bl = strlen(b);
        bytes = malloc(bl / 4 * 3 + 4);
        if (bytes && sodium_base642bin((unsigned char *)bytes, bl / 4 * 3 + 4, b, bl, " \r\n",
                                       &n, NULL, sodium_base64_VARIANT_ORIGINAL) != 0) {
            free(bytes);
            up_free(u);
            http_form_fail(r, 1, en, MHD_HTTP_BAD_REQUEST, PW_EINVAL,
                           "content_b64 is not base64");
            return;
        }
    }
    if (!bytes || (preview && n && !(u->b64 = malloc(sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL))))) {
        free(bytes);
        up_free(u);
        http_req_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, PW_ENOMEM, "out of memory");
        return;
    }
    if (n == 0) {
        free(bytes);
        up_free(u);
        http_form_fail(r, 1, en, MHD_HTTP_BAD_REQUEST, PW_EINVAL,
                       en ? "choose a file (it was empty or missing)" : "ファイルを選んでください（空か未指定です）");
        return;
    }
    if (u->b64)
        sodium_bin2base64(u->b64, sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL),
                          (const unsigned char *)bytes, n, sodium_base64_VARIANT_ORIGINAL);
    snprintf(u->filename, sizeof u->filename, "%s", name);
    u->preview = preview;
    h->feeds++;
    http_feed_start(h, r, bytes, n, up_format(ctype, name), preview, up_render, u,
                    up_free);
    free(bytes);
}

void http_upload_feed_multipart(struct http *h, struct http_req *r)
{
    struct http_form f;
    if (http_form_parse(r, &f)) {
        http_req_error(r, MHD_HTTP_BAD_REQUEST, PW_EINVAL,
                       "the multipart body is malformed or has more than 24 parts");
        return;
    }
    const struct http_form_field *file = http_form_field(&f, "file");
    const char *dry = http_form_val(&f, "dry_run");
    if (!http_req_csrf_ok(r, http_form_val(&f, "csrf"))) {
        http_form_free(&f);
        http_req_error(r, MHD_HTTP_FORBIDDEN, PW_EFORBIDDEN, "the form's CSRF token is missing or wrong");
        return;
    }
    if (!file) {
        http_form_free(&f);
        http_req_error(r, MHD_HTTP_BAD_REQUEST, PW_EINVAL, "send the feed as the part named \"file\"");
        return;
    }
    if (!dry[0])
        dry = http_req_arg(r, "dry_run") ? http_req_arg(r, "dry_run") : "false";
    int d = strcmp(dry, "true") == 0 || strcmp(dry, "1") == 0;
    if (!d && strcmp(dry, "false") != 0 && strcmp(dry, "0") != 0) {
        http_form_free(&f);
        http_req_error(r, MHD_HTTP_BAD_REQUEST, PW_EINVAL, "dry_run is true or false");
        return;
    }
    http_feed_start(h, r, file->val ? file->val : "", file->len,
                    up_format(file->ctype, file->filename), d, NULL, NULL, NULL);
    http_form_free(&f);
}
