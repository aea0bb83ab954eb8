/* fuzz_session.c - fuzz target: any bytes as a session cookie value (what
 * every browser request may send planwatch-http), decoded under a fixed
 * key at a fixed time. A cookie that decodes must encode back to the same
 * bytes (nothing in it is read but what was signed) and its CSRF token
 * must be its own. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t key[PW_SESSION_KEY_BYTES]; /* zeros: the seeds are signed with it */
    struct pw_session s;
    char value[PW_SESSION_COOKIE_MAX + 1], again[PW_SESSION_COOKIE_MAX];
    char csrf[PW_SESSION_CSRF_LEN + 1];
    if (sodium_init() < 0)
        abort();
    if (size > PW_SESSION_COOKIE_MAX)
        size = PW_SESSION_COOKIE_MAX;
    memcpy(value, data, size);
    value[size] = '\0';
    if (pw_session_decode(key, value, 1765000000, &s) != 0)
        return 0;
    pw_session_encode(key, &s, again);
    if (strcmp(again, value) != 0)
        abort();
    pw_session_csrf(key, &s, csrf);
    if (!pw_session_csrf_ok(key, &s, csrf))
        abort();
    return 0;
}
