/*
 * What every fuzz target shares: the libFuzzer entry points, a reader that
 * takes bytes off the front of an input, checks that end the run with a
 * message, and a guard that notices anything written to stdout (the module
 * must never write there).
 *
 * A target is built two ways (Makefile.am): with --enable-fuzzing as a
 * libFuzzer program, and otherwise with fuzz_driver.c, a main() that runs
 * the target over its seed corpus and regressions as a `make check` test.
 */
#ifndef TREZOR_FUZZ_H
#define TREZOR_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Implemented by each target; the second is optional. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The input, consumed from the front. Reading past its end gives zeros. */
struct fuzz_input {
	const uint8_t *data;
	size_t size;
};

uint8_t fuzz_take_byte(struct fuzz_input *input);
uint16_t fuzz_take_u16(struct fuzz_input *input);       /* big-endian */
uint32_t fuzz_take_u32(struct fuzz_input *input);       /* big-endian */
/* Up to `wanted` bytes: *bytes points into the input; returns how many. */
size_t fuzz_take_bytes(struct fuzz_input *input, size_t wanted, const uint8_t **bytes);

/*
 * Call first in LLVMFuzzerInitialize: keeps a copy of stderr for
 * fuzz_fail's messages (libFuzzer's -close_fd_mask=2 silences the module's
 * lines on the real one) and puts a pipe on stdout for fuzz_check_stdout.
 */
void fuzz_setup(void);

/* Ends the run (abort) when anything was written to stdout. */
void fuzz_check_stdout(void);

/* Print "FILE:LINE: what" and abort, which both libFuzzer and the driver
 * report as a finding. */
void fuzz_fail(const char *file, int line, const char *format, ...)
	__attribute__((format(printf, 3, 4), noreturn));

#define FUZZ_CHECK(condition) \
	((condition) ? (void)0 : fuzz_fail(__FILE__, __LINE__, "check failed: %s", #condition))

/* A one-line text: NUL within `size` bytes and no control character. */
bool fuzz_is_one_line(const char *text, size_t size);

#endif
