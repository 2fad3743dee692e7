/* libassuan, loaded on first use. See assuan_lazy.h. */
#include "config.h"

#include "assuan_lazy.h"

#include <pthread.h>
#include <stdbool.h>

#include "lazy_library.h"

static struct assuan_api api;
static bool loaded;
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

static void load(void)
{
	/* gpg_strerror is libgpg-error's, found through libassuan's own needs. */
	const struct lazy_symbol symbols[] = {
		{ "assuan_new", &api.new_context },
		{ "assuan_release", &api.release },
		{ "assuan_pipe_connect", &api.pipe_connect },
		{ "assuan_transact", &api.transact },
		{ "gpg_strerror", &api.error_text },
	};

	loaded = lazy_library_load(LIBASSUAN_SONAME, symbols, sizeof(symbols) / sizeof(symbols[0]));
}

const struct assuan_api *assuan_api(void)
{
	pthread_once(&load_once, load);
	return loaded ? &api : NULL;
}
