/*
 * trezor-sim: a Trezor simulator speaking codec v1 over UDP, like the
 * Trezor emulator: one 64-byte report per datagram, "PINGPING" answered with
 * "PONGPONG", replies to whoever sent the last request.
 *
 * Usage: trezor-sim [--port N] [--mnemonic "words"] [--label L]
 *                   [--model 1|T|"Safe 3"|"Safe 5"] [--device-id ID]
 *                   [--decline] [--decline-after N] [--confirm-delay MS]
 *                   [--pin PIN] [--device-pin PIN] [--matrix-seed N]
 *                   [--passphrase-protection] [--device-passphrase P]
 *                   [--sign-delay MS] [--derive-delay MS]
 *                   [--bootloader] [--uninitialized]
 *                   [--fault MODE [--fault-after N] [--fault-for N]] [-v]
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "sim_device.h"
#include "sim_protect.h"
#include "wire.h"

#define DEFAULT_PORT 21324
#define DEFAULT_MNEMONIC "all all all all all all all all all all all all"
#define DATAGRAM_MAX 128

/* --fault disconnect has struck: nothing is answered any more, not even PINGPING. */
static bool vanished;

struct client {
	struct sockaddr_storage address;
	socklen_t length;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: trezor-sim [--port N] [--mnemonic \"words\"] [--label L]\n"
		"                  [--model 1|T|\"Safe 3\"|\"Safe 5\"|\"Safe 7\"] [--device-id ID]\n"
		"                  [--decline] [--decline-after N] [--confirm-delay MS]\n"
		"                  [--pin PIN] [--device-pin PIN] [--matrix-seed N]\n"
		"                  [--passphrase-protection] [--device-passphrase P]\n"
		"                  [--sign-delay MS] [--derive-delay MS]\n"
		"                  [--bootloader] [--uninitialized]\n"
		"                  [--fault MODE [--fault-after N] [--fault-for N]] [-v]\n"
		"A Trezor simulator on 127.0.0.1, UDP (--port 0 picks a free port).\n"
		"Faults (a broken device; README section 10 says which occasions each spoils):\n"
		"  garbage          a report without the codec's magic instead of each message\n"
		"  bad-magic        the second report of a message lacks its '?'\n"
		"  huge-length      the header declares 4 GiB - 1 bytes (0xFFFFFFFF)\n"
		"  silence          no answer to any message (PINGPING is still answered)\n"
		"  disconnect       the first report of a message, then nothing at all\n"
		"  wrong-type       Success for a PublicKey, PublicKey for a SignedIdentity\n"
		"  off-curve        public keys (PublicKey, SignedIdentity) not on P-256\n"
		"  long-failure     a Failure with KiB of text, newlines and control characters\n"
		"  sig-length       a 64-byte signature (no 00 in front)\n"
		"  sig-r-zero, sig-s-zero    r or s is 0\n"
		"  sig-r-high, sig-s-high    r or s is n, the group order\n"
		"  sig-other-key    signed by another key; public_key is the right one\n"
		"  other-key        signed by another key, and public_key names it\n"
		"  endless-buttons  a ButtonRequest after every ButtonAck\n"
		"  --fault-after N  the first N occasions are served well\n"
		"  --fault-for N    only N occasions are spoilt, then the device is healthy\n");
}

static bool parse_number(const char *text, long max, int *number)
{
	char *end;
	long value = strtol(text, &end, 10);

	if (*text == '\0' || *end != '\0' || value < 0 || value > max)
		return false;
	*number = (int)value;
	return true;
}

/* A Trezor PIN: 1 to 50 digits from 1 to 9 (the matrix has no 0). */
static bool valid_pin(const char *pin)
{
	size_t length = strlen(pin);

	if (length == 0 || length > SIM_PIN_MAX || strspn(pin, "123456789") != length) {
		fprintf(stderr, "trezor-sim: a PIN is 1 to %d digits from 1 to 9\n", SIM_PIN_MAX);
		return false;
	}
	return true;
}

/* Returns 0 to run, 1 after --help, 2 on a usage error. */
static int parse_options(int argc, char **argv, struct sim_options *options, int *port)
{
	int seed;
	static const struct option long_options[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "mnemonic", required_argument, NULL, 'm' },
		{ "label", required_argument, NULL, 'l' },
		{ "model", required_argument, NULL, 'M' },
		{ "device-id", required_argument, NULL, 'i' },
		{ "decline", no_argument, NULL, 'd' },
		{ "confirm-delay", required_argument, NULL, 'c' },
		{ "decline-after", required_argument, NULL, 'D' },
		{ "pin", required_argument, NULL, 'P' },
		{ "device-pin", required_argument, NULL, 'Q' },
		{ "matrix-seed", required_argument, NULL, 'S' },
		{ "passphrase-protection", no_argument, NULL, 'A' },
		{ "device-passphrase", required_argument, NULL, 'E' },
		{ "sign-delay", required_argument, NULL, 's' },
		{ "derive-delay", required_argument, NULL, 'k' },
		{ "bootloader", no_argument, NULL, 'b' },
		{ "uninitialized", no_argument, NULL, 'u' },
		{ "fault", required_argument, NULL, 'f' },
		{ "fault-after", required_argument, NULL, 'F' },
		{ "fault-for", required_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "vh", long_options, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (!parse_number(optarg, 65535, port)) {
				fprintf(stderr, "trezor-sim: bad port \"%s\"\n", optarg);
				return 2;
			}
			break;
		case 'm': options->mnemonic = optarg; break;
		case 'l': options->label = optarg; break;
		case 'M':
			if (!sim_model_from_name(optarg, &options->model)) {
				fprintf(stderr, "trezor-sim: unknown model \"%s\" "
					"(1, T, \"Safe 3\", \"Safe 5\" or \"Safe 7\")\n", optarg);
				return 2;
			}
			break;
		case 'i': options->device_id = optarg; break;
		case 'd': options->decline = true; break;
		case 'c':
			if (!parse_number(optarg, 3600000, &options->confirm_delay_ms)) {
				fprintf(stderr, "trezor-sim: bad delay \"%s\"\n", optarg);
				return 2;
			}
			break;
		case 'D':
			if (!parse_number(optarg, 1000000, &options->decline_after)) {
				fprintf(stderr, "trezor-sim: bad count \"%s\"\n", optarg);
				return 2;
			}
			break;
		case 'P':
			if (!valid_pin(optarg))
				return 2;
			options->pin = optarg;
			break;
		case 'Q': options->device_pin = optarg; break;
		case 'S':
			if (!parse_number(optarg, 0x7fffffff, &seed)) {
				fprintf(stderr, "trezor-sim: bad seed \"%s\"\n", optarg);
				return 2;
			}
			options->matrix_seed = (unsigned)seed;
			options->matrix_seed_set = true;
			break;
		case 'A': options->passphrase_protection = true; break;
		case 'E': options->device_passphrase = optarg; break;
		case 's':
		case 'k':
			if (!parse_number(optarg, 3600000, c == 's' ? &options->sign_delay_ms
								   : &options->derive_delay_ms)) {
				fprintf(stderr, "trezor-sim: bad delay \"%s\"\n", optarg);
				return 2;
			}
			break;
		case 'b': options->bootloader = true; break;
		case 'u': options->uninitialized = true; break;
		case 'f':
			if (!sim_fault_from_name(optarg, &options->fault)) {
				fprintf(stderr, "trezor-sim: unknown fault \"%s\" (%s)\n", optarg,
					sim_fault_names());
				return 2;
			}
			break;
		case 'F':
		case 'n':
			if (!parse_number(optarg, 1000000, c == 'F' ? &options->fault_after
								   : &options->fault_for) ||
			    (c == 'n' && options->fault_for == 0)) {
				fprintf(stderr, "trezor-sim: bad count \"%s\"\n", optarg);
				return 2;
			}
			break;
		case 'v': options->verbose++; break;
		case 'h': usage(stdout); return 1;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (options->device_pin != NULL && options->pin == NULL) {
		fprintf(stderr, "trezor-sim: --device-pin needs --pin\n");
		return 2;
	}
	if ((options->fault_after > 0 || options->fault_for > 0) &&
	    options->fault == SIM_FAULT_NONE) {
		fprintf(stderr, "trezor-sim: --fault-after and --fault-for need --fault\n");
		return 2;
	}
	return 0;
}

static int open_socket(int port)
{
	struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	socklen_t length = sizeof(address);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&address, sizeof(address)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&address, &length) != 0) {
		fprintf(stderr, "trezor-sim: cannot listen on 127.0.0.1:%d: %s\n", port,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fprintf(stderr, "listening on 127.0.0.1:%d\n", ntohs(address.sin_port));
	return fd;
}

/* Does the fault spoil this answer (the outbox)? Framing faults count answers. */
static bool answer_spoilt(struct sim_device *device)
{
	bool several = false;
	size_t i;

	if (!sim_fault_is_framing(device->fault.mode))
		return false;
	for (i = 0; i < device->outbox_count; i++)
		if (wire_report_count(device->outbox[i].length) > 1)
			several = true;
	return sim_fault_strikes(&device->fault, several ? SIM_OCCASION_LONG_ANSWER
							 : SIM_OCCASION_ANSWER);
}

static void send_replies(int fd, struct sim_device *device, const struct client *client)
{
	uint8_t report[WIRE_REPORT_SIZE];
	enum sim_report_action action;
	bool spoilt;
	size_t i, r;

	if (vanished)
		sim_device_clear_outbox(device);
	if (device->outbox_count == 0)
		return;
	spoilt = answer_spoilt(device);
	if (spoilt && device->options.verbose > 0)
		fprintf(stderr, "trezor-sim: fault %s\n", sim_fault_name(device->fault.mode));
	for (i = 0; i < device->outbox_count && !vanished; i++) {
		const struct sim_outgoing *out = &device->outbox[i];

		for (r = 0; r < wire_report_count(out->length) && !vanished; r++) {
			action = sim_fault_report(device->fault.mode, spoilt, out->type,
						  out->payload, out->length, r, report);
			if (action != SIM_REPORT_DROP)
				sendto(fd, report, sizeof(report), 0,
				       (const struct sockaddr *)&client->address, client->length);
			if (action == SIM_REPORT_SEND_THEN_VANISH)
				vanished = true;
		}
	}
	sim_device_clear_outbox(device);
}

static void handle_report(int fd, struct sim_device *device, struct wire_reader *reader,
			  const uint8_t *data, size_t length, const struct client *client)
{
	struct wire_message message;
	enum wire_status status = wire_reader_feed(reader, data, length);

	if (status == WIRE_MORE)
		return;
	if (status != WIRE_COMPLETE) {
		fprintf(stderr, "trezor-sim: dropped a report: %s\n", wire_status_text(status));
		return;
	}
	wire_reader_take(reader, &message);
	sim_device_handle(device, &message, clock_monotonic_ms());
	wire_message_free(&message);
	send_replies(fd, device, client);
}

/* How long to wait for a datagram before the device has something to do. */
static int wait_ms(const struct sim_device *device)
{
	int64_t next = sim_device_next_event(device), now = clock_monotonic_ms();

	if (next < 0)
		return -1;
	return next > now ? (int)(next - now) : 0;
}

static void serve(int fd, struct sim_device *device)
{
	struct pollfd waiting = { .fd = fd, .events = POLLIN };
	struct wire_reader reader;
	struct client sender, last = { .length = 0 };
	uint8_t data[DATAGRAM_MAX];
	ssize_t length;
	int ready;

	wire_reader_init(&reader);
	for (;;) {
		ready = poll(&waiting, 1, wait_ms(device));
		if (ready < 0 && errno != EINTR) {
			fprintf(stderr, "trezor-sim: poll: %s\n", strerror(errno));
			return;
		}
		/* A decision taken meanwhile goes to whoever sent the last report. */
		sim_device_tick(device, clock_monotonic_ms());
		if (device->outbox_count > 0 && last.length > 0)
			send_replies(fd, device, &last);
		if (ready <= 0)
			continue;
		sender.length = sizeof(sender.address);
		length = recvfrom(fd, data, sizeof(data), 0, (struct sockaddr *)&sender.address,
				  &sender.length);
		if (length < 0 || vanished)
			continue;
		if (length == 8 && memcmp(data, "PINGPING", 8) == 0) {
			sendto(fd, "PONGPONG", 8, 0, (struct sockaddr *)&sender.address,
			       sender.length);
		} else if (length == WIRE_REPORT_SIZE) {
			last = sender;
			handle_report(fd, device, &reader, data, (size_t)length, &last);
		} else {
			fprintf(stderr, "trezor-sim: ignored a %zd-byte datagram\n", length);
		}
	}
}

int main(int argc, char **argv)
{
	struct sim_options options = {
		.mnemonic = DEFAULT_MNEMONIC,
		.label = "Simulated Trezor",
		.model = SIM_MODEL_ONE,
		.decline_after = -1,
	};
	struct sim_device device;
	int port = DEFAULT_PORT, fd, parsed;

	parsed = parse_options(argc, argv, &options, &port);
	if (parsed != 0)
		return parsed == 1 ? 0 : 2;
	if (!sim_device_init(&device, &options)) {
		fprintf(stderr, "trezor-sim: cannot derive the seed\n");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	fd = open_socket(port);
	if (fd < 0)
		return 1;
	serve(fd, &device);
	sim_device_free(&device);
	close(fd);
	return 1;
}
