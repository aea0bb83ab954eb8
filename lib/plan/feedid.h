/* feedid.h - the update ids every door gives the rows of an office's feed.
 * A row that carries an update_id keeps it; any other row gets a stable,
 * name-based UUID (v5) derived from the office and the figure, so resending
 * the same file never creates a duplicate while a corrected figure is a new
 * revision. The CLI (`planwatch feed`) and the HTTP door (planwatch-http)
 * derive ids the same way, so an office may switch doors and resend safely.
 * Pure functions over borrowed inputs; no global state. */
#ifndef PW_FEEDID_H
#define PW_FEEDID_H

#include <stddef.h>

#include "feed.h"

#define PW_FEEDID_BUFSZ (PW_UPDATE_ID_MAX + 1)

/* The update id for row r of `office`: r->update_id when the row has one,
 * else the UUID v5 (SHA-1, lowercase) over the planwatch namespace
 * 6fce9a02-a3ac-40f7-bb3f-996d5983f684 and the canonical text, fields
 * joined by 0x1f:
 *   office, indicator_id, fiscal_year (decimal), value (micro-units, decimal),
 *   basis ("cumulative" | "annual" | "" when not given), preliminary ("1" | "0"),
 *   as_of ("YYYY-MM-DD" | ""), note, and "retract" for a retraction only
 * Ingest derives the ids of rows that carry none from the office it
 * authenticated (so one file through any door is stored once); the doors
 * use these ids only to find repeated figures within a file.
 * buf: at least PW_FEEDID_BUFSZ bytes. Returns buf, or NULL when out of memory. */
char *pw_feedid_row(const char *office, const struct pw_feed_row *r, char *buf);

/* Ids for every parsed row of f (uid[i] for pw_feed_row(f, i); uid has
 * pw_feed_nrows(f) entries) and, in first[i], the index of the first row
 * with the same id (i itself when it is the first). A repeated id is either
 * the same figure sent twice (no explicit update_id: send it once) or an
 * explicit update_id reused (the caller rejects it: PW_EFEED_DUPROW).
 * Returns 0 or PW_ENOMEM. */
int pw_feedid_assign(const struct pw_feed *f, const char *office, char (*uid)[PW_FEEDID_BUFSZ],
                     size_t *first);

#endif
