/* libusb context and enumeration. See usb.h. */
#include "config.h"

#include "usb.h"

#include <stdio.h>

#include "log.h"
#include "usb_lazy.h"

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
	const struct usb_api *lib;
	int rc;

	if (context != NULL || context_failed)
		return context;
	lib = usb_api();
	if (lib == NULL) {
		log_error("cannot use USB: cannot load %s (Debian package libusb-1.0-0)",
			  LIBUSB_SONAME);
		context_failed = true;
		return NULL;
	}
	rc = lib->init(&context);
	if (rc != LIBUSB_SUCCESS) {
		log_error("cannot use USB: libusb: %s", lib->error_name(rc));
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
static bool trezor_kind(const struct usb_api *lib, libusb_device *device, enum usb_kind *kind)
{
	struct libusb_device_descriptor descriptor;

	if (lib->get_device_descriptor(device, &descriptor) != LIBUSB_SUCCESS)
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
	const struct usb_api *lib = usb_api();
	libusb_device **devices;
	ssize_t total, i;
	size_t found = 0;
	enum usb_kind kind;

	if (usb == NULL || lib == NULL)
		return 0;
	total = lib->get_device_list(usb, &devices);
	if (total < 0) {
		log_error("cannot list USB devices: libusb: %s", lib->error_name((int)total));
		return 0;
	}
	for (i = 0; i < total && found < room; i++) {
		if (!trezor_kind(lib, devices[i], &kind))
			continue;
		out[found].kind = kind;
		out[found].bus = lib->get_bus_number(devices[i]);
		out[found].address = lib->get_device_address(devices[i]);
		snprintf(out[found].path, sizeof(out[found].path), "%s:%u:%u", usb_kind_name(kind),
			 out[found].bus, out[found].address);
		found++;
	}
	lib->free_device_list(devices, 1);
	return found;
}

libusb_device *usb_find(uint8_t bus, uint8_t address)
{
	libusb_context *usb = usb_context();
	const struct usb_api *lib = usb_api();
	libusb_device **devices, *match = NULL;
	ssize_t total, i;

	if (usb == NULL || lib == NULL)
		return NULL;
	total = lib->get_device_list(usb, &devices);
	if (total < 0)
		return NULL;
	for (i = 0; i < total && match == NULL; i++)
		if (lib->get_bus_number(devices[i]) == bus &&
		    lib->get_device_address(devices[i]) == address)
			match = lib->ref_device(devices[i]);
	lib->free_device_list(devices, 1);
	return match;
}

void usb_shutdown(void)
{
	/* A context exists only if libusb was loaded. */
	if (context != NULL)
		usb_api()->exit(context);
	context = NULL;
	context_failed = false;
}

void usb_forget(void)
{
	context = NULL;
	context_failed = false;
}
