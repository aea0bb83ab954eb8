/* alert_format.c - Alertmanager and chat bodies, the Japanese headline (see
 * alert_format.h). Times are RFC 3339 UTC with milliseconds (pw_msg_time),
 * which Alertmanager and people both read. */
#include "alert_format.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert_notify.h"
#include "dec.h"
#include "err.h"
#include "eval.h"
#include "explain_ja.h"
#include "followup.h"
#include "msg.h"

static const char *af_str(const char *s)
{
    return s ? s : "";
}

int alert_format_known(const char *s)
{
    return !s || !s[0] || !strcmp(s, ALERT_FORMAT_JSON) || !strcmp(s, ALERT_FORMAT_ALERTMANAGER) ||
           !strcmp(s, ALERT_FORMAT_SLACK) || !strcmp(s, ALERT_FORMAT_EMAIL);
}

/* What is wrong, in the follow-up tables' words. */
static const char *af_what_ja(const Planwatch__V1__Alert *al)
{
    switch (al->kind) {
    case PLANWATCH__V1__ALERT_KIND__ALERT_KIND_OVERDUE: return "未報告";
    case PLANWATCH__V1__ALERT_KIND__ALERT_KIND_FORECAST: return "見通し不足";
    case PLANWATCH__V1__ALERT_KIND__ALERT_KIND_DELIVERY: return "配信停止";
    default:
        return (unsigned)al->status < PW_STATUS_COUNT
                   ? pw_explain_status_ja((enum pw_status)al->status)
                   : "?";
    }
}

char *alert_format_title_ja(const Planwatch__V1__Alert *al, const struct pw_indicator *ind,
                            char *buf, size_t n)
{
    const Planwatch__V1__StatusRow *r = al->row;
    char fy[32] = "", a[PW_DEC_BUFSZ + 16], e[PW_DEC_BUFSZ + 16], fig[2 * PW_DEC_BUFSZ + 40] = "";
    int done = al->event == PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_RESOLVED &&
               al->kind != PLANWATCH__V1__ALERT_KIND__ALERT_KIND_STATUS;
    if (r && r->checkpoint_fy) {
        pw_followup_fy_name(r->checkpoint_fy, fy, sizeof fy);
        strncat(fy, "末", sizeof fy - strlen(fy) - 1);
    }
    if (r && r->has_actual && r->has_expected)
        snprintf(fig, sizeof fig, " %s/%s", pw_followup_number(r->actual_micros, a, sizeof a),
                 pw_followup_number(r->expected_micros, e, sizeof e));
    else if (r && r->has_actual)
        snprintf(fig, sizeof fig, " %s", pw_followup_number(r->actual_micros, a, sizeof a));
    snprintf(buf, n, "%s%s %s%s%s%s", af_what_ja(al), done ? "（解消）" : "",
             ind ? ind->name : af_str(al->name), fy[0] ? " " : "", fy, fig);
    return buf;
}

char *alert_format_link(const struct alert_format_ctx *ctx, const char *indicator_id, char *buf,
                        size_t n)
{
    const char *u = ctx && ctx->public_url ? ctx->public_url : "";
    size_t l = strlen(u);
    if (!l) {
        buf[0] = '\0';
        return buf;
    }
    snprintf(buf, n, "%.*s/indicator/%s", (int)(u[l - 1] == '/' ? l - 1 : l), u,
             af_str(indicator_id));
    return buf;
}

const char *alert_format_office(const struct alert_format_ctx *ctx,
                                const struct pw_indicator *ind)
{
    if (!ctx || !ctx->reg || !ind)
        return "";
    for (size_t i = 0; i < pw_registry_count(ctx->reg); i++) {
        const struct pw_principal *p = pw_registry_at(ctx->reg, i);
        if (!p->service && pw_principal_may_write(p, ind))
            return p->id;
    }
    return "";
}

/* The Japanese explanation of al's evaluation into buf ("" without one). */
static const char *af_explain_ja(const Planwatch__V1__Alert *al, const struct pw_indicator *ind,
                                 char *buf, size_t n)
{
    struct pw_eval ev;
    buf[0] = '\0';
    if (ind && al->row && pw_msg_eval_from_row(&ev, al->row) == 0)
        pw_explain_ja(ind, &ev, buf, n);
    return buf;
}

/* One Alertmanager alert of al with severity sev; ends_ns 0: open. */
static json_t *af_am_alert(const Planwatch__V1__Alert *al, const struct pw_indicator *ind,
                           Planwatch__V1__Severity sev, int64_t ends_ns,
                           const struct alert_format_ctx *ctx)
{
    char title[512], ex[PW_EXPLAIN_MAX], t[32], link[2300], name[48];
    snprintf(name, sizeof name, "planwatch_%s", pw_msg_kind_name(al->kind));
    json_t *o = json_pack(
        "{s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}, s:{s:s, s:s, s:s, s:s}, s:s}", "labels",
        "alertname", name, "alert_id", af_str(al->alert_id), "indicator",
        af_str(al->indicator_id), "plan", af_str(al->plan), "project", af_str(al->project),
        "office", alert_format_office(ctx, ind), "kind", pw_msg_kind_name(al->kind), "severity",
        pw_msg_severity_name(sev, 1), "annotations", "summary",
        alert_format_title_ja(al, ind, title, sizeof title), "summary_en", af_str(al->summary),
        "explanation", af_explain_ja(al, ind, ex, sizeof ex), "name", af_str(al->name),
        "startsAt", pw_msg_time(al->time_ns, t, sizeof t));
    if (!o)
        return NULL;
    if (ends_ns)
        json_object_set_new(o, "endsAt", json_string(pw_msg_time(ends_ns, t, sizeof t)));
    if (alert_format_link(ctx, al->indicator_id, link, sizeof link)[0])
        json_object_set_new(o, "generatorURL", json_string(link));
    return o;
}

int alert_format_alertmanager(const Planwatch__V1__Alert *const *als,
                              const struct pw_indicator *const *inds, size_t n, int refresh,
                              const struct alert_format_ctx *ctx, char **out, size_t *len)
{
    json_t *arr = json_array();
    int rc = arr ? 0 : PW_ENOMEM;
    for (size_t i = 0; i < n && !rc; i++) {
        const Planwatch__V1__Alert *al = als[i];
        const struct pw_indicator *ind = inds ? inds[i] : NULL;
        int closes = !refresh && (al->event == PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_RESOLVED ||
                                  al->event == PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_NOTICE);
        json_t *a = NULL, *b = NULL;
        if (closes) {
            /* the labels it was open under, ended now */
            a = af_am_alert(al, ind, al->previous_severity, al->time_ns, ctx);
        } else {
            a = af_am_alert(al, ind, al->severity, 0, ctx);
            if (!refresh && al->event == PLANWATCH__V1__ALERT_EVENT__ALERT_EVENT_UPDATED &&
                al->previous_severity != al->severity &&
                !(b = af_am_alert(al, ind, al->previous_severity, al->time_ns, ctx)))
                rc = PW_ENOMEM;
        }
        if (!a || (b && json_array_append_new(arr, b)) || json_array_append_new(arr, a))
            rc = PW_ENOMEM;
    }
    char *s = rc ? NULL : json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    if (!s)
        return PW_ENOMEM;
    *out = s;
    *len = strlen(s);
    return 0;
}

/* Cuts s (UTF-8) to at most max characters, on a character boundary. */
static void af_cut_chars(char *s, size_t max)
{
    size_t chars = 0;
    for (char *p = s; *p; p++)
        if (((unsigned char)*p & 0xC0) != 0x80 && chars++ == max) {
            *p = '\0';
            return;
        }
}

int alert_format_slack(const Planwatch__V1__Alert *al, const struct pw_indicator *ind,
                       const struct alert_format_ctx *ctx, char **out, size_t *len)
{
    char title[512], ex[PW_EXPLAIN_MAX], link[2300], t[32], head[600], ctxline[700];
    char text[4096], detail[4096];
    alert_format_title_ja(al, ind, title, sizeof title);
    af_explain_ja(al, ind, ex, sizeof ex);
    alert_format_link(ctx, al->indicator_id, link, sizeof link);
    snprintf(head, sizeof head, "【planwatch】%s", title);
    snprintf(ctxline, sizeof ctxline, "%s · %s.%s · %s · %s", af_str(al->alert_id),
             pw_msg_kind_name(al->kind), pw_msg_event_name(al->event),
             pw_msg_severity_name(al->severity, 1), pw_msg_time(al->time_ns, t, sizeof t));
    /* text: the whole message for clients that show no blocks (and the
     * notification preview); blocks: the same, laid out */
    snprintf(text, sizeof text, "%s\n%s%s%s%s%s", head, ex[0] ? ex : af_str(al->summary),
             ex[0] ? "\n" : "", ex[0] ? af_str(al->summary) : "", link[0] ? "\n" : "", link);
    snprintf(detail, sizeof detail, "%s\n_%s_%s%s%s", ex[0] ? ex : "", af_str(al->summary),
             link[0] ? "\n<" : "", link, link[0] ? "|指標のページ>" : "");
    af_cut_chars(head, 150); /* Slack refuses a longer header block */
    json_t *o = json_pack("{s:s, s:[{s:s, s:{s:s, s:s}}, {s:s, s:{s:s, s:s}}, "
                          "{s:s, s:[{s:s, s:s}]}]}",
                          "text", text, "blocks", "type", "header", "text", "type", "plain_text",
                          "text", head, "type", "section", "text", "type", "mrkdwn", "text",
                          detail, "type", "context", "elements", "type", "mrkdwn", "text", ctxline);
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!s)
        return PW_ENOMEM;
    *out = s;
    *len = strlen(s);
    return 0;
}

int alert_format_body(const Planwatch__V1__Subscription *sub, const Planwatch__V1__Alert *al,
                      const struct pw_indicator *ind, const struct alert_format_ctx *ctx,
                      char **out, size_t *len)
{
    const char *f = af_str(sub->format);
    if (!f[0] || !strcmp(f, ALERT_FORMAT_JSON))
        return alert_notify_body(al, ind, sub->id, out, len);
    if (!strcmp(f, ALERT_FORMAT_ALERTMANAGER))
        return alert_format_alertmanager(&al, &ind, 1, 0, ctx, out, len);
    if (!strcmp(f, ALERT_FORMAT_SLACK))
        return alert_format_slack(al, ind, ctx, out, len);
    return PW_EINVAL;
}

/* ---- groups ----------------------------------------------------------------- */

char *alert_format_group_title(const Planwatch__V1__Alert *const *als, size_t n,
                               const struct alert_format_ctx *ctx, char *buf, size_t n_buf)
{
    const char *words[16];
    size_t counts[16], nw = 0;
    for (size_t i = 0; i < n; i++) {
        const char *w = af_what_ja(als[i]);
        size_t k = 0;
        while (k < nw && strcmp(words[k], w))
            k++;
        if (k == nw && nw < 16) {
            words[nw] = w;
            counts[nw++] = 0;
        }
        if (k < nw)
            counts[k]++;
    }
    size_t off = ctx && ctx->digest
                     ? (size_t)snprintf(buf, n_buf, "【planwatch】まとめ 未解決 %zu件（この期間の変化 %zu件）%s",
                                        n, ctx->nchanges, n ? ": " : "")
                     : (size_t)snprintf(buf, n_buf, "【planwatch】%s%zu件: ",
                                        ctx && ctx->reminder ? "未対応 " : "", n);
    for (size_t k = 0; k < nw && off < n_buf; k++)
        off += (size_t)snprintf(buf + off, n_buf - off, "%s%s %zu件", k ? "、" : "", words[k],
                                counts[k]);
    return buf;
}

static int af_same_project(const Planwatch__V1__Alert *a, const Planwatch__V1__Alert *b)
{
    return !strcmp(af_str(a->plan), af_str(b->plan)) &&
           !strcmp(af_str(a->project), af_str(b->project));
}

static int af_group_json(const Planwatch__V1__Subscription *sub,
                         const Planwatch__V1__Alert *const *als,
                         const struct pw_indicator *const *inds, size_t n,
                         const struct alert_format_ctx *ctx, char **out, size_t *len)
{
    json_t *o = json_pack("{s:i, s:b, s:b, s:I, s:I, s:[]}", "version", 1, "grouped", 1,
                          "reminder", ctx && ctx->reminder, "subscription_id",
                          (json_int_t)sub->id, "count", (json_int_t)n, "projects");
    json_t *projects = o ? json_object_get(o, "projects") : NULL, *cur = NULL;
    int rc = o ? 0 : PW_ENOMEM;
    for (size_t i = 0; i < n && !rc; i++) {
        char *b = NULL;
        size_t bl = 0;
        if (!cur || !af_same_project(als[i - 1], als[i])) {
            json_t *p = json_pack("{s:s, s:s, s:[]}", "plan", af_str(als[i]->plan), "project",
                                  af_str(als[i]->project), "alerts");
            if (!p || json_array_append_new(projects, p)) {
                rc = PW_ENOMEM;
                break;
            }
            cur = json_object_get(p, "alerts");
        }
        json_t *one = NULL;
        if ((rc = alert_notify_body(als[i], inds[i], sub->id, &b, &bl)) == 0 &&
            (!(one = json_loadb(b, bl, 0, NULL)) || json_array_append_new(cur, one)))
            rc = PW_ENOMEM;
        free(b);
    }
    if (!rc && ctx && ctx->digest) {
        json_t *ch = json_array();
        char t[32];
        json_object_set_new(o, "digest", json_true());
        json_object_set_new(o, "changes", ch ? ch : json_null());
        for (size_t i = 0; ch && i < ctx->nchanges; i++) {
            const Planwatch__V1__Alert *c = ctx->changes[i];
            json_array_append_new(
                ch, json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "alert_id",
                              af_str(c->alert_id), "seq", (json_int_t)c->seq, "kind",
                              pw_msg_kind_name(c->kind), "event", pw_msg_event_name(c->event),
                              "severity", pw_msg_severity_name(c->severity, 1), "indicator_id",
                              af_str(c->indicator_id), "time",
                              pw_msg_time(c->time_ns, t, sizeof t), "summary", af_str(c->summary)));
        }
    }
    char *s = rc ? NULL : json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!s)
        return rc ? rc : PW_ENOMEM;
    *out = s;
    *len = strlen(s);
    return 0;
}

int alert_format_digest_parse(const char *s, int *wday, int *minute)
{
    static const char *days[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
    char d[8] = "";
    int h = -1, m = -1, k = 0;
    if (!s || sscanf(s, "%7s %2d:%2d%n", d, &h, &m, &k) != 3 || s[k] || h < 0 || h > 23 ||
        m < 0 || m > 59)
        return PW_EINVAL;
    int w = -2;
    for (int i = 0; i < 7; i++)
        if (!strcmp(d, days[i]))
            w = i;
    if (!strcmp(d, "daily"))
        w = -1;
    if (w == -2)
        return PW_EINVAL;
    *wday = w;
    *minute = h * 60 + m;
    return 0;
}

int64_t alert_format_digest_next(int wday, int minute, int64_t now_ns)
{
    const int64_t S = 1000000000, day = 86400 * S, jst = 9 * 3600 * S;
    int64_t local = now_ns + jst;
    int64_t midnight = local - (local % day + day) % day; /* local midnight, as local ns */
    int64_t days = midnight / day;                        /* days since 1970-01-01 (a Thursday) */
    for (int i = 0; i < 8; i++) {
        int64_t at = midnight + i * day + minute * 60 * S;
        int w = (int)(((days + i) % 7 + 7 + 4) % 7); /* 0 Sunday */
        if (at > local && (wday < 0 || w == wday))
            return at - jst;
    }
    return now_ns + 7 * day; /* not reached */
}

/* Slack takes at most 50 blocks and 3000 characters per section. */
#define AF_SLACK_SECTIONS 45
#define AF_SLACK_SECTION_BYTES 2800

static int af_group_slack(const Planwatch__V1__Alert *const *als,
                          const struct pw_indicator *const *inds, size_t n,
                          const struct alert_format_ctx *ctx, char **out, size_t *len)
{
    char head[600], title[512], line[1200], link[2300];
    alert_format_group_title(als, n, ctx, head, sizeof head);
    json_t *o = json_pack("{s:s, s:[{s:s, s:{s:s, s:s}}]}", "text", head, "blocks", "type",
                          "header", "text", "type", "plain_text", "text", head);
    if (!o)
        return PW_ENOMEM;
    json_t *blocks = json_object_get(o, "blocks");
    char *sec = calloc(1, AF_SLACK_SECTION_BYTES + 64), *text = calloc(1, 65536);
    size_t sl = 0, tl = strlen(head), nsec = 0;
    int rc = sec && text ? 0 : PW_ENOMEM;
    if (!rc)
        memcpy(text, head, tl + 1);
    for (size_t i = 0; i < n && !rc; i++) {
        int newp = i == 0 || !af_same_project(als[i - 1], als[i]);
        alert_format_title_ja(als[i], inds[i], title, sizeof title);
        alert_format_link(ctx, als[i]->indicator_id, link, sizeof link);
        if (newp && sl) { /* close the previous project's section */
            if (nsec < AF_SLACK_SECTIONS &&
                json_array_append_new(blocks, json_pack("{s:s, s:{s:s, s:s}}", "type", "section",
                                                        "text", "type", "mrkdwn", "text", sec)))
                rc = PW_ENOMEM;
            nsec++;
            sl = 0;
        }
        if (newp)
            sl += (size_t)snprintf(sec + sl, AF_SLACK_SECTION_BYTES - sl, "*%s / %s*\n",
                                   af_str(als[i]->plan), af_str(als[i]->project));
        int k = link[0] ? snprintf(line, sizeof line, "• <%s|%s>\n", link, title)
                        : snprintf(line, sizeof line, "• %s\n", title);
        if (sl + (size_t)k < AF_SLACK_SECTION_BYTES) {
            memcpy(sec + sl, line, (size_t)k + 1);
            sl += (size_t)k;
        }
        if (tl + (size_t)k + 64 < 65536)
            tl += (size_t)snprintf(text + tl, 65536 - tl, "%s%s / %s: %s", newp ? "\n" : "\n",
                                   af_str(als[i]->plan), af_str(als[i]->project), title);
    }
    if (!rc && sl && nsec < AF_SLACK_SECTIONS &&
        json_array_append_new(blocks, json_pack("{s:s, s:{s:s, s:s}}", "type", "section", "text",
                                                "type", "mrkdwn", "text", sec)))
        rc = PW_ENOMEM;
    if (!rc)
        json_object_set_new(o, "text", json_string(text));
    free(sec);
    free(text);
    char *s = rc ? NULL : json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!s)
        return rc ? rc : PW_ENOMEM;
    *out = s;
    *len = strlen(s);
    return 0;
}

int alert_format_group(const Planwatch__V1__Subscription *sub,
                       const Planwatch__V1__Alert *const *als,
                       const struct pw_indicator *const *inds, size_t n,
                       const struct alert_format_ctx *ctx, char **out, size_t *len)
{
    const char *f = af_str(sub->format);
    if (!f[0] || !strcmp(f, ALERT_FORMAT_JSON))
        return af_group_json(sub, als, inds, n, ctx, out, len);
    if (!strcmp(f, ALERT_FORMAT_ALERTMANAGER))
        return alert_format_alertmanager(als, inds, n, 0, ctx, out, len);
    if (!strcmp(f, ALERT_FORMAT_SLACK))
        return af_group_slack(als, inds, n, ctx, out, len);
    return PW_EINVAL;
}
