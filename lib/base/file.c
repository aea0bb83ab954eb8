/* file.c - whole-file reads (see file.h). */
#include "file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "err.h"

int pw_file_read(const char *path, size_t max, char **buf, size_t *len, struct pw_diag *diag)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return pw_diag_set(diag, PW_EIO, path, 0, "", "cannot open: %s", strerror(errno));
    size_t cap = 65536, n = 0;
    char *b = malloc(cap + 1);
    int rc = 0;
    while (b) {
        if (n == cap) {
            if (cap > max) {
                rc = pw_diag_set(diag, PW_ETOOBIG, path, 0, "", "larger than %zu bytes", max);
                break;
            }
            char *nb = realloc(b, cap * 2 + 1);
            if (!nb) {
                rc = PW_ENOMEM;
                break;
            }
            b = nb;
            cap *= 2;
        }
        size_t r = fread(b + n, 1, cap - n, f);
        n += r;
        if (r == 0) {
            if (ferror(f))
                rc = pw_diag_set(diag, PW_EIO, path, 0, "", "read failed: %s", strerror(errno));
            break;
        }
    }
    fclose(f);
    if (!b)
        return pw_diag_set(diag, PW_ENOMEM, path, 0, "", "out of memory");
    if (!rc && n > max)
        rc = pw_diag_set(diag, PW_ETOOBIG, path, 0, "", "larger than %zu bytes", max);
    if (rc) {
        free(b);
        return rc;
    }
    b[n] = '\0';
    *buf = b;
    *len = n;
    return 0;
}

int pw_file_read_secret(const char *path, size_t max, const char *what, char **buf, size_t *len,
                        struct pw_diag *diag)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return pw_diag_set(diag, PW_EIO, path, 0, "", "cannot open: %s", strerror(errno));
    if (st.st_mode & (S_IRWXG | S_IRWXO))
        return pw_diag_set(diag, PW_EKEY_PERM, path, 0, "",
                           "%s is accessible by group or others (mode %03o): chmod 600 it", what,
                           (unsigned)(st.st_mode & 0777));
    return pw_file_read(path, max, buf, len, diag);
}
