/* pidfile.c - data directory lock (see pidfile.h). */
#include "pidfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"

int pw_pidfile_lock(const char *dir, const char *name, int *fd, long *holder)
{
    char path[1024], buf[32];
    if (mkdir(dir, 0750) != 0 && errno != EEXIST)
        return PW_EIO;
    snprintf(path, sizeof path, "%s/%s.pid", dir, name);
    int f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (f < 0)
        return PW_EIO;
    if (flock(f, LOCK_EX | LOCK_NB) != 0) {
        ssize_t r = read(f, buf, sizeof buf - 1);
        buf[r > 0 ? r : 0] = '\0';
        *holder = strtol(buf, NULL, 10);
        close(f);
        return PW_ELOCKED;
    }
    int n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
    if (ftruncate(f, 0) != 0 || pwrite(f, buf, (size_t)n, 0) != n) {
        close(f);
        return PW_EIO;
    }
    *fd = f;
    return 0;
}

void pw_pidfile_unlock(int fd, const char *dir, const char *name)
{
    if (fd < 0)
        return;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.pid", dir, name);
    unlink(path);
    close(fd);
}
