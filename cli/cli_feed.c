/* cli_feed.c - `planwatch feed FILE...`: an office sends its feed files to
 * ingest (and `planwatch retract ID --fy Y`: a one-row feed that withdraws a
 * figure). Each file is parsed here for syntax only (no catalog: ingest
 * validates against ITS catalog), sent as FeedBatches of at most 10,000
 * rows, and every row's fate is printed. Rows without an update_id get a
 * derived, stable one (pw_feedid_row), so resending a file is always
 * safe. Rows are sent once per file: a repeated explicit update_id is
 * rejected here (PW_EFEED_DUPROW, whatever batch it would fall in), a
 * repeated identical figure is reported as a duplicate of its first row. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

#include "cli.h"
#include "cli_conn.h"
#include "cli_text.h"
#include "err.h"
#include "feedid.h"
#include "fy.h"
#include "map.h"
#include "msg.h"

#define CLI_FEED_OPTS                                                                              \
    (CLI_OPT_DRY_RUN | CLI_OPT_FORMAT | CLI_OPT_INGEST | CLI_OPT_OFFICE | CLI_OPT_TIMEOUT)
#define FEED_BATCH_MAX 10000
/* ---- one file's rows and their fate -------------------------------------- */

enum feed_state {
    FEED_PENDING,
    FEED_ACCEPTED,
    FEED_DUPLICATE,
    FEED_REJECTED,
    FEED_UNAVAILABLE,
    FEED_VALID,
};

static const char *const feed_state_names[] = {"pending",  "accepted",    "duplicate",
                                               "rejected", "unavailable", "valid"};

struct feed_out {
    int row;
    size_t order; /* tie-break: the order the fates were recorded */
    enum feed_state state;
    int code;                 /* PW_E* when rejected/unavailable */
    uint64_t seq;             /* store seq when accepted/duplicate */
    int same_as_row;          /* a repeated figure: the row it repeats (not sent) */
    char *field, *reason;     /* owned; NULL when there is nothing to say */
    const char *indicator_id; /* borrowed from the feed; "" for unparsed rows */
    const char *update_id;    /* borrowed from feed_file.uid; "" for unparsed rows */
    size_t batch;             /* 1-based batch it was sent in; 0: not sent */
};

struct feed_file {
    const char *path;
    struct pw_feed *feed;
    char (*uid)[PW_UPDATE_ID_MAX + 1]; /* per parsed row */
    size_t *out_of;                    /* per parsed row: its index in out */
    struct pw_map *by_uid;             /* uid -> parsed row index + 1 */
    struct feed_out *out;
    size_t nout;
    size_t *send; /* parsed rows to send, in file order */
    size_t nsend;
    json_t *batch_ids; /* json array */
    size_t count[FEED_VALID + 1];
};

struct feed_run {
    const struct cli_opts *o;
    struct cli_conn *ingest; /* opened at the first batch */
    json_t *json;            /* --format json: one object per file */
    int csv_header_done;
};

static void feed_file_free(struct feed_file *f)
{
    for (size_t i = 0; i < f->nout; i++) {
        free(f->out[i].field);
        free(f->out[i].reason);
    }
    free(f->out);
    free(f->send);
    free(f->out_of);
    free(f->uid);
    pw_map_close(&f->by_uid);
    pw_feed_close(&f->feed);
    json_decref(f->batch_ids);
    memset(f, 0, sizeof *f);
}

/* Records a fate. field / reason are copied (NULL: none). Returns 0 or PW_ENOMEM. */
static int feed_note(struct feed_out *e, enum feed_state st, int code, const char *field,
                     const char *reason)
{
    free(e->field);
    free(e->reason);
    e->field = e->reason = NULL;
    e->state = st;
    e->code = code;
    if ((field && field[0] && !(e->field = strdup(field))) ||
        (reason && !(e->reason = strdup(reason))))
        return PW_ENOMEM;
    return 0;
}

/* Local syntax errors, ids and the send list. Returns 0 or PW_ENOMEM. */
static int feed_prepare(struct feed_file *f, const char *office)
{
    size_t nrows = pw_feed_nrows(f->feed), nerr = pw_feed_nerrors(f->feed);
    char why[320];
    f->out = calloc(nrows + nerr + 1, sizeof *f->out);
    f->uid = calloc(nrows + 1, sizeof *f->uid);
    f->out_of = calloc(nrows + 1, sizeof *f->out_of);
    f->send = calloc(nrows + 1, sizeof *f->send);
    if (!f->out || !f->uid || !f->out_of || !f->send || pw_map_open(&f->by_uid) ||
        !(f->batch_ids = json_array()))
        return PW_ENOMEM;
    for (size_t k = 0; k < nerr; k++) {
        const struct pw_diag *d = pw_feed_error(f->feed, k);
        struct feed_out *e = &f->out[f->nout];
        e->row = d->line;
        e->order = f->nout++;
        e->indicator_id = e->update_id = "";
        if (feed_note(e, FEED_REJECTED, d->code, d->field, d->msg))
            return PW_ENOMEM;
    }
    size_t *first = calloc(nrows + 1, sizeof *first);
    if (!first || pw_feedid_assign(f->feed, office, f->uid, first)) {
        free(first);
        return PW_ENOMEM;
    }
    int rc = 0;
    for (size_t i = 0; !rc && i < nrows; i++) {
        const struct pw_feed_row *r = pw_feed_row(f->feed, i);
        struct feed_out *e = &f->out[f->nout];
        e->row = r->row;
        e->order = f->nout;
        e->indicator_id = r->indicator_id;
        e->update_id = f->uid[i];
        f->out_of[i] = f->nout++;
        if (first[i] != i) {
            const struct pw_feed_row *r0 = pw_feed_row(f->feed, first[i]);
            if (r->update_id[0]) {
                snprintf(why, sizeof why, "'%s' is repeated: first used at row %d", r->update_id,
                         r0->row);
                rc = feed_note(e, FEED_REJECTED, PW_EFEED_DUPROW, "update_id", why);
            } else {
                e->same_as_row = r0->row;
                rc = feed_note(e, FEED_DUPLICATE, 0, NULL, NULL);
            }
            continue;
        }
        rc = pw_map_put(f->by_uid, f->uid[i], (void *)(uintptr_t)(i + 1));
        f->send[f->nsend++] = i;
    }
    free(first);
    return rc;
}

/* The parsed row a RowResult answers: by update_id, else by row number within
 * the batch. Returns its index or SIZE_MAX. */
static size_t feed_find(const struct feed_file *f, const Planwatch__V1__RowResult *res, size_t from,
                        size_t to)
{
    void *v = res->update_id && res->update_id[0] ? pw_map_get(f->by_uid, res->update_id) : NULL;
    if (v)
        return (size_t)(uintptr_t)v - 1;
    for (size_t k = from; k < to; k++)
        if (pw_feed_row(f->feed, f->send[k])->row == res->row)
            return f->send[k];
    return SIZE_MAX;
}

static enum feed_state feed_state_of(Planwatch__V1__RowStatus s, int dry_run)
{
    switch (s) {
    case PLANWATCH__V1__ROW_STATUS__ROW_ACCEPTED: return FEED_ACCEPTED;
    case PLANWATCH__V1__ROW_STATUS__ROW_DUPLICATE: return FEED_DUPLICATE;
    case PLANWATCH__V1__ROW_STATUS__ROW_REJECTED: return FEED_REJECTED;
    case PLANWATCH__V1__ROW_STATUS__ROW_VALID: return dry_run ? FEED_VALID : FEED_UNAVAILABLE;
    default: return FEED_UNAVAILABLE;
    }
}

/* Applies ingest's answer to the rows send[from..to). Returns 0 or PW_ENOMEM. */
static int feed_apply(struct feed_file *f, const Planwatch__V1__FeedReply *rep, size_t from,
                      size_t to, int dry_run)
{
    struct cli_text x = {0}; /* its buffers are reused in turn */
    for (size_t k = 0; k < rep->n_results; k++) {
        const Planwatch__V1__RowResult *res = rep->results[k];
        size_t i = feed_find(f, res, from, to);
        struct feed_out *e = i == SIZE_MAX ? NULL : &f->out[f->out_of[i]];
        if (!e || e->state != FEED_PENDING || e->batch != from / FEED_BATCH_MAX + 1) {
            fprintf(stderr,
                    "planwatch: %s: ingest answered for row %d (update_id '%s'), which "
                    "this batch did not send or which was answered already; ignored\n",
                    cli_text(&x, f->path), (int)res->row, cli_text(&x, res->update_id));
            continue;
        }
        enum feed_state st = feed_state_of(res->status, dry_run);
        const char *reason = res->reason && res->reason[0] ? res->reason : NULL;
        int code = res->code;
        if (st == FEED_UNAVAILABLE && res->status != PLANWATCH__V1__ROW_STATUS__ROW_UNAVAILABLE) {
            code = PW_EWIRE; /* an answer we cannot read as a fate: resending is safe */
            reason = "ingest's answer for this row is not understood; resend the file (safe)";
        } else if (st == FEED_UNAVAILABLE && !code) {
            code = PW_EUNAVAILABLE;
        }
        if (st == FEED_REJECTED && !code)
            code = PW_EINVAL;
        if (feed_note(e, st, st == FEED_REJECTED || st == FEED_UNAVAILABLE ? code : 0, res->field,
                      st == FEED_REJECTED || st == FEED_UNAVAILABLE ? reason : NULL))
            return PW_ENOMEM;
        e->seq = res->seq;
        /* the id ingest derived is the one stored: show that one */
        if (res->update_id && res->update_id[0] && strlen(res->update_id) <= PW_UPDATE_ID_MAX)
            memcpy(f->uid[i], res->update_id, strlen(res->update_id) + 1);
        /* stored all the same: a warning never changes the exit status */
        for (size_t w = 0; w < res->n_warnings; w++) {
            fprintf(stderr, "warning: %s: row %d: %s: %s [%s]\n", cli_text(&x, f->path), e->row,
                    cli_text(&x, res->warnings[w]->field), cli_text(&x, res->warnings[w]->reason),
                    pw_errname(res->warnings[w]->code));
        }
    }
    for (size_t k = from; k < to; k++) {
        struct feed_out *e = &f->out[f->out_of[f->send[k]]];
        if (e->state == FEED_PENDING &&
            feed_note(e, FEED_UNAVAILABLE, PW_EUNAVAILABLE, NULL,
                      "ingest sent no result for this row; resend the file (safe: the same "
                      "update ids never create duplicates)"))
            return PW_ENOMEM;
    }
    return 0;
}

/* Sends send[from..to) as one FeedBatch and applies the answer. Returns 0,
 * PW_ENOMEM, or a connection / protocol error (printed). */
static int feed_batch(struct feed_run *x, struct feed_file *f, size_t from, size_t to)
{
    size_t n = to - from;
    Planwatch__V1__IndicatorUpdate *ups = calloc(n, sizeof *ups);
    Planwatch__V1__IndicatorUpdate **ptrs = calloc(n, sizeof *ptrs);
    char(*as_of)[11] = calloc(n, sizeof *as_of);
    Planwatch__V1__FeedBatch b = PLANWATCH__V1__FEED_BATCH__INIT;
    Planwatch__V1__MsgType rtype;
    ProtobufCMessage *m = NULL;
    char bid[37];
    uuid_t u;
    int rc = PW_ENOMEM;
    if (!ups || !ptrs || !as_of)
        goto done;
    for (size_t k = 0; k < n; k++) {
        size_t i = f->send[from + k];
        const struct pw_feed_row *fr = pw_feed_row(f->feed, i);
        pw_msg_update_from_row(&ups[k], fr, as_of[k]);
        /* a derived id is ingest's to give, from the office it authenticated */
        ups[k].update_id = fr->update_id[0] ? f->uid[i] : "";
        f->out[f->out_of[i]].batch = from / FEED_BATCH_MAX + 1;
        ptrs[k] = &ups[k];
    }
    uuid_generate_random(u);
    uuid_unparse_lower(u, bid);
    b.batch_id = bid;
    b.office = (char *)x->o->office;
    b.source = (char *)f->path;
    b.n_rows = n;
    b.rows = ptrs;
    b.dry_run = x->o->dry_run != 0;
    if (json_array_append_new(f->batch_ids, json_string(bid)))
        goto done;
    if (!x->ingest && (rc = cli_conn_open(&x->ingest, x->o, "ingest", x->o->ingest)))
        goto done;
    if ((rc = cli_conn_call(x->ingest, PLANWATCH__V1__MSG_TYPE__MSG_FEED_BATCH, &b.base, &rtype,
                            &m))) {
        if (rc == PW_EUNAVAILABLE)
            fprintf(stderr,
                    "planwatch: %s: rows %d-%d (batch %s) were not confirmed; resend the "
                    "file (safe: the same update ids never create duplicates)\n",
                    f->path, ups[0].row, ups[n - 1].row, bid);
        goto done;
    }
    const Planwatch__V1__FeedReply *rep = (const Planwatch__V1__FeedReply *)m;
    if (rtype != PLANWATCH__V1__MSG_TYPE__MSG_FEED_REPLY ||
        (rep->batch_id && rep->batch_id[0] && strcmp(rep->batch_id, bid) != 0)) {
        fprintf(stderr, "planwatch: ingest at %s answered batch %s with %s [%s]\n", x->o->ingest,
                bid,
                rtype != PLANWATCH__V1__MSG_TYPE__MSG_FEED_REPLY ? "another kind of message"
                                                                 : "another batch's reply",
                pw_errname(PW_EWIRE));
        rc = PW_EWIRE;
        goto done;
    }
    rc = feed_apply(f, rep, from, to, x->o->dry_run);
done:
    if (rc == PW_ENOMEM)
        fputs("planwatch: out of memory\n", stderr);
    if (m)
        protobuf_c_message_free_unpacked(m, NULL);
    free(as_of);
    free(ptrs);
    free(ups);
    return rc;
}

/* ---- output --------------------------------------------------------------- */

static int feed_out_cmp(const void *a, const void *b)
{
    const struct feed_out *x = a, *y = b;
    if (x->row != y->row)
        return x->row < y->row ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* "duplicate of seq 17" / "same figure as row 3 (sent once)" into buf. */
static const char *feed_dup_text(const struct feed_out *e, char *buf, size_t n)
{
    if (e->same_as_row)
        snprintf(buf, n, "same figure as row %d (sent once)", e->same_as_row);
    else if (e->seq)
        snprintf(buf, n, "duplicate of seq %llu", (unsigned long long)e->seq);
    else
        snprintf(buf, n, "already stored");
    return buf;
}

static void feed_print_line(const struct feed_file *f, const struct feed_out *e)
{
    struct pw_diag d;
    char msg[700];
    pw_diag_set(&d, e->code, f->path, e->row, e->field, "%s",
                e->reason ? e->reason : pw_strerror(e->code));
    printf("%s: %s\n", feed_state_names[e->state], pw_diag_format(&d, "row", msg, sizeof msg));
}

static void feed_summary(FILE *out, const struct feed_file *f, int dry_run)
{
    const size_t *c = f->count;
    if (dry_run) {
        /* a repeated figure would be sent once: it counts as valid */
        fprintf(out, "%s: %zu valid, %zu rejected", f->path,
                c[FEED_VALID] + c[FEED_DUPLICATE] + c[FEED_ACCEPTED], c[FEED_REJECTED]);
        if (c[FEED_UNAVAILABLE])
            fprintf(out, ", %zu unavailable", c[FEED_UNAVAILABLE]);
        fputc('\n', out);
    } else {
        fprintf(out, "%s: %zu accepted, %zu duplicates, %zu rejected, %zu unavailable\n", f->path,
                c[FEED_ACCEPTED] + c[FEED_VALID], c[FEED_DUPLICATE], c[FEED_REJECTED],
                c[FEED_UNAVAILABLE]);
    }
}

static void feed_print_csv(struct feed_run *x, const struct feed_file *f)
{
    struct cli_text esc = {0}; /* its buffers are reused in turn */
    char code[32];
    if (!x->csv_header_done) {
        fputs("file,row,indicator_id,update_id,status,seq,code,field,reason\n", stdout);
        x->csv_header_done = 1;
    }
    for (size_t i = 0; i < f->nout; i++) {
        const struct feed_out *e = &f->out[i];
        char dup[64];
        pw_report_csv_field(stdout, cli_text(&esc, f->path));
        printf(",%d,", e->row);
        pw_report_csv_field(stdout, cli_text(&esc, e->indicator_id));
        printf(",%s,%s,", cli_text(&esc, e->update_id), feed_state_names[e->state]);
        if (e->seq)
            printf("%llu", (unsigned long long)e->seq);
        snprintf(code, sizeof code, "%s", e->code ? pw_errname(e->code) : "");
        printf(",%s,", code);
        pw_report_csv_field(stdout, cli_text(&esc, e->field));
        fputc(',', stdout);
        pw_report_csv_field(stdout, e->state == FEED_DUPLICATE ? feed_dup_text(e, dup, sizeof dup)
                                                               : cli_text(&esc, e->reason));
        fputc('\n', stdout);
    }
}

static int feed_json_file(struct feed_run *x, const struct feed_file *f)
{
    const size_t *c = f->count;
    json_t *res = json_array();
    json_t *o = json_pack(
        "{s:s, s:b, s:O, s:I, s:I, s:I, s:I, s:I, s:o}", "file", f->path, "dry_run", x->o->dry_run,
        "batch_ids", f->batch_ids, "accepted", (json_int_t)c[FEED_ACCEPTED], "duplicates",
        (json_int_t)c[FEED_DUPLICATE], "rejected", (json_int_t)c[FEED_REJECTED], "unavailable",
        (json_int_t)c[FEED_UNAVAILABLE], "valid", (json_int_t)c[FEED_VALID], "results", res);
    if (!o || json_array_append_new(x->json, o))
        return PW_ENOMEM;
    for (size_t i = 0; i < f->nout; i++) {
        const struct feed_out *e = &f->out[i];
        json_t *r =
            json_pack("{s:i, s:s, s:s, s:s}", "row", e->row, "indicator_id", e->indicator_id,
                      "update_id", e->update_id, "status", feed_state_names[e->state]);
        if (!r || json_array_append_new(res, r))
            return PW_ENOMEM;
        if (e->seq)
            json_object_set_new(r, "seq", json_integer((json_int_t)e->seq));
        if (e->same_as_row)
            json_object_set_new(r, "same_as_row", json_integer(e->same_as_row));
        if (e->code) {
            json_object_set_new(r, "code", json_string(pw_errname(e->code)));
            json_object_set_new(r, "field", json_string(e->field ? e->field : ""));
            json_object_set_new(r, "reason", json_string(e->reason ? e->reason : ""));
        }
    }
    return 0;
}

/* Prints one file's outcome in the chosen format. Returns 0 or PW_ENOMEM. */
static int feed_report(struct feed_run *x, struct feed_file *f)
{
    if (f->nout > 1)
        qsort(f->out, f->nout, sizeof *f->out, feed_out_cmp);
    for (size_t i = 0; i < f->nout; i++)
        f->count[f->out[i].state]++;
    if (x->o->fmt == PW_FMT_JSON) {
        feed_summary(stderr, f, x->o->dry_run);
        return feed_json_file(x, f);
    }
    if (x->o->fmt == PW_FMT_CSV) {
        feed_print_csv(x, f);
        feed_summary(stderr, f, x->o->dry_run);
        return 0;
    }
    /* what needs fixing, then the tally; duplicates are a safe resend and
     * only counted (--format csv lists every row) */
    for (size_t i = 0; i < f->nout; i++)
        if (f->out[i].state == FEED_REJECTED || f->out[i].state == FEED_UNAVAILABLE)
            feed_print_line(f, &f->out[i]);
    feed_summary(stdout, f, x->o->dry_run);
    fflush(stdout);
    return 0;
}

/* One parsed feed (f->path labels it, f->feed is taken): send, report.
 * Returns the feed's exit status (0 or 1), or -2 when the run must stop
 * (ingest unreachable, out of memory). */
static int feed_send(struct feed_run *x, struct feed_file *fp)
{
    struct feed_file f = *fp;
    int status;
    if (feed_prepare(&f, x->o->office)) {
        fputs("planwatch: out of memory\n", stderr);
        status = -2;
        goto done;
    }
    for (size_t from = 0; from < f.nsend; from += FEED_BATCH_MAX) {
        size_t to = f.nsend - from > FEED_BATCH_MAX ? from + FEED_BATCH_MAX : f.nsend;
        if (feed_batch(x, &f, from, to)) {
            status = -2;
            goto done;
        }
    }
    if (feed_report(x, &f)) {
        fputs("planwatch: out of memory\n", stderr);
        status = -2;
        goto done;
    }
    status = f.count[FEED_REJECTED] || f.count[FEED_UNAVAILABLE] ? 1 : 0;
done:
    feed_file_free(&f);
    return status;
}

/* One file: parse, send, report. Returns the file's exit status (0, 1 or 2),
 * or -2 when the run must stop (ingest unreachable, out of memory). */
static int feed_one(struct feed_run *x, const char *path)
{
    struct feed_file f = {0};
    struct pw_diag d = {0};
    char msg[600];
    f.path = path;
    int rc = pw_feed_parse_file(&f.feed, NULL, path, pw_day_today(), &d);
    if (rc == PW_ENOMEM) {
        fputs("planwatch: out of memory\n", stderr);
        return -2;
    }
    if (rc) {
        fprintf(stderr, "planwatch: %s\n", pw_diag_format(&d, NULL, msg, sizeof msg));
        return rc == PW_ETOOBIG ? 1 : 2;
    }
    return feed_send(x, &f);
}

/* Ends a run of feed or retract: the JSON document (unless aborted), the
 * connection, stdout. Returns the exit status. */
static int feed_finish(struct feed_run *x, int status, int aborted)
{
    if (x->json && !aborted) {
        if (json_dumpf(x->json, stdout, JSON_INDENT(2)))
            status = 2;
        fputc('\n', stdout);
    }
    json_decref(x->json);
    cli_conn_close(&x->ingest);
    if (fflush(stdout) || ferror(stdout))
        status = 2;
    return status;
}

int cli_feed(int argc, char **argv)
{
    static const char help[] =
        "usage: planwatch feed FILE... [--dry-run] [--format table|csv|json]\n"
        "                      [--office NAME] [--ingest EP] [--timeout-ms N]\n"
        "Sends feed files (CSV or JSON, see README) to the ingest service, one batch of\n"
        "at most 10,000 rows at a time, and prints every row that needs attention:\n"
        "  rejected: FILE: row N: FIELD: REASON [PW_E...]      fix the row\n"
        "  unavailable: FILE: row N: REASON [PW_EUNAVAILABLE]  resend the file (safe)\n"
        "and per file `FILE: N accepted, N duplicates, N rejected, N unavailable`\n"
        "(--dry-run: `FILE: N valid, N rejected`; nothing is stored).\n"
        "The file is parsed here for syntax only; ingest validates the rows against the\n"
        "catalog it runs with. A row without update_id gets a stable one derived from\n"
        "the office and the figure (a UUID v5), so resending a file never creates\n"
        "duplicates while a corrected figure is a new revision. --format csv|json lists\n"
        "every row (file,row,indicator_id,update_id,status,seq,code,field,reason) and\n"
        "writes the tallies to stderr.\n"
        "Exit status: 0 every row accepted or duplicate (dry run: valid); 1 a row was\n"
        "rejected or unavailable; 2 usage error, unreadable file, or ingest did not answer.\n";
    struct cli_opts o;
    struct feed_run x = {0};
    int status = 0, aborted = 0, rc = cli_opts_parse(&o, argc, argv, CLI_FEED_OPTS, help);
    if (rc >= 0)
        return rc;
    if (o.nargs == 0) {
        fputs("planwatch feed: give at least one feed FILE (see planwatch feed --help)\n", stderr);
        return 2;
    }
    x.o = &o;
    if (o.fmt == PW_FMT_JSON && !(x.json = json_array())) {
        fputs("planwatch: out of memory\n", stderr);
        return 2;
    }
    for (size_t i = 0; i < o.nargs; i++) {
        rc = feed_one(&x, o.args[i]);
        if (rc == -2) {
            status = 2;
            aborted = 1;
            break;
        }
        if (rc > status)
            status = rc;
    }
    return feed_finish(&x, status, aborted);
}

int cli_retract(int argc, char **argv)
{
    static const char help[] =
        "usage: planwatch retract ID --fy Y [--dry-run] [--format table|csv|json]\n"
        "                         [--office NAME] [--ingest EP] [--timeout-ms N]\n"
        "Withdraws the figure an office sent for indicator ID and fiscal year Y: one\n"
        "feed row with retract true, sent to ingest as `planwatch feed` sends a file and\n"
        "answered the same way (`retract: N accepted, N duplicates, N rejected, N\n"
        "unavailable`). The retraction is kept in history; while it is the latest\n"
        "revision the year has no figure (an earlier year's still counts). Sending a\n"
        "figure again restores it. A year with no figure to withdraw is rejected\n"
        "(PW_EFEED_RETRACT); resending a retraction that is the latest is a duplicate.\n"
        "Exit status: 0 retracted (or already retracted); 1 rejected or unavailable;\n"
        "2 usage error, or ingest did not answer.\n";
    struct cli_opts o;
    struct feed_run x = {0};
    struct feed_file f = {.path = "retract"};
    int rc = cli_opts_parse(&o, argc, argv, CLI_FEED_OPTS | CLI_OPT_FY, help);
    if (rc >= 0)
        return rc;
    if (o.nargs != 1 || !o.fy) {
        fputs("planwatch retract: give one indicator ID and --fy Y (see planwatch retract "
              "--help)\n",
              stderr);
        return 2;
    }
    /* one JSON row (an id needs no CSV quoting): parsed and checked by ingest
     * like any feed row */
    json_t *doc = json_pack("{s:[{s:s, s:i, s:b}]}", "updates", "indicator_id", o.args[0],
                            "fiscal_year", o.fy, "retract", 1);
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    rc = text ? pw_feed_parse(&f.feed, NULL, f.path, text, strlen(text), PW_FEED_JSON,
                              pw_day_today())
              : PW_ENOMEM;
    free(text);
    json_decref(doc);
    x.o = &o;
    if (rc || (o.fmt == PW_FMT_JSON && !(x.json = json_array()))) {
        pw_feed_close(&f.feed);
        fputs("planwatch: out of memory\n", stderr);
        return feed_finish(&x, 2, 1);
    }
    rc = feed_send(&x, &f);
    return feed_finish(&x, rc == -2 ? 2 : rc, rc == -2);
}
