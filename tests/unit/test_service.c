/* test_service.c - the service start-up's build identity and systemd
 * notification: --version's line, and a child process that says ready
 * (twice: READY=1 goes out once) and exits sends READY=1 then STOPPING=1 to
 * the datagram socket NOTIFY_SOCKET names, as systemd's would receive them;
 * without NOTIFY_SOCKET nothing is sent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "service.h"

static void test_version_line(void **state)
{
    (void)state;
    char buf[256];
    FILE *f = fmemopen(buf, sizeof buf, "w");
    assert_non_null(f);
    pw_service_print_version(f, "planwatch-test");
    fclose(f);
    char want[256];
    snprintf(want, sizeof want, "planwatch-test %s (commit %s)\n", pw_service_version,
             pw_service_commit);
    assert_string_equal(buf, want);
    assert_true(strlen(pw_service_version) > 0 && strlen(pw_service_commit) > 0);
    assert_int_equal(strspn(pw_service_commit, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                               "0123456789._+-"),
                     strlen(pw_service_commit));
}

/* Runs a child that calls pw_service_ready twice and exits, with
 * NOTIFY_SOCKET set to a fresh socket (or unset); got: the datagrams it
 * sent, joined by '|'. */
static void child_notifies(int with_socket, char *got, size_t n)
{
    char dir[] = "/tmp/pw-test-notify-XXXXXX";
    assert_non_null(mkdtemp(dir));
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "%s/notify", dir);
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    struct timeval tv = {.tv_sec = 0, .tv_usec = 300000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (with_socket)
            setenv("NOTIFY_SOCKET", a.sun_path, 1);
        else
            unsetenv("NOTIFY_SOCKET");
        pw_service_ready();
        pw_service_ready();
        exit(0); /* runs the atexit STOPPING=1 */
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    got[0] = '\0';
    for (;;) {
        char msg[256];
        ssize_t r = recv(fd, msg, sizeof msg - 1, 0);
        if (r < 0)
            break;
        msg[r] = '\0';
        snprintf(got + strlen(got), n - strlen(got), "%s%s", got[0] ? "|" : "", msg);
    }
    close(fd);
    unlink(a.sun_path);
    rmdir(dir);
}

static void test_notify(void **state)
{
    (void)state;
    char got[512];
    child_notifies(1, got, sizeof got);
#ifdef PW_HAVE_SYSTEMD
    assert_string_equal(got, "READY=1\nSTATUS=ready|STOPPING=1");
#else
    assert_string_equal(got, ""); /* built with -DPW_SYSTEMD=OFF */
#endif
    child_notifies(0, got, sizeof got);
    assert_string_equal(got, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_line),
        cmocka_unit_test(test_notify),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
