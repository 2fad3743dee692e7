/*
 * Sessions over THP, for trezor_initialize (docs/common/thp/sessions.md in
 * the firmware repository): a session belongs to the channel, the host
 * picks its one-byte id, and ThpCreateNewSession on that id derives the
 * wallet's seed there, with the passphrase given up front (or typed on the
 * device: on_device). An id no session holds is a seedless session:
 * Features work, keys answer InvalidSession.
 *
 * Between programs: this user's programs share one host key, so the device
 * hands a new channel the sessions of the channel of ours it replaces
 * (trezor_state PAIRED_AUTOCONNECT); the id kept in the session file
 * (session_file.h) is then resumed without a new seed or passphrase. On a
 * channel that carried nothing over (the device restarted), the wallet's
 * session is made again under the same id.
 */
#ifndef TREZOR_PKCS11_THP_SESSION_H
#define TREZOR_PKCS11_THP_SESSION_H

#include "trezor.h"

/* trezor_initialize for a device that speaks THP. */
enum trezor_status thp_session_start(struct trezor_device *device);

#endif
