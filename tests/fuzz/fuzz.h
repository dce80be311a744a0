/*
 * fuzz - the one entry point every fuzz target defines (libFuzzer's).
 *
 * Each tests/fuzz/fuzz_<name>.c is linked twice: with libFuzzer
 * (--enable-fuzzers) for coverage-guided runs, and with replay_main.c, which
 * feeds it every file of tests/fuzz/corpus/<name>/ so that make check keeps
 * each seed and each crash ever found as a regression test.
 */
#ifndef SMTPGATE_FUZZ_H
#define SMTPGATE_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
