/* ts_proc.h - child processes and loopback ports for the programs that run
 * the real services: the integration harness and the bench. No test
 * framework: a failure is a return value, the caller asserts or reports.
 * A child writes stdout and stderr to a log file and dies with its parent;
 * when sanitized it reports leaks with exit status 23 (unless ASAN_OPTIONS
 * says otherwise). Not thread-safe: one thread forks. */
#ifndef TS_PROC_H
#define TS_PROC_H

#include <stddef.h>
#include <sys/types.h>

#define TS_PROC_ARGS 32     /* arguments of one command line, argv[0] included */
#define TS_PROC_ARG_LEN 512 /* bytes of one argument, NUL included */

/* A command line built in place: argv[0..n) point into buf, argv[n] is NULL. */
struct ts_proc_argv {
    char buf[TS_PROC_ARGS][TS_PROC_ARG_LEN];
    char *argv[TS_PROC_ARGS + 1];
    int n;
};

/* Empties a. */
void ts_proc_argv_init(struct ts_proc_argv *a);
/* Appends one formatted argument. Returns 0, or -1 when a is full or the
 * argument does not fit (then a is unchanged). */
int ts_proc_arg(struct ts_proc_argv *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A TCP port on loopback reserved for this process: from a block of 200
 * ports below the kernel's ephemeral range that this process holds by a
 * lock file (TMPDIR/planwatch-ports/N.lock, flock) until it exits, handed
 * out in turn and skipping any still in use; 0 when none could be had. */
int ts_proc_free_port(void);
/* n distinct such ports into port[0..n). Returns 0 or -1. */
int ts_proc_free_ports(int *port, size_t n);

/* fork + execv(argv[0], argv) with stdout and stderr appended to log
 * (created 0644). Returns the child's pid or -1 (fork failed); an exec
 * failure is the child's exit status 127. */
pid_t ts_proc_spawn(char *const *argv, const char *log);
/* The same with env[] ("NAME=VALUE", NULL-terminated; NULL: none) added to
 * the child's environment; an ASAN_OPTIONS there replaces the default. */
pid_t ts_proc_spawn_env(char *const *argv, char *const *env, const char *log);

/* Waits up to deadline_ms for pid (a child) to exit and reaps it. Returns
 * its exit status, 128 + the signal that ended it, or -1 (still running). */
int ts_proc_wait_exit(pid_t pid, int deadline_ms);

/* Sends sig and waits up to deadline_ms. A child still running then is
 * killed (SIGKILL, reaped within 5 s) and -1 is returned, else what
 * ts_proc_wait_exit returns. */
int ts_proc_stop(pid_t pid, int sig, int deadline_ms);

#endif
