/* fuzz.h - the one entry point every fuzz target defines (libFuzzer's), so
 * the same target file links into a libFuzzer binary (clang, -DPW_FUZZ=ON)
 * and into a replay test (any compiler) that feeds it every file of its
 * checked-in corpus. A target must return 0 and must not leak, whatever the
 * bytes: bad input is a normal result. */
#ifndef PW_FUZZ_H
#define PW_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
