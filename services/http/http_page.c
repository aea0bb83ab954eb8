/* http_page.c - what every page of planwatch-http shares: its parameters
 * (struct http_view: as_of, known_at, lang, read once and carried by every
 * link a page makes), its header (http_page_open: title, navigation, the
 * as-of and known-at shown, the time it was made; the one place a signed-in
 * user would show), and an open alert's list item (badge by kind, its
 * acknowledgements, stale ones marked). Pages: http_dashboard.c (/),
 * http_indicator.c (/indicator/{id}). */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dash.h"
#include "err.h"
#include "fy.h"
#include "html.h"
#include "http.h"
#include "http_session.h"

int http_view_parse(struct http *h, struct http_req *r, struct http_view *v)
{
    const char *as_of = http_req_arg(r, "as_of"), *known = http_req_arg(r, "known_at"),
               *lang = http_req_arg(r, "lang");
    memset(v, 0, sizeof *v);
    v->as_of = pw_clock_today(&h->clock);
    if (as_of && as_of[0] && pw_day_parse(as_of, &v->as_of)) {
        http_req_error(r, MHD_HTTP_BAD_REQUEST, PW_EINVAL, "as_of is a date YYYY-MM-DD");
        return PW_EINVAL;
    }
    if (lang && lang[0] && pw_lang_parse(lang, &v->lang)) {
        http_req_error(r, MHD_HTTP_BAD_REQUEST, PW_EINVAL, "lang is ja or en");
        return PW_EINVAL;
    }
    if (known && known[0]) {
        /* "+09:00" unencoded in a query string arrives as " 09:00" */
        if (strlen(known) >= sizeof v->known_at_s) {
            http_req_error(r, MHD_HTTP_BAD_REQUEST, PW_EINVAL, "known_at is too long");
            return PW_EINVAL;
        }
        snprintf(v->known_at_s, sizeof v->known_at_s, "%s", known);
        for (char *p = strchr(v->known_at_s, ' '); p; p = strchr(p, ' '))
            *p = '+';
        if (pw_clock_parse_known_at(v->known_at_s, &v->known_at) || v->known_at <= 0) {
            http_req_error(r, MHD_HTTP_BAD_REQUEST, PW_EINVAL,
                           "known_at is an instant YYYY-MM-DDTHH:MM:SS+09:00 (or Z) or a date "
                           "YYYY-MM-DD");
            return PW_EINVAL;
        }
    }
    return 0;
}

/* s percent-encoded for a query value, then HTML-escaped (only & needs it
 * after encoding, and it never survives encoding). */
static void pg_enc(FILE *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~' || *p == ':')
            fputc(*p, out);
        else
            fprintf(out, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
    }
}

void http_view_href(FILE *out, const struct http_view *v, const char *path,
                    const char *const *kv)
{
    char day[11];
    pw_html_text(out, path);
    fprintf(out, "?as_of=%s", pw_day_format(v->as_of, day));
    if (v->known_at_s[0]) {
        fputs("&amp;known_at=", out);
        pg_enc(out, v->known_at_s);
    }
    if (v->lang != PW_LANG_JA)
        fprintf(out, "&amp;lang=%s", pw_lang_name(v->lang));
    for (size_t i = 0; kv && kv[i]; i += 2) {
        if (!kv[i + 1] || !kv[i + 1][0])
            continue;
        fputs("&amp;", out);
        pg_enc(out, kv[i]);
        fputc('=', out);
        pg_enc(out, kv[i + 1]);
    }
}

void http_page_open(FILE *out, struct http *h, const struct http_req *r, const struct http_view *v,
                    const char *title, const char *h1, const char *h1_en)
{
    char now[48], day[11];
    pw_html_page_open(out, title);
    http_session_bar(out, h, r);
    fputs("<header><nav class=\"top\"><a href=\"", out);
    http_view_href(out, v, "/", NULL);
    fputs("\">進捗ダッシュボード dashboard</a><a href=\"", out);
    const char *heat[] = {"view", "heatmap", NULL};
    http_view_href(out, v, "/", heat);
    /* the acting pages honor lang only (they show today's state) */
    const char *lq = v->lang != PW_LANG_JA ? "?lang=en" : "";
    fprintf(out,
            "\">年度別ヒートマップ heat map</a><a href=\"/alerts%s\">アラート alerts</a>"
            "<a href=\"/upload%s\">アップロード upload</a>"
            "<a href=\"/subscriptions%s\">通知先 webhooks</a>"
            "<a href=\"/api/v1/openapi.yaml\">API</a></nav>\n<h1>",
            lq, lq, lq);
    pw_html_text(out, h1);
    fputs("<span class=\"en\" lang=\"en\">", out);
    pw_html_text(out, h1_en);
    fputs("</span></h1>\n<p class=\"legend\" id=\"shown\">", out);
    fprintf(out, "%s 時点 (end of day)", pw_day_format(v->as_of, day));
    if (v->known_at) {
        fputs(" · <b>", out);
        pw_html_text(out, pw_dash_time(v->known_at, now, sizeof now));
        fputs(" に分かっていた数値 figures as known then</b>", out);
    }
    fprintf(out, " · 表示 shown <time>%s</time></p></header>\n",
            pw_dash_time((int64_t)time(NULL) * INT64_C(1000000000), now, sizeof now));
}

void http_indicator_href(FILE *out, const struct http_view *v, const struct pw_indicator *ind)
{
    char path[PW_ID_MAX + 16];
    snprintf(path, sizeof path, "/indicator/%s", ind->id);
    http_view_href(out, v, path, NULL);
}

/* The newest revision of ind in hist known at v (0: none). */
static int64_t pg_latest_known(const struct pw_history *hist, const struct pw_indicator *ind,
                               const struct http_view *v, int *fy)
{
    size_t n = 0;
    const struct pw_obs *obs = hist && ind ? pw_history_get(hist, ind, &n) : NULL;
    int64_t latest = 0;
    for (size_t i = 0; i < n; i++)
        if ((!v->known_at || obs[i].known_ns <= v->known_at) && obs[i].known_ns > latest) {
            latest = obs[i].known_ns;
            *fy = obs[i].fy;
        }
    return latest;
}

void http_alert_item(FILE *out, const struct http *h, const struct http_view *v,
                     const Planwatch__V1__Alert *a, Planwatch__V1__Ack *const *acks, size_t nacks,
                     const struct pw_history *hist)
{
    char t[48];
    const struct pw_indicator *ind = a->indicator_id ? pw_catalog_find(h->cat, a->indicator_id)
                                                     : NULL;
    static const char *const kinds[] = {"status", "overdue", "forecast"};
    unsigned kind = (unsigned)a->kind < 3 ? (unsigned)a->kind : 0;
    fputs("<li data-alert=\"", out);
    pw_html_text(out, a->alert_id);
    fprintf(out, "\" data-kind=\"%s\">", kinds[kind]);
    pw_html_alert_badge(out, (enum pw_html_alert_kind)kind, (enum pw_status)a->status,
                        a->row && a->row->grade ? a->row->grade[0] : '-');
    fputs(" <b>", out);
    if (ind) {
        fputs("<a href=\"", out);
        http_indicator_href(out, v, ind);
        fputs("\" class=\"ind\">", out);
    }
    pw_html_text(out, ind ? ind->name : a->indicator_id);
    fputs(ind ? "</a></b> " : "</b> ", out);
    pw_html_text(out, a->summary);
    fprintf(out, " <time class=\"when\">(%s)</time>", pw_dash_time(a->time_ns, t, sizeof t));
    int acked = 0, fy = 0;
    int64_t latest = pg_latest_known(hist, ind, v, &fy);
    uint64_t seq = ind && h->ind_seq ? h->ind_seq[ind->index] : 0;
    for (size_t k = 0; k < nacks; k++) {
        const Planwatch__V1__Ack *ak = acks[k];
        if (!a->alert_id || !ak->alert_id || strcmp(a->alert_id, ak->alert_id) ||
            (v->known_at && ak->time_ns > v->known_at)) /* not made yet then */
            continue;
        acked = 1;
        /* figures stored after the acknowledgement (the store's seq, not the
         * clock, orders them): it answered the figures before them, not the
         * current ones. At ?known_at= only figures known then count. */
        int stale = hist && ak->figures_seq && seq > ak->figures_seq &&
                    (!v->known_at || latest > ak->time_ns);
        fputs(stale ? "<span class=\"ack stale\" data-stale=\"1\"><b>前回の数値への確認 "
                      "acknowledged before newer figures</b>: "
                    : "<span class=\"ack\">確認済 acknowledged: ",
              out);
        pw_html_text(out, ak->reason);
        fputs(" (", out);
        pw_html_text(out, ak->by);
        fprintf(out, ", %s)", pw_dash_time(ak->time_ns, t, sizeof t));
        if (stale)
            fprintf(out, " — その後 FY%d の数値が %s に届いています newer figures since", fy,
                    pw_dash_time(latest, t, sizeof t));
        fputs("</span>", out);
    }
    if (!acked)
        fputs("<span class=\"ack\">未確認 not acknowledged</span>", out);
    fputs("</li>\n", out);
}

void http_page_send(struct http_req *r, char *buf, size_t len, int stale)
{
    if (!buf)
        http_req_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, PW_ENOMEM, "out of memory");
    else
        http_req_respond(r, stale ? MHD_HTTP_SERVICE_UNAVAILABLE : MHD_HTTP_OK,
                         "text/html; charset=utf-8", buf, len, stale ? "Retry-After: 5" : NULL);
    free(buf);
}

const Planwatch__V1__QueryReply *http_page_reply(int rc, Planwatch__V1__MsgType type,
                                                 const ProtobufCMessage *m)
{
    if (rc || type != PLANWATCH__V1__MSG_TYPE__MSG_QUERY_REPLY ||
        ((const Planwatch__V1__QueryReply *)m)->code)
        return NULL;
    return (const Planwatch__V1__QueryReply *)m;
}
