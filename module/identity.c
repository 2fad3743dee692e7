/* Identity strings, SLIP-0013 URIs and paths. See identity.h. */
#include "config.h"

#include "identity.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

static bool fail(char *error, size_t error_size, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

static bool fail(char *error, size_t error_size, const char *format, ...)
{
	va_list args;

	va_start(args, format);
	vsnprintf(error, error_size, format, args);
	va_end(args);
	return false;
}

/* Copy [start, start+length) into a field of capacity max+1 bytes. */
static bool take_part(char *field, size_t max, const char *start, size_t length,
		      const char *name, char *error, size_t error_size)
{
	if (length > max)
		return fail(error, error_size, "%s is %zu bytes long; a Trezor accepts at most %zu",
			    name, length, max);
	memcpy(field, start, length);
	field[length] = '\0';
	return true;
}

/* Spaces and control characters are never part of an identity. */
static bool has_forbidden_byte(const char *text)
{
	const unsigned char *p;

	for (p = (const unsigned char *)text; *p != '\0'; p++)
		if (*p <= 0x20 || *p == 0x7f)
			return true;
	return false;
}

static bool parse_proto(const char **text, struct identity *out, char *error, size_t error_size)
{
	const char *separator = strstr(*text, "://");
	size_t i, length;

	/* A "://" after a '/' is inside the path ("host/a://b"), not after a protocol. */
	if (separator == NULL || memchr(*text, '/', (size_t)(separator - *text)) != NULL)
		return true;
	length = (size_t)(separator - *text);
	if (length == 0)
		return fail(error, error_size, "nothing before \"://\"");
	for (i = 0; i < length; i++) {
		char c = (*text)[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))
			return fail(error, error_size, "\"%.*s\" is not a protocol name",
				    (int)length, *text);
	}
	if (!take_part(out->proto, IDENTITY_PROTO_MAX, *text, length, "protocol", error, error_size))
		return false;
	*text = separator + 3;
	return true;
}

static bool parse_port(const char *start, size_t length, struct identity *out,
		       char *error, size_t error_size)
{
	size_t i;
	long value = 0;

	if (length == 0)
		return fail(error, error_size, "port is missing after ':'");
	for (i = 0; i < length; i++) {
		if (start[i] < '0' || start[i] > '9' || i >= IDENTITY_PORT_MAX)
			return fail(error, error_size, "port must be a number from 1 to 65535");
		value = value * 10 + (start[i] - '0');
	}
	if (value < 1 || value > 65535)
		return fail(error, error_size, "port must be a number from 1 to 65535");
	return take_part(out->port, IDENTITY_PORT_MAX, start, length, "port", error, error_size);
}

/* host, [v6host], host:port, [v6host]:port */
static bool parse_host_port(const char *start, size_t length, struct identity *out,
			    char *error, size_t error_size)
{
	const char *end = start + length;
	const char *host_end;

	if (length > 0 && start[0] == '[') {
		host_end = memchr(start, ']', length);
		if (host_end == NULL)
			return fail(error, error_size, "'[' without a closing ']' in the host");
		host_end++;
		if (host_end == start + 2)
			return fail(error, error_size, "host name is missing");
		if (host_end != end && *host_end != ':')
			return fail(error, error_size, "unexpected text after ']' in the host");
	} else {
		host_end = memchr(start, ':', length);
		if (host_end == NULL)
			host_end = end;
	}
	if (host_end == start)
		return fail(error, error_size, "host name is missing");
	if (memchr(start, '[', (size_t)(host_end - start)) != NULL && start[0] != '[')
		return fail(error, error_size, "'[' is only allowed around an IPv6 host");
	if (!take_part(out->host, IDENTITY_HOST_MAX, start, (size_t)(host_end - start),
		       "host", error, error_size))
		return false;
	if (host_end == end)
		return true;
	return parse_port(host_end + 1, (size_t)(end - host_end - 1), out, error, error_size);
}

bool identity_parse(const char *text, struct identity *out, char *error, size_t error_size)
{
	const char *authority_end, *at;

	memset(out, 0, sizeof(*out));
	if (text[0] == '\0')
		return fail(error, error_size, "empty identity");
	if (has_forbidden_byte(text))
		return fail(error, error_size, "spaces and control characters are not allowed");
	if (!parse_proto(&text, out, error, error_size))
		return false;

	/* The path starts at the first '/'; the user ends at the last '@' before it. */
	authority_end = strchr(text, '/');
	if (authority_end == NULL)
		authority_end = text + strlen(text);
	else if (!take_part(out->path, IDENTITY_PATH_MAX, authority_end, strlen(authority_end),
			    "path", error, error_size))
		return false;
	at = NULL;
	for (const char *p = text; p < authority_end; p++)
		if (*p == '@')
			at = p;
	if (at != NULL) {
		if (at == text)
			return fail(error, error_size, "user name is missing before '@'");
		if (!take_part(out->user, IDENTITY_USER_MAX, text, (size_t)(at - text),
			       "user name", error, error_size))
			return false;
		text = at + 1;
	}
	return parse_host_port(text, (size_t)(authority_end - text), out, error, error_size);
}

/* user@host:port/path with the parts that are present. */
static void append_authority_and_path(const struct identity *identity, char *buffer, size_t size)
{
	size_t used = strlen(buffer);

	snprintf(buffer + used, size - used, "%s%s%s%s%s%s",
		 identity->user, identity->user[0] ? "@" : "",
		 identity->host,
		 identity->port[0] ? ":" : "", identity->port,
		 identity->path);
}

void identity_uri(const struct identity *identity, char *buffer, size_t size)
{
	snprintf(buffer, size, "%s%s", identity->proto, identity->proto[0] ? "://" : "");
	append_authority_and_path(identity, buffer, size);
}

void identity_display(const struct identity *identity, char *buffer, size_t size)
{
	buffer[0] = '\0';
	append_authority_and_path(identity, buffer, size);
}

static uint32_t read_le32(const uint8_t *bytes)
{
	return (uint32_t)bytes[0] | (uint32_t)bytes[1] << 8 | (uint32_t)bytes[2] << 16 |
	       (uint32_t)bytes[3] << 24;
}

bool identity_slip13_hash(const struct identity *identity, uint8_t hash[32])
{
	char uri[IDENTITY_URI_MAX];
	uint8_t index_le[4];
	unsigned int hash_len = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	identity_uri(identity, uri, sizeof(uri));
	index_le[0] = (uint8_t)identity->index;
	index_le[1] = (uint8_t)(identity->index >> 8);
	index_le[2] = (uint8_t)(identity->index >> 16);
	index_le[3] = (uint8_t)(identity->index >> 24);
	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, index_le, sizeof(index_le)) != 1 ||
	    EVP_DigestUpdate(ctx, uri, strlen(uri)) != 1 ||
	    EVP_DigestFinal_ex(ctx, hash, &hash_len) != 1)
		hash_len = 0;
	EVP_MD_CTX_free(ctx);
	return hash_len == 32;
}

bool identity_slip13_path(const struct identity *identity, uint32_t path[SLIP13_PATH_DEPTH])
{
	uint8_t hash[32];
	int i;

	if (!identity_slip13_hash(identity, hash))
		return false;
	path[0] = HARDENED | 13;
	for (i = 0; i < 4; i++)
		path[i + 1] = HARDENED | read_le32(hash + 4 * i);
	return true;
}
