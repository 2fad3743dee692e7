/* Notices on the terminal, through SSH_ASKPASS, or on the desktop. See notice.h. */
#include "config.h"

#include "notice.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "systemd_lazy.h"

#define NOTICE_MAX 512
#define DESKTOP_TIMEOUT_USEC (500 * 1000)
#define DESKTOP_SERVICE "org.freedesktop.Notifications"
#define DESKTOP_PATH "/org/freedesktop/Notifications"

extern char **environ;

enum notice_mode { NOTICE_AUTO, NOTICE_OFF, NOTICE_ON };

static enum notice_mode notice_mode(void)
{
	const char *setting = getenv("TREZOR_PKCS11_NOTICE");

	if (setting == NULL || setting[0] == '\0' || strcmp(setting, "auto") == 0)
		return NOTICE_AUTO;
	if (strcmp(setting, "off") == 0)
		return NOTICE_OFF;
	if (strcmp(setting, "on") == 0)
		return NOTICE_ON;
	log_debug("TREZOR_PKCS11_NOTICE=%s is not off, on or auto: taken as auto", setting);
	return NOTICE_AUTO;
}

/* ---- SSH_ASKPASS ------------------------------------------------------------------- */

/* OpenSSH's conditions: a program named, and somewhere for it to show. */
static const char *askpass_program(void)
{
	const char *program = getenv("SSH_ASKPASS"), *require = getenv("SSH_ASKPASS_REQUIRE");

	if (program == NULL || program[0] == '\0')
		return NULL;
	if (getenv("DISPLAY") == NULL && getenv("WAYLAND_DISPLAY") == NULL &&
	    (require == NULL || strcmp(require, "force") != 0))
		return NULL;
	return program;
}

/* The environment with SSH_ASKPASS_PROMPT=none (malloc'd array of borrowed strings). */
static char **askpass_environment(void)
{
	static char prompt_none[] = "SSH_ASKPASS_PROMPT=none";
	size_t count = 0, i, used = 0;
	char **copy;

	while (environ[count] != NULL)
		count++;
	copy = calloc(count + 2, sizeof(*copy));
	if (copy == NULL)
		return NULL;
	for (i = 0; i < count; i++)
		if (strncmp(environ[i], "SSH_ASKPASS_PROMPT=", 19) != 0)
			copy[used++] = environ[i];
	copy[used] = prompt_none;
	return copy;
}

static void askpass_close(struct notice *notice)
{
	if (notice->askpass <= 0)
		return;
	kill(notice->askpass, SIGTERM);
	while (waitpid(notice->askpass, NULL, 0) < 0 && errno == EINTR)
		;
	notice->askpass = 0;
}

static bool askpass_show(struct notice *notice, const char *text)
{
	const char *program = askpass_program();
	posix_spawn_file_actions_t actions;
	char *argv[3], **environment;
	pid_t pid;
	int rc;

	if (program == NULL)
		return false;
	environment = askpass_environment();
	if (environment == NULL || posix_spawn_file_actions_init(&actions) != 0) {
		free(environment);
		return false;
	}
	/* Nothing of ours reaches it, nothing of it reaches ssh's data. */
	posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	argv[0] = (char *)program;
	argv[1] = (char *)text;
	argv[2] = NULL;
	askpass_close(notice);
	rc = posix_spawnp(&pid, program, &actions, NULL, argv, environment);
	posix_spawn_file_actions_destroy(&actions);
	free(environment);
	if (rc != 0) {
		log_debug("SSH_ASKPASS (%s) could not be started: %s", program, strerror(rc));
		return false;
	}
	notice->askpass = pid;
	return true;
}

/* ---- the desktop -------------------------------------------------------------------- */

/* CloseNotification(id), sent without waiting for the answer. */
static void desktop_close(struct notice *notice)
{
	const struct systemd_api *sd;
	sd_bus *bus = notice->bus;
	sd_bus_message *call = NULL;

	/* No bus, nothing to close: libsystemd is not loaded for nothing. */
	if (bus == NULL || (sd = systemd_api()) == NULL)
		return;
	if (notice->desktop_id != 0 &&
	    sd->bus_message_new_method_call(bus, &call, DESKTOP_SERVICE, DESKTOP_PATH,
					   DESKTOP_SERVICE, "CloseNotification") >= 0 &&
	    sd->bus_message_append(call, "u", notice->desktop_id) >= 0 &&
	    sd->bus_message_set_expect_reply(call, 0) >= 0)
		sd->bus_send(bus, call, NULL);
	sd->bus_message_unref(call);
	sd->bus_flush_close_unref(bus);
	notice->bus = NULL;
	notice->desktop_id = 0;
}

/* Notify(app, replaces, icon, summary, body, actions, hints, timeout) -> id */
static int desktop_notify(const struct systemd_api *sd, sd_bus *bus, uint32_t replaces,
			  const char *text, uint32_t *id)
{
	sd_bus_message *call = NULL, *reply = NULL;
	sd_bus_error error = SD_BUS_ERROR_NULL;
	int rc = sd->bus_message_new_method_call(bus, &call, DESKTOP_SERVICE, DESKTOP_PATH,
						DESKTOP_SERVICE, "Notify");

	if (rc >= 0)
		rc = sd->bus_message_append(call, "susssasa{sv}i", "trezor-pkcs11", replaces, "",
					   "Trezor", text, 0, 0, 0);
	if (rc >= 0)
		rc = sd->bus_call(bus, call, DESKTOP_TIMEOUT_USEC, &error, &reply);
	if (rc >= 0)
		rc = sd->bus_message_read(reply, "u", id);
	if (rc < 0)
		log_debug("no desktop notice: %s", error.message != NULL ? error.message
									    : strerror(-rc));
	sd->bus_error_free(&error);
	sd->bus_message_unref(reply);
	sd->bus_message_unref(call);
	return rc;
}

/*
 * Whether there is a session bus to try: sd_bus_open_user() takes
 * DBUS_SESSION_BUS_ADDRESS, else $XDG_RUNTIME_DIR/bus, and with neither it
 * can only fail. Asked first, so that a program with no desktop (a script,
 * cron, ssh run from another program) never loads libsystemd for nothing.
 */
static bool session_bus_named(void)
{
	const char *address = getenv("DBUS_SESSION_BUS_ADDRESS");
	const char *runtime = getenv("XDG_RUNTIME_DIR");
	char path[4096];
	struct stat info;

	if (address != NULL && address[0] != '\0')
		return true;
	if (runtime == NULL || runtime[0] != '/' ||
	    snprintf(path, sizeof(path), "%s/bus", runtime) >= (int)sizeof(path))
		return false;
	return stat(path, &info) == 0 && S_ISSOCK(info.st_mode);
}

static bool desktop_show(struct notice *notice, const char *text)
{
	const struct systemd_api *sd;
	sd_bus *bus = notice->bus;
	uint32_t id = 0;

	if (bus == NULL && !session_bus_named()) {
		log_debug("no desktop notice: no session bus (neither DBUS_SESSION_BUS_ADDRESS "
			  "nor $XDG_RUNTIME_DIR/bus)");
		return false;
	}
	sd = systemd_api();
	if (sd == NULL || (bus == NULL && sd->bus_open_user(&bus) < 0))
		return false;
	if (desktop_notify(sd, bus, notice->desktop_id, text, &id) < 0) {
		notice->bus = bus;
		desktop_close(notice);
		return false;
	}
	notice->bus = bus;
	notice->desktop_id = id;
	return true;
}

/* ---- the notice ---------------------------------------------------------------------- */

void notice_show(struct notice *notice, const char *program, const char *text)
{
	char line[NOTICE_MAX];
	enum notice_mode mode = notice_mode();
	bool terminal = log_stderr_is_terminal();

	if (terminal)
		log_notice("%s", text);
	if (mode == NOTICE_OFF || (terminal && mode == NOTICE_AUTO))
		return;
	snprintf(line, sizeof(line), "%s: %s", program, text);
	if (notice->bus == NULL && askpass_show(notice, line))
		return;
	desktop_show(notice, line);
}

void notice_close(struct notice *notice)
{
	askpass_close(notice);
	desktop_close(notice);
}
