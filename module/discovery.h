/*
 * Finding Trezors and keeping the slot list true.
 *
 * Where to look: TREZOR_PATH, a comma-separated list of device paths
 * (webusb:BUS:ADDR or webusb for the first, hid:..., udp:HOST:PORT,
 * bridge:PATH), each its own device. Unset: every Trezor on USB, the
 * emulator on 127.0.0.1:21324 when it answers at once, and Trezor Bridge's
 * devices when a USB Trezor is held by another program (Trezor Suite).
 *
 * Each refresh opens only devices not yet known (Features is read once per
 * device), gives a device its slot back when it comes again (same device id,
 * new path), and marks the slots of unplugged USB devices, and of UDP
 * devices that stopped answering, removed. A problem
 * with a device is said once on stderr, not at every refresh.
 */
#ifndef TREZOR_PKCS11_DISCOVERY_H
#define TREZOR_PKCS11_DISCOVERY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "transport.h"
#include "trezor.h"

/* Bring the slots up to date. Call under the global lock. */
void discovery_refresh(const atomic_bool *cancel);

/*
 * No device found, and none that could not be used: say so, once (a
 * listing that only says "cannot read public key" tells nobody anything).
 */
void discovery_report_none(void);

/* Has any refresh run since C_Initialize? */
bool discovery_done(void);

/* A device discovery could not use, and why (what it said on stderr). */
struct discovery_problem {
	char path[TRANSPORT_PATH_MAX];
	char message[TRANSPORT_PATH_MAX + TREZOR_ERROR_MAX + 8];
};

/* The problems standing now, at most `room`; returns how many there are. */
size_t discovery_problems(struct discovery_problem *out, size_t room);

/*
 * Whether a Safe 7 found now may be paired (thp_pairing.h: the person types
 * its code into pinentry), and whether pairing ends with the offer to
 * connect without asking. Both on by default; trezor-pkcs11 list and doctor
 * only look (an unpaired device is reported), pair --no-autoconnect makes
 * no offer.
 */
void discovery_set_pairing(bool allowed, bool offer_autoconnect);

/* Forget what was reported and found (C_Finalize, or after fork). */
void discovery_reset(void);

#endif
