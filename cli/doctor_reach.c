/*
 * Whether what the module says reaches the person: the errors that programs
 * without a terminal logged lately (error_log.h), and whether the running
 * ssh-agent (SSH_AUTH_SOCK) has what pinentry and notices need: a display,
 * and the session bus or SSH_ASKPASS. The module runs inside the agent, with
 * the agent's environment, which is not the shell's.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "doctor.h"
#include "error_log.h"

#define RECENT_SHOWN 5
#define ENVIRON_MAX (256 * 1024)

void doctor_check_recent_errors(void)
{
	static char lines[RECENT_SHOWN][ERROR_LOG_LINE_MAX];
	char path[PATH_MAX];
	size_t count = error_log_recent(lines, RECENT_SHOWN), i;

	if (count == 0) {
		doctor_ok("no errors logged by programs without a terminal");
		return;
	}
	error_log_path(path, sizeof(path));
	doctor_note("the last errors of programs without a terminal (%s, and the journal: "
		    "journalctl -t trezor-pkcs11):", path);
	for (i = 0; i < count; i++)
		printf("           %s\n", lines[i]);
}

/* The process at the other end of the agent's socket; 0 if none answers. */
static pid_t agent_pid(const char *socket_path)
{
	struct sockaddr_un address = { .sun_family = AF_UNIX };
	struct ucred peer;
	socklen_t length = sizeof(peer);
	pid_t pid = 0;
	int fd;

	if (strlen(socket_path) >= sizeof(address.sun_path))
		return 0;
	memcpy(address.sun_path, socket_path, strlen(socket_path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	if (connect(fd, (struct sockaddr *)&address, sizeof(address)) == 0 &&
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &length) == 0 && peer.uid == geteuid())
		pid = peer.pid;
	close(fd);
	return pid;
}

/* The agent's environment (NUL-separated), malloc'd; NULL if unreadable. */
static char *read_environment(pid_t pid, size_t *length)
{
	char path[64], *text = malloc(ENVIRON_MAX);
	FILE *file;

	snprintf(path, sizeof(path), "/proc/%ld/environ", (long)pid);
	file = text != NULL ? fopen(path, "re") : NULL;
	if (file == NULL) {
		free(text);
		return NULL;
	}
	*length = fread(text, 1, ENVIRON_MAX - 1, file);
	text[*length] = '\0';
	fclose(file);
	return text;
}

/* NAME's value in the environment text, or NULL. */
static const char *value_of(const char *text, size_t length, const char *name)
{
	size_t name_length = strlen(name), at = 0;

	while (at < length) {
		if (strncmp(text + at, name, name_length) == 0 && text[at + name_length] == '=')
			return text + at + name_length + 1;
		at += strlen(text + at) + 1;
	}
	return NULL;
}

/* Is there a session bus: its address, or $XDG_RUNTIME_DIR/bus? */
static bool has_bus(const char *text, size_t length)
{
	const char *runtime = value_of(text, length, "XDG_RUNTIME_DIR");
	char path[PATH_MAX];
	struct stat info;

	if (value_of(text, length, "DBUS_SESSION_BUS_ADDRESS") != NULL)
		return true;
	if (runtime == NULL || snprintf(path, sizeof(path), "%s/bus", runtime) >= (int)sizeof(path))
		return false;
	return stat(path, &info) == 0 && S_ISSOCK(info.st_mode);
}

static void check_agent_environment(const char *socket_path, pid_t pid, const char *text,
				    size_t length)
{
	const char *display = value_of(text, length, "WAYLAND_DISPLAY");
	const char *askpass = value_of(text, length, "SSH_ASKPASS");

	if (display == NULL)
		display = value_of(text, length, "DISPLAY");
	if (display == NULL) {
		doctor_problem("start the agent from the desktop session, or have the session "
			       "give systemd its DISPLAY (README, section 4, ssh-agent at every login)",
			       "the agent at %s (pid %ld) has no DISPLAY or WAYLAND_DISPLAY: "
			       "pinentry cannot ask for a PIN or passphrase there", socket_path,
			       (long)pid);
		return;
	}
	if (askpass == NULL && !has_bus(text, length)) {
		doctor_problem("give the agent DBUS_SESSION_BUS_ADDRESS (or SSH_ASKPASS)",
			       "the agent at %s (pid %ld) has neither a session bus nor "
			       "SSH_ASKPASS: nobody is told when the Trezor waits for a press",
			       socket_path, (long)pid);
		return;
	}
	doctor_ok("the agent at %s (pid %ld) reaches the desktop (%s): pinentry, and notices "
		  "through %s", socket_path, (long)pid, display,
		  askpass != NULL ? "SSH_ASKPASS" : "the desktop's notification service");
}

void doctor_check_agent(void)
{
	const char *socket_path = getenv("SSH_AUTH_SOCK");
	size_t length = 0;
	char *text;
	pid_t pid;

	if (socket_path == NULL || socket_path[0] == '\0') {
		doctor_ok("no ssh-agent in this session (SSH_AUTH_SOCK is not set)");
		return;
	}
	pid = agent_pid(socket_path);
	if (pid == 0) {
		doctor_problem("start it, or unset SSH_AUTH_SOCK",
			       "no agent of yours answers at SSH_AUTH_SOCK=%s", socket_path);
		return;
	}
	text = read_environment(pid, &length);
	if (text == NULL) {
		doctor_ok("an agent (pid %ld) answers at %s; its environment cannot be read",
			  (long)pid, socket_path);
		return;
	}
	check_agent_environment(socket_path, pid, text, length);
	free(text);
}
