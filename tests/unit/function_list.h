/*
 * Every entry of CK_FUNCTION_LIST, in its order, with what the module
 * should answer to it, and one well-formed call of each: for the checks
 * that walk the whole list (test_pkcs11_conformance).
 */
#ifndef TREZOR_TEST_FUNCTION_LIST_H
#define TREZOR_TEST_FUNCTION_LIST_H

#include <stddef.h>

#include "pkcs11_types.h"

/* How many functions CK_FUNCTION_LIST holds in PKCS#11 v2.40. */
#define FUNCTION_LIST_LENGTH 68

enum entry_kind {
	ENTRY_LIFE,             /* C_Initialize, C_GetFunctionList: usable before C_Initialize */
	ENTRY_IMPLEMENTED,
	ENTRY_LEGACY,           /* answers CKR_FUNCTION_NOT_PARALLEL, as the standard says */
	ENTRY_UNSUPPORTED,      /* answers CKR_FUNCTION_NOT_SUPPORTED */
};

struct function_entry {
	const char *name;
	size_t offset;          /* in CK_FUNCTION_LIST */
	enum entry_kind kind;
};

extern const struct function_entry function_entries[FUNCTION_LIST_LENGTH];

/*
 * Call the entry through `functions` with arguments that are well formed
 * (real buffers, a plausible slot, object and mechanism), so that a refusal
 * can only be about the module's state or the function itself. Slot-level
 * calls use `slot`, session-level ones `session`. C_Initialize is called with
 * NULL, C_WaitForSlotEvent with CKF_DONT_BLOCK.
 */
CK_RV function_entry_call(CK_FUNCTION_LIST *functions, const struct function_entry *entry,
			  CK_SLOT_ID slot, CK_SESSION_HANDLE session);

#endif
