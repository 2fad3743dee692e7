/*
 * SLIP-0013 identities in trezor-agent's syntax:
 *
 *     [proto://][user@]host[:port][/path]      host may be [IPv6]
 *
 * Each part is limited to what a Trezor One accepts (HACKING 5.5),
 * so a parsed identity is always one every supported model can sign for.
 */
#ifndef TREZOR_PKCS11_IDENTITY_H
#define TREZOR_PKCS11_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IDENTITY_PROTO_MAX 8
#define IDENTITY_USER_MAX 63
#define IDENTITY_HOST_MAX 63
#define IDENTITY_PORT_MAX 5
#define IDENTITY_PATH_MAX 255
/* proto "://" user "@" host ":" port path NUL */
#define IDENTITY_URI_MAX (IDENTITY_PROTO_MAX + 3 + IDENTITY_USER_MAX + 1 + \
			  IDENTITY_HOST_MAX + 1 + IDENTITY_PORT_MAX + IDENTITY_PATH_MAX + 1)
#define SLIP13_PATH_DEPTH 5
#define HARDENED 0x80000000u

struct identity {
	char proto[IDENTITY_PROTO_MAX + 1];     /* "" when absent */
	char user[IDENTITY_USER_MAX + 1];
	char host[IDENTITY_HOST_MAX + 1];       /* never empty; [v6] keeps its brackets */
	char port[IDENTITY_PORT_MAX + 1];
	char path[IDENTITY_PATH_MAX + 1];       /* starts with '/' when present */
	uint32_t index;
};

/*
 * Parse text into *out (index 0). On failure returns false and writes one
 * line saying what is wrong into error.
 */
bool identity_parse(const char *text, struct identity *out, char *error, size_t error_size);

/* The SLIP-0013 URI, e.g. "gpg://alice@example.com". buffer >= IDENTITY_URI_MAX. */
void identity_uri(const struct identity *identity, char *buffer, size_t size);

/* The identity as a person writes it, without proto: "alice@example.com". */
void identity_display(const struct identity *identity, char *buffer, size_t size);

/* SHA-256(le32(index) || URI), the hash SLIP-0013 builds the path from.
 * False only if libcrypto fails (out of memory). */
bool identity_slip13_hash(const struct identity *identity, uint8_t hash[32]);

/* m/13'/A'/B'/C'/D' where A..D are the first 16 bytes of that hash. */
bool identity_slip13_path(const struct identity *identity, uint32_t path[SLIP13_PATH_DEPTH]);

#endif
