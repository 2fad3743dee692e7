/*
 * bench-bare: the least a program must send a Trezor for one signature, to
 * set the module's cost against (./quickstart bench).
 *
 *   bench-bare SESSION_FILE
 *
 * One process, one signature for gpg://alice@example.com: Initialize with
 * the session id kept in SESSION_FILE (the device resumes the session and
 * derives nothing; without one, or when the device has lost it, a new
 * session's id is written there), SignIdentity, and the ButtonAck its
 * ButtonRequest asks for. Nothing else: no probe, no GetFeatures, no
 * checks of the answer beyond its type, and no library but libc (the
 * messages are encoded here by hand), so that it costs what the device
 * needs and hardly more. It talks to TREZOR_PATH, which must be
 * udp:127.0.0.1:PORT (the simulator).
 *
 * Prints "bare_us=N" on stdout: the microseconds from the start of main()
 * to the signature received. Exits 1, with a line on stderr, when the
 * device does not answer as expected.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "messages.h"

#define REPORT_SIZE 64
#define MESSAGE_MAX 4096
#define SESSION_ID_MAX 64
#define ANSWER_TIMEOUT_MS 30000
#define FEATURES_SESSION_ID 35          /* Features.session_id (proto/trezor.proto) */

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static void die(const char *what)
{
	fprintf(stderr, "bench-bare: %s\n", what);
	exit(1);
}

/* ---- protobuf, by hand: only what these three requests need ----------------------- */

struct buffer {
	uint8_t data[MESSAGE_MAX];
	size_t length;
};

static void put_byte(struct buffer *b, uint8_t byte)
{
	if (b->length == sizeof(b->data))
		die("a request too long");
	b->data[b->length++] = byte;
}

static void put_varint(struct buffer *b, uint64_t value)
{
	while (value >= 0x80) {
		put_byte(b, (uint8_t)(value | 0x80));
		value >>= 7;
	}
	put_byte(b, (uint8_t)value);
}

/* A length-delimited field (wire type 2): bytes, a string or a message. */
static void put_bytes(struct buffer *b, unsigned field, const void *data, size_t length)
{
	put_varint(b, (uint64_t)field << 3 | 2);
	put_varint(b, length);
	if (length > sizeof(b->data) - b->length)
		die("a request too long");
	memcpy(b->data + b->length, data, length);
	b->length += length;
}

static bool get_varint(const uint8_t **p, const uint8_t *end, uint64_t *value)
{
	int shift;

	*value = 0;
	for (shift = 0; shift < 64 && *p < end; shift += 7) {
		uint8_t byte = *(*p)++;

		*value |= (uint64_t)(byte & 0x7f) << shift;
		if (!(byte & 0x80))
			return true;
	}
	return false;
}

/* Features.session_id, if the message has it: its length, else 0. */
static size_t find_session_id(const uint8_t *p, size_t length, uint8_t *id)
{
	const uint8_t *end = p + length;
	uint64_t key, size;

	while (p < end && get_varint(&p, end, &key)) {
		switch (key & 7) {
		case 0:
			if (!get_varint(&p, end, &size))
				return 0;
			break;
		case 1: p += 8; break;
		case 5: p += 4; break;
		case 2:
			if (!get_varint(&p, end, &size) || size > (uint64_t)(end - p))
				return 0;
			if (key >> 3 == FEATURES_SESSION_ID && size > 0 && size <= SESSION_ID_MAX) {
				memcpy(id, p, size);
				return size;
			}
			p += size;
			break;
		default:
			return 0;
		}
	}
	return 0;
}

/* ---- codec v1 over UDP: one 64-byte report per datagram ----------------------------- */

static void send_message(int fd, uint16_t type, const struct buffer *payload)
{
	uint8_t report[REPORT_SIZE];
	size_t sent = 0, room;

	do {
		memset(report, 0, sizeof(report));
		report[0] = '?';
		if (sent == 0) {
			report[1] = '#';
			report[2] = '#';
			report[3] = (uint8_t)(type >> 8);
			report[4] = (uint8_t)type;
			report[5] = (uint8_t)(payload->length >> 24);
			report[6] = (uint8_t)(payload->length >> 16);
			report[7] = (uint8_t)(payload->length >> 8);
			report[8] = (uint8_t)payload->length;
			room = REPORT_SIZE - 9;
		} else {
			room = REPORT_SIZE - 1;
		}
		if (room > payload->length - sent)
			room = payload->length - sent;
		memcpy(report + (sent == 0 ? 9 : 1), payload->data + sent, room);
		sent += room;
		if (send(fd, report, sizeof(report), 0) != (ssize_t)sizeof(report))
			die("cannot send to the device");
	} while (sent < payload->length);
}

static void read_report(int fd, uint8_t report[REPORT_SIZE])
{
	struct pollfd waiting = { .fd = fd, .events = POLLIN };

	if (poll(&waiting, 1, ANSWER_TIMEOUT_MS) != 1 ||
	    recv(fd, report, REPORT_SIZE, 0) != REPORT_SIZE || report[0] != '?')
		die("no answer from the device");
}

/* The next message: its type; its payload in *payload. */
static uint16_t receive_message(int fd, struct buffer *payload)
{
	uint8_t report[REPORT_SIZE];
	size_t length, room;
	uint16_t type;

	read_report(fd, report);
	if (report[1] != '#' || report[2] != '#')
		die("a report that starts no message");
	type = (uint16_t)(report[3] << 8 | report[4]);
	length = (size_t)report[5] << 24 | (size_t)report[6] << 16 | (size_t)report[7] << 8 |
		 report[8];
	if (length > sizeof(payload->data))
		die("an answer too long");
	room = length < REPORT_SIZE - 9 ? length : REPORT_SIZE - 9;
	memcpy(payload->data, report + 9, room);
	payload->length = room;
	while (payload->length < length) {
		read_report(fd, report);
		room = length - payload->length < REPORT_SIZE - 1 ? length - payload->length
								  : REPORT_SIZE - 1;
		memcpy(payload->data + payload->length, report + 1, room);
		payload->length += room;
	}
	return type;
}

static void exchange(int fd, uint16_t type, const struct buffer *request, uint16_t expected,
		     struct buffer *answer)
{
	send_message(fd, type, request);
	if (receive_message(fd, answer) != expected)
		die("the device did not answer as expected");
}

static int connect_device(void)
{
	const char *path = getenv("TREZOR_PATH");
	struct sockaddr_in address = { .sin_family = AF_INET };
	int fd;

	if (path == NULL || strncmp(path, "udp:127.0.0.1:", 14) != 0)
		die("TREZOR_PATH must be udp:127.0.0.1:PORT");
	address.sin_port = htons((uint16_t)atoi(path + 14));
	address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&address, sizeof(address)) != 0)
		die("cannot reach the device");
	return fd;
}

int main(int argc, char **argv)
{
	double started = now_us();
	uint8_t kept[SESSION_ID_MAX], given[SESSION_ID_MAX], digest[32];
	size_t kept_length = 0, given_length;
	struct buffer request = { .length = 0 }, identity = { .length = 0 }, answer;
	FILE *file;
	int fd;

	if (argc != 2)
		die("usage: bench-bare SESSION_FILE");
	file = fopen(argv[1], "rb");
	if (file != NULL) {
		kept_length = fread(kept, 1, sizeof(kept), file);
		fclose(file);
	}
	fd = connect_device();

	/* Initialize: the session resumed (or a new one, whose id is kept). */
	if (kept_length > 0)
		put_bytes(&request, 1, kept, kept_length);      /* Initialize.session_id */
	exchange(fd, MSG_INITIALIZE, &request, MSG_FEATURES, &answer);
	given_length = find_session_id(answer.data, answer.length, given);
	if (given_length != kept_length || memcmp(given, kept, given_length) != 0) {
		file = fopen(argv[1], "wb");
		if (file == NULL || fwrite(given, 1, given_length, file) != given_length ||
		    fclose(file) != 0)
			die("cannot keep the session id");
	}

	/* SignIdentity for gpg://alice@example.com, a 32-byte digest, P-256. */
	put_bytes(&identity, 1, "gpg", 3);                      /* IdentityType.proto */
	put_bytes(&identity, 2, "alice", 5);                    /* .user */
	put_bytes(&identity, 3, "example.com", 11);             /* .host */
	memset(digest, 0x5a, sizeof(digest));
	request.length = 0;
	put_bytes(&request, 1, identity.data, identity.length); /* SignIdentity.identity */
	put_bytes(&request, 2, digest, sizeof(digest));         /* .challenge_hidden */
	put_bytes(&request, 4, "nist256p1", 9);                 /* .ecdsa_curve_name */
	exchange(fd, MSG_SIGN_IDENTITY, &request, MSG_BUTTON_REQUEST, &answer);
	request.length = 0;
	exchange(fd, MSG_BUTTON_ACK, &request, MSG_SIGNED_IDENTITY, &answer);
	printf("bare_us=%.0f\n", now_us() - started);
	close(fd);
	return 0;
}
