/*
 * The identities file: one identity per line in trezor-agent's syntax,
 * optionally followed by its key type, '#' comments, blank lines:
 *
 *     alice@example.com               a NIST P-256 key (nist256p1, the default)
 *     alice@example.com ed25519       trezor-agent's Ed25519 key
 *
 * Found at $TREZOR_PKCS11_IDENTITIES, else
 * ${XDG_CONFIG_HOME:-$HOME/.config}/trezor-pkcs11/identities, else
 * /etc/trezor-pkcs11/identities.
 *
 * A bad line is reported on stderr as "FILE:LINE: what is wrong" and
 * skipped; the other lines still count. A P-256 key is the gpg:// identity
 * (the only kind that signs a digest), an Ed25519 key the ssh:// identity
 * (trezor-agent's, signed over the whole message); a leading ssh:// or
 * gpg:// names the same key (except gpg:// with ed25519: that is another
 * key, which no program here asks for), and a duplicate is listed once.
 */
#ifndef TREZOR_PKCS11_IDENTITIES_FILE_H
#define TREZOR_PKCS11_IDENTITIES_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "curve.h"
#include "identity.h"

#define IDENTITIES_LABEL_MAX 255            /* ssh reads at most 255 label bytes */
#define IDENTITIES_ID_SIZE 16
#define IDENTITIES_LINE_MAX 1024
#define IDENTITIES_MAX 100000
#define IDENTITIES_PATH_MAX 4096

struct key_identity {
	struct identity identity;               /* proto "gpg" (P-256) or "ssh", index 0 */
	enum key_curve curve;
	/* CKA_LABEL: a P-256 key's identity as a person writes it; an Ed25519
	 * key's trezor-agent comment, "<ssh://alice@example.com|ed25519>", so
	 * that its authorized_keys line is the one trezor-agent prints. */
	char label[IDENTITIES_LABEL_MAX + 1];
	uint8_t id[IDENTITIES_ID_SIZE];         /* CKA_ID: from the SLIP-0013 hash */
};

struct identity_list {
	struct key_identity *items;
	size_t length;
	char path[IDENTITIES_PATH_MAX];         /* the file read, "" when none */
};

/* ${XDG_CONFIG_HOME:-$HOME/.config}/trezor-pkcs11/identities; false without a home. */
bool identities_user_path(char *path, size_t size);

/* Which file to read; false when neither the user's nor the system file exists. */
bool identities_file_path(char *path, size_t size, bool *from_environment);

/* Is there an identities file to read (the person wants keys)? */
bool identities_configured(void);

/* Read the identities file (see above). Never fails: problems go to stderr. */
void identities_load(struct identity_list *list);

/*
 * One line of the file, as the file is read: false for a blank or comment
 * line (*blank set) or a bad one (problem says why). The line may be changed.
 */
bool identities_parse_line(char *line, struct key_identity *key, bool *blank, char *problem,
			   size_t problem_size);

/*
 * The identity as a person writes it ("alice@example.com", without the
 * key type), cut at IDENTITIES_LABEL_MAX bytes like a label: what prompts
 * and messages name.
 */
void key_identity_name(const struct key_identity *key, char name[IDENTITIES_LABEL_MAX + 1]);

/* The line the file holds for it: the name, and " ed25519" for an Ed25519 key. */
void key_identity_line(const struct key_identity *key, char *line, size_t size);

/* Parse one file (tests; identities_load uses it). */
void identities_read_file(const char *path, struct identity_list *list);

void identities_free(struct identity_list *list);

#endif
