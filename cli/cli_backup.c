/* cli_backup.c - `planwatch backup NAME`: the running store writes a
 * consistent, compacted copy of its LMDB to NAME inside its own
 * --backup-dir (QUERY_BACKUP; on the store's machine: inside its container
 * when it runs in one; the asker never chooses the place). And
 * `planwatch restore BACKUP_DIR DATA_DIR`: puts such a copy into a new data
 * dir, for a store started on it afterwards. restore is a local file copy
 * (written to a temporary name, fsync'd, renamed) and refuses a data dir
 * that already holds a store, so it can never overwrite live data. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cli_conn.h"
#include "err.h"

int cli_backup(int argc, char **argv)
{
    static const char summary[] =
        "usage: planwatch backup NAME [--store EP] [--timeout-ms N]\n"
        "Asks the running store for a consistent, compacted copy of its database, written to\n"
        "BACKUP_DIR/NAME/data.mdb while it keeps serving, where BACKUP_DIR is the store's own\n"
        "--backup-dir (backups are off without it). NAME is one directory name (1-64 of\n"
        "[A-Za-z0-9._-]), never a path; it must not hold a data.mdb yet. Needs manage: true\n"
        "in the registry or the store's own key.\n"
        "Restore with `planwatch restore BACKUP_DIR/NAME DATA_DIR`, then start a store on DATA_DIR.\n"
        "Exit 0 written, 1 refused by the store, 2 usage or the store did not answer.\n";
    struct cli_opts o;
    int rc = cli_opts_parse(&o, argc, argv, CLI_OPT_STORE | CLI_OPT_TIMEOUT, summary);
    if (rc >= 0)
        return rc;
    if (o.nargs != 1 || !o.args[0][0]) {
        fputs(summary, stderr);
        return 2;
    }
    const char *dir = o.args[0];
    struct cli_conn *c = NULL;
    Planwatch__V1__Query q = PLANWATCH__V1__QUERY__INIT;
    Planwatch__V1__QueryReply *r = NULL;
    if (cli_conn_open(&c, &o, "store", o.store))
        return 2;
    q.kind = PLANWATCH__V1__QUERY_KIND__QUERY_BACKUP;
    q.path = (char *)dir;
    rc = cli_conn_query(c, &q, 0, &r);
    cli_conn_close(&c);
    if (rc)
        return rc == PW_EUNAVAILABLE || rc == PW_EZMQ || rc == PW_EWIRE || rc == PW_EVERSION ||
                       rc == PW_ESHUTDOWN
                   ? 2
                   : 1;
    printf("backup written: %s/data.mdb in the store's --backup-dir (%llu bytes, up to seq %llu)\n",
           dir,
           (unsigned long long)r->backup_bytes, (unsigned long long)r->seq);
    planwatch__v1__query_reply__free_unpacked(r, NULL);
    return 0;
}

/* Copies from -> to (created exclusively), fsync'd. Returns 0 or errno. */
static int restore_copy(const char *from, const char *to, unsigned long long *bytes)
{
    int in = open(from, O_RDONLY | O_CLOEXEC), out = -1, err = 0;
    char buf[1 << 16];
    if (in < 0)
        return errno;
    out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (out < 0) {
        err = errno;
        close(in);
        return err;
    }
    *bytes = 0;
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            err = n < 0 ? errno : 0;
            break;
        }
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(out, buf + off, (size_t)(n - off));
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0) {
                err = errno;
                break;
            }
            off += w;
        }
        if (err)
            break;
        *bytes += (unsigned long long)n;
    }
    if (!err && fsync(out) != 0)
        err = errno;
    close(in);
    if (close(out) != 0 && !err)
        err = errno;
    return err;
}

int cli_restore(int argc, char **argv)
{
    static const char summary[] =
        "usage: planwatch restore BACKUP_DIR DATA_DIR\n"
        "Copies the backup BACKUP_DIR/data.mdb (from `planwatch backup`) into DATA_DIR, a new\n"
        "or empty store data directory (created if needed; one that already holds a\n"
        "data.mdb is refused). Then start a store with --data-dir DATA_DIR: it serves exactly\n"
        "what the backup holds. No service is asked. Exit 0 restored, 1 refused, 2 usage.\n";
    struct cli_opts o;
    int rc = cli_opts_parse(&o, argc, argv, 0, summary);
    if (rc >= 0)
        return rc;
    if (o.nargs != 2) {
        fputs(summary, stderr);
        return 2;
    }
    char from[PATH_MAX + 16], to[PATH_MAX + 16], tmp[PATH_MAX + 32];
    struct stat st;
    snprintf(from, sizeof from, "%s/data.mdb", o.args[0]);
    snprintf(to, sizeof to, "%s/data.mdb", o.args[1]);
    snprintf(tmp, sizeof tmp, "%s.restoring", to);
    if (stat(from, &st) != 0 || !S_ISREG(st.st_mode)) {
        fprintf(stderr, "planwatch restore: %s: no backup there (%s)\n", from,
                stat(from, &st) != 0 ? strerror(errno) : "not a file");
        return 1;
    }
    if (mkdir(o.args[1], 0750) != 0 && errno != EEXIST) {
        fprintf(stderr, "planwatch restore: cannot create %s: %s\n", o.args[1], strerror(errno));
        return 1;
    }
    if (stat(to, &st) == 0) {
        fprintf(stderr,
                "planwatch restore: %s already holds a store (data.mdb): restore into a new or "
                "empty directory\n",
                o.args[1]);
        return 1;
    }
    unlink(tmp); /* left by an interrupted restore */
    unsigned long long bytes = 0;
    int err = restore_copy(from, tmp, &bytes);
    if (!err && rename(tmp, to) != 0)
        err = errno;
    if (err) {
        unlink(tmp);
        fprintf(stderr, "planwatch restore: cannot write %s: %s\n", to, strerror(err));
        return 1;
    }
    int dfd = open(o.args[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    printf("restored: %s (%llu bytes); start the store with --data-dir %s\n", to, bytes,
           o.args[1]);
    return 0;
}
