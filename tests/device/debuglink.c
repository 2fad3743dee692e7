/*
 * trezor-debuglink: the few things a device test run asks of a debug link
 * (the Trezor emulator's second UDP port, or the simulator's --debuglink):
 *
 *   trezor-debuglink udp:HOST:PORT matrix     the PIN matrix on the screen,
 *                                             as "a b c / d e f / g h i",
 *                                             top row first (the simulator's
 *                                             log prints it so too)
 *   trezor-debuglink udp:HOST:PORT press yes|no
 *                                             a DebugLinkDecision
 *
 * Exit 0 on success, 1 when the device does not answer or shows no matrix,
 * 2 on a usage error. Written for tests: loopback only, one request, one
 * reply, a two-second wait.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "messages.h"
#include "trezor.pb-c.h"
#include "wire.h"

#define REPLY_TIMEOUT_MS 2000

static int usage(void)
{
	fprintf(stderr, "usage: trezor-debuglink udp:127.0.0.1:PORT matrix | press yes|no\n");
	return 2;
}

/* A UDP socket connected to udp:127.0.0.1:PORT; -1 on failure. */
static int connect_to(const char *path)
{
	struct sockaddr_in address = { .sin_family = AF_INET };
	char host[64];
	unsigned port;
	int fd;

	if (sscanf(path, "udp:%63[^:]:%u", host, &port) != 2 || port == 0 || port > 65535 ||
	    inet_pton(AF_INET, host, &address.sin_addr) != 1)
		return -1;
	address.sin_port = htons((uint16_t)port);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&address, sizeof(address)) != 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static bool send_message(int fd, uint16_t type, const ProtobufCMessage *message)
{
	uint8_t payload[64], report[WIRE_REPORT_SIZE];
	size_t length = protobuf_c_message_get_packed_size(message), i;

	if (length > sizeof(payload))
		return false;
	protobuf_c_message_pack(message, payload);
	for (i = 0; i < wire_report_count(length); i++) {
		wire_encode_report(type, payload, length, i, report);
		if (send(fd, report, sizeof(report), 0) != (ssize_t)sizeof(report))
			return false;
	}
	return true;
}

/* The next whole message of type `wanted`; others are skipped. */
static bool receive_message(int fd, uint16_t wanted, struct wire_message *message)
{
	struct pollfd waiting = { .fd = fd, .events = POLLIN };
	struct wire_reader reader;
	uint8_t report[WIRE_REPORT_SIZE + 1];
	ssize_t length;

	wire_reader_init(&reader);
	while (poll(&waiting, 1, REPLY_TIMEOUT_MS) == 1) {
		length = recv(fd, report, sizeof(report), 0);
		if (length <= 0 || wire_reader_feed(&reader, report, (size_t)length) != WIRE_COMPLETE)
			continue;
		wire_reader_take(&reader, message);
		if (message->type == wanted)
			return true;
		wire_message_free(message);
	}
	wire_reader_reset(&reader);
	return false;
}

/* The matrix string holds the digit at keypad position 1 to 9. */
static int print_matrix(int fd)
{
	static const int top_row_first[9] = { 7, 8, 9, 4, 5, 6, 1, 2, 3 };
	Tz__DebugLinkGetState request = TZ__DEBUG_LINK_GET_STATE__INIT;
	struct wire_message reply;
	Tz__DebugLinkState *state;
	int i, status = 1;

	if (!send_message(fd, MSG_DEBUG_LINK_GET_STATE, &request.base) ||
	    !receive_message(fd, MSG_DEBUG_LINK_STATE, &reply)) {
		fprintf(stderr, "trezor-debuglink: no DebugLinkState came back\n");
		return 1;
	}
	state = tz__debug_link_state__unpack(NULL, reply.length, reply.payload);
	if (state != NULL && state->matrix != NULL && strlen(state->matrix) == 9 &&
	    strspn(state->matrix, "123456789") == 9) {
		for (i = 0; i < 9; i++)
			printf("%c%s", state->matrix[top_row_first[i] - 1],
			       i == 8 ? "\n" : i % 3 == 2 ? " / " : " ");
		status = 0;
	} else {
		fprintf(stderr, "trezor-debuglink: the device shows no PIN matrix\n");
	}
	if (state != NULL)
		tz__debug_link_state__free_unpacked(state, NULL);
	wire_message_free(&reply);
	return status;
}

static int press(int fd, const char *answer)
{
	Tz__DebugLinkDecision decision = TZ__DEBUG_LINK_DECISION__INIT;

	if (strcmp(answer, "yes") != 0 && strcmp(answer, "no") != 0)
		return usage();
	decision.has_button = true;
	decision.button = strcmp(answer, "yes") == 0 ? TZ__DEBUG_BUTTON__DebugButton_YES
						     : TZ__DEBUG_BUTTON__DebugButton_NO;
	return send_message(fd, MSG_DEBUG_LINK_DECISION, &decision.base) ? 0 : 1;
}

int main(int argc, char **argv)
{
	int fd, status;

	if (argc < 3)
		return usage();
	fd = connect_to(argv[1]);
	if (fd < 0) {
		fprintf(stderr, "trezor-debuglink: %s is not udp:ADDRESS:PORT\n", argv[1]);
		return 2;
	}
	if (strcmp(argv[2], "matrix") == 0 && argc == 3)
		status = print_matrix(fd);
	else if (strcmp(argv[2], "press") == 0 && argc == 4)
		status = press(fd, argv[3]);
	else
		status = usage();
	close(fd);
	return status;
}
