/* Key objects and their attributes. See object.h. */
#include "config.h"

#include "object.h"

#include <string.h>

#include "mechanism.h"

/* DER of the prime256v1 OID: what CKA_EC_PARAMS holds for P-256. */
static const uint8_t ec_params_p256[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01,
					  0x07 };

/*
 * DER of the OID 1.3.101.112 (id-Ed25519, RFC 8410) for Ed25519. PKCS#11
 * 3.0 allows it or the PrintableString "edwards25519"; OpenSSH 10.x,
 * OpenSC's pkcs11-tool, GnuTLS and OpenSSL's pkcs11-provider take both,
 * and the OID is the one a plain DER reader (OpenSSL's d2i_ASN1_OBJECT,
 * pkcs11-tool -O) decodes, the same that SubjectPublicKeyInfo names.
 */
static const uint8_t ec_params_ed25519[] = { 0x06, 0x03, 0x2b, 0x65, 0x70 };

/* SubjectPublicKeyInfo for an EC P-256 key, up to the 65 point bytes. */
static const uint8_t spki_prefix_p256[] = {
	0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
	0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
};

/* SubjectPublicKeyInfo for an Ed25519 key (RFC 8410), up to the 32 key bytes. */
static const uint8_t spki_prefix_ed25519[] = {
	0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
};

/* CKA_EC_POINT: the point, or the Ed25519 key, as a DER OCTET STRING (PKCS#11 3.0). */
static const uint8_t ec_point_prefix_p256[] = { 0x04, 0x41 };
static const uint8_t ec_point_prefix_ed25519[] = { 0x04, 0x20 };

enum value_status {
	VALUE_OK,
	VALUE_SENSITIVE,        /* exists, never revealed */
	VALUE_INVALID,          /* not an attribute of this object */
	VALUE_NEEDS_KEY,        /* the public key has not been fetched */
};

/* One attribute's value: points at static data, the identity, or `buffer`. */
struct value {
	enum value_status status;
	const void *data;
	size_t length;
	uint8_t buffer[sizeof(spki_prefix_p256) + KEY_POINT_MAX];
	CK_BBOOL flag;
	CK_ULONG number;
};

CK_OBJECT_HANDLE object_handle(size_t identity_index, bool is_private)
{
	return (CK_OBJECT_HANDLE)identity_index * 2 + (is_private ? 2 : 1);
}

bool object_parse_handle(CK_OBJECT_HANDLE handle, size_t identities, size_t *identity_index,
			 bool *is_private)
{
	if (handle == CK_INVALID_HANDLE || (handle - 1) / 2 >= identities)
		return false;
	*identity_index = (size_t)((handle - 1) / 2);
	*is_private = (handle - 1) % 2 == 1;
	return true;
}

bool attribute_needs_key(CK_ATTRIBUTE_TYPE type)
{
	return type == CKA_EC_POINT || type == CKA_PUBLIC_KEY_INFO;
}

bool template_needs_key(const CK_ATTRIBUTE *attributes, CK_ULONG length)
{
	CK_ULONG i;

	for (i = 0; i < length; i++)
		if (attribute_needs_key(attributes[i].type))
			return true;
	return false;
}

static void set_flag(struct value *value, bool flag)
{
	value->flag = flag ? CK_TRUE : CK_FALSE;
	value->data = &value->flag;
	value->length = sizeof(value->flag);
}

static void set_number(struct value *value, CK_ULONG number)
{
	value->number = number;
	value->data = &value->number;
	value->length = sizeof(value->number);
}

static void set_bytes(struct value *value, const void *data, size_t length)
{
	value->data = data;
	value->length = length;
}

/* The public key with a DER prefix, in value->buffer. */
static void set_point(struct value *value, const struct object_view *view, const uint8_t *prefix,
		      size_t prefix_length)
{
	size_t key_size = curve_key_size(view->key_identity->curve);

	if (view->point == NULL) {
		value->status = VALUE_NEEDS_KEY;
		return;
	}
	memcpy(value->buffer, prefix, prefix_length);
	memcpy(value->buffer + prefix_length, view->point, key_size);
	set_bytes(value, value->buffer, prefix_length + key_size);
}

/* The attributes that differ between the two kinds of key. */
static bool curve_value(const struct object_view *view, CK_ATTRIBUTE_TYPE type,
			struct value *value)
{
	bool ed25519 = view->key_identity->curve == KEY_CURVE_ED25519;
	CK_ULONG mechanisms;

	switch (type) {
	case CKA_KEY_TYPE: set_number(value, ed25519 ? CKK_EC_EDWARDS : CKK_EC); break;
	case CKA_ALLOWED_MECHANISMS:
		set_bytes(value, mechanism_list_for(view->key_identity->curve, &mechanisms), 0);
		value->length = mechanisms * sizeof(CK_MECHANISM_TYPE);
		break;
	case CKA_EC_PARAMS:
		if (ed25519)
			set_bytes(value, ec_params_ed25519, sizeof(ec_params_ed25519));
		else
			set_bytes(value, ec_params_p256, sizeof(ec_params_p256));
		break;
	case CKA_PUBLIC_KEY_INFO:
		if (ed25519)
			set_point(value, view, spki_prefix_ed25519, sizeof(spki_prefix_ed25519));
		else
			set_point(value, view, spki_prefix_p256, sizeof(spki_prefix_p256));
		break;
	/* Not standard on a private key, but handy to programs that look for it there. */
	case CKA_EC_POINT:
		if (ed25519)
			set_point(value, view, ec_point_prefix_ed25519,
				  sizeof(ec_point_prefix_ed25519));
		else
			set_point(value, view, ec_point_prefix_p256, sizeof(ec_point_prefix_p256));
		break;
	default: return false;
	}
	return true;
}

/* Attributes every object has (storage, common key attributes). */
static bool common_value(const struct object_view *view, CK_ATTRIBUTE_TYPE type,
			 struct value *value)
{
	const struct key_identity *key = view->key_identity;

	switch (type) {
	case CKA_CLASS: set_number(value, view->is_private ? CKO_PRIVATE_KEY : CKO_PUBLIC_KEY); break;
	case CKA_TOKEN: set_flag(value, true); break;
	case CKA_PRIVATE: set_flag(value, false); break;       /* listing needs no login */
	case CKA_MODIFIABLE: set_flag(value, false); break;
	case CKA_COPYABLE: set_flag(value, false); break;
	case CKA_DESTROYABLE: set_flag(value, false); break;
	case CKA_LABEL: set_bytes(value, key->label, strlen(key->label)); break;
	case CKA_ID: set_bytes(value, key->id, sizeof(key->id)); break;
	case CKA_START_DATE: set_bytes(value, NULL, 0); break;
	case CKA_END_DATE: set_bytes(value, NULL, 0); break;
	case CKA_DERIVE: set_flag(value, false); break;
	case CKA_LOCAL: set_flag(value, true); break;          /* made on the device */
	case CKA_KEY_GEN_MECHANISM: set_number(value, CK_UNAVAILABLE_INFORMATION); break;
	case CKA_SUBJECT: set_bytes(value, NULL, 0); break;
	default: return curve_value(view, type, value);
	}
	return true;
}

static bool public_value(CK_ATTRIBUTE_TYPE type, struct value *value)
{
	switch (type) {
	case CKA_ENCRYPT: set_flag(value, false); break;
	case CKA_VERIFY: set_flag(value, true); break;
	case CKA_VERIFY_RECOVER: set_flag(value, false); break;
	case CKA_WRAP: set_flag(value, false); break;
	case CKA_TRUSTED: set_flag(value, false); break;
	default: return false;
	}
	return true;
}

static bool private_value(CK_ATTRIBUTE_TYPE type, struct value *value)
{
	switch (type) {
	case CKA_SENSITIVE: set_flag(value, true); break;
	case CKA_DECRYPT: set_flag(value, false); break;
	case CKA_SIGN: set_flag(value, true); break;
	case CKA_SIGN_RECOVER: set_flag(value, false); break;
	case CKA_UNWRAP: set_flag(value, false); break;
	case CKA_EXTRACTABLE: set_flag(value, false); break;
	case CKA_ALWAYS_SENSITIVE: set_flag(value, true); break;
	case CKA_NEVER_EXTRACTABLE: set_flag(value, true); break;
	case CKA_WRAP_WITH_TRUSTED: set_flag(value, false); break;
	case CKA_ALWAYS_AUTHENTICATE: set_flag(value, false); break;
	case CKA_VALUE: value->status = VALUE_SENSITIVE; break;  /* the key stays on the device */
	default: return false;
	}
	return true;
}

static void value_of(const struct object_view *view, CK_ATTRIBUTE_TYPE type, struct value *value)
{
	memset(value, 0, sizeof(*value));
	value->status = VALUE_OK;
	if (common_value(view, type, value))
		return;
	if (view->is_private ? private_value(type, value) : public_value(type, value))
		return;
	value->status = VALUE_INVALID;
}

/*
 * Several attributes may fail at once; the standard (v2.40 section 5.7) lets
 * the module return any of the applicable codes. It returns one that does
 * not depend on the template's order: CKR_ATTRIBUTE_SENSITIVE, else
 * CKR_ATTRIBUTE_TYPE_INVALID, else CKR_BUFFER_TOO_SMALL. The first two are
 * final, so a caller is not sent to retry with larger buffers a read that
 * would fail again anyway.
 */
static CK_RV attributes_result(bool sensitive, bool invalid, bool too_small)
{
	if (sensitive)
		return CKR_ATTRIBUTE_SENSITIVE;
	if (invalid)
		return CKR_ATTRIBUTE_TYPE_INVALID;
	return too_small ? CKR_BUFFER_TOO_SMALL : CKR_OK;
}

CK_RV object_get_attributes(const struct object_view *view, CK_ATTRIBUTE *attributes,
			    CK_ULONG length)
{
	bool sensitive = false, invalid = false, too_small = false;
	struct value value;
	CK_ULONG i;

	for (i = 0; i < length; i++) {
		CK_ATTRIBUTE *attribute = &attributes[i];

		value_of(view, attribute->type, &value);
		if (value.status == VALUE_NEEDS_KEY)
			return CKR_GENERAL_ERROR;       /* the caller fetches keys first */
		if (value.status == VALUE_SENSITIVE) {
			attribute->ulValueLen = CK_UNAVAILABLE_INFORMATION;
			sensitive = true;
		} else if (value.status == VALUE_INVALID) {
			attribute->ulValueLen = CK_UNAVAILABLE_INFORMATION;
			invalid = true;
		} else if (attribute->pValue == NULL) {
			attribute->ulValueLen = value.length;
		} else if (attribute->ulValueLen < value.length) {
			attribute->ulValueLen = CK_UNAVAILABLE_INFORMATION;
			too_small = true;
		} else {
			if (value.length > 0)
				memcpy(attribute->pValue, value.data, value.length);
			attribute->ulValueLen = value.length;
		}
	}
	return attributes_result(sensitive, invalid, too_small);
}

bool object_matches(const struct object_view *view, const CK_ATTRIBUTE *attributes,
		    CK_ULONG length)
{
	struct value value;
	CK_ULONG i;

	for (i = 0; i < length; i++) {
		value_of(view, attributes[i].type, &value);
		if (value.status != VALUE_OK || attributes[i].ulValueLen != value.length)
			return false;
		if (value.length > 0 &&
		    (attributes[i].pValue == NULL ||
		     memcmp(attributes[i].pValue, value.data, value.length) != 0))
			return false;
	}
	return true;
}
