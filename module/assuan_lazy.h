/*
 * libassuan (and libgpg-error, which it pulls in), opened when the module
 * first asks for a PIN or passphrase through pinentry (pinentry.c), not in
 * every program that loads the module (lazy_library.h).
 */
#ifndef TREZOR_PKCS11_ASSUAN_LAZY_H
#define TREZOR_PKCS11_ASSUAN_LAZY_H

#include <assuan.h>

/*
 * The functions pinentry.c calls, named as in libassuan without "assuan_"
 * (but assuan_new is new_context, gpg_strerror error_text), each declared
 * with the type the installed header gives it.
 */
struct assuan_api {
	__typeof__(assuan_new) *new_context;
	__typeof__(assuan_release) *release;
	__typeof__(assuan_pipe_connect) *pipe_connect;
	__typeof__(assuan_transact) *transact;
	__typeof__(gpg_strerror) *error_text;
};

/* libassuan's functions, loaded on the first call; NULL if it cannot be. */
const struct assuan_api *assuan_api(void);

#endif
