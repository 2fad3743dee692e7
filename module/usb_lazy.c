/* libusb, loaded on first use. See usb_lazy.h. */
#include "config.h"

#include "usb_lazy.h"

#include "lazy_library.h"

static struct usb_api api;
static const struct lazy_symbol symbols[] = {
	{ "libusb_init", &api.init },
	{ "libusb_exit", &api.exit },
	{ "libusb_error_name", &api.error_name },
	{ "libusb_get_device_list", &api.get_device_list },
	{ "libusb_free_device_list", &api.free_device_list },
	{ "libusb_get_device_descriptor", &api.get_device_descriptor },
	{ "libusb_get_bus_number", &api.get_bus_number },
	{ "libusb_get_device_address", &api.get_device_address },
	{ "libusb_ref_device", &api.ref_device },
	{ "libusb_unref_device", &api.unref_device },
	{ "libusb_open", &api.open },
	{ "libusb_close", &api.close },
	{ "libusb_kernel_driver_active", &api.kernel_driver_active },
	{ "libusb_detach_kernel_driver", &api.detach_kernel_driver },
	{ "libusb_attach_kernel_driver", &api.attach_kernel_driver },
	{ "libusb_claim_interface", &api.claim_interface },
	{ "libusb_release_interface", &api.release_interface },
	{ "libusb_interrupt_transfer", &api.interrupt_transfer },
};
static struct lazy_library library = {
	.soname = LIBUSB_SONAME,
	.symbols = symbols,
	.count = sizeof(symbols) / sizeof(symbols[0]),
};

const struct usb_api *usb_api(void)
{
	return lazy_library_ready(&library) ? &api : NULL;
}
