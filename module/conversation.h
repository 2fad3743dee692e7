/*
 * The conversation with one device: take it (its slot's device lock, and a
 * re-plugged device taken in), start or resume this user's session on it,
 * ask for a key or a signature, and recover when the device has lost the
 * session. The path of a signature runs down through here: api_sign.c ->
 * conversation.c -> trezor.c -> trezor_call.c -> transport.
 *
 * Sessions: the firmware derives keys only inside a session that an
 * Initialize started or resumed (HACKING 5.8). Before its first
 * key operation on a device a program resumes the session this user's
 * programs keep for the device and wallet (session_file.h), or starts one.
 * When the device answers InvalidSession (it restarted, or ten newer
 * sessions pushed ours out), a new session is started and the request sent
 * once more; when the person had already confirmed the first one, a line
 * says why the Trezor asks again.
 *
 * Call WITHOUT the global lock; failures are said on stderr in one line.
 */
#ifndef TREZOR_PKCS11_CONVERSATION_H
#define TREZOR_PKCS11_CONVERSATION_H

#include <stdbool.h>
#include <stdint.h>

#include "ec.h"
#include "identities_file.h"
#include "pkcs11_types.h"
#include "prompt.h"
#include "slot.h"

/* The identity's public key (of its curve); the prompt answers what the device asks. */
CK_RV conversation_fetch_key(struct slot *slot, const struct key_identity *key,
			     struct prompt_context *prompt, uint8_t point[KEY_POINT_MAX]);

/*
 * Sign the challenge (a digest, or an Ed25519 key's message: see
 * trezor_sign_identity) with the key listed as `point`. If the device signs
 * with another (another passphrase, say), that key is put in `point` and
 * the answer is CKR_DEVICE_ERROR with *key_replaced set.
 */
CK_RV conversation_sign(struct slot *slot, const struct key_identity *key,
			struct prompt_context *prompt, uint8_t point[KEY_POINT_MAX],
			bool *key_replaced, const uint8_t *challenge, size_t challenge_length,
			const char *visual, uint8_t signature[KEY_SIGNATURE_SIZE]);

/*
 * A Safe 7 (THP): replace this computer's credential by one that connects
 * without asking (autoconnect; the device asks the person), or by one that
 * asks after each restart. CKR_FUNCTION_NOT_SUPPORTED for a codec v1 device.
 */
CK_RV conversation_set_autoconnect(struct slot *slot, struct prompt_context *prompt,
				   bool autoconnect, enum trezor_pairing *pairing);

#endif
