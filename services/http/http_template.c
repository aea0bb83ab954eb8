/* http_template.c - GET /api/v1/template?office=ID&fy=Y&format=csv|xlsx: the
 * feed template of the rows office ID owes for fiscal year Y (default: the
 * latest ended one), as `planwatch template` writes it (lib/view/template.h),
 * from the catalog the door runs with and the office registry it
 * authenticates with. A read like any other (--read-auth applies). */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "fy.h"
#include "http.h"
#include "http_auth.h"
#include "registry.h"
#include "template.h"

static int tpl_want(void *ud, const struct pw_indicator *ind)
{
    return pw_principal_may_write(ud, ind);
}

void http_template_get(struct http *h, struct http_req *r)
{
    const char *office = http_req_arg(r, "office"), *fy_s = http_req_arg(r, "fy"),
               *fmt_s = http_req_arg(r, "format");
    enum pw_template_format fmt = PW_TEMPLATE_CSV;
    int fy = pw_fy_of(pw_clock_today(&h->clock)) - 1;
    const struct pw_indicator **inds = NULL;
    char *body = NULL, why[200], disp[160];
    size_t n = 0, len = 0;
    if (!office || !office[0]) {
        http_req_error(r, MHD_HTTP_BAD_REQUEST, PW_EINVAL, "?office= is required");
        return;
    }
    if (fy_s && fy_s[0] && pw_fy_parse(fy_s, &fy)) {
        snprintf(why, sizeof why, "fy '%.40s' is not a fiscal year (2025, FY2025, 令和7, R7)", fy_s);
        http_req_error(r, MHD_HTTP_BAD_REQUEST, PW_EINVAL, why);
        return;
    }
    if (fmt_s && fmt_s[0] && pw_template_format_parse(fmt_s, &fmt)) {
        http_req_error(r, MHD_HTTP_BAD_REQUEST, PW_EINVAL, "format must be csv or xlsx");
        return;
    }
    if (!h->cat) {
        http_catalog_load(h);
        http_req_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, PW_EUNAVAILABLE,
                       "the store's catalog is not loaded yet (store not reachable); try again");
        return;
    }
    const struct pw_principal *p = http_auth_principal(h->auth, office);
    if (!p || p->service || !pw_principal_may_write_any(p)) {
        snprintf(why, sizeof why, "no office '%.64s' with a write scope in the registry", office);
        http_req_error(r, MHD_HTTP_NOT_FOUND, PW_ENOTFOUND, why);
        return;
    }
    if (pw_template_select(h->cat, fy, tpl_want, (void *)p, &inds, &n) ||
        pw_template_render(inds, n, fy, fmt, &body, &len)) {
        free(inds);
        http_req_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, PW_ENOMEM,
                       "the template could not be rendered (out of memory or no temporary directory)");
        return;
    }
    snprintf(disp, sizeof disp, "Content-Disposition: attachment; filename=\"template-%s-FY%d.%s\"",
             office, fy, fmt == PW_TEMPLATE_XLSX ? "xlsx" : "csv");
    http_req_respond(r, MHD_HTTP_OK,
                     fmt == PW_TEMPLATE_XLSX ? HTTP_XLSX_TYPE : "text/csv; charset=utf-8",
                     body, len, disp);
    free(body);
    free(inds);
}
