/*
 * Asking a person for a PIN or a passphrase with pinentry, the program GnuPG
 * uses (curses on a terminal, GTK or GNOME on a desktop), spoken to through
 * libassuan. The program is $TREZOR_PKCS11_PINENTRY, else "pinentry" on
 * PATH.
 */
#ifndef TREZOR_PKCS11_PINENTRY_H
#define TREZOR_PKCS11_PINENTRY_H

#include <stdbool.h>
#include <stddef.h>

enum pinentry_result {
	PINENTRY_OK,
	PINENTRY_CANCELLED,             /* the person pressed Cancel */
	PINENTRY_UNAVAILABLE,           /* no pinentry, or it could not ask anyone */
};

struct pinentry_request {
	const char *title;
	const char *description;        /* may hold newlines */
	const char *prompt;
	int timeout_seconds;            /* pinentry gives up after this long */
};

/* The pinentry program's path, if there is one to run. */
bool pinentry_program(char *path, size_t size);

/*
 * Ask. On PINENTRY_OK, answer holds what was typed (at most size - 1 bytes;
 * longer is refused); the caller wipes it. Otherwise error holds one line.
 */
enum pinentry_result pinentry_ask(const struct pinentry_request *request, char *answer,
				  size_t size, char *error, size_t error_size);

#endif
