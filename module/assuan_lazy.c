/* libassuan, loaded on first use. See assuan_lazy.h. */
#include "config.h"

#include "assuan_lazy.h"

#include "lazy_library.h"

static struct assuan_api api;
/* gpg_strerror is libgpg-error's, found through libassuan's own needs. */
static const struct lazy_symbol symbols[] = {
	{ "assuan_new", &api.new_context },
	{ "assuan_release", &api.release },
	{ "assuan_pipe_connect", &api.pipe_connect },
	{ "assuan_transact", &api.transact },
	{ "gpg_strerror", &api.error_text },
};
static struct lazy_library library = {
	.soname = LIBASSUAN_SONAME,
	.symbols = symbols,
	.count = sizeof(symbols) / sizeof(symbols[0]),
};

const struct assuan_api *assuan_api(void)
{
	return lazy_library_ready(&library) ? &api : NULL;
}
