/*
 * The PKCS#11 types, from p11-kit's header (never its library).
 *
 * Beware: in its compatibility mode this header #defines a few common words
 * (count, value, reserved, slot_id, serial_number, ...) as macros, so the
 * module avoids them as identifiers.
 */
#ifndef TREZOR_PKCS11_TYPES_H
#define TREZOR_PKCS11_TYPES_H

#include <p11-kit/pkcs11.h>

#endif
