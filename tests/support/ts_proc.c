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
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

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

/* Ports come from a block of TS_PROC_BLOCK ports below the kernel's
 * ephemeral range (32768 and up on Linux), so an outgoing connection never
 * takes one between the test picking it and a service binding it. Each
 * process holds an flock on TMPDIR/planwatch-ports/BLOCK.lock for its
 * lifetime (released by the kernel however it ends), so two test processes
 * never share a block; within its block a process hands ports out in turn,
 * skipping any that something still holds (a service a failed test left
 * running until exit). */
#define TS_PROC_PORT_BASE 20000
#define TS_PROC_BLOCK 200
#define TS_PROC_BLOCKS 60 /* 20000..31999 */

static int ts_block = -1, ts_block_fd = -1, ts_block_next;

static int ts_proc_lock_block(void)
{
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char dir[300], path[340];
    snprintf(dir, sizeof dir, "%s/planwatch-ports", tmp);
    mkdir(dir, 0777); /* shared by every user's tests on the machine */
    chmod(dir, 01777);
    /* start at a block derived from the pid: parallel tests rarely contend */
    int start = (int)(getpid() % TS_PROC_BLOCKS);
    for (int i = 0; i < TS_PROC_BLOCKS; i++) {
        int b = (start + i) % TS_PROC_BLOCKS;
        snprintf(path, sizeof path, "%s/%d.lock", dir, b);
        int fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0666);
        if (fd < 0)
            continue;
        if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
            ts_block = b;
            ts_block_fd = fd;
            return 0;
        }
        close(fd);
    }
    return -1;
}

/* 1 when nothing listens on or holds port on loopback (a bind succeeds). */
static int ts_proc_port_free(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)port);
    if (fd < 0)
        return 0;
    /* as ZeroMQ binds: a port in TIME_WAIT from an earlier run is usable */
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    int ok = bind(fd, (struct sockaddr *)&a, sizeof a) == 0;
    close(fd);
    return ok;
}

int ts_proc_free_port(void)
{
    if (ts_block < 0 && ts_proc_lock_block())
        return 0;
    for (int i = 0; i < TS_PROC_BLOCK; i++) {
        int port = TS_PROC_PORT_BASE + ts_block * TS_PROC_BLOCK + ts_block_next;
        ts_block_next = (ts_block_next + 1) % TS_PROC_BLOCK;
        if (ts_proc_port_free(port))
            return port;
    }
    return 0;
}

int ts_proc_free_ports(int *port, size_t n)
{
    /* the block hands each port out once per round: distinct unless n is
     * larger than the block */
    for (size_t i = 0, tries = 0; i < n; tries++) {
        if (tries > 2 * TS_PROC_BLOCK)
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
    return ts_proc_spawn_env(argv, NULL, log);
}

pid_t ts_proc_spawn_env(char *const *argv, char *const *env, const char *log)
{
    pid_t parent = getpid();
    fflush(NULL); /* or the child's exit would write our buffers again */
    /* set here, not in the child: setenv allocates, and a child forked while
     * another thread of the test (a receiver) held the allocator's lock would
     * spin on it forever, before exec and before its death signal is set */
    setenv("ASAN_OPTIONS", "detect_leaks=1:exitcode=23", 0);
    /* the child's environment, made here for the same reason: environ
     * without the names env sets, then env */
    size_t n = 0, k = 0;
    while (environ[n])
        n++;
    for (size_t i = 0; env && env[i]; i++)
        k++;
    char **envp = calloc(n + k + 1, sizeof *envp);
    if (!envp)
        return -1;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        int replaced = 0;
        for (size_t j = 0; j < k && !replaced; j++) {
            const char *eq = strchr(env[j], '=');
            size_t len = eq ? (size_t)(eq - env[j]) : strlen(env[j]);
            replaced = strncmp(environ[i], env[j], len) == 0 && environ[i][len] == '=';
        }
        if (!replaced)
            envp[m++] = environ[i];
    }
    for (size_t j = 0; j < k; j++)
        envp[m++] = env[j];
    pid_t pid = fork();
    if (pid != 0) {
        free(envp);
        return pid;
    }
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
    execve(argv[0], argv, envp);
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
