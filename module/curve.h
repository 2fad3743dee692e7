/*
 * The two kinds of key a Trezor identity can have here: NIST P-256
 * (nist256p1, the gpg:// keys OpenSSH hands a digest) and Ed25519
 * (trezor-agent's ssh:// keys, signed over the whole message). The names
 * are the firmware's curve names, which the identities file uses too.
 */
#ifndef TREZOR_PKCS11_CURVE_H
#define TREZOR_PKCS11_CURVE_H

#include <stdbool.h>
#include <stddef.h>

enum key_curve {
	KEY_CURVE_NIST256P1,            /* the default */
	KEY_CURVE_ED25519,
};

#define ED25519_KEY_SIZE 32
/* Room for either public key: an uncompressed P-256 point is the larger. */
#define KEY_POINT_MAX 65
/* Both signatures are 64 bytes: r || s, or Ed25519's R || S. */
#define KEY_SIGNATURE_SIZE 64

/* "nist256p1" or "ed25519". */
const char *curve_name(enum key_curve curve);

/* The curve of that name; false for any other name. */
bool curve_from_name(const char *name, enum key_curve *curve);

/* The size of a public key: 65 (04 || X || Y) or 32. */
size_t curve_key_size(enum key_curve curve);

#endif
