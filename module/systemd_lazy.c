/* libsystemd, loaded on first use. See systemd_lazy.h. */
#include "config.h"

#include "systemd_lazy.h"

#include "lazy_library.h"

static struct systemd_api api;
static const struct lazy_symbol symbols[] = {
	{ "sd_bus_open_user", &api.bus_open_user },
	{ "sd_bus_flush_close_unref", &api.bus_flush_close_unref },
	{ "sd_bus_message_new_method_call", &api.bus_message_new_method_call },
	{ "sd_bus_message_append", &api.bus_message_append },
	{ "sd_bus_message_set_expect_reply", &api.bus_message_set_expect_reply },
	{ "sd_bus_message_read", &api.bus_message_read },
	{ "sd_bus_message_unref", &api.bus_message_unref },
	{ "sd_bus_send", &api.bus_send },
	{ "sd_bus_call", &api.bus_call },
	{ "sd_bus_error_free", &api.bus_error_free },
	{ "sd_journal_send", &api.journal_send },
};
static struct lazy_library library = {
	.soname = LIBSYSTEMD_SONAME,
	.symbols = symbols,
	.count = sizeof(symbols) / sizeof(symbols[0]),
};

const struct systemd_api *systemd_api(void)
{
	return lazy_library_ready(&library) ? &api : NULL;
}
