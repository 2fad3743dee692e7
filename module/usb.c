/* libusb context and enumeration. See usb.h. */
#include "config.h"

#include "usb.h"

#include <stdio.h>

#include "log.h"

#define WEBUSB_VENDOR 0x1209
#define WEBUSB_PRODUCT 0x53c1
/* Core models and newer Trezor One bootloaders enumerate as 53C0: opening
 * one tells the person the device is in bootloader mode. */
#define WEBUSB_BOOTLOADER_PRODUCT 0x53c0
#define HID_VENDOR 0x534c
#define HID_PRODUCT 0x0001

static libusb_context *context;
static bool context_failed;

libusb_context *usb_context(void)
{
	int rc;

	if (context != NULL || context_failed)
		return context;
	rc = libusb_init(&context);
	if (rc != LIBUSB_SUCCESS) {
		log_error("cannot use USB: libusb: %s", libusb_error_name(rc));
		context = NULL;
		context_failed = true;
	}
	return context;
}

const char *usb_kind_name(enum usb_kind kind)
{
	return kind == USB_HID ? "hid" : "webusb";
}

/* Is this a Trezor, and which kind? */
static bool trezor_kind(libusb_device *device, enum usb_kind *kind)
{
	struct libusb_device_descriptor descriptor;

	if (libusb_get_device_descriptor(device, &descriptor) != LIBUSB_SUCCESS)
		return false;
	if (descriptor.idVendor == WEBUSB_VENDOR && (descriptor.idProduct == WEBUSB_PRODUCT ||
						      descriptor.idProduct == WEBUSB_BOOTLOADER_PRODUCT)) {
		*kind = USB_WEBUSB;
		return true;
	}
	if (descriptor.idVendor == HID_VENDOR && descriptor.idProduct == HID_PRODUCT) {
		*kind = USB_HID;
		return true;
	}
	return false;
}

size_t usb_list(struct usb_candidate *out, size_t room)
{
	libusb_context *usb = usb_context();
	libusb_device **devices;
	ssize_t total, i;
	size_t found = 0;
	enum usb_kind kind;

	if (usb == NULL)
		return 0;
	total = libusb_get_device_list(usb, &devices);
	if (total < 0) {
		log_error("cannot list USB devices: libusb: %s", libusb_error_name((int)total));
		return 0;
	}
	for (i = 0; i < total && found < room; i++) {
		if (!trezor_kind(devices[i], &kind))
			continue;
		out[found].kind = kind;
		out[found].bus = libusb_get_bus_number(devices[i]);
		out[found].address = libusb_get_device_address(devices[i]);
		snprintf(out[found].path, sizeof(out[found].path), "%s:%u:%u", usb_kind_name(kind),
			 out[found].bus, out[found].address);
		found++;
	}
	libusb_free_device_list(devices, 1);
	return found;
}

libusb_device *usb_find(uint8_t bus, uint8_t address)
{
	libusb_context *usb = usb_context();
	libusb_device **devices, *match = NULL;
	ssize_t total, i;

	if (usb == NULL)
		return NULL;
	total = libusb_get_device_list(usb, &devices);
	if (total < 0)
		return NULL;
	for (i = 0; i < total && match == NULL; i++)
		if (libusb_get_bus_number(devices[i]) == bus &&
		    libusb_get_device_address(devices[i]) == address)
			match = libusb_ref_device(devices[i]);
	libusb_free_device_list(devices, 1);
	return match;
}

void usb_shutdown(void)
{
	if (context != NULL)
		libusb_exit(context);
	context = NULL;
	context_failed = false;
}

void usb_forget(void)
{
	context = NULL;
	context_failed = false;
}
