/* Trezor Bridge calls. See bridge.h. */
#include "config.h"

#include "bridge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

#define DEFAULT_HOST "127.0.0.1"
#define DEFAULT_PORT "21325"
#define CALL_TIMEOUT_MS 5000
#define JSON_DEPTH_MAX 4

void bridge_address(char *host, size_t host_size, char *port, size_t port_size)
{
	const char *chosen = getenv("TREZOR_PKCS11_BRIDGE");
	const char *colon = chosen != NULL ? strrchr(chosen, ':') : NULL;

	if (colon == NULL || colon == chosen || colon[1] == '\0') {
		snprintf(host, host_size, "%s", DEFAULT_HOST);
		snprintf(port, port_size, "%s", DEFAULT_PORT);
		return;
	}
	snprintf(host, host_size, "%.*s", (int)(colon - chosen), chosen);
	snprintf(port, port_size, "%s", colon + 1);
}

bool bridge_address_bad(char *error, size_t error_size)
{
	const char *chosen = getenv("TREZOR_PKCS11_BRIDGE");
	const char *colon = chosen != NULL ? strrchr(chosen, ':') : NULL;
	unsigned long port;
	char *end;

	if (chosen == NULL)
		return false;
	if (colon != NULL && colon != chosen && colon[1] != '\0' && colon - chosen < 64) {
		port = strtoul(colon + 1, &end, 10);
		if (*end == '\0' && port >= 1 && port <= 65535 && colon[1] != '+' &&
		    colon[1] != '-')
			return false;
	}
	snprintf(error, error_size, "TREZOR_PKCS11_BRIDGE=%.64s is not HOST:PORT (Bridge listens on "
		 "127.0.0.1:21325): Bridge is not asked", chosen);
	return true;
}

void bridge_text_shown(const char *body, char out[BRIDGE_TEXT_MAX + 4])
{
	/* Bridge's text goes to a person's terminal: no escape sequence, no
	 * line of its own making, and not all of a long one. */
	if (!text_copy_shown(out, BRIDGE_TEXT_MAX + 1, body))
		strcat(out, "...");
}

/* One whole POST with a short timeout; the body of a 200 answer into *x. */
static bool post(struct http_exchange *x, const char *path, const char *body, int timeout_ms,
		 char *error, size_t error_size)
{
	char host[64], port[8], text[BRIDGE_TEXT_MAX + 4];
	enum http_result result;

	bridge_address(host, sizeof(host), port, sizeof(port));
	if (!http_begin(x, host, port, path, BRIDGE_ORIGIN, body, body != NULL ? strlen(body) : 0,
			timeout_ms, NULL)) {
		snprintf(error, error_size, "Bridge: %s", x->error);
		return false;
	}
	result = http_wait(x, timeout_ms, NULL);
	if (result != HTTP_DONE) {
		snprintf(error, error_size, "Bridge: %s", result == HTTP_WAITING ?
			 "no answer in time" : x->error);
		return false;
	}
	if (x->status != 200) {
		bridge_text_shown(x->body, text);
		snprintf(error, error_size, "Bridge refused %s (HTTP %d): %s", path, x->status, text);
		return false;
	}
	return true;
}

/* ---- a strict little JSON reader, for /enumerate and /acquire ---------------- */

struct json {
	const char *at, *end;
	int depth;
};

static void skip_space(struct json *j)
{
	while (j->at < j->end && (*j->at == ' ' || *j->at == '\t' || *j->at == '\n' ||
				  *j->at == '\r'))
		j->at++;
}

static bool expect(struct json *j, char c)
{
	skip_space(j);
	if (j->at == j->end || *j->at != c)
		return false;
	j->at++;
	return true;
}

/* A string into out (escapes other than \" and \\ are refused: Bridge sends none). */
static bool read_string(struct json *j, char *out, size_t size)
{
	size_t n = 0;

	if (!expect(j, '"'))
		return false;
	while (j->at < j->end && *j->at != '"') {
		if (*j->at == '\\') {
			if (j->at + 1 == j->end || (j->at[1] != '"' && j->at[1] != '\\'))
				return false;
			j->at++;
		}
		if ((unsigned char)*j->at < 0x20 || n + 1 >= size)
			return false;
		out[n++] = *j->at++;
	}
	if (j->at == j->end)
		return false;
	j->at++;
	out[n] = '\0';
	return true;
}

static bool skip_value(struct json *j);

/* Skip a literal (null, true, false) or a number. */
static bool skip_scalar(struct json *j)
{
	const char *start = j->at;

	while (j->at < j->end && *j->at != '\0' &&
	       strchr("abcdefghijklmnopqrstuvwxyz0123456789+-.E", *j->at) != NULL)
		j->at++;
	return j->at > start;
}

/* Skip an array or object: its values, separated by commas. */
static bool skip_container(struct json *j, char close, bool keyed)
{
	char key[BRIDGE_PATH_MAX];

	if (++j->depth > JSON_DEPTH_MAX)
		return false;
	j->at++;
	if (expect(j, close)) {
		j->depth--;
		return true;
	}
	do {
		if (keyed && (!read_string(j, key, sizeof(key)) || !expect(j, ':')))
			return false;
		if (!skip_value(j))
			return false;
	} while (expect(j, ','));
	j->depth--;
	return expect(j, close);
}

static bool skip_value(struct json *j)
{
	char text[BRIDGE_SESSION_MAX];

	skip_space(j);
	if (j->at == j->end)
		return false;
	if (*j->at == '"')
		return read_string(j, text, sizeof(text));
	if (*j->at == '[')
		return skip_container(j, ']', false);
	if (*j->at == '{')
		return skip_container(j, '}', true);
	return skip_scalar(j);
}

/* The value of `field` (a string) in the object at j; "" if null or absent. */
static bool read_object_field(struct json *j, const char *field, char *out, size_t size)
{
	char key[BRIDGE_PATH_MAX];

	out[0] = '\0';
	if (!expect(j, '{'))
		return false;
	if (expect(j, '}'))
		return true;
	do {
		if (!read_string(j, key, sizeof(key)) || !expect(j, ':'))
			return false;
		skip_space(j);
		if (strcmp(key, field) == 0 && j->at < j->end && *j->at == '"') {
			if (!read_string(j, out, size))
				return false;
		} else if (!skip_value(j)) {
			return false;
		}
	} while (expect(j, ','));
	return expect(j, '}');
}

int bridge_enumerate(struct bridge_device *out, size_t room, int timeout_ms,
		     char *error, size_t error_size)
{
	struct http_exchange x;
	struct json j;
	size_t found = 0;
	bool ok;

	if (!post(&x, "/enumerate", NULL, timeout_ms, error, error_size)) {
		http_end(&x);
		return -1;
	}
	j.at = x.body;
	j.end = x.body + x.body_length;
	j.depth = 0;
	ok = expect(&j, '[');
	if (ok && !expect(&j, ']')) {
		do {
			char path[BRIDGE_PATH_MAX];

			ok = read_object_field(&j, "path", path, sizeof(path)) && path[0] != '\0';
			if (ok && found < room)
				snprintf(out[found++].path, sizeof(out->path), "%s", path);
		} while (ok && expect(&j, ','));
		ok = ok && expect(&j, ']');
	}
	http_end(&x);
	if (!ok) {
		snprintf(error, error_size, "Bridge sent a device list that is not JSON as expected");
		return -1;
	}
	return (int)found;
}

/* Bridge device paths and sessions go into URLs: only safe characters. */
static bool url_safe(const char *text)
{
	return text[0] != '\0' && strspn(text, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				       "0123456789-_.") == strlen(text);
}

bool bridge_acquire(const char *device, char session[BRIDGE_SESSION_MAX],
		    char *error, size_t error_size)
{
	struct http_exchange x;
	struct json j;
	char path[32 + BRIDGE_PATH_MAX];
	bool ok;

	if (!url_safe(device)) {
		snprintf(error, error_size, "Bridge device path \"%.64s\" has unsafe characters", device);
		return false;
	}
	snprintf(path, sizeof(path), "/acquire/%s/null", device);
	ok = post(&x, path, NULL, CALL_TIMEOUT_MS, error, error_size);
	if (ok) {
		j.at = x.body;
		j.end = x.body + x.body_length;
		j.depth = 0;
		ok = read_object_field(&j, "session", session, BRIDGE_SESSION_MAX) &&
		     url_safe(session);
		if (!ok)
			snprintf(error, error_size, "Bridge gave no usable session for %s", device);
	}
	http_end(&x);
	return ok;
}

void bridge_release(const char *session)
{
	struct http_exchange x;
	char path[32 + BRIDGE_SESSION_MAX], error[HTTP_ERROR_MAX];

	snprintf(path, sizeof(path), "/release/%s", session);
	post(&x, path, NULL, CALL_TIMEOUT_MS, error, sizeof(error));
	http_end(&x);
}

/* ---- messages as hex ------------------------------------------------------ */

bool bridge_begin_message(struct http_exchange *x, const char *action, const char *session,
			  const struct wire_message *message, int timeout_ms,
			  const atomic_bool *cancel)
{
	static const char digits[] = "0123456789abcdef";
	size_t length = 6 + message->length, i;
	char *hex = malloc(2 * length + 1), host[64], port[8], path[32 + BRIDGE_SESSION_MAX];
	uint8_t header[6] = { (uint8_t)(message->type >> 8), (uint8_t)message->type,
			      (uint8_t)(message->length >> 24), (uint8_t)(message->length >> 16),
			      (uint8_t)(message->length >> 8), (uint8_t)message->length };
	bool ok;

	if (hex == NULL) {
		memset(x, 0, sizeof(*x));
		x->fd = -1;
		snprintf(x->error, sizeof(x->error), "out of memory");
		return false;
	}
	for (i = 0; i < length; i++) {
		uint8_t byte = i < 6 ? header[i] : message->payload[i - 6];

		hex[2 * i] = digits[byte >> 4];
		hex[2 * i + 1] = digits[byte & 0x0f];
	}
	hex[2 * length] = '\0';
	bridge_address(host, sizeof(host), port, sizeof(port));
	snprintf(path, sizeof(path), "/%s/%s", action, session);
	ok = http_begin(x, host, port, path, BRIDGE_ORIGIN, hex, 2 * length, timeout_ms, cancel);
	explicit_bzero(hex, 2 * length);        /* it may hold a PIN or passphrase */
	free(hex);
	return ok;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool bridge_decode_message(const char *hex, size_t length, struct wire_message *out)
{
	uint8_t header[6];
	size_t i, payload_length;

	memset(out, 0, sizeof(*out));
	while (length > 0 && (hex[length - 1] == '\n' || hex[length - 1] == '\r'))
		length--;
	if (length % 2 != 0 || length < 12)
		return false;
	for (i = 0; i < 12; i++)
		if (hex_digit(hex[i]) < 0)
			return false;
	for (i = 0; i < 6; i++)
		header[i] = (uint8_t)(hex_digit(hex[2 * i]) << 4 | hex_digit(hex[2 * i + 1]));
	payload_length = (size_t)header[2] << 24 | (size_t)header[3] << 16 |
			 (size_t)header[4] << 8 | header[5];
	if (payload_length > WIRE_MAX_PAYLOAD || payload_length != length / 2 - 6)
		return false;
	out->type = (uint16_t)(header[0] << 8 | header[1]);
	out->length = (uint32_t)payload_length;
	out->payload = payload_length > 0 ? malloc(payload_length) : NULL;
	if (payload_length > 0 && out->payload == NULL)
		return false;
	for (i = 0; i < payload_length; i++) {
		int high = hex_digit(hex[12 + 2 * i]), low = hex_digit(hex[13 + 2 * i]);

		if (high < 0 || low < 0) {
			wire_message_free(out);
			return false;
		}
		out->payload[i] = (uint8_t)(high << 4 | low);
	}
	return true;
}
