/* keys.h - CurveZMQ key pairs: generation (zmq_curve_keypair), key files and
 * loading. Files use CZMQ's zcert text format, so CZMQ's tools read them:
 *   NAME.key         the public key ("public-key = \"<Z85>\"") - may be shared
 *   NAME.key_secret  public and secret key                     - keep private
 * Both are written 0600; a secret key file that group or others may read is
 * refused when loaded (like ssh). Keys are 40-character Z85 texts of 32
 * bytes. Nothing here logs a secret key. */
#ifndef PW_KEYS_H
#define PW_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"

#define PW_KEY_Z85_LEN 40 /* Z85 text of a 32-byte CURVE key */

/* A CURVE key pair as Z85 texts. sec is "" when only the public key is known. */
struct pw_keypair {
    char pub[PW_KEY_Z85_LEN + 1];
    char sec[PW_KEY_Z85_LEN + 1];
};

/* Whether s is 1..max of [A-Za-z0-9._-]: a key name, a registry id. */
int pw_keys_valid_id(const char *s, size_t max);

/* Whether s is a 40-character Z85 text (decodes to a 32-byte key). */
int pw_keys_z85_valid(const char *s);

/* Decodes a valid Z85 key text into 32 bytes. Returns 0 or PW_EKEY. */
int pw_keys_z85_decode(const char *s, uint8_t out[32]);

/* Generates a new key pair. Returns 0, or PW_EZMQ when libzmq was built
 * without CURVE. */
int pw_keys_generate(struct pw_keypair *kp);

/* Writes DIR/NAME.key and DIR/NAME.key_secret (mode 0600, created; an
 * existing file is replaced only when force). name: 1-64 of
 * [A-Za-z0-9._-]. Returns 0, PW_EINVAL (bad name; file exists without
 * force) or PW_EIO, with d filled. */
int pw_keys_write(const char *dir, const char *name, const struct pw_keypair *kp, int force,
                  struct pw_diag *d);

/* Loads a secret key file (NAME.key_secret): both keys, checked to belong
 * together. Returns 0, PW_EIO (unreadable), PW_EKEY (no valid key pair in
 * it) or PW_EKEY_PERM (group or others may read it: chmod 600), with d
 * filled. */
int pw_keys_load_secret(const char *path, struct pw_keypair *kp, struct pw_diag *d);

/* Refuses a file that decides who is trusted (a public key, the registry)
 * when group or others may write it: whoever can write it can let
 * themselves in. what names it in the message ("public key file").
 * Returns 0, PW_EIO (cannot stat) or PW_EKEY_PERM (chmod go-w), d filled. */
int pw_keys_check_writable(const char *path, const char *what, struct pw_diag *d);
/* pw_keys_check_writable, then pw_file_read: the whole file (at most max
 * bytes) in *buf (malloc'd, NUL-terminated, caller frees) of *len bytes.
 * Returns 0 or what either returns (*buf untouched), d filled. */
int pw_keys_read_trusted(const char *path, const char *what, size_t max, char **buf,
                         size_t *len, struct pw_diag *d);

/* Loads the public key of a key file (NAME.key or NAME.key_secret) into
 * pub (PW_KEY_Z85_LEN + 1 bytes). Returns 0, PW_EIO, PW_EKEY_PERM (group
 * or others may write it) or PW_EKEY with d filled. */
int pw_keys_load_public(const char *path, char *pub, struct pw_diag *d);

/* Makes sock a CURVE client of the server whose public key is server_pub,
 * authenticating as self (both keys needed). Set before connect. Returns
 * 0, PW_EKEY (a key is not valid Z85) or PW_EZMQ. */
int pw_keys_curve_client(void *sock, const struct pw_keypair *self, const char *server_pub);

/* Makes sock a CURVE server with self's keys whose clients the ZAP handler
 * of the socket's context checks under domain (zap.h). Set before bind.
 * Returns 0, PW_EKEY or PW_EZMQ. */
int pw_keys_curve_server(void *sock, const struct pw_keypair *self, const char *domain);

#endif
