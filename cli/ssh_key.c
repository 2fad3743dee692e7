/*
 * authorized_keys lines, as ssh-keygen -D prints them: the key type, the
 * base64 of the key blob, the comment.
 *   P-256 (RFC 5656 section 3.1): string "ecdsa-sha2-nistp256",
 *         string "nistp256", string Q (the uncompressed point).
 *   Ed25519 (RFC 8709 section 4): string "ssh-ed25519", string key.
 * The Ed25519 line of an identity is byte for byte the one trezor-agent
 * prints (libagent's export_public_key), its label being trezor-agent's
 * comment.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "cli.h"

#define ECDSA_TYPE "ecdsa-sha2-nistp256"
#define CURVE "nistp256"
#define POINT_SIZE 65
#define ED25519_TYPE "ssh-ed25519"
#define BLOB_MAX (4 + sizeof(ECDSA_TYPE) - 1 + 4 + sizeof(CURVE) - 1 + 4 + POINT_SIZE)

/* An SSH "string": a 32-bit big-endian length, then the bytes. */
static size_t put_string(uint8_t *out, const void *data, size_t length)
{
	out[0] = (uint8_t)(length >> 24);
	out[1] = (uint8_t)(length >> 16);
	out[2] = (uint8_t)(length >> 8);
	out[3] = (uint8_t)length;
	memcpy(out + 4, data, length);
	return 4 + length;
}

static bool key_line(const char *type, const uint8_t *blob, size_t blob_length,
		     const char *comment, char *line, size_t size)
{
	unsigned char encoded[4 * ((BLOB_MAX + 2) / 3) + 1];
	int n;

	if (EVP_EncodeBlock(encoded, blob, (int)blob_length) <= 0)
		return false;
	n = snprintf(line, size, "%s %s %s", type, (const char *)encoded, comment);
	return n > 0 && (size_t)n < size;
}

bool cli_ssh_key_line(const unsigned char point[POINT_SIZE], const char *comment, char *line,
		      size_t size)
{
	uint8_t blob[BLOB_MAX];
	size_t used = 0;

	if (point[0] != 0x04)
		return false;
	used += put_string(blob + used, ECDSA_TYPE, sizeof(ECDSA_TYPE) - 1);
	used += put_string(blob + used, CURVE, sizeof(CURVE) - 1);
	used += put_string(blob + used, point, POINT_SIZE);
	return key_line(ECDSA_TYPE, blob, used, comment, line, size);
}

bool cli_ssh_ed25519_line(const unsigned char key[32], const char *comment, char *line,
			  size_t size)
{
	uint8_t blob[BLOB_MAX];
	size_t used = 0;

	used += put_string(blob + used, ED25519_TYPE, sizeof(ED25519_TYPE) - 1);
	used += put_string(blob + used, key, 32);
	return key_line(ED25519_TYPE, blob, used, comment, line, size);
}
