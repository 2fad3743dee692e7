/*
 * The module's life: C_Initialize and C_Finalize, the global lock every
 * entry point takes, and fork detection (a child must call C_Initialize
 * again; until then it is told CKR_CRYPTOKI_NOT_INITIALIZED).
 *
 * A call that must wait for a device lets go of the global lock with
 * module_suspend() and takes it back with module_resume(). C_Finalize
 * raises a cancel flag that ends such waits, and frees nothing until every
 * call in progress has left.
 */
#ifndef TREZOR_PKCS11_MODULE_H
#define TREZOR_PKCS11_MODULE_H

#include <stdatomic.h>

#include "pkcs11_types.h"

CK_RV module_initialize(CK_VOID_PTR init_args);
CK_RV module_finalize(CK_VOID_PTR reserved_arg);

/* Initialised (in this process)? Then take the global lock. */
CK_RV module_enter(void);
void module_leave(void);

/* Around device I/O inside a call: drop and retake the global lock.
 * module_resume() returns CKR_CRYPTOKI_NOT_INITIALIZED once C_Finalize has
 * begun; the caller still finishes with module_leave(). */
void module_suspend(void);
CK_RV module_resume(void);

/* Raised by C_Finalize: device waits give up. */
const atomic_bool *module_cancel_flag(void);

/* The program using the module, shown on the device ("ssh", "ssh-agent"). */
const char *module_program(void);

#endif
