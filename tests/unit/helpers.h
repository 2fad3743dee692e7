/*
 * Helpers shared by the check suites: the simulator binary as a child
 * process (tests/sim/trezor-sim, named by the TREZOR_SIM environment
 * variable) on a free port with its stderr in a log file, and hex.
 */
#ifndef TREZOR_TEST_HELPERS_H
#define TREZOR_TEST_HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <check.h>

struct sim_process {
	pid_t pid;
	int port;
	char path[64];                  /* "udp:127.0.0.1:PORT" */
	char log_path[512];
};

/*
 * Start trezor-sim --port 0 -v plus `args` (NULL-terminated, may be NULL)
 * and wait until it listens. Aborts the test on failure.
 */
void sim_process_start(struct sim_process *sim, const char *const *args);

/* Terminate it (if still running) and remove its log. */
void sim_process_stop(struct sim_process *sim);

/* How many lines of its log contain `text`. */
int sim_process_count(const struct sim_process *sim, const char *text);

/* Parse a hex string into bytes; returns the byte count (aborts on bad hex). */
size_t hex_to_bytes(const char *hex, unsigned char *out, size_t size);

/* Bytes to lower-case hex (out needs 2*length+1). */
void bytes_to_hex(const unsigned char *bytes, size_t length, char *out);

/* Run a suite with the usual options; the exit status for main(). */
int run_suite(Suite *suite);

#endif
