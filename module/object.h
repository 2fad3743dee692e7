/*
 * Key objects. Each identity of the identities file is a key pair on every
 * token: a CKO_PUBLIC_KEY and a CKO_PRIVATE_KEY with the same CKA_ID. The
 * objects are read-only; their attributes are computed from the identity
 * and, for the public point, from the key the device reports.
 *
 * Handles: 2*i+1 is the public key of identity i, 2*i+2 its private key.
 */
#ifndef TREZOR_PKCS11_OBJECT_H
#define TREZOR_PKCS11_OBJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ec.h"
#include "identities_file.h"
#include "pkcs11_types.h"

struct object_view {
	const struct key_identity *key_identity;
	bool is_private;
	/* The public key (65-byte uncompressed P-256 point, or 32-byte Ed25519
	 * key, as key_identity->curve says); NULL if not known yet. */
	const uint8_t *point;
};

CK_OBJECT_HANDLE object_handle(size_t identity_index, bool is_private);

/* False for handles that name no object among `identities` identities. */
bool object_parse_handle(CK_OBJECT_HANDLE handle, size_t identities, size_t *identity_index,
			 bool *is_private);

/* Whether reading or matching this attribute needs the public key. */
bool attribute_needs_key(CK_ATTRIBUTE_TYPE type);
bool template_needs_key(const CK_ATTRIBUTE *attributes, CK_ULONG length);

/*
 * C_GetAttributeValue over one object: every attribute of the template is
 * processed; those that cannot be returned get CK_UNAVAILABLE_INFORMATION,
 * and the result is CKR_ATTRIBUTE_SENSITIVE, else CKR_ATTRIBUTE_TYPE_INVALID,
 * else CKR_BUFFER_TOO_SMALL, whatever the order of the template.
 * view->point must be set if template_needs_key().
 */
CK_RV object_get_attributes(const struct object_view *view, CK_ATTRIBUTE *attributes,
			    CK_ULONG length);

/* True when the object has every attribute of the template with that value. */
bool object_matches(const struct object_view *view, const CK_ATTRIBUTE *attributes,
		    CK_ULONG length);

#endif
