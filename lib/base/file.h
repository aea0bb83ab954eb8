/* file.h - reading a whole file with a size limit (catalogs, feeds). */
#ifndef PW_FILE_H
#define PW_FILE_H

#include <stddef.h>

#include "diag.h"

/* Reads path into a new malloc'd buffer *buf (NUL-terminated, caller frees)
 * of *len bytes. Returns 0, or PW_EIO / PW_ETOOBIG (more than max bytes) /
 * PW_ENOMEM with diag filled. */
int pw_file_read(const char *path, size_t max, char **buf, size_t *len, struct pw_diag *diag);

#endif
