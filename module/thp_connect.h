/*
 * The device client's part of THP (a Safe 7): before any request, the
 * device's channel is open for application messages. That takes
 *
 *   1. a channel and the handshake (thp.h), presenting the credential of a
 *      device this user paired with; a locked device answers DEVICE_LOCKED,
 *      and is asked again to show its PIN pad ("Enter your PIN on the
 *      Trezor");
 *   2. with a credential it accepted, ThpEndRequest; the device may ask the
 *      person first: "Allow trezor-pkcs11 on HOST to connect?" (a credential
 *      without autoconnect, and no channel of this user's key still open on
 *      it);
 *   3. without one (or with one it refused: "pairing again", said once),
 *      pairing (thp_pairing.h).
 *
 * A channel the device dropped is opened again the same way by the next
 * request (trezor_call.c). The credential file: thp_credentials.h.
 */
#ifndef TREZOR_PKCS11_THP_CONNECT_H
#define TREZOR_PKCS11_THP_CONNECT_H

#include "trezor.h"

/* Make the link of a THP device ready for application messages (a no-op when it is). */
enum trezor_status thp_connect(struct trezor_device *device);

/* The device answered InvalidSession: the session in use is not on this channel. */
void thp_connect_session_lost(struct trezor_device *device);

/* Features came: note the device id beside its credential (for list, doctor, unpair). */
void thp_connect_note_features(struct trezor_device *device);

/* Our host name for the device's dialogs and credential ("this computer" if none). */
void thp_connect_host_name(char *name, size_t size);

#define THP_APP_NAME "trezor-pkcs11"

#endif
