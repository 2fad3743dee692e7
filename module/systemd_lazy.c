/* libsystemd, loaded on first use. See systemd_lazy.h. */
#include "config.h"

#include "systemd_lazy.h"

#include <pthread.h>
#include <stdbool.h>

#include "lazy_library.h"

static struct systemd_api api;
static bool loaded;
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

static void load(void)
{
	const struct lazy_symbol symbols[] = {
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

	loaded = lazy_library_load(LIBSYSTEMD_SONAME, symbols, sizeof(symbols) / sizeof(symbols[0]));
}

const struct systemd_api *systemd_api(void)
{
	pthread_once(&load_once, load);
	return loaded ? &api : NULL;
}
