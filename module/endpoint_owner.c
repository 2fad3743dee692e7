/* Owners of loopback sockets, from the kernel's socket diagnostics. See endpoint_owner.h. */
#include "config.h"

#include "endpoint_owner.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A dump is a few KiB per hundred sockets; no machine has so many listeners. */
#define DUMP_MESSAGES_MAX 100000
#define DUMP_BUFFER_SIZE 32768

struct findings {
	bool found;
	bool foreign;
	uid_t foreign_uid;
};

/* Would a socket bound to this address receive what is sent to 127.0.0.1? */
static bool reaches_loopback(const struct inet_diag_msg *message)
{
	static const uint8_t mapped_loopback[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
						     127, 0, 0, 1 };
	static const uint8_t any[16] = { 0 };
	const uint8_t *address = (const uint8_t *)message->id.idiag_src;

	if (message->idiag_family == AF_INET)
		return message->id.idiag_src[0] == htonl(INADDR_LOOPBACK) ||
		       message->id.idiag_src[0] == htonl(INADDR_ANY);
	/* An IPv6 socket on :: takes IPv4 too, unless IPV6_V6ONLY (not shown here). */
	return message->idiag_family == AF_INET6 &&
	       (memcmp(address, any, 16) == 0 || memcmp(address, mapped_loopback, 16) == 0);
}

static void note(struct findings *findings, const struct inet_diag_msg *message, uint16_t port)
{
	if (ntohs(message->id.idiag_sport) != port || !reaches_loopback(message))
		return;
	findings->found = true;
	if (message->idiag_uid != geteuid() && message->idiag_uid != 0 && !findings->foreign) {
		findings->foreign = true;
		findings->foreign_uid = message->idiag_uid;
	}
}

static bool send_request(int fd, int family, bool udp)
{
	struct {
		struct nlmsghdr header;
		struct inet_diag_req_v2 request;
	} message;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

	memset(&message, 0, sizeof(message));
	message.header.nlmsg_len = sizeof(message);
	message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	message.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	message.request.sdiag_family = (uint8_t)family;
	message.request.sdiag_protocol = udp ? IPPROTO_UDP : IPPROTO_TCP;
	/* A bound UDP socket is in state "close"; a TCP one takes connections in "listen". */
	message.request.idiag_states = udp ? ~0u : 1u << TCP_LISTEN;
	return sendto(fd, &message, sizeof(message), 0, (struct sockaddr *)&kernel,
		      sizeof(kernel)) == (ssize_t)sizeof(message);
}

/* An error answer; a family or protocol the kernel lacks has no sockets. */
static bool no_such_sockets(const struct nlmsghdr *header)
{
	const struct nlmsgerr *answer = NLMSG_DATA(header);

	return header->nlmsg_len >= NLMSG_LENGTH(sizeof(*answer)) &&
	       (answer->error == -ENOENT || answer->error == -EAFNOSUPPORT);
}

/* Read the dump to its end; false (error set) if the kernel refused or broke off. */
static bool read_dump(int fd, uint16_t port, struct findings *findings, char *buffer,
		      size_t size, char *error, size_t error_size)
{
	struct nlmsghdr *header;
	size_t messages = 0;
	ssize_t length;

	for (;;) {
		length = recv(fd, buffer, size, 0);
		if (length < 0 && errno == EINTR)
			continue;
		if (length <= 0) {
			snprintf(error, error_size, "socket diagnostics: %s",
				 length < 0 ? strerror(errno) : "no answer");
			return false;
		}
		for (header = (struct nlmsghdr *)buffer; NLMSG_OK(header, (size_t)length);
		     header = NLMSG_NEXT(header, length)) {
			if (header->nlmsg_type == NLMSG_DONE)
				return true;
			if (header->nlmsg_type == NLMSG_ERROR && no_such_sockets(header))
				return true;
			if (header->nlmsg_type == NLMSG_ERROR || ++messages > DUMP_MESSAGES_MAX ||
			    header->nlmsg_len < NLMSG_LENGTH(sizeof(struct inet_diag_msg))) {
				snprintf(error, error_size, "socket diagnostics refused or broke off");
				return false;
			}
			note(findings, NLMSG_DATA(header), port);
		}
	}
}

static bool dump(int family, bool udp, uint16_t port, struct findings *findings, char *error,
		 size_t error_size)
{
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	char *buffer = malloc(DUMP_BUFFER_SIZE);
	bool ok;

	if (fd < 0 || buffer == NULL) {
		snprintf(error, error_size, "socket diagnostics: %s",
			 fd < 0 ? strerror(errno) : "out of memory");
		if (fd >= 0)
			close(fd);
		free(buffer);
		return false;
	}
	ok = send_request(fd, family, udp) &&
	     read_dump(fd, port, findings, buffer, DUMP_BUFFER_SIZE, error, error_size);
	if (!ok && error[0] == '\0')
		snprintf(error, error_size, "socket diagnostics: %s", strerror(errno));
	free(buffer);
	close(fd);
	return ok;
}

enum endpoint_owner endpoint_owner_of(bool udp, uint16_t port, uid_t *uid, char *error,
				      size_t error_size)
{
	struct findings findings = { false, false, 0 };

	error[0] = '\0';
	*uid = 0;
	if (!dump(AF_INET, udp, port, &findings, error, error_size) ||
	    !dump(AF_INET6, udp, port, &findings, error, error_size))
		return ENDPOINT_UNKNOWN;
	if (findings.foreign) {
		*uid = findings.foreign_uid;
		return ENDPOINT_FOREIGN;
	}
	return findings.found ? ENDPOINT_OURS : ENDPOINT_NOBODY;
}

void endpoint_owner_name(uid_t uid, char *out, size_t size)
{
	struct passwd entry, *found = NULL;
	char buffer[1024];

	if (getpwuid_r(uid, &entry, buffer, sizeof(buffer), &found) == 0 && found != NULL)
		snprintf(out, size, "uid %u (%s)", (unsigned)uid, found->pw_name);
	else
		snprintf(out, size, "uid %u", (unsigned)uid);
}
