/* Libraries opened on first use. See lazy_library.h. */
#include "config.h"

#include "lazy_library.h"

#include <dlfcn.h>
#include <pthread.h>

#include "log.h"

/* Every symbol from `handle` into its slot; false, slots untouched, if one is missing. */
static bool resolve_all(void *handle, const struct lazy_symbol *symbols, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (dlsym(handle, symbols[i].name) == NULL)
			return false;
	/* POSIX lets a data pointer from dlsym be a function's address. */
	for (i = 0; i < count; i++)
		*(void **)symbols[i].slot = dlsym(handle, symbols[i].name);
	return true;
}

static bool load(const char *soname, const struct lazy_symbol *symbols, size_t count)
{
	void *handle;

	if (resolve_all(RTLD_DEFAULT, symbols, count)) {
		log_debug("%s: the program's own", soname);
		return true;
	}
	handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	if (handle == NULL) {
		log_debug("cannot open %s: %s", soname, dlerror());
		return false;
	}
	if (!resolve_all(handle, symbols, count)) {
		log_debug("%s lacks a function the module calls", soname);
		dlclose(handle);
		return false;
	}
	return true;
}

bool lazy_library_ready(struct lazy_library *library)
{
	/* One lock for all the libraries: each is loaded once, then only read. */
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	bool loaded;

	pthread_mutex_lock(&lock);
	if (!library->tried) {
		library->loaded = load(library->soname, library->symbols, library->count);
		library->tried = true;
	}
	loaded = library->loaded;
	pthread_mutex_unlock(&lock);
	return loaded;
}
