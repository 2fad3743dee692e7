/*
 * Pairing a THP device with this computer by code entry, host side
 * (specification, "Pairing phase", states HP0 to HP5, and "Credential
 * phase"), on a link whose handshake found no credential the device
 * accepts:
 *
 *   ThpPairingRequest(host, "trezor-pkcs11")   the device asks the person
 *                                              "Allow ... to pair?"
 *   ThpSelectMethod(CodeEntry)  -> ThpCodeEntryCommitment (SHA-256 of its secret)
 *   ThpCodeEntryChallenge(16 random bytes) -> ThpCodeEntryCpaceTrezor
 *                                              the device shows six digits;
 *                                              the person types them into
 *                                              pinentry (prompt.h)
 *   ThpCodeEntryCpaceHostTag(CPace key, SHA-256 of the shared secret)
 *                               -> ThpCodeEntrySecret; its hash must be the
 *                                  commitment, and it and the challenge must
 *                                  give the code typed, else the device is
 *                                  not the one on the screen (refused)
 *   ThpCredentialRequest(host key) -> ThpCredentialResponse, kept
 *                                  (thp_credentials.h)
 *   ThpEndRequest -> ThpEndResponse            the channel is open
 *
 * Then, when device->offer_autoconnect, an autoconnect credential is asked
 * for (the firmware grants it only on an open channel, with the credential
 * just issued): the device asks the person "Allow ... to connect
 * automatically?". Yes: later programs connect without a question on the
 * device. No: the plain credential stays, and a new connection after the
 * device restarted asks "Allow ... to connect?" (README, Devices).
 */
#ifndef TREZOR_PKCS11_THP_PAIRING_H
#define TREZOR_PKCS11_THP_PAIRING_H

#include <stdbool.h>

#include "thp_credentials.h"
#include "trezor.h"

enum trezor_status thp_pair(struct trezor_device *device,
			    const struct thp_credentials *credentials);

/*
 * On an open channel of a paired device: replace the credential kept by
 * one with autoconnect on or off (on: the device asks the person).
 */
enum trezor_status thp_change_autoconnect(struct trezor_device *device, bool autoconnect);

#endif
