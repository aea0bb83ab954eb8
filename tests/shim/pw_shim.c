/* pw_shim.c - an LD_PRELOAD library for the integration tests: a full disk
 * and a record of what reached the disk and the network, in order, at the
 * system-call level. Test-only; never linked into planwatch.
 *
 *  PW_SHIM_ENOSPC=FILE  while FILE exists, write/pwrite/writev/pwritev and
 *                       fsync/fdatasync on the LMDB file (a path ending in
 *                       /data.mdb) fail with ENOSPC, as on a full disk.
 *  PW_SHIM_LOG=FILE     appends one line per event: "sync fdatasync",
 *                       "sync fsync", "msync", "write dsync=0|1 MARKS" (the
 *                       LMDB file; dsync=1: opened O_DSYNC, LMDB's meta page
 *                       write), "send port=P MARKS" (a TCP socket whose peer
 *                       is port P), where MARKS are the tokens starting with
 *                       PW_SHIM_MARK found in the bytes written ("-": none;
 *                       sends without marks are not logged). A send is
 *                       logged before it is made (the peer may act on it
 *                       at once), a write or sync once it returned.
 * Each line is one write(2) on an O_APPEND file, so threads (ZeroMQ's I/O
 * thread sends) interleave whole lines in the order the calls happened.
 * The real functions are found with dlsym(RTLD_NEXT): under ASan that is
 * the sanitizer's interceptor, which calls libc. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#define SHIM_REAL(name) ((__typeof__(&name))shim_real(#name))

static void *shim_real(const char *name)
{
    return dlsym(RTLD_NEXT, name);
}

/* 1 when fd is the LMDB data file. */
static int shim_is_db(int fd)
{
    char link[64], path[512];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n < 9)
        return 0;
    path[n] = '\0';
    return strcmp(path + n - 9, "/data.mdb") == 0;
}

static int shim_full(int fd)
{
    const char *ctl = getenv("PW_SHIM_ENOSPC");
    struct stat st;
    return ctl && ctl[0] && stat(ctl, &st) == 0 && shim_is_db(fd);
}

/* The peer's TCP port of socket fd, or 0. */
static int shim_peer_port(int fd)
{
    struct sockaddr_storage a;
    socklen_t len = sizeof a;
    if (getpeername(fd, (struct sockaddr *)&a, &len) != 0)
        return 0;
    if (a.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&a)->sin_port);
    if (a.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&a)->sin6_port);
    return 0;
}

static void shim_line(const char *fmt, ...)
{
    const char *path = getenv("PW_SHIM_LOG");
    if (!path || !path[0])
        return;
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (n > (int)sizeof line - 2)
        n = (int)sizeof line - 2;
    line[n++] = '\n';
    int fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
                          0644);
    if (fd < 0)
        return;
    (void)syscall(SYS_write, fd, line, (size_t)n);
    (void)syscall(SYS_close, fd);
}

/* Appends to out (size n) every token of buf[0..len) that starts with the
 * mark prefix, space-separated; returns how many. */
static int shim_marks(const void *buf, size_t len, char *out, size_t n, size_t *used)
{
    const char *mark = getenv("PW_SHIM_MARK");
    int found = 0;
    if (!mark || !mark[0] || !buf)
        return 0;
    size_t ml = strlen(mark);
    const char *p = buf, *end = p + len;
    while (p < end && (p = memmem(p, (size_t)(end - p), mark, ml)) != NULL) {
        const char *q = p + ml;
        while (q < end && (((*q | 32) >= 'a' && (*q | 32) <= 'z') || (*q >= '0' && *q <= '9') ||
                           *q == '-' || *q == '_' || *q == '.'))
            q++;
        size_t tl = (size_t)(q - p);
        if (*used + tl + 2 < n) {
            out[(*used)++] = ' ';
            memcpy(out + *used, p, tl);
            *used += tl;
            out[*used] = '\0';
            found++;
        }
        p = q;
    }
    return found;
}

static void shim_record_iov(int fd, const struct iovec *iov, int cnt)
{
    if (!getenv("PW_SHIM_LOG"))
        return;
    char marks[1500] = "";
    size_t used = 0;
    int found = 0;
    for (int i = 0; i < cnt; i++)
        found += shim_marks(iov[i].iov_base, iov[i].iov_len, marks, sizeof marks, &used);
    if (shim_is_db(fd)) {
        int fl = fcntl(fd, F_GETFL);
        shim_line("write dsync=%d%s", fl >= 0 && (fl & O_DSYNC) == O_DSYNC, found ? marks : " -");
        return;
    }
    int port = found ? shim_peer_port(fd) : 0;
    if (port)
        shim_line("send port=%d%s", port, marks);
}

static void shim_record(int fd, const void *buf, size_t len)
{
    struct iovec v = {(void *)buf, len};
    shim_record_iov(fd, &v, 1);
}

ssize_t write(int fd, const void *buf, size_t n)
{
    if (shim_full(fd)) {
        errno = ENOSPC;
        return -1;
    }
    ssize_t r = SHIM_REAL(write)(fd, buf, n);
    if (r > 0 && fd > 2)
        shim_record(fd, buf, (size_t)r);
    return r;
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    if (shim_full(fd)) {
        errno = ENOSPC;
        return -1;
    }
    ssize_t r = SHIM_REAL(pwrite)(fd, buf, n, off);
    if (r > 0)
        shim_record(fd, buf, (size_t)r);
    return r;
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
    return pwrite(fd, buf, n, off);
}

ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
    if (shim_full(fd)) {
        errno = ENOSPC;
        return -1;
    }
    ssize_t r = SHIM_REAL(writev)(fd, iov, cnt);
    if (r > 0)
        shim_record_iov(fd, iov, cnt);
    return r;
}

ssize_t pwritev(int fd, const struct iovec *iov, int cnt, off_t off)
{
    if (shim_full(fd)) {
        errno = ENOSPC;
        return -1;
    }
    ssize_t r = SHIM_REAL(pwritev)(fd, iov, cnt, off);
    if (r > 0)
        shim_record_iov(fd, iov, cnt);
    return r;
}

int fdatasync(int fd)
{
    if (shim_full(fd)) {
        errno = ENOSPC;
        return -1;
    }
    int r = SHIM_REAL(fdatasync)(fd);
    if (r == 0 && getenv("PW_SHIM_LOG") && shim_is_db(fd))
        shim_line("sync fdatasync");
    return r;
}

int fsync(int fd)
{
    if (shim_full(fd)) {
        errno = ENOSPC;
        return -1;
    }
    int r = SHIM_REAL(fsync)(fd);
    if (r == 0 && getenv("PW_SHIM_LOG") && shim_is_db(fd))
        shim_line("sync fsync");
    return r;
}

int msync(void *addr, size_t len, int flags)
{
    int r = SHIM_REAL(msync)(addr, len, flags);
    if (r == 0)
        shim_line("msync");
    return r;
}

ssize_t send(int fd, const void *buf, size_t n, int flags)
{
    shim_record(fd, buf, n);
    ssize_t r = SHIM_REAL(send)(fd, buf, n, flags);
    return r;
}

ssize_t sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *to,
               socklen_t tl)
{
    shim_record(fd, buf, n);
    ssize_t r = SHIM_REAL(sendto)(fd, buf, n, flags, to, tl);
    return r;
}

ssize_t sendmsg(int fd, const struct msghdr *m, int flags)
{
    shim_record_iov(fd, m->msg_iov, (int)m->msg_iovlen);
    ssize_t r = SHIM_REAL(sendmsg)(fd, m, flags);
    return r;
}
