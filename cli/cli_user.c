/* cli_user.c - `planwatch user add|passwd|disable|enable|list`: the users
 * file that planwatch-http reads (lib/trust/users.h), edited locally and
 * written back atomically. A password is read from the terminal without
 * echo (asked twice), or from stdin when stdin is not a terminal (scripts,
 * tests); never from the command line, where ps and shell history would
 * keep it. planwatch-http reads the change on SIGHUP. */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "err.h"
#include "users.h"

#define USER_PASS_MAX 1024
#define USER_PASS_MIN 8

/* One line from in into buf (without its newline). 0, or -1 at EOF. */
static int user_line(FILE *in, char *buf, size_t n)
{
    if (!fgets(buf, (int)n, in))
        return -1;
    buf[strcspn(buf, "\r\n")] = '\0';
    return 0;
}

/* The new password into buf: asked twice on a terminal with echo off, else
 * the first line of stdin. Returns 0 or 2 (printed why). */
static int user_password(char *buf, size_t n)
{
    char again[USER_PASS_MAX];
    int rc = 0;
    if (!isatty(STDIN_FILENO)) {
        if (user_line(stdin, buf, n)) {
            fputs("planwatch user: no password on stdin (one line)\n", stderr);
            return 2;
        }
    } else {
        struct termios old, quiet;
        if (tcgetattr(STDIN_FILENO, &old) != 0) {
            fprintf(stderr, "planwatch user: cannot read the terminal: %s\n", strerror(errno));
            return 2;
        }
        quiet = old;
        quiet.c_lflag &= (tcflag_t) ~ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
        fputs("パスワード password: ", stderr);
        rc = user_line(stdin, buf, n);
        fputs("\n確認 again: ", stderr);
        rc |= user_line(stdin, again, sizeof again);
        fputc('\n', stderr);
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        if (!rc && strcmp(buf, again) != 0) {
            fputs("planwatch user: the two passwords differ\n", stderr);
            rc = -1;
        }
        sodium_memzero(again, sizeof again);
        if (rc)
            return 2;
    }
    if (strlen(buf) < USER_PASS_MIN) {
        fprintf(stderr, "planwatch user: a password needs at least %d characters\n",
                USER_PASS_MIN);
        return 2;
    }
    return 0;
}

/* The users file o names, or a new empty one when it does not exist and
 * create is set. Returns 0 or 2 (printed). */
static int user_load(const struct cli_opts *o, int create, struct pw_users **out)
{
    struct pw_diag d = {0};
    char msg[600];
    if (!o->users) {
        fputs("planwatch user: give the users file: --users FILE or PLANWATCH_USERS\n", stderr);
        return 2;
    }
    if (create && access(o->users, F_OK) != 0 && errno == ENOENT)
        return pw_users_new(out) ? 2 : 0;
    if (pw_users_load_file(out, o->users, &d)) {
        fprintf(stderr, "planwatch user: %s\n", pw_diag_format(&d, NULL, msg, sizeof msg));
        return 2;
    }
    return 0;
}

static int user_save(const struct cli_opts *o, const struct pw_users *u)
{
    struct pw_diag d = {0};
    char msg[600];
    if (pw_users_write_file(u, o->users, &d)) {
        fprintf(stderr, "planwatch user: %s\n", pw_diag_format(&d, NULL, msg, sizeof msg));
        return 2;
    }
    return 0;
}

static const char user_summary[] =
    "Usage: planwatch user add NAME --role member|secretariat|viewer [--office ID] [--users FILE]\n"
    "       planwatch user passwd NAME [--users FILE]\n"
    "       planwatch user disable|enable NAME [--users FILE]\n"
    "       planwatch user list [--users FILE]\n"
    "\n"
    "The people who sign in to planwatch-http (its --users file). The password is read\n"
    "from the terminal without echo, or from stdin when it is not a terminal; never\n"
    "from the command line. Send planwatch-http SIGHUP to apply a change.\n";

int cli_user(int argc, char **argv)
{
    struct cli_opts o;
    struct pw_users *u = NULL;
    struct pw_diag d = {0};
    char pass[USER_PASS_MAX], msg[600];
    int rc;
    const char *sub = argc > 1 ? argv[1] : "";
    if (!strcmp(sub, "--help") || !strcmp(sub, "-h")) {
        fputs(user_summary, stdout);
        cli_opts_help(stdout, CLI_OPT_USERS | CLI_OPT_ROLE | CLI_OPT_OFFICE);
        return 0;
    }
    int add = !strcmp(sub, "add"), passwd = !strcmp(sub, "passwd"),
        dis = !strcmp(sub, "disable"), en = !strcmp(sub, "enable"), list = !strcmp(sub, "list");
    if (!add && !passwd && !dis && !en && !list) {
        fprintf(stderr, "planwatch user: '%s' is not add, passwd, disable, enable or list\n\n%s",
                sub, user_summary);
        return 2;
    }
    cli_optmask allowed = CLI_OPT_USERS | (add ? CLI_OPT_ROLE | CLI_OPT_OFFICE : 0);
    if ((rc = cli_opts_parse(&o, argc - 1, argv + 1, allowed, user_summary)) >= 0)
        return rc;
    if (o.nargs != (list ? 0u : 1u)) {
        fprintf(stderr, "planwatch user %s: %s (see planwatch user --help)\n", sub,
                list ? "takes no NAME" : "give one NAME");
        return 2;
    }
    if (sodium_init() < 0)
        return 2;
    const char *name = list ? NULL : o.args[0];
    enum pw_user_role role = PW_USER_VIEWER;
    if (add && (!o.role || pw_user_role_parse(o.role, &role))) {
        fprintf(stderr, "planwatch user add: --role %s: give member, secretariat or viewer\n",
                o.role ? o.role : "missing");
        return 2;
    }
    if ((rc = user_load(&o, add, &u)))
        return rc;
    if (list) {
        for (size_t i = 0; i < pw_users_count(u); i++) {
            const struct pw_user *p = pw_users_at(u, i);
            printf("%s\t%s\t%s\t%s\n", p->name, pw_user_role_name(p->role),
                   p->office ? p->office : "-", p->disabled ? "disabled" : "enabled");
        }
        goto done;
    }
    if (!add && !pw_users_find(u, name)) {
        fprintf(stderr, "planwatch user %s: no user '%s' in %s\n", sub, name, o.users);
        rc = 1;
        goto done;
    }
    if (add && pw_users_find(u, name)) {
        fprintf(stderr, "planwatch user add: user '%s' exists already (user passwd to change "
                        "the password)\n", name);
        rc = 1;
        goto done;
    }
    if ((add || passwd) && (rc = user_password(pass, sizeof pass)))
        goto done;
    if (add)
        rc = pw_users_add(u, name, role, o.office_given ? o.office : NULL, pass, &d);
    else if (passwd)
        rc = pw_users_set_password(u, name, pass);
    else
        rc = pw_users_set_disabled(u, name, dis);
    if (rc) {
        fprintf(stderr, "planwatch user %s: %s\n", sub,
                d.code ? pw_diag_format(&d, NULL, msg, sizeof msg) : pw_strerror(rc));
        rc = 2;
        goto done;
    }
    if ((rc = user_save(&o, u)))
        goto done;
    fprintf(stderr, "planwatch user %s: %s written (planwatch-http applies it on SIGHUP)\n", sub,
            o.users);
done:
    sodium_memzero(pass, sizeof pass);
    pw_users_close(&u);
    return rc;
}
