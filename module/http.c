/* A small HTTP/1.1 client for Trezor Bridge. See http.h. */
#include "config.h"

#include "http.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "net.h"

#define CANCEL_CHECK_MS 100
#define REQUEST_HEAD_MAX 512

static bool fail(struct http_exchange *x, const char *format, ...)
	__attribute__((format(printf, 2, 3)));

static bool fail(struct http_exchange *x, const char *format, ...)
{
	va_list args;

	va_start(args, format);
	vsnprintf(x->error, sizeof(x->error), format, args);
	va_end(args);
	return false;
}

static bool send_all(struct http_exchange *x, const char *data, size_t length)
{
	ssize_t sent;

	while (length > 0) {
		sent = send(x->fd, data, length, MSG_NOSIGNAL);
		if (sent < 0 && errno == EINTR)
			continue;
		if (sent <= 0)
			return fail(x, "cannot send to Bridge: %s", strerror(errno));
		data += sent;
		length -= (size_t)sent;
	}
	return true;
}

bool http_begin(struct http_exchange *x, const char *host, const char *port, const char *path,
		const char *origin, const char *body, size_t body_length, int timeout_ms,
		const atomic_bool *cancel)
{
	char head[REQUEST_HEAD_MAX];
	int n;

	memset(x, 0, sizeof(*x));
	x->fd = -1;
	n = snprintf(head, sizeof(head),
		     "POST %s HTTP/1.1\r\nHost: %s:%s\r\nOrigin: %s\r\n"
		     "Content-Type: text/plain\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
		     path, host, port, origin, body_length);
	if (n < 0 || (size_t)n >= sizeof(head))
		return fail(x, "request too long");
	x->fd = net_connect(host, port, SOCK_STREAM, timeout_ms, cancel, x->error, sizeof(x->error));
	if (x->fd < 0)
		return false;
	return send_all(x, head, (size_t)n) && (body_length == 0 || send_all(x, body, body_length));
}

/* ---- reading the answer ----------------------------------------------------- */

/* Find a header's value in the head (before the blank line); NULL if absent. */
static const char *header_value(const char *head, size_t head_length, const char *name)
{
	const char *line = memchr(head, '\n', head_length);
	size_t name_length = strlen(name);

	while (line != NULL && (size_t)(line + 1 - head) < head_length) {
		line++;
		if (strncasecmp(line, name, name_length) == 0 && line[name_length] == ':')
			return line + name_length + 1 + strspn(line + name_length + 1, " \t");
		line = memchr(line, '\n', head_length - (size_t)(line - head));
	}
	return NULL;
}

static bool set_body(struct http_exchange *x, const char *data, size_t length)
{
	x->body = malloc(length + 1);
	if (x->body == NULL)
		return fail(x, "out of memory");
	memcpy(x->body, data, length);
	x->body[length] = '\0';
	x->body_length = length;
	return true;
}

/*
 * Decode a chunked body. Returns 1 when complete (body set), 0 when more is
 * needed, -1 when malformed.
 */
static int decode_chunked(struct http_exchange *x, const char *data, size_t length)
{
	char *body = malloc(length + 1);
	size_t in = 0, out = 0;

	if (body == NULL)
		return -1;
	for (;;) {
		const char *line_end = memchr(data + in, '\n', length - in);
		char *digits_end;
		unsigned long size;

		if (line_end == NULL)
			break;
		size = strtoul(data + in, &digits_end, 16);
		if (digits_end == data + in || size > length) {
			free(body);
			return -1;
		}
		in = (size_t)(line_end - data) + 1;
		if (size == 0) {
			x->body = body;
			x->body[out] = '\0';
			x->body_length = out;
			return 1;
		}
		if (length - in < size + 2)
			break;
		memcpy(body + out, data + in, size);
		out += size;
		in += size + 2;                 /* the chunk and its CRLF */
	}
	free(body);
	return 0;
}

/* Is the answer complete? 1 yes (status, body set), 0 not yet, -1 malformed. */
static int parse_answer(struct http_exchange *x)
{
	const char *data = x->received, *head_end, *length_text, *encoding;
	size_t head_length, body_length;
	int status;

	head_end = x->received_length >= 4 ? memmem(data, x->received_length, "\r\n\r\n", 4) : NULL;
	if (head_end == NULL)
		return x->peer_closed ? -1 : 0;
	head_length = (size_t)(head_end - data) + 4;
	if (sscanf(data, "HTTP/1.%*1[01] %3d", &status) != 1 || status < 100 || status > 599)
		return -1;
	x->status = status;
	body_length = x->received_length - head_length;
	encoding = header_value(data, head_length, "Transfer-Encoding");
	length_text = header_value(data, head_length, "Content-Length");
	if (encoding != NULL && strncasecmp(encoding, "chunked", 7) == 0)
		return decode_chunked(x, head_end + 4, body_length);
	if (length_text != NULL) {
		unsigned long expected = strtoul(length_text, NULL, 10);

		if (expected > HTTP_RESPONSE_MAX)
			return -1;
		if (body_length < expected)
			return x->peer_closed ? -1 : 0;
		return set_body(x, head_end + 4, expected) ? 1 : -1;
	}
	if (!x->peer_closed)
		return 0;
	return set_body(x, head_end + 4, body_length) ? 1 : -1;
}

/* Read what has arrived. False on an error (x->error set). */
static bool read_some(struct http_exchange *x)
{
	char *grown;
	ssize_t n;

	if (x->received_length == HTTP_RESPONSE_MAX)
		return fail(x, "Bridge's answer is larger than %u bytes", HTTP_RESPONSE_MAX);
	if (x->received == NULL) {
		grown = malloc(HTTP_RESPONSE_MAX + 1);
		if (grown == NULL)
			return fail(x, "out of memory");
		x->received = grown;
	}
	n = recv(x->fd, x->received + x->received_length, HTTP_RESPONSE_MAX - x->received_length, 0);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n < 0)
		return fail(x, "cannot read from Bridge: %s", strerror(errno));
	if (n == 0)
		x->peer_closed = true;
	x->received_length += (size_t)n;
	x->received[x->received_length] = '\0';
	return true;
}

enum http_result http_wait(struct http_exchange *x, int timeout_ms, const atomic_bool *cancel)
{
	int64_t deadline = clock_monotonic_ms() + timeout_ms;
	struct pollfd waiting = { .fd = x->fd, .events = POLLIN };
	int parsed, slice;

	for (;;) {
		if (cancel != NULL && atomic_load(cancel))
			return HTTP_CANCELLED;
		slice = clock_remaining_ms(deadline);
		if (slice > CANCEL_CHECK_MS)
			slice = CANCEL_CHECK_MS;
		if (poll(&waiting, 1, slice) > 0 && !read_some(x))
			return HTTP_FAILED;
		parsed = parse_answer(x);
		if (parsed == 1)
			return HTTP_DONE;
		if (parsed < 0) {
			fail(x, "Bridge sent a malformed answer");
			return HTTP_FAILED;
		}
		if (x->peer_closed) {
			fail(x, "Bridge closed the connection early");
			return HTTP_FAILED;
		}
		if (clock_remaining_ms(deadline) == 0)
			return HTTP_WAITING;
	}
}

void http_end(struct http_exchange *x)
{
	if (x->fd >= 0)
		close(x->fd);
	free(x->received);
	free(x->body);
	x->fd = -1;
	x->received = NULL;
	x->body = NULL;
}
