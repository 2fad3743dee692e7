/*
 * Whether ssh offers the Ed25519 identities: OpenSSH takes Ed25519 keys
 * from a PKCS#11 module from 10.1 on; an older one skips them (saying
 * "skipping unsupported key type") and still offers the P-256 keys. The
 * version is what `ssh -V` on PATH says, as ssh-agent and ssh-add come
 * with it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doctor.h"
#include "log.h"

#define VERSION_MAX 64

/* "OpenSSH_9.2p1" of `ssh -V`, with its major and minor numbers; false without one. */
static bool ssh_version(char version[VERSION_MAX], int *major, int *minor)
{
	char line[256] = "";
	FILE *output = popen("ssh -V 2>&1 </dev/null", "r");
	bool found;

	if (output == NULL)
		return false;
	found = fgets(line, sizeof(line), output) != NULL;
	pclose(output);
	if (!found || sscanf(line, "OpenSSH_%d.%d", major, minor) != 2)
		return false;
	line[strcspn(line, ", \n")] = '\0';
	snprintf(version, VERSION_MAX, "%s", line);
	return true;
}

/* How many identities of the file in use are Ed25519 keys. */
static size_t ed25519_identities(void)
{
	char path[IDENTITIES_PATH_MAX];
	struct identity_list list;
	bool from_environment;
	size_t i, count = 0;

	if (!identities_file_path(path, sizeof(path), &from_environment))
		return 0;
	log_set_quiet(true);            /* the identities check said what was wrong */
	identities_read_file(path, &list);
	log_set_quiet(false);
	for (i = 0; i < list.length; i++)
		if (list.items[i].curve == KEY_CURVE_ED25519)
			count++;
	identities_free(&list);
	return count;
}

void doctor_check_ssh(void)
{
	size_t count = ed25519_identities();
	char version[VERSION_MAX];
	int major, minor;
	char them[64];

	if (count == 0)
		return;
	snprintf(them, sizeof(them), "the %zu Ed25519 identit%s", count, count == 1 ? "y" : "ies");
	if (!ssh_version(version, &major, &minor)) {
		doctor_note("no OpenSSH found (ssh -V) to offer %s; OpenSSH 10.1 and later do", them);
		return;
	}
	if (major > 10 || (major == 10 && minor >= 1)) {
		doctor_ok("%s offers %s (OpenSSH takes Ed25519 keys from PKCS#11 from 10.1 on)",
			  version, them);
		return;
	}
	doctor_problem("use OpenSSH 10.1 or later (Debian 13: trixie-backports) for them; the "
		       "P-256 keys work with this one, and pkcs11-tool, OpenSSL and GnuTLS sign "
		       "with the Ed25519 ones",
		       "%s does not offer %s: OpenSSH takes Ed25519 keys from PKCS#11 only from "
		       "10.1 on, and skips them (\"skipping unsupported key type\")",
		       version, them);
}
