/*
 * trezor-sim: a Trezor simulator speaking codec v1 over UDP, like the
 * Trezor emulator: one 64-byte report per datagram (63 and 65 bytes are
 * taken too, as the emulator takes them), "PINGPING" answered with
 * "PONGPONG", replies to whoever sent the last datagram. With --debuglink
 * a second socket on port + 1 is the debug link. SIGUSR1 restarts the
 * device (power off and on). The switches: sim_options.c, or --help.
 *
 * Lines on stderr, for scripts and tests. Always, as they are:
 *   listening on 127.0.0.1:PORT
 *   debuglink on 127.0.0.1:PORT            (with --debuglink, after the first)
 * With -v, each after "trezor-sim: ":
 *   <- NAME                                a message read ("?" if unknown)
 *   -> NAME                                a message sent
 *   ignored NAME (a question is out)       a Trezor One not reading it
 *   PIN matrix: a b c / d e f / g h i      a Trezor One's matrix, top row first
 *   wallet chosen (a passphrase)           or "(the empty passphrase)"
 *   session started (N open)               a new session, N in the device now
 *   session resumed                        Initialize named an open session
 *   session ended                          EndSession
 *   seed derived                           a session's seed (PBKDF2) was made
 *   locked after N ms of nothing to do     the auto-lock
 *   restarted                              SIGUSR1
 *   a wrong PIN typed at power-on: ...     a core model left at its lock screen
 *   fault MODE                             the fault mode struck
 * With -v -v also each datagram, as it is read or just before it is sent,
 * so that a script can count the traffic on the wire (the benchmark):
 *   << PINGPING, >> PONGPONG               the liveness probe and its answer
 *   << report, >> report                   a 64-byte report
 *   ... (debug link)                       the same on the debug link
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "sim_device.h"
#include "sim_options.h"
#include "sim_thp.h"
#include "wire.h"

#define DATAGRAM_MAX 128
#define BIND_TRIES 50

/* --fault disconnect has struck: nothing is answered any more, not even PINGPING. */
static bool vanished;

static volatile sig_atomic_t restart_requested;

struct client {
	struct sockaddr_storage address;
	socklen_t length;
};

/* One interface: its socket, whoever wrote last, and its report buffer. */
struct endpoint {
	int fd;
	bool debug;
	struct client last;
	uint8_t report[WIRE_REPORT_SIZE];       /* a short datagram keeps the old tail */
};

static void on_restart(int signal_number)
{
	(void)signal_number;
	restart_requested = 1;
}

static int bind_port(int port)
{
	struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&address, sizeof(address)) == 0)
		return fd;
	if (fd >= 0)
		close(fd);
	return -1;
}

static int bound_port(int fd)
{
	struct sockaddr_in address;
	socklen_t length = sizeof(address);

	if (getsockname(fd, (struct sockaddr *)&address, &length) != 0)
		return -1;
	return ntohs(address.sin_port);
}

/* The wire socket, and with --debuglink the debug link's on the next port. */
static bool open_sockets(int port, bool debuglink, struct endpoint *wire, struct endpoint *debug)
{
	int tries, chosen;

	for (tries = 0; tries < BIND_TRIES; tries++) {
		wire->fd = bind_port(port);
		chosen = wire->fd >= 0 ? bound_port(wire->fd) : -1;
		if (chosen < 0)
			break;
		if (!debuglink)
			return true;
		if (chosen < 65535 && (debug->fd = bind_port(chosen + 1)) >= 0)
			return true;
		close(wire->fd);
		if (port != 0)
			break;          /* a port asked for: its neighbour is taken */
	}
	fprintf(stderr, "trezor-sim: cannot listen on 127.0.0.1:%d%s: %s\n", port,
		debuglink ? " and the port after it" : "", strerror(errno));
	return false;
}

/* Does the fault spoil this answer (the outbox)? Framing faults count answers. */
static bool answer_spoilt(struct sim_device *device)
{
	bool several = false, any = false;
	size_t i;

	if (!sim_fault_is_framing(device->fault.mode))
		return false;
	for (i = 0; i < device->outbox_count; i++) {
		if (device->outbox[i].debug)
			continue;
		any = true;
		if (wire_report_count(device->outbox[i].length) > 1)
			several = true;
	}
	return any && sim_fault_strikes(&device->fault, several ? SIM_OCCASION_LONG_ANSWER
							       : SIM_OCCASION_ANSWER);
}

/* -v -v: one line per datagram. */
static void log_datagram(const struct sim_device *device, const struct endpoint *endpoint,
			 const char *what)
{
	if (device->options.verbose >= 2)
		sim_device_log(device, "%s%s", what, endpoint->debug ? " (debug link)" : "");
}

static void send_report(const struct sim_device *device, const struct endpoint *endpoint,
			const uint8_t *report)
{
	if (endpoint->last.length == 0)
		return;
	log_datagram(device, endpoint, ">> report");
	sendto(endpoint->fd, report, WIRE_REPORT_SIZE, 0,
	       (const struct sockaddr *)&endpoint->last.address, endpoint->last.length);
}

/* Each message's reports: the wire's through the fault mode, the debug link's plain. */
static void send_replies(struct sim_device *device, const struct endpoint *wire,
			 const struct endpoint *debug)
{
	uint8_t report[WIRE_REPORT_SIZE];
	enum sim_report_action action;
	bool spoilt;
	size_t i, r;

	if (vanished)
		sim_device_clear_outbox(device);
	if (device->thp != NULL) {
		/* A Safe 7: its messages go out in THP's packets (the debug link's stay v1). */
		sim_thp_flush(device);
		while (sim_thp_take_packet(device, report))
			send_report(device, wire, report);
	}
	if (device->outbox_count == 0)
		return;
	spoilt = answer_spoilt(device);
	if (spoilt)
		sim_device_log(device, "fault %s", sim_fault_name(device->fault.mode));
	for (i = 0; i < device->outbox_count && !vanished; i++) {
		const struct sim_outgoing *out = &device->outbox[i];

		for (r = 0; r < wire_report_count(out->length) && !vanished; r++) {
			if (out->debug) {
				wire_encode_report(out->type, out->payload, out->length, r, report);
				send_report(device, debug, report);
				continue;
			}
			action = sim_fault_report(device->fault.mode, spoilt, out->type,
						  out->payload, out->length, r, report);
			if (action != SIM_REPORT_DROP)
				send_report(device, wire, report);
			if (action == SIM_REPORT_SEND_THEN_VANISH)
				vanished = true;
		}
	}
	sim_device_clear_outbox(device);
}

/* A datagram on an interface: PINGPING, a report, or something to ignore. */
static void read_datagram(struct sim_device *device, struct endpoint *endpoint)
{
	uint8_t data[DATAGRAM_MAX];
	struct client sender = { .length = sizeof(sender.address) };
	ssize_t length = recvfrom(endpoint->fd, data, sizeof(data), 0,
				  (struct sockaddr *)&sender.address, &sender.length);

	if (length < 0 || vanished || !sim_device_listens(device))
		return;
	endpoint->last = sender;        /* the emulator answers whoever wrote last */
	if (length == 8 && memcmp(data, "PINGPING", 8) == 0) {
		log_datagram(device, endpoint, "<< PINGPING");
		log_datagram(device, endpoint, ">> PONGPONG");
		sendto(endpoint->fd, "PONGPONG", 8, 0, (struct sockaddr *)&sender.address,
		       sender.length);
	} else if (length >= WIRE_REPORT_SIZE - 1 && length <= WIRE_REPORT_SIZE + 1) {
		log_datagram(device, endpoint, "<< report");
		memcpy(endpoint->report, data,
		       length < WIRE_REPORT_SIZE ? (size_t)length : WIRE_REPORT_SIZE);
		sim_device_receive(device, endpoint->debug, endpoint->report,
				   clock_monotonic_ms());
	} else {
		fprintf(stderr, "trezor-sim: ignored a %zd-byte datagram\n", length);
	}
}

/* How long to wait for a datagram before the device has something to do. */
static int wait_ms(const struct sim_device *device)
{
	int64_t next = sim_device_next_event(device), now = clock_monotonic_ms();

	if (next < 0)
		return -1;
	return next > now ? (int)(next - now) : 0;
}

/*
 * poll() that a SIGUSR1 interrupts: the signal is blocked everywhere else,
 * so one that comes between two waits is not lost but ends the next.
 */
static int wait_for_datagrams(struct pollfd *waiting, nfds_t count, int timeout_ms,
			      const sigset_t *unblocked)
{
	struct timespec timeout = { .tv_sec = timeout_ms / 1000,
				    .tv_nsec = (long)(timeout_ms % 1000) * 1000000L };

	return ppoll(waiting, count, timeout_ms < 0 ? NULL : &timeout, unblocked);
}

static void serve(struct sim_device *device, struct endpoint *wire, struct endpoint *debug,
		  const sigset_t *unblocked)
{
	struct pollfd waiting[2] = { { .fd = wire->fd, .events = POLLIN },
				     { .fd = debug->fd, .events = POLLIN } };
	nfds_t count = debug->fd >= 0 ? 2 : 1;
	int ready;

	for (;;) {
		ready = wait_for_datagrams(waiting, count, wait_ms(device), unblocked);
		if (ready < 0 && errno != EINTR) {
			fprintf(stderr, "trezor-sim: poll: %s\n", strerror(errno));
			return;
		}
		if (restart_requested) {
			restart_requested = 0;
			sim_device_restart(device);
		}
		/* Decisions and work done meanwhile go to whoever wrote last. */
		sim_device_tick(device, clock_monotonic_ms());
		send_replies(device, wire, debug);
		if (ready <= 0)
			continue;
		if (waiting[0].revents & POLLIN)
			read_datagram(device, wire);
		if (count > 1 && (waiting[1].revents & POLLIN))
			read_datagram(device, debug);
		send_replies(device, wire, debug);
	}
}

int main(int argc, char **argv)
{
	struct sim_options options = {
		.mnemonic = SIM_DEFAULT_MNEMONIC,
		.label = "Simulated Trezor",
		.model = SIM_MODEL_ONE,
		.decline_after = -1,
	};
	static struct sim_device device;
	struct endpoint wire = { .fd = -1 }, debug = { .fd = -1, .debug = true };
	struct sigaction restart = { .sa_handler = on_restart };
	sigset_t blocked, unblocked;
	int port = SIM_DEFAULT_PORT, parsed;

	parsed = sim_options_parse(argc, argv, &options, &port);
	if (parsed != 0)
		return parsed == 1 ? 0 : 2;
	if (!sim_device_init(&device, &options)) {
		fprintf(stderr, "trezor-sim: cannot set up the device\n");
		return 1;
	}
	sim_device_start_clock(&device, clock_monotonic_ms());
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&restart.sa_mask);
	sigaction(SIGUSR1, &restart, NULL);
	sigemptyset(&blocked);
	sigaddset(&blocked, SIGUSR1);
	sigprocmask(SIG_BLOCK, &blocked, &unblocked);
	sigdelset(&unblocked, SIGUSR1);
	if (!open_sockets(port, options.debuglink, &wire, &debug))
		return 1;
	fprintf(stderr, "listening on 127.0.0.1:%d\n", bound_port(wire.fd));
	if (debug.fd >= 0)
		fprintf(stderr, "debuglink on 127.0.0.1:%d\n", bound_port(debug.fd));
	serve(&device, &wire, &debug, &unblocked);
	sim_device_free(&device);
	close(wire.fd);
	if (debug.fd >= 0)
		close(debug.fd);
	return 1;
}
