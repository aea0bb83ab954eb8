/* test_actions.c - acting through the HTTP door (README "Acting in the
 * browser"), with the real services on loopback and libcurl: a feed file
 * uploaded as multipart/form-data is previewed first - a bad row's conflict
 * shown by row and column, nothing stored (CSV, and an xlsx template whose
 * values are empty) - then imported from the
 * preview's own form; an office cannot upload outside its scope; a figure
 * is retracted from its form; an open alert is acknowledged through the API
 * and through the form; a silence is set and lifted (API, form, and the CLI's
 * `silence --lift`); an assessment is recorded from its form; webhooks are
 * subscribed and unsubscribed; a token without the manage right gets 403 for
 * every manage action and its pages show no such forms. Waits on the alert
 * heartbeats and on the store, never sleeps. */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "hs_curl.h"

#define DAY "2023-03-31"
#define DEMOS "p2-pj2-healthcare-demos"
#define BOUNDARY "pwtestboundary7MA4YWxk"
#define MULTIPART "multipart/form-data; boundary=" BOUNDARY
#define FORM "application/x-www-form-urlencoded"
#define JS "application/json"

static struct hs_cluster cl;

static int setup(void **state)
{
    (void)state;
    hs_curl_start(&cl, "actions", DAY, NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    hs_curl_stop(&cl);
    return 0;
}

/* A request that must answer want; the response (caller frees). */
static struct hs_resp req(const char *method, const char *path, const char *token,
                          const char *ctype, const char *body, size_t len, long want)
{
    struct hs_resp r = hs_curl(&cl, method, path, token, ctype, NULL, body, len);
    if (r.status != want)
        fail_msg("%s %s: HTTP %ld, expected %ld: %.800s", method, path, r.status, want, r.body);
    return r;
}

static void req_free(const char *method, const char *path, const char *token, const char *ctype,
                     const char *body, long want)
{
    struct hs_resp r = req(method, path, token, ctype, body, body ? strlen(body) : 0, want);
    hs_curl_free(&r);
}

/* A multipart body: the fields (name, value pairs, NULL-terminated) and a
 * file part "file" named fname with content. Caller frees. */
static char *multipart(const char *const *fields, const char *fname, const char *content,
                       size_t *len)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    assert_non_null(f);
    for (size_t i = 0; fields && fields[i]; i += 2)
        fprintf(f, "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n",
                fields[i], fields[i + 1]);
    if (fname)
        fprintf(f, "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"file\"; "
                   "filename=\"%s\"\r\nContent-Type: text/csv\r\n\r\n%s\r\n",
                fname, content);
    fputs("--" BOUNDARY "--\r\n", f);
    assert_int_equal(fclose(f), 0);
    *len = n;
    return buf;
}

/* A multipart body with one binary file part (type ctype). Caller frees. */
static char *multipart_bin(const char *fname, const char *ctype, const char *data, size_t n,
                           size_t *len)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    assert_non_null(f);
    fprintf(f, "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"action\"\r\n\r\n"
               "preview\r\n--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"file\"; "
               "filename=\"%s\"\r\nContent-Type: %s\r\n\r\n",
            fname, ctype);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fputs("\r\n--" BOUNDARY "--\r\n", f);
    assert_int_equal(fclose(f), 0);
    *len = size;
    return buf;
}

/* The figures stored for an indicator (its history's length). */
static size_t stored(const char *ind)
{
    char path[200];
    snprintf(path, sizeof path, "/api/v1/indicators/%s/history", ind);
    struct hs_resp r = req("GET", path, NULL, NULL, NULL, 0, 200);
    json_t *j = json_loads(r.body, 0, NULL);
    size_t n = json_array_size(j);
    json_decref(j);
    hs_curl_free(&r);
    return n;
}

/* The value of the first hidden input name="NAME" in html (malloc'd). */
static char *hidden(const char *html, const char *name)
{
    char pat[80];
    snprintf(pat, sizeof pat, "name=\"%s\" value=\"", name);
    const char *p = strstr(html, pat);
    assert_non_null(p);
    p += strlen(pat);
    size_t n = strcspn(p, "\"");
    char *v = malloc(n + 1);
    assert_non_null(v);
    memcpy(v, p, n);
    v[n] = '\0';
    return v;
}

/* Percent-encodes s for a form body (malloc'd). */
static char *enc(const char *s)
{
    char *o = malloc(strlen(s) * 3 + 1), *q = o;
    assert_non_null(o);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.')
            *q++ = (char)*p;
        else
            q += sprintf(q, "%%%02X", *p);
    }
    *q = '\0';
    return o;
}

/* ---- uploads ----------------------------------------------------------------- */

static void test_upload(void **state)
{
    (void)state;
    static const char bad[] = "indicator_id,fiscal_year,value\n" DEMOS ",2022,3\n"
                              "p2-pj2-nonclinical-poc,FY2019,3\n";
    size_t len;
    /* the form: for an office that may write, not for a reader */
    struct hs_resp r = req("GET", "/upload", HS_TOK_PJ2, NULL, NULL, 0, 200);
    assert_non_null(strstr(r.body, "id=\"upload-form\""));
    assert_non_null(strstr(r.body, "enctype=\"multipart/form-data\""));
    assert_non_null(strstr(r.body, "name=\"csrf\""));
    assert_non_null(strstr(r.body, "id=\"retract-form\""));
    assert_non_null(strstr(r.body, "<html lang=\"ja\""));
    hs_curl_free(&r);
    r = req("GET", "/upload?lang=en", HS_TOK_READER, NULL, NULL, 0, 200);
    assert_null(strstr(r.body, "<form"));
    assert_non_null(strstr(r.body, "<html lang=\"en\""));
    hs_curl_free(&r);

    /* preview: row 3's fiscal year is refused by row and column; nothing stored */
    const char *pv[] = {"action", "preview", "csrf", "", NULL};
    char *body = multipart(pv, "pj2.csv", bad, &len);
    r = req("POST", "/upload", HS_TOK_PJ2, MULTIPART, body, len, 409);
    free(body);
    assert_non_null(strstr(r.ctype, "text/html"));
    assert_non_null(strstr(r.body, "<tr data-row=\"3\" data-column=\"fiscal_year\">"));
    assert_non_null(strstr(r.body, "PW_EFEED_FY"));
    assert_non_null(strstr(r.body, "data-row=\"2\" data-status=\"valid\""));
    assert_non_null(strstr(r.body, "id=\"import-form\""));
    assert_int_equal(stored(DEMOS), 0);

    /* import from the preview's own form: the valid row is stored */
    char *b64 = hidden(r.body, "content_b64"), *csrf = hidden(r.body, "csrf");
    hs_curl_free(&r);
    const char *im[] = {"action", "import", "csrf", csrf, "filename", "pj2.csv", "content_b64", b64,
                        NULL};
    body = multipart(im, NULL, NULL, &len);
    r = req("POST", "/upload", HS_TOK_PJ2, MULTIPART, body, len, 409);
    free(body);
    free(b64);
    free(csrf);
    assert_non_null(strstr(r.body, "data-row=\"2\" data-status=\"accepted\""));
    assert_non_null(strstr(r.body, "<tr data-row=\"3\" data-column=\"fiscal_year\">"));
    hs_curl_free(&r);
    assert_int_equal(stored(DEMOS), 1);

    /* an office outside its scope: refused, nothing stored */
    const char *pj[] = {"action", "import", "csrf", "", NULL};
    body = multipart(pj, "p3.csv",
                     "indicator_id,fiscal_year,value\np3-out11-core-hospital-trials,2022,1\n", &len);
    r = req("POST", "/upload", HS_TOK_PJ2, MULTIPART, body, len, 403);
    assert_non_null(strstr(r.body, "PW_EFORBIDDEN"));
    hs_curl_free(&r);
    assert_int_equal(stored("p3-out11-core-hospital-trials"), 0);
    /* a reader may not upload at all */
    r = req("POST", "/upload", HS_TOK_READER, MULTIPART, body, len, 403);
    hs_curl_free(&r);
    free(body);

    /* an Excel workbook (a filled-in template) previews the same way */
    size_t xn;
    char *xlsx = hs_read_file(hs_src("tests/fuzz/xlsx/template-pj2.xlsx"), &xn);
    body = multipart_bin("pj2.xlsx", "application/octet-stream", xlsx, xn, &len);
    free(xlsx);
    r = req("POST", "/upload", HS_TOK_PJ2, MULTIPART, body, len, 409); /* its 値 are empty */
    free(body);
    assert_non_null(strstr(r.body, "<tr data-row=\"2\" data-column=\"value\">"));
    assert_non_null(strstr(r.body, "PW_EFEED_MISSING"));
    assert_null(strstr(r.body, "id=\"import-form\"")); /* nothing valid to import */
    hs_curl_free(&r);

    /* the feed API takes the same file part; dry run stores nothing */
    const char *dr[] = {"dry_run", "true", NULL};
    body = multipart(dr, "pj2.csv", "indicator_id,fiscal_year,value\np2-pj2-nonclinical-poc,2022,4\n",
                     &len);
    r = req("POST", "/api/v1/feeds", HS_TOK_PJ2, MULTIPART, body, len, 200);
    assert_non_null(strstr(r.body, "\"dry_run\": true"));
    hs_curl_free(&r);
    free(body);
    assert_int_equal(stored("p2-pj2-nonclinical-poc"), 0);

    /* retract from its form: the figure is withdrawn */
    req_free("POST", "/upload", HS_TOK_PJ2, FORM,
             "action=retract&csrf=&indicator_id=" DEMOS "&fiscal_year=2022", 200);
    assert_int_equal(stored(DEMOS), 2); /* the figure and its retraction */
    /* the same retraction again is the same update: unchanged */
    struct hs_resp again = req("POST", "/upload", HS_TOK_PJ2, FORM,
                               "action=retract&csrf=&indicator_id=" DEMOS "&fiscal_year=2022",
                               strlen("action=retract&csrf=&indicator_id=" DEMOS "&fiscal_year=2022"),
                               200);
    assert_non_null(strstr(again.body, "data-status=\"unchanged\""));
    hs_curl_free(&again);
    assert_int_equal(stored(DEMOS), 2);
}

/* ---- alerts ------------------------------------------------------------------ */

/* The sample feed stored and judged: class34 is BEHIND on DAY with an open
 * alert; returns its id (malloc'd). */
static char *an_open_alert(void)
{
    size_t len;
    char *csv = hs_read_file(hs_src("catalog/feeds/plan2-fy2022.csv"), &len);
    struct hs_resp r = req("POST", "/api/v1/feeds", HS_TOK_ADMIN, "text/csv", csv, len, 200);
    hs_curl_free(&r);
    free(csv);
    struct pw_client *st = hs_client(&cl, HS_STORE, NULL);
    if (hs_alert_evaluated(&cl, hs_store_seq(&cl, st), 0, DAY, NULL, 60000) < 0)
        fail_msg("the alert service did not judge %s", DAY);
    pw_client_close(&st);
    r = req("GET", "/api/v1/alerts?indicator=p2-pj2-class34-approvals", NULL, NULL, NULL, 0, 200);
    json_t *j = json_loads(r.body, 0, NULL);
    const char *id = json_string_value(
        json_object_get(json_array_get(json_object_get(j, "alerts"), 0), "alert_id"));
    assert_non_null(id);
    char *out = strdup(id);
    json_decref(j);
    hs_curl_free(&r);
    return out;
}

/* The open alerts' JSON (caller decrefs). */
static json_t *alerts_json(void)
{
    struct hs_resp r = req("GET", "/api/v1/alerts", NULL, NULL, NULL, 0, 200);
    json_t *j = json_loads(r.body, 0, NULL);
    assert_non_null(j);
    hs_curl_free(&r);
    return j;
}

/* Whether alert id has an acknowledgement with reason by whom. */
static int acked(const char *id, const char *reason, const char *by)
{
    json_t *j = alerts_json(), *a;
    size_t i;
    int found = 0;
    json_array_foreach(json_object_get(j, "alerts"), i, a)
    {
        if (strcmp(json_string_value(json_object_get(a, "alert_id")), id) != 0)
            continue;
        json_t *k;
        size_t n;
        json_array_foreach(json_object_get(a, "acks"), n, k)
            found |= strcmp(json_string_value(json_object_get(k, "reason")), reason) == 0 &&
                     strcmp(json_string_value(json_object_get(k, "by")), by) == 0;
    }
    json_decref(j);
    return found;
}

/* The active silences' count. */
static size_t active_silences(void)
{
    json_t *j = alerts_json();
    size_t n = json_array_size(json_object_get(j, "silences"));
    json_decref(j);
    return n;
}

static void test_alerts(void **state)
{
    (void)state;
    char *id = an_open_alert(), path[300], body[800];
    char *eid = enc(id);

    /* the page: forms for a manager, none for a reader */
    struct hs_resp r = req("GET", "/alerts", HS_TOK_ADMIN, NULL, NULL, 0, 200);
    assert_non_null(strstr(r.body, "class=\"ack\"><input type=\"hidden\" name=\"action\" value=\"ack\">"));
    assert_non_null(strstr(r.body, "name=\"csrf\""));
    assert_non_null(strstr(r.body, "id=\"assess-form\""));
    assert_non_null(strstr(r.body, id));
    hs_curl_free(&r);
    r = req("GET", "/alerts", HS_TOK_READER, NULL, NULL, 0, 200);
    assert_null(strstr(r.body, "<form"));
    assert_non_null(strstr(r.body, id));
    hs_curl_free(&r);

    /* acknowledge through the API, then through the form: the actor is "by" */
    snprintf(path, sizeof path, "/api/v1/alerts/%s/ack", id);
    r = req("POST", path, HS_TOK_ADMIN, JS, "{\"reason\": \"審査の遅れ\"}", strlen("{\"reason\": \"審査の遅れ\"}"), 201);
    assert_non_null(strstr(r.body, "\"by\": \"admin\""));
    hs_curl_free(&r);
    assert_true(acked(id, "審査の遅れ", "admin"));
    req_free("POST", path, HS_TOK_ADMIN, JS, "{}", 400);
    req_free("POST", "/api/v1/alerts/p2-pj2-class34-approvals:999999/ack", HS_TOK_ADMIN, JS,
             "{\"reason\": \"x\"}", 404);
    snprintf(body, sizeof body, "action=ack&csrf=&lang=en&alert_id=%s&reason=%s", eid,
             "form%20reason");
    r = req("POST", "/alerts", HS_TOK_ADMIN, FORM, body, strlen(body), 200);
    assert_non_null(strstr(r.body, "Acknowledged"));
    hs_curl_free(&r);
    assert_true(acked(id, "form reason", "admin"));

    /* silence then lift: through the API */
    assert_int_equal(active_silences(), 0);
    r = req("POST", "/api/v1/silences", HS_TOK_ADMIN, JS,
            "{\"indicator_id\": \"p2-pj2-class34-approvals\", \"until\": \"2030-01-01\", "
            "\"comment\": \"集計中\"}",
            strlen("{\"indicator_id\": \"p2-pj2-class34-approvals\", \"until\": \"2030-01-01\", "
                   "\"comment\": \"集計中\"}"),
            201);
    json_t *j = json_loads(r.body, 0, NULL);
    long long sid = json_integer_value(json_object_get(j, "id"));
    json_decref(j);
    hs_curl_free(&r);
    assert_true(sid > 0);
    assert_int_equal(active_silences(), 1);
    snprintf(path, sizeof path, "/api/v1/silences/%lld/lift", sid);
    r = req("POST", path, HS_TOK_ADMIN, NULL, NULL, 0, 200);
    assert_non_null(strstr(r.body, "\"lifted_by\": \"admin\""));
    hs_curl_free(&r);
    assert_int_equal(active_silences(), 0);
    req_free("POST", path, HS_TOK_ADMIN, NULL, NULL, 404); /* not active any more */
    req_free("POST", "/api/v1/silences", HS_TOK_ADMIN, JS,
             "{\"plan\": \"p2\", \"until\": \"2020-01-01\", \"comment\": \"past\"}", 400);

    /* ... and through the forms */
    r = req("POST", "/alerts", HS_TOK_ADMIN, FORM,
            "action=silence&csrf=&plan=p2&until=2030-01-01&comment=x", strlen("action=silence&csrf=&plan=p2&until=2030-01-01&comment=x"), 200);
    hs_curl_free(&r);
    assert_int_equal(active_silences(), 1);
    r = req("GET", "/alerts", HS_TOK_ADMIN, NULL, NULL, 0, 200);
    char *silence_id = hidden(r.body, "silence_id");
    hs_curl_free(&r);
    snprintf(body, sizeof body, "action=lift&csrf=&silence_id=%s", silence_id);
    free(silence_id);
    req_free("POST", "/alerts", HS_TOK_ADMIN, FORM, body, 200);
    assert_int_equal(active_silences(), 0);

    /* the secretariat's assessment from its form */
    req_free("POST", "/alerts", HS_TOK_ADMIN, FORM,
             "action=assess&csrf=&indicator_id=p2-pj2-class34-approvals&fiscal_year=2022&grade=A"
             "&reason=%E7%B7%8F%E5%90%88%E7%9A%84%E3%81%AB%E5%8B%98%E6%A1%88",
             200);
    r = req("GET", "/api/v1/assessments", NULL, NULL, NULL, 0, 200);
    assert_non_null(strstr(r.body, "総合的に勘案"));
    assert_non_null(strstr(r.body, "\"by\": \"admin\""));
    hs_curl_free(&r);
    req_free("POST", "/alerts", HS_TOK_ADMIN, FORM,
             "action=assess&csrf=&indicator_id=p2-pj2-class34-approvals&fiscal_year=soon&grade=A",
             400);

    /* without the manage right: 403 for every manage action, nothing done */
    snprintf(path, sizeof path, "/api/v1/alerts/%s/ack", id);
    req_free("POST", path, HS_TOK_PJ2, JS, "{\"reason\": \"x\"}", 403);
    req_free("POST", "/api/v1/silences", HS_TOK_PJ2, JS,
             "{\"plan\": \"p2\", \"until\": \"2030-01-01\", \"comment\": \"x\"}", 403);
    snprintf(path, sizeof path, "/api/v1/silences/%lld/lift", sid);
    req_free("POST", path, HS_TOK_READER, NULL, NULL, 403);
    req_free("POST", "/api/v1/subscriptions", HS_TOK_PJ2, JS, "{\"url\": \"http://127.0.0.1:9/\"}",
             403);
    req_free("DELETE", "/api/v1/subscriptions/1", HS_TOK_PJ2, NULL, NULL, 403);
    req_free("POST", "/api/v1/assessments", HS_TOK_PJ2, JS, "{}", 403);
    static const char *const forms[] = {
        "action=ack&csrf=&alert_id=x&reason=y",
        "action=silence&csrf=&plan=p2&until=2030-01-01&comment=x",
        "action=lift&csrf=&silence_id=1",
        "action=assess&csrf=&indicator_id=p2-pj2-class34-approvals&fiscal_year=2022&grade=A",
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++)
        req_free("POST", "/alerts", HS_TOK_PJ2, FORM, forms[i], 403);
    req_free("POST", "/subscriptions", HS_TOK_READER, FORM,
             "action=subscribe&csrf=&url=http%3A%2F%2F127.0.0.1%3A9%2F", 403);
    req_free("POST", "/alerts", NULL, FORM, forms[0], 401);
    assert_int_equal(active_silences(), 0);
    free(eid);
    free(id);
}

/* ---- webhooks ------------------------------------------------------------------ */

static void test_subscriptions(void **state)
{
    (void)state;
    static const char sub[] = "{\"url\": \"http://127.0.0.1:9/hook\", \"plan\": \"p2\", "
                              "\"severity\": \"critical\", \"secret\": \"s3cret\"}";
    struct hs_resp r = req("POST", "/api/v1/subscriptions", HS_TOK_ADMIN, JS, sub, strlen(sub), 201);
    json_t *j = json_loads(r.body, 0, NULL);
    long long id = json_integer_value(json_object_get(j, "id"));
    assert_true(id > 0);
    assert_null(json_object_get(j, "secret"));
    assert_string_equal(json_string_value(json_object_get(j, "created_by")), "admin");
    json_decref(j);
    hs_curl_free(&r);
    /* listed without its secret, by the API and the page; whole for a
     * manager, without its path for one who may only read (a webhook URL
     * can be its own credential) */
    r = req("GET", "/api/v1/subscriptions", HS_TOK_ADMIN, NULL, NULL, 0, 200);
    assert_non_null(strstr(r.body, "http://127.0.0.1:9/hook"));
    assert_non_null(strstr(r.body, "\"signed\": true"));
    assert_null(strstr(r.body, "s3cret"));
    hs_curl_free(&r);
    r = req("GET", "/api/v1/subscriptions", NULL, NULL, NULL, 0, 200);
    assert_non_null(strstr(r.body, "\"http://127.0.0.1:9/…\""));
    assert_null(strstr(r.body, "/hook"));
    hs_curl_free(&r);
    r = req("GET", "/subscriptions", HS_TOK_ADMIN, NULL, NULL, 0, 200);
    assert_non_null(strstr(r.body, "http://127.0.0.1:9/hook"));
    assert_non_null(strstr(r.body, "id=\"subscribe-form\""));
    assert_null(strstr(r.body, "s3cret"));
    hs_curl_free(&r);
    r = req("GET", "/subscriptions", HS_TOK_READER, NULL, NULL, 0, 200);
    assert_null(strstr(r.body, "<form"));
    assert_null(strstr(r.body, "/hook"));
    hs_curl_free(&r);
    req_free("POST", "/api/v1/subscriptions", HS_TOK_ADMIN, JS, "{\"url\": \"ftp://x\"}", 400);
    req_free("POST", "/api/v1/subscriptions", HS_TOK_ADMIN, JS, "{\"url\": \"http://x/\", \"severity\": \"loud\"}", 400);
    /* an email address, with a weekly digest; a Slack webhook; neither: 400;
     * what the store refuses (an address that is not one, an unknown format
     * or digest) is said back */
    static const char mail[] = "{\"email\": \"jimukyoku@example.jp\", \"digest\": \"mon 09:00\", "
                               "\"plan\": \"p3\"}";
    r = req("POST", "/api/v1/subscriptions", HS_TOK_ADMIN, JS, mail, strlen(mail), 201);
    j = json_loads(r.body, 0, NULL);
    long long mail_id = json_integer_value(json_object_get(j, "id"));
    assert_true(mail_id > 0);
    assert_string_equal(json_string_value(json_object_get(j, "format")), "email");
    json_decref(j);
    hs_curl_free(&r);
    static const char slack[] = "{\"url\": \"http://127.0.0.1:9/slack\", \"format\": \"slack\"}";
    req_free("POST", "/api/v1/subscriptions", HS_TOK_ADMIN, JS, slack, 201);
    r = req("GET", "/api/v1/subscriptions", HS_TOK_READER, NULL, NULL, 0, 200);
    assert_non_null(strstr(r.body, "\"j…@example.jp\""));
    assert_null(strstr(r.body, "jimukyoku"));
    hs_curl_free(&r);
    r = req("GET", "/api/v1/subscriptions", HS_TOK_ADMIN, NULL, NULL, 0, 200);
    j = json_loads(r.body, 0, NULL);
    int seen_mail = 0, seen_slack = 0;
    size_t k;
    json_t *v;
    json_array_foreach(json_object_get(j, "subscriptions"), k, v) {
        const char *fmt = json_string_value(json_object_get(v, "format"));
        if (!strcmp(json_string_value(json_object_get(v, "email")), "jimukyoku@example.jp"))
            seen_mail = !strcmp(fmt, "email") &&
                        !strcmp(json_string_value(json_object_get(v, "url")), "");
        if (!strcmp(json_string_value(json_object_get(v, "url")), "http://127.0.0.1:9/slack"))
            seen_slack = !strcmp(fmt, "slack");
    }
    assert_true(seen_mail && seen_slack);
    json_decref(j);
    hs_curl_free(&r);
    r = req("GET", "/subscriptions", HS_TOK_ADMIN, NULL, NULL, 0, 200);
    assert_non_null(strstr(r.body, "jimukyoku@example.jp"));
    assert_non_null(strstr(r.body, "name=\"email\""));
    hs_curl_free(&r);
    req_free("POST", "/api/v1/subscriptions", HS_TOK_ADMIN, JS, "{\"plan\": \"p3\"}", 400);
    r = req("POST", "/api/v1/subscriptions", HS_TOK_ADMIN, JS, "{\"email\": \"not an address\"}",
            strlen("{\"email\": \"not an address\"}"), 400);
    assert_non_null(strstr(r.body, "not an address local@domain"));
    hs_curl_free(&r);
    req_free("POST", "/api/v1/subscriptions", HS_TOK_ADMIN, JS,
             "{\"url\": \"http://x/\", \"format\": \"teams\"}", 400);
    req_free("POST", "/api/v1/subscriptions", HS_TOK_ADMIN, JS,
             "{\"email\": \"a@example.jp\", \"digest\": \"someday\"}", 400);
    /* the form takes an address too */
    req_free("POST", "/subscriptions", HS_TOK_ADMIN, FORM,
             "action=subscribe&csrf=&email=form%40example.jp&severity=critical", 200);
    r = req("GET", "/api/v1/subscriptions", HS_TOK_ADMIN, NULL, NULL, 0, 200);
    assert_non_null(strstr(r.body, "form@example.jp"));
    /* all but the first go again (the forms below find theirs as the only other one) */
    j = json_loads(r.body, 0, NULL);
    hs_curl_free(&r);
    json_array_foreach(json_object_get(j, "subscriptions"), k, v) {
        long long other = json_integer_value(json_object_get(v, "id"));
        char del[100];
        snprintf(del, sizeof del, "/api/v1/subscriptions/%lld", other);
        if (other != id)
            req_free("DELETE", del, HS_TOK_ADMIN, NULL, NULL, 200);
    }
    json_decref(j);

    char path[100];
    snprintf(path, sizeof path, "/api/v1/subscriptions/%lld", id);
    req_free("DELETE", path, HS_TOK_ADMIN, NULL, NULL, 200);
    req_free("DELETE", path, HS_TOK_ADMIN, NULL, NULL, 404);
    req_free("GET", path, HS_TOK_ADMIN, NULL, NULL, 405);

    /* the forms */
    req_free("POST", "/subscriptions", HS_TOK_ADMIN, FORM,
             "action=subscribe&csrf=&url=http%3A%2F%2F127.0.0.1%3A9%2Fform&severity=warning", 200);
    r = req("GET", "/subscriptions", HS_TOK_ADMIN, NULL, NULL, 0, 200);
    assert_non_null(strstr(r.body, "http://127.0.0.1:9/form"));
    char *sid = hidden(strstr(r.body, "class=\"unsubscribe\""), "id");
    hs_curl_free(&r);
    char body[200];
    snprintf(body, sizeof body, "action=unsubscribe&csrf=&id=%s", sid);
    free(sid);
    req_free("POST", "/subscriptions", HS_TOK_ADMIN, FORM, body, 200);
    r = req("GET", "/api/v1/subscriptions", HS_TOK_ADMIN, NULL, NULL, 0, 200);
    assert_null(strstr(r.body, "127.0.0.1:9/form"));
    hs_curl_free(&r);
}

/* ---- the CLI: silence --lift ----------------------------------------------------- */

/* The alert service's admin view (QUERY_ADMIN_GET: what it mutes by) holds silence id. */
static int admin_has_silence(unsigned long long id)
{
    struct pw_client *st = hs_client(&cl, HS_STORE, NULL);
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_ADMIN_GET;
    Planwatch__V1__QueryReply *rep = hs_query(&cl, st, &q);
    int has = 0;
    for (size_t i = 0; i < rep->n_silences; i++)
        has |= rep->silences[i]->id == id;
    planwatch__v1__query_reply__free_unpacked(rep, NULL);
    pw_client_close(&st);
    return has;
}

static void test_cli_lift(void **state)
{
    (void)state;
    char *out = NULL, *err = NULL;
    const char *add[] = {"silence", "--plan", "p2", "--until", "2030-01-01", "--comment", "cli",
                         NULL};
    int rc = hs_cli(&cl, &out, &err, add);
    if (rc != 0)
        fail_msg("silence: exit %d: %s%s", rc, out, err);
    unsigned long long id = 0;
    assert_int_equal(sscanf(out, "silence %llu:", &id), 1);
    free(out);
    free(err);
    assert_int_equal(active_silences(), 1);
    assert_true(admin_has_silence(id));
    char ids[32];
    snprintf(ids, sizeof ids, "%llu", id);
    const char *lift[] = {"silence", "--lift", ids, "--by", "田中", NULL};
    rc = hs_cli(&cl, &out, &err, lift);
    if (rc != 0)
        fail_msg("silence --lift: exit %d: %s%s", rc, out, err);
    assert_non_null(strstr(out, "lifted by 田中"));
    free(out);
    free(err);
    assert_int_equal(active_silences(), 0);
    /* the alert service's view (what it mutes by) leaves it out at once */
    assert_false(admin_has_silence(id));
    /* the history keeps it, lifted */
    const char *hist[] = {"alerts", "--history", NULL};
    assert_int_equal(hs_cli(&cl, &out, &err, hist), 0);
    assert_non_null(strstr(out, "by 田中]"));
    free(out);
    free(err);
    /* not active any more: the store refuses (exit 1); a bad id is a usage error */
    assert_int_equal(hs_cli(&cl, &out, &err, lift), 1);
    assert_non_null(strstr(err, "not active"));
    free(out);
    free(err);
    const char *bad[] = {"silence", "--lift", "x", NULL};
    assert_int_equal(hs_cli(&cl, &out, &err, bad), 2);
    free(out);
    free(err);
    const char *mixed[] = {"silence", "--lift", ids, "--plan", "p2", NULL};
    assert_int_equal(hs_cli(&cl, &out, &err, mixed), 2);
    free(out);
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_upload),
        cmocka_unit_test(test_alerts),
        cmocka_unit_test(test_subscriptions),
        cmocka_unit_test(test_cli_lift),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
