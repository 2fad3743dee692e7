/*
 * The PKCS#11 entry points. Each does the same three things: is the module
 * initialised (in this process)? take the global lock; dispatch to the area
 * that does the work (api.h). Functions the module does not offer answer
 * CKR_FUNCTION_NOT_SUPPORTED once initialisation is checked
 * (pkcs11_unsupported.c).
 *
 * Only C_GetFunctionList is exported (module/trezor-pkcs11.map).
 */
#include "config.h"

#include "api.h"
#include "module.h"
#include "pkcs11_types.h"

#define UNUSED(x) (void)(x)

CK_RV C_Initialize(CK_VOID_PTR pInitArgs)
{
	return module_initialize(pInitArgs);
}

CK_RV C_Finalize(CK_VOID_PTR pReserved)
{
	return module_finalize(pReserved);
}

/* ---- dispatched ---------------------------------------------------------- */

CK_RV C_GetInfo(CK_INFO_PTR pInfo)
{
	CK_RV rv = module_enter();

	if (rv != CKR_OK)
		return rv;
	rv = api_get_info(pInfo);
	module_leave();
	return rv;
}

CK_RV C_GetSlotList(CK_BBOOL tokenPresent, CK_SLOT_ID_PTR pSlotList, CK_ULONG_PTR pulCount)
{
	CK_RV rv = module_enter();

	if (rv != CKR_OK)
		return rv;
	rv = api_get_slot_list(tokenPresent, pSlotList, pulCount);
	module_leave();
	return rv;
}

CK_RV C_GetSlotInfo(CK_SLOT_ID slotID, CK_SLOT_INFO_PTR pInfo)
{
	CK_RV rv = module_enter();

	if (rv != CKR_OK)
		return rv;
	rv = api_get_slot_info(slotID, pInfo);
	module_leave();
	return rv;
}

CK_RV C_GetTokenInfo(CK_SLOT_ID slotID, CK_TOKEN_INFO_PTR pInfo)
{
	CK_RV rv = module_enter();

	if (rv != CKR_OK)
		return rv;
	rv = api_get_token_info(slotID, pInfo);
	module_leave();
	return rv;
}

CK_RV C_GetMechanismList(CK_SLOT_ID slotID, CK_MECHANISM_TYPE_PTR pMechanismList, CK_ULONG_PTR pulCount)
{
	CK_RV rv = module_enter();

	if (rv != CKR_OK)
		return rv;
	rv = api_get_mechanism_list(slotID, pMechanismList, pulCount);
	module_leave();
	return rv;
}

CK_RV C_GetMechanismInfo(CK_SLOT_ID slotID, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR pInfo)
{
	CK_RV rv = module_enter();

	if (rv != CKR_OK)
		return rv;
	rv = api_get_mechanism_info(slotID, type, pInfo);
	module_leave();
	return rv;
}

CK_RV C_OpenSession(CK_SLOT_ID slotID, CK_FLAGS flags, CK_VOID_PTR pApplication, CK_NOTIFY Notify, CK_SESSION_HANDLE_PTR phSession)
{
	CK_RV rv = module_enter();

	UNUSED(pApplication);
	UNUSED(Notify);
	if (rv != CKR_OK)
		return rv;
	rv = api_open_session(slotID, flags, phSession);
	module_leave();
	return rv;
}

CK_RV C_CloseSession(CK_SESSION_HANDLE hSession)
{
	CK_RV rv = module_enter();

	if (rv != CKR_OK)
		return rv;
	rv = api_close_session(hSession);
	module_leave();
	return rv;
}

CK_RV C_CloseAllSessions(CK_SLOT_ID slotID)
{
	CK_RV rv = module_enter();

	if (rv != CKR_OK)
		return rv;
	rv = api_close_all_sessions(slotID);
	module_leave();
	return rv;
}

CK_RV C_GetSessionInfo(CK_SESSION_HANDLE hSession, CK_SESSION_INFO_PTR pInfo)
{
	CK_RV rv = module_enter();

	if (rv != CKR_OK)
		return rv;
	rv = api_get_session_info(hSession, pInfo);
	module_leave();
	return rv;
}

CK_RV C_Login(CK_SESSION_HANDLE hSession, CK_USER_TYPE userType, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen)
{
	CK_RV rv = module_enter();

	if (rv != CKR_OK)
		return rv;
	rv = api_login(hSession, userType, pPin, ulPinLen);
	module_leave();
	return rv;
}

CK_RV C_Logout(CK_SESSION_HANDLE hSession)
{
	CK_RV rv = module_enter();

	if (rv != CKR_OK)
		return rv;
	rv = api_logout(hSession);
	module_leave();
	return rv;
}

CK_RV C_CreateObject(CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount, CK_OBJECT_HANDLE_PTR phObject)
{
	CK_RV rv = module_enter();

	if (rv != CKR_OK)
		return rv;
	rv = api_create_object(hSession, pTemplate, ulCount, phObject);
	module_leave();
	return rv;
}

CK_RV C_CopyObject(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount, CK_OBJECT_HANDLE_PTR phNewObject)
{
	CK_RV rv = module_enter();

	if (rv != CKR_OK)
		return rv;
	rv = api_copy_object(hSession, hObject, pTemplate, ulCount, phNewObject);
	module_leave();
	return rv;
}

CK_RV C_DestroyObject(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject)
{
	CK_RV rv = module_enter();

	if (rv != CKR_OK)
		return rv;
	rv = api_destroy_object(hSession, hObject);
	module_leave();
	return rv;
}

CK_RV C_GetObjectSize(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject, CK_ULONG_PTR pulSize)
{
	CK_RV rv = module_enter();

	if (rv != CKR_OK)
		return rv;
	rv = api_get_object_size(hSession, hObject, pulSize);
	module_leave();
	return rv;
}

CK_RV C_GetAttributeValue(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
	CK_RV rv = module_enter();

	if (rv != CKR_OK)
		return rv;
	rv = api_get_attribute_value(hSession, hObject, pTemplate, ulCount);
	module_leave();
	return rv;
}

CK_RV C_SetAttributeValue(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
	CK_RV rv = module_enter();

	if (rv != CKR_OK)
		return rv;
	rv = api_set_attribute_value(hSession, hObject, pTemplate, ulCount);
	module_leave();
	return rv;
}

CK_RV C_FindObjectsInit(CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
	CK_RV rv = module_enter();

	if (rv != CKR_OK)
		return rv;
	rv = api_find_objects_init(hSession, pTemplate, ulCount);
	module_leave();
	return rv;
}

CK_RV C_FindObjects(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE_PTR phObject, CK_ULONG ulMaxObjectCount, CK_ULONG_PTR pulObjectCount)
{
	CK_RV rv = module_enter();

	if (rv != CKR_OK)
		return rv;
	rv = api_find_objects(hSession, phObject, ulMaxObjectCount, pulObjectCount);
	module_leave();
	return rv;
}

CK_RV C_FindObjectsFinal(CK_SESSION_HANDLE hSession)
{
	CK_RV rv = module_enter();

	if (rv != CKR_OK)
		return rv;
	rv = api_find_objects_final(hSession);
	module_leave();
	return rv;
}

CK_RV C_SignInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
	CK_RV rv = module_enter();

	if (rv != CKR_OK)
		return rv;
	rv = api_sign_init(hSession, pMechanism, hKey);
	module_leave();
	return rv;
}

CK_RV C_Sign(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen, CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen)
{
	CK_RV rv = module_enter();

	if (rv != CKR_OK)
		return rv;
	rv = api_sign(hSession, pData, ulDataLen, pSignature, pulSignatureLen);
	module_leave();
	return rv;
}

CK_RV C_SignUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen)
{
	CK_RV rv = module_enter();

	if (rv != CKR_OK)
		return rv;
	rv = api_sign_update(hSession, pPart, ulPartLen);
	module_leave();
	return rv;
}

CK_RV C_SignFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen)
{
	CK_RV rv = module_enter();

	if (rv != CKR_OK)
		return rv;
	rv = api_sign_final(hSession, pSignature, pulSignatureLen);
	module_leave();
	return rv;
}

CK_RV C_SeedRandom(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSeed, CK_ULONG ulSeedLen)
{
	CK_RV rv = module_enter();

	if (rv != CKR_OK)
		return rv;
	rv = api_seed_random(hSession, pSeed, ulSeedLen);
	module_leave();
	return rv;
}

CK_RV C_GenerateRandom(CK_SESSION_HANDLE hSession, CK_BYTE_PTR RandomData, CK_ULONG ulRandomLen)
{
	CK_RV rv = module_enter();

	if (rv != CKR_OK)
		return rv;
	rv = api_generate_random(hSession, RandomData, ulRandomLen);
	module_leave();
	return rv;
}

CK_RV C_WaitForSlotEvent(CK_FLAGS flags, CK_SLOT_ID_PTR pSlot, CK_VOID_PTR pReserved)
{
	CK_RV rv = module_enter();

	if (rv != CKR_OK)
		return rv;
	rv = pReserved != NULL ? CKR_ARGUMENTS_BAD : api_wait_for_slot_event(flags, pSlot);
	module_leave();
	return rv;
}

/* Legacy parallel-function management: never parallel here. */
CK_RV C_GetFunctionStatus(CK_SESSION_HANDLE hSession)
{
	CK_RV rv = module_enter();

	UNUSED(hSession);
	if (rv != CKR_OK)
		return rv;
	module_leave();
	return CKR_FUNCTION_NOT_PARALLEL;
}

CK_RV C_CancelFunction(CK_SESSION_HANDLE hSession)
{
	CK_RV rv = module_enter();

	UNUSED(hSession);
	if (rv != CKR_OK)
		return rv;
	module_leave();
	return CKR_FUNCTION_NOT_PARALLEL;
}

/* ---- the function list ------------------------------------------------------ */

static CK_FUNCTION_LIST function_list = {
	.version = { 2, 40 },
	.C_Initialize = C_Initialize,
	.C_Finalize = C_Finalize,
	.C_GetInfo = C_GetInfo,
	.C_GetFunctionList = C_GetFunctionList,
	.C_GetSlotList = C_GetSlotList,
	.C_GetSlotInfo = C_GetSlotInfo,
	.C_GetTokenInfo = C_GetTokenInfo,
	.C_GetMechanismList = C_GetMechanismList,
	.C_GetMechanismInfo = C_GetMechanismInfo,
	.C_InitToken = C_InitToken,
	.C_InitPIN = C_InitPIN,
	.C_SetPIN = C_SetPIN,
	.C_OpenSession = C_OpenSession,
	.C_CloseSession = C_CloseSession,
	.C_CloseAllSessions = C_CloseAllSessions,
	.C_GetSessionInfo = C_GetSessionInfo,
	.C_GetOperationState = C_GetOperationState,
	.C_SetOperationState = C_SetOperationState,
	.C_Login = C_Login,
	.C_Logout = C_Logout,
	.C_CreateObject = C_CreateObject,
	.C_CopyObject = C_CopyObject,
	.C_DestroyObject = C_DestroyObject,
	.C_GetObjectSize = C_GetObjectSize,
	.C_GetAttributeValue = C_GetAttributeValue,
	.C_SetAttributeValue = C_SetAttributeValue,
	.C_FindObjectsInit = C_FindObjectsInit,
	.C_FindObjects = C_FindObjects,
	.C_FindObjectsFinal = C_FindObjectsFinal,
	.C_EncryptInit = C_EncryptInit,
	.C_Encrypt = C_Encrypt,
	.C_EncryptUpdate = C_EncryptUpdate,
	.C_EncryptFinal = C_EncryptFinal,
	.C_DecryptInit = C_DecryptInit,
	.C_Decrypt = C_Decrypt,
	.C_DecryptUpdate = C_DecryptUpdate,
	.C_DecryptFinal = C_DecryptFinal,
	.C_DigestInit = C_DigestInit,
	.C_Digest = C_Digest,
	.C_DigestUpdate = C_DigestUpdate,
	.C_DigestKey = C_DigestKey,
	.C_DigestFinal = C_DigestFinal,
	.C_SignInit = C_SignInit,
	.C_Sign = C_Sign,
	.C_SignUpdate = C_SignUpdate,
	.C_SignFinal = C_SignFinal,
	.C_SignRecoverInit = C_SignRecoverInit,
	.C_SignRecover = C_SignRecover,
	.C_VerifyInit = C_VerifyInit,
	.C_Verify = C_Verify,
	.C_VerifyUpdate = C_VerifyUpdate,
	.C_VerifyFinal = C_VerifyFinal,
	.C_VerifyRecoverInit = C_VerifyRecoverInit,
	.C_VerifyRecover = C_VerifyRecover,
	.C_DigestEncryptUpdate = C_DigestEncryptUpdate,
	.C_DecryptDigestUpdate = C_DecryptDigestUpdate,
	.C_SignEncryptUpdate = C_SignEncryptUpdate,
	.C_DecryptVerifyUpdate = C_DecryptVerifyUpdate,
	.C_GenerateKey = C_GenerateKey,
	.C_GenerateKeyPair = C_GenerateKeyPair,
	.C_WrapKey = C_WrapKey,
	.C_UnwrapKey = C_UnwrapKey,
	.C_DeriveKey = C_DeriveKey,
	.C_SeedRandom = C_SeedRandom,
	.C_GenerateRandom = C_GenerateRandom,
	.C_GetFunctionStatus = C_GetFunctionStatus,
	.C_CancelFunction = C_CancelFunction,
	.C_WaitForSlotEvent = C_WaitForSlotEvent,
};

/* The one exported symbol. */
CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR ppFunctionList)
{
	if (ppFunctionList == NULL)
		return CKR_ARGUMENTS_BAD;
	*ppFunctionList = &function_list;
	return CKR_OK;
}
