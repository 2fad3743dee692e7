/*
 * Who listens on a port of this machine's loopback. The module talks to a
 * UDP or TCP endpoint it was not told about (the emulator's 21324, Trezor
 * Bridge's 21325) only when the user or root owns it: any local user may
 * listen on those ports, and whoever does would be sent the passphrase, a
 * C_Login PIN and what the person types into pinentry, and would choose
 * the keys the module lists.
 *
 * Linux tells the owner of every socket through NETLINK_SOCK_DIAG
 * (inet_diag), which needs no privilege.
 */
#ifndef TREZOR_PKCS11_ENDPOINT_OWNER_H
#define TREZOR_PKCS11_ENDPOINT_OWNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum endpoint_owner {
	ENDPOINT_NOBODY,                /* nothing listens there */
	ENDPOINT_OURS,                  /* the user's own, or root's */
	ENDPOINT_FOREIGN,               /* another user's: *uid says whose */
	ENDPOINT_UNKNOWN,               /* the kernel would not say: error says why */
};

/*
 * The owner of what receives UDP datagrams (udp true) or takes TCP
 * connections on 127.0.0.1:port: sockets bound to that address or to any
 * address, IPv4 or IPv6. With several, one foreign is enough to refuse.
 */
enum endpoint_owner endpoint_owner_of(bool udp, uint16_t port, uid_t *uid, char *error,
				      size_t error_size);

/* "uid 65534 (nobody)", for messages. */
void endpoint_owner_name(uid_t uid, char *out, size_t size);

#endif
