/* pwcheck.h - password checks off the event loop. An argon2id check takes
 * about 0.1 s by design; on a service's loop thread each sign-in, or a
 * spray of them from many addresses, would stall every other request for
 * that long. One worker thread checks in order of arrival; the loop hears
 * of each result through a pipe it polls and calls the caller back there.
 * A name that is not known is checked against a dummy hash, so it costs
 * the same (no timing oracle for which names exist). Needs sodium_init(). */
#ifndef PW_PWCHECK_H
#define PW_PWCHECK_H

#include <stddef.h>

#include "reactor.h"

#define PW_PWCHECK_QUEUE_MAX 1024 /* most checks a checker may let wait */

struct pw_pwcheck;

/* Called on the loop thread with the result: 1 the password matches, 0 it
 * does not, -1 not checked (the checker was closed first). */
typedef void (*pw_pwcheck_done)(void *arg, int ok);
/* The check itself: 1 when password matches hash (an "$argon2id$" string). */
typedef int (*pw_pwcheck_fn)(const char *hash, const char *password);

/* Starts the worker and registers its pipe in r. check NULL: libsodium's
 * crypto_pwhash_str_verify. At most max checks (1 - PW_PWCHECK_QUEUE_MAX)
 * wait or run at once. Makes the dummy hash (one argon2id hashing, at
 * start-up). Returns 0 and *out (caller closes), or PW_EINVAL / PW_ENOMEM /
 * PW_EIO. */
int pw_pwcheck_open(struct pw_pwcheck **out, struct pw_reactor *r, pw_pwcheck_fn check,
                    size_t max);

/* Queues a check of password against hash (NULL: a name not known; the
 * dummy hash is used and done always hears 0); both are copied (the copy
 * of the password is wiped once checked). done(arg, ok) is called once,
 * on the loop thread (or by pw_pwcheck_close). Returns 0,
 * PW_EUNAVAILABLE (max already waiting: try again shortly) or
 * PW_ENOMEM / PW_EINVAL (password longer than 4,096 bytes). */
int pw_pwcheck_submit(struct pw_pwcheck *c, const char *hash, const char *password,
                      pw_pwcheck_done done, void *arg);

/* Checks waiting or running. */
size_t pw_pwcheck_queued(const struct pw_pwcheck *c);

/* Stops the worker after the check it is running, calls back what is
 * left (checked: its result; still waiting: -1), and unregisters the
 * pipe. Call it from the loop's thread. Accepts NULL; nulls *c. */
void pw_pwcheck_close(struct pw_pwcheck **c);

#endif
