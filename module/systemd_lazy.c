/* libsystemd, loaded on first use. See systemd_lazy.h. */
#include "config.h"

#include "systemd_lazy.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>

#include "log.h"

#define LIBSYSTEMD "libsystemd.so.0"

static struct systemd_api api;
static bool loaded;
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

/* One symbol into *slot; false if libsystemd lacks it. */
static bool take(void *handle, const char *name, void *slot)
{
	void *symbol = dlsym(handle, name);

	if (symbol == NULL)
		return false;
	/* POSIX lets a data pointer from dlsym be a function's address. */
	*(void **)slot = symbol;
	return true;
}

static void load(void)
{
	void *handle = dlopen(LIBSYSTEMD, RTLD_NOW | RTLD_LOCAL);

	if (handle == NULL) {
		log_debug("no %s: %s", LIBSYSTEMD, dlerror());
		return;
	}
	loaded = take(handle, "sd_bus_open_user", &api.bus_open_user) &&
		 take(handle, "sd_bus_flush_close_unref", &api.bus_flush_close_unref) &&
		 take(handle, "sd_bus_message_new_method_call", &api.bus_message_new_method_call) &&
		 take(handle, "sd_bus_message_append", &api.bus_message_append) &&
		 take(handle, "sd_bus_message_set_expect_reply", &api.bus_message_set_expect_reply) &&
		 take(handle, "sd_bus_message_read", &api.bus_message_read) &&
		 take(handle, "sd_bus_message_unref", &api.bus_message_unref) &&
		 take(handle, "sd_bus_send", &api.bus_send) &&
		 take(handle, "sd_bus_call", &api.bus_call) &&
		 take(handle, "sd_bus_error_free", &api.bus_error_free) &&
		 take(handle, "sd_journal_send", &api.journal_send);
	if (!loaded) {
		log_debug("%s lacks a function the module calls", LIBSYSTEMD);
		dlclose(handle);
	}
	/* Never closed once loaded: sd-bus keeps state for the process. */
}

const struct systemd_api *systemd_api(void)
{
	pthread_once(&load_once, load);
	return loaded ? &api : NULL;
}
