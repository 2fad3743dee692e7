/*
 * An authorized_keys line for a P-256 key, as ssh-keygen -D prints it:
 * "ecdsa-sha2-nistp256 " + base64 of the key blob (RFC 5656 section 3.1:
 * string "ecdsa-sha2-nistp256", string "nistp256", string Q) + " COMMENT".
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "cli.h"

#define KEY_TYPE "ecdsa-sha2-nistp256"
#define CURVE "nistp256"
#define POINT_SIZE 65
#define BLOB_SIZE (4 + sizeof(KEY_TYPE) - 1 + 4 + sizeof(CURVE) - 1 + 4 + POINT_SIZE)

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

bool cli_ssh_key_line(const unsigned char point[POINT_SIZE], const char *comment, char *line,
		      size_t size)
{
	uint8_t blob[BLOB_SIZE];
	unsigned char encoded[4 * ((BLOB_SIZE + 2) / 3) + 1];
	size_t used = 0;
	int n;

	if (point[0] != 0x04)
		return false;
	used += put_string(blob + used, KEY_TYPE, sizeof(KEY_TYPE) - 1);
	used += put_string(blob + used, CURVE, sizeof(CURVE) - 1);
	used += put_string(blob + used, point, POINT_SIZE);
	if (EVP_EncodeBlock(encoded, blob, (int)used) <= 0)
		return false;
	n = snprintf(line, size, "%s %s %s", KEY_TYPE, (const char *)encoded, comment);
	return n > 0 && (size_t)n < size;
}
