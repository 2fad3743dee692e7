/*
 * PKCS#11 v2.40 conformance, function by function: the module (dlopen'ed as
 * a program would) against the simulator. One TCase per function or area of
 * the base specification (and of the current-mechanisms document for
 * ECDSA): the return code for each bad argument, handle, mechanism and
 * state; the length conventions; the information structures. The cases
 * live in conformance_*.c, one file per chapter (conformance.h).
 *
 * What the keys and signatures mean is test_pkcs11_api's business; threads
 * and fork() are test_pkcs11_misuse's.
 */
#include "config.h"

#include "conformance.h"

int main(void)
{
	Suite *suite = suite_create("pkcs11 conformance");

	conformance_general_cases(suite);
	conformance_slot_cases(suite);
	conformance_session_cases(suite);
	conformance_object_cases(suite);
	conformance_signing_cases(suite);
	conformance_random_cases(suite);
	return run_suite(suite);
}
