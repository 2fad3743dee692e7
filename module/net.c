/* Connected sockets, within a deadline. See net.h. */
#include "config.h"

#include "net.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "clock.h"

/*
 * Wait for a non-blocking connect to end: 0 when connected, else an errno
 * value (ETIMEDOUT at the deadline, ECANCELED when cancel is raised).
 */
static int wait_connected(int fd, int64_t deadline, const atomic_bool *cancel)
{
	struct pollfd waiting = { .fd = fd, .events = POLLOUT };
	int slice, error = 0, ready;
	socklen_t length = sizeof(error);

	for (;;) {
		if (cancel != NULL && atomic_load(cancel))
			return ECANCELED;
		slice = clock_remaining_ms(deadline);
		if (slice == 0)
			return ETIMEDOUT;
		if (slice > NET_CANCEL_CHECK_MS)
			slice = NET_CANCEL_CHECK_MS;
		ready = poll(&waiting, 1, slice);
		if (ready < 0 && errno != EINTR)
			return errno;
		if (ready > 0)
			break;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0)
		return errno;
	return error;
}

/* Back to blocking, with sends bounded by what is left of the deadline. */
static int settle(int fd, int64_t deadline)
{
	int remaining = clock_remaining_ms(deadline);
	struct timeval send_timeout = { remaining / 1000, (remaining % 1000) * 1000 };
	int flags = fcntl(fd, F_GETFL);

	if (remaining == 0)
		send_timeout.tv_usec = 1000;    /* 0 would mean "no limit" */
	if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof(send_timeout)) != 0)
		return errno;
	return 0;
}

/* One address: a connected socket, or -1 with *error an errno value. */
static int connect_one(const struct addrinfo *address, int64_t deadline,
		       const atomic_bool *cancel, int *error)
{
	int fd = socket(address->ai_family, address->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
			address->ai_protocol);

	if (fd < 0) {
		*error = errno;
		return -1;
	}
	*error = connect(fd, address->ai_addr, address->ai_addrlen) == 0 ? 0 : errno;
	if (*error == EINPROGRESS)
		*error = wait_connected(fd, deadline, cancel);
	if (*error == 0)
		*error = settle(fd, deadline);
	if (*error != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int net_connect(const char *host, const char *port, int socktype, int timeout_ms,
		const atomic_bool *cancel, char *error, size_t error_size)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = socktype,
				  .ai_flags = AI_NUMERICSERV };
	struct addrinfo *found = NULL, *each;
	int64_t deadline = clock_monotonic_ms() + timeout_ms;
	int fd = -1, failure = 0, rc = getaddrinfo(host, port, &hints, &found);

	if (rc != 0) {
		snprintf(error, error_size, "cannot resolve %s: %s", host, gai_strerror(rc));
		return -1;
	}
	for (each = found; each != NULL && fd < 0; each = each->ai_next) {
		fd = connect_one(each, deadline, cancel, &failure);
		if (failure == ETIMEDOUT || failure == ECANCELED)
			break;
	}
	freeaddrinfo(found);
	if (fd >= 0)
		return fd;
	if (failure == ETIMEDOUT)
		snprintf(error, error_size, "%s:%s does not take a connection within %d s", host,
			 port, (timeout_ms + 999) / 1000);
	else if (failure == ECANCELED)
		snprintf(error, error_size, "the connection to %s:%s was cancelled", host, port);
	else
		snprintf(error, error_size, "nothing answers at %s:%s (%s)", host, port,
			 strerror(failure));
	return fd;
}
