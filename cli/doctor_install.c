/*
 * What make install (or a package) put in place: the module, its p11-kit
 * registration and the udev rules. The paths are those this build installs
 * to, under `root` when an installation is staged (doctor --root).
 */
#include "config.h"

#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "doctor.h"

/* What ssh-agent loads without -P (OpenSSH's DEFAULT_ALLOWED_PROVIDERS). */
#define AGENT_ALLOWLIST_LIB "/usr/lib*/*"
#define AGENT_ALLOWLIST_LOCAL "/usr/local/lib*/*"

/* The directories udev reads rules from. */
static const char *const udev_directories[] = {
	"/etc/udev/rules.d", "/run/udev/rules.d", "/usr/lib/udev/rules.d", "/lib/udev/rules.d",
};

/* Rules files the Trezor projects themselves install; any of them will do. */
static const char *const other_rules[] = {
	"/etc/udev/rules.d/51-trezor.rules",
	"/usr/lib/udev/rules.d/51-trezor.rules",
	"/lib/udev/rules.d/51-trezor.rules",
};

static void under_root(const char *root, const char *path, char *out, size_t size)
{
	snprintf(out, size, "%s%s", root, path);
}

static bool regular_file(const char *path)
{
	struct stat info;

	return stat(path, &info) == 0 && S_ISREG(info.st_mode);
}

/* ssh-agent matches the real path of a module against its allowlist. */
static bool agent_accepts(const char *path)
{
	return fnmatch(AGENT_ALLOWLIST_LIB, path, 0) == 0 ||
	       fnmatch(AGENT_ALLOWLIST_LOCAL, path, 0) == 0;
}

void doctor_check_module(const char *root)
{
	char path[PATH_MAX], real[PATH_MAX];
	const char *judged = MODULE_PATH;

	under_root(root, MODULE_PATH, path, sizeof(path));
	if (!regular_file(path)) {
		doctor_problem("install it: make install (as root), or the distribution's package",
			       "the module is not installed: no %s", path);
		return;
	}
	/* A symbolic link is judged by where it leads (inside a staged root). */
	if (realpath(path, real) != NULL && strncmp(real, root, strlen(root)) == 0)
		judged = real + strlen(root);
	if (!agent_accepts(judged)) {
		doctor_problem("install with --prefix=/usr (or /usr/local), or start ssh-agent "
			       "with -P " MODULE_PATH,
			       "the module is %s, which ssh-agent refuses to load unless told "
			       "(it takes /usr/lib*/* and /usr/local/lib*/*)", judged);
		return;
	}
	doctor_ok("the module is %s, which ssh-agent loads without -P", path);
}

/* Whether the file has a "module:" line naming the module. */
static bool names_module(const char *config)
{
	FILE *file = fopen(config, "re");
	char line[PATH_MAX + 16], *value;
	bool found = false;

	if (file == NULL)
		return false;
	while (!found && fgets(line, sizeof(line), file) != NULL) {
		if (strncmp(line, "module:", 7) != 0)
			continue;
		value = line + 7 + strspn(line + 7, " \t");
		value[strcspn(value, " \t\r\n")] = '\0';
		found = strcmp(value, MODULE_PATH) == 0 || strcmp(value, "trezor-pkcs11.so") == 0;
	}
	fclose(file);
	return found;
}

void doctor_check_p11kit(const char *root)
{
	char path[PATH_MAX];

	under_root(root, P11KIT_MODULE_FILE, path, sizeof(path));
	if (!regular_file(path)) {
		doctor_problem("make install puts it there; p11-kit-proxy users (and ssh with "
			       "p11-kit-proxy.so) need it",
			       "p11-kit does not know the module: no %s", path);
		return;
	}
	if (!names_module(path)) {
		doctor_problem("reinstall, or write \"module: " MODULE_PATH "\" in it",
			       "%s does not name " MODULE_PATH, path);
		return;
	}
	doctor_ok("p11-kit loads the module (%s)", path);
}

void doctor_check_udev(const char *root)
{
	char path[PATH_MAX];
	size_t i;

	under_root(root, UDEV_RULES_FILE, path, sizeof(path));
	if (regular_file(path)) {
		for (i = 0; i < sizeof(udev_directories) / sizeof(udev_directories[0]); i++)
			if (strncmp(UDEV_RULES_FILE, udev_directories[i],
				    strlen(udev_directories[i])) == 0 &&
			    UDEV_RULES_FILE[strlen(udev_directories[i])] == '/')
				break;
		if (i == sizeof(udev_directories) / sizeof(udev_directories[0])) {
			doctor_problem("move it to /etc/udev/rules.d (or reinstall with "
				       "--with-udev-rules-dir=/etc/udev/rules.d), then replug",
				       "udev never reads %s", path);
			return;
		}
		doctor_ok("udev rules let you use a Trezor on USB (%s)", path);
		return;
	}
	for (i = 0; i < sizeof(other_rules) / sizeof(other_rules[0]); i++) {
		under_root(root, other_rules[i], path, sizeof(path));
		if (regular_file(path)) {
			doctor_ok("udev rules let you use a Trezor on USB (%s)", path);
			return;
		}
	}
	under_root(root, UDEV_RULES_FILE, path, sizeof(path));
	doctor_problem("make install puts them there; then unplug the Trezor and plug it in "
		       "again",
		       "no udev rules for Trezors (%s): without them only root can use one on USB",
		       path);
}
