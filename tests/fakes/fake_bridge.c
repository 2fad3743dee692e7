/*
 * fake-bridge: a stand-in for Trezor Bridge (trezord) for tests on loopback.
 *
 * It serves the Bridge HTTP API that Trezor Suite and trezorlib use
 * (/enumerate, /acquire, /release, /call, /post) on 127.0.0.1 and forwards
 * each device's messages, as codec v1 reports, to a Trezor simulator or
 * emulator on UDP, so that the module's Bridge transport can be tested
 * without a real trezord and without a real device.
 *
 * Usage: fake-bridge [--port N] --device PATH=UDPPORT [--device ...]
 *                    [--require-origin ORIGIN] [-v]
 *
 * One thread per HTTP connection and one request per connection. Sessions
 * live under one lock. Each device has two more: one keeps /call requests
 * one at a time, the other keeps the reports of one message together on the
 * wire, so that a /post (a Cancel) can go out while a /call waits for its
 * reply.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "wire.h"

#define DEFAULT_PORT 21325
#define DEFAULT_ORIGIN "https://python.trezor.io"
#define MAX_DEVICES 8
#define MAX_PATH_LENGTH 32
#define TREZOR_VENDOR_ID 4617           /* 0x1209 */
#define TREZOR_PRODUCT_ID 21441         /* 0x53c1 */
#define SESSION_TEXT_SIZE 24            /* a uint64_t in decimal, and the NUL */

#define HEAD_MAX 8192                   /* request line and headers */
#define METHOD_MAX 16
#define TARGET_MAX 512
#define BODY_MAX (256u * 1024u)
#define MESSAGE_HEADER_SIZE 6           /* type BE16, payload length BE32 */
#define DATAGRAM_MAX 128                /* room to notice an oversized datagram */

#define REPORTS_PER_BURST 32
#define BURST_PAUSE_NS (500 * 1000)
#define CALL_TIMEOUT_MS (600 * 1000)
#define SOCKET_TIMEOUT_S 30             /* a silent client cannot hold a thread for ever */
#define LINGER_MS 1000
#define LINGER_MAX_BYTES (1024u * 1024u)

struct device {
	char path[MAX_PATH_LENGTH + 1];
	int udp_port;
	int fd;                         /* connected UDP socket to the simulator */
	uint64_t session;               /* 0: none; under bridge.state_lock */
	pthread_mutex_t call_lock;      /* one /call at a time */
	pthread_mutex_t write_lock;     /* the reports of one message stay together */
};

struct bridge {
	struct device devices[MAX_DEVICES];
	size_t device_count;
	const char *origin;
	bool verbose;
	pthread_mutex_t state_lock;     /* every device's session, last_session */
	uint64_t last_session;
};

struct connection {
	struct bridge *bridge;
	int fd;
};

/* What we take from one HTTP request. */
struct request {
	char method[METHOD_MAX + 1];    /* empty until the request line parsed */
	char target[TARGET_MAX + 1];
	bool has_length;
	size_t content_length;
	bool length_too_large;
	bool has_transfer_encoding;
	bool expects_continue;
	int origin_count;
	bool origin_matches;
	char *body;                     /* malloc'd, NUL-terminated */
	size_t body_length;
};

struct response {
	int status;                     /* 0: no request came, nothing to send */
	const char *content_type;
	char *body;                     /* malloc'd; NULL when empty */
	size_t length;
};

/* A message from an HTTP body: header and payload in one buffer. */
struct outgoing {
	uint16_t type;
	uint32_t length;
	uint8_t *bytes;                 /* malloc'd; the payload starts after the header */
};

enum decode_result {
	DECODE_OK,
	DECODE_MALFORMED,
	DECODE_TOO_LONG,
	DECODE_NO_MEMORY,
};

enum reply_status {
	REPLY_PENDING,                  /* nothing final yet: keep reading */
	REPLY_COMPLETE,
	REPLY_TIMEOUT,
	REPLY_DEVICE_GONE,
};

static const char usage_text[] =
	"usage: fake-bridge [--port N] --device PATH=UDPPORT [--device PATH=UDPPORT ...] "
	"[--require-origin ORIGIN] [-v]";

/* ------------------------------------------------------------------------ */
/* Small helpers                                                             */

static int64_t monotonic_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static int hex_digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void hex_encode(const uint8_t *bytes, size_t length, char *text)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < length; i++) {
		text[2 * i] = digits[bytes[i] >> 4];
		text[2 * i + 1] = digits[bytes[i] & 0x0f];
	}
}

static bool parse_number(const char *text, long min, long max, int *number)
{
	char *end;
	long value;

	if (*text < '0' || *text > '9')
		return false;
	errno = 0;
	value = strtol(text, &end, 10);
	if (errno != 0 || *end != '\0' || value < min || value > max)
		return false;
	*number = (int)value;
	return true;
}

static void format_session(uint64_t session, char text[SESSION_TEXT_SIZE])
{
	snprintf(text, SESSION_TEXT_SIZE, "%" PRIu64, session);
}

/* Send everything or fail; MSG_NOSIGNAL because a client may hang up first. */
static bool send_all(int fd, const void *data, size_t length)
{
	const char *next = data;
	ssize_t sent;

	while (length > 0) {
		sent = send(fd, next, length, MSG_NOSIGNAL);
		if (sent < 0 && errno == EINTR)
			continue;
		if (sent <= 0)
			return false;
		next += sent;
		length -= (size_t)sent;
	}
	return true;
}

/* ------------------------------------------------------------------------ */
/* Command line                                                              */

/* Print the one line a usage error gets; returns false for the caller. */
static bool usage_error(const char *problem, const char *argument)
{
	if (argument != NULL)
		fprintf(stderr, "fake-bridge: %s \"%s\"; %s\n", problem, argument, usage_text);
	else
		fprintf(stderr, "fake-bridge: %s; %s\n", problem, usage_text);
	return false;
}

static bool is_path_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

/* Paths go into JSON and URLs unescaped, so only harmless characters. */
static bool is_valid_path(const char *path, size_t length)
{
	size_t i;

	if (length == 0 || length > MAX_PATH_LENGTH)
		return false;
	for (i = 0; i < length; i++) {
		if (!is_path_char(path[i]))
			return false;
	}
	return true;
}

static bool has_device_path(const struct bridge *bridge, const char *path, size_t length)
{
	size_t i;

	for (i = 0; i < bridge->device_count; i++) {
		const char *known = bridge->devices[i].path;

		if (strlen(known) == length && memcmp(known, path, length) == 0)
			return true;
	}
	return false;
}

/* --device PATH=UDPPORT */
static bool add_device(struct bridge *bridge, const char *spec)
{
	const char *equals = strchr(spec, '=');
	struct device *device;
	size_t path_length;
	int udp_port;

	if (equals == NULL)
		return usage_error("--device wants PATH=UDPPORT, not", spec);
	path_length = (size_t)(equals - spec);
	if (!is_valid_path(spec, path_length))
		return usage_error("bad device path (1-32 of A-Z a-z 0-9 _ -) in", spec);
	if (!parse_number(equals + 1, 1, 65535, &udp_port))
		return usage_error("bad UDP port in", spec);
	if (has_device_path(bridge, spec, path_length))
		return usage_error("duplicate device path in", spec);
	if (bridge->device_count == MAX_DEVICES)
		return usage_error("too many devices (at most 8) at", spec);

	device = &bridge->devices[bridge->device_count++];
	memcpy(device->path, spec, path_length);
	device->path[path_length] = '\0';
	device->udp_port = udp_port;
	device->fd = -1;
	return true;
}

/*
 * getopt's own messages are off: a usage error is one line. A long option
 * is named by its argument, a short one (perhaps inside "-vx") by optopt.
 */
static bool report_bad_option(int c, char **argv)
{
	char short_option[3] = { '-', (char)optopt, '\0' };
	const char *last = argv[optind - 1];
	const char *option = strncmp(last, "--", 2) == 0 ? last : short_option;

	if (c == ':')
		return usage_error("missing value for", option);
	return usage_error("unknown option", option);
}

static bool parse_options(int argc, char **argv, struct bridge *bridge, int *port)
{
	static const struct option long_options[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "device", required_argument, NULL, 'd' },
		{ "require-origin", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":v", long_options, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (!parse_number(optarg, 0, 65535, port))
				return usage_error("bad port", optarg);
			break;
		case 'd':
			if (!add_device(bridge, optarg))
				return false;
			break;
		case 'o': bridge->origin = optarg; break;
		case 'v': bridge->verbose = true; break;
		default: return report_bad_option(c, argv);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument", argv[optind]);
	if (bridge->device_count == 0)
		return usage_error("at least one --device is needed", NULL);
	return true;
}

/* ------------------------------------------------------------------------ */
/* Sockets                                                                   */

static bool connect_device(struct device *device)
{
	struct sockaddr_in address = {
		.sin_family = AF_INET,
		.sin_port = htons((uint16_t)device->udp_port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};

	device->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (device->fd < 0 ||
	    connect(device->fd, (const struct sockaddr *)&address, sizeof(address)) != 0) {
		fprintf(stderr, "fake-bridge: cannot open UDP to 127.0.0.1:%d: %s\n",
			device->udp_port, strerror(errno));
		return false;
	}
	pthread_mutex_init(&device->call_lock, NULL);
	pthread_mutex_init(&device->write_lock, NULL);
	return true;
}

static bool connect_devices(struct bridge *bridge)
{
	size_t i;

	pthread_mutex_init(&bridge->state_lock, NULL);
	for (i = 0; i < bridge->device_count; i++) {
		if (!connect_device(&bridge->devices[i]))
			return false;
	}
	return true;
}

/* Returns the listening socket, or -1. Loopback only: this is a test fixture. */
static int open_listener(int port)
{
	struct sockaddr_in address = {
		.sin_family = AF_INET,
		.sin_port = htons((uint16_t)port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	socklen_t length = sizeof(address);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), on = 1;

	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (fd < 0 || bind(fd, (const struct sockaddr *)&address, sizeof(address)) != 0 ||
	    listen(fd, 64) != 0 ||
	    getsockname(fd, (struct sockaddr *)&address, &length) != 0) {
		fprintf(stderr, "fake-bridge: cannot listen on 127.0.0.1:%d: %s\n", port,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fprintf(stderr, "listening on 127.0.0.1:%d\n", ntohs(address.sin_port));
	fflush(stderr);
	return fd;
}

static void set_socket_timeouts(int fd)
{
	struct timeval timeout = { .tv_sec = SOCKET_TIMEOUT_S };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
}

/*
 * Closing a socket that still holds unread request bytes makes the kernel
 * send a reset, which can destroy the response before the client reads it.
 * So stop writing, then read and drop what is left, within bounds.
 */
static void close_gently(int fd)
{
	struct pollfd readable = { .fd = fd, .events = POLLIN };
	int64_t deadline = monotonic_ms() + LINGER_MS, left;
	size_t discarded = 0;
	char sink[4096];
	ssize_t got;

	shutdown(fd, SHUT_WR);
	while (discarded < LINGER_MAX_BYTES) {
		left = deadline - monotonic_ms();
		if (left <= 0 || poll(&readable, 1, (int)left) <= 0)
			break;
		got = recv(fd, sink, sizeof(sink), MSG_DONTWAIT);
		if (got <= 0)
			break;
		discarded += (size_t)got;
	}
	close(fd);
}

/* ------------------------------------------------------------------------ */
/* Responses                                                                 */

static void respond(struct response *response, int status, const char *content_type,
		    char *body, size_t length)
{
	free(response->body);
	response->status = status;
	response->content_type = content_type;
	response->body = body;
	response->length = length;
}

static void respond_json(struct response *response, int status, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

static void respond_json(struct response *response, int status, const char *format, ...)
{
	va_list arguments;
	char *body;
	int length;

	va_start(arguments, format);
	length = vasprintf(&body, format, arguments);
	va_end(arguments);
	if (length < 0)
		respond(response, 500, "application/json", NULL, 0);
	else
		respond(response, status, "application/json", body, (size_t)length);
}

static void respond_error(struct response *response, int status, const char *message)
{
	respond_json(response, status, "{\"error\":\"%s\"}", message);
}

static const char *status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Content Too Large";
	default: return "Internal Server Error";
	}
}

static void send_response(int fd, const struct response *response)
{
	char head[256];
	int length;

	length = snprintf(head, sizeof(head),
			  "HTTP/1.1 %d %s\r\n"
			  "Content-Type: %s\r\n"
			  "Content-Length: %zu\r\n"
			  "%s"
			  "Connection: close\r\n"
			  "\r\n",
			  response->status, status_text(response->status),
			  response->content_type, response->length,
			  response->status == 405 ? "Allow: POST\r\n" : "");
	if (length < 0 || (size_t)length >= sizeof(head))
		return;
	if (send_all(fd, head, (size_t)length) && response->length > 0)
		send_all(fd, response->body, response->length);
}

/* ------------------------------------------------------------------------ */
/* Reading and checking a request                                            */

/*
 * Read until the blank line that ends the head. Returns how many bytes
 * arrived (0 when the client sent nothing); *head_length is where the body
 * starts, or 0 when no complete head came within HEAD_MAX bytes.
 */
static size_t read_head(int fd, char *buffer, size_t size, size_t *head_length)
{
	size_t used = 0;
	const char *end;
	ssize_t got;

	*head_length = 0;
	while (used < size) {
		got = recv(fd, buffer + used, size - used, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		used += (size_t)got;
		end = memmem(buffer, used, "\r\n\r\n", 4);
		if (end != NULL) {
			*head_length = (size_t)(end - buffer) + 4;
			break;
		}
	}
	return used;
}

/* No control characters but tab: a bare CR or LF inside a line is an attack. */
static bool is_clean_line(const char *line)
{
	const unsigned char *c;

	for (c = (const unsigned char *)line; *c != '\0'; c++) {
		if ((*c < 0x20 && *c != '\t') || *c == 0x7f)
			return false;
	}
	return true;
}

static bool is_token_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Upper-case letters only: every real method is, and it is safe to log. */
static bool is_method(const char *method, size_t length)
{
	size_t i;

	if (length == 0 || length > METHOD_MAX)
		return false;
	for (i = 0; i < length; i++) {
		if (method[i] < 'A' || method[i] > 'Z')
			return false;
	}
	return true;
}

/* An origin-form target ("/..."), printable ASCII, safe to log. */
static bool is_target(const char *target, size_t length)
{
	size_t i;

	if (length == 0 || length > TARGET_MAX || target[0] != '/')
		return false;
	for (i = 0; i < length; i++) {
		if (target[i] <= ' ' || target[i] > '~')
			return false;
	}
	return true;
}

/* METHOD SP /target SP HTTP/1.x */
static bool parse_request_line(const char *line, struct request *request)
{
	const char *first_space = strchr(line, ' '), *second_space;
	size_t method_length, target_length;

	if (first_space == NULL)
		return false;
	second_space = strchr(first_space + 1, ' ');
	if (second_space == NULL)
		return false;
	method_length = (size_t)(first_space - line);
	target_length = (size_t)(second_space - first_space - 1);
	if (!is_method(line, method_length) || !is_target(first_space + 1, target_length))
		return false;
	if (strcmp(second_space + 1, "HTTP/1.1") != 0 && strcmp(second_space + 1, "HTTP/1.0") != 0)
		return false;
	memcpy(request->method, line, method_length);
	request->method[method_length] = '\0';
	memcpy(request->target, first_space + 1, target_length);
	request->target[target_length] = '\0';
	return true;
}

static char *trim_spaces(char *text)
{
	size_t length;

	while (*text == ' ' || *text == '\t')
		text++;
	length = strlen(text);
	while (length > 0 && (text[length - 1] == ' ' || text[length - 1] == '\t'))
		text[--length] = '\0';
	return text;
}

/* Digits only; a second Content-Length must agree with the first. */
static bool parse_content_length(const char *value, struct request *request)
{
	size_t length = 0;
	bool too_large = false;
	const char *c;

	if (*value == '\0')
		return false;
	for (c = value; *c != '\0'; c++) {
		if (*c < '0' || *c > '9')
			return false;
		if (!too_large) {
			length = length * 10 + (size_t)(*c - '0');
			too_large = length > BODY_MAX;
		}
	}
	if (request->has_length &&
	    (request->content_length != length || request->length_too_large != too_large))
		return false;
	request->has_length = true;
	request->content_length = length;
	request->length_too_large = too_large;
	return true;
}

/* Only the headers we act on are kept; the others just have to be well formed. */
static bool parse_header_line(const struct bridge *bridge, char *line, struct request *request)
{
	char *colon = strchr(line, ':'), *name = line, *value, *c;

	if (colon == NULL || colon == line || !is_clean_line(line))
		return false;
	for (c = line; c < colon; c++) {
		if (!is_token_char(*c))
			return false;
	}
	*colon = '\0';
	value = trim_spaces(colon + 1);

	if (strcasecmp(name, "Content-Length") == 0)
		return parse_content_length(value, request);
	if (strcasecmp(name, "Transfer-Encoding") == 0) {
		request->has_transfer_encoding = true;
	} else if (strcasecmp(name, "Expect") == 0) {
		request->expects_continue = strcasecmp(value, "100-continue") == 0;
	} else if (strcasecmp(name, "Origin") == 0) {
		request->origin_count++;
		request->origin_matches = strcmp(value, bridge->origin) == 0;
	}
	return true;
}

/*
 * Split the head (head_length bytes, ending in CRLF CRLF) into lines and
 * parse them. The head is changed in place.
 */
static bool parse_head(const struct bridge *bridge, char *head, size_t head_length,
		       struct request *request)
{
	char *line, *end;

	if (memchr(head, '\0', head_length) != NULL)
		return false;
	/* Keep the CRLF of the last line, so that every line ends in one. */
	head[head_length - 2] = '\0';
	end = strstr(head, "\r\n");
	if (end == NULL)
		return false;
	*end = '\0';
	if (!is_clean_line(head) || !parse_request_line(head, request))
		return false;
	for (line = end + 2; *line != '\0'; line = end + 2) {
		end = strstr(line, "\r\n");
		if (end == NULL)
			return false;
		*end = '\0';
		if (!parse_header_line(bridge, line, request))
			return false;
	}
	return true;
}

/* What is wrong with a well-formed request before its body is read. */
static bool accept_request(const struct request *request, struct response *response)
{
	if (strcmp(request->method, "POST") != 0)
		respond_error(response, 405, "method not allowed");
	else if (request->origin_count != 1 || !request->origin_matches)
		respond_error(response, 403, "Invalid origin");
	else if (request->has_transfer_encoding)
		respond_error(response, 400, "only Content-Length bodies are supported");
	else if (request->length_too_large)
		respond_error(response, 413, "request body too large");
	else
		return true;
	return false;
}

/* The body: what came with the head, then the rest up to Content-Length. */
static bool read_body(int fd, const char *early, size_t early_length,
		      struct request *request, struct response *response)
{
	static const char go_on[] = "HTTP/1.1 100 Continue\r\n\r\n";
	size_t wanted = request->content_length;
	size_t have = early_length < wanted ? early_length : wanted;
	ssize_t got;

	request->body = malloc(wanted + 1);
	if (request->body == NULL) {
		respond_error(response, 500, "out of memory");
		return false;
	}
	memcpy(request->body, early, have);
	if (have < wanted && request->expects_continue)
		send_all(fd, go_on, sizeof(go_on) - 1);
	while (have < wanted) {
		got = recv(fd, request->body + have, wanted - have, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			respond_error(response, 400, "incomplete request body");
			return false;
		}
		have += (size_t)got;
	}
	request->body[wanted] = '\0';
	request->body_length = wanted;
	return true;
}

/*
 * Read one request and check it. Returns false with *response filled, or
 * left empty when the client sent nothing at all.
 */
static bool receive_request(const struct bridge *bridge, int fd, struct request *request,
			    struct response *response)
{
	char head[HEAD_MAX + 1];
	size_t received, head_length;

	received = read_head(fd, head, HEAD_MAX, &head_length);
	if (received == 0)
		return false;
	if (head_length == 0 || !parse_head(bridge, head, head_length, request)) {
		respond_error(response, 400, "malformed request");
		return false;
	}
	if (!accept_request(request, response))
		return false;
	return read_body(fd, head + head_length, received - head_length, request, response);
}

/* ------------------------------------------------------------------------ */
/* Devices and sessions                                                      */

static struct device *find_device_by_path(struct bridge *bridge, const char *path)
{
	size_t i;

	for (i = 0; i < bridge->device_count; i++) {
		if (strcmp(bridge->devices[i].path, path) == 0)
			return &bridge->devices[i];
	}
	return NULL;
}

/* The caller holds state_lock. Compared as text: "01" is not session 1. */
static bool has_session(const struct device *device, const char *session)
{
	char current[SESSION_TEXT_SIZE];

	if (device->session == 0)
		return false;
	format_session(device->session, current);
	return strcmp(current, session) == 0;
}

/* The caller holds state_lock. */
static struct device *find_device_by_session(struct bridge *bridge, const char *session)
{
	size_t i;

	for (i = 0; i < bridge->device_count; i++) {
		if (has_session(&bridge->devices[i], session))
			return &bridge->devices[i];
	}
	return NULL;
}

static struct device *lookup_session(struct bridge *bridge, const char *session)
{
	struct device *device;

	pthread_mutex_lock(&bridge->state_lock);
	device = find_device_by_session(bridge, session);
	pthread_mutex_unlock(&bridge->state_lock);
	return device;
}

static bool session_is_current(struct bridge *bridge, const struct device *device,
			       const char *session)
{
	bool current;

	pthread_mutex_lock(&bridge->state_lock);
	current = has_session(device, session);
	pthread_mutex_unlock(&bridge->state_lock);
	return current;
}

/* ------------------------------------------------------------------------ */
/* Talking to the simulator                                                  */

/* 2 * size hex digits, either case, into size bytes. */
static bool hex_decode(const char *hex, size_t size, uint8_t *bytes)
{
	int high, low;
	size_t i;

	for (i = 0; i < size; i++) {
		high = hex_digit_value(hex[2 * i]);
		low = hex_digit_value(hex[2 * i + 1]);
		if (high < 0 || low < 0)
			return false;
		bytes[i] = (uint8_t)(high << 4 | low);
	}
	return true;
}

static uint32_t read_be32(const uint8_t *bytes)
{
	return (uint32_t)bytes[0] << 24 | (uint32_t)bytes[1] << 16 |
	       (uint32_t)bytes[2] << 8 | bytes[3];
}

/*
 * Hex of type BE16 || length BE32 || payload, as trezord takes it: the
 * length field must match the payload, which must fit WIRE_MAX_PAYLOAD.
 */
static enum decode_result decode_message(const char *hex, size_t hex_length,
					 struct outgoing *message)
{
	size_t size = hex_length / 2;
	enum decode_result result;
	uint8_t *bytes;

	if (hex_length % 2 != 0 || size < MESSAGE_HEADER_SIZE)
		return DECODE_MALFORMED;
	bytes = malloc(size);
	if (bytes == NULL)
		return DECODE_NO_MEMORY;
	if (!hex_decode(hex, size, bytes) || read_be32(bytes + 2) != size - MESSAGE_HEADER_SIZE)
		result = DECODE_MALFORMED;
	else if (read_be32(bytes + 2) > WIRE_MAX_PAYLOAD)
		result = DECODE_TOO_LONG;
	else
		result = DECODE_OK;
	if (result != DECODE_OK) {
		free(bytes);
		return result;
	}
	message->type = (uint16_t)(bytes[0] << 8 | bytes[1]);
	message->length = read_be32(bytes + 2);
	message->bytes = bytes;
	return DECODE_OK;
}

static void respond_decode_error(struct response *response, enum decode_result result)
{
	if (result == DECODE_TOO_LONG)
		respond_error(response, 400, "message too long");
	else if (result == DECODE_NO_MEMORY)
		respond_error(response, 500, "out of memory");
	else
		respond_error(response, 400, "malformed data");
}

/*
 * UDP has no flow control: a long message sent at full speed overflows the
 * simulator's receive buffer (a few hundred datagrams) and reports vanish.
 * A short pause after each burst lets it keep up; usual messages fit in one.
 */
static void pace_reports(size_t sent)
{
	const struct timespec pause = { .tv_nsec = BURST_PAUSE_NS };

	if (sent % REPORTS_PER_BURST == 0)
		nanosleep(&pause, NULL);
}

/* All reports of the message, without another writer's reports in between. */
static bool send_message(struct device *device, const struct outgoing *message)
{
	const uint8_t *payload = message->bytes + MESSAGE_HEADER_SIZE;
	uint8_t report[WIRE_REPORT_SIZE];
	size_t count = wire_report_count(message->length), i;
	bool sent = true;

	pthread_mutex_lock(&device->write_lock);
	for (i = 0; i < count && sent; i++) {
		if (i > 0)
			pace_reports(i);
		wire_encode_report(message->type, payload, message->length, i, report);
		sent = send(device->fd, report, sizeof(report), 0) == (ssize_t)sizeof(report);
	}
	pthread_mutex_unlock(&device->write_lock);
	return sent;
}

/*
 * Drop datagrams nobody waited for (the answer to an earlier /post, the rest
 * of a reply whose /call timed out) and a pending "port unreachable", so
 * that a /call reads the reply to its own message.
 */
static void discard_stale_datagrams(struct device *device)
{
	uint8_t data[DATAGRAM_MAX];
	ssize_t got;

	for (;;) {
		got = recv(device->fd, data, sizeof(data), MSG_DONTWAIT);
		if (got < 0 && errno != EINTR && errno != ECONNREFUSED)
			break;
	}
}

/*
 * Wait until the simulator sends something. A client that hangs up does not
 * end the wait: the device will still answer, and that answer must not be
 * taken for the reply to the next /call.
 */
static enum reply_status wait_for_datagram(int fd, int64_t deadline)
{
	struct pollfd readable = { .fd = fd, .events = POLLIN };
	int64_t left;
	int ready;

	for (;;) {
		left = deadline - monotonic_ms();
		if (left <= 0)
			return REPLY_TIMEOUT;
		ready = poll(&readable, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (ready > 0)
			return REPLY_PENDING;
		if (ready < 0 && errno != EINTR)
			return REPLY_DEVICE_GONE;
	}
}

/* Take one datagram; 8-byte ones are ping answers, not reports. */
static enum reply_status receive_report(int fd, struct wire_reader *reader,
					struct wire_message *reply)
{
	uint8_t data[DATAGRAM_MAX];
	ssize_t got = recv(fd, data, sizeof(data), MSG_DONTWAIT);

	if (got < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return REPLY_PENDING;
		return REPLY_DEVICE_GONE;
	}
	if (got == 8)
		return REPLY_PENDING;
	/* A report that breaks the codec resets the reader: wait for a new message. */
	if (wire_reader_feed(reader, data, (size_t)got) != WIRE_COMPLETE)
		return REPLY_PENDING;
	wire_reader_take(reader, reply);
	return REPLY_COMPLETE;
}

static enum reply_status read_reply(struct device *device, struct wire_message *reply)
{
	int64_t deadline = monotonic_ms() + CALL_TIMEOUT_MS;
	enum reply_status status = REPLY_PENDING;
	struct wire_reader reader;

	wire_reader_init(&reader);
	while (status == REPLY_PENDING) {
		status = wait_for_datagram(device->fd, deadline);
		if (status == REPLY_PENDING)
			status = receive_report(device->fd, &reader, reply);
	}
	wire_reader_reset(&reader);
	return status;
}

/* Answer a /call: hex of type BE16 || length BE32 || payload. */
static void respond_with_message(struct response *response, const struct wire_message *message)
{
	const uint8_t header[MESSAGE_HEADER_SIZE] = {
		(uint8_t)(message->type >> 8), (uint8_t)message->type,
		(uint8_t)(message->length >> 24), (uint8_t)(message->length >> 16),
		(uint8_t)(message->length >> 8), (uint8_t)message->length,
	};
	size_t size = 2 * (MESSAGE_HEADER_SIZE + (size_t)message->length);
	char *text = malloc(size);

	if (text == NULL) {
		respond_error(response, 500, "out of memory");
		return;
	}
	hex_encode(header, MESSAGE_HEADER_SIZE, text);
	if (message->length > 0)
		hex_encode(message->payload, message->length, text + 2 * MESSAGE_HEADER_SIZE);
	respond(response, 200, "text/plain", text, size);
}

/* Send the message and wait for the reply; the caller holds call_lock. */
static void exchange(struct device *device, const struct outgoing *message,
		     struct response *response)
{
	struct wire_message reply;

	discard_stale_datagrams(device);
	if (!send_message(device, message)) {
		respond_error(response, 500, "device write failed");
		return;
	}
	switch (read_reply(device, &reply)) {
	case REPLY_COMPLETE:
		respond_with_message(response, &reply);
		wire_message_free(&reply);
		break;
	case REPLY_TIMEOUT:
		respond_error(response, 500, "device timeout");
		break;
	default:
		respond_error(response, 500, "device disconnected");
		break;
	}
}

/* ------------------------------------------------------------------------ */
/* Endpoints                                                                 */

static bool append_text(char *buffer, size_t size, size_t *used, const char *format, ...)
	__attribute__((format(printf, 4, 5)));

static bool append_text(char *buffer, size_t size, size_t *used, const char *format, ...)
{
	va_list arguments;
	int length;

	if (*used >= size)
		return false;
	va_start(arguments, format);
	length = vsnprintf(buffer + *used, size - *used, format, arguments);
	va_end(arguments);
	if (length < 0 || (size_t)length >= size - *used)
		return false;
	*used += (size_t)length;
	return true;
}

/* One device's entry; the caller holds state_lock. */
static bool append_device_json(char *buffer, size_t size, size_t *used,
			       const struct device *device, bool first)
{
	char session[SESSION_TEXT_SIZE + 2] = "null";

	if (device->session != 0)
		snprintf(session, sizeof(session), "\"%" PRIu64 "\"", device->session);
	return append_text(buffer, size, used,
			   "%s{\"path\":\"%s\",\"vendor\":%d,\"product\":%d,\"debug\":false,"
			   "\"session\":%s,\"debugSession\":null}",
			   first ? "" : ",", device->path, TREZOR_VENDOR_ID, TREZOR_PRODUCT_ID,
			   session);
}

static void handle_enumerate(struct bridge *bridge, struct response *response)
{
	char json[MAX_DEVICES * 192 + 8];
	size_t used = 0, i;
	bool fits = append_text(json, sizeof(json), &used, "[");

	pthread_mutex_lock(&bridge->state_lock);
	for (i = 0; i < bridge->device_count && fits; i++)
		fits = append_device_json(json, sizeof(json), &used, &bridge->devices[i], i == 0);
	pthread_mutex_unlock(&bridge->state_lock);
	if (fits)
		fits = append_text(json, sizeof(json), &used, "]");
	if (!fits)
		respond_error(response, 500, "enumeration too long");
	else
		respond_json(response, 200, "%s", json);
}

/* A new session replaces the device's current one ("stealing", as trezord allows). */
static void handle_acquire(struct bridge *bridge, const char *path, const char *previous,
			   struct response *response)
{
	struct device *device = find_device_by_path(bridge, path);
	char session[SESSION_TEXT_SIZE];
	bool allowed;

	if (device == NULL) {
		respond_error(response, 404, "device not found");
		return;
	}
	pthread_mutex_lock(&bridge->state_lock);
	allowed = strcmp(previous, "null") == 0 || has_session(device, previous);
	if (allowed) {
		device->session = ++bridge->last_session;
		format_session(device->session, session);
	}
	pthread_mutex_unlock(&bridge->state_lock);
	if (allowed)
		respond_json(response, 200, "{\"session\":\"%s\"}", session);
	else
		respond_error(response, 400, "wrong previous session");
}

static void handle_release(struct bridge *bridge, const char *session,
			   struct response *response)
{
	struct device *device;

	pthread_mutex_lock(&bridge->state_lock);
	device = find_device_by_session(bridge, session);
	if (device != NULL)
		device->session = 0;
	pthread_mutex_unlock(&bridge->state_lock);
	if (device != NULL)
		respond_json(response, 200, "{}");
	else
		respond_error(response, 400, "session not found");
}

/*
 * What /call and /post begin with: the session's device and the request's
 * message. NULL, with the error response written, when either is bad.
 */
static struct device *session_and_message(struct bridge *bridge, const char *session,
					  const struct request *request,
					  struct response *response,
					  struct outgoing *message)
{
	struct device *device = lookup_session(bridge, session);
	enum decode_result decoded;

	if (device == NULL) {
		respond_error(response, 400, "session not found");
		return NULL;
	}
	decoded = decode_message(request->body, request->body_length, message);
	if (decoded != DECODE_OK) {
		respond_decode_error(response, decoded);
		return NULL;
	}
	return device;
}

static void handle_call(struct bridge *bridge, const char *session,
			const struct request *request, struct response *response)
{
	struct outgoing message;
	struct device *device = session_and_message(bridge, session, request, response,
						    &message);

	if (device == NULL)
		return;
	pthread_mutex_lock(&device->call_lock);
	/* The session may have been released or stolen while we queued. */
	if (session_is_current(bridge, device, session))
		exchange(device, &message, response);
	else
		respond_error(response, 400, "session not found");
	pthread_mutex_unlock(&device->call_lock);
	free(message.bytes);
}

/* Write only: it does not wait for call_lock, so it can cancel a pending /call. */
static void handle_post(struct bridge *bridge, const char *session,
			const struct request *request, struct response *response)
{
	struct outgoing message;
	struct device *device = session_and_message(bridge, session, request, response,
						    &message);

	if (device == NULL)
		return;
	if (send_message(device, &message))
		respond(response, 200, "text/plain", NULL, 0);
	else
		respond_error(response, 500, "device write failed");
	free(message.bytes);
}

/*
 * Split "/a/b/c" into at most max parts, in copy. Returns the number of
 * parts, or 0 when there are more.
 */
static size_t split_target(const char *target, char *copy, char **parts, size_t max)
{
	size_t count = 0;
	char *next;

	strcpy(copy, target + 1);
	next = copy;
	while (next != NULL) {
		if (count == max)
			return 0;
		parts[count++] = next;
		next = strchr(next, '/');
		if (next != NULL)
			*next++ = '\0';
	}
	return count;
}

static void route_request(struct bridge *bridge, const struct request *request,
			  struct response *response)
{
	char copy[TARGET_MAX + 1];
	char *part[3];
	size_t count = split_target(request->target, copy, part, 3);

	if (count == 1 && strcmp(part[0], "enumerate") == 0)
		handle_enumerate(bridge, response);
	else if (count == 3 && strcmp(part[0], "acquire") == 0)
		handle_acquire(bridge, part[1], part[2], response);
	else if (count == 2 && strcmp(part[0], "release") == 0)
		handle_release(bridge, part[1], response);
	else if (count == 2 && strcmp(part[0], "call") == 0)
		handle_call(bridge, part[1], request, response);
	else if (count == 2 && strcmp(part[0], "post") == 0)
		handle_post(bridge, part[1], request, response);
	else
		respond_error(response, 404, "unknown endpoint");
}

/* ------------------------------------------------------------------------ */
/* Connections                                                               */

/* "-" stands for a request line too broken to show. */
static void log_request(const struct bridge *bridge, const struct request *request, int status)
{
	const char *method = request->method[0] != '\0' ? request->method : "-";
	const char *target = request->method[0] != '\0' ? request->target : "-";

	if (bridge->verbose)
		fprintf(stderr, "fake-bridge: %s %s -> %d\n", method, target, status);
}

static void *serve_connection(void *argument)
{
	struct connection *connection = argument;
	struct request request = { .method = "" };
	struct response response = { .status = 0 };

	set_socket_timeouts(connection->fd);
	if (receive_request(connection->bridge, connection->fd, &request, &response))
		route_request(connection->bridge, &request, &response);
	/* Status 0: the client sent nothing (a port probe), so there is no one to answer. */
	if (response.status != 0) {
		send_response(connection->fd, &response);
		log_request(connection->bridge, &request, response.status);
	}
	close_gently(connection->fd);
	free(request.body);
	free(response.body);
	free(connection);
	return NULL;
}

static void start_connection(struct bridge *bridge, int fd)
{
	struct connection *connection = malloc(sizeof(*connection));
	pthread_attr_t attributes;
	pthread_t thread;
	int failed;

	if (connection == NULL) {
		close(fd);
		return;
	}
	connection->bridge = bridge;
	connection->fd = fd;
	pthread_attr_init(&attributes);
	pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
	failed = pthread_create(&thread, &attributes, serve_connection, connection);
	pthread_attr_destroy(&attributes);
	if (failed != 0) {
		fprintf(stderr, "fake-bridge: cannot start a thread: %s\n", strerror(failed));
		close(fd);
		free(connection);
	}
}

/* Returns only when accepting fails for good. */
static void accept_connections(struct bridge *bridge, int listener)
{
	int fd;

	for (;;) {
		fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0) {
			start_connection(bridge, fd);
		} else if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			   errno == ENOMEM) {
			poll(NULL, 0, 100);     /* out of resources: let connections finish */
		} else if (errno != EINTR && errno != ECONNABORTED) {
			fprintf(stderr, "fake-bridge: accept: %s\n", strerror(errno));
			return;
		}
	}
}

int main(int argc, char **argv)
{
	static struct bridge bridge = { .origin = DEFAULT_ORIGIN };
	int port = DEFAULT_PORT, listener;

	if (!parse_options(argc, argv, &bridge, &port))
		return 2;
	signal(SIGPIPE, SIG_IGN);
	if (!connect_devices(&bridge))
		return 1;
	listener = open_listener(port);
	if (listener < 0)
		return 1;
	accept_connections(&bridge, listener);
	close(listener);
	return 1;
}
