/* fuzz_users.c - fuzz target: any bytes as a users file (the YAML that
 * planwatch-http reads at start and on SIGHUP). A file that loads has
 * unique names, a role each, an office exactly for members, and every
 * entry is found by its name; it is then written out and loaded back the
 * same. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "users.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pw_users *u = NULL, *back = NULL;
    struct pw_diag d;
    char path[] = "/tmp/pw-fuzz-users-XXXXXX";
    if (pw_users_load_buffer(&u, "fuzz.yaml", (const char *)data, size, &d) != 0)
        return 0;
    for (size_t i = 0; i < pw_users_count(u); i++) {
        const struct pw_user *p = pw_users_at(u, i);
        if (pw_users_find(u, p->name) != p || (p->role == PW_USER_MEMBER) != (p->office != NULL))
            abort();
    }
    int fd = mkstemp(path);
    if (fd < 0)
        abort();
    close(fd);
    if (pw_users_write_file(u, path, &d) != 0 || pw_users_load_file(&back, path, &d) != 0 ||
        pw_users_count(back) != pw_users_count(u))
        abort();
    for (size_t i = 0; i < pw_users_count(u); i++) {
        const struct pw_user *a = pw_users_at(u, i), *b = pw_users_at(back, i);
        if (strcmp(a->name, b->name) || a->role != b->role || strcmp(a->hash, b->hash) ||
            a->disabled != b->disabled || (a->office && strcmp(a->office, b->office)))
            abort();
    }
    unlink(path);
    pw_users_close(&back);
    pw_users_close(&u);
    return 0;
}
