/* fuzz_feed.c - fuzz target: any bytes as an office's feed file. Each input
 * is parsed as the CLI and the services would: format detected (CSV or
 * JSON) without a catalog, detected with the built-in catalog (every row
 * validated against a fixed today, 2026-06-30), and forced to the other
 * format. Every accepted row and every diagnostic is then read back. */
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "feed.h"
#include "fuzz.h"
#include "fy.h"

static struct pw_catalog *fuzz_cat;

static void fuzz_parse(const uint8_t *data, size_t size, const struct pw_catalog *cat,
                       enum pw_feed_format fmt)
{
    struct pw_feed *f = NULL;
    char msg[600];
    if (pw_feed_parse(&f, cat, "fuzz.csv", (const char *)data, size, fmt,
                      pw_day_from_ymd(2026, 6, 30)) != 0)
        return;
    for (size_t i = 0; i < pw_feed_nrows(f); i++) {
        const struct pw_feed_row *r = pw_feed_row(f, i);
        if (strlen(r->indicator_id) > PW_ID_MAX || strlen(r->note) > PW_NOTE_MAX)
            abort(); /* the documented limits hold for every accepted row */
    }
    for (size_t i = 0; i < pw_feed_nerrors(f); i++)
        pw_diag_format(pw_feed_error(f, i), "row", msg, sizeof msg);
    pw_feed_close(&f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!fuzz_cat && pw_catalog_load_default(&fuzz_cat, NULL) != 0)
        abort();
    size_t i = 0;
    while (i < size && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' || data[i] == '\t'))
        i++;
    int json = i < size && (data[i] == '[' || data[i] == '{');
    fuzz_parse(data, size, NULL, PW_FEED_AUTO);
    fuzz_parse(data, size, fuzz_cat, PW_FEED_AUTO);
    fuzz_parse(data, size, NULL, json ? PW_FEED_CSV : PW_FEED_JSON);
    return 0;
}
