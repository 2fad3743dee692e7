/* A socket connected to a host and port: for the UDP transport and Bridge's HTTP. */
#ifndef TREZOR_PKCS11_NET_H
#define TREZOR_PKCS11_NET_H

#include <stdatomic.h>
#include <stddef.h>

/*
 * A socket of `socktype` (SOCK_DGRAM, SOCK_STREAM), close-on-exec,
 * connected to the first address of host:port that takes it (port in
 * digits); or -1 with error saying why. A TCP connect that hangs (a
 * listener that never accepts) ends at timeout_ms, or within
 * NET_CANCEL_CHECK_MS of `cancel` being raised (cancel may be NULL); sends
 * on the socket then time out after what is left of timeout_ms.
 */
int net_connect(const char *host, const char *port, int socktype, int timeout_ms,
		const atomic_bool *cancel, char *error, size_t error_size);

#define NET_CANCEL_CHECK_MS 100

#endif
