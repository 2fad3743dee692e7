/*
 * Mutexes as C_Initialize asked for them: the application's callbacks when
 * it supplies them without CKF_OS_LOCKING_OK, else the operating system's.
 */
#ifndef TREZOR_PKCS11_LOCK_H
#define TREZOR_PKCS11_LOCK_H

#include "pkcs11_types.h"

struct lock;

/* Choose the implementation from C_Initialize's arguments (NULL allowed). */
CK_RV lock_configure(const CK_C_INITIALIZE_ARGS *args);

CK_RV lock_new(struct lock **out);
void lock_free(struct lock *lock);
void lock_acquire(struct lock *lock);
void lock_release(struct lock *lock);

#endif
