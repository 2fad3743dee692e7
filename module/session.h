/*
 * Sessions: their handles, their slot, and the one find or sign operation
 * each may have active. Guarded by the module's global lock.
 */
#ifndef TREZOR_PKCS11_SESSION_H
#define TREZOR_PKCS11_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mechanism.h"
#include "pkcs11_types.h"
#include "slot.h"

struct session {
	CK_SESSION_HANDLE handle;
	struct slot *slot;
	CK_FLAGS flags;

	/* C_FindObjectsInit .. C_FindObjectsFinal */
	bool finding;
	CK_OBJECT_HANDLE *found;
	size_t found_length, found_next;

	/* C_SignInit .. C_Sign / C_SignFinal */
	bool signing;
	bool sign_updated;              /* C_SignUpdate started a multi-part sign */
	bool sign_busy;                 /* a thread is with the device for it */
	size_t sign_identity;
	/* The last signature that failed at the device, to tell a retry. */
	int64_t sign_failed_ms;         /* 0: none */
	size_t sign_failed_identity;
	struct sign_input input;
};

CK_RV session_open(struct slot *slot, CK_FLAGS flags, CK_SESSION_HANDLE *handle);

/* NULL for an unknown handle. */
struct session *session_get(CK_SESSION_HANDLE handle);

CK_RV session_close(CK_SESSION_HANDLE handle);
void sessions_close_slot(const struct slot *slot);

/* Sessions open on the slot, all and read-write. */
void sessions_count_slot(const struct slot *slot, CK_ULONG *all, CK_ULONG *rw);

/* CKS_* for C_GetSessionInfo. */
CK_STATE session_state(const struct session *session);

void session_end_find(struct session *session);
void session_end_sign(struct session *session);

void sessions_free(void);

#endif
