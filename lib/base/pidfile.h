/* pidfile.h - one service per data directory: an exclusive flock(2) on
 * DIR/NAME.pid held for the life of the process (released by the kernel even
 * on kill -9), with the holder's pid written in it for the error message. */
#ifndef PW_PIDFILE_H
#define PW_PIDFILE_H

/* Creates dir if needed and locks dir/name.pid. Returns 0 and *fd, or
 * PW_ELOCKED (another process holds it; its pid in *holder) or PW_EIO. */
int pw_pidfile_lock(const char *dir, const char *name, int *fd, long *holder);

/* Releases the lock and removes the file; accepts -1. */
void pw_pidfile_unlock(int fd, const char *dir, const char *name);

#endif
