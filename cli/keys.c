/*
 * Public keys through the module, as ssh-keygen -D reads them: the public
 * key objects of the first token, in the order of the identities, each
 * with its label and point (a P-256 point, or an Ed25519 key). The key cache, the PIN and passphrase prompts
 * and the error messages are the module's own.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "token.h"

#define SLOTS_MAX 16
#define OBJECTS_AT_ONCE 64
#define LINE_MAX_LENGTH 512

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list);

void cli_error(const char *format, ...)
{
	char line[1024];
	va_list args;

	va_start(args, format);
	vsnprintf(line, sizeof(line), format, args);
	va_end(args);
	fprintf(stderr, "trezor-pkcs11: %s\n", line);
}

CK_FUNCTION_LIST *cli_module(void)
{
	CK_FUNCTION_LIST *list = NULL;

	C_GetFunctionList(&list);
	return list;
}

bool cli_take_key_type(const char *command, int *count, char **argv, const char **type)
{
	int i, kept = 1;
	enum key_curve curve;

	*type = NULL;
	for (i = 1; i < *count; i++) {
		const char *option = argv[i];

		if (option[0] != '-') {
			argv[kept++] = argv[i];
			continue;
		}
		if (strncmp(option, "--ecdsa-curve-name=", 19) == 0) {
			*type = option + 19;
		} else if ((strcmp(option, "-e") == 0 || strcmp(option, "--ecdsa-curve-name") == 0) &&
			   i + 1 < *count) {
			*type = argv[++i];
		} else {
			cli_error("%s: no option %s", command, option);
			return false;
		}
		if (!curve_from_name(*type, &curve)) {
			cli_error("%s: the key type is ed25519 or nist256p1, not \"%s\"", command, *type);
			return false;
		}
	}
	*count = kept;
	return true;
}

bool cli_parse_identities(char **texts, int count, const char *type, struct identity_list *out)
{
	char line[IDENTITIES_LINE_MAX + 1], problem[256];
	bool blank, all_good = true;
	size_t i, j;

	memset(out, 0, sizeof(*out));
	out->items = calloc(count > 0 ? (size_t)count : 1, sizeof(*out->items));
	if (out->items == NULL) {
		cli_error("out of memory");
		return false;
	}
	for (i = 0; i < (size_t)count; i++) {
		struct key_identity *key = &out->items[out->length];

		/* One identity: its key type comes with -e, as for trezor-agent. */
		if (strlen(texts[i]) > IDENTITIES_LINE_MAX - 16 || strpbrk(texts[i], " \t\n#") != NULL) {
			cli_error("%s: not one identity", texts[i]);
			all_good = false;
			continue;
		}
		snprintf(line, sizeof(line), "%s %s", texts[i], type != NULL ? type : "nist256p1");
		if (!identities_parse_line(line, key, &blank, problem, sizeof(problem))) {
			cli_error("%s: %s", texts[i], blank ? "not an identity" : problem);
			all_good = false;
			continue;
		}
		for (j = 0; j < out->length; j++)
			if (memcmp(out->items[j].id, key->id, IDENTITIES_ID_SIZE) == 0)
				break;
		if (j == out->length)
			out->length++;
	}
	return all_good;
}

/* The first token's slot; says so when there is none, or when there are several. */
static bool first_token(CK_FUNCTION_LIST *p11, CK_SLOT_ID *slot)
{
	CK_SLOT_ID slots[SLOTS_MAX];
	CK_ULONG count = SLOTS_MAX;
	CK_SLOT_INFO info;

	if (p11->C_GetSlotList(CK_TRUE, slots, &count) != CKR_OK || count == 0) {
		cli_error("no Trezor found (plug it in and unlock it; "
			  "trezor-pkcs11 doctor says more)");
		return false;
	}
	*slot = slots[0];
	if (count > 1 && p11->C_GetSlotInfo(slots[0], &info) == CKR_OK) {
		size_t length = sizeof(info.slotDescription);

		while (length > 0 && info.slotDescription[length - 1] == ' ')
			length--;       /* PKCS#11 pads with spaces */
		cli_error("%lu Trezors: using %.*s (TREZOR_PATH chooses another)", count,
			  (int)length, (const char *)info.slotDescription);
	}
	return true;
}

/* The name of a code a key read can end with, or its number. */
static const char *rv_name(CK_RV rv, char *buffer, size_t size)
{
	switch (rv) {
	case CKR_DEVICE_ERROR: return "CKR_DEVICE_ERROR";
	case CKR_DEVICE_REMOVED: return "CKR_DEVICE_REMOVED";
	case CKR_TOKEN_NOT_PRESENT: return "CKR_TOKEN_NOT_PRESENT";
	case CKR_PIN_INCORRECT: return "CKR_PIN_INCORRECT";
	case CKR_PIN_LOCKED: return "CKR_PIN_LOCKED";
	case CKR_FUNCTION_CANCELED: return "CKR_FUNCTION_CANCELED";
	case CKR_FUNCTION_FAILED: return "CKR_FUNCTION_FAILED";
	case CKR_HOST_MEMORY: return "CKR_HOST_MEMORY";
	case CKR_OK: return "not a key of its type";
	default:
		snprintf(buffer, size, "CKR 0x%lx", rv);
		return buffer;
	}
}

/*
 * CKA_EC_POINT is a DER OCTET STRING holding the 65-byte uncompressed point
 * (CKK_EC) or the 32-byte key (CKK_EC_EDWARDS).
 */
static bool point_of(CK_KEY_TYPE type, const CK_BYTE *der, CK_ULONG length,
		     const unsigned char **point)
{
	if (type == CKK_EC_EDWARDS) {
		if (length != 34 || der[0] != 0x04 || der[1] != 32)
			return false;
	} else if (length != 67 || der[0] != 0x04 || der[1] != 65 || der[2] != 0x04) {
		return false;
	}
	*point = der + 2;
	return true;
}

/* Print the line of one public key object; false (said why) on failure. */
static bool print_key(CK_FUNCTION_LIST *p11, CK_SESSION_HANDLE session, CK_OBJECT_HANDLE key)
{
	char label[IDENTITIES_LABEL_MAX + 1] = "", line[LINE_MAX_LENGTH], code[32];
	CK_BYTE der[80];
	CK_KEY_TYPE type = CKK_EC;
	CK_ATTRIBUTE label_attributes[] = { { CKA_LABEL, label, sizeof(label) - 1 },
					    { CKA_KEY_TYPE, &type, sizeof(type) } };
	CK_ATTRIBUTE point_attribute = { CKA_EC_POINT, der, sizeof(der) };
	const unsigned char *point;
	bool written;
	CK_RV rv;

	/* The label first: it needs no device, and names the key if the point fails. */
	if (p11->C_GetAttributeValue(session, key, label_attributes, 2) == CKR_OK)
		label[label_attributes[0].ulValueLen] = '\0';
	rv = p11->C_GetAttributeValue(session, key, &point_attribute, 1);
	if (rv != CKR_OK || !point_of(type, der, point_attribute.ulValueLen, &point)) {
		cli_error("could not read the key of %s (%s)",
			  label[0] != '\0' ? label : "an identity", rv_name(rv, code, sizeof(code)));
		return false;
	}
	if (type == CKK_EC_EDWARDS)
		written = cli_ssh_ed25519_line(point, label, line, sizeof(line));
	else
		written = cli_ssh_key_line(point, label, line, sizeof(line));
	if (!written) {
		cli_error("%s: the key does not fit an authorized_keys line", label);
		return false;
	}
	printf("%s\n", line);
	return true;
}

/* Every public key object of the session's token, in the module's order. */
static int print_all_keys(CK_FUNCTION_LIST *p11, CK_SESSION_HANDLE session)
{
	CK_OBJECT_CLASS public_key = CKO_PUBLIC_KEY;
	CK_ATTRIBUTE template[] = { { CKA_CLASS, &public_key, sizeof(public_key) } };
	CK_OBJECT_HANDLE objects[OBJECTS_AT_ONCE];
	CK_ULONG found, i, printed = 0;
	bool ok = true;

	if (p11->C_FindObjectsInit(session, template, 1) != CKR_OK)
		return CLI_FAILED;
	do {
		if (p11->C_FindObjects(session, objects, OBJECTS_AT_ONCE, &found) != CKR_OK)
			found = 0;
		for (i = 0; i < found && ok; i++, printed++)
			ok = print_key(p11, session, objects[i]);
	} while (found > 0 && ok);
	p11->C_FindObjectsFinal(session);
	if (ok && printed == 0)
		cli_error("no identities: add one with: trezor-pkcs11 add you@example.com");
	return ok && printed > 0 ? CLI_OK : CLI_FAILED;
}

int cli_print_keys(const struct identity_list *chosen)
{
	CK_FUNCTION_LIST *p11 = cli_module();
	CK_SESSION_HANDLE session;
	CK_SLOT_ID slot;
	int result = CLI_FAILED;

	if (chosen != NULL)
		token_choose_identities(chosen->items, chosen->length);
	if (p11->C_Initialize(NULL) != CKR_OK) {
		cli_error("the module did not start");
		return CLI_FAILED;
	}
	if (first_token(p11, &slot) &&
	    p11->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &session) == CKR_OK)
		result = print_all_keys(p11, session);
	p11->C_Finalize(NULL);
	if (fflush(stdout) != 0)
		result = CLI_FAILED;
	return result;
}
