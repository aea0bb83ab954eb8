/* file.h - reading a whole file with a size limit (catalogs, feeds), and
 * a secret one only when no one but its owner may touch it. */
#ifndef PW_FILE_H
#define PW_FILE_H

#include <stddef.h>

#include "diag.h"

/* Reads path into a new malloc'd buffer *buf (NUL-terminated, caller frees)
 * of *len bytes. Returns 0, or PW_EIO / PW_ETOOBIG (more than max bytes) /
 * PW_ENOMEM with diag filled. */
int pw_file_read(const char *path, size_t max, char **buf, size_t *len, struct pw_diag *diag);

/* pw_file_read of a file holding a secret (a CURVE secret key, a session
 * key): refused with PW_EKEY_PERM "<what> is accessible by group or others
 * (mode NNN): chmod 600 it" when group or others have any access to it,
 * before a byte is read. Also PW_EIO (cannot stat or read), PW_ETOOBIG,
 * PW_ENOMEM, with diag filled. The caller wipes *buf before freeing it. */
int pw_file_read_secret(const char *path, size_t max, const char *what, char **buf, size_t *len,
                        struct pw_diag *diag);

#endif
