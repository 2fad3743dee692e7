/* The whole function list, one call per entry. See function_list.h. */
#include "config.h"

#include "function_list.h"

#include <check.h>
#include <stdbool.h>
#include <string.h>

/* Handles of alice's key pair on every token (object.h). */
#define PUBLIC_KEY 1
#define PRIVATE_KEY 2

#define AT(function) offsetof(CK_FUNCTION_LIST, function)
#define ENTRY(function, kind) { #function, AT(function), kind }

const struct function_entry function_entries[FUNCTION_LIST_LENGTH] = {
	ENTRY(C_Initialize, ENTRY_LIFE),
	ENTRY(C_Finalize, ENTRY_IMPLEMENTED),
	ENTRY(C_GetInfo, ENTRY_IMPLEMENTED),
	ENTRY(C_GetFunctionList, ENTRY_LIFE),
	ENTRY(C_GetSlotList, ENTRY_IMPLEMENTED),
	ENTRY(C_GetSlotInfo, ENTRY_IMPLEMENTED),
	ENTRY(C_GetTokenInfo, ENTRY_IMPLEMENTED),
	ENTRY(C_GetMechanismList, ENTRY_IMPLEMENTED),
	ENTRY(C_GetMechanismInfo, ENTRY_IMPLEMENTED),
	ENTRY(C_InitToken, ENTRY_UNSUPPORTED),
	ENTRY(C_InitPIN, ENTRY_UNSUPPORTED),
	ENTRY(C_SetPIN, ENTRY_UNSUPPORTED),
	ENTRY(C_OpenSession, ENTRY_IMPLEMENTED),
	ENTRY(C_CloseSession, ENTRY_IMPLEMENTED),
	ENTRY(C_CloseAllSessions, ENTRY_IMPLEMENTED),
	ENTRY(C_GetSessionInfo, ENTRY_IMPLEMENTED),
	ENTRY(C_GetOperationState, ENTRY_UNSUPPORTED),
	ENTRY(C_SetOperationState, ENTRY_UNSUPPORTED),
	ENTRY(C_Login, ENTRY_IMPLEMENTED),
	ENTRY(C_Logout, ENTRY_IMPLEMENTED),
	ENTRY(C_CreateObject, ENTRY_IMPLEMENTED),
	ENTRY(C_CopyObject, ENTRY_IMPLEMENTED),
	ENTRY(C_DestroyObject, ENTRY_IMPLEMENTED),
	ENTRY(C_GetObjectSize, ENTRY_IMPLEMENTED),
	ENTRY(C_GetAttributeValue, ENTRY_IMPLEMENTED),
	ENTRY(C_SetAttributeValue, ENTRY_IMPLEMENTED),
	ENTRY(C_FindObjectsInit, ENTRY_IMPLEMENTED),
	ENTRY(C_FindObjects, ENTRY_IMPLEMENTED),
	ENTRY(C_FindObjectsFinal, ENTRY_IMPLEMENTED),
	ENTRY(C_EncryptInit, ENTRY_UNSUPPORTED),
	ENTRY(C_Encrypt, ENTRY_UNSUPPORTED),
	ENTRY(C_EncryptUpdate, ENTRY_UNSUPPORTED),
	ENTRY(C_EncryptFinal, ENTRY_UNSUPPORTED),
	ENTRY(C_DecryptInit, ENTRY_UNSUPPORTED),
	ENTRY(C_Decrypt, ENTRY_UNSUPPORTED),
	ENTRY(C_DecryptUpdate, ENTRY_UNSUPPORTED),
	ENTRY(C_DecryptFinal, ENTRY_UNSUPPORTED),
	ENTRY(C_DigestInit, ENTRY_UNSUPPORTED),
	ENTRY(C_Digest, ENTRY_UNSUPPORTED),
	ENTRY(C_DigestUpdate, ENTRY_UNSUPPORTED),
	ENTRY(C_DigestKey, ENTRY_UNSUPPORTED),
	ENTRY(C_DigestFinal, ENTRY_UNSUPPORTED),
	ENTRY(C_SignInit, ENTRY_IMPLEMENTED),
	ENTRY(C_Sign, ENTRY_IMPLEMENTED),
	ENTRY(C_SignUpdate, ENTRY_IMPLEMENTED),
	ENTRY(C_SignFinal, ENTRY_IMPLEMENTED),
	ENTRY(C_SignRecoverInit, ENTRY_UNSUPPORTED),
	ENTRY(C_SignRecover, ENTRY_UNSUPPORTED),
	ENTRY(C_VerifyInit, ENTRY_UNSUPPORTED),
	ENTRY(C_Verify, ENTRY_UNSUPPORTED),
	ENTRY(C_VerifyUpdate, ENTRY_UNSUPPORTED),
	ENTRY(C_VerifyFinal, ENTRY_UNSUPPORTED),
	ENTRY(C_VerifyRecoverInit, ENTRY_UNSUPPORTED),
	ENTRY(C_VerifyRecover, ENTRY_UNSUPPORTED),
	ENTRY(C_DigestEncryptUpdate, ENTRY_UNSUPPORTED),
	ENTRY(C_DecryptDigestUpdate, ENTRY_UNSUPPORTED),
	ENTRY(C_SignEncryptUpdate, ENTRY_UNSUPPORTED),
	ENTRY(C_DecryptVerifyUpdate, ENTRY_UNSUPPORTED),
	ENTRY(C_GenerateKey, ENTRY_UNSUPPORTED),
	ENTRY(C_GenerateKeyPair, ENTRY_UNSUPPORTED),
	ENTRY(C_WrapKey, ENTRY_UNSUPPORTED),
	ENTRY(C_UnwrapKey, ENTRY_UNSUPPORTED),
	ENTRY(C_DeriveKey, ENTRY_UNSUPPORTED),
	ENTRY(C_SeedRandom, ENTRY_IMPLEMENTED),
	ENTRY(C_GenerateRandom, ENTRY_IMPLEMENTED),
	ENTRY(C_GetFunctionStatus, ENTRY_LEGACY),
	ENTRY(C_CancelFunction, ENTRY_LEGACY),
	ENTRY(C_WaitForSlotEvent, ENTRY_IMPLEMENTED),
};

/* Arguments for the calls; what they receive is not looked at. */
struct call_arguments {
	CK_MECHANISM ecdsa, sha256, generate_aes, generate_ec, derive;
	CK_BYTE data[32];
	CK_BYTE out[128];
	CK_ULONG out_length;
	CK_UTF8CHAR pin[4];
	CK_UTF8CHAR token_label[32];
	CK_ATTRIBUTE label;
	CK_OBJECT_HANDLE object, second_object;
	CK_INFO info;
	CK_SLOT_INFO slot_info;
	CK_TOKEN_INFO token_info;
	CK_MECHANISM_INFO mechanism_info;
	CK_SESSION_INFO session_info;
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE session;
	CK_FUNCTION_LIST_PTR list;
};

static void prepare(struct call_arguments *a)
{
	static const CK_MECHANISM ecdsa = { CKM_ECDSA, NULL, 0 };
	static const CK_MECHANISM sha256 = { CKM_SHA256, NULL, 0 };
	static const CK_MECHANISM generate_aes = { CKM_AES_KEY_GEN, NULL, 0 };
	static const CK_MECHANISM generate_ec = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };
	static const CK_MECHANISM derive = { CKM_ECDH1_DERIVE, NULL, 0 };

	memset(a, 0, sizeof(*a));
	a->ecdsa = ecdsa;
	a->sha256 = sha256;
	a->generate_aes = generate_aes;
	a->generate_ec = generate_ec;
	a->derive = derive;
	memset(a->data, 0x5a, sizeof(a->data));
	a->out_length = sizeof(a->out);
	memcpy(a->pin, "1234", sizeof(a->pin));
	memset(a->token_label, ' ', sizeof(a->token_label));
	a->label.type = CKA_LABEL;
	a->label.pValue = a->token_label;
	a->label.ulValueLen = 1;
}

/* The calls that take no session. */
static CK_RV call_library(CK_FUNCTION_LIST *f, size_t offset, CK_SLOT_ID slot,
			  struct call_arguments *a, bool *known)
{
	*known = true;
	switch (offset) {
	case AT(C_Initialize): return f->C_Initialize(NULL);
	case AT(C_Finalize): return f->C_Finalize(NULL);
	case AT(C_GetInfo): return f->C_GetInfo(&a->info);
	case AT(C_GetFunctionList): return f->C_GetFunctionList(&a->list);
	case AT(C_GetSlotList): return f->C_GetSlotList(CK_FALSE, NULL, &a->out_length);
	case AT(C_GetSlotInfo): return f->C_GetSlotInfo(slot, &a->slot_info);
	case AT(C_GetTokenInfo): return f->C_GetTokenInfo(slot, &a->token_info);
	case AT(C_GetMechanismList): return f->C_GetMechanismList(slot, NULL, &a->out_length);
	case AT(C_GetMechanismInfo):
		return f->C_GetMechanismInfo(slot, CKM_ECDSA, &a->mechanism_info);
	case AT(C_InitToken): return f->C_InitToken(slot, a->pin, 4, a->token_label);
	case AT(C_OpenSession):
		return f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &a->session);
	case AT(C_CloseAllSessions): return f->C_CloseAllSessions(slot);
	case AT(C_WaitForSlotEvent): return f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &a->slot, NULL);
	default: *known = false; return CKR_GENERAL_ERROR;
	}
}

/* Sessions, objects, and the operations without data. */
static CK_RV call_session(CK_FUNCTION_LIST *f, size_t offset, CK_SESSION_HANDLE s,
			  struct call_arguments *a, bool *known)
{
	*known = true;
	switch (offset) {
	case AT(C_InitPIN): return f->C_InitPIN(s, a->pin, 4);
	case AT(C_SetPIN): return f->C_SetPIN(s, a->pin, 4, a->pin, 4);
	case AT(C_CloseSession): return f->C_CloseSession(s);
	case AT(C_GetSessionInfo): return f->C_GetSessionInfo(s, &a->session_info);
	case AT(C_GetOperationState): return f->C_GetOperationState(s, a->out, &a->out_length);
	case AT(C_SetOperationState): return f->C_SetOperationState(s, a->data, 32, 0, 0);
	case AT(C_Login): return f->C_Login(s, CKU_USER, NULL, 0);
	case AT(C_Logout): return f->C_Logout(s);
	case AT(C_CreateObject): return f->C_CreateObject(s, &a->label, 1, &a->object);
	case AT(C_CopyObject): return f->C_CopyObject(s, PUBLIC_KEY, &a->label, 1, &a->object);
	case AT(C_DestroyObject): return f->C_DestroyObject(s, PUBLIC_KEY);
	case AT(C_GetObjectSize): return f->C_GetObjectSize(s, PUBLIC_KEY, &a->out_length);
	case AT(C_GetAttributeValue): return f->C_GetAttributeValue(s, PUBLIC_KEY, &a->label, 1);
	case AT(C_SetAttributeValue): return f->C_SetAttributeValue(s, PUBLIC_KEY, &a->label, 1);
	case AT(C_FindObjectsInit): return f->C_FindObjectsInit(s, NULL, 0);
	case AT(C_FindObjects): return f->C_FindObjects(s, &a->object, 1, &a->out_length);
	case AT(C_FindObjectsFinal): return f->C_FindObjectsFinal(s);
	case AT(C_GenerateKey):
		return f->C_GenerateKey(s, &a->generate_aes, &a->label, 1, &a->object);
	case AT(C_GenerateKeyPair):
		return f->C_GenerateKeyPair(s, &a->generate_ec, &a->label, 1, &a->label, 1,
					    &a->object, &a->second_object);
	case AT(C_WrapKey):
		return f->C_WrapKey(s, &a->ecdsa, PUBLIC_KEY, PRIVATE_KEY, a->out, &a->out_length);
	case AT(C_UnwrapKey):
		return f->C_UnwrapKey(s, &a->ecdsa, PRIVATE_KEY, a->data, 32, &a->label, 1,
				      &a->object);
	case AT(C_DeriveKey):
		return f->C_DeriveKey(s, &a->derive, PRIVATE_KEY, &a->label, 1, &a->object);
	case AT(C_SeedRandom): return f->C_SeedRandom(s, a->data, 32);
	case AT(C_GenerateRandom): return f->C_GenerateRandom(s, a->out, 16);
	case AT(C_GetFunctionStatus): return f->C_GetFunctionStatus(s);
	case AT(C_CancelFunction): return f->C_CancelFunction(s);
	default: *known = false; return CKR_GENERAL_ERROR;
	}
}

/* The cryptographic operations. */
static CK_RV call_operation(CK_FUNCTION_LIST *f, size_t offset, CK_SESSION_HANDLE s,
			    struct call_arguments *a, bool *known)
{
	CK_BYTE *in = a->data, *out = a->out;
	CK_ULONG *length = &a->out_length;

	*known = true;
	switch (offset) {
	case AT(C_EncryptInit): return f->C_EncryptInit(s, &a->ecdsa, PUBLIC_KEY);
	case AT(C_Encrypt): return f->C_Encrypt(s, in, 32, out, length);
	case AT(C_EncryptUpdate): return f->C_EncryptUpdate(s, in, 32, out, length);
	case AT(C_EncryptFinal): return f->C_EncryptFinal(s, out, length);
	case AT(C_DecryptInit): return f->C_DecryptInit(s, &a->ecdsa, PRIVATE_KEY);
	case AT(C_Decrypt): return f->C_Decrypt(s, in, 32, out, length);
	case AT(C_DecryptUpdate): return f->C_DecryptUpdate(s, in, 32, out, length);
	case AT(C_DecryptFinal): return f->C_DecryptFinal(s, out, length);
	case AT(C_DigestInit): return f->C_DigestInit(s, &a->sha256);
	case AT(C_Digest): return f->C_Digest(s, in, 32, out, length);
	case AT(C_DigestUpdate): return f->C_DigestUpdate(s, in, 32);
	case AT(C_DigestKey): return f->C_DigestKey(s, PUBLIC_KEY);
	case AT(C_DigestFinal): return f->C_DigestFinal(s, out, length);
	case AT(C_SignInit): return f->C_SignInit(s, &a->ecdsa, PRIVATE_KEY);
	case AT(C_Sign): return f->C_Sign(s, in, 32, out, length);
	case AT(C_SignUpdate): return f->C_SignUpdate(s, in, 32);
	case AT(C_SignFinal): return f->C_SignFinal(s, out, length);
	case AT(C_SignRecoverInit): return f->C_SignRecoverInit(s, &a->ecdsa, PRIVATE_KEY);
	case AT(C_SignRecover): return f->C_SignRecover(s, in, 32, out, length);
	case AT(C_VerifyInit): return f->C_VerifyInit(s, &a->ecdsa, PUBLIC_KEY);
	case AT(C_Verify): return f->C_Verify(s, in, 32, out, 64);
	case AT(C_VerifyUpdate): return f->C_VerifyUpdate(s, in, 32);
	case AT(C_VerifyFinal): return f->C_VerifyFinal(s, out, 64);
	case AT(C_VerifyRecoverInit): return f->C_VerifyRecoverInit(s, &a->ecdsa, PUBLIC_KEY);
	case AT(C_VerifyRecover): return f->C_VerifyRecover(s, in, 32, out, length);
	case AT(C_DigestEncryptUpdate): return f->C_DigestEncryptUpdate(s, in, 32, out, length);
	case AT(C_DecryptDigestUpdate): return f->C_DecryptDigestUpdate(s, in, 32, out, length);
	case AT(C_SignEncryptUpdate): return f->C_SignEncryptUpdate(s, in, 32, out, length);
	case AT(C_DecryptVerifyUpdate): return f->C_DecryptVerifyUpdate(s, in, 32, out, length);
	default: *known = false; return CKR_GENERAL_ERROR;
	}
}

CK_RV function_entry_call(CK_FUNCTION_LIST *functions, const struct function_entry *entry,
			  CK_SLOT_ID slot, CK_SESSION_HANDLE session)
{
	struct call_arguments arguments;
	bool known;
	CK_RV rv;

	prepare(&arguments);
	rv = call_library(functions, entry->offset, slot, &arguments, &known);
	if (!known)
		rv = call_session(functions, entry->offset, session, &arguments, &known);
	if (!known)
		rv = call_operation(functions, entry->offset, session, &arguments, &known);
	ck_assert_msg(known, "no call for %s", entry->name);
	return rv;
}
