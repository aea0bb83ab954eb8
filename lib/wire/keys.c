/* keys.c - CURVE key files (see keys.h). The reader takes the zcert format
 * leniently - any line `public-key = "..."` / `secret-key = "..."`, comments
 * and other sections ignored - so files written by CZMQ load too. */
#include "keys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "err.h"
#include "file.h"

#define KEYS_FILE_MAX 8192

int pw_keys_z85_valid(const char *s)
{
    static const char z85[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                              ".-:+=^!/*?&<>()[]{}@%$#";
    if (!s || strlen(s) != PW_KEY_Z85_LEN)
        return 0;
    for (const char *c = s; *c; c++)
        if (!strchr(z85, *c))
            return 0;
    uint8_t bin[32];
    return zmq_z85_decode(bin, s) != NULL;
}

int pw_keys_z85_decode(const char *s, uint8_t out[32])
{
    return pw_keys_z85_valid(s) && zmq_z85_decode(out, s) ? 0 : PW_EKEY;
}

int pw_keys_generate(struct pw_keypair *kp)
{
    memset(kp, 0, sizeof *kp);
    return zmq_curve_keypair(kp->pub, kp->sec) == 0 ? 0 : PW_EZMQ;
}

int pw_keys_valid_id(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '_' || s[i] == '-'))
            return 0;
    return 1;
}

/* Writes one zcert file with mode 0600 (through a temporary file renamed
 * into place, so a reader never sees half a key). */
static int keys_write_file(const char *path, const char *name, const struct pw_keypair *kp,
                           int secret, struct pw_diag *d)
{
    char tmp[4200], day[32];
    snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
    /* a fresh file of our own: never a leftover (its mode kept) or a symlink */
    unlink(tmp);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return pw_diag_set(d, PW_EIO, tmp, 0, "", "cannot create: %s", strerror(errno));
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        unlink(tmp);
        return pw_diag_set(d, PW_EIO, tmp, 0, "", "cannot write: %s", strerror(errno));
    }
    time_t now = time(NULL);
    struct tm tm;
    strftime(day, sizeof day, "%Y-%m-%d", gmtime_r(&now, &tm));
    fprintf(f,
            "#   ****  Generated on %s by planwatch keygen  ****\n"
            "#   ZeroMQ CURVE %s Certificate\n"
            "#   %s\n\n"
            "metadata\n"
            "    name = \"%s\"\n"
            "curve\n"
            "    public-key = \"%s\"\n",
            day, secret ? "**Secret**" : "Public",
            secret ? "DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions."
                   : "Exchange securely, or use a secure mechanism to verify the contents.",
            name, kp->pub);
    if (secret)
        fprintf(f, "    secret-key = \"%s\"\n", kp->sec);
    int bad = fflush(f) != 0 || fsync(fileno(f)) != 0;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return pw_diag_set(d, PW_EIO, path, 0, "", "cannot write: %s", strerror(e));
    }
    return 0;
}

int pw_keys_write(const char *dir, const char *name, const struct pw_keypair *kp, int force,
                  struct pw_diag *d)
{
    char pub[4096], sec[4096];
    if (!pw_keys_valid_id(name, 64) || !strcmp(name, ".") || !strcmp(name, ".."))
        return pw_diag_set(d, PW_EINVAL, name, 0, "", "a key name is 1-64 of [A-Za-z0-9._-]");
    snprintf(pub, sizeof pub, "%s/%s.key", dir, name);
    snprintf(sec, sizeof sec, "%s/%s.key_secret", dir, name);
    /* both or neither: a new secret beside an old public key is a broken pair */
    struct stat st;
    if (!force && (stat(sec, &st) == 0 || stat(pub, &st) == 0))
        return pw_diag_set(d, PW_EINVAL, stat(sec, &st) == 0 ? sec : pub, 0, "",
                           "exists; not replaced (use --force)");
    int rc = keys_write_file(sec, name, kp, 1, d);
    return rc ? rc : keys_write_file(pub, name, kp, 0, d);
}

/* Finds `field = "value"` (40-character value) on a line of text. */
static int keys_field(const char *text, const char *field, char *out)
{
    size_t fl = strlen(field);
    for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
        const char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncmp(p, field, fl) != 0)
            continue;
        p += fl;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p++ != '=')
            continue;
        while (*p == ' ' || *p == '\t')
            p++;
        char q = *p == '"' || *p == '\'' ? *p++ : 0;
        size_t n = 0;
        while (p[n] && p[n] != '\n' && p[n] != '\r' && p[n] != q && !(q == 0 && (p[n] == ' ' || p[n] == '\t')))
            n++;
        if (n != PW_KEY_Z85_LEN)
            return PW_EKEY;
        memcpy(out, p, n);
        out[n] = '\0';
        return pw_keys_z85_valid(out) ? 0 : PW_EKEY;
    }
    return PW_ENOTFOUND;
}

int pw_keys_check_writable(const char *path, const char *what, struct pw_diag *d)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return pw_diag_set(d, PW_EIO, path, 0, "", "cannot open: %s", strerror(errno));
    if (st.st_mode & (S_IWGRP | S_IWOTH))
        return pw_diag_set(d, PW_EKEY_PERM, path, 0, "",
                           "%s is writable by group or others (mode %03o): chmod go-w it", what,
                           (unsigned)(st.st_mode & 0777));
    return 0;
}

int pw_keys_read_trusted(const char *path, const char *what, size_t max, char **buf,
                         size_t *len, struct pw_diag *d)
{
    int rc = pw_keys_check_writable(path, what, d);
    return rc ? rc : pw_file_read(path, max, buf, len, d);
}

int pw_keys_load_public(const char *path, char *pub, struct pw_diag *d)
{
    char *text = NULL;
    size_t len;
    int rc = pw_keys_read_trusted(path, "public key file", KEYS_FILE_MAX, &text, &len, d);
    if (rc)
        return rc == PW_ETOOBIG ? pw_diag_set(d, PW_EKEY, path, 0, "", "not a key file (too large)")
                                : rc;
    rc = strlen(text) == len ? keys_field(text, "public-key", pub) : PW_EKEY;
    free(text);
    if (rc)
        return pw_diag_set(d, PW_EKEY, path, 0, "public-key",
                           "no valid CURVE public key (a line public-key = \"<40 Z85 characters>\"; "
                           "make one with planwatch keygen)");
    return 0;
}

int pw_keys_load_secret(const char *path, struct pw_keypair *kp, struct pw_diag *d)
{
    char *text = NULL;
    size_t len;
    memset(kp, 0, sizeof *kp);
    int rc = pw_file_read_secret(path, KEYS_FILE_MAX, "secret key file", &text, &len, d);
    if (rc)
        return rc == PW_ETOOBIG ? pw_diag_set(d, PW_EKEY, path, 0, "", "not a key file (too large)")
                                : rc;
    int bad = strlen(text) != len || keys_field(text, "public-key", kp->pub) ||
              keys_field(text, "secret-key", kp->sec);
    explicit_bzero(text, len);
    free(text);
    char derived[PW_KEY_Z85_LEN + 1];
    if (bad || zmq_curve_public(derived, kp->sec) != 0 || strcmp(derived, kp->pub) != 0) {
        memset(kp, 0, sizeof *kp);
        return pw_diag_set(d, PW_EKEY, path, 0, "secret-key",
                           bad ? "no valid CURVE key pair (public-key and secret-key lines; make "
                                 "one with planwatch keygen)"
                               : "the secret key does not belong to the public key");
    }
    return 0;
}

int pw_keys_curve_client(void *sock, const struct pw_keypair *self, const char *server_pub)
{
    if (!pw_keys_z85_valid(server_pub) || !pw_keys_z85_valid(self->pub) ||
        !pw_keys_z85_valid(self->sec))
        return PW_EKEY;
    if (zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, server_pub, PW_KEY_Z85_LEN) ||
        zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, self->pub, PW_KEY_Z85_LEN) ||
        zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, self->sec, PW_KEY_Z85_LEN))
        return PW_EZMQ;
    return 0;
}

int pw_keys_curve_server(void *sock, const struct pw_keypair *self, const char *domain)
{
    int one = 1;
    if (!pw_keys_z85_valid(self->sec))
        return PW_EKEY;
    if (zmq_setsockopt(sock, ZMQ_CURVE_SERVER, &one, sizeof one) ||
        zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, self->sec, PW_KEY_Z85_LEN) ||
        zmq_setsockopt(sock, ZMQ_ZAP_DOMAIN, domain, strlen(domain)))
        return PW_EZMQ;
    return 0;
}
