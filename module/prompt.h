/*
 * Answers to what a Trezor asks of the person while it works:
 *
 *   PIN (Trezor One)   the PIN given to C_Login, used first and once; else
 *                      pinentry, explaining the scrambled matrix
 *   PIN (core models)  typed on the device; the terminal is told so
 *   passphrase         $TREZOR_PASSPHRASE; else typed on the device when it
 *                      can take it; else pinentry
 *   button             "Confirm on your Trezor: sign in as IDENTITY", on the
 *                      terminal, through SSH_ASKPASS or on the desktop
 *                      (notice.h); likewise for a PIN or passphrase typed on
 *                      the device and the two presses that open a
 *                      passphrase's hidden wallet
 *
 * Secrets pass through buffers that are wiped after use.
 */
#ifndef TREZOR_PKCS11_PROMPT_H
#define TREZOR_PKCS11_PROMPT_H

#include <stdbool.h>

#include "notice.h"
#include "trezor.h"

#define PROMPT_PIN_MAX 50

struct prompt_context {
	const char *label;              /* the identity signed for; NULL when listing */
	char login_pin[PROMPT_PIN_MAX + 1];     /* from C_Login; "" if none */
	bool login_pin_used;
	int timeout_seconds;            /* how long pinentry waits for the person */
	unsigned hidden_wallet_asked;   /* hidden-wallet confirmations so far */
	const char *program;            /* who asks, for notices away from a terminal */
	struct notice notice;           /* what the person is told (notice.h) */
};

/*
 * How long a person may take at the device or in pinentry:
 * $TREZOR_PKCS11_CONFIRM_TIMEOUT seconds (1 to 3600), else two minutes.
 */
int prompt_timeout_seconds(void);

/* Callbacks for device->prompts, answering with `context`. */
void prompt_callbacks(struct trezor_prompts *prompts, struct prompt_context *context);

/* The wait is over: wipe the context's secrets, take its notice away. */
void prompt_clear(struct prompt_context *context);

#endif
