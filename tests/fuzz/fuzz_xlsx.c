/* fuzz_xlsx.c - fuzz target: any bytes as an office's .xlsx feed. The
 * workbook reader (xlsxread.h) alone, every row's cells read back, then the
 * feed parser on the same bytes as an .xlsx with the built-in catalog
 * (today fixed at 2026-06-30). The seed corpus tests/fuzz/xlsx/ holds small
 * workbooks: shared strings with phonetic runs, inline strings, numbers,
 * booleans, a blank row, a sheet reached through the workbook's rels. */
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "feed.h"
#include "fuzz.h"
#include "fy.h"
#include "xlsxread.h"

static struct pw_catalog *fuzz_cat;

static int fuzz_row(void *data, int row, const struct pw_xlsxread_cell *cells, size_t n)
{
    size_t *total = data;
    if (row < 1)
        abort();
    for (size_t i = 0; i < n; i++) {
        if (cells[i].col < 0 || cells[i].col >= PW_XLSXREAD_MAX_COLS ||
            strlen(cells[i].text) != cells[i].len || cells[i].len > PW_XLSXREAD_CELL_MAX ||
            (i && cells[i].col <= cells[i - 1].col))
            abort(); /* the documented shape of every row */
        *total += cells[i].len;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char why[200];
    size_t total = 0;
    struct pw_feed *f = NULL;
    if (!fuzz_cat && pw_catalog_load_default(&fuzz_cat, NULL) != 0)
        abort();
    pw_xlsxread_rows((const char *)data, size, fuzz_row, &total, why, sizeof why);
    if (pw_feed_parse(&f, fuzz_cat, "fuzz.xlsx", (const char *)data, size, PW_FEED_XLSX,
                      pw_day_from_ymd(2026, 6, 30)) == 0) {
        char msg[600];
        for (size_t i = 0; i < pw_feed_nerrors(f); i++)
            pw_diag_format(pw_feed_error(f, i), "row", msg, sizeof msg);
        pw_feed_close(&f);
    }
    return 0;
}
