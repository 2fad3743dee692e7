/* A socket connected to a host and port: for the UDP transport and Bridge's HTTP. */
#ifndef TREZOR_PKCS11_NET_H
#define TREZOR_PKCS11_NET_H

#include <stddef.h>

/*
 * A socket of `socktype` (SOCK_DGRAM, SOCK_STREAM), close-on-exec,
 * connected to the first address of host:port that takes it (port in
 * digits); or -1 with error saying why.
 */
int net_connect(const char *host, const char *port, int socktype, char *error,
		size_t error_size);

#endif
