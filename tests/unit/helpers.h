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

#include "pkcs11_types.h"

struct sim_process {
	pid_t pid;
	int port;
	char path[64];                  /* "udp:127.0.0.1:PORT" */
	char log_path[512];
	char identities_path[512];      /* set by module_environment */
	char cache_path[512];           /* XDG_CACHE_HOME made by module_environment */
};

/*
 * Start trezor-sim --port 0 -v plus `args` (NULL-terminated, may be NULL)
 * and wait until it listens. Aborts the test on failure.
 */
void sim_process_start(struct sim_process *sim, const char *const *args);

/*
 * The fake Trezor Bridge (tests/fakes/fake_bridge.c, named by FAKE_BRIDGE)
 * forwarding its device "1" to the simulator `sim`; its path is "bridge:1",
 * and TREZOR_PKCS11_BRIDGE points the module at it. Stop it with
 * sim_process_stop.
 */
void bridge_process_start(struct sim_process *bridge, const struct sim_process *sim);

/* Terminate it (if still running) and remove its log. */
void sim_process_stop(struct sim_process *sim);

/* The device "unplugged": the process is killed, its port closed. */
void sim_process_kill(struct sim_process *sim);

/*
 * The device "plugged in again": the process is replaced by a new one with
 * `args` on the same port (its log starts afresh; the identities file and
 * cache directory of module_environment stay). After sim_process_kill,
 * only the new one starts.
 */
void sim_process_restart(struct sim_process *sim, const char *const *args);

/* How many lines of its log contain `text`. */
int sim_process_count(const struct sim_process *sim, const char *text);

/* Parse a hex string into bytes; returns the byte count (aborts on bad hex). */
size_t hex_to_bytes(const char *hex, unsigned char *out, size_t size);

/* Bytes to lower-case hex (out needs 2*length+1). */
void bytes_to_hex(const unsigned char *bytes, size_t length, char *out);

/*
 * The compressed public key that made the ECDSA signature r||s of a 32-byte
 * digest with this recovery id (0 to 3), on P-256 (nist) or secp256k1; an
 * independent check of a recoverable (Bitcoin message) signature. False if
 * there is no such key.
 */
bool ecdsa_recover(bool nist, const unsigned char digest[32], const unsigned char signature[64],
		   int recovery, unsigned char public_key[33]);

/*
 * The module under test, loaded with dlopen from TREZOR_PKCS11_MODULE; aborts
 * the test if it cannot be loaded.
 */
CK_FUNCTION_LIST *module_load(void **handle);

/*
 * A new session with `flags` on the one token the module lists, its slot in
 * *slot unless slot is NULL. Fails the test unless there is exactly one token.
 */
CK_SESSION_HANDLE module_open_session(CK_FUNCTION_LIST *p11, CK_FLAGS flags, CK_SLOT_ID *slot);

/*
 * Start a simulator (extra args may be NULL) and point the module at it:
 * TREZOR_PATH, TREZOR_PKCS11_IDENTITIES naming a file in $TMPDIR with
 * alice@example.com and bob@example.org:2222, and XDG_CACHE_HOME (and
 * XDG_RUNTIME_DIR) an empty directory of its own (both removed by
 * sim_process_stop).
 */
void module_environment(struct sim_process *sim, const char *const *args);

/* A new private directory $TMPDIR/NAME-XXXXXX ($TMPDIR or /tmp): its path in out. */
void temporary_directory(const char *name, char *out, size_t size);

/* rm -rf, for the test's own temporary directories. */
void remove_tree(const char *path);

/* The whole text of a file (its first 4095 bytes), until the next call. */
const char *file_text(const char *path);

/*
 * Run this test program again with the fake libusb (FAKE_LIBUSB_LIBRARY)
 * preloaded, unless it already is. Call first thing in main().
 */
void preload_fake_libusb(char **argv);

/*
 * Everything written on stderr (the module's lines) from stderr_capture()
 * to stderr_captured() goes to a temporary file; stderr_captured() puts
 * stderr back and returns the text (valid until the next capture).
 */
struct stderr_capture {
	int saved;
	char path[512];
	char text[8192];
};

void stderr_capture(struct stderr_capture *capture);
const char *stderr_captured(struct stderr_capture *capture);

/* Run a suite with the usual options; the exit status for main(). */
int run_suite(Suite *suite);

#endif
