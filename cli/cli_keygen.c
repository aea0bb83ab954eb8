/* cli_keygen.c - `planwatch keygen NAME [--dir DIR] [--force]`: makes a CURVE
 * key pair (zmq_curve_keypair) for a service or an office and writes
 * DIR/NAME.key (public) and DIR/NAME.key_secret (both mode 0600; existing
 * files are kept unless --force). Prints the public key, the line an
 * administrator puts in the office registry. Needs no service. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_opts.h"
#include "err.h"
#include "keys.h"

int cli_keygen(int argc, char **argv)
{
    static const char summary[] =
        "usage: planwatch keygen NAME [--dir DIR] [--force]\n"
        "Makes a CURVE key pair for a service (store, ingest, alert) or an office and\n"
        "writes DIR/NAME.key (the public key, to share) and DIR/NAME.key_secret (keep it\n"
        "private), both mode 0600. Prints the public key: put it in the office registry.\n";
    struct cli_opts o;
    struct pw_keypair kp;
    struct pw_diag d = {0};
    char msg[600];
    int rc = cli_opts_parse(&o, argc, argv, CLI_OPT_KEYGEN, summary);
    if (rc >= 0)
        return rc;
    if (o.nargs != 1) {
        fputs(summary, stderr);
        return 2;
    }
    if ((rc = pw_keys_generate(&kp))) {
        fputs("planwatch keygen: this libzmq has no CURVE support\n", stderr);
        return 2;
    }
    rc = pw_keys_write(o.dir, o.args[0], &kp, o.force, &d);
    explicit_bzero(kp.sec, sizeof kp.sec);
    if (rc) {
        fprintf(stderr, "planwatch keygen: %s\n", pw_diag_format(&d, NULL, msg, sizeof msg));
        return 2;
    }
    printf("%s\n", kp.pub);
    fprintf(stderr, "planwatch keygen: wrote %s/%s.key and %s/%s.key_secret\n", o.dir, o.args[0],
            o.dir, o.args[0]);
    return 0;
}
