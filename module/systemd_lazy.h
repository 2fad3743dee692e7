/*
 * libsystemd, opened only when the module first needs it: for a desktop
 * notice (notice.c, sd-bus) or an error line in the journal (error_log.c).
 * Linked in, it and the five libraries it pulls in (libgcrypt among them)
 * were loaded into every program that loads the module, most of which
 * never show a notice: about 0.6 ms of each ssh -I (HACKING, section 4).
 */
#ifndef TREZOR_PKCS11_SYSTEMD_LAZY_H
#define TREZOR_PKCS11_SYSTEMD_LAZY_H

#include <systemd/sd-bus.h>

/* The functions the module calls, named as in libsystemd without "sd_". */
struct systemd_api {
	int (*bus_open_user)(sd_bus **bus);
	sd_bus *(*bus_flush_close_unref)(sd_bus *bus);
	int (*bus_message_new_method_call)(sd_bus *bus, sd_bus_message **message,
					   const char *destination, const char *path,
					   const char *interface, const char *member);
	int (*bus_message_append)(sd_bus_message *message, const char *types, ...);
	int (*bus_message_set_expect_reply)(sd_bus_message *message, int expect);
	int (*bus_message_read)(sd_bus_message *message, const char *types, ...);
	sd_bus_message *(*bus_message_unref)(sd_bus_message *message);
	int (*bus_send)(sd_bus *bus, sd_bus_message *message, uint64_t *cookie);
	int (*bus_call)(sd_bus *bus, sd_bus_message *message, uint64_t timeout_usec,
			sd_bus_error *error, sd_bus_message **reply);
	void (*bus_error_free)(sd_bus_error *error);
	int (*journal_send)(const char *format, ...);
};

/* libsystemd's functions, loaded on the first call; NULL if it cannot be. */
const struct systemd_api *systemd_api(void);

#endif
