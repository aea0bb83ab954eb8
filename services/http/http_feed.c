/* http_feed.c - POST /api/v1/feeds: an office's feed over HTTP, with the
 * ZeroMQ door's validation and guarantees (and POST /api/v1/retractions:
 * one row with retract true, answered as a feed). The body (CSV or JSON, by
 * Content-Type) is parsed here for syntax (lib/feed.c), every row gets the
 * update id the CLI would give it (lib/feedid.c: the authenticated office is
 * part of it, so resends through either door never double), rows outside the
 * office's write scope are refused here, and the rest go to ingest as one
 * FeedBatch. The request stays suspended until ingest answers - which it
 * does only after the store's durable commit - so a 2xx means stored.
 * The answer is an import summary modelled on DHIS2's dataValueSets one:
 *   status SUCCESS | WARNING (some rows refused) | ERROR (nothing stored)
 *   import_count {accepted, unchanged, rejected, unavailable}
 *   conflicts [{row, column, indicator_id, code, reason}]   rows [...]
 * HTTP status: 200 every row stored or unchanged (dry run: valid); 409 some
 * rows refused (the others are stored); 400 the body is not a feed at all;
 * 403 no row within the office's scope; 413 too many rows; 503 the store or
 * ingest did not confirm (resend: safe). */
#include <jansson.h>
#include <microhttpd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "err.h"
#include "feed.h"
#include "feedid.h"
#include "fy.h"
#include "http.h"
#include "http_auth.h"
#include "log.h"
#include "map.h"
#include "msg.h"
#include "report.h"
#include "zsock.h"

enum fd_state { FD_PENDING, FD_ACCEPTED, FD_UNCHANGED, FD_REJECTED, FD_UNAVAILABLE, FD_VALID };
static const char *const fd_names[] = {"pending",  "accepted",    "unchanged",
                                       "rejected", "unavailable", "valid"};

struct fd_out {
    enum fd_state state;
    int code;
    char field[96];
    char reason[320];
    uint64_t seq;
    int same_as_row;
};

struct fd_job {
    struct http *h;
    struct http_req *r;
    struct pw_feed *feed;
    char office_name[80];
    char (*uid)[PW_FEEDID_BUFSZ];
    size_t *first;
    struct fd_out *out;          /* per parsed row */
    struct pw_map *by_uid;       /* uid of a sent row -> index + 1 */
    size_t *send, nsend;
    int dry_run;
    char batch_id[64];
    json_t *warnings;            /* sanity warnings of stored rows (README "Feeds"), or NULL */
    http_feed_render render;     /* NULL: the JSON answer; else it answers (the upload page) */
    void *render_arg;            /* owned: render_free(render_arg) with the job */
    void (*render_free)(void *);
    int local;                   /* dry run validated here against the catalog (no ingest) */
};

static void fd_free(void *p)
{
    struct fd_job *j = p;
    if (!j)
        return;
    pw_feed_close(&j->feed);
    pw_map_close(&j->by_uid);
    free(j->uid);
    free(j->first);
    free(j->out);
    free(j->send);
    json_decref(j->warnings);
    if (j->render_free)
        j->render_free(j->render_arg);
    free(j);
}

static void fd_note(struct fd_out *o, enum fd_state st, int code, const char *field,
                   const char *reason)
{
    o->state = st;
    o->code = code;
    snprintf(o->field, sizeof o->field, "%s", field ? field : "");
    snprintf(o->reason, sizeof o->reason, "%s", reason ? reason : "");
}

static json_t *fd_conflict(int row, const char *column, const char *indicator, int code,
                           const char *reason)
{
    return json_pack("{s:i, s:s, s:s, s:s, s:s}", "row", row, "column", column ? column : "",
                     "indicator_id", indicator ? indicator : "", "code", pw_errname(code),
                     "reason", reason ? reason : pw_strerror(code));
}

/* Builds and sends the import summary; chooses the HTTP status. force: a
 * status decided before (400, 403), or 0. */
static void fd_answer(struct fd_job *j, unsigned force)
{
    size_t count[FD_VALID + 1] = {0};
    json_t *conflicts = json_array(), *rows = json_array();
    size_t nrows = pw_feed_nrows(j->feed), nerr = pw_feed_nerrors(j->feed);
    for (size_t k = 0; k < nerr; k++) { /* rejected while parsing */
        const struct pw_diag *d = pw_feed_error(j->feed, k);
        json_array_append_new(conflicts, fd_conflict(d->line, d->field, "", d->code, d->msg));
    }
    count[FD_REJECTED] = pw_feed_nrejected(j->feed);
    for (size_t i = 0; i < nrows; i++) {
        const struct pw_feed_row *fr = pw_feed_row(j->feed, i);
        struct fd_out *o = &j->out[i];
        if (o->state == FD_PENDING) /* never answered: treat as not confirmed */
            fd_note(o, FD_UNAVAILABLE, PW_EUNAVAILABLE, "", "ingest sent no result for this row");
        count[o->state]++;
        json_t *row = json_pack("{s:i, s:s, s:s, s:s}", "row", fr->row, "indicator_id",
                                fr->indicator_id, "update_id", j->uid[i], "status",
                                fd_names[o->state]);
        if (o->seq)
            json_object_set_new(row, "seq", json_integer((json_int_t)o->seq));
        if (o->same_as_row)
            json_object_set_new(row, "same_as_row", json_integer(o->same_as_row));
        if (o->code) {
            json_object_set_new(row, "code", json_string(pw_errname(o->code)));
            json_object_set_new(row, "reason", json_string(o->reason));
        }
        json_array_append_new(rows, row);
        if (o->state == FD_REJECTED || o->state == FD_UNAVAILABLE)
            json_array_append_new(conflicts, fd_conflict(fr->row, o->field, fr->indicator_id,
                                                         o->code, o->reason));
    }
    size_t stored = count[FD_ACCEPTED] + count[FD_UNCHANGED] + count[FD_VALID];
    unsigned status = force;
    if (!status)
        status = count[FD_UNAVAILABLE] ? MHD_HTTP_SERVICE_UNAVAILABLE
                 : count[FD_REJECTED] ? MHD_HTTP_CONFLICT
                                      : MHD_HTTP_OK;
    const char *word = status == MHD_HTTP_OK ? "SUCCESS" : stored ? "WARNING" : "ERROR";
    char desc[200];
    if (status == MHD_HTTP_SERVICE_UNAVAILABLE)
        snprintf(desc, sizeof desc, "not every row was confirmed by the store: resend the same "
                                    "feed (safe: the same update ids never create duplicates)");
    else if (j->dry_run)
        snprintf(desc, sizeof desc, "dry run: %zu valid, %zu rejected; nothing was stored",
                 stored, count[FD_REJECTED]);
    else
        snprintf(desc, sizeof desc, "%zu accepted, %zu unchanged, %zu rejected",
                 count[FD_ACCEPTED], count[FD_UNCHANGED], count[FD_REJECTED]);
    json_t *doc = json_pack(
        "{s:s, s:i, s:s, s:b, s:s, s:s, s:{s:I, s:I, s:I, s:I}, s:o, s:o}", "status", word,
        "http_status", (int)status, "description", desc, "dry_run", j->dry_run, "office",
        j->office_name, "batch_id", j->batch_id, "import_count", "accepted",
        (json_int_t)(count[FD_ACCEPTED] + count[FD_VALID]), "unchanged",
        (json_int_t)count[FD_UNCHANGED], "rejected", (json_int_t)count[FD_REJECTED],
        "unavailable", (json_int_t)count[FD_UNAVAILABLE], "conflicts", conflicts, "rows", rows);
    /* stored all the same: warnings change neither the status nor the code */
    if (doc)
        json_object_set_new(doc, "warnings", j->warnings ? json_incref(j->warnings) : json_array());
    if (j->render && doc) {
        j->h->rows_accepted += count[FD_ACCEPTED];
        j->h->rows_rejected += count[FD_REJECTED];
        j->render(j->r, status, doc, j->render_arg);
        json_decref(doc);
        return;
    }
    char *text = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
    j->h->rows_accepted += count[FD_ACCEPTED];
    j->h->rows_rejected += count[FD_REJECTED];
    pw_info("msg=\"feed answered\" office=%s batch=%s dry_run=%d status=%u accepted=%zu "
            "unchanged=%zu rejected=%zu unavailable=%zu",
            j->office_name, j->batch_id, j->dry_run, status, count[FD_ACCEPTED] + count[FD_VALID],
            count[FD_UNCHANGED], count[FD_REJECTED], count[FD_UNAVAILABLE]);
    if (text) {
        size_t len = strlen(text);
        text[len] = '\n';
        http_req_respond(j->r, status, "application/json", text, len + 1,
                         status == MHD_HTTP_SERVICE_UNAVAILABLE ? "Retry-After: 5" : NULL);
    } else {
        http_req_error(j->r, MHD_HTTP_INTERNAL_SERVER_ERROR, PW_ENOMEM, "out of memory");
    }
    free(text);
    json_decref(doc);
}

static enum fd_state fd_state_of(Planwatch__V1__RowStatus s)
{
    switch (s) {
    case PLANWATCH__V1__ROW_STATUS__ROW_ACCEPTED: return FD_ACCEPTED;
    case PLANWATCH__V1__ROW_STATUS__ROW_DUPLICATE: return FD_UNCHANGED;
    case PLANWATCH__V1__ROW_STATUS__ROW_REJECTED: return FD_REJECTED;
    case PLANWATCH__V1__ROW_STATUS__ROW_VALID: return FD_VALID;
    default: return FD_UNAVAILABLE;
    }
}

/* ingest's answer (or its absence). */
static void fd_done(struct http *h, void *arg, int rc, Planwatch__V1__MsgType type,
                    const ProtobufCMessage *m)
{
    (void)h;
    struct fd_job *j = arg;
    if (rc == 0 && type == PLANWATCH__V1__MSG_TYPE__MSG_FEED_REPLY) {
        const Planwatch__V1__FeedReply *rep = (const Planwatch__V1__FeedReply *)m;
        for (size_t k = 0; k < rep->n_results; k++) {
            const Planwatch__V1__RowResult *res = rep->results[k];
            void *v = res->update_id ? pw_map_get(j->by_uid, res->update_id) : NULL;
            size_t i = v ? (size_t)(uintptr_t)v - 1 : SIZE_MAX;
            /* ingest derives the ids of rows sent without one: by row then */
            for (size_t k2 = 0; i == SIZE_MAX && k2 < j->nsend; k2++)
                if (pw_feed_row(j->feed, j->send[k2])->row == res->row)
                    i = j->send[k2];
            if (i == SIZE_MAX)
                continue;
            struct fd_out *o = &j->out[i];
            if (res->update_id && res->update_id[0] && strlen(res->update_id) <= PW_UPDATE_ID_MAX)
                memcpy(j->uid[i], res->update_id, strlen(res->update_id) + 1);
            for (size_t w = 0; w < res->n_warnings; w++) {
                if (!j->warnings)
                    j->warnings = json_array();
                json_array_append_new(
                    j->warnings,
                    json_pack("{s:i, s:s, s:s, s:s, s:s}", "row", res->row, "column",
                              res->warnings[w]->field, "indicator_id",
                              pw_feed_row(j->feed, i)->indicator_id, "code",
                              pw_errname(res->warnings[w]->code), "reason",
                              res->warnings[w]->reason));
            }
            enum fd_state st = fd_state_of(res->status);
            if (st == FD_VALID && !j->dry_run)
                st = FD_UNAVAILABLE;
            fd_note(o, st, st == FD_REJECTED || st == FD_UNAVAILABLE ? (res->code ? res->code : PW_EINVAL) : 0,
                   res->field, res->reason);
            o->seq = res->seq;
        }
    } else if (rc == 0 && type == PLANWATCH__V1__MSG_TYPE__MSG_ERROR) {
        /* ingest refused the batch whole: the request's fault (4xx) or not (retry) */
        const Planwatch__V1__ErrorReply *e = (const Planwatch__V1__ErrorReply *)m;
        int code = e->code ? e->code : PW_EWIRE;
        enum fd_state st = http_status_of(code) == MHD_HTTP_SERVICE_UNAVAILABLE ? FD_UNAVAILABLE
                                                                                  : FD_REJECTED;
        for (size_t k = 0; k < j->nsend; k++)
            fd_note(&j->out[j->send[k]], st, code, "", e->reason ? e->reason : "");
    } else {
        const char *why = rc == PW_ESHUTDOWN ? "the service is stopping; resend (safe)"
                                             : "ingest did not confirm in time or is not reachable; "
                                               "resend (safe: the same update ids never create "
                                               "duplicates)";
        for (size_t k = 0; k < j->nsend; k++)
            fd_note(&j->out[j->send[k]], FD_UNAVAILABLE, rc ? rc : PW_EWIRE, "", why);
    }
    /* rows sent once for several identical ones share the first's fate */
    for (size_t i = 0; i < pw_feed_nrows(j->feed); i++)
        if (j->first[i] != i && j->out[i].state == FD_PENDING) {
            const struct fd_out *o0 = &j->out[j->first[i]];
            if (o0->state == FD_ACCEPTED || o0->state == FD_UNCHANGED || o0->state == FD_VALID)
                j->out[i].state = j->dry_run ? FD_VALID : FD_UNCHANGED;
            else { /* through a copy: gcc -O2 cannot tell o0 from out[i] (-Wrestrict) */
                struct fd_out first = *o0;
                fd_note(&j->out[i], first.state, first.code, first.field, first.reason);
            }
        }
    fd_answer(j, 0);
}

static int fd_format(const char *ct, enum pw_feed_format *fmt)
{
    if (ct && strncasecmp(ct, "text/csv", 8) == 0)
        *fmt = PW_FEED_CSV;
    else if (ct && strncasecmp(ct, "application/json", 16) == 0)
        *fmt = PW_FEED_JSON;
    else if (ct && strncasecmp(ct, HTTP_XLSX_TYPE, strlen(HTTP_XLSX_TYPE)) == 0)
        *fmt = PW_FEED_XLSX; /* the first sheet of a workbook: a filled-in template */
    else
        return PW_EINVAL;
    return 0;
}

/* A problem with the file as a whole (nothing could be read as rows). */
static int fd_file_level(int code)
{
    return code == PW_EFEED_HEADER || code == PW_EFEED_ENCODING || code == PW_EFEED_SYNTAX ||
           code == PW_EFEED_TOOMANY;
}

/* A dry run of the upload page, answered here: every row the scope let
 * through is validated against the catalog as ingest would (pw_feed_validate),
 * and the results go through fd_done like ingest's reply. */
static void fd_validate_here(struct http *h, struct fd_job *j)
{
    Planwatch__V1__FeedReply rep = PLANWATCH__V1__FEED_REPLY__INIT;
    Planwatch__V1__RowResult *res = calloc(j->nsend, sizeof *res);
    Planwatch__V1__RowResult **ptrs = calloc(j->nsend, sizeof *ptrs);
    struct pw_diag *d = calloc(j->nsend, sizeof *d);
    if (!res || !ptrs || !d) {
        http_req_error(j->r, MHD_HTTP_INTERNAL_SERVER_ERROR, PW_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t k = 0; k < j->nsend; k++) {
        const struct pw_feed_row *fr = pw_feed_row(j->feed, j->send[k]);
        const struct pw_indicator *ind = NULL;
        planwatch__v1__row_result__init(&res[k]);
        res[k].row = fr->row;
        res[k].update_id = j->uid[j->send[k]];
        if (pw_feed_validate(h->cat, fr, pw_clock_today(&h->clock), "upload", &ind, &d[k])) {
            res[k].status = PLANWATCH__V1__ROW_STATUS__ROW_REJECTED;
            res[k].code = d[k].code;
            res[k].field = d[k].field;
            res[k].reason = d[k].msg;
        } else {
            res[k].status = PLANWATCH__V1__ROW_STATUS__ROW_VALID;
        }
        ptrs[k] = &res[k];
    }
    rep.results = ptrs;
    rep.n_results = j->nsend;
    fd_done(h, j, 0, PLANWATCH__V1__MSG_TYPE__MSG_FEED_REPLY, &rep.base);
done:
    free(res);
    free(ptrs);
    free(d);
}

/* The feed body[0..len) in fmt (borrowed for the call): parse, check the
 * scope, send to ingest; the answer comes from fd_done or right here.
 * dry: 0 / 1, or -1 for ?dry_run=. render: see http_feed_start. */
static void fd_start(struct http *h, struct http_req *r, const char *body, size_t len,
                     enum pw_feed_format fmt, int dry_arg, http_feed_render render,
                     void *render_arg, void (*render_free)(void *))
{
    const char *dry = dry_arg < 0 ? http_req_arg(r, "dry_run") : dry_arg ? "true" : "false";
    struct fd_job *j = calloc(1, sizeof *j);
    char why[200];
    if (!j) {
        if (render_free)
            render_free(render_arg);
        http_req_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, PW_ENOMEM, "out of memory");
        return;
    }
    http_req_set_state(r, j, fd_free);
    j->render = render;
    j->render_arg = render_arg;
    j->render_free = render_free;
    j->local = render && dry_arg == 1;
    j->h = h;
    j->r = r;
    snprintf(j->office_name, sizeof j->office_name, "%s", http_req_office(r));
    snprintf(j->batch_id, sizeof j->batch_id, "http-%llu-%llx", (unsigned long long)++h->next_id,
             (unsigned long long)pw_now_ns());
    if (dry && strcmp(dry, "true") && strcmp(dry, "1") && strcmp(dry, "false") && strcmp(dry, "0")) {
        http_req_error(r, MHD_HTTP_BAD_REQUEST, PW_EINVAL, "dry_run is true or false");
        return;
    }
    j->dry_run = dry && (strcmp(dry, "true") == 0 || strcmp(dry, "1") == 0);
    if (pw_feed_parse(&j->feed, NULL, "feed", body, len, fmt, pw_clock_today(&h->clock))) {
        http_req_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, PW_ENOMEM, "out of memory");
        return;
    }
    size_t nrows = pw_feed_nrows(j->feed), nerr = pw_feed_nerrors(j->feed);
    if (nrows + pw_feed_nrejected(j->feed) > (size_t)h->max_rows) {
        snprintf(why, sizeof why, "more than %ld rows: send them in several requests", h->max_rows);
        http_req_error(r, MHD_HTTP_CONTENT_TOO_LARGE, PW_EFEED_TOOMANY, why);
        return;
    }
    j->uid = calloc(nrows + 1, sizeof *j->uid);
    j->first = calloc(nrows + 1, sizeof *j->first);
    j->out = calloc(nrows + 1, sizeof *j->out);
    j->send = calloc(nrows + 1, sizeof *j->send);
    if (!j->uid || !j->first || !j->out || !j->send || pw_map_open(&j->by_uid) ||
        pw_feedid_assign(j->feed, j->office_name, j->uid, j->first)) {
        http_req_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, PW_ENOMEM, "out of memory");
        return;
    }
    if (nrows == 0) {
        int file_level = nerr == 0;
        for (size_t k = 0; k < nerr; k++)
            file_level |= fd_file_level(pw_feed_error(j->feed, k)->code);
        fd_answer(j, file_level ? MHD_HTTP_BAD_REQUEST : MHD_HTTP_CONFLICT);
        return;
    }
    /* the office's write scope: needs the catalog unless it may write anything */
    size_t in_scope = 0;
    for (size_t i = 0; i < nrows; i++) {
        const struct pw_feed_row *fr = pw_feed_row(j->feed, i);
        if (j->first[i] != i) {
            const struct pw_feed_row *r0 = pw_feed_row(j->feed, j->first[i]);
            if (fr->update_id[0]) {
                snprintf(why, sizeof why, "'%s' is repeated: first used at row %d", fr->update_id,
                         r0->row);
                fd_note(&j->out[i], FD_REJECTED, PW_EFEED_DUPROW, "update_id", why);
            } else {
                j->out[i].same_as_row = r0->row; /* sent once, answered with the first */
            }
            in_scope++;
            continue;
        }
        /* a case-only slip is the same indicator for ingest (PW_WFEED_IDCASE):
         * its scope is checked here like the exact id's */
        int case_only;
        const struct pw_indicator *ind =
            h->cat ? pw_feed_find_indicator(h->cat, fr->indicator_id, &case_only) : NULL;
        if (ind && !http_req_may_write(r, ind)) {
            snprintf(why, sizeof why, "office %s may not write %s (plan %s, project %s)",
                     j->office_name, ind->id, ind->plan->id, pw_indicator_project_id(ind));
            fd_note(&j->out[i], FD_REJECTED, PW_EFORBIDDEN, "indicator_id", why);
            continue;
        }
        if (!h->cat) {
            http_req_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, PW_EUNAVAILABLE,
                           "the catalog is not loaded yet (store not reachable): cannot check "
                           "the write scope; resend later");
            return;
        }
        in_scope++;
        if (pw_map_put(j->by_uid, j->uid[i], (void *)(uintptr_t)(i + 1))) {
            http_req_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, PW_ENOMEM, "out of memory");
            return;
        }
        j->send[j->nsend++] = i;
    }
    if (in_scope == 0) {
        fd_answer(j, MHD_HTTP_FORBIDDEN);
        return;
    }
    if (j->nsend == 0) { /* only repeats of refused rows: nothing to send */
        Planwatch__V1__FeedReply none = PLANWATCH__V1__FEED_REPLY__INIT;
        fd_done(h, j, 0, PLANWATCH__V1__MSG_TYPE__MSG_FEED_REPLY, &none.base);
        return;
    }
    if (j->local) { /* the upload page's preview: nothing goes to ingest */
        fd_validate_here(h, j);
        return;
    }
    Planwatch__V1__IndicatorUpdate *ups = calloc(j->nsend, sizeof *ups);
    Planwatch__V1__IndicatorUpdate **ptrs = calloc(j->nsend, sizeof *ptrs);
    char(*as_of)[11] = calloc(j->nsend, sizeof *as_of);
    if (!ups || !ptrs || !as_of) {
        free(ups);
        free(ptrs);
        free(as_of);
        http_req_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, PW_ENOMEM, "out of memory");
        return;
    }
    for (size_t k = 0; k < j->nsend; k++) {
        size_t i = j->send[k];
        const struct pw_feed_row *fr = pw_feed_row(j->feed, i);
        pw_msg_update_from_row(&ups[k], fr, as_of[k]);
        /* a derived id is ingest's to give, from the office we authenticated */
        ups[k].update_id = fr->update_id[0] ? j->uid[i] : "";
        ptrs[k] = &ups[k];
    }
    Planwatch__V1__FeedBatch b = PLANWATCH__V1__FEED_BATCH__INIT;
    b.batch_id = j->batch_id;
    b.office = j->office_name;
    b.source = "http";
    b.rows = ptrs;
    b.n_rows = j->nsend;
    b.dry_run = j->dry_run != 0;
    http_up_call(h, h->ingest, j->batch_id, PLANWATCH__V1__MSG_TYPE__MSG_FEED_BATCH, &b.base,
                 h->ingest_timeout_ms, fd_done, j);
    free(ups);
    free(ptrs);
    free(as_of);
}

void http_feed_post(struct http *h, struct http_req *r)
{
    enum pw_feed_format fmt;
    size_t len;
    const char *body = http_req_body(r, &len);
    const char *ct = http_req_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (ct && strncasecmp(ct, "multipart/form-data", 19) == 0) { /* a file part: http_upload.c */
        http_upload_feed_multipart(h, r);
        return;
    }
    if (fd_format(ct, &fmt)) {
        http_req_error(r, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, PW_EINVAL,
                       "send Content-Type: text/csv, application/json or " HTTP_XLSX_TYPE);
        return;
    }
    fd_start(h, r, body, len, fmt, -1, NULL, NULL, NULL);
}

void http_feed_start(struct http *h, struct http_req *r, const char *body, size_t len,
                     enum pw_feed_format fmt, int dry_run, http_feed_render render, void *arg,
                     void (*arg_free)(void *))
{
    fd_start(h, r, body, len, fmt, dry_run, render, arg, arg_free);
}

void http_feed_retract(struct http *h, struct http_req *r)
{
    size_t len;
    const char *body = http_req_body(r, &len);
    json_error_t jerr;
    json_t *in = json_loadb(body ? body : "", len, 0, &jerr);
    json_t *id = json_object_get(in, "indicator_id"), *fy = json_object_get(in, "fiscal_year");
    /* fiscal_year as a feed takes it (2024, "FY2024", "令和6"); the feed parser checks it */
    if (!json_is_object(in) || !json_is_string(id) ||
        !(json_is_integer(fy) || json_is_string(fy)) || json_object_size(in) != 2) {
        json_decref(in);
        http_req_error(r, MHD_HTTP_BAD_REQUEST, PW_EINVAL,
                       "send {\"indicator_id\": ID, \"fiscal_year\": Y} and nothing else");
        return;
    }
    /* one feed row with retract true: the feed's checks, ids and answer */
    json_t *feed = json_pack("{s:[{s:O, s:O, s:b}]}", "updates", "indicator_id", id,
                             "fiscal_year", fy, "retract", 1);
    char *text = feed ? json_dumps(feed, JSON_COMPACT) : NULL;
    json_decref(feed);
    json_decref(in);
    if (!text) {
        http_req_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, PW_ENOMEM, "out of memory");
        return;
    }
    fd_start(h, r, text, strlen(text), PW_FEED_JSON, -1, NULL, NULL, NULL);
    free(text);
}
