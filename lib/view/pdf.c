/* pdf.c - headless Chromium as the PDF renderer (see pdf.h). The child gets
 * its own process group so the renderer's helpers die with it at the
 * timeout; between fork and exec it calls only async-signal-safe functions
 * (the services that call this have other threads). Its own profile
 * directory keeps it from touching $HOME; --no-sandbox because services and
 * containers run it as a user namespaces are often not available to. */
#define _GNU_SOURCE
#include "pdf.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "err.h"

const char *pw_pdf_find(char *buf, size_t n)
{
    static const char *const names[] = {"chromium", "chromium-browser", "google-chrome"};
    const char *env = getenv("PLANWATCH_CHROMIUM"), *path = getenv("PATH");
    if (env) {
        snprintf(buf, n, "%s", env);
        return env[0] && access(buf, X_OK) == 0 ? buf : NULL;
    }
    if (!path)
        path = "/usr/bin:/bin";
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        for (const char *p = path; *p;) {
            size_t k = strcspn(p, ":");
            snprintf(buf, n, "%.*s/%s", (int)k, k ? p : ".", names[i]);
            if (access(buf, X_OK) == 0)
                return buf;
            p += k + (p[k] == ':');
        }
    return NULL;
}

static int pdf_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static int pdf_write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return PW_EIO;
    int bad = (len && fwrite(data, 1, len, f) != len);
    return fclose(f) || bad ? PW_EIO : 0;
}

/* Runs argv (argv[0] a path) with stdin/stdout/stderr on /dev/null, waits up
 * to timeout_ms. Returns its exit status, or -1 (could not run, killed). */
static int pdf_run(char *const argv[], int timeout_ms)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        setpgid(0, 0);
        int fd = open("/dev/null", O_RDWR);
        if (fd >= 0) {
            dup2(fd, 0);
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    setpgid(pid, pid); /* also here: no race with the child's own call */
    struct timespec tick = {0, 50 * 1000000L};
    for (long waited = 0;; waited += 50) {
        int st;
        pid_t w = waitpid(pid, &st, WNOHANG);
        if (w == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        if (w < 0 && errno != EINTR)
            return -1;
        if (waited >= timeout_ms) {
            kill(-pid, SIGKILL);
            while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
                ;
            return -2;
        }
        nanosleep(&tick, NULL);
    }
}

int pw_pdf_from_html(FILE *out, const char *html, size_t len, const char *renderer,
                     int timeout_ms)
{
    char found[4096], dir[4096], in[4200], pdf[4200], url[4300], print[4300], profile[4300];
    const char *tmp = getenv("TMPDIR");
    int rc = PW_EUNAVAILABLE;
    if (!renderer && !(renderer = pw_pdf_find(found, sizeof found))) {
        fputs("planwatch: no PDF renderer: install chromium and fonts-noto-cjk (or set "
              "PLANWATCH_CHROMIUM)\n",
              stderr);
        return PW_EUNAVAILABLE;
    }
    snprintf(dir, sizeof dir, "%s/planwatch-pdf-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(dir))
        return PW_EIO;
    snprintf(in, sizeof in, "%s/report.html", dir);
    snprintf(pdf, sizeof pdf, "%s/report.pdf", dir);
    snprintf(url, sizeof url, "file://%s", in);
    snprintf(print, sizeof print, "--print-to-pdf=%s", pdf);
    snprintf(profile, sizeof profile, "--user-data-dir=%s/profile", dir);
    if (pdf_write_file(in, html, len)) {
        rc = PW_EIO;
        goto done;
    }
    char *argv[] = {(char *)renderer, "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-dev-shm-usage", "--no-first-run", "--no-pdf-header-footer",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--disable-quic",
                    "--run-all-compositor-stages-before-draw", profile, print, url, NULL};
    int st = pdf_run(argv, timeout_ms > 0 ? timeout_ms : PW_PDF_TIMEOUT_MS);
    FILE *f = fopen(pdf, "rb");
    char head[5] = {0}, buf[65536];
    size_t k = f ? fread(head, 1, sizeof head, f) : 0;
    if (!f || k != sizeof head || memcmp(head, "%PDF-", 5) != 0) {
        fprintf(stderr, "planwatch: %s made no PDF (%s)\n", renderer,
                st == -2 ? "timed out" : st ? "it failed" : "no output");
        if (f)
            fclose(f);
        goto done;
    }
    rc = fwrite(head, 1, k, out) == k ? 0 : PW_EIO;
    while (!rc && (k = fread(buf, 1, sizeof buf, f)) > 0)
        if (fwrite(buf, 1, k, out) != k)
            rc = PW_EIO;
    if (ferror(f))
        rc = PW_EIO;
    fclose(f);
done:
    nftw(dir, pdf_rm, 16, FTW_DEPTH | FTW_PHYS);
    return rc;
}
