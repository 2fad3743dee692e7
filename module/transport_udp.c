/*
 * UDP backend: the Trezor emulator (and our simulator) take each 64-byte
 * report as one datagram on 127.0.0.1:21324 and answer the address that
 * last wrote to them. The 8 bytes "PINGPING" get "PONGPONG" back.
 *
 * UDP cannot tell us that the other side died, so while we wait for a reply
 * we ping once a second of silence: a closed port answers with ICMP
 * "port unreachable" (ECONNREFUSED on our connected socket), and a peer that
 * leaves pings unanswered for UDP_ALIVE_LIMIT_MS is treated as gone.
 * Between conversations discovery asks the same (udp_check_alive), with a
 * ping whose answer the next look reads, so that nobody waits for it.
 *
 * Opened with TRANSPORT_NO_PROBE (TREZOR_PATH names the device, and its
 * Features are asked at once) nothing is sent before the first request:
 * its answer says the device is there, one round trip fewer. Until the
 * first datagram comes back, silence is shorter: a ping after
 * UDP_FIRST_PING_MS, and "nothing answers" if that one is not answered
 * either, within about the time the probe would have waited.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "net.h"
#include "shared_lock.h"
#include "transport.h"

#define UDP_DEFAULT_HOST "127.0.0.1"
#define UDP_DEFAULT_PORT "21324"
#define UDP_PING_INTERVAL_MS 1000
#define UDP_ALIVE_LIMIT_MS 5000
/* Before the device has answered anything (no probe): 1 s in all. */
#define UDP_FIRST_PING_MS 250
#define UDP_FIRST_ALIVE_LIMIT_MS 750
/* Discovery pings a device only after this much silence: a program that
 * lists its keys right after opening the device sends nothing more. */
#define UDP_QUIET_CHECK_MS 1000
#define UDP_DATAGRAM_MAX 128      /* room to notice an oversized datagram */

static const uint8_t ping_bytes[8] = "PINGPING";
static const uint8_t pong_bytes[8] = "PONGPONG";

struct udp_transport {
	struct transport base;
	int fd;
	int64_t last_heard_ms;          /* last datagram of any kind */
	int64_t ping_sent_ms;           /* unanswered ping, 0 if none */
	int64_t check_sent_ms;          /* unanswered ping of udp_check_alive, 0 if none */
};

static struct udp_transport *udp_of(struct transport *transport)
{
	return (struct udp_transport *)transport;
}

static bool is_pong(const uint8_t *data, ssize_t length)
{
	return length == (ssize_t)sizeof(pong_bytes) &&
	       memcmp(data, pong_bytes, sizeof(pong_bytes)) == 0;
}

static enum transport_status socket_failure(struct udp_transport *udp, const char *what, int error)
{
	if (error == ECONNREFUSED) {
		transport_set_error(&udp->base, "nothing answers at %s%s", udp->base.path,
				    udp->base.answered ? " any more" : "");
		return TRANSPORT_GONE;
	}
	transport_set_error(&udp->base, "%s on %s: %s", what, udp->base.path, strerror(error));
	return TRANSPORT_ERROR;
}

static enum transport_status send_datagram(struct udp_transport *udp, const void *data, size_t length)
{
	for (;;) {
		if (send(udp->fd, data, length, 0) == (ssize_t)length)
			return TRANSPORT_OK;
		if (errno != EINTR)
			return socket_failure(udp, "send", errno);
	}
}

static enum transport_status udp_write_report(struct transport *transport,
					      const uint8_t report[WIRE_REPORT_SIZE])
{
	return send_datagram(udp_of(transport), report, WIRE_REPORT_SIZE);
}

static int ping_interval_ms(const struct udp_transport *udp)
{
	return udp->base.answered ? UDP_PING_INTERVAL_MS : UDP_FIRST_PING_MS;
}

static int alive_limit_ms(const struct udp_transport *udp)
{
	return udp->base.answered ? UDP_ALIVE_LIMIT_MS : UDP_FIRST_ALIVE_LIMIT_MS;
}

/* Ping after a second of silence; give up after UDP_ALIVE_LIMIT_MS unanswered. */
static enum transport_status keep_alive(struct udp_transport *udp, int64_t now)
{
	if (udp->ping_sent_ms != 0) {
		if (now - udp->ping_sent_ms < alive_limit_ms(udp))
			return TRANSPORT_OK;
		if (udp->base.answered)
			transport_set_error(&udp->base, "the device at %s stopped answering",
					    udp->base.path);
		else
			transport_set_error(&udp->base, "nothing answers at %s", udp->base.path);
		return TRANSPORT_GONE;
	}
	if (now - udp->last_heard_ms < ping_interval_ms(udp))
		return TRANSPORT_OK;
	udp->ping_sent_ms = now;
	return send_datagram(udp, ping_bytes, sizeof(ping_bytes));
}

/* How long poll() may sleep before the next keep-alive step is due. */
static int next_wait_ms(const struct udp_transport *udp, int64_t now, int64_t deadline)
{
	int64_t due = udp->ping_sent_ms != 0 ? udp->ping_sent_ms + alive_limit_ms(udp)
					     : udp->last_heard_ms + ping_interval_ms(udp);
	int64_t until = due < deadline ? due : deadline;

	if (udp->base.cancel != NULL && until > now + TRANSPORT_CANCEL_CHECK_MS)
		until = now + TRANSPORT_CANCEL_CHECK_MS;
	return until > now ? (int)(until - now) : 0;
}

/*
 * Read one datagram if one is waiting. Returns TRANSPORT_OK with *length set
 * (0 when nothing was there), or an error.
 */
static enum transport_status receive_datagram(struct udp_transport *udp, uint8_t *buffer,
					      size_t size, ssize_t *length)
{
	ssize_t n;

	*length = 0;
	n = recv(udp->fd, buffer, size, MSG_DONTWAIT);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return TRANSPORT_OK;
		return socket_failure(udp, "receive", errno);
	}
	udp->last_heard_ms = clock_monotonic_ms();
	udp->base.answered = true;
	udp->ping_sent_ms = 0;
	udp->check_sent_ms = 0;
	*length = n;
	return TRANSPORT_OK;
}

static enum transport_status udp_read_report(struct transport *transport,
					     uint8_t report[WIRE_REPORT_SIZE], int timeout_ms)
{
	struct udp_transport *udp = udp_of(transport);
	int64_t deadline = clock_monotonic_ms() + timeout_ms;
	uint8_t buffer[UDP_DATAGRAM_MAX];
	struct pollfd waiting = { .fd = udp->fd, .events = POLLIN };
	enum transport_status status;
	ssize_t length;
	int64_t now;

	for (;;) {
		if (transport_cancelled(transport)) {
			transport_set_error(transport, "cancelled");
			return TRANSPORT_CANCELLED;
		}
		now = clock_monotonic_ms();
		status = keep_alive(udp, now);
		if (status != TRANSPORT_OK)
			return status;
		if (poll(&waiting, 1, next_wait_ms(udp, now, deadline)) < 0 && errno != EINTR)
			return socket_failure(udp, "poll", errno);
		status = receive_datagram(udp, buffer, sizeof(buffer), &length);
		if (status != TRANSPORT_OK)
			return status;
		if (length == WIRE_REPORT_SIZE) {
			memcpy(report, buffer, WIRE_REPORT_SIZE);
			return TRANSPORT_OK;
		}
		if (length > 0 && !is_pong(buffer, length)) {
			transport_set_error(transport, "the device at %s sent a %zd-byte datagram, "
					    "not a 64-byte report", transport->path, length);
			return TRANSPORT_BAD_DATA;
		}
		if (length == 0 && clock_monotonic_ms() >= deadline) {
			transport_set_error(transport, "no answer from %s in time", transport->path);
			return TRANSPORT_TIMEOUT;
		}
	}
}

/* Read every datagram waiting, without waiting for more. */
static enum transport_status drain(struct udp_transport *udp)
{
	uint8_t buffer[UDP_DATAGRAM_MAX];
	enum transport_status status;
	ssize_t length;

	do
		status = receive_datagram(udp, buffer, sizeof(buffer), &length);
	while (status == TRANSPORT_OK && length > 0);
	return status;
}

/*
 * No conversation is under way (discovery asks only then), so what waits
 * on the socket is the answer to an earlier ping, a stale report, or the
 * refusal of a closed port (ECONNREFUSED: gone). Pings left unanswered for
 * UDP_ALIVE_LIMIT_MS mean gone too. Otherwise a ping goes out, whose answer
 * the next look reads. A closed port on this machine refuses before send()
 * returns, so the look that pinged already sees it.
 */
static enum transport_status check_alive(struct udp_transport *udp)
{
	struct transport *transport = &udp->base;
	enum transport_status status = drain(udp);
	int64_t now = clock_monotonic_ms();

	if (status != TRANSPORT_OK)
		return status;
	/* Heard from a moment ago (a listing right after opening): no ping. */
	if (udp->check_sent_ms == 0 && now - udp->last_heard_ms < UDP_QUIET_CHECK_MS)
		return TRANSPORT_OK;
	if (udp->check_sent_ms != 0 && now - udp->check_sent_ms >= UDP_ALIVE_LIMIT_MS) {
		transport_set_error(transport, "the device at %s stopped answering",
				    transport->path);
		return TRANSPORT_GONE;
	}
	if (udp->check_sent_ms == 0)
		udp->check_sent_ms = now;
	status = send_datagram(udp, ping_bytes, sizeof(ping_bytes));
	return status == TRANSPORT_OK ? drain(udp) : status;
}

/* Another of the user's programs in a conversation with it: it is there. */
static enum transport_status udp_check_alive(struct transport *transport)
{
	struct udp_transport *udp = udp_of(transport);
	enum transport_status status;

	if (udp->base.shared == NULL)
		return check_alive(udp);
	if (shared_lock_take(udp->base.shared, 0, NULL) != SHARED_LOCK_TAKEN)
		return TRANSPORT_OK;
	status = check_alive(udp);
	shared_lock_give(udp->base.shared);
	return status;
}

static void udp_close(struct transport *transport)
{
	struct udp_transport *udp = udp_of(transport);

	shared_lock_close(udp->base.shared);
	close(udp->fd);
	free(udp);
}

static const struct transport_ops udp_ops = {
	.write_report = udp_write_report,
	.read_report = udp_read_report,
	.close = udp_close,
	.forget = udp_close,            /* closing our copy says nothing */
	.check_alive = udp_check_alive,
};

/*
 * Split "HOST:PORT", "HOST", "[V6]:PORT" or "" into host and port strings,
 * filling in the emulator's defaults.
 */
static bool split_host_port(const char *spec, char *host, size_t host_size,
			    char *port, size_t port_size)
{
	const char *colon;
	size_t host_len;

	snprintf(port, port_size, "%s", UDP_DEFAULT_PORT);
	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');

		if (close == NULL || (close[1] != '\0' && close[1] != ':'))
			return false;
		host_len = (size_t)(close - spec - 1);
		spec++;
		colon = close[1] == ':' ? close + 1 : NULL;
	} else {
		colon = strchr(spec, ':');
		host_len = colon != NULL ? (size_t)(colon - spec) : strlen(spec);
	}
	if (host_len >= host_size)
		return false;
	if (host_len == 0) {
		snprintf(host, host_size, "%s", UDP_DEFAULT_HOST);
	} else {
		memcpy(host, spec, host_len);
		host[host_len] = '\0';
	}
	if (colon != NULL) {
		char *end;
		long value = strtol(colon + 1, &end, 10);

		if (colon[1] == '\0' || *end != '\0' || value < 1 || value > 65535)
			return false;
		snprintf(port, port_size, "%ld", value);
	}
	return true;
}

/* PINGPING must come back as PONGPONG; stale reports from an earlier
 * conversation are dropped on the way. */
static enum transport_status probe(struct udp_transport *udp, int timeout_ms)
{
	int64_t deadline = clock_monotonic_ms() + timeout_ms;
	struct pollfd waiting = { .fd = udp->fd, .events = POLLIN };
	uint8_t buffer[UDP_DATAGRAM_MAX];
	enum transport_status status;
	ssize_t length;

	status = send_datagram(udp, ping_bytes, sizeof(ping_bytes));
	while (status == TRANSPORT_OK) {
		status = receive_datagram(udp, buffer, sizeof(buffer), &length);
		if (status != TRANSPORT_OK || is_pong(buffer, length))
			break;
		if (length > 0)
			continue;
		if (clock_remaining_ms(deadline) == 0) {
			transport_set_error(&udp->base, "nothing answers at %s", udp->base.path);
			return TRANSPORT_TIMEOUT;
		}
		if (poll(&waiting, 1, clock_remaining_ms(deadline)) < 0 && errno != EINTR)
			return socket_failure(udp, "poll", errno);
	}
	if (status == TRANSPORT_GONE)
		transport_set_error(&udp->base, "nothing answers at %s", udp->base.path);
	return status;
}

/*
 * The probe is a datagram too: sent while another of the user's programs
 * talks to the device, it would take that program's answers. So it waits
 * for no turn: a device in another program's conversation is there.
 */
static enum transport_status probe_in_turn(struct udp_transport *udp, int timeout_ms)
{
	enum transport_status status;

	if (udp->base.shared == NULL)
		return probe(udp, timeout_ms);
	if (shared_lock_take(udp->base.shared, 0, NULL) != SHARED_LOCK_TAKEN)
		return TRANSPORT_OK;
	status = probe(udp, timeout_ms);
	shared_lock_give(udp->base.shared);
	return status;
}

enum transport_status transport_udp_open(const char *spec, int probe_timeout_ms,
					 struct transport **out,
					 char *error, size_t error_size)
{
	char host[64], port[8];
	struct udp_transport *udp;
	enum transport_status status;
	int fd;

	*out = NULL;
	if (!split_host_port(spec, host, sizeof(host), port, sizeof(port))) {
		snprintf(error, error_size,
			 "bad UDP device path \"udp:%s\" (expected udp:HOST:PORT)", spec);
		return TRANSPORT_ERROR;
	}
	/* A UDP socket connects at once; the deadline is for form's sake. */
	fd = net_connect(host, port, SOCK_DGRAM, probe_timeout_ms > 0 ? probe_timeout_ms : 1000, NULL,
			 error, error_size);
	if (fd < 0)
		return TRANSPORT_ERROR;
	udp = calloc(1, sizeof(*udp));
	if (udp == NULL) {
		close(fd);
		snprintf(error, error_size, "out of memory");
		return TRANSPORT_ERROR;
	}
	udp->base.ops = &udp_ops;
	udp->base.thp_capable = true;
	udp->fd = fd;
	udp->last_heard_ms = clock_monotonic_ms();
	snprintf(udp->base.path, sizeof(udp->base.path), "udp:%s%s%s:%s",
		 strchr(host, ':') ? "[" : "", host, strchr(host, ':') ? "]" : "", port);
	udp->base.shared = shared_lock_open(udp->base.path);
	if (probe_timeout_ms == TRANSPORT_NO_PROBE) {
		*out = &udp->base;
		return TRANSPORT_OK;
	}
	status = probe_in_turn(udp, probe_timeout_ms);
	if (status != TRANSPORT_OK) {
		snprintf(error, error_size, "%s", udp->base.error);
		udp_close(&udp->base);
		return status;
	}
	*out = &udp->base;
	return TRANSPORT_OK;
}
