/*
 * Libraries opened when the module first needs them, not when a program
 * loads the module. Most programs that load it (ssh -I, ssh-agent's
 * helper, pkcs11-tool) reach one device, ask no PIN through pinentry and
 * show no desktop notice, yet each paid for loading libusb with libudev
 * (0.15 ms here), libassuan with libgpg-error (0.11 ms) and libsystemd
 * (0.4 ms), against 0.12 ms for the module itself (HACKING, section 4).
 */
#ifndef TREZOR_PKCS11_LAZY_LIBRARY_H
#define TREZOR_PKCS11_LAZY_LIBRARY_H

#include <stdbool.h>
#include <stddef.h>

/* One function to look up: its name, and the function pointer to set. */
struct lazy_symbol {
	const char *name;
	void *slot;             /* the address of a function pointer */
};

/* A library and the functions the module takes from it. */
struct lazy_library {
	const char *soname;                     /* e.g. "libusb-1.0.so.0" (config.h) */
	const struct lazy_symbol *symbols;
	size_t count;
	bool tried, loaded;                     /* set by lazy_library_ready */
};

/*
 * Loads the library on the first call, and says on each whether every
 * slot is set (if not, none is, and log_debug said why).
 *
 * A library already in the program's global scope is used as it is: the
 * program may link it itself, and the tests put a fake libusb there with
 * LD_PRELOAD (tests/fakes/fake_libusb.c). Otherwise the soname is opened,
 * privately (RTLD_LOCAL), and never closed: libusb's and sd-bus's state
 * lives as long as the process.
 */
bool lazy_library_ready(struct lazy_library *library);

#endif
