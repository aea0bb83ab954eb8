/* bench_raw.h - the raw limits of planwatch's building blocks on this
 * machine, measured in the same run as the planwatch figures (the
 * yardstick; modelled on the measurement programs the project was sized
 * with, reimplemented here so the bench depends on nothing outside it). */
#ifndef PW_BENCH_RAW_H
#define PW_BENCH_RAW_H

#include <stddef.h>

/* encode IndicatorUpdate -> ZMQ PUSH (tcp loopback, other process) -> decode
 * -> LMDB put with MDB_APPEND (seq keys), one durable commit per batch of up
 * to `batch` (drained like the store does). Returns updates/s, or 0. */
double bench_raw_pipeline(const char *dir, long n, int batch);

/* REQ/REP round trips of 100-byte messages over tcp loopback to another
 * process: p50, p99 and p99.9 in microseconds. Returns 0 or -1. */
int bench_raw_rtt(long n, double *p50, double *p99, double *p999);

/* One durable LMDB commit of a single small put (fdatasync pair): p50 in
 * microseconds over n commits. */
double bench_raw_commit(const char *dir, long n);

#endif
