/* ts_proc.c - child processes and loopback ports (see ts_proc.h). An exit
 * is awaited on a pidfd with poll(2), so a deadline costs no sleep loop. */
#define _GNU_SOURCE
#include "ts_proc.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

void ts_proc_argv_init(struct ts_proc_argv *a)
{
    a->n = 0;
    a->argv[0] = NULL;
}

int ts_proc_arg(struct ts_proc_argv *a, const char *fmt, ...)
{
    if (a->n >= TS_PROC_ARGS)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(a->buf[a->n], TS_PROC_ARG_LEN, fmt, ap);
    va_end(ap);
    if (len < 0 || len >= TS_PROC_ARG_LEN)
        return -1; /* a cut argument would run the service with another flag */
    a->argv[a->n] = a->buf[a->n];
    a->argv[++a->n] = NULL;
    return 0;
}

int ts_proc_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0)
        return 0;
    int ok = bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
             getsockname(fd, (struct sockaddr *)&a, &len) == 0;
    close(fd);
    return ok ? ntohs(a.sin_port) : 0;
}

int ts_proc_free_ports(int *port, size_t n)
{
    /* the kernel may hand a released port out again: retry, boundedly */
    for (size_t i = 0, tries = 0; i < n; tries++) {
        if (tries > 100 * n)
            return -1;
        int p = ts_proc_free_port(), dup = p == 0;
        for (size_t j = 0; j < i; j++)
            dup |= port[j] == p;
        if (!dup)
            port[i++] = p;
    }
    return 0;
}

pid_t ts_proc_spawn(char *const *argv, const char *log)
{
    pid_t parent = getpid();
    fflush(NULL); /* or the child's exit would write our buffers again */
    /* set here, not in the child: setenv allocates, and a child forked while
     * another thread of the test (a receiver) held the allocator's lock would
     * spin on it forever, before exec and before its death signal is set */
    setenv("ASAN_OPTIONS", "detect_leaks=1:exitcode=23", 0);
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
        dup2(fd, 2);
        dup2(fd, 1);
        if (fd > 2)
            close(fd);
    }
    /* a service dies with its parent, whatever ends the parent; if that
     * already happened before prctl, nobody is left to stop this one */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(127);
    execv(argv[0], argv);
    _exit(127);
}

int ts_proc_wait_exit(pid_t pid, int deadline_ms)
{
    int fd = (int)syscall(SYS_pidfd_open, pid, 0), st = 0;
    if (fd >= 0) {
        struct pollfd p = {fd, POLLIN, 0};
        poll(&p, 1, deadline_ms);
        close(fd);
    }
    if (waitpid(pid, &st, WNOHANG) != pid)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int ts_proc_stop(pid_t pid, int sig, int deadline_ms)
{
    kill(pid, sig);
    int rc = ts_proc_wait_exit(pid, deadline_ms);
    if (rc < 0) { /* late: a failure for the caller, but leave nothing running */
        kill(pid, SIGKILL);
        ts_proc_wait_exit(pid, 5000);
    }
    return rc;
}
