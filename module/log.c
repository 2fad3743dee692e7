/* stderr messages. See log.h. */
#include "config.h"

#include "log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOG_PREFIX "trezor-pkcs11: "

static atomic_bool quiet;
static void (*_Atomic sink)(const char *message);

/* Format the whole line first and hand it to one write(), so lines from
 * several threads or processes sharing stderr do not interleave. */
static void write_line(const char *prefix_text, const char *format, va_list args)
	__attribute__((format(printf, 2, 0)));

static void write_line(const char *prefix_text, const char *format, va_list args)
{
	char line[1024];
	size_t prefix = strlen(prefix_text);
	int n;

	snprintf(line, sizeof(line), "%s", prefix_text);
	n = vsnprintf(line + prefix, sizeof(line) - prefix - 1, format, args);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - prefix - 2)
		n = (int)(sizeof(line) - prefix - 2);
	line[prefix + (size_t)n] = '\n';
	if (write(STDERR_FILENO, line, prefix + (size_t)n + 1) < 0) {
		/* Nowhere left to report it. */
	}
}

static void write_text(const char *prefix_text, const char *format, ...)
	__attribute__((format(printf, 2, 3)));

static void write_text(const char *prefix_text, const char *format, ...)
{
	va_list args;

	va_start(args, format);
	write_line(prefix_text, format, args);
	va_end(args);
}

void log_error(const char *format, ...)
{
	void (*to)(const char *message) = atomic_load(&sink);
	char message[1024];
	va_list args;

	if (atomic_load(&quiet))
		return;
	va_start(args, format);
	vsnprintf(message, sizeof(message), format, args);
	va_end(args);
	write_text(LOG_PREFIX, "%s", message);
	if (to != NULL && !log_stderr_is_terminal())
		to(message);
}

void log_set_sink(void (*new_sink)(const char *message))
{
	atomic_store(&sink, new_sink);
}

void log_set_quiet(bool be_quiet)
{
	atomic_store(&quiet, be_quiet);
}

static bool debug_enabled(void)
{
	const char *value = getenv("TREZOR_PKCS11_DEBUG");

	return value != NULL && atoi(value) > 0;
}

void log_debug(const char *format, ...)
{
	va_list args;

	if (!debug_enabled())
		return;
	va_start(args, format);
	write_line(LOG_PREFIX, format, args);
	va_end(args);
}

void log_notice(const char *format, ...)
{
	va_list args;

	if (atomic_load(&quiet) || !log_stderr_is_terminal())
		return;
	va_start(args, format);
	write_line("", format, args);
	va_end(args);
}

bool log_stderr_is_terminal(void)
{
	return isatty(STDERR_FILENO) == 1;
}
