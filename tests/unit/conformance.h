/*
 * The PKCS#11 v2.40 conformance suite (test_pkcs11_conformance): the module,
 * dlopen'ed as a program would, against the simulator, function by
 * function. One file per chapter of the standard's functions, each adding
 * one TCase per function or area:
 *
 *   conformance_general.c    5.4  the function list, C_Initialize, C_Finalize, C_GetInfo
 *   conformance_slots.c      5.5  slots, tokens, mechanisms, slot events
 *   conformance_sessions.c   5.6  sessions, login
 *   conformance_objects.c    5.7  finding objects, attributes, refused changes
 *   conformance_signing.c    5.11 signing, and CKM_ECDSA's rules
 *   conformance_random.c     5.15 random numbers (there is no generator)
 *
 * This file: what they share, the fixtures and the checks they repeat.
 */
#ifndef TREZOR_TEST_CONFORMANCE_H
#define TREZOR_TEST_CONFORMANCE_H

#include <stddef.h>

#include <check.h>

#include "function_list.h"
#include "helpers.h"
#include "pkcs11_types.h"

/* Handles: 2i+1 public, 2i+2 private; alice is identity 0, bob identity 1. */
#define ALICE_PUBLIC 1
#define ALICE_PRIVATE 2
#define BOB_PUBLIC 3
#define BOB_PRIVATE 4
#define ALICE_ID "20160ed6a16f089058d1dd9ddbb3a4a3"
#define SIMULATOR_SLOT 0x711f1fb        /* from the simulator's device id */
#define EMPTY_SLOT 0                    /* the slot listed when no device is */
#define NO_SUCH_SLOT 12345
#define NO_SUCH_SESSION 999
#define SIGNATURE_SIZE 64

extern struct sim_process sim;
extern CK_FUNCTION_LIST *p11;
extern CK_SLOT_ID slot;                 /* set by set_up_ready */
extern CK_SESSION_HANDLE session;       /* read-only, opened by set_up_ready */

/* What the tests pass around: CKM_ECDSA, 32 bytes to sign, a CK_INFO to fill. */
extern CK_MECHANISM ecdsa;
extern CK_BYTE data_in[32];
extern CK_INFO info_out;

/* Fixtures: the module loaded only; or initialised with `slot` and `session`. */
void set_up_loaded(void);
void set_up_ready(void);
void tear_down(void);

/* A TCase with one of those fixtures, in the suite. */
TCase *conformance_area(Suite *suite, const char *name, void (*set_up)(void));

/* Start again (as set_up_ready) with a simulator given these options. */
void restart_with(const char *const *args);

/* Initialise again, with nothing answering where the device was. */
void initialize_without_device(void);

CK_SESSION_HANDLE open_session(CK_FLAGS flags);
CK_STATE state_of(CK_SESSION_HANDLE handle);

/* SignIdentity requests and button requests in the simulator's log. */
int signatures_made(void);
int confirmations_asked(void);

/*
 * A fixed-length CK_UTF8CHAR field as the standard wants it: well-formed
 * UTF-8, no NUL or other control character, padded with spaces; holding
 * `text` when it is not NULL.
 */
void assert_text_field(const CK_UTF8CHAR *field, size_t size, const char *text);

/* The module's stderr goes to a file between these two calls. */
void capture_stderr(void);
void captured_stderr(char *text, size_t size);

/* Each file's TCases. */
void conformance_general_cases(Suite *suite);
void conformance_slot_cases(Suite *suite);
void conformance_session_cases(Suite *suite);
void conformance_object_cases(Suite *suite);
void conformance_signing_cases(Suite *suite);
void conformance_random_cases(Suite *suite);

#endif
