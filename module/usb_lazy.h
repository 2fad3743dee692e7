/*
 * libusb, opened when the module first looks for a USB Trezor (usb.c), so
 * a program that reaches its Trezor over UDP or Bridge never loads it, nor
 * libudev, which it pulls in (lazy_library.h).
 */
#ifndef TREZOR_PKCS11_USB_LAZY_H
#define TREZOR_PKCS11_USB_LAZY_H

#include <libusb.h>

/*
 * The functions the module calls, named as in libusb without "libusb_",
 * each declared with the type the installed header gives it.
 */
struct usb_api {
	__typeof__(libusb_init) *init;
	__typeof__(libusb_exit) *exit;
	__typeof__(libusb_error_name) *error_name;
	__typeof__(libusb_get_device_list) *get_device_list;
	__typeof__(libusb_free_device_list) *free_device_list;
	__typeof__(libusb_get_device_descriptor) *get_device_descriptor;
	__typeof__(libusb_get_bus_number) *get_bus_number;
	__typeof__(libusb_get_device_address) *get_device_address;
	__typeof__(libusb_ref_device) *ref_device;
	__typeof__(libusb_unref_device) *unref_device;
	__typeof__(libusb_open) *open;
	__typeof__(libusb_close) *close;
	__typeof__(libusb_kernel_driver_active) *kernel_driver_active;
	__typeof__(libusb_detach_kernel_driver) *detach_kernel_driver;
	__typeof__(libusb_attach_kernel_driver) *attach_kernel_driver;
	__typeof__(libusb_claim_interface) *claim_interface;
	__typeof__(libusb_release_interface) *release_interface;
	__typeof__(libusb_interrupt_transfer) *interrupt_transfer;
};

/* libusb's functions, loaded on the first call; NULL if it cannot be. */
const struct usb_api *usb_api(void);

#endif
