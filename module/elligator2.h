/*
 * Elligator 2 onto Curve25519: RFC 9380's map_to_curve_elligator2_curve25519
 * (section 6.7.1 with Z = 2, J = 486662, K = 1), the u coordinate only, as
 * THP's CPace applies it (thp_crypto.h): to 32 bytes read as a
 * little-endian number with bit 255 cleared, with no hash_to_field step.
 * OpenSSL has no such map, so this file carries its own arithmetic modulo
 * 2^255 - 19, in constant time: the input comes from the pairing code.
 */
#ifndef TREZOR_PKCS11_ELLIGATOR2_H
#define TREZOR_PKCS11_ELLIGATOR2_H

#include <stdint.h>

/* The u coordinate (32 bytes, little-endian, reduced) of the point input maps to. */
void elligator2_map(const uint8_t input[32], uint8_t u[32]);

/*
 * For tests of the map against RFC 9380's vectors, whose points are given
 * after clearing the cofactor: the u coordinate of 8 * (the point with
 * u coordinate u), by three x-only doublings; 0 stays 0.
 */
void elligator2_times_eight(const uint8_t u[32], uint8_t out[32]);

#endif
