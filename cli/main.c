/* main.c - `planwatch` entry point: dispatches to a subcommand. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *out)
{
    fputs("usage: planwatch COMMAND [OPTIONS]\n"
          "\n"
          "commands:\n"
          "  catalog [--catalog FILE]... [--format table|csv|json]\n"
          "      list the indicators of the catalog (default: the built-in plans 2 and 3)\n"
          "  status --feed FILE... [--catalog FILE]... [--as-of YYYY-MM-DD] [--format F]\n"
          "      evaluate every indicator against its pro-rated target from feed files\n"
          "      (an office's dry run: what would the status be with this feed?)\n"
          "\n"
          "`planwatch COMMAND --help` describes a command.\n",
          out);
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } cmds[] = {{"catalog", cli_catalog}, {"status", cli_status}};
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (strcmp(argv[1], cmds[i].name) == 0)
            return cmds[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "planwatch: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}
