/* Connected sockets. See net.h. */
#include "config.h"

#include "net.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int net_connect(const char *host, const char *port, int socktype, char *error,
		size_t error_size)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = socktype,
				  .ai_flags = AI_NUMERICSERV };
	struct addrinfo *found = NULL, *each;
	int fd = -1, rc = getaddrinfo(host, port, &hints, &found);

	if (rc != 0) {
		snprintf(error, error_size, "cannot resolve %s: %s", host, gai_strerror(rc));
		return -1;
	}
	for (each = found; each != NULL && fd < 0; each = each->ai_next) {
		fd = socket(each->ai_family, each->ai_socktype | SOCK_CLOEXEC, each->ai_protocol);
		if (fd >= 0 && connect(fd, each->ai_addr, each->ai_addrlen) != 0) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(found);
	if (fd < 0)
		snprintf(error, error_size, "nothing answers at %s:%s (%s)", host, port,
			 strerror(errno));
	return fd;
}
