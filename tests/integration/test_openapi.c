/* test_openapi.c - docs/openapi.yaml against the running planwatch-http
 * (real store, ingest and alert services on loopback). The document the
 * server serves is the file, and every $ref in it resolves. Every route the
 * server answers is in it: the documented paths (built from the document's
 * own examples) answer, and paths that only look like routes answer 404.
 * Every documented operation, called with valid and invalid inputs - store
 * up, store down, and with --read-auth - answers the exact status this test
 * expects, a status the document lists for the operation, a documented media
 * type and header, and JSON with the schema's required properties and types
 * (a small walker: $ref, oneOf/anyOf, type, required, properties, items and
 * string enums). Undocumented methods answer 405; HEAD answers like GET. */
#include <jansson.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sodium.h>
#include <yaml.h>

#include <cmocka.h>

#include "harness.h"
#include "hs_curl.h"
#include "session.h"
#include "users.h"
#include "zsock.h"

static struct hs_cluster cl;
static yaml_document_t doc;
static int doc_loaded;

/* ---- the document ------------------------------------------------------- */

static yaml_node_t *y_node(int id)
{
    return yaml_document_get_node(&doc, id);
}

static const char *y_str(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static yaml_node_t *y_get(const yaml_node_t *map, const char *key)
{
    if (!map || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        const char *k = y_str(y_node(p->key));
        if (k && strcmp(k, key) == 0)
            return y_node(p->value);
    }
    return NULL;
}

/* Follows {"$ref": "#/a/b~1c"} (a JSON pointer into this document) until n
 * is no reference; NULL when one does not resolve. */
static yaml_node_t *y_deref(yaml_node_t *n)
{
    for (int hops = 0; n && hops < 16; hops++) {
        const char *ref = y_str(y_get(n, "$ref"));
        if (!ref)
            return n;
        if (strncmp(ref, "#/", 2) != 0)
            return NULL;
        yaml_node_t *cur = yaml_document_get_root_node(&doc);
        for (const char *p = ref + 1; cur && *p == '/';) {
            char seg[256];
            size_t k = 0;
            for (p++; *p && *p != '/' && k + 1 < sizeof seg; p++) {
                if (*p == '~' && (p[1] == '0' || p[1] == '1'))
                    seg[k++] = *++p == '0' ? '~' : '/';
                else
                    seg[k++] = *p;
            }
            seg[k] = '\0';
            cur = y_get(cur, seg);
        }
        n = cur;
    }
    return NULL;
}

static yaml_node_t *y_paths(void)
{
    yaml_node_t *p = doc_loaded ? y_get(yaml_document_get_root_node(&doc), "paths") : NULL;
    if (!p) /* a failure, not a crash, for every test after test_document's */
        fail_msg("docs/openapi.yaml was not loaded (see test_document)");
    return p;
}

static yaml_node_t *y_schema(const char *name)
{
    return y_get(y_get(y_get(yaml_document_get_root_node(&doc), "components"), "schemas"), name);
}

/* path (no query) matches the template: the same text, {x} standing for one
 * non-empty segment. */
static int path_match(const char *tmpl, const char *path)
{
    while (*tmpl && *path) {
        if (*tmpl == '{') {
            const char *end = strchr(tmpl, '}');
            size_t seg = strcspn(path, "/");
            if (!end || seg == 0)
                return 0;
            tmpl = end + 1;
            path += seg;
        } else if (*tmpl++ != *path++) {
            return 0;
        }
    }
    return !*tmpl && !*path;
}

/* The path item whose template matches path (a query is ignored), or NULL;
 * *tmpl its template. */
static yaml_node_t *doc_path(const char *path, const char **tmpl)
{
    char p[2048];
    snprintf(p, sizeof p, "%.*s", (int)strcspn(path, "?"), path);
    yaml_node_t *paths = y_paths();
    for (yaml_node_pair_t *q = paths->data.mapping.pairs.start; q < paths->data.mapping.pairs.top; q++)
        if (path_match(y_str(y_node(q->key)), p)) {
            if (tmpl)
                *tmpl = y_str(y_node(q->key));
            return y_node(q->value);
        }
    return NULL;
}

/* The operation of method (GET, POST...; HEAD is GET's) on path, or NULL. */
static yaml_node_t *doc_op(const char *method, const char *path)
{
    char m[16];
    size_t i = 0;
    if (strcmp(method, "HEAD") == 0)
        method = "GET";
    for (; method[i] && i + 1 < sizeof m; i++)
        m[i] = (char)(method[i] | 0x20);
    m[i] = '\0';
    return y_get(doc_path(path, NULL), m);
}

/* ---- coverage: what each operation was seen to answer -------------------- */

#define OPS_MAX 64
static struct {
    char id[64];
    int ok, err;
    char codes[128]; /* the status codes seen, " 200 400" */
} seen[OPS_MAX];
static size_t nseen;

static void seen_add(const char *op, long status)
{
    size_t i = 0;
    char code[8];
    while (i < nseen && strcmp(seen[i].id, op) != 0)
        i++;
    assert_true(i < OPS_MAX);
    if (i == nseen)
        snprintf(seen[nseen++].id, sizeof seen[0].id, "%s", op);
    if (status < 300 || status == 303) /* the sign-in pages answer 303 when done */
        seen[i].ok++;
    else
        seen[i].err++;
    snprintf(code, sizeof code, " %ld", status);
    if (!strstr(seen[i].codes, code))
        strncat(seen[i].codes, code, sizeof seen[i].codes - strlen(seen[i].codes) - 1);
}

/* ---- the schema walker ---------------------------------------------------- */

static int sch_type(const char *t, const json_t *v)
{
    const char *have = json_is_object(v) ? "object" : json_is_array(v) ? "array"
                       : json_is_string(v) ? "string" : json_is_integer(v) ? "integer"
                       : json_is_real(v) ? "number" : json_is_boolean(v) ? "boolean" : "null";
    /* an integer is a number too */
    return t && (strcmp(t, have) == 0 || (strcmp(t, "number") == 0 && json_is_integer(v)));
}

/* Checks v against schema s; writes where and why into err and returns -1
 * on the first mismatch. */
static int sch_check(yaml_node_t *s, json_t *v, const char *where, char *err, size_t n)
{
    char sub[512];
    yaml_node_t *alt, *type, *req, *props, *items, *en;
    if (!(s = y_deref(s))) {
        snprintf(err, n, "%s: a $ref of its schema does not resolve", where);
        return -1;
    }
    if ((alt = y_get(s, "oneOf")) || (alt = y_get(s, "anyOf"))) {
        char first[512] = "";
        for (yaml_node_item_t *i = alt->data.sequence.items.start; i < alt->data.sequence.items.top; i++) {
            if (sch_check(y_node(*i), v, where, sub, sizeof sub) == 0)
                return 0;
            if (!first[0])
                snprintf(first, sizeof first, "%s", sub);
        }
        snprintf(err, n, "%s: none of the alternatives (the first: %s)", where, first);
        return -1;
    }
    if ((type = y_get(s, "type"))) {
        int ok = 0;
        if (type->type == YAML_SEQUENCE_NODE)
            for (yaml_node_item_t *i = type->data.sequence.items.start; i < type->data.sequence.items.top; i++)
                ok |= sch_type(y_str(y_node(*i)), v);
        else
            ok = sch_type(y_str(type), v);
        if (!ok) {
            snprintf(err, n, "%s: not of the documented type", where);
            return -1;
        }
    }
    if ((en = y_get(s, "enum")) && json_is_string(v)) {
        int ok = 0;
        for (yaml_node_item_t *i = en->data.sequence.items.start; i < en->data.sequence.items.top; i++)
            ok |= y_str(y_node(*i)) && strcmp(y_str(y_node(*i)), json_string_value(v)) == 0;
        if (!ok) {
            snprintf(err, n, "%s: '%s' is not one of the documented values", where, json_string_value(v));
            return -1;
        }
    }
    if (json_is_object(v) && (req = y_get(s, "required")))
        for (yaml_node_item_t *i = req->data.sequence.items.start; i < req->data.sequence.items.top; i++)
            if (!json_object_get(v, y_str(y_node(*i)))) {
                snprintf(err, n, "%s: the required property '%s' is missing", where, y_str(y_node(*i)));
                return -1;
            }
    if (json_is_object(v) && (props = y_get(s, "properties")))
        for (yaml_node_pair_t *p = props->data.mapping.pairs.start; p < props->data.mapping.pairs.top; p++) {
            const char *k = y_str(y_node(p->key));
            json_t *pv = json_object_get(v, k);
            snprintf(sub, sizeof sub, "%s.%s", where, k);
            if (pv && sch_check(y_node(p->value), pv, sub, err, n))
                return -1;
        }
    if (json_is_array(v) && (items = y_get(s, "items")))
        for (size_t i = 0; i < json_array_size(v); i++) {
            snprintf(sub, sizeof sub, "%s[%zu]", where, i);
            if (sch_check(items, json_array_get(v, i), sub, err, n))
                return -1;
        }
    return 0;
}

/* body is JSON that schema s admits. */
static void sch_assert(yaml_node_t *s, const struct hs_resp *r, const char *what)
{
    char err[600];
    json_error_t je;
    json_t *j = json_loadb(r->body, r->len, 0, &je);
    if (!j)
        fail_msg("%s: not JSON (%s): %.300s", what, je.text, r->body);
    int rc = sch_check(s, j, "body", err, sizeof err);
    json_decref(j);
    if (rc)
        fail_msg("%s: %s\n%.600s", what, err, r->body);
}

/* ---- an answer against the document --------------------------------------- */

/* The answer r of method path keeps to the document: the operation exists
 * (and is op when op is not NULL), lists the status, the Content-Type's
 * media type, its required headers, and the JSON admits its schema. */
static void doc_check(const char *method, const char *path, const struct hs_resp *r, const char *op)
{
    char what[600], code[8], base[128], hv[256];
    snprintf(what, sizeof what, "%s %.200s -> %ld", method, path, r->status);
    yaml_node_t *o = doc_op(method, path);
    if (!o)
        fail_msg("%s: docs/openapi.yaml has no such operation", what);
    const char *id = y_str(y_get(o, "operationId"));
    assert_non_null(id);
    if (op && strcmp(id, op) != 0)
        fail_msg("%s: documented as %s, expected %s", what, id, op);
    snprintf(code, sizeof code, "%ld", r->status);
    yaml_node_t *resp = y_deref(y_get(y_get(o, "responses"), code));
    if (!resp)
        fail_msg("%s: not a status docs/openapi.yaml lists for %s: %.300s", what, id, r->body);
    yaml_node_t *hdrs = y_get(resp, "headers");
    for (yaml_node_pair_t *p = hdrs ? hdrs->data.mapping.pairs.start : NULL;
         p && p < hdrs->data.mapping.pairs.top; p++) {
        const char *req = y_str(y_get(y_deref(y_node(p->value)), "required"));
        if (req && strcmp(req, "true") == 0 && !hs_curl_header(r, y_str(y_node(p->key)), hv, sizeof hv))
            fail_msg("%s: no %s header (documented as required)", what, y_str(y_node(p->key)));
    }
    yaml_node_t *content = y_get(resp, "content"), *mt = NULL;
    snprintf(base, sizeof base, "%.*s", (int)strcspn(r->ctype, "; "), r->ctype);
    for (yaml_node_pair_t *p = content ? content->data.mapping.pairs.start : NULL;
         p && p < content->data.mapping.pairs.top; p++)
        if (strcasecmp(y_str(y_node(p->key)), base) == 0)
            mt = y_node(p->value);
    if (content && !mt)
        fail_msg("%s: Content-Type '%s' is not documented for it", what, r->ctype);
    if (!content && r->len)
        fail_msg("%s: a body where the document lists none", what);
    if (strcmp(method, "HEAD") == 0) {
        if (r->len)
            fail_msg("%s: HEAD answered a body", what);
    } else if (strcasecmp(base, "application/json") == 0 && y_get(mt, "schema")) {
        sch_assert(y_get(mt, "schema"), r, what);
    }
    seen_add(id, r->status);
}

/* ---- requests ---------------------------------------------------------------- */

/* One case: a request, the status it must get, and optionally the media type. */
struct oc {
    const char *op;
    const char *method, *path, *token, *ctype, *accept, *body;
    long want;
    const char *want_type;
};

static struct hs_resp oc_run_body(const struct oc *c, const char *body, size_t len)
{
    struct hs_resp r = hs_curl(&cl, c->method, c->path, c->token, c->ctype, c->accept, body, len);
    if (r.status != c->want)
        fail_msg("%s %.200s: HTTP %ld, expected %ld: %.600s", c->method, c->path, r.status, c->want,
                 r.body);
    doc_check(c->method, c->path, &r, c->op);
    if (c->want_type && strncasecmp(r.ctype, c->want_type, strlen(c->want_type)) != 0)
        fail_msg("%s %.200s: Content-Type %s, expected %s", c->method, c->path, r.ctype, c->want_type);
    return r;
}

static void oc_run(const struct oc *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *b = cases[i].body;
        struct hs_resp r = oc_run_body(&cases[i], b, b ? strlen(b) : 0);
        hs_curl_free(&r);
    }
}

/* The request the document's examples make for the operation o of path
 * item template tmpl: each {param} and each query parameter with an
 * example. */
static void doc_example_url(const char *tmpl, yaml_node_t *o, char *out, size_t n)
{
    yaml_node_t *params = y_get(o, "parameters");
    char query[1024] = "";
    snprintf(out, n, "%s", tmpl);
    for (yaml_node_item_t *i = params ? params->data.sequence.items.start : NULL;
         i && i < params->data.sequence.items.top; i++) {
        yaml_node_t *p = y_deref(y_node(*i));
        const char *name = y_str(y_get(p, "name")), *in = y_str(y_get(p, "in")),
                   *ex = y_str(y_get(p, "example"));
        assert_non_null(name);
        assert_non_null(in);
        if (!ex)
            continue;
        if (strcmp(in, "path") == 0) {
            char pat[128], *at, rest[1024];
            snprintf(pat, sizeof pat, "{%s}", name);
            assert_non_null(at = strstr(out, pat));
            snprintf(rest, sizeof rest, "%s", at + strlen(pat));
            snprintf(at, n - (size_t)(at - out), "%s%s", ex, rest);
        } else if (strcmp(in, "query") == 0) {
            size_t q = strlen(query);
            snprintf(query + q, sizeof query - q, "%c%s=%s", q ? '&' : '?', name, ex);
        }
    }
    strncat(out, query, n - strlen(out) - 1);
}

static const char *const methods[] = {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};

/* ---- setup ------------------------------------------------------------------ */

static int setup(void **state)
{
    (void)state;
    static const char *const flags[] = {"--max-rows=200", "--max-body-bytes=65536",
                                        "--ingest-timeout-ms=3000", "--store-timeout-ms=2000", NULL};
    /* plan 2 is running on 2023-03-31 and its FY2022 sample figures are due */
    hs_curl_start(&cl, "openapi", "2023-03-31", flags);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (doc_loaded)
        yaml_document_delete(&doc);
    hs_curl_stop(&cl);
    return 0;
}

/* ---- tests -------------------------------------------------------------------- */

/* The server serves docs/openapi.yaml as it is, as application/yaml; it is
 * OpenAPI 3.x, every $ref resolves, every operation has a unique
 * operationId and every GET says whether --read-auth closes it. */
static void test_document(void **state)
{
    (void)state;
    size_t len;
    char *file = hs_read_file(hs_src("docs/openapi.yaml"), &len);
    struct hs_resp r = hs_curl(&cl, "GET", "/api/v1/openapi.yaml", NULL, NULL, NULL, NULL, 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.ctype, "application/yaml");
    if (r.len != len || memcmp(r.body, file, len) != 0)
        fail_msg("the served document is not docs/openapi.yaml (rebuild planwatch-http)");
    free(file);

    yaml_parser_t parser;
    assert_int_equal(yaml_parser_initialize(&parser), 1);
    yaml_parser_set_input_string(&parser, (const unsigned char *)r.body, r.len);
    if (!yaml_parser_load(&parser, &doc))
        fail_msg("docs/openapi.yaml: line %zu: %s", parser.problem_mark.line + 1, parser.problem);
    yaml_parser_delete(&parser);
    doc_loaded = 1;
    hs_curl_free(&r);
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    assert_non_null(root);
    const char *v = y_str(y_get(root, "openapi"));
    assert_non_null(v);
    assert_true(strncmp(v, "3.", 2) == 0);
    assert_non_null(y_paths());
    assert_int_equal(y_paths()->type, YAML_MAPPING_NODE);
    assert_non_null(y_schema("Error"));

    for (yaml_node_t *n = doc.nodes.start; n < doc.nodes.top; n++)
        if (y_get(n, "$ref") && !y_deref(n))
            fail_msg("line %zu: $ref %s does not resolve", n->start_mark.line + 1,
                     y_str(y_get(n, "$ref")));
    char ids[OPS_MAX][64];
    size_t nids = 0;
    yaml_node_t *paths = y_paths();
    for (yaml_node_pair_t *p = paths->data.mapping.pairs.start; p < paths->data.mapping.pairs.top; p++)
        for (size_t m = 0; m < sizeof methods / sizeof methods[0]; m++) {
            yaml_node_t *o = doc_op(methods[m], y_str(y_node(p->key)));
            if (!o)
                continue;
            const char *id = y_str(y_get(o, "operationId"));
            if (!id)
                fail_msg("%s %s has no operationId", methods[m], y_str(y_node(p->key)));
            for (size_t k = 0; k < nids; k++)
                if (strcmp(ids[k], id) == 0)
                    fail_msg("operationId %s is used twice", id);
            assert_true(nids < OPS_MAX);
            snprintf(ids[nids++], sizeof ids[0], "%s", id);
            if (strcmp(methods[m], "GET") == 0 && !y_str(y_get(o, "x-read-auth")))
                fail_msg("%s: say whether --read-auth closes it (x-read-auth)", id);
        }
}

/* The feed API: every status it can give with the store up. */
static void test_feeds(void **state)
{
    (void)state;
    static const char csv1[] = "indicator_id,fiscal_year,value\np2-pj2-class34-approvals,2022,5\n";
    static const struct oc cases[] = {
        {"postFeed", "POST", "/api/v1/feeds?dry_run=true", HS_TOK_ADMIN, "text/csv", NULL, csv1, 200, NULL},
        {"postFeed", "POST", "/api/v1/feeds?dry_run=1", HS_TOK_ADMIN, "application/json", NULL,
         "{\"updates\": [{\"indicator_id\": \"p2-pj2-class34-approvals\", \"fiscal_year\": 2022, "
         "\"value\": 5}]}", 200, NULL},
        {"postFeed", "POST", "/api/v1/feeds?dry_run=true", HS_TOK_ADMIN, "application/json; charset=utf-8",
         NULL, "[{\"indicator_id\": \"p2-pj2-class34-approvals\", \"fiscal_year\": \"FY2022\", "
         "\"value\": \"5\"}]", 200, NULL},
        /* some rows refused, the rest stored */
        {"postFeed", "POST", "/api/v1/feeds", HS_TOK_PJ2, "text/csv", NULL,
         "indicator_id,fiscal_year,value\np2-pj2-healthcare-demos,2022,3\n"
         "p2-pj2-nonclinical-poc,FY2019,3\np2-pj1-clinical-poc,2022,33\n", 409, NULL},
        {"postFeed", "POST", "/api/v1/feeds", HS_TOK_ADMIN, "text/csv", NULL,
         "indicator_id,fiscal_year,value\nno-such-indicator,2022,1\n", 409, NULL},
        {"postFeed", "POST", "/api/v1/feeds", NULL, "text/csv", NULL, csv1, 401, NULL},
        {"postFeed", "POST", "/api/v1/feeds", "wrong-token", "text/csv", NULL, csv1, 401, NULL},
        {"postFeed", "POST", "/api/v1/feeds", HS_TOK_READER, "text/csv", NULL, csv1, 403, NULL},
        {"postFeed", "POST", "/api/v1/feeds", HS_TOK_PJ2, "text/csv", NULL,
         "indicator_id,fiscal_year,value\np3-out11-core-hospital-trials,2022,1\n", 403, NULL},
        {"postFeed", "POST", "/api/v1/feeds", HS_TOK_ADMIN, "application/xml", NULL, csv1, 415, NULL},
        {"postFeed", "POST", "/api/v1/feeds", HS_TOK_ADMIN, NULL, NULL, csv1, 415, NULL},
        {"postFeed", "POST", "/api/v1/feeds", HS_TOK_ADMIN, "text/csv", NULL, "no,such,columns\n1,2,3\n", 400, NULL},
        {"postFeed", "POST", "/api/v1/feeds", HS_TOK_ADMIN, "application/json", NULL, "{\"updates\": [", 400, NULL},
        {"postFeed", "POST", "/api/v1/feeds", HS_TOK_ADMIN, "application/json", NULL, "{}", 400, NULL},
        {"postFeed", "POST", "/api/v1/feeds", HS_TOK_ADMIN, "text/csv", NULL, "", 400, NULL},
        {"postFeed", "POST", "/api/v1/feeds?dry_run=maybe", HS_TOK_ADMIN, "text/csv", NULL, csv1, 400, NULL},
    };
    oc_run(cases, sizeof cases / sizeof cases[0]);

    /* the sample feed, stored: the read API below has figures and alerts */
    size_t len;
    char *csv = hs_read_file(hs_src("catalog/feeds/plan2-fy2022.csv"), &len);
    const struct oc store = {"postFeed", "POST", "/api/v1/feeds", HS_TOK_ADMIN, "text/csv", NULL, NULL, 200, NULL};
    struct hs_resp r = oc_run_body(&store, csv, len);
    hs_curl_free(&r);
    free(csv);

    /* retractions: the sample's figures are there to withdraw */
#define RETRACT(id, fy) "{\"indicator_id\": \"" id "\", \"fiscal_year\": " fy "}"
#define LAUNCHES RETRACT("p2-pj2-healthcare-launches", "2022")
#define RC(query, token, ctype, body, want)                                                        \
    {"postRetraction", "POST", "/api/v1/retractions" query, token, ctype, NULL, body, want, NULL}
#define JS "application/json"
    static const struct oc retractions[] = {
        RC("", HS_TOK_PJ2, JS, LAUNCHES, 200),
        RC("?dry_run=true", HS_TOK_PJ2, JS, RETRACT("p2-pj2-healthcare-launches", "\"FY2022\""), 200),
        /* another office's retraction of a year that has no figure now */
        RC("", HS_TOK_ADMIN, JS, LAUNCHES, 409),
        RC("", HS_TOK_ADMIN, JS, RETRACT("no-such-indicator", "2022"), 409),
        RC("", HS_TOK_ADMIN, JS, RETRACT("p2-pj2-healthcare-launches", "\"soon\""), 409),
        RC("", HS_TOK_ADMIN, JS, "{\"indicator_id\": \"p2-pj2-healthcare-launches\"}", 400),
        RC("", HS_TOK_ADMIN, JS, "[", 400),
        RC("?dry_run=maybe", HS_TOK_ADMIN, JS, LAUNCHES, 400),
        RC("", NULL, JS, LAUNCHES, 401),
        RC("", "wrong-token", JS, LAUNCHES, 401),
        RC("", HS_TOK_READER, JS, LAUNCHES, 403),
        RC("", HS_TOK_PJ2, JS, RETRACT("p3-out11-core-hospital-trials", "2022"), 403),
        RC("", HS_TOK_ADMIN, "text/csv", LAUNCHES, 415),
        /* the figure again, for the reads below */
        {"postFeed", "POST", "/api/v1/feeds", HS_TOK_PJ2, "text/csv", NULL,
         "indicator_id,fiscal_year,value\np2-pj2-healthcare-launches,2022,6\n", 200, NULL},
    };
#undef JS
#undef RC
#undef LAUNCHES
#undef RETRACT
    oc_run(retractions, sizeof retractions / sizeof retractions[0]);

    /* over --max-body-bytes (65536), over --max-rows (200) */
    const struct oc big = {"postFeed", "POST", "/api/v1/feeds", HS_TOK_ADMIN, "text/csv", NULL, NULL, 413, NULL};
    char *body = malloc(70000);
    assert_non_null(body);
    memset(body, 'x', 70000);
    r = oc_run_body(&big, body, 70000);
    hs_curl_free(&r);
    size_t n = (size_t)snprintf(body, 70000, "indicator_id,fiscal_year,value\n");
    for (int i = 0; i < 250; i++)
        n += (size_t)snprintf(body + n, 70000 - n, "p2-pj2-class34-approvals,2022,5\n");
    r = oc_run_body(&big, body, n);
    assert_non_null(strstr(r.body, "PW_EFEED_TOOMANY"));
    hs_curl_free(&r);
    free(body);
}

/* The read API, the pages and the meta routes with valid and invalid
 * parameters (the store up, no --read-auth). */
static void test_reads(void **state)
{
    (void)state;
    char longid[200], url[400];
    memset(longid, 'x', 65);
    longid[65] = '\0';
    static const struct oc cases[] = {
        {"getStatus", "GET", "/api/v1/status?as_of=2023-03-31&plan=p2", NULL, NULL, NULL, NULL, 200, "application/json"},
        {"getStatus", "GET", "/api/v1/status", NULL, NULL, NULL, NULL, 200, "application/json"},
        {"getStatus", "GET", "/api/v1/status?plan=p2&project=pj2&format=csv", NULL, NULL, NULL, NULL, 200, "text/csv"},
        {"getStatus", "GET", "/api/v1/status?plan=p2", NULL, NULL, "text/csv", NULL, 200, "text/csv"},
        {"getStatus", "GET", "/api/v1/status?plan=p2&format=json", NULL, NULL, NULL, NULL, 200, "application/json"},
        {"getStatus", "GET", "/api/v1/status?plan=p2&format=xml", NULL, NULL, NULL, NULL, 400, "application/json"},
        {"getStatus", "GET", "/api/v1/status?as_of=2023-02-30", NULL, NULL, NULL, NULL, 400, NULL},
        {"getStatus", "GET", "/api/v1/status?as_of=yesterday", NULL, NULL, NULL, NULL, 400, NULL},
        {"getStatus", "GET", "/api/v1/status?plan=p9", NULL, NULL, NULL, NULL, 400, NULL},
        {"getStatus", "GET", "/api/v1/status?project=pj99", NULL, NULL, NULL, NULL, 400, NULL},
        /* 30 × あ: the message quotes 64 bytes of it, cutting a character (not UTF-8) */
        {"getStatus", "GET", "/api/v1/status?plan=%E3%81%82%E3%81%82%E3%81%82%E3%81%82%E3%81%82"
         "%E3%81%82%E3%81%82%E3%81%82%E3%81%82%E3%81%82%E3%81%82%E3%81%82%E3%81%82%E3%81%82"
         "%E3%81%82%E3%81%82%E3%81%82%E3%81%82%E3%81%82%E3%81%82%E3%81%82%E3%81%82%E3%81%82"
         "%E3%81%82%E3%81%82%E3%81%82%E3%81%82%E3%81%82%E3%81%82%E3%81%82", NULL, NULL, NULL, NULL, 400, NULL},
        {"getHistory", "GET", "/api/v1/indicators/p2-pj2-class34-approvals/history", NULL, NULL, NULL, NULL, 200, "application/json"},
        {"getHistory", "GET", "/api/v1/indicators/p2-pj2-class34-approvals/history?format=csv", NULL, NULL, NULL, NULL, 200, "text/csv"},
        {"getHistory", "GET", "/api/v1/indicators/p2-pj2-class34-approvals/history", NULL, NULL, "text/csv", NULL, 200, "text/csv"},
        {"getHistory", "GET", "/api/v1/indicators/no-such/history", NULL, NULL, NULL, NULL, 404, NULL},
        {"getAlerts", "GET", "/api/v1/alerts", NULL, NULL, NULL, NULL, 200, NULL},
        {"getAlerts", "GET", "/api/v1/alerts?plan=p9", NULL, NULL, NULL, NULL, 400, NULL},
        {"getAlerts", "GET", "/api/v1/alerts?plan=p2&project=pj99", NULL, NULL, NULL, NULL, 400, NULL},
        {"getReport", "GET", "/api/v1/report?plan=p2&fy=2022&format=csv", NULL, NULL, NULL, NULL, 200, "text/csv"},
        {"getReport", "GET", "/api/v1/report?plan=p2&fy=R4&format=md", NULL, NULL, NULL, NULL, 200, "text/markdown"},
        {"getReport", "GET", "/api/v1/report?plan=p2&fy=%E4%BB%A4%E5%92%8C4", NULL, NULL, NULL, NULL, 200, "text/html"},
        {"getReport", "GET", "/api/v1/report?plan=&fy=2022", NULL, NULL, NULL, NULL, 400, NULL},
        {"getReport", "GET", "/api/v1/report?fy=2022", NULL, NULL, NULL, NULL, 400, NULL},
        {"getReport", "GET", "/api/v1/report?plan=p2", NULL, NULL, NULL, NULL, 400, NULL},
        {"getReport", "GET", "/api/v1/report?plan=p9&fy=2022", NULL, NULL, NULL, NULL, 400, NULL},
        {"getReport", "GET", "/api/v1/report?plan=p2&fy=soon", NULL, NULL, NULL, NULL, 400, NULL},
        {"getReport", "GET", "/api/v1/report?plan=p2&fy=2022&format=docx", NULL, NULL, NULL, NULL, 400, NULL},
        {"getReport", "GET", "/api/v1/report?plan=p2&fy=2022&format=xlsx", NULL, NULL, NULL, NULL, 200,
         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
        {"getReport", "GET", "/api/v1/report?plan=p2&fy=2022&format=csv&bom=false", NULL, NULL, NULL, NULL, 200, "text/csv"},
        {"getReport", "GET", "/api/v1/report?plan=p2&fy=2022&format=csv&bom=maybe", NULL, NULL, NULL, NULL, 400, NULL},
        {"getStatus", "GET", "/api/v1/status?plan=p2&known_at=2026-03-31T12:00:00%2B09:00", NULL, NULL, NULL, NULL, 200, "application/json"},
        {"getStatus", "GET", "/api/v1/status?known_at=2026-03-31", NULL, NULL, "text/csv", NULL, 200, "text/csv"},
        {"getStatus", "GET", "/api/v1/status?known_at=noon", NULL, NULL, NULL, NULL, 400, NULL},
        {"getHistory", "GET", "/api/v1/indicators/p2-pj2-class34-approvals/history?known_at=2020-01-01", NULL, NULL, NULL, NULL, 200, "application/json"},
        {"getHistory", "GET", "/api/v1/indicators/p2-pj2-class34-approvals/history?known_at=2026-03-31T12:00:00", NULL, NULL, NULL, NULL, 400, NULL},
        {"getReport", "GET", "/api/v1/report?plan=p2&fy=2022&format=csv&known_at=2026-03-31", NULL, NULL, NULL, NULL, 200, "text/csv"},
        {"getReport", "GET", "/api/v1/report?plan=p2&fy=2022&known_at=later", NULL, NULL, NULL, NULL, 400, NULL},
        {"postReport", "POST", "/api/v1/reports?plan=p2&fy=2022&format=md", HS_TOK_ADMIN, NULL, NULL, NULL, 201, "application/json"},
        {"postReport", "POST", "/api/v1/reports?plan=p2&fy=2022&format=csv&by=x&known_at=2026-03-31", HS_TOK_ADMIN, NULL, NULL, NULL, 201, "application/json"},
        {"postReport", "POST", "/api/v1/reports?plan=p2&fy=2022&format=csv&bom=false", HS_TOK_ADMIN, NULL, NULL, NULL, 201, "application/json"},
        {"postReport", "POST", "/api/v1/reports?plan=p2&fy=2022", NULL, NULL, NULL, NULL, 401, NULL},
        {"postReport", "POST", "/api/v1/reports?plan=p2&fy=2022", HS_TOK_READER, NULL, NULL, NULL, 403, NULL},
        {"postReport", "POST", "/api/v1/reports?plan=p2&fy=soon", HS_TOK_ADMIN, NULL, NULL, NULL, 400, NULL},
        {"postReport", "POST", "/api/v1/reports?plan=p9&fy=2022", HS_TOK_ADMIN, NULL, NULL, NULL, 400, NULL},
        {"postAssessment", "POST", "/api/v1/assessments", HS_TOK_ADMIN, "application/json", NULL,
         "{\"indicator_id\": \"p2-pj2-class34-approvals\", \"fiscal_year\": 2022, \"grade\": \"A\", "
         "\"reason\": \"総合的に勘案\", \"by\": \"事務局\"}", 201, "application/json"},
        {"postAssessment", "POST", "/api/v1/assessments", NULL, "application/json", NULL, "{}", 401, NULL},
        {"postAssessment", "POST", "/api/v1/assessments", HS_TOK_READER, "application/json", NULL, "{}", 403, NULL},
        {"postAssessment", "POST", "/api/v1/assessments", HS_TOK_ADMIN, "application/json", NULL,
         "{\"indicator_id\": \"p2-pj2-class34-approvals\", \"fiscal_year\": 2022, \"grade\": \"C\", "
         "\"reason\": \"x\"}", 400, NULL},
        {"postAssessment", "POST", "/api/v1/assessments", HS_TOK_ADMIN, "application/json", NULL,
         "{\"indicator_id\": \"p2-pj2-class34-approvals\", \"fiscal_year\": 2019, \"withdraw\": true}",
         404, NULL},
        {"getAssessments", "GET", "/api/v1/assessments", NULL, NULL, NULL, NULL, 200, "application/json"},
        {"getAssessments", "GET", "/api/v1/assessments?history=true&known_at=2026-03-31", NULL, NULL, NULL, NULL, 200, "application/json"},
        {"getAssessments", "GET", "/api/v1/assessments?known_at=noon", NULL, NULL, NULL, NULL, 400, NULL},
        {"getReports", "GET", "/api/v1/reports", NULL, NULL, NULL, NULL, 200, "application/json"},
        {"getReports", "GET", "/api/v1/reports?plan=p2", NULL, NULL, NULL, NULL, 200, "application/json"},
        {"getReports", "GET", "/api/v1/reports?plan=p9", NULL, NULL, NULL, NULL, 400, NULL},
        {"getPublishedReport", "GET", "/api/v1/reports/1", NULL, NULL, NULL, NULL, 200, "text/markdown"},
        {"getPublishedReport", "GET", "/api/v1/reports/2", NULL, NULL, NULL, NULL, 200, "text/csv"},
        {"getPublishedReport", "GET", "/api/v1/reports/999", NULL, NULL, NULL, NULL, 404, NULL},
        {"getPublishedReport", "GET", "/api/v1/reports/x1", NULL, NULL, NULL, NULL, 404, NULL},
        {"getDashboard", "GET", "/?as_of=2023-03-31&plan=p2", NULL, NULL, NULL, NULL, 200, "text/html"},
        {"getDashboard", "GET", "/", NULL, NULL, NULL, NULL, 200, "text/html"},
        {"getDashboard", "GET", "/?as_of=yesterday", NULL, NULL, NULL, NULL, 400, "application/json"},
        {"getDashboard", "GET", "/?plan=p9", NULL, NULL, NULL, NULL, 400, NULL},
        {"getDashboardIndex", "GET", "/index.html?plan=p2&project=all", NULL, NULL, NULL, NULL, 200, "text/html"},
        {"getDashboardIndex", "GET", "/index.html?as_of=2023-02-30", NULL, NULL, NULL, NULL, 400, NULL},
        {"getDashboard", "GET", "/?grade=B&sort=gap&kind=status&office=pj2&known_at=2030-01-01", NULL, NULL, NULL, NULL, 200, "text/html"},
        {"getDashboard", "GET", "/?grade=C", NULL, NULL, NULL, NULL, 400, NULL},
        {"getDashboard", "GET", "/?view=heatmap&plan=p2", NULL, NULL, NULL, NULL, 200, "text/html"},
        {"getDashboardIndex", "GET", "/index.html?view=map", NULL, NULL, NULL, NULL, 400, NULL},
        {"getIndicatorPage", "GET", "/indicator/p2-pj2-class34-approvals?as_of=2023-03-31", NULL, NULL, NULL, NULL, 200, "text/html"},
        {"getIndicatorPage", "GET", "/indicator/p2-pj2-class34-approvals?known_at=soon", NULL, NULL, NULL, NULL, 400, NULL},
        {"getIndicatorPage", "GET", "/indicator/no-such-indicator", NULL, NULL, NULL, NULL, 404, NULL},
        {"getHealth", "GET", "/api/v1/health", NULL, NULL, NULL, NULL, 200, NULL},
        {"getTemplate", "GET", "/api/v1/template?office=pj2&fy=2022", NULL, NULL, NULL, NULL, 200, "text/csv"},
        {"getTemplate", "GET", "/api/v1/template?office=pj2&fy=%EF%BC%B2%EF%BC%94&format=xlsx", NULL, NULL, NULL, NULL, 200,
         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
        {"getTemplate", "GET", "/api/v1/template", NULL, NULL, NULL, NULL, 400, NULL},
        {"getTemplate", "GET", "/api/v1/template?office=pj2&fy=soon", NULL, NULL, NULL, NULL, 400, NULL},
        {"getTemplate", "GET", "/api/v1/template?office=pj2&format=docx", NULL, NULL, NULL, NULL, 400, NULL},
        {"getTemplate", "GET", "/api/v1/template?office=nobody", NULL, NULL, NULL, NULL, 404, NULL},
        {"getTemplate", "GET", "/api/v1/template?office=reader", NULL, NULL, NULL, NULL, 404, NULL},
        {"getOpenApi", "GET", "/api/v1/openapi.yaml", NULL, NULL, NULL, NULL, 200, "application/yaml"},
    };
    oc_run(cases, sizeof cases / sizeof cases[0]);

    /* ids that cannot be one; a filter longer than the store takes */
    snprintf(url, sizeof url, "/api/v1/indicators/%s/history", longid);
    const struct oc hist = {"getHistory", "GET", url, NULL, NULL, NULL, NULL, 404, NULL};
    oc_run(&hist, 1);
    snprintf(url, sizeof url, "/?project=%s", longid);
    const struct oc dash = {"getDashboard", "GET", url, NULL, NULL, NULL, NULL, 400, NULL};
    oc_run(&dash, 1);
    snprintf(url, sizeof url, "/api/v1/alerts?indicator=%0200d", 7);
    const struct oc al = {"getAlerts", "GET", url, NULL, NULL, NULL, NULL, 400, NULL};
    oc_run(&al, 1);

    /* an open alert of the sample data, so an Alert is checked too: class34
     * is BEHIND on 2023-03-31 once the alert service has judged the feed */
    struct pw_client *st = NULL;
    assert_int_equal(pw_client_open(cl.ctx, cl.ep_store, &st), 0);
    assert_true(hs_alert_evaluated(&cl, hs_store_seq(&cl, st), 0, "2023-03-31", NULL, 20000) >= 0);
    pw_client_close(&st);
    const struct oc open = {"getAlerts", "GET", "/api/v1/alerts?plan=p2&project=pj2", NULL, NULL, NULL, NULL, 200, NULL};
    struct hs_resp r = oc_run_body(&open, NULL, 0);
    json_t *j = json_loads(r.body, 0, NULL);
    assert_true(json_array_size(json_object_get(j, "alerts")) > 0);
    json_decref(j);
    hs_curl_free(&r);
    const struct oc rows = {"getHistory", "GET", "/api/v1/indicators/p2-pj2-class34-approvals/history", NULL, NULL, NULL, NULL, 200, NULL};
    r = oc_run_body(&rows, NULL, 0);
    j = json_loads(r.body, 0, NULL);
    assert_true(json_array_size(j) > 0);
    json_decref(j);
    hs_curl_free(&r);
}

/* A flat YAML mapping as a JSON object: integers stay numbers, the rest
 * strings. Caller frees; NULL when ex is not a mapping. */
static char *doc_example_json(yaml_node_t *ex)
{
    if (!ex || ex->type != YAML_MAPPING_NODE)
        return NULL;
    json_t *o = json_object();
    for (yaml_node_pair_t *p = ex->data.mapping.pairs.start; p < ex->data.mapping.pairs.top; p++) {
        const char *k = y_str(y_node(p->key)), *v = y_str(y_node(p->value));
        char *end;
        long long n = strtoll(v ? v : "", &end, 10);
        if (k && v)
            json_object_set_new(o, k, v[0] && !*end ? json_integer(n) : json_string(v));
    }
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

#define FORM_TYPE "application/x-www-form-urlencoded"

/* The id field of the JSON answer to a POST (it must answer want). */
static long long posted_id(const char *path, const char *body, long want)
{
    const struct oc c = {NULL, "POST", path, HS_TOK_ADMIN, "application/json", NULL, body, want, NULL};
    struct hs_resp r = oc_run_body(&c, body, strlen(body));
    json_t *j = json_loads(r.body, 0, NULL);
    long long id = json_integer_value(json_object_get(j, "id"));
    json_decref(j);
    hs_curl_free(&r);
    assert_true(id > 0);
    return id;
}

/* The URL of an operation whose example needs a live object of the store
 * (an open alert, an active silence, a subscription), made here; NULL for
 * the others. */
static const char *live_url(const char *op)
{
    static char url[512];
    if (!op)
        return NULL;
    if (strcmp(op, "postAck") == 0) {
        struct hs_resp r = hs_curl(&cl, "GET", "/api/v1/alerts", NULL, NULL, NULL, NULL, 0);
        json_t *j = json_loads(r.body, 0, NULL);
        const char *id = json_string_value(
            json_object_get(json_array_get(json_object_get(j, "alerts"), 0), "alert_id"));
        assert_non_null(id); /* test_reads saw open alerts */
        snprintf(url, sizeof url, "/api/v1/alerts/%s/ack", id);
        json_decref(j);
        hs_curl_free(&r);
        return url;
    }
    if (strcmp(op, "postSilenceLift") == 0) {
        snprintf(url, sizeof url, "/api/v1/silences/%lld/lift",
                 posted_id("/api/v1/silences",
                           "{\"plan\": \"p2\", \"until\": \"2030-01-01\", \"comment\": \"x\"}", 201));
        return url;
    }
    if (strcmp(op, "deleteSubscription") == 0) {
        snprintf(url, sizeof url, "/api/v1/subscriptions/%lld",
                 posted_id("/api/v1/subscriptions", "{\"url\": \"http://127.0.0.1:9/live\"}", 201));
        return url;
    }
    return NULL;
}

/* Acting (README "Acting in the browser"): the pages' forms and the API
 * calls with valid and invalid inputs, by a manager and by callers without
 * the right (the examples' own calls are in test_routes). */
static void test_acting(void **state)
{
    (void)state;
#define JS "application/json"
    static const struct oc cases[] = {
        {"getUploadPage", "GET", "/upload", HS_TOK_ADMIN, NULL, NULL, NULL, 200, "text/html"},
        {"getUploadPage", "GET", "/upload?lang=en", HS_TOK_READER, NULL, NULL, NULL, 200, "text/html"},
        {"getUploadPage", "GET", "/upload?lang=fr", HS_TOK_ADMIN, NULL, NULL, NULL, 400, NULL},
        {"getAlertsPage", "GET", "/alerts?lang=de", NULL, NULL, NULL, NULL, 400, NULL},
        {"getSubscriptionsPage", "GET", "/subscriptions?lang=x", NULL, NULL, NULL, NULL, 400, NULL},
        {"postUploadForm", "POST", "/upload", NULL, FORM_TYPE, NULL, "action=preview&csrf=", 401, NULL},
        {"postUploadForm", "POST", "/upload", HS_TOK_READER, FORM_TYPE, NULL, "action=preview&csrf=", 403, NULL},
        {"postUploadForm", "POST", "/upload", HS_TOK_ADMIN, "text/csv", NULL, "a,b\n", 415, NULL},
        {"postUploadForm", "POST", "/upload", HS_TOK_ADMIN, FORM_TYPE, NULL, "action=nope&csrf=", 400, "text/html"},
        {"postUploadForm", "POST", "/upload", HS_TOK_ADMIN, FORM_TYPE, NULL, "action=preview&csrf=", 400, "text/html"},
        /* bad row: 409, nothing stored (a preview) */
        {"postUploadForm", "POST", "/upload", HS_TOK_ADMIN, FORM_TYPE, NULL,
         "action=preview&csrf=&filename=x.csv&content_b64="
         "aW5kaWNhdG9yX2lkLGZpc2NhbF95ZWFyLHZhbHVlCnAyLXBqMi1jbGFzczM0LWFwcHJvdmFscyxzb29uLDUK",
         409, "text/html"},
        {"getAlertsPage", "GET", "/alerts", HS_TOK_ADMIN, NULL, NULL, NULL, 200, "text/html"},
        {"getAlertsPage", "GET", "/alerts?lang=en", NULL, NULL, NULL, NULL, 200, "text/html"},
        {"postAlertsForm", "POST", "/alerts", NULL, FORM_TYPE, NULL, "action=ack&csrf=", 401, NULL},
        {"postAlertsForm", "POST", "/alerts", HS_TOK_PJ2, FORM_TYPE, NULL, "action=ack&csrf=", 403, NULL},
        {"postAlertsForm", "POST", "/alerts", HS_TOK_ADMIN, JS, NULL, "{}", 415, NULL},
        {"postAlertsForm", "POST", "/alerts", HS_TOK_ADMIN, FORM_TYPE, NULL, "action=nope&csrf=", 400, "text/html"},
        {"postAlertsForm", "POST", "/alerts", HS_TOK_ADMIN, FORM_TYPE, NULL,
         "action=ack&csrf=&alert_id=p2-pj2-class34-approvals%3A999999&reason=x", 404, "text/html"},
        {"postAlertsForm", "POST", "/alerts", HS_TOK_ADMIN, FORM_TYPE, NULL, "action=lift&csrf=&silence_id=999", 404, "text/html"},
        {"getSubscriptionsPage", "GET", "/subscriptions", HS_TOK_ADMIN, NULL, NULL, NULL, 200, "text/html"},
        {"postSubscriptionsForm", "POST", "/subscriptions", NULL, FORM_TYPE, NULL, "action=subscribe&csrf=", 401, NULL},
        {"postSubscriptionsForm", "POST", "/subscriptions", HS_TOK_READER, FORM_TYPE, NULL, "action=subscribe&csrf=", 403, NULL},
        {"postSubscriptionsForm", "POST", "/subscriptions", HS_TOK_ADMIN, FORM_TYPE, NULL,
         "action=subscribe&csrf=&url=ftp%3A%2F%2Fx", 400, "text/html"},
        {"postSubscriptionsForm", "POST", "/subscriptions", HS_TOK_ADMIN, FORM_TYPE, NULL, "action=unsubscribe&csrf=&id=999", 404, "text/html"},
        {"postAck", "POST", "/api/v1/alerts/p2-pj2-class34-approvals:999999/ack", HS_TOK_ADMIN, JS, NULL, "{\"reason\": \"x\"}", 404, NULL},
        {"postAck", "POST", "/api/v1/alerts/x:1/ack", HS_TOK_ADMIN, JS, NULL, "{\"reason\": 1}", 400, NULL},
        {"postAck", "POST", "/api/v1/alerts/x:1/ack", NULL, JS, NULL, "{\"reason\": \"x\"}", 401, NULL},
        {"postAck", "POST", "/api/v1/alerts/x:1/ack", HS_TOK_PJ2, JS, NULL, "{\"reason\": \"x\"}", 403, NULL},
        {"postAck", "POST", "/api/v1/alerts/x:1/ack", HS_TOK_ADMIN, "text/plain", NULL, "x", 415, NULL},
        {"postSilence", "POST", "/api/v1/silences", HS_TOK_ADMIN, JS, NULL,
         "{\"indicator_id\": \"p2-pj2-class34-approvals\", \"until\": \"2030-01-01\", \"comment\": \"x\"}", 201, JS},
        {"postSilence", "POST", "/api/v1/silences", HS_TOK_ADMIN, JS, NULL, "{\"until\": \"2030-01-01\", \"comment\": \"x\"}", 400, NULL},
        {"postSilence", "POST", "/api/v1/silences", HS_TOK_ADMIN, JS, NULL, "[", 400, NULL},
        {"postSilence", "POST", "/api/v1/silences", HS_TOK_ADMIN, JS, NULL, "{\"plan\": \"p9\", \"until\": \"2030-01-01\", \"comment\": \"x\"}", 404, NULL},
        {"postSilence", "POST", "/api/v1/silences", NULL, JS, NULL, "{}", 401, NULL},
        {"postSilence", "POST", "/api/v1/silences", HS_TOK_READER, JS, NULL, "{}", 403, NULL},
        {"postSilence", "POST", "/api/v1/silences", HS_TOK_ADMIN, FORM_TYPE, NULL, "plan=p2", 415, NULL},
        {"postSilenceLift", "POST", "/api/v1/silences/999/lift", HS_TOK_ADMIN, NULL, NULL, NULL, 404, NULL},
        {"postSilenceLift", "POST", "/api/v1/silences/x/lift", HS_TOK_ADMIN, NULL, NULL, NULL, 404, NULL},
        {"postSilenceLift", "POST", "/api/v1/silences/1/lift", NULL, NULL, NULL, NULL, 401, NULL},
        {"postSilenceLift", "POST", "/api/v1/silences/1/lift", HS_TOK_PJ2, NULL, NULL, NULL, 403, NULL},
        {"getSubscriptions", "GET", "/api/v1/subscriptions", NULL, NULL, NULL, NULL, 200, JS},
        {"postSubscription", "POST", "/api/v1/subscriptions", HS_TOK_ADMIN, JS, NULL,
         "{\"url\": \"https://example.org/hook\", \"severity\": \"critical\", \"secret\": \"s\"}", 201, JS},
        {"postSubscription", "POST", "/api/v1/subscriptions", HS_TOK_ADMIN, JS, NULL, "{\"url\": \"ftp://x\"}", 400, NULL},
        {"postSubscription", "POST", "/api/v1/subscriptions", HS_TOK_ADMIN, JS, NULL, "{\"url\": \"http://x/\", \"plan\": \"p9\"}", 404, NULL},
        {"postSubscription", "POST", "/api/v1/subscriptions", NULL, JS, NULL, "{}", 401, NULL},
        {"postSubscription", "POST", "/api/v1/subscriptions", HS_TOK_READER, JS, NULL, "{}", 403, NULL},
        {"postSubscription", "POST", "/api/v1/subscriptions", HS_TOK_ADMIN, "text/csv", NULL, "x", 415, NULL},
        {"deleteSubscription", "DELETE", "/api/v1/subscriptions/999", HS_TOK_ADMIN, NULL, NULL, NULL, 404, NULL},
        {"deleteSubscription", "DELETE", "/api/v1/subscriptions/1", NULL, NULL, NULL, NULL, 401, NULL},
        {"deleteSubscription", "DELETE", "/api/v1/subscriptions/1", HS_TOK_PJ2, NULL, NULL, NULL, 403, NULL},
        /* a feed file as a form's file part */
        {"postFeed", "POST", "/api/v1/feeds", HS_TOK_ADMIN, "multipart/form-data; boundary=XyZ", NULL,
         "--XyZ\r\nContent-Disposition: form-data; name=\"dry_run\"\r\n\r\ntrue\r\n"
         "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.csv\"\r\n"
         "Content-Type: text/csv\r\n\r\nindicator_id,fiscal_year,value\n"
         "p2-pj2-class34-approvals,2022,5\n\r\n--XyZ--\r\n", 200, "application/json"},
        {"postFeed", "POST", "/api/v1/feeds", HS_TOK_ADMIN, "multipart/form-data; boundary=XyZ", NULL,
         "--XyZ\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--XyZ--\r\n", 400, NULL},
    };
#undef JS
    oc_run(cases, sizeof cases / sizeof cases[0]);
}

/* Every route the server answers is documented: each documented operation,
 * built from the document's examples, answers 2xx, HEAD like GET, other
 * methods 405; of the probes (the known routes and look-alikes), whatever
 * answers other than 404 is in the document. */
static void test_routes(void **state)
{
    (void)state;
    /* the routes the server is known to have, whatever the document says,
     * and paths that only look like routes */
    static const char *const probes[] = {
        "/", "/index.html", "/api/v1/feeds", "/api/v1/status", "/api/v1/alerts",
        "/api/v1/report", "/api/v1/health", "/api/v1/openapi.yaml", "/api/v1/template",
        "/api/v1/indicators/p2-pj2-class34-approvals/history", "/api/v1/nothing", "/api/v2/status", "/api/v1", "/api/v1/", "/api", "/api/", "/index.htm",
        "/index", "/dashboard", "/status", "/indicator", "/indicator/", "/indicator/a/b", "/api/v1/indicators", "/api/v1/indicators/",
        "/api/v1/indicators/p2-pj2-class34-approvals",
        "/api/v1/indicators/p2-pj2-class34-approvals/history/",
        "/api/v1/indicators/p2-pj2-class34-approvals/history/x",
        "/api/v1/indicators/p2/pj2/history", "/api/v1/indicators//history", "/api/v1/status/",
        "/api/v1/status.csv", "/api/v1/STATUS", "/API/V1/STATUS", "/api/v1/health/",
        "/api/v1/healthz", "/healthz", "/health", "/metrics", "/api/v1/metrics",
        "/api/v1/openapi.json", "/api/v1/openapi.yml", "/openapi.yaml", "/api/v1/feeds/",
        "/api/v1/feeds/x", "/api/v1/report/", "/api/v1/report/p2", "/api/v1/alerts/x",
        "/api/v1/catalog", "/api/v1/indicators/p2-pj2-class34-approvals/latest", "/favicon.ico",
        "/robots.txt", "//", "/./", "/api/v1/../v1/status", "/index.html/", "/%2F",
        "/api/v1/reports", "/api/v1/reports/1", "/api/v1/reports/", "/api/v1/reports/1/x",
        "/api/v1/retractions", "/api/v1/retractions/", "/api/v1/retractions/1",
        "/upload", "/upload/", "/alerts", "/alerts/", "/alerts/1", "/subscriptions",
        "/subscriptions/1", "/api/v1/silences", "/api/v1/silences/", "/api/v1/silences/1",
        "/api/v1/silences/1/lift/", "/api/v1/subscriptions", "/api/v1/subscriptions/",
        "/api/v1/subscriptions/1/x", "/api/v1/alerts/x/ack", "/api/v1/alerts/x/ack/",
        "/api/v1/alerts//ack", "/api/v1/acks",
    };
    yaml_node_t *paths = y_paths();
    for (yaml_node_pair_t *p = paths->data.mapping.pairs.start; p < paths->data.mapping.pairs.top; p++) {
        const char *tmpl = y_str(y_node(p->key));
        char url[2048];
        for (size_t m = 0; m < sizeof methods / sizeof methods[0]; m++) {
            yaml_node_t *o = doc_op(methods[m], tmpl);
            struct hs_resp r;
            if (!o) { /* not documented: 405 before the path is looked at */
                doc_example_url(tmpl, y_get(y_node(p->value), "get") ? y_get(y_node(p->value), "get")
                                                                       : y_get(y_node(p->value), "post"),
                                url, sizeof url);
                r = hs_curl(&cl, methods[m], url, HS_TOK_ADMIN, NULL, NULL, NULL, 0);
                if (r.status != 405)
                    fail_msg("%s %s (not documented): HTTP %ld, expected 405", methods[m], url, r.status);
                sch_assert(y_schema("Error"), &r, url);
                hs_curl_free(&r);
                continue;
            }
            doc_example_url(tmpl, o, url, sizeof url);
            const char *live = live_url(y_str(y_get(o, "operationId")));
            if (live) /* an example that needs a live object of the store */
                snprintf(url, sizeof url, "%s", live);
            if (strcmp(methods[m], "POST") == 0 &&
                (strcmp(tmpl, "/signin") == 0 || strcmp(tmpl, "/signout") == 0))
                continue; /* the sign-in forms need a user: test_signin_pages */
            if (strcmp(methods[m], "POST") == 0) { /* the documented example body */
                yaml_node_t *rb = y_get(o, "requestBody"); /* none: a publication */
                yaml_node_t *content = y_get(rb, "content");
                const char *body = y_str(y_get(y_get(content, "text/csv"), "example"));
                const char *ctype = body ? "text/csv" : NULL;
                if (rb && !body &&
                    (body = y_str(y_get(y_get(content, FORM_TYPE), "example"))))
                    ctype = FORM_TYPE; /* a page's form */
                char *json = NULL;
                if (rb && !body) { /* a JSON body only (a retraction) */
                    json = doc_example_json(y_get(y_get(content, "application/json"), "example"));
                    body = json;
                    ctype = "application/json";
                }
                if (rb)
                    assert_non_null(body);
                r = hs_curl(&cl, "POST", url, HS_TOK_ADMIN, ctype, NULL, body,
                            body ? strlen(body) : 0);
                free(json);
            } else { /* DELETE changes something: the manager's token */
                r = hs_curl(&cl, methods[m], url,
                            strcmp(methods[m], "DELETE") == 0 ? HS_TOK_ADMIN : NULL, NULL, NULL,
                            NULL, 0);
            }
            if (r.status < 200 || r.status > 299)
                fail_msg("%s %s (the document's examples): HTTP %ld: %.400s", methods[m], url,
                         r.status, r.body);
            doc_check(methods[m], url, &r, NULL);
            if (strcmp(methods[m], "GET") == 0) { /* HEAD: the same answer without a body */
                struct hs_resp h = hs_curl(&cl, "HEAD", url, NULL, NULL, NULL, NULL, 0);
                assert_int_equal(h.status, r.status);
                assert_string_equal(h.ctype, r.ctype);
                doc_check("HEAD", url, &h, NULL);
                hs_curl_free(&h);
            }
            hs_curl_free(&r);
        }
    }
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        struct hs_resp r = hs_curl(&cl, "GET", probes[i], NULL, NULL, NULL, NULL, 0);
        if (r.status != 404 && !doc_path(probes[i], NULL))
            fail_msg("GET %s answers %ld but docs/openapi.yaml does not describe it: %.300s",
                     probes[i], r.status, r.body);
        if (r.status == 404)
            sch_assert(y_schema("Error"), &r, probes[i]);
        hs_curl_free(&r);
    }
}

/* The store down: every operation that needs it answers its documented 503
 * (Retry-After); the description is still served. */
static void test_store_down(void **state)
{
    (void)state;
    static const struct oc cases[] = {
        {"getStatus", "GET", "/api/v1/status", NULL, NULL, NULL, NULL, 503, NULL},
        {"getHistory", "GET", "/api/v1/indicators/p2-pj2-class34-approvals/history", NULL, NULL, NULL, NULL, 503, NULL},
        {"getAlerts", "GET", "/api/v1/alerts", NULL, NULL, NULL, NULL, 503, NULL},
        {"getReport", "GET", "/api/v1/report?plan=p2&fy=2022", NULL, NULL, NULL, NULL, 503, NULL},
        {"getReports", "GET", "/api/v1/reports", NULL, NULL, NULL, NULL, 503, NULL},
        {"getPublishedReport", "GET", "/api/v1/reports/1", NULL, NULL, NULL, NULL, 503, NULL},
        {"postReport", "POST", "/api/v1/reports?plan=p2&fy=2022", HS_TOK_ADMIN, NULL, NULL, NULL, 503, NULL},
        {"getDashboard", "GET", "/?as_of=2023-03-31", NULL, NULL, NULL, NULL, 503, "text/html"},
        {"getDashboardIndex", "GET", "/index.html", NULL, NULL, NULL, NULL, 503, "text/html"},
        {"getIndicatorPage", "GET", "/indicator/p2-pj2-class34-approvals", NULL, NULL, NULL, NULL, 503, "text/html"},
        {"postFeed", "POST", "/api/v1/feeds", HS_TOK_ADMIN, "text/csv", NULL,
         "indicator_id,fiscal_year,value\np2-pj2-class34-approvals,2022,6\n", 503, NULL},
        {"getOpenApi", "GET", "/api/v1/openapi.yaml", NULL, NULL, NULL, NULL, 200, NULL},
    };
    assert_int_equal(hs_stop(&cl, HS_STORE, SIGTERM), 0);
    oc_run(cases, sizeof cases / sizeof cases[0]);
    /* health turns 503 once the store has missed its pings (3 s): poll
     * the probe with a deadline */
    struct hs_resp r = {0};
    int64_t end = pw_now_ms() + 15000;
    do {
        hs_curl_free(&r);
        r = hs_curl(&cl, "GET", "/api/v1/health", NULL, NULL, NULL, NULL, 0);
        if (r.status == 503)
            break;
        poll(NULL, 0, 100); /* paced polling of a readiness probe, not a sync */
    } while (pw_now_ms() < end);
    assert_int_equal(r.status, 503);
    doc_check("GET", "/api/v1/health", &r, "getHealth");
    hs_curl_free(&r);
    hs_start(&cl, HS_STORE);
}

/* --read-auth: every operation marked x-read-auth answers 401 without a
 * token or with an unknown one, 403 to a token without read and 2xx to a
 * reader; the others (health, this document) answer anyone. */
static void test_read_auth(void **state)
{
    (void)state;
    size_t k = 0;
    while (cl.http_extra[k])
        k++;
    if (cl.pid[HS_STORE] <= 0) /* test_store_down failed before restarting it */
        hs_start(&cl, HS_STORE);
    assert_int_equal(hs_stop_http(&cl), 0);
    cl.http_extra[k] = "--read-auth";
    hs_start_http(&cl);
    yaml_node_t *paths = y_paths();
    for (yaml_node_pair_t *p = paths->data.mapping.pairs.start; p < paths->data.mapping.pairs.top; p++) {
        const char *tmpl = y_str(y_node(p->key));
        yaml_node_t *o = doc_op("GET", tmpl);
        char url[2048];
        if (!o)
            continue;
        doc_example_url(tmpl, o, url, sizeof url);
        const char *op = y_str(y_get(o, "operationId"));
        if (strcmp(y_str(y_get(o, "x-read-auth")), "true") == 0) {
            const struct oc cases[] = {
                {op, "GET", url, NULL, NULL, NULL, NULL, 401, NULL},
                {op, "GET", url, "wrong-token", NULL, NULL, NULL, 401, NULL},
                {op, "GET", url, HS_TOK_WRITER, NULL, NULL, NULL, 403, NULL},
                {op, "GET", url, HS_TOK_READER, NULL, NULL, NULL, 200, NULL},
            };
            oc_run(cases, sizeof cases / sizeof cases[0]);
        } else {
            const struct oc open = {op, "GET", url, NULL, NULL, NULL, NULL, 200, NULL};
            oc_run(&open, 1);
        }
    }
    /* the token check comes before the path is looked up */
    struct hs_resp r = hs_curl(&cl, "GET", "/api/v1/nothing", NULL, NULL, NULL, NULL, 0);
    assert_int_equal(r.status, 401);
    sch_assert(y_schema("Error"), &r, "/api/v1/nothing");
    hs_curl_free(&r);
    r = hs_curl(&cl, "GET", "/api/v1/nothing", HS_TOK_READER, NULL, NULL, NULL, 0);
    assert_int_equal(r.status, 404);
    hs_curl_free(&r);
    cl.http_extra[k] = NULL;
}

/* The sign-in pages with a users file: the form, a wrong and a right
 * password, sign-out without and with a session's CSRF token. */
static void test_signin_pages(void **state)
{
    (void)state;
    struct pw_users *u = NULL;
    struct pw_diag d = {0};
    char path[300], flag[320], pw[40], body[200], sc[400], cookie[400];
    size_t k = 0;
    assert_true(sodium_init() >= 0);
    hs_curl_password(pw, sizeof pw); /* made here, never committed */
    snprintf(path, sizeof path, "%s/users.yaml", cl.dir);
    assert_int_equal(pw_users_new(&u), 0);
    assert_int_equal(pw_users_add(u, "reader1", PW_USER_VIEWER, NULL, pw, &d), 0);
    assert_int_equal(pw_users_write_file(u, path, &d), 0);
    pw_users_close(&u);
    while (cl.http_extra[k])
        k++;
    snprintf(flag, sizeof flag, "--users=%s", path);
    assert_int_equal(hs_stop_http(&cl), 0);
    cl.http_extra[k] = flag;
    hs_start_http(&cl);
    const char *form = "application/x-www-form-urlencoded";
    snprintf(body, sizeof body, "name=reader1&password=%s&next=/", pw);
    const struct oc cases[] = {
        {"getSignin", "GET", "/signin?lang=en&next=/", NULL, NULL, NULL, NULL, 200, "text/html"},
        {"postSignin", "POST", "/signin", NULL, form, NULL, "name=reader1&password=wrong", 401,
         "text/html"},
        {"postSignout", "POST", "/signout", NULL, form, NULL, "csrf=x", 303, NULL},
    };
    oc_run(cases, sizeof cases / sizeof cases[0]);
    const struct oc in = {"postSignin", "POST", "/signin", NULL, form, NULL, body, 303, NULL};
    struct hs_resp r = oc_run_body(&in, body, strlen(body));
    assert_non_null(hs_curl_header(&r, "Set-Cookie", sc, sizeof sc));
    snprintf(cookie, sizeof cookie, "%.*s", (int)strcspn(sc, ";"), sc);
    hs_curl_free(&r);
    hs_curl_cookie = cookie;
    const struct oc out = {"postSignout", "POST", "/signout", NULL, form, NULL, "csrf=x", 403, NULL};
    oc_run(&out, 1);
    hs_curl_cookie = NULL;
    cl.http_extra[k] = NULL;
}

/* Every documented operation was called, answered 2xx at least once and,
 * where it documents failures, a failure at least once. */
static void test_coverage(void **state)
{
    (void)state;
    yaml_node_t *paths = y_paths();
    for (yaml_node_pair_t *p = paths->data.mapping.pairs.start; p < paths->data.mapping.pairs.top; p++)
        for (size_t m = 0; m < sizeof methods / sizeof methods[0]; m++) {
            yaml_node_t *o = doc_op(methods[m], y_str(y_node(p->key)));
            if (!o)
                continue;
            const char *id = y_str(y_get(o, "operationId"));
            yaml_node_t *resp = y_get(o, "responses");
            int fails = 0;
            size_t i = 0;
            for (yaml_node_pair_t *q = resp->data.mapping.pairs.start; q < resp->data.mapping.pairs.top; q++)
                fails |= y_str(y_node(q->key))[0] != '2';
            while (i < nseen && strcmp(seen[i].id, id) != 0)
                i++;
            if (i == nseen || !seen[i].ok || (fails && !seen[i].err))
                fail_msg("%s was not tested with %s (add cases to test_openapi.c)", id,
                         i == nseen ? "any request" : !seen[i].ok ? "a valid request" : "an invalid one");
            fprintf(stderr, "%-18s answered%s\n", id, seen[i].codes);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_document),  cmocka_unit_test(test_feeds),
        cmocka_unit_test(test_reads),     cmocka_unit_test(test_acting),
        cmocka_unit_test(test_routes),
        cmocka_unit_test(test_store_down), cmocka_unit_test(test_read_auth),
        cmocka_unit_test(test_signin_pages), cmocka_unit_test(test_coverage),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
