/* pinentry through libassuan. See pinentry.h. */
#include "config.h"

#include "pinentry.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "assuan_lazy.h"

#define COMMAND_MAX 2048
#define INSTALL_HINT "install one (Debian: pinentry-curses for terminals, pinentry-gnome3 " \
		     "for desktops) or set TREZOR_PKCS11_PINENTRY"

/* What GETPIN's data lines bring; wiped by the caller. */
struct answer {
	char *text;
	size_t size, length;
	bool too_long;
};

static bool executable(const char *path)
{
	return access(path, X_OK) == 0;
}

/* $TREZOR_PKCS11_PINENTRY or "pinentry", as a path (looked up on PATH). */
bool pinentry_program(char *path, size_t size)
{
	const char *name = getenv("TREZOR_PKCS11_PINENTRY");
	const char *search = getenv("PATH");
	const char *directory, *end;

	if (name == NULL || name[0] == '\0')
		name = "pinentry";
	if (strchr(name, '/') != NULL) {
		snprintf(path, size, "%s", name);
		return executable(path);
	}
	for (directory = search != NULL ? search : "/usr/bin:/bin"; *directory != '\0';
	     directory = *end != '\0' ? end + 1 : end) {
		end = strchr(directory, ':');
		if (end == NULL)
			end = directory + strlen(directory);
		snprintf(path, size, "%.*s/%s", (int)(end - directory), directory, name);
		if (end > directory && executable(path))
			return true;
	}
	return false;
}

/* Assuan arguments: '%', CR and LF percent-escaped. */
static void escape(const char *text, char *out, size_t size)
{
	size_t n = 0;

	for (; *text != '\0' && n + 4 < size; text++) {
		if (*text == '%' || *text == '\n' || *text == '\r')
			n += (size_t)snprintf(out + n, size - n, "%%%02X", (unsigned char)*text);
		else
			out[n++] = *text;
	}
	out[n] = '\0';
}

static gpg_error_t send_command(const struct assuan_api *lib, assuan_context_t context,
				const char *verb, const char *text)
{
	char command[COMMAND_MAX], escaped[COMMAND_MAX - 32];

	escape(text, escaped, sizeof(escaped));
	snprintf(command, sizeof(command), "%s %s", verb, escaped);
	return lib->transact(context, command, NULL, NULL, NULL, NULL, NULL, NULL);
}

static gpg_error_t collect_answer(void *opaque, const void *data, size_t length)
{
	struct answer *answer = opaque;

	if (answer->length + length >= answer->size) {
		answer->too_long = true;
		return 0;
	}
	memcpy(answer->text + answer->length, data, length);
	answer->length += length;
	answer->text[answer->length] = '\0';
	return 0;
}

/* Tell pinentry where the person is: a terminal, if there is one. */
static void send_terminal(const struct assuan_api *lib, assuan_context_t context)
{
	const char *tty = getenv("GPG_TTY"), *term = getenv("TERM");
	char command[PATH_MAX + 32];
	int fd;

	if (tty == NULL) {
		fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
		if (fd >= 0) {
			close(fd);
			tty = "/dev/tty";
		}
	}
	if (tty != NULL) {
		snprintf(command, sizeof(command), "OPTION ttyname=%s", tty);
		lib->transact(context, command, NULL, NULL, NULL, NULL, NULL, NULL);
	}
	if (term != NULL) {
		snprintf(command, sizeof(command), "OPTION ttytype=%s", term);
		lib->transact(context, command, NULL, NULL, NULL, NULL, NULL, NULL);
	}
}

static enum pinentry_result converse(const struct assuan_api *lib, assuan_context_t context,
				     const struct pinentry_request *request,
				     struct answer *answer, char *error, size_t error_size)
{
	char timeout[32];
	gpg_error_t rc;

	send_terminal(lib, context);
	snprintf(timeout, sizeof(timeout), "%d", request->timeout_seconds);
	send_command(lib, context, "SETTIMEOUT", timeout);
	send_command(lib, context, "SETTITLE", request->title);
	send_command(lib, context, "SETDESC", request->description);
	send_command(lib, context, "SETPROMPT", request->prompt);
	rc = lib->transact(context, "GETPIN", collect_answer, answer, NULL, NULL, NULL, NULL);
	if (gpg_err_code(rc) == GPG_ERR_CANCELED || gpg_err_code(rc) == GPG_ERR_FULLY_CANCELED) {
		snprintf(error, error_size, "cancelled in pinentry");
		return PINENTRY_CANCELLED;
	}
	if (gpg_err_code(rc) == GPG_ERR_TIMEOUT) {
		snprintf(error, error_size, "nobody answered pinentry in time");
		return PINENTRY_CANCELLED;
	}
	if (rc != 0) {
		snprintf(error, error_size, "pinentry could not ask (no terminal or display?): %s",
			 lib->error_text(rc));
		return PINENTRY_UNAVAILABLE;
	}
	if (answer->too_long) {
		snprintf(error, error_size, "what was typed is longer than %zu bytes",
			 answer->size - 1);
		return PINENTRY_CANCELLED;
	}
	return PINENTRY_OK;
}

/*
 * A pinentry that dies would kill the host program with SIGPIPE on our next
 * write. A library must not change the program's signal handling, so
 * SIGPIPE is held back in this thread only, and any that came is taken.
 */
static void hold_sigpipe(sigset_t *saved)
{
	sigset_t pipe_only;

	sigemptyset(&pipe_only);
	sigaddset(&pipe_only, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_only, saved);
}

static void release_sigpipe(const sigset_t *saved)
{
	sigset_t pipe_only, pending;
	struct timespec none = { 0, 0 };

	sigemptyset(&pipe_only);
	sigaddset(&pipe_only, SIGPIPE);
	sigpending(&pending);
	if (sigismember(&pending, SIGPIPE) && !sigismember(saved, SIGPIPE))
		sigtimedwait(&pipe_only, NULL, &none);
	pthread_sigmask(SIG_SETMASK, saved, NULL);
}

enum pinentry_result pinentry_ask(const struct pinentry_request *request, char *text,
				  size_t size, char *error, size_t error_size)
{
	char program[PATH_MAX];
	const char *argv[2];
	const struct assuan_api *lib;
	assuan_context_t context = NULL;
	struct answer answer = { text, size, 0, false };
	enum pinentry_result result = PINENTRY_UNAVAILABLE;
	sigset_t saved;
	gpg_error_t rc;

	text[0] = '\0';
	if (!pinentry_program(program, sizeof(program))) {
		snprintf(error, error_size, "no pinentry program to ask with: " INSTALL_HINT);
		return PINENTRY_UNAVAILABLE;
	}
	lib = assuan_api();
	if (lib == NULL) {
		snprintf(error, error_size, "cannot ask with %s: %s cannot be loaded", program,
			 LIBASSUAN_SONAME);
		return PINENTRY_UNAVAILABLE;
	}
	argv[0] = program;
	argv[1] = NULL;
	hold_sigpipe(&saved);
	rc = lib->new_context(&context);
	if (rc == 0)
		rc = lib->pipe_connect(context, program, argv, NULL, NULL, NULL, 0);
	if (rc != 0)
		snprintf(error, error_size, "cannot start %s: %s", program, lib->error_text(rc));
	else
		result = converse(lib, context, request, &answer, error, error_size);
	lib->release(context);
	release_sigpipe(&saved);
	if (result != PINENTRY_OK)
		explicit_bzero(text, size);
	return result;
}
