/* feedid.c - derived update ids (see feedid.h). The namespace and the
 * canonical text are a wire contract: changing either turns every resend of
 * an old file into a new revision. */
#include "feedid.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

#include "err.h"
#include "eval.h"
#include "fy.h"
#include "map.h"

#define FEEDID_US "\x1f" /* field separator of the canonical text */

/* Never change it (see the file comment). */
static const uuid_t feedid_ns = {0x6f, 0xce, 0x9a, 0x02, 0xa3, 0xac, 0x40, 0xf7,
                                 0xbb, 0x3f, 0x99, 0x6d, 0x59, 0x83, 0xf6, 0x84};

char *pw_feedid_row(const char *office, const struct pw_feed_row *r, char *buf)
{
    if (r->update_id[0]) {
        memcpy(buf, r->update_id, strlen(r->update_id) + 1);
        return buf;
    }
    char day[11] = "";
    if (r->as_of != PW_NO_DAY)
        pw_day_format(r->as_of, day);
    const char *basis = r->basis == PW_BASIS_CUMULATIVE ? "cumulative"
                        : r->basis == PW_BASIS_ANNUAL   ? "annual"
                                                        : "";
    const char *note = r->note ? r->note : "";
    size_t cap = strlen(office) + strlen(r->indicator_id) + strlen(note) + 96;
    char *text = malloc(cap);
    if (!text)
        return NULL;
    /* a retraction appends a field: the ids of figures stay as they were */
    int len = snprintf(text, cap,
                       "%s" FEEDID_US "%s" FEEDID_US "%d" FEEDID_US "%lld" FEEDID_US "%s" FEEDID_US
                       "%d" FEEDID_US "%s" FEEDID_US "%s%s",
                       office, r->indicator_id, r->fy, (long long)r->value, basis,
                       r->preliminary ? 1 : 0, day, note, r->retract ? FEEDID_US "retract" : "");
    uuid_t u;
    uuid_generate_sha1(u, feedid_ns, text, (size_t)len);
    uuid_unparse_lower(u, buf);
    free(text);
    return buf;
}

int pw_feedid_assign(const struct pw_feed *f, const char *office, char (*uid)[PW_FEEDID_BUFSZ],
                     size_t *first)
{
    struct pw_map *seen = NULL;
    size_t n = pw_feed_nrows(f);
    int rc = pw_map_open(&seen);
    for (size_t i = 0; !rc && i < n; i++) {
        if (!pw_feedid_row(office, pw_feed_row(f, i), uid[i])) {
            rc = PW_ENOMEM;
            break;
        }
        void *v = pw_map_get(seen, uid[i]);
        first[i] = v ? (size_t)(uintptr_t)v - 1 : i;
        if (!v)
            rc = pw_map_put(seen, uid[i], (void *)(uintptr_t)(i + 1));
    }
    pw_map_close(&seen);
    return rc;
}
