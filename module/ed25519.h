/*
 * Ed25519 public keys and signatures (RFC 8032) on OpenSSL's libcrypto:
 * what a device sends is checked here before anyone is given it.
 */
#ifndef TREZOR_PKCS11_ED25519_H
#define TREZOR_PKCS11_ED25519_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "curve.h"

/*
 * False for the encodings of the eight points of small order (the
 * identity, and those that add nothing an attacker could not guess),
 * canonical or not: no seed derives them, so a device that sends one is
 * broken or lying. Other bytes are left to verification.
 */
bool ed25519_key_usable(const uint8_t key[ED25519_KEY_SIZE]);

/* True when signature is the key's Ed25519 signature of the message. */
bool ed25519_verify(const uint8_t key[ED25519_KEY_SIZE], const uint8_t *message, size_t length,
		    const uint8_t signature[KEY_SIGNATURE_SIZE]);

#endif
