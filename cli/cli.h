/*
 * The trezor-pkcs11 command: a companion to the module for people. It is
 * linked with the module's own code (libtrezorpkcs11) and uses it through
 * the PKCS#11 functions, as ssh would, plus module/inventory.h for what
 * PKCS#11 does not say (a device's path, whether it is locked).
 *
 * Data goes to stdout, diagnostics to stderr, one line each, prefixed
 * "trezor-pkcs11: ". Exit codes: CLI_OK, CLI_FAILED, CLI_USAGE.
 */
#ifndef TREZOR_PKCS11_CLI_H
#define TREZOR_PKCS11_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "identities_file.h"
#include "inventory.h"
#include "pkcs11_types.h"

enum cli_exit {
	CLI_OK = 0,             /* done; for doctor: all is well */
	CLI_FAILED = 1,         /* could not do it (no device, refused, ...); doctor: problems */
	CLI_USAGE = 2,          /* bad arguments or a bad identity */
};

/* One line on stderr, "trezor-pkcs11: ...". */
void cli_error(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* The subcommands; argv[0] is the subcommand's name. */
int cli_list(int argc, char **argv);
int cli_add(int argc, char **argv);
int cli_pubkey(int argc, char **argv);
int cli_doctor(int argc, char **argv);
int cli_pair(int argc, char **argv);
int cli_unpair(int argc, char **argv);

/* Whether argv asks for --help (then the usage is printed on stdout). */
bool cli_wants_help(int argc, char **argv, const char *usage);

/* ---- the Trezors found (devices.c) --------------------------------------------------- */

#define CLI_DEVICES_MAX 16

struct cli_devices {
	struct inventory_device devices[CLI_DEVICES_MAX];
	size_t device_count;
	struct discovery_problem problems[CLI_DEVICES_MAX];   /* found, not usable */
	size_t problem_count;
};

/* Look for Trezors through the initialised module, which stays quiet meanwhile. */
void cli_find_devices(CK_FUNCTION_LIST *p11, struct cli_devices *found);

/* "no PIN", "unlocked" or "locked", as Features said when it was read. */
const char *cli_lock_state(const struct trezor_features *features);

/* ", paired: connects without asking" and such for a THP device; "" for the others. */
const char *cli_pairing_state(const struct trezor_features *features);

/* ---- the module, as a program uses it (keys.c) ------------------------------------ */

/* The module's functions (linked in); C_Initialize is the caller's to call. */
CK_FUNCTION_LIST *cli_module(void);

/*
 * Parse identities as the identities file would, each with the key type
 * `type` (NULL: the default, nist256p1); a bad one is reported as
 * "IDENTITY: why" and makes the result false. Duplicates are dropped.
 */
bool cli_parse_identities(char **texts, int count, const char *type, struct identity_list *out);

/*
 * The arguments of add and pubkey: the identities (left in argv[1..*count],
 * in order) and -e TYPE / --ecdsa-curve-name TYPE (trezor-agent's option),
 * "ed25519" or "nist256p1", into *type (NULL when not given). False, said
 * why, for an unknown option or type.
 */
bool cli_take_key_type(const char *command, int *count, char **argv, const char **type);

/*
 * Print the authorized_keys line of each identity, in order, read through
 * the module from the first Trezor (TREZOR_PATH chooses another). With
 * `chosen` NULL, the identities of the identities file. Returns an exit code.
 */
int cli_print_keys(const struct identity_list *chosen);

/* "ecdsa-sha2-nistp256 AAAA... COMMENT" for an uncompressed P-256 point. */
bool cli_ssh_key_line(const unsigned char point[65], const char *comment, char *line,
		      size_t size);

/* "ssh-ed25519 AAAA... COMMENT" for a 32-byte Ed25519 key. */
bool cli_ssh_ed25519_line(const unsigned char key[32], const char *comment, char *line,
			  size_t size);

#endif
