/*
 * Trezor Bridge (trezord), the service Trezor Suite talks to, on
 * 127.0.0.1:21325 (or TREZOR_PKCS11_BRIDGE=HOST:PORT). Every call is a POST:
 *   /enumerate               -> [{"path": ..., "session": ...|null, ...}]
 *   /acquire/PATH/PREVIOUS   -> {"session": ...}
 *   /call/SESSION            hex(type BE16 || length BE32 || protobuf), both ways
 *   /post/SESSION            the same, without waiting for an answer
 *   /release/SESSION
 * Bridge checks the Origin header; we send its own library's.
 */
#ifndef TREZOR_PKCS11_BRIDGE_H
#define TREZOR_PKCS11_BRIDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http.h"
#include "wire.h"

#define BRIDGE_PATH_MAX 64
#define BRIDGE_SESSION_MAX 64
#define BRIDGE_DEVICES_MAX 16
#define BRIDGE_ORIGIN "https://python.trezor.io"

struct bridge_device {
	char path[BRIDGE_PATH_MAX];
};

/* Where Bridge listens. */
void bridge_address(char *host, size_t host_size, char *port, size_t port_size);

/*
 * A TREZOR_PKCS11_BRIDGE that is not HOST:PORT: true, with the line that
 * says so in error. (bridge_address would fall back to the default.)
 */
bool bridge_address_bad(char *error, size_t error_size);

/*
 * The devices Bridge knows, at most `room`. Returns how many, or -1 when no
 * Bridge answers in timeout_ms (error says why).
 */
int bridge_enumerate(struct bridge_device *out, size_t room, int timeout_ms,
		     char *error, size_t error_size);

/* Take a session on the device (taking it from whoever held it). */
bool bridge_acquire(const char *device, char session[BRIDGE_SESSION_MAX],
		    char *error, size_t error_size);

void bridge_release(const char *session);

/*
 * Start /call or /post (action "call" or "post") of one message: connected
 * and sent within timeout_ms, or until cancel (may be NULL) is raised.
 */
bool bridge_begin_message(struct http_exchange *x, const char *action, const char *session,
			  const struct wire_message *message, int timeout_ms,
			  const atomic_bool *cancel);

/* The most of an answer's text that is repeated to a person. */
#define BRIDGE_TEXT_MAX 100

/* Bridge's answer text (an error, say) as it may be shown: see text.h. */
void bridge_text_shown(const char *body, char out[BRIDGE_TEXT_MAX + 4]);

/* A /call answer (hex) into a message; false if it is not one. */
bool bridge_decode_message(const char *hex, size_t length, struct wire_message *out);

#endif
