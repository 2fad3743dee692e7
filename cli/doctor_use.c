/*
 * What this user has: the Trezors the module finds (and why one cannot be
 * used), the identities file, pinentry and the key cache.
 */
#include "config.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "discovery.h"
#include "doctor.h"
#include "inventory.h"
#include "log.h"
#include "pinentry.h"

/* Whether a Trezor found may ask for something through pinentry (unknown: yes). */
static bool pinentry_needed = true;

/* What to do about a device discovery could not use. */
static const char *fix_for(const char *message)
{
	if (strstr(message, "no permission") != NULL)
		return "install the udev rules (above), then unplug the Trezor and plug it in again";
	if (strstr(message, "bootloader mode") != NULL)
		return "unplug the Trezor and plug it in again without touching its screen";
	if (strstr(message, "no seed") != NULL)
		return "set the Trezor up first with Trezor Suite (trezor.io/start)";
	if (strstr(message, "in use by another program") != NULL)
		return "close Trezor Suite, or run Trezor Bridge so that both can use it";
	if (strstr(message, "not paired") != NULL)
		return "run trezor-pkcs11 pair: confirm on the Trezor, then type the code it shows";
	if (strstr(message, "none is attached") != NULL)
		return "plug the Trezor in (on USB a normal user needs the udev rules), or correct "
		       "TREZOR_PATH";
	if (strstr(message, "nothing answers") != NULL)
		return "start the device or emulator there, or correct TREZOR_PATH";
	if (strstr(message, "(THP)") != NULL)
		return "connect the Trezor by USB, without Trezor Bridge";
	return "trezor-pkcs11(8), DIAGNOSTICS, explains the module's messages";
}

void doctor_check_devices(void)
{
	CK_FUNCTION_LIST *p11 = cli_module();
	struct cli_devices found = { .device_count = 0 };
	const char *path = getenv("TREZOR_PATH");
	size_t i;

	discovery_set_pairing(false, false);     /* only look: pair pairs */
	if (p11->C_Initialize(NULL) == CKR_OK) {
		cli_find_devices(p11, &found);
		p11->C_Finalize(NULL);
	}
	/* A Trezor One's PIN matrix and a passphrase typed on the computer need it. */
	pinentry_needed = found.device_count == 0 || found.problem_count > 0;
	for (i = 0; i < found.device_count; i++) {
		const struct trezor_features *features = &found.devices[i].features;

		/* A Trezor One asks both through pinentry; a core model takes both on
		 * its screen (PassphraseEntry), unless TREZOR_PASSPHRASE names one. */
		if (strcmp(features->model, "1") == 0 ||
		    (features->passphrase_protection && !features->passphrase_entry))
			pinentry_needed = true;
		/* The label was made safe to print when it was read (text.h). */
		doctor_ok("a Trezor \"%s\" at %s, firmware %u.%u.%u, %s%s%s", features->label,
			  found.devices[i].path, features->major_version, features->minor_version,
			  features->patch_version, cli_lock_state(features),
			  cli_pairing_state(features),
			  features->pin_protection && !features->unlocked ?
				  ": it asks for its PIN when it signs" : "");
	}
	for (i = 0; i < found.problem_count; i++)
		doctor_problem(fix_for(found.problems[i].message), "%s", found.problems[i].message);
	if (found.device_count == 0 && found.problem_count == 0)
		doctor_problem(path != NULL ? "check TREZOR_PATH, or unset it to look everywhere" :
					      "plug it in (on USB a normal user needs the udev rules); "
					      "the emulator must listen on udp:127.0.0.1:21324",
			       "no Trezor found%s%s", path != NULL ? " at TREZOR_PATH=" : "",
			       path != NULL ? path : "");
}

/* Every line of the file as the module reads it; the bad ones are problems. */
static void check_lines(FILE *file, const char *path)
{
	char *line = NULL, problem[256];
	size_t size = 0;
	struct key_identity key;
	unsigned number = 0;
	bool blank;

	while (getline(&line, &size, file) >= 0) {
		number++;
		if (strlen(line) > IDENTITIES_LINE_MAX) {
			doctor_problem("shorten it: a line holds one identity",
				       "%s:%u: line is longer than 1024 bytes", path, number);
			continue;
		}
		if (!identities_parse_line(line, &key, &blank, problem, sizeof(problem)) && !blank)
			doctor_problem("fix the line or remove it: the module skips it",
				       "%s:%u: %s", path, number, problem);
	}
	free(line);
}

/* How many keys the module makes of the file (a duplicate is one key). */
static size_t identities_in(const char *path)
{
	struct identity_list list;
	size_t length;

	log_set_quiet(true);            /* check_lines said what was wrong */
	identities_read_file(path, &list);
	log_set_quiet(false);
	length = list.length;
	identities_free(&list);
	return length;
}

void doctor_check_identities(void)
{
	char path[IDENTITIES_PATH_MAX], user[IDENTITIES_PATH_MAX];
	bool from_environment;
	size_t good;
	FILE *file;

	if (!identities_file_path(path, sizeof(path), &from_environment)) {
		if (!identities_user_path(user, sizeof(user)))
			snprintf(user, sizeof(user), "~/.config/trezor-pkcs11/identities");
		doctor_problem("add one: trezor-pkcs11 add you@example.com",
			       "no identities file, so no keys (%s)", user);
		return;
	}
	file = fopen(path, "re");
	if (file == NULL) {
		doctor_problem(from_environment ? "fix or unset TREZOR_PKCS11_IDENTITIES" :
						  "make it readable",
			       "cannot read the identities file %s", path);
		return;
	}
	check_lines(file, path);
	fclose(file);
	good = identities_in(path);
	if (good == 0)
		doctor_problem("add one: trezor-pkcs11 add you@example.com",
			       "no identities in %s, so no keys", path);
	else
		doctor_ok("%zu identit%s in %s", good, good == 1 ? "y" : "ies", path);
}

void doctor_check_pinentry(void)
{
	char path[PATH_MAX];

	if (pinentry_program(path, sizeof(path)))
		doctor_ok("pinentry is %s", path);
	else if (!pinentry_needed)
		doctor_ok("no pinentry, and the Trezors found need none: they take PIN and "
			  "passphrase on their own screen");
	else
		doctor_problem("install pinentry-curses (terminals) or pinentry-gnome3 (desktops)",
			       "no pinentry: a Trezor One's PIN and a passphrase are asked with it");
}

/* Whether a file in the cache directory is one the module will use. */
static bool check_cache_file(const char *directory, const char *name)
{
	char path[PATH_MAX + 256];
	struct stat info;

	snprintf(path, sizeof(path), "%s/%s", directory, name);
	if (lstat(path, &info) != 0)
		return true;
	if (S_ISREG(info.st_mode) && info.st_uid == geteuid() && (info.st_mode & 022) == 0)
		return true;
	doctor_problem("remove it; the module writes it anew",
		       "%s is not your own private file: the module ignores it", path);
	return false;
}

void doctor_check_cache(void)
{
	char directory[PATH_MAX];
	struct stat info;
	struct dirent *entry;
	DIR *listing;
	bool healthy = true;

	if (!cache_enabled()) {
		doctor_ok("the key cache is off (TREZOR_PKCS11_CACHE=off)");
		return;
	}
	if (!cache_directory_path(directory, sizeof(directory))) {
		doctor_problem("set HOME (or XDG_CACHE_HOME)", "no home directory for the key cache");
		return;
	}
	if (lstat(directory, &info) != 0) {
		doctor_ok("the key cache is empty (%s is made when keys are first read)", directory);
		return;
	}
	if (!S_ISDIR(info.st_mode) || info.st_uid != geteuid() || (info.st_mode & 077) != 0) {
		doctor_problem("remove it; the module makes it anew (mode 0700)",
			       "%s is not your own private directory", directory);
		return;
	}
	listing = opendir(directory);
	while (listing != NULL && (entry = readdir(listing)) != NULL)
		if (entry->d_name[0] != '.' && !check_cache_file(directory, entry->d_name))
			healthy = false;
	if (listing != NULL)
		closedir(listing);
	if (healthy)
		doctor_ok("the key cache is %s", directory);
}
