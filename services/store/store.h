/* store.h - the store service's state, shared by its main loop (main.c) and
 * its query handlers (store_query.c). One struct, owned by main(). */
#ifndef STORE_H
#define STORE_H

#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "clock.h"
#include "history.h"
#include "planwatch.pb-c.h"
#include "sec.h"
#include "store_db.h"

struct store_catalog_file {
    char *name;
    char *yaml;
    size_t len;
};

struct store {
    struct store_db *db;
    struct pw_catalog *cat;
    struct store_catalog_file *files;   /* the catalog texts served on QUERY_CATALOG */
    size_t nfiles;
    struct pw_history *hist;            /* every stored update, for status snapshots */
    struct pw_clock clock;
    void *sub, *ack, *router, *pub;
    struct pw_sec *sec;                 /* CURVE keys, registry, ZAP (or --insecure) */
    uint64_t stored, duplicates, refused, queries, published;
    uint64_t ingest_epoch, ingest_seq;  /* to notice gaps in ingest's stream */
};

/* Adds a stored update to the in-memory history (unknown indicators are
 * kept in LMDB but not evaluated). */
void store_remember(struct store *s, const Planwatch__V1__IndicatorUpdate *u);

/* Answers one query into *reply, allocating from arena (freed by the caller
 * after the reply is sent). Never fails: errors go in reply->code/error. */
struct pw_arena;
void store_query_answer(struct store *s, const Planwatch__V1__Query *q,
                        Planwatch__V1__QueryReply *reply, struct pw_arena *arena);

#endif
