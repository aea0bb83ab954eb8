/* http_act.c - acting through the HTTP door (README "Acting in the
 * browser"): the routes of acting and their checks that need no body, the
 * alerts page (acknowledge with the 要因分析, silence, lift a silence,
 * record the secretariat's assessment) and the subscriptions page (subscribe,
 * unsubscribe), each action also a JSON call (POST /api/v1/alerts/{id}/ack,
 * /api/v1/silences[/{id}/lift], /api/v1/subscriptions[/{id}]); the upload
 * page is http_upload.c's. Who may do what comes from http_session.h only:
 * the actor's name is what the store records as "by", the manage right
 * gates every action here; every state-changing request passes
 * http_req_csrf_ok. The store checks and keeps everything, as for the CLI.
 * Pages are server-rendered, Japanese first (?lang=en, or the form field
 * lang=en: English), no scripts, no external assets; a form is shown only to
 * whoever may use it. Single-threaded like every handler. */
#include <jansson.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "err.h"
#include "feed.h"
#include "fy.h"
#include "html.h"
#include "http.h"
#include "http_form.h"
#include "http_session.h"
#include "log.h"
#include "msg.h"

#define ACT_ID_MAX 200     /* alert ids and path ids (the store's bound) */
#define ACT_FORM_TYPE "application/x-www-form-urlencoded"
#define ACT_MULTIPART "multipart/form-data"

/* ---- routes ------------------------------------------------------------------ */

enum act_rt {
    RT_NONE,
    RT_UPLOAD,      /* /upload: GET the forms, POST preview | import | retract */
    RT_ALERTS,      /* /alerts: GET open alerts, POST ack | silence | lift | assess */
    RT_SUBS_PAGE,   /* /subscriptions: GET the list, POST subscribe | unsubscribe */
    RT_ACK,         /* POST /api/v1/alerts/{id}/ack */
    RT_SILENCES,    /* POST /api/v1/silences */
    RT_LIFT,        /* POST /api/v1/silences/{id}/lift */
    RT_SUBS,        /* GET, POST /api/v1/subscriptions */
    RT_SUB,         /* DELETE /api/v1/subscriptions/{id} */
};

/* p = prefix ID suffix, ID non-empty without '/' and shorter than n. */
static int act_mid(const char *p, const char *prefix, const char *suffix, char *id, size_t n)
{
    size_t pl = strlen(prefix), sl = strlen(suffix), len = strlen(p);
    if (strncmp(p, prefix, pl) != 0 || len < pl + sl + 1 || strcmp(p + len - sl, suffix) != 0)
        return 0;
    size_t il = len - pl - sl;
    if (il >= n || memchr(p + pl, '/', il))
        return 0;
    memcpy(id, p + pl, il);
    id[il] = '\0';
    return 1;
}

static enum act_rt act_rt_of(const char *p, char *id, size_t n)
{
    id[0] = '\0';
    if (strcmp(p, "/upload") == 0)
        return RT_UPLOAD;
    if (strcmp(p, "/alerts") == 0)
        return RT_ALERTS;
    if (strcmp(p, "/subscriptions") == 0)
        return RT_SUBS_PAGE;
    if (strcmp(p, "/api/v1/silences") == 0)
        return RT_SILENCES;
    if (strcmp(p, "/api/v1/subscriptions") == 0)
        return RT_SUBS;
    if (act_mid(p, "/api/v1/alerts/", "/ack", id, n))
        return RT_ACK;
    if (act_mid(p, "/api/v1/silences/", "/lift", id, n))
        return RT_LIFT;
    if (act_mid(p, "/api/v1/subscriptions/", "", id, n))
        return RT_SUB;
    return RT_NONE;
}

static int act_page(enum act_rt rt)
{
    return rt == RT_UPLOAD || rt == RT_ALERTS || rt == RT_SUBS_PAGE;
}

static int act_is(const struct http_req *r, const char *m)
{
    return strcmp(r->method, m) == 0;
}

static int act_ctype_is(struct http_req *r, const char *type)
{
    const char *ct = http_req_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
    return ct && strncasecmp(ct, type, strlen(type)) == 0;
}


int http_act_precheck(struct http *h, struct http_req *r)
{
    char id[ACT_ID_MAX + 1];
    enum act_rt rt = act_rt_of(r->path, id, sizeof id);
    int get = act_is(r, "GET") || act_is(r, "HEAD");
    if (rt == RT_NONE)
        return 0;
    if (get && (act_page(rt) || rt == RT_SUBS))
        return 0; /* reading: the router's read check */
    int ok = act_page(rt) || rt == RT_SUBS ? act_is(r, "POST")
             : rt == RT_SUB               ? act_is(r, "DELETE")
                                          : act_is(r, "POST");
    if (!ok) {
        http_req_error(r, MHD_HTTP_METHOD_NOT_ALLOWED, PW_EINVAL,
                       act_page(rt) || rt == RT_SUBS ? "GET or POST here"
                       : rt == RT_SUB                ? "DELETE a subscription here"
                                                     : "POST here");
        return 1;
    }
    if (!http_req_actor(r)) {
        http_req_error(r, MHD_HTTP_UNAUTHORIZED, PW_EUNAUTHORIZED,
                       http_req_header(r, MHD_HTTP_HEADER_AUTHORIZATION)
                           ? "unknown token"
                           : "acting needs a bearer token (Authorization: Bearer ...) or signing in");
        return 1;
    }
    /* uploading and retracting: the write scope, per indicator (handler);
     * everything else here is the manage right */
    if (rt != RT_UPLOAD && !http_req_may_manage(r)) {
        http_req_error(r, MHD_HTTP_FORBIDDEN, PW_EFORBIDDEN,
                       "this caller may not manage alerts, assessments or subscriptions "
                       "(registry: manage: true)");
        return 1;
    }
    if (rt == RT_UPLOAD && h->cat && !http_form_may_write_any(h, r)) {
        http_req_error(r, MHD_HTTP_FORBIDDEN, PW_EFORBIDDEN, "this caller may not write feeds");
        return 1;
    }
    if (act_page(rt) && !act_ctype_is(r, ACT_FORM_TYPE) && !act_ctype_is(r, ACT_MULTIPART)) {
        http_req_error(r, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, PW_EINVAL,
                       "send a form: Content-Type " ACT_MULTIPART " or " ACT_FORM_TYPE);
        return 1;
    }
    if ((rt == RT_ACK || rt == RT_SILENCES || rt == RT_SUBS) && !act_ctype_is(r, "application/json")) {
        http_req_error(r, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, PW_EINVAL,
                       "send Content-Type: application/json");
        return 1;
    }
    const char *cl = http_req_header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl && strtoull(cl, NULL, 10) > (unsigned long long)h->max_body) {
        char why[160];
        snprintf(why, sizeof why, "the body is larger than %ld bytes", h->max_body);
        http_req_error(r, MHD_HTTP_CONTENT_TOO_LARGE, PW_ETOOBIG, why);
    }
    return 1;
}

/* ---- pages ------------------------------------------------------------------- */

/* What a request of this module keeps while the store answers. */
enum act_what {
    ACT_ACK,
    ACT_SILENCE,
    ACT_LIFT,
    ACT_ASSESS,
    ACT_SUBSCRIBE,
    ACT_UNSUBSCRIBE,
    ACT_LIST_ALERTS,
    ACT_LIST_SUBS,
};

struct act_call {
    enum act_what what;
    int html;                       /* answer a page (a form was posted, or a page asked) */
    int en;                         /* English page */
    char id[ACT_ID_MAX + 1];        /* the alert, silence or subscription in question */
    json_t *echo;                   /* the API request's fields, answered back (owned) */
};

static void act_call_free(void *p)
{
    struct act_call *c = p;
    if (c)
        json_decref(c->echo);
    free(c);
}

#define T(c, ja_text, en_text) ((c)->en ? (en_text) : (ja_text))


/* The store's answer as a refusal when it is not a good reply (answered
 * here); 0 when it is. */
static int act_store_failed(struct http_req *r, const struct act_call *c, int rc,
                            Planwatch__V1__MsgType type, const ProtobufCMessage *m)
{
    if (!rc && type == PLANWATCH__V1__MSG_TYPE__MSG_ERROR) {
        const Planwatch__V1__ErrorReply *e = (const Planwatch__V1__ErrorReply *)m;
        http_form_fail(r, c->html, c->en, http_status_of(e->code), e->code,
                       e->reason ? e->reason : "refused");
        return 1;
    }
    if (rc || type != PLANWATCH__V1__MSG_TYPE__MSG_QUERY_REPLY) {
        http_form_fail(r, c->html, c->en, MHD_HTTP_SERVICE_UNAVAILABLE, rc ? rc : PW_EWIRE,
                       "the store did not answer; try again");
        return 1;
    }
    const Planwatch__V1__QueryReply *q = (const Planwatch__V1__QueryReply *)m;
    if (q->code) {
        unsigned st = q->code == PW_ENOTFOUND ? MHD_HTTP_NOT_FOUND
                      : q->code == PW_EINVAL  ? MHD_HTTP_BAD_REQUEST
                                              : http_status_of(q->code);
        http_form_fail(r, c->html, c->en, st, q->code, q->error ? q->error : "refused");
        return 1;
    }
    return 0;
}

static void act_json(struct http_req *r, unsigned status, json_t *doc)
{
    char *text = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
    if (text)
        http_req_respond(r, status, "application/json", text, strlen(text), NULL);
    else
        http_req_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, PW_ENOMEM, "out of memory");
    free(text);
    json_decref(doc);
}

static const char *act_str(const char *s)
{
    return s ? s : "";
}

/* Where a subscription's notifications go, as r's caller may see it: whole
 * for a manager, else without what would let them post there or write to
 * the person (pw_msg_redact_url / _email, written into ubuf and ebuf of
 * ACT_UB and ACT_EB bytes). */
enum { ACT_UB = 2100, ACT_EB = 300 };

static void act_destination(const struct http_req *r, const Planwatch__V1__Subscription *s,
                            const char **url, const char **email, char *ubuf, char *ebuf)
{
    *url = act_str(s->url);
    *email = act_str(s->email);
    if (http_req_may_manage(r))
        return;
    *url = pw_msg_redact_url(*url, ubuf, ACT_UB);
    *email = pw_msg_redact_email(*email, ebuf, ACT_EB);
}

static json_t *act_sub_json(const struct http_req *r, const Planwatch__V1__Subscription *s)
{
    char t[32], ub[ACT_UB], eb[ACT_EB];
    const char *fmt = act_str(s->format), *url, *email;
    act_destination(r, s, &url, &email, ub, eb);
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s}", "id",
                     (json_int_t)s->id, "url", url, "email", email,
                     "format", fmt[0] ? fmt : "json", "plan", act_str(s->plan), "project",
                     act_str(s->project), "indicator_id", act_str(s->indicator_id),
                     "min_severity", pw_msg_severity_name(s->min_severity, 1), "signed",
                     (int)s->has_secret, "created", pw_msg_time(s->created_ns, t, sizeof t),
                     "created_by", act_str(s->created_by));
}

static json_t *act_silence_json(const Planwatch__V1__Silence *s)
{
    char t[32];
    json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)s->id,
                          "plan", act_str(s->plan), "project", act_str(s->project),
                          "indicator_id", act_str(s->indicator_id), "until", act_str(s->until),
                          "comment", act_str(s->comment), "by", act_str(s->by), "created",
                          pw_msg_time(s->created_ns, t, sizeof t));
    if (o && s->lifted_ns) {
        json_object_set_new(o, "lifted", json_string(pw_msg_time(s->lifted_ns, t, sizeof t)));
        json_object_set_new(o, "lifted_by", json_string(act_str(s->lifted_by)));
    }
    return o;
}

/* ---- the pages' bodies -------------------------------------------------------- */

/* A silence's or a subscription's scope: "plan / project / indicator", "*" for any. */
static void act_scope(FILE *out, const char *plan, const char *project, const char *ind)
{
    pw_html_text(out, act_str(plan)[0] ? plan : "*");
    fputs(" / ", out);
    pw_html_text(out, act_str(project)[0] ? project : "*");
    fputs(" / ", out);
    pw_html_text(out, act_str(ind)[0] ? ind : "*");
}


static void act_alerts_page(struct http *h, struct http_req *r, const struct act_call *c,
                            const Planwatch__V1__QueryReply *q)
{
    char *buf = NULL, t[32];
    size_t len = 0;
    int manage = http_req_may_manage(r), en = c->en;
    FILE *out = http_form_open(r, &buf, &len);
    if (!out)
        return;
    http_form_page_open(out, r, en, en ? "Open alerts" : "未解決のアラート");
    if (!manage)
        fprintf(out, "<p id=\"read-only\">%s</p>\n",
                en ? "Read only: acknowledging, silencing and assessing need the manage right."
                   : "閲覧のみ: 確認・サイレンス・評価には管理権限が必要です。");
    fprintf(out, "<table id=\"alerts\"><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
                 "<th>%s</th><th>%s</th>%s</tr></thead><tbody>\n",
            T(c, "アラートID", "alert id"), T(c, "種類・重大度", "kind, severity"),
            T(c, "指標", "indicator"), T(c, "内容", "summary"),
            T(c, "対応（要因分析）", "answer (cause analysis)"), T(c, "時刻 (UTC)", "time (UTC)"),
            manage ? (en ? "<th>act</th>" : "<th>操作</th>") : "");
    for (size_t i = 0; i < q->n_alerts; i++) {
        const Planwatch__V1__Alert *a = q->alerts[i];
        const Planwatch__V1__Ack *ack = NULL;
        const struct pw_indicator *ind = a->indicator_id ? pw_catalog_find(h->cat, a->indicator_id)
                                                         : NULL;
        for (size_t k = 0; k < q->n_acks; k++)
            if (a->alert_id && q->acks[k]->alert_id && !strcmp(a->alert_id, q->acks[k]->alert_id) &&
                (!ack || q->acks[k]->time_ns > ack->time_ns))
                ack = q->acks[k];
        fputs("<tr data-alert=\"", out);
        pw_html_text(out, a->alert_id);
        fputs("\"><td>", out);
        pw_html_text(out, a->alert_id);
        fprintf(out, "</td><td>%s %s</td><td>", pw_msg_kind_name(a->kind),
                pw_msg_severity_name(a->severity, 0));
        if (ind)
            pw_html_indicator_name(out, ind);
        else
            pw_html_text(out, a->indicator_id);
        fputs("</td><td>", out);
        pw_html_text(out, a->summary);
        fputs("</td><td class=\"ack\">", out);
        if (ack) {
            pw_html_text(out, ack->reason);
            fputs(" — ", out);
            pw_html_text(out, ack->by);
        } else {
            fputs(T(c, "未確認", "not acknowledged"), out);
        }
        fprintf(out, "</td><td>%s</td>", pw_msg_time(a->time_ns, t, sizeof t));
        if (manage) {
            fputs("<td>", out);
            http_form_row_open(out, r, en, "/alerts", "ack", "ack", "alert_id", a->alert_id);
            fprintf(out, "<label>%s<textarea name=\"reason\" required maxlength=\"2000\">"
                         "</textarea></label><button>%s</button></form>",
                    T(c, "要因分析", "cause analysis"), T(c, "確認する", "Acknowledge"));
            http_form_row_open(out, r, en, "/alerts", "silence", "silence", "indicator_id",
                               a->indicator_id);
            fprintf(out, "<label>%s<input type=\"date\" name=\"until\" required></label>"
                         "<label>%s<input name=\"comment\" required maxlength=\"2000\"></label>"
                         "<button>%s</button></form></td>",
                    T(c, "通知停止の期限", "mute until"), T(c, "理由", "why"),
                    T(c, "サイレンス", "Silence"));
        }
        fputs("</tr>\n", out);
    }
    fprintf(out, "</tbody></table>\n<p>%zu %s</p>\n", q->n_alerts,
            T(c, "件の未解決アラート", "open alerts"));
    fprintf(out, "<h2>%s</h2>\n<table id=\"silences\"><thead><tr><th>ID</th><th>%s</th>"
                 "<th>%s</th><th>%s</th><th>%s</th>%s</tr></thead><tbody>\n",
            T(c, "有効なサイレンス", "Active silences"), T(c, "対象", "scope"),
            T(c, "期限", "until"), T(c, "理由", "comment"), T(c, "設定者", "by"),
            manage ? (en ? "<th>act</th>" : "<th>操作</th>") : "");
    for (size_t i = 0; i < q->n_silences; i++) {
        const Planwatch__V1__Silence *s = q->silences[i];
        fprintf(out, "<tr data-silence=\"%llu\"><td>%llu</td><td>", (unsigned long long)s->id,
                (unsigned long long)s->id);
        act_scope(out, s->plan, s->project, s->indicator_id);
        fputs("</td><td>", out);
        pw_html_text(out, s->until);
        fputs("</td><td>", out);
        pw_html_text(out, s->comment);
        fputs("</td><td>", out);
        pw_html_text(out, s->by);
        fputs("</td>", out);
        if (manage) {
            char id[24];
            snprintf(id, sizeof id, "%llu", (unsigned long long)s->id);
            fputs("<td>", out);
            http_form_row_open(out, r, en, "/alerts", "lift", "lift", "silence_id", id);
            fprintf(out, "<button>%s</button></form></td>", T(c, "解除する", "Lift now"));
        }
        fputs("</tr>\n", out);
    }
    fputs("</tbody></table>\n", out);
    if (manage) {
        fprintf(out, "<h2>%s</h2>\n<form method=\"post\" action=\"/alerts\" id=\"silence-form\">",
                T(c, "サイレンスを追加（計画・プロジェクト・指標）",
                  "Add a silence (plan, project, indicator)"));
        http_form_hidden(out, r, en, "silence");
        fprintf(out, "<label>%s<select name=\"plan\"><option value=\"\">*</option>",
                T(c, "計画", "plan"));
        for (size_t i = 0; i < pw_catalog_nplans(h->cat); i++) {
            const struct pw_plan *p = pw_catalog_plan(h->cat, i);
            fprintf(out, "<option value=\"%s\">", p->id);
            pw_html_text(out, p->name);
            fputs("</option>", out);
        }
        fprintf(out, "</select></label><label>%s<input name=\"project\" placeholder=\"pj2\"></label>"
                     "<label>%s<select name=\"indicator_id\"><option value=\"\">*</option>",
                T(c, "プロジェクト", "project"), T(c, "指標", "indicator"));
        http_form_indicator_options(out, h, r, 0, NULL);
        fprintf(out, "</select></label><label>%s<input type=\"date\" name=\"until\" required></label>"
                     "<label>%s<input name=\"comment\" required maxlength=\"2000\"></label>"
                     "<button>%s</button></form>\n",
                T(c, "通知停止の期限", "mute until"), T(c, "理由", "why"),
                T(c, "サイレンス", "Silence"));
        fprintf(out, "<h2>%s</h2>\n<form method=\"post\" action=\"/alerts\" id=\"assess-form\">",
                T(c, "事務局の評価を記録", "Record the secretariat's assessment"));
        http_form_hidden(out, r, en, "assess");
        fprintf(out, "<label>%s<select name=\"indicator_id\" required>", T(c, "指標", "indicator"));
        http_form_indicator_options(out, h, r, 0, NULL);
        fprintf(out, "</select></label><label>%s<input name=\"fiscal_year\" required "
                     "placeholder=\"2024 / 令和6\"></label><label>%s<select name=\"grade\">"
                     "<option value=\"A\">A</option><option value=\"B\">B</option>"
                     "<option value=\"withdraw\">%s</option></select></label>"
                     "<label>%s<textarea name=\"reason\" maxlength=\"1023\"></textarea></label>"
                     "<button>%s</button></form>\n",
                T(c, "年度", "fiscal year"), T(c, "評価", "grade"),
                T(c, "取り下げ", "withdraw"), T(c, "理由", "reason"), T(c, "記録する", "Record"));
    }
    http_form_send(r, MHD_HTTP_OK, out, &buf, &len);
}

static void act_subs_page(struct http_req *r, const struct act_call *c,
                          const Planwatch__V1__QueryReply *q)
{
    char *buf = NULL, t[32];
    size_t len = 0;
    int manage = http_req_may_manage(r), en = c->en;
    FILE *out = http_form_open(r, &buf, &len);
    if (!out)
        return;
    http_form_page_open(out, r, en, en ? "Subscriptions" : "通知先");
    fprintf(out, "<table id=\"subscriptions\"><thead><tr><th>ID</th><th>%s</th><th>%s</th>"
                 "<th>%s</th><th>%s</th><th>%s</th><th>%s</th>%s</tr></thead><tbody>\n",
            T(c, "送り先（URL／メール）", "to (URL / email)"), T(c, "形式", "format"),
            T(c, "対象", "scope"), T(c, "重大度", "severity"), T(c, "署名", "signed"),
            T(c, "登録", "created"), manage ? (en ? "<th>act</th>" : "<th>操作</th>") : "");
    for (size_t i = 0; i < q->n_subscriptions; i++) {
        const Planwatch__V1__Subscription *s = q->subscriptions[i];
        const char *fmt = act_str(s->format), *url, *email;
        char ub[ACT_UB], eb[ACT_EB];
        act_destination(r, s, &url, &email, ub, eb);
        fprintf(out, "<tr data-subscription=\"%llu\"><td>%llu</td><td>", (unsigned long long)s->id,
                (unsigned long long)s->id);
        pw_html_text(out, email[0] ? email : url);
        fputs("</td><td>", out);
        pw_html_text(out, fmt[0] ? fmt : "json");
        fputs("</td><td>", out);
        act_scope(out, s->plan, s->project, s->indicator_id);
        fprintf(out, "</td><td>%s</td><td>%s</td><td>%s ", pw_msg_severity_name(s->min_severity, 1),
                s->has_secret ? T(c, "あり", "yes") : T(c, "なし", "no"),
                pw_msg_time(s->created_ns, t, sizeof t));
        pw_html_text(out, s->created_by);
        fputs("</td>", out);
        if (manage) {
            char id[24];
            snprintf(id, sizeof id, "%llu", (unsigned long long)s->id);
            fputs("<td>", out);
            http_form_row_open(out, r, en, "/subscriptions", "unsubscribe", "unsubscribe", "id", id);
            fprintf(out, "<button>%s</button></form></td>", T(c, "登録解除", "Unsubscribe"));
        }
        fputs("</tr>\n", out);
    }
    fputs("</tbody></table>\n", out);
    if (manage) {
        fprintf(out, "<h2>%s</h2>\n<form method=\"post\" action=\"/subscriptions\" "
                     "id=\"subscribe-form\">",
                T(c, "通知先を追加", "Subscribe"));
        http_form_hidden(out, r, en, "subscribe");
        fprintf(out, "<p>%s</p><label>URL<input type=\"url\" name=\"url\" maxlength=\"2048\">"
                     "</label><label>%s<select name=\"format\"><option value=\"\">json</option>"
                     "<option>slack</option><option>alertmanager</option></select></label>"
                     "<label>%s<input type=\"email\" name=\"email\" maxlength=\"254\"></label>"
                     "<label>%s<input name=\"digest\" placeholder=\"mon 09:00\"></label>"
                     "<label>%s<input name=\"plan\"></label><label>%s<input "
                     "name=\"project\"></label><label>%s<input name=\"indicator_id\"></label>"
                     "<label>%s<select name=\"severity\"><option>warning</option>"
                     "<option>critical</option><option>info</option></select></label>"
                     "<label>%s<input type=\"password\" name=\"secret\" autocomplete=\"off\">"
                     "</label><button>%s</button></form>\n",
                T(c, "Webhook の URL か、メールアドレスのどちらかを入力してください。",
                  "Give a webhook URL or an email address."),
                T(c, "Webhook の形式", "webhook format"), T(c, "メールアドレス", "email address"),
                T(c, "メールのまとめ（任意、例: mon 09:00）", "email digest (optional, e.g. mon 09:00)"),
                T(c, "計画", "plan"), T(c, "プロジェクト", "project"), T(c, "指標", "indicator"),
                T(c, "重大度（以上）", "severity (at least)"),
                T(c, "署名の秘密（任意）", "signing secret (optional)"),
                T(c, "登録する", "Subscribe"));
    }
    http_form_send(r, MHD_HTTP_OK, out, &buf, &len);
}


/* ---- store calls ------------------------------------------------------------------ */

static void act_done(struct http *h, void *arg, int rc, Planwatch__V1__MsgType type,
                     const ProtobufCMessage *m)
{
    struct http_req *r = arg;
    struct act_call *c = http_req_state(r);
    char msg[400];
    if (act_store_failed(r, c, rc, type, m))
        return;
    const Planwatch__V1__QueryReply *q = (const Planwatch__V1__QueryReply *)m;
    switch (c->what) {
    case ACT_LIST_ALERTS:
        act_alerts_page(h, r, c, q);
        return;
    case ACT_LIST_SUBS:
        if (c->html) {
            act_subs_page(r, c, q);
        } else {
            json_t *a = json_array();
            for (size_t i = 0; a && i < q->n_subscriptions; i++)
                json_array_append_new(a, act_sub_json(r, q->subscriptions[i]));
            act_json(r, MHD_HTTP_OK, a ? json_pack("{s:o}", "subscriptions", a) : NULL);
        }
        return;
    case ACT_ACK:
        if (c->html) {
            snprintf(msg, sizeof msg, c->en ? "%s acknowledged: quiet until new figures arrive."
                                            : "%s を確認しました。新しい実績が届くまで通知しません。",
                     c->id);
            http_form_result(r, c->en, MHD_HTTP_OK, "/alerts", c->en ? "Acknowledged" : "確認しました",
                             msg, NULL);
        } else {
            const Planwatch__V1__Ack *a = q->n_acks ? q->acks[0] : NULL;
            char t[32];
            act_json(r, MHD_HTTP_CREATED,
                     json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "status", "acknowledged",
                               "alert_id", c->id, "indicator_id", a ? act_str(a->indicator_id) : "",
                               "by", a ? act_str(a->by) : "", "reason", a ? act_str(a->reason) : "",
                               "time", a ? pw_msg_time(a->time_ns, t, sizeof t) : ""));
        }
        return;
    case ACT_SILENCE:
        if (c->html) {
            snprintf(msg, sizeof msg, c->en ? "Silence %llu added." : "サイレンス %llu を設定しました。",
                     (unsigned long long)q->id);
            http_form_result(r, c->en, MHD_HTTP_OK, "/alerts", c->en ? "Silenced" : "サイレンス",
                             msg, NULL);
        } else {
            json_t *doc = c->echo ? json_incref(c->echo) : json_object();
            json_object_set_new(doc, "id", json_integer((json_int_t)q->id));
            json_object_set_new(doc, "by", json_string(act_str(http_req_actor(r))));
            act_json(r, MHD_HTTP_CREATED, doc);
        }
        return;
    case ACT_LIFT:
        if (c->html) {
            snprintf(msg, sizeof msg, c->en ? "Silence %s lifted: notifications go out again."
                                            : "サイレンス %s を解除しました。通知を再開します。",
                     c->id);
            http_form_result(r, c->en, MHD_HTTP_OK, "/alerts", c->en ? "Lifted" : "解除しました",
                             msg, NULL);
        } else {
            json_t *doc = q->n_silences ? act_silence_json(q->silences[0]) : json_object();
            if (doc)
                json_object_set_new(doc, "status", json_string("lifted"));
            act_json(r, MHD_HTTP_OK, doc);
        }
        return;
    case ACT_ASSESS:
        http_form_result(r, c->en, MHD_HTTP_OK, "/alerts", c->en ? "Assessment recorded" : "評価を記録しました",
                         c->en ? "The assessment is recorded; the dashboard and reports show it "
                                 "beside the computed grade."
                               : "評価を記録しました。ダッシュボードと報告書で計算上の評価の横に表示されます。",
                         NULL);
        return;
    case ACT_SUBSCRIBE:
        if (c->html) {
            snprintf(msg, sizeof msg, c->en ? "Subscription %llu added." : "通知先 %llu を登録しました。",
                     (unsigned long long)q->id);
            http_form_result(r, c->en, MHD_HTTP_OK, "/subscriptions",
                             c->en ? "Subscribed" : "登録しました", msg, NULL);
        } else {
            json_t *doc = c->echo ? json_incref(c->echo) : json_object();
            json_object_del(doc, "secret"); /* never answered back */
            json_object_set_new(doc, "id", json_integer((json_int_t)q->id));
            json_object_set_new(doc, "created_by", json_string(act_str(http_req_actor(r))));
            act_json(r, MHD_HTTP_CREATED, doc);
        }
        return;
    case ACT_UNSUBSCRIBE:
        if (c->html) {
            snprintf(msg, sizeof msg, c->en ? "Subscription %s removed." : "通知先 %s を解除しました。",
                     c->id);
            http_form_result(r, c->en, MHD_HTTP_OK, "/subscriptions",
                             c->en ? "Unsubscribed" : "登録を解除しました", msg, NULL);
        } else {
            act_json(r, MHD_HTTP_OK, json_pack("{s:s, s:I}", "status", "removed", "id",
                                               (json_int_t)q->id));
        }
        return;
    }
}

/* A new call state for r (its request state), or NULL after answering 500. */
static struct act_call *act_call_new(struct http_req *r, enum act_what what, int html, int en)
{
    struct act_call *c = calloc(1, sizeof *c);
    if (!c) {
        http_req_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, PW_ENOMEM, "out of memory");
        return NULL;
    }
    c->what = what;
    c->html = html;
    c->en = en;
    http_req_set_state(r, c, act_call_free);
    return c;
}

/* A positive decimal id, else 0. */
static uint64_t act_id(const char *s)
{
    char *end = NULL;
    unsigned long long v = s && s[0] >= '1' && s[0] <= '9' ? strtoull(s, &end, 10) : 0;
    return v && end && !*end ? (uint64_t)v : 0;
}

static int act_severity(const char *s)
{
    if (!s || !s[0] || strcmp(s, "warning") == 0)
        return PLANWATCH__V1__SEVERITY__SEVERITY_WARNING;
    if (strcmp(s, "info") == 0)
        return PLANWATCH__V1__SEVERITY__SEVERITY_INFO;
    if (strcmp(s, "critical") == 0)
        return PLANWATCH__V1__SEVERITY__SEVERITY_CRITICAL;
    return -1;
}

/* The store queries behind each action: the same for a form and a JSON
 * call. Values are borrowed until the call is sent (packed at once). */
static void act_ack(struct http *h, struct http_req *r, const char *alert_id, const char *reason)
{
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    Planwatch__V1__Ack a = PLANWATCH__V1__ACK__INIT;
    a.alert_id = (char *)alert_id;
    a.by = (char *)act_str(http_req_actor(r));
    a.reason = (char *)reason;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_ACK;
    q.ack = &a;
    http_up_query(h, &q, act_done, r);
}

static void act_silence(struct http *h, struct http_req *r, const char *plan, const char *project,
                        const char *indicator, const char *until, const char *comment)
{
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    Planwatch__V1__Silence s = PLANWATCH__V1__SILENCE__INIT;
    s.plan = (char *)plan;
    s.project = (char *)project;
    s.indicator_id = (char *)indicator;
    s.until = (char *)until;
    s.comment = (char *)comment;
    s.by = (char *)act_str(http_req_actor(r));
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_SILENCE;
    q.silence = &s;
    http_up_query(h, &q, act_done, r);
}

static void act_lift(struct http *h, struct http_req *r, uint64_t id)
{
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_SILENCE_LIFT;
    q.id = id;
    q.by = (char *)act_str(http_req_actor(r));
    http_up_query(h, &q, act_done, r);
}

/* What a subscribe form or call asks for ("" where not given). */
struct act_sub {
    const char *url, *email, *format, *digest, *secret, *plan, *project, *indicator;
    int sev;
};

/* A webhook (url, format) or an email address (email: the format is
 * "email"); the store checks the rest and says what is wrong. */
static void act_subscribe(struct http *h, struct http_req *r, const struct act_sub *in)
{
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    Planwatch__V1__Subscription s = PLANWATCH__V1__SUBSCRIPTION__INIT;
    Planwatch__V1__SubscriptionGroup g = PLANWATCH__V1__SUBSCRIPTION_GROUP__INIT;
    s.url = (char *)in->url;
    s.email = (char *)in->email;
    s.format = (char *)(in->email[0] && !in->format[0] ? "email" : in->format);
    s.secret = (char *)in->secret;
    s.plan = (char *)in->plan;
    s.project = (char *)in->project;
    s.indicator_id = (char *)in->indicator;
    s.min_severity = (Planwatch__V1__Severity)in->sev;
    s.created_by = (char *)act_str(http_req_actor(r));
    if (in->digest[0]) {
        g.digest = (char *)in->digest;
        s.group = &g;
    }
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_SUBSCRIBE;
    q.subscription = &s;
    http_up_query(h, &q, act_done, r);
}

static void act_unsubscribe(struct http *h, struct http_req *r, uint64_t id)
{
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_UNSUBSCRIBE;
    q.id = id;
    http_up_query(h, &q, act_done, r);
}

/* ---- handlers ---------------------------------------------------------------------- */

/* POST /alerts and /subscriptions: the forms of those pages. */
static void act_form_post(struct http *h, struct http_req *r, enum act_rt rt,
                          const struct http_form *f, int en)
{
    const char *action = http_form_val(f, "action");
    struct act_call *c;
    if (rt == RT_ALERTS && strcmp(action, "ack") == 0) {
        if (!(c = act_call_new(r, ACT_ACK, 1, en)))
            return;
        snprintf(c->id, sizeof c->id, "%s", http_form_val(f, "alert_id"));
        act_ack(h, r, http_form_val(f, "alert_id"), http_form_val(f, "reason"));
    } else if (rt == RT_ALERTS && strcmp(action, "silence") == 0) {
        if ((c = act_call_new(r, ACT_SILENCE, 1, en)))
            act_silence(h, r, http_form_val(f, "plan"), http_form_val(f, "project"),
                        http_form_val(f, "indicator_id"), http_form_val(f, "until"), http_form_val(f, "comment"));
    } else if (rt == RT_ALERTS && strcmp(action, "lift") == 0) {
        uint64_t id = act_id(http_form_val(f, "silence_id"));
        if (!id) {
            http_form_fail(r, 1, en, MHD_HTTP_NOT_FOUND, PW_ENOTFOUND, "no such silence");
        } else if ((c = act_call_new(r, ACT_LIFT, 1, en))) {
            snprintf(c->id, sizeof c->id, "%llu", (unsigned long long)id);
            act_lift(h, r, id);
        }
    } else if (rt == RT_ALERTS && strcmp(action, "assess") == 0) {
        const char *grade = http_form_val(f, "grade");
        int fy = 0, withdraw = strcmp(grade, "withdraw") == 0;
        if (pw_fy_parse(http_form_val(f, "fiscal_year"), &fy)) {
            http_form_fail(r, 1, en, MHD_HTTP_BAD_REQUEST, PW_EINVAL,
                           en ? "the fiscal year is not one (2024, FY2024, 令和6, R6)"
                              : "年度が読めません（2024、FY2024、令和6、R6）");
            return;
        }
        if (!(c = act_call_new(r, ACT_ASSESS, 1, en)))
            return;
        Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
        Planwatch__V1__Assessment a = PLANWATCH__V1__ASSESSMENT__INIT;
        a.indicator_id = (char *)http_form_val(f, "indicator_id");
        a.fiscal_year = fy;
        a.grade = (char *)(withdraw ? "" : grade);
        a.reason = (char *)http_form_val(f, "reason");
        a.by = (char *)act_str(http_req_actor(r));
        a.withdrawn = withdraw;
        a.office = (char *)act_str(http_req_office(r));
        q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_ASSESS;
        q.assessment = &a;
        http_up_query(h, &q, act_done, r);
    } else if (rt == RT_SUBS_PAGE && strcmp(action, "subscribe") == 0) {
        int sev = act_severity(http_form_val(f, "severity"));
        if (sev < 0)
            http_form_fail(r, 1, en, MHD_HTTP_BAD_REQUEST, PW_EINVAL,
                           "severity is info, warning or critical");
        else if ((c = act_call_new(r, ACT_SUBSCRIBE, 1, en))) {
            const struct act_sub in = {
                http_form_val(f, "url"),    http_form_val(f, "email"),
                http_form_val(f, "format"), http_form_val(f, "digest"),
                http_form_val(f, "secret"), http_form_val(f, "plan"),
                http_form_val(f, "project"), http_form_val(f, "indicator_id"), sev};
            act_subscribe(h, r, &in);
        }
    } else if (rt == RT_SUBS_PAGE && strcmp(action, "unsubscribe") == 0) {
        uint64_t id = act_id(http_form_val(f, "id"));
        if (!id) {
            http_form_fail(r, 1, en, MHD_HTTP_NOT_FOUND, PW_ENOTFOUND, "no such subscription");
        } else if ((c = act_call_new(r, ACT_UNSUBSCRIBE, 1, en))) {
            snprintf(c->id, sizeof c->id, "%llu", (unsigned long long)id);
            act_unsubscribe(h, r, id);
        }
    } else {
        http_form_fail(r, 1, en, MHD_HTTP_BAD_REQUEST, PW_EINVAL,
                       rt == RT_ALERTS ? "action is ack, silence, lift or assess"
                                       : "action is subscribe or unsubscribe");
    }
}

/* The JSON API's body: an object, else 400 (answered) and NULL. */
static json_t *act_body(struct http_req *r, const char *shape)
{
    size_t len = 0;
    const char *body = http_req_body(r, &len);
    json_t *in = json_loadb(body, len, 0, NULL);
    if (!json_is_object(in)) {
        json_decref(in);
        http_req_error(r, MHD_HTTP_BAD_REQUEST, PW_EINVAL, shape);
        return NULL;
    }
    return in;
}

/* A string member ("" when absent); *bad when present but not a string. */
static const char *act_member(json_t *o, const char *k, int *bad)
{
    json_t *v = json_object_get(o, k);
    if (v && !json_is_string(v))
        *bad = 1;
    return json_is_string(v) ? json_string_value(v) : "";
}

static void act_api(struct http *h, struct http_req *r, enum act_rt rt, const char *id)
{
    struct act_call *c;
    json_t *in = NULL;
    int bad = 0;
    if (!http_req_csrf_ok(r, NULL)) {
        http_req_error(r, MHD_HTTP_FORBIDDEN, PW_EFORBIDDEN, "the CSRF token is missing or wrong");
        return;
    }
    switch (rt) {
    case RT_ACK: {
        static const char shape[] = "send JSON {\"reason\": TEXT} (the cause analysis, 要因分析)";
        if (!(in = act_body(r, shape)))
            return;
        const char *reason = act_member(in, "reason", &bad);
        if (bad || !reason[0]) {
            http_req_error(r, MHD_HTTP_BAD_REQUEST, PW_EINVAL, shape);
        } else if ((c = act_call_new(r, ACT_ACK, 0, 0))) {
            snprintf(c->id, sizeof c->id, "%s", id);
            act_ack(h, r, id, reason);
        }
        break;
    }
    case RT_SILENCES: {
        static const char shape[] = "send JSON {\"plan\", \"project\", \"indicator_id\" (at least "
                                    "one), \"until\": YYYY-MM-DD, \"comment\": TEXT}";
        if (!(in = act_body(r, shape)))
            return;
        const char *plan = act_member(in, "plan", &bad), *project = act_member(in, "project", &bad),
                   *ind = act_member(in, "indicator_id", &bad), *until = act_member(in, "until", &bad),
                   *comment = act_member(in, "comment", &bad);
        if (bad) {
            http_req_error(r, MHD_HTTP_BAD_REQUEST, PW_EINVAL, shape);
        } else if ((c = act_call_new(r, ACT_SILENCE, 0, 0))) {
            c->echo = json_pack("{s:s, s:s, s:s, s:s, s:s}", "plan", plan, "project", project,
                                "indicator_id", ind, "until", until, "comment", comment);
            act_silence(h, r, plan, project, ind, until, comment);
        }
        break;
    }
    case RT_LIFT: {
        uint64_t sid = act_id(id);
        if (!sid) {
            http_req_error(r, MHD_HTTP_NOT_FOUND, PW_ENOTFOUND, "no such silence (ids are 1, 2, ...)");
        } else if ((c = act_call_new(r, ACT_LIFT, 0, 0))) {
            snprintf(c->id, sizeof c->id, "%s", id);
            act_lift(h, r, sid);
        }
        break;
    }
    case RT_SUBS: {
        static const char shape[] =
            "send JSON {\"url\": URL, \"format\": json|alertmanager|slack} or {\"email\": "
            "ADDRESS, \"digest\": \"mon 09:00\"}, with \"plan\", \"project\", \"indicator_id\", "
            "\"severity\": info|warning|critical, \"secret\" (url or email required)";
        if (!(in = act_body(r, shape)))
            return;
        struct act_sub sub = {act_member(in, "url", &bad),     act_member(in, "email", &bad),
                              act_member(in, "format", &bad),  act_member(in, "digest", &bad),
                              act_member(in, "secret", &bad),  act_member(in, "plan", &bad),
                              act_member(in, "project", &bad), act_member(in, "indicator_id", &bad),
                              act_severity(act_member(in, "severity", &bad))};
        if (bad || sub.sev < 0 || (!sub.url[0] && !sub.email[0])) {
            http_req_error(r, MHD_HTTP_BAD_REQUEST, PW_EINVAL, shape);
        } else if ((c = act_call_new(r, ACT_SUBSCRIBE, 0, 0))) {
            c->echo = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "url", sub.url,
                                "email", sub.email, "format",
                                sub.email[0] ? "email" : sub.format[0] ? sub.format : "json",
                                "plan", sub.plan, "project", sub.project, "indicator_id",
                                sub.indicator, "min_severity", pw_msg_severity_name(sub.sev, 1),
                                "signed", sub.secret[0] != '\0');
            act_subscribe(h, r, &sub);
        }
        break;
    }
    case RT_SUB: {
        uint64_t sid = act_id(id);
        if (!sid) {
            http_req_error(r, MHD_HTTP_NOT_FOUND, PW_ENOTFOUND,
                           "no such subscription (ids are 1, 2, ...)");
        } else if ((c = act_call_new(r, ACT_UNSUBSCRIBE, 0, 0))) {
            snprintf(c->id, sizeof c->id, "%s", id);
            act_unsubscribe(h, r, sid);
        }
        break;
    }
    default:
        break;
    }
    json_decref(in);
}

int http_act_route(struct http *h, struct http_req *r)
{
    char id[ACT_ID_MAX + 1];
    enum act_rt rt = act_rt_of(r->path, id, sizeof id);
    int get = act_is(r, "GET") || act_is(r, "HEAD");
    if (rt == RT_NONE)
        return 0;
    if (r->too_big) {
        char why[160];
        snprintf(why, sizeof why, "the body is larger than %ld bytes", h->max_body);
        http_req_error(r, MHD_HTTP_CONTENT_TOO_LARGE, PW_ETOOBIG, why);
        return 1;
    }
    if (get && rt == RT_SUBS) {
        Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
        if (act_call_new(r, ACT_LIST_SUBS, 0, 0)) {
            q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_SUBSCRIPTIONS;
            http_up_query(h, &q, act_done, r);
        }
        return 1;
    }
    if (!act_page(rt)) {
        act_api(h, r, rt, id);
        return 1;
    }
    /* the pages need the catalog (indicators to choose, scopes to check) */
    if (!h->cat) {
        http_catalog_load(h);
        http_req_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, PW_EUNAVAILABLE,
                       "the store's catalog is not loaded yet (store not reachable); try again");
        return 1;
    }
    if (get) {
        int en = http_form_lang_en(r, NULL);
        const char *lang = http_req_arg(r, "lang");
        if (lang && strcmp(lang, "ja") != 0 && strcmp(lang, "en") != 0) {
            http_req_error(r, MHD_HTTP_BAD_REQUEST, PW_EINVAL, "lang is ja or en");
            return 1;
        }
        Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
        if (rt == RT_UPLOAD) {
            http_upload_page(h, r, en);
        } else if (act_call_new(r, rt == RT_ALERTS ? ACT_LIST_ALERTS : ACT_LIST_SUBS, 1, en)) {
            q.kind = rt == RT_ALERTS ? PLANWATCH__V1__QUERY_KIND__QUERY_ALERTS
                                     : PLANWATCH__V1__QUERY_KIND__QUERY_SUBSCRIPTIONS;
            http_up_query(h, &q, act_done, r);
        }
        return 1;
    }
    struct http_form f;
    if (http_form_parse(r, &f)) {
        http_form_fail(r, 1, http_form_lang_en(r, NULL), MHD_HTTP_BAD_REQUEST, PW_EINVAL,
                       "the form is malformed or has more than 24 fields");
        return 1;
    }
    int en = http_form_lang_en(r, &f);
    if (!http_req_csrf_ok(r, http_form_val(&f, "csrf"))) {
        http_form_fail(r, 1, en, MHD_HTTP_FORBIDDEN, PW_EFORBIDDEN,
                       en ? "the form's CSRF token is missing or wrong: reload the page and send it again"
                          : "フォームのCSRFトークンがないか違います。ページを読み込み直して送り直してください。");
    } else if (rt == RT_UPLOAD) {
        if (!http_form_may_write_any(h, r))
                                     http_form_fail(r, 1, en, MHD_HTTP_FORBIDDEN, PW_EFORBIDDEN,
                                              en ? "this caller may not write feeds" : "書き込み権限がありません");
        else
            http_upload_post(h, r, &f, en);
    } else {
        act_form_post(h, r, rt, &f, en);
    }
    http_form_free(&f);
    return 1;
}
