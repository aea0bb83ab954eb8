/* cli_template.c - `planwatch template`: the feed template of the rows an
 * office owes for a fiscal year, offline from the catalog and the office
 * registry (its write scope picks the indicators). Needs no service. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "err.h"
#include "fy.h"
#include "registry.h"
#include "template.h"

#define TPL_MAX_CATALOGS 16

static int tpl_want(void *ud, const struct pw_indicator *ind)
{
    return pw_principal_may_write(ud, ind);
}

int cli_template(int argc, char **argv)
{
    static const char help[] =
        "usage: planwatch template --office ID [--fy Y] [--format csv|xlsx] [--out FILE]\n"
        "                          [--registry FILE] [--catalog FILE]...\n"
        "the feed template of the rows office ID owes for fiscal year Y (default: the\n"
        "latest ended one): the indicators its write scope in the office registry covers,\n"
        "pre-filled with 指標ID, 指標名, 単位, 年度, 区分; fill in 値 (and 速報値, 時点, 備考)\n"
        "and feed the file as it is (planwatch feed FILE). csv (UTF-8 with BOM, the default)\n"
        "or xlsx with drop-down lists. --registry defaults to $PLANWATCH_REGISTRY; the\n"
        "catalog to the built-in one. Writes to FILE or standard output.\n";
    static const struct option longopts[] = {
        {"office", required_argument, NULL, 'o'},  {"fy", required_argument, NULL, 'y'},
        {"format", required_argument, NULL, 'f'},  {"out", required_argument, NULL, 'O'},
        {"registry", required_argument, NULL, 'r'}, {"catalog", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    const char *office = NULL, *out = NULL, *reg_path = getenv("PLANWATCH_REGISTRY");
    const char *cats[TPL_MAX_CATALOGS];
    size_t ncats = 0;
    int fy = pw_fy_of(pw_day_today()) - 1, opt, status = 2;
    enum pw_template_format fmt = PW_TEMPLATE_CSV;
    struct pw_catalog *cat = NULL;
    struct pw_registry *reg = NULL;
    const struct pw_indicator **inds = NULL;
    char *buf = NULL;
    size_t n = 0, len = 0;
    struct pw_diag d = {0};
    char msg[600];

    optind = 1;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case 'o': office = optarg; break;
        case 'O': out = optarg; break;
        case 'r': reg_path = optarg; break;
        case 'y':
            if (pw_fy_parse(optarg, &fy)) {
                fprintf(stderr, "planwatch template: --fy '%s' is not a fiscal year\n", optarg);
                return 2;
            }
            break;
        case 'f':
            if (pw_template_format_parse(optarg, &fmt)) {
                fprintf(stderr, "planwatch template: --format '%s' is not csv or xlsx\n", optarg);
                return 2;
            }
            break;
        case 'c':
            if (ncats == TPL_MAX_CATALOGS) {
                fprintf(stderr, "planwatch template: more than %d --catalog files\n",
                        TPL_MAX_CATALOGS);
                return 2;
            }
            cats[ncats++] = optarg;
            break;
        case 'h': fputs(help, stdout); return 0;
        default: fputs(help, stderr); return 2;
        }
    }
    if (optind < argc || !office || !reg_path || !reg_path[0]) {
        fprintf(stderr, "planwatch template: %s\n%s",
                optind < argc ? "unexpected argument"
                : !office     ? "--office is required"
                              : "no office registry: --registry FILE or PLANWATCH_REGISTRY",
                help);
        return 2;
    }
    if ((ncats ? pw_catalog_load_files(&cat, cats, ncats, &d) : pw_catalog_load_default(&cat, &d)) ||
        pw_registry_load_file(&reg, reg_path, &d)) {
        fprintf(stderr, "planwatch template: %s\n", pw_diag_format(&d, NULL, msg, sizeof msg));
        goto done;
    }
    const struct pw_principal *p = pw_registry_find(reg, office);
    if (!p || p->service || !pw_principal_may_write_any(p)) {
        fprintf(stderr, "planwatch template: %s '%s' in %s\n",
                !p ? "no office" : "nothing to write for", office, reg_path);
        status = 1;
        goto done;
    }
    if (pw_template_select(cat, fy, tpl_want, (void *)p, &inds, &n) ||
        pw_template_render(inds, n, fy, fmt, &buf, &len)) {
        fprintf(stderr, "planwatch template: cannot render the template (out of memory or "
                        "no temporary directory)\n");
        goto done;
    }
    FILE *f = out ? fopen(out, "wb") : stdout;
    if (!f || fwrite(buf, 1, len, f) != len || (out && fclose(f) != 0) || (!out && fflush(f))) {
        fprintf(stderr, "planwatch template: cannot write %s\n", out ? out : "standard output");
        goto done;
    }
    if (n == 0)
        fprintf(stderr, "planwatch template: office '%s' owes no figure for FY%d\n", office, fy);
    else
        fprintf(stderr, "planwatch template: %zu rows for office '%s', FY%d\n", n, office, fy);
    status = 0;
done:
    free(buf);
    free(inds);
    pw_registry_close(&reg);
    pw_catalog_close(&cat);
    return status;
}
