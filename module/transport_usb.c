/*
 * USB backend (libusb): 64-byte interrupt transfers on interface 0,
 * endpoint 0x01 out and 0x81 in, for WebUSB Trezors (1209:53C1) and old
 * Trezor One HID devices (534C:0001).
 *
 * HID: programs that use hidraw or hidapi write a 65-byte report, a leading
 * report id 0x00 and the 64 bytes; the id is not sent on the wire (the
 * Trezor One reads 64-byte packets that start with '?'). Here, below hidapi,
 * the transfer is the 64 bytes, so HID and WebUSB differ only in the ids and
 * in the kernel's usbhid driver, which must let go of a HID interface first.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "transport.h"
#include "usb.h"
#include "usb_lazy.h"

#define TREZOR_INTERFACE 0
#define ENDPOINT_IN 0x81
#define ENDPOINT_OUT 0x01
#define WRITE_TIMEOUT_MS 2000

struct usb_transport {
	struct transport base;
	const struct usb_api *lib;      /* loaded: the device was found through it */
	libusb_device_handle *handle;
	bool driver_detached;           /* give the interface back to the kernel */
};

static struct usb_transport *usb_of(struct transport *transport)
{
	return (struct usb_transport *)transport;
}

static enum transport_status transfer_failure(struct usb_transport *usb, int rc)
{
	if (rc == LIBUSB_ERROR_NO_DEVICE) {
		transport_set_error(&usb->base, "the Trezor at %s was unplugged", usb->base.path);
		return TRANSPORT_GONE;
	}
	transport_set_error(&usb->base, "USB transfer with the Trezor at %s failed: %s",
			    usb->base.path, usb->lib->error_name(rc));
	return TRANSPORT_ERROR;
}

static enum transport_status usb_write_report(struct transport *transport,
					      const uint8_t report[WIRE_REPORT_SIZE])
{
	struct usb_transport *usb = usb_of(transport);
	uint8_t data[WIRE_REPORT_SIZE];
	int transferred = 0, rc;

	memcpy(data, report, sizeof(data));
	rc = usb->lib->interrupt_transfer(usb->handle, ENDPOINT_OUT, data, sizeof(data),
					  &transferred, WRITE_TIMEOUT_MS);
	explicit_bzero(data, sizeof(data));     /* it may hold a PIN or passphrase */
	if (rc == LIBUSB_ERROR_TIMEOUT) {
		transport_set_error(transport, "the Trezor at %s does not take data", transport->path);
		return TRANSPORT_TIMEOUT;
	}
	if (rc != LIBUSB_SUCCESS)
		return transfer_failure(usb, rc);
	if (transferred != WIRE_REPORT_SIZE) {
		transport_set_error(transport, "the Trezor at %s took %d of 64 bytes",
				    transport->path, transferred);
		return TRANSPORT_ERROR;
	}
	return TRANSPORT_OK;
}

/* Read in short slices so a raised cancel flag is seen quickly. */
static enum transport_status usb_read_report(struct transport *transport,
					     uint8_t report[WIRE_REPORT_SIZE], int timeout_ms)
{
	struct usb_transport *usb = usb_of(transport);
	int64_t deadline = clock_monotonic_ms() + timeout_ms;
	int transferred, rc, slice;

	for (;;) {
		if (transport_cancelled(transport)) {
			transport_set_error(transport, "cancelled");
			return TRANSPORT_CANCELLED;
		}
		slice = clock_remaining_ms(deadline);
		if (slice > TRANSPORT_CANCEL_CHECK_MS)
			slice = TRANSPORT_CANCEL_CHECK_MS;
		if (slice <= 0) {
			transport_set_error(transport, "no answer from %s in time", transport->path);
			return TRANSPORT_TIMEOUT;
		}
		transferred = 0;
		rc = usb->lib->interrupt_transfer(usb->handle, ENDPOINT_IN, report, WIRE_REPORT_SIZE,
						  &transferred, (unsigned int)slice);
		if (rc == LIBUSB_ERROR_TIMEOUT && transferred == 0)
			continue;
		if (rc != LIBUSB_SUCCESS && rc != LIBUSB_ERROR_TIMEOUT)
			return transfer_failure(usb, rc);
		if (transferred != WIRE_REPORT_SIZE) {
			transport_set_error(transport, "the Trezor at %s sent a %d-byte report, not 64",
					    transport->path, transferred);
			return TRANSPORT_BAD_DATA;
		}
		return TRANSPORT_OK;
	}
}

static void usb_close(struct transport *transport)
{
	struct usb_transport *usb = usb_of(transport);

	usb->lib->release_interface(usb->handle, TREZOR_INTERFACE);
	if (usb->driver_detached)
		usb->lib->attach_kernel_driver(usb->handle, TREZOR_INTERFACE);
	usb->lib->close(usb->handle);
	free(usb);
}

/*
 * In a forked child: releasing the interface or closing the handle would
 * act on the usbfs descriptor the parent shares (a release is an ioctl on
 * it), and libusb may not be called at all after fork() (its locks may be
 * held by a thread the child does not have). So the handle is abandoned,
 * never touched; libusb opens its descriptors close-on-exec.
 */
static void usb_transport_forget(struct transport *transport)
{
	free(usb_of(transport));
}

static const struct transport_ops usb_ops = {
	.write_report = usb_write_report,
	.read_report = usb_read_report,
	.close = usb_close,
	.forget = usb_transport_forget,
};

/* "" (the first of the kind) or "BUS:ADDR" -> the attached device. */
static libusb_device *find_device(enum usb_kind kind, const char *spec, char *path,
				  size_t path_size)
{
	struct usb_candidate attached[USB_DEVICES_MAX];
	size_t found = usb_list(attached, USB_DEVICES_MAX), i;
	unsigned bus, address;
	char extra;

	if (spec[0] != '\0' && sscanf(spec, "%u:%u%c", &bus, &address, &extra) != 2)
		return NULL;
	for (i = 0; i < found; i++) {
		if (attached[i].kind != kind)
			continue;
		if (spec[0] != '\0' && (attached[i].bus != bus || attached[i].address != address))
			continue;
		snprintf(path, path_size, "%s", attached[i].path);
		return usb_find(attached[i].bus, attached[i].address);
	}
	return NULL;
}

static enum transport_status open_failure(const struct usb_api *lib, int rc, const char *path,
					  char *error, size_t error_size)
{
	switch (rc) {
	case LIBUSB_ERROR_ACCESS:
		snprintf(error, error_size, "no permission to use the Trezor at %s: install the udev "
			 "rules (README, section Install), then plug it in again", path);
		return TRANSPORT_ERROR;
	case LIBUSB_ERROR_BUSY:
		/* Said only when TREZOR_PATH names the device: else discovery goes
		 * through Bridge by itself, and says so when it cannot. */
		snprintf(error, error_size, "the Trezor at %s is in use by another program, most "
			 "likely Trezor Suite or Trezor Bridge: close it, or unset TREZOR_PATH "
			 "so that trezor-pkcs11 goes through Bridge", path);
		return TRANSPORT_BUSY;
	case LIBUSB_ERROR_NO_DEVICE:
		snprintf(error, error_size, "the Trezor at %s was unplugged", path);
		return TRANSPORT_GONE;
	default:
		snprintf(error, error_size, "cannot open the Trezor at %s: %s", path,
			 lib->error_name(rc));
		return TRANSPORT_ERROR;
	}
}

/* Take interface 0 from the kernel (usbhid holds HID Trezors) and claim it. */
static int claim(struct usb_transport *usb)
{
	int rc = usb->lib->kernel_driver_active(usb->handle, TREZOR_INTERFACE);

	if (rc == 1) {
		rc = usb->lib->detach_kernel_driver(usb->handle, TREZOR_INTERFACE);
		if (rc != LIBUSB_SUCCESS)
			return rc;
		usb->driver_detached = true;
	}
	return usb->lib->claim_interface(usb->handle, TREZOR_INTERFACE);
}

enum transport_status transport_usb_open(bool hid, const char *spec, struct transport **out,
					 char *error, size_t error_size)
{
	enum usb_kind kind = hid ? USB_HID : USB_WEBUSB;
	char path[USB_PATH_MAX];
	const struct usb_api *lib;
	libusb_device *device;
	struct usb_transport *usb;
	int rc;

	*out = NULL;
	snprintf(path, sizeof(path), "%s%s%s", usb_kind_name(kind), spec[0] ? ":" : "", spec);
	device = find_device(kind, spec, path, sizeof(path));
	if (device == NULL) {
		snprintf(error, error_size, "no Trezor at %s", path);
		return TRANSPORT_GONE;
	}
	lib = usb_api();        /* loaded: find_device found the device through it */
	usb = calloc(1, sizeof(*usb));
	if (usb == NULL) {
		lib->unref_device(device);
		snprintf(error, error_size, "out of memory");
		return TRANSPORT_ERROR;
	}
	usb->lib = lib;
	rc = lib->open(device, &usb->handle);
	lib->unref_device(device);
	if (rc == LIBUSB_SUCCESS) {
		rc = claim(usb);
		if (rc != LIBUSB_SUCCESS) {
			if (usb->driver_detached)
				lib->attach_kernel_driver(usb->handle, TREZOR_INTERFACE);
			lib->close(usb->handle);
		}
	}
	if (rc != LIBUSB_SUCCESS) {
		free(usb);
		return open_failure(lib, rc, path, error, error_size);
	}
	usb->base.ops = &usb_ops;
	usb->base.thp_capable = true;
	snprintf(usb->base.path, sizeof(usb->base.path), "%s", path);
	*out = &usb->base;
	return TRANSPORT_OK;
}
