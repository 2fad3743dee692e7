/*
 * Trezors on USB, through libusb: which are attached (WebUSB 1209:53C1, or
 * 1209:53C0 in the bootloader, and old Trezor One HID 534C:0001), named
 * "webusb:BUS:ADDR" or "hid:BUS:ADDR".
 *
 * libusb is loaded (usb_lazy.h) and its context created on first use, so
 * loading the module costs nothing; the context lives until usb_shutdown()
 * (C_Finalize).
 */
#ifndef TREZOR_PKCS11_USB_H
#define TREZOR_PKCS11_USB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libusb.h>

#define USB_PATH_MAX 32
#define USB_DEVICES_MAX 16

enum usb_kind {
	USB_WEBUSB,
	USB_HID,
};

struct usb_candidate {
	enum usb_kind kind;
	uint8_t bus;
	uint8_t address;
	char path[USB_PATH_MAX];
};

/* The context, created on first call; NULL (reported once) if libusb fails. */
libusb_context *usb_context(void);

/* The Trezors attached now, at most `room`; returns how many were found. */
size_t usb_list(struct usb_candidate *out, size_t room);

/* The attached device at bus:address, referenced (libusb_unref_device it), or NULL. */
libusb_device *usb_find(uint8_t bus, uint8_t address);

/* "webusb" / "hid" */
const char *usb_kind_name(enum usb_kind kind);

/* End the context (C_Finalize). */
void usb_shutdown(void);

/* After fork(): forget the parent's context without touching it. */
void usb_forget(void);

#endif
