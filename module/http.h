/*
 * A small HTTP/1.1 client, enough for Trezor Bridge on loopback: one POST
 * per connection ("Connection: close"), the answer read with a timeout and a
 * cancel flag, bodies by Content-Length, chunked, or up to the close.
 *
 * Why not libcurl: Bridge listens on 127.0.0.1 only, speaks a handful of
 * POSTs with small bodies, and needs neither TLS, redirects, proxies nor
 * cookies. libcurl would bring all of those, a dozen libraries into every
 * program that loads the module, and its own global initialisation, which
 * is not safe to run inside a library loaded by arbitrary programs. This
 * client is a few hundred lines with every length checked against a limit.
 */
#ifndef TREZOR_PKCS11_HTTP_H
#define TREZOR_PKCS11_HTTP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

/* The largest answer accepted: a Bridge call carries at most 64 KiB in hex. */
#define HTTP_RESPONSE_MAX (256u * 1024u)
#define HTTP_ERROR_MAX 256

enum http_result {
	HTTP_DONE,              /* the whole answer is in; see status and body */
	HTTP_WAITING,           /* not yet: call http_wait again */
	HTTP_FAILED,            /* see the error text */
	HTTP_CANCELLED,         /* the cancel flag was raised */
};

struct http_exchange {
	int fd;
	char *received;         /* the raw answer so far */
	size_t received_length;
	bool peer_closed;
	int status;             /* when done: 200, 400, ... */
	char *body;             /* when done: NUL-terminated, body_length bytes */
	size_t body_length;
	char error[HTTP_ERROR_MAX];
};

/*
 * Connect to host:port and send one POST, within timeout_ms (or until cancel
 * is raised; it may be NULL). False with x->error set on failure.
 */
bool http_begin(struct http_exchange *x, const char *host, const char *port, const char *path,
		const char *origin, const char *body, size_t body_length, int timeout_ms,
		const atomic_bool *cancel);

/* Wait up to timeout_ms for the rest of the answer. */
enum http_result http_wait(struct http_exchange *x, int timeout_ms, const atomic_bool *cancel);

/* Close the connection and free what the exchange holds. */
void http_end(struct http_exchange *x);

#endif
