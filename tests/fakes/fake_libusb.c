/*
 * A fake libusb for tests, loaded with LD_PRELOAD in front of the real one:
 * the module's USB code runs unchanged against devices that are simulators.
 *
 * FAKE_LIBUSB_DEVICES names a file that says what is plugged in, one device
 * per line, read again at every call, so a test unplugs or re-plugs a device
 * by rewriting it:
 *
 *     BUS ADDR KIND PORT [open=access|open=busy] [claim=busy]
 *
 *   KIND   webusb (1209:53C1), hid (534C:0001, usbhid holds its interface
 *          until detached) or other (a USB device that is not a Trezor)
 *   PORT   the UDP port of the simulator behind the device
 *   open=  libusb_open fails with LIBUSB_ERROR_ACCESS or _BUSY
 *   claim= libusb_claim_interface fails with LIBUSB_ERROR_BUSY
 *
 * FAKE_LIBUSB_LOG, if set, names a file where every step is appended, for
 * tests to check the framing:  open 1:5 / detach 1:5 / claim 1:5 /
 * out 1:5 64 3f2323 / in 1:5 64 / release 1:5 / attach 1:5 / close 1:5.
 *
 * Transfers: endpoint 0x01 takes exactly 64 bytes, sent to the simulator as
 * one datagram; endpoint 0x81 waits (up to the timeout) for one 64-byte
 * datagram. A device whose line is gone answers LIBUSB_ERROR_NO_DEVICE, at
 * the latest 50 ms into a waiting read.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libusb.h>

#define DEVICES_MAX 16
#define SLICE_MS 50

enum kind { KIND_WEBUSB, KIND_HID, KIND_OTHER };

struct entry {
	uint8_t bus, address;
	enum kind kind;
	int port;
	int open_error;
	int claim_error;
};

struct libusb_context {
	int unused;
};

struct libusb_device {
	atomic_int references;
	struct entry entry;
};

struct libusb_device_handle {
	struct entry entry;
	int fd;
	bool claimed;
	bool driver_attached;
};

/* ---- the devices file and the log ----------------------------------------- */

static void log_step(const char *format, ...) __attribute__((format(printf, 1, 2)));

static void log_step(const char *format, ...)
{
	const char *path = getenv("FAKE_LIBUSB_LOG");
	char line[160];
	va_list args;
	int fd, n;

	if (path == NULL)
		return;
	va_start(args, format);
	n = vsnprintf(line, sizeof(line) - 1, format, args);
	va_end(args);
	if (n < 0 || n >= (int)sizeof(line) - 1)
		return;
	line[n++] = '\n';
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	if (write(fd, line, (size_t)n) < 0) {
		/* a test will notice the missing line */
	}
	close(fd);
}

static bool parse_kind(const char *text, enum kind *kind)
{
	if (strcmp(text, "webusb") == 0)
		*kind = KIND_WEBUSB;
	else if (strcmp(text, "hid") == 0)
		*kind = KIND_HID;
	else if (strcmp(text, "other") == 0)
		*kind = KIND_OTHER;
	else
		return false;
	return true;
}

static void parse_options(char *rest, struct entry *entry)
{
	char *option = strtok(rest, " \t\n");

	for (; option != NULL; option = strtok(NULL, " \t\n")) {
		if (strcmp(option, "open=access") == 0)
			entry->open_error = LIBUSB_ERROR_ACCESS;
		else if (strcmp(option, "open=busy") == 0)
			entry->open_error = LIBUSB_ERROR_BUSY;
		else if (strcmp(option, "claim=busy") == 0)
			entry->claim_error = LIBUSB_ERROR_BUSY;
	}
}

/* What is plugged in now. */
static size_t read_devices(struct entry *out, size_t room)
{
	const char *path = getenv("FAKE_LIBUSB_DEVICES");
	char line[256], kind[16];
	unsigned bus, address;
	int port, consumed;
	size_t found = 0;
	FILE *file = path != NULL ? fopen(path, "re") : NULL;

	if (file == NULL)
		return 0;
	while (found < room && fgets(line, sizeof(line), file) != NULL) {
		struct entry *entry = &out[found];

		memset(entry, 0, sizeof(*entry));
		if (sscanf(line, "%u %u %15s %d%n", &bus, &address, kind, &port, &consumed) != 4 ||
		    bus > 255 || address > 255 || !parse_kind(kind, &entry->kind))
			continue;
		entry->bus = (uint8_t)bus;
		entry->address = (uint8_t)address;
		entry->port = port;
		parse_options(line + consumed, entry);
		found++;
	}
	fclose(file);
	return found;
}

/* Is this device still plugged in (same bus, address and kind)? */
static bool still_plugged(const struct entry *entry)
{
	struct entry now[DEVICES_MAX];
	size_t found = read_devices(now, DEVICES_MAX), i;

	for (i = 0; i < found; i++)
		if (now[i].bus == entry->bus && now[i].address == entry->address &&
		    now[i].kind == entry->kind && now[i].port == entry->port)
			return true;
	return false;
}

/* ---- context and devices ------------------------------------------------------ */

int libusb_init(libusb_context **context)
{
	*context = calloc(1, sizeof(**context));
	return *context != NULL ? LIBUSB_SUCCESS : LIBUSB_ERROR_NO_MEM;
}

void libusb_exit(libusb_context *context)
{
	free(context);
}

ssize_t libusb_get_device_list(libusb_context *context, libusb_device ***list)
{
	struct entry entries[DEVICES_MAX];
	size_t found = read_devices(entries, DEVICES_MAX), i;

	(void)context;
	*list = calloc(found + 1, sizeof(**list));
	if (*list == NULL)
		return LIBUSB_ERROR_NO_MEM;
	for (i = 0; i < found; i++) {
		(*list)[i] = calloc(1, sizeof(***list));
		if ((*list)[i] == NULL)
			return LIBUSB_ERROR_NO_MEM;
		atomic_store(&(*list)[i]->references, 1);
		(*list)[i]->entry = entries[i];
	}
	return (ssize_t)found;
}

libusb_device *libusb_ref_device(libusb_device *device)
{
	atomic_fetch_add(&device->references, 1);
	return device;
}

void libusb_unref_device(libusb_device *device)
{
	if (device != NULL && atomic_fetch_sub(&device->references, 1) == 1)
		free(device);
}

void libusb_free_device_list(libusb_device **list, int unref_devices)
{
	size_t i;

	if (list == NULL)
		return;
	for (i = 0; unref_devices && list[i] != NULL; i++)
		libusb_unref_device(list[i]);
	free(list);
}

int libusb_get_device_descriptor(libusb_device *device, struct libusb_device_descriptor *out)
{
	static const uint16_t ids[][2] = {
		[KIND_WEBUSB] = { 0x1209, 0x53c1 },
		[KIND_HID] = { 0x534c, 0x0001 },
		[KIND_OTHER] = { 0x1d6b, 0x0002 },
	};

	memset(out, 0, sizeof(*out));
	out->bLength = LIBUSB_DT_DEVICE_SIZE;
	out->bDescriptorType = LIBUSB_DT_DEVICE;
	out->idVendor = ids[device->entry.kind][0];
	out->idProduct = ids[device->entry.kind][1];
	out->bNumConfigurations = 1;
	return LIBUSB_SUCCESS;
}

uint8_t libusb_get_bus_number(libusb_device *device)
{
	return device->entry.bus;
}

uint8_t libusb_get_device_address(libusb_device *device)
{
	return device->entry.address;
}

/* ---- handles ------------------------------------------------------------------ */

static int connect_to_simulator(int port)
{
	struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&address, sizeof(address)) != 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

int libusb_open(libusb_device *device, libusb_device_handle **out)
{
	const struct entry *entry = &device->entry;
	libusb_device_handle *handle;

	*out = NULL;
	if (!still_plugged(entry))
		return LIBUSB_ERROR_NO_DEVICE;
	log_step("open %u:%u", entry->bus, entry->address);
	if (entry->open_error != 0)
		return entry->open_error;
	handle = calloc(1, sizeof(*handle));
	if (handle == NULL)
		return LIBUSB_ERROR_NO_MEM;
	handle->entry = *entry;
	handle->driver_attached = entry->kind == KIND_HID;   /* usbhid takes HID devices */
	handle->fd = connect_to_simulator(entry->port);
	if (handle->fd < 0) {
		free(handle);
		return LIBUSB_ERROR_IO;
	}
	*out = handle;
	return LIBUSB_SUCCESS;
}

void libusb_close(libusb_device_handle *handle)
{
	if (handle == NULL)
		return;
	log_step("close %u:%u", handle->entry.bus, handle->entry.address);
	close(handle->fd);
	free(handle);
}

int libusb_kernel_driver_active(libusb_device_handle *handle, int interface_number)
{
	if (interface_number != 0)
		return LIBUSB_ERROR_NOT_FOUND;
	return handle->driver_attached ? 1 : 0;
}

int libusb_detach_kernel_driver(libusb_device_handle *handle, int interface_number)
{
	if (interface_number != 0 || !handle->driver_attached)
		return LIBUSB_ERROR_NOT_FOUND;
	handle->driver_attached = false;
	log_step("detach %u:%u", handle->entry.bus, handle->entry.address);
	return LIBUSB_SUCCESS;
}

int libusb_attach_kernel_driver(libusb_device_handle *handle, int interface_number)
{
	if (interface_number != 0 || handle->driver_attached)
		return LIBUSB_ERROR_NOT_FOUND;
	handle->driver_attached = true;
	log_step("attach %u:%u", handle->entry.bus, handle->entry.address);
	return LIBUSB_SUCCESS;
}

int libusb_claim_interface(libusb_device_handle *handle, int interface_number)
{
	if (!still_plugged(&handle->entry))
		return LIBUSB_ERROR_NO_DEVICE;
	if (interface_number != 0)
		return LIBUSB_ERROR_NOT_FOUND;
	if (handle->entry.claim_error != 0 || handle->driver_attached)
		return LIBUSB_ERROR_BUSY;
	handle->claimed = true;
	log_step("claim %u:%u", handle->entry.bus, handle->entry.address);
	return LIBUSB_SUCCESS;
}

int libusb_release_interface(libusb_device_handle *handle, int interface_number)
{
	if (interface_number != 0 || !handle->claimed)
		return LIBUSB_ERROR_NOT_FOUND;
	handle->claimed = false;
	log_step("release %u:%u", handle->entry.bus, handle->entry.address);
	return LIBUSB_SUCCESS;
}

/* ---- transfers ------------------------------------------------------------------ */

static int write_out(libusb_device_handle *handle, unsigned char *data, int length,
		     int *transferred)
{
	if (length != 64) {
		log_step("bad-length %u:%u %d", handle->entry.bus, handle->entry.address, length);
		return LIBUSB_ERROR_IO;
	}
	log_step("out %u:%u %d %02x%02x%02x", handle->entry.bus, handle->entry.address, length,
		 data[0], data[1], data[2]);
	if (send(handle->fd, data, (size_t)length, 0) != length)
		return LIBUSB_ERROR_IO;
	*transferred = length;
	return LIBUSB_SUCCESS;
}

static int read_in(libusb_device_handle *handle, unsigned char *data, int length,
		   int *transferred, unsigned int timeout)
{
	struct pollfd waiting = { .fd = handle->fd, .events = POLLIN };
	unsigned char datagram[128];
	unsigned int waited = 0;
	ssize_t got;

	if (length < 64)
		return LIBUSB_ERROR_OVERFLOW;
	while (timeout == 0 || waited < timeout) {
		if (!still_plugged(&handle->entry))
			return LIBUSB_ERROR_NO_DEVICE;
		if (poll(&waiting, 1, SLICE_MS) == 1) {
			got = recv(handle->fd, datagram, sizeof(datagram), 0);
			if (got == 64) {
				memcpy(data, datagram, 64);
				*transferred = 64;
				log_step("in %u:%u 64", handle->entry.bus, handle->entry.address);
				return LIBUSB_SUCCESS;
			}
			if (got < 0 && errno == ECONNREFUSED)
				return LIBUSB_ERROR_IO;     /* the simulator died: a hung device */
			continue;
		}
		waited += SLICE_MS;
	}
	return LIBUSB_ERROR_TIMEOUT;
}

int libusb_interrupt_transfer(libusb_device_handle *handle, unsigned char endpoint,
			      unsigned char *data, int length, int *transferred,
			      unsigned int timeout)
{
	*transferred = 0;
	if (!still_plugged(&handle->entry))
		return LIBUSB_ERROR_NO_DEVICE;
	if (!handle->claimed)
		return LIBUSB_ERROR_IO;
	if (endpoint == 0x01)
		return write_out(handle, data, length, transferred);
	if (endpoint == 0x81)
		return read_in(handle, data, length, transferred, timeout);
	log_step("bad-endpoint %u:%u 0x%02x", handle->entry.bus, handle->entry.address, endpoint);
	return LIBUSB_ERROR_IO;
}

const char *libusb_error_name(int code)
{
	switch (code) {
	case LIBUSB_SUCCESS: return "LIBUSB_SUCCESS";
	case LIBUSB_ERROR_IO: return "LIBUSB_ERROR_IO";
	case LIBUSB_ERROR_ACCESS: return "LIBUSB_ERROR_ACCESS";
	case LIBUSB_ERROR_NO_DEVICE: return "LIBUSB_ERROR_NO_DEVICE";
	case LIBUSB_ERROR_NOT_FOUND: return "LIBUSB_ERROR_NOT_FOUND";
	case LIBUSB_ERROR_BUSY: return "LIBUSB_ERROR_BUSY";
	case LIBUSB_ERROR_TIMEOUT: return "LIBUSB_ERROR_TIMEOUT";
	case LIBUSB_ERROR_OVERFLOW: return "LIBUSB_ERROR_OVERFLOW";
	case LIBUSB_ERROR_NO_MEM: return "LIBUSB_ERROR_NO_MEM";
	default: return "LIBUSB_ERROR_OTHER";
	}
}
