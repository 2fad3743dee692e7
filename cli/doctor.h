/*
 * trezor-pkcs11 doctor: each check says "ok" with what it found, or
 * "PROBLEM" with what is wrong and, on the next line, what to do. The
 * report goes to stdout; the exit code is CLI_OK only when all is well.
 */
#ifndef TREZOR_PKCS11_DOCTOR_H
#define TREZOR_PKCS11_DOCTOR_H

#include "cli.h"

void doctor_ok(const char *format, ...) __attribute__((format(printf, 1, 2)));
/* Neither ok nor a problem: something to know ("note     ..."). */
void doctor_note(const char *format, ...) __attribute__((format(printf, 1, 2)));
void doctor_problem(const char *fix, const char *format, ...)
	__attribute__((format(printf, 2, 3)));

/* What is installed, under `root` ("" for this system): doctor_install.c. */
void doctor_check_module(const char *root);
void doctor_check_p11kit(const char *root);
void doctor_check_udev(const char *root);

/* What this user has: doctor_use.c. */
void doctor_check_devices(void);
void doctor_check_identities(void);
void doctor_check_pinentry(void);
void doctor_check_cache(void);

/* Whether ssh offers the Ed25519 identities (OpenSSH 10.1 or later): doctor_ssh.c. */
void doctor_check_ssh(void);

/* Whether what the module says reaches the person: doctor_reach.c. */
void doctor_check_recent_errors(void);
void doctor_check_agent(void);

#endif
