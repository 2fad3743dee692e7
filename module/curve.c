/* Curve names and key sizes. See curve.h. */
#include "config.h"

#include "curve.h"

#include <string.h>

#include "ec.h"

const char *curve_name(enum key_curve curve)
{
	return curve == KEY_CURVE_ED25519 ? "ed25519" : "nist256p1";
}

bool curve_from_name(const char *name, enum key_curve *curve)
{
	if (strcmp(name, "nist256p1") == 0)
		*curve = KEY_CURVE_NIST256P1;
	else if (strcmp(name, "ed25519") == 0)
		*curve = KEY_CURVE_ED25519;
	else
		return false;
	return true;
}

size_t curve_key_size(enum key_curve curve)
{
	return curve == KEY_CURVE_ED25519 ? ED25519_KEY_SIZE : EC_UNCOMPRESSED_SIZE;
}
