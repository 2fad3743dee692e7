/*
 * The simulated Safe 7's encrypted transport: the host's messages
 * decrypted (AES-256-GCM under key_request, nonces counting from 0) and
 * handed to the pairing phase or, on an open channel, to the core machine
 * in their session; the core machine's replies encrypted under
 * key_response (sessions.md: session id, message type, protobuf). See
 * sim_thp.h.
 */
#include "config.h"

#include "sim_thp.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "messages.h"
#include "sim_device.h"
#include "sim_flow.h"
#include "sim_session.h"

#define APP_HEADER 3
#define TAG_SIZE 16

void sim_thp_send_application(struct sim_device *device, struct sim_thp_channel *channel,
			      uint8_t session, uint16_t type, const uint8_t *payload,
			      size_t length)
{
	size_t plain_length = APP_HEADER + length;
	uint8_t *plain = malloc(plain_length), *cipher = malloc(plain_length + TAG_SIZE);

	if (plain == NULL || cipher == NULL) {
		free(plain);
		free(cipher);
		return;
	}
	plain[0] = session;
	plain[1] = (uint8_t)(type >> 8);
	plain[2] = (uint8_t)type;
	if (length > 0)
		memcpy(plain + APP_HEADER, payload, length);
	if (thp_aesgcm_encrypt(channel->key_response, channel->nonce_response++, NULL, 0, plain,
			       plain_length, cipher))
		sim_thp_send(device, channel, 0x04, cipher, plain_length + TAG_SIZE);
	OPENSSL_cleanse(plain, plain_length);
	free(plain);
	free(cipher);
}

/* An application message of an open channel, in its session. */
void sim_thp_application(struct sim_device *device, struct sim_thp_channel *channel,
			 uint8_t session, uint16_t type, const uint8_t *payload, size_t length)
{
	struct sim_thp *thp = device->thp;

	if (sim_flow_reads_nothing(device)) {
		/* The device computes: the message waits, as on a real device's interface. */
		free(thp->deferred_payload);
		thp->deferred_payload = malloc(length > 0 ? length : 1);
		if (thp->deferred_payload == NULL)
			return;
		memcpy(thp->deferred_payload, payload, length);
		thp->deferred_length = length;
		thp->deferred_type = type;
		thp->deferred_session = session;
		thp->deferred_channel = channel->id;
		thp->deferred = true;
		return;
	}
	thp->session = session;
	sim_session_thp_select(device, channel->id, session);
	if (type != MSG_THP_CREDENTIAL_REQUEST) {
		sim_device_dispatch(device, false, type, payload, length);
		return;
	}
	sim_device_log(device, "<- ThpCredentialRequest");
	if (sim_flow_busy(device))
		sim_flow_abort(device); /* a new request ends the one asking, as on a core model */
	sim_thp_credential_request(device, channel, type, payload, length);
}

void sim_thp_encrypted(struct sim_device *device, struct sim_thp_channel *channel,
		       const uint8_t *cipher, size_t length)
{
	uint8_t *plain = length >= APP_HEADER + TAG_SIZE ? malloc(length - TAG_SIZE) : NULL;
	uint16_t type;

	if (plain == NULL || !thp_aesgcm_decrypt(channel->key_request, channel->nonce_request,
						 NULL, 0, cipher, length, plain)) {
		free(plain);
		sim_thp_send_error(device, channel->id, 3);     /* DECRYPTION_FAILED */
		sim_thp_close(device, channel, "closed (a message that does not decrypt)");
		return;
	}
	channel->nonce_request++;
	type = (uint16_t)(plain[1] << 8 | plain[2]);
	device->thp->active = channel->id;
	if (channel->phase == SIM_THP_OPEN)
		sim_thp_application(device, channel, plain[0], type, plain + APP_HEADER,
				    length - TAG_SIZE - APP_HEADER);
	else
		sim_thp_pairing_message(device, channel, type, plain + APP_HEADER,
					length - TAG_SIZE - APP_HEADER);
	OPENSSL_cleanse(plain, length - TAG_SIZE);
	free(plain);
}

void sim_thp_flush(struct sim_device *device)
{
	struct sim_thp *thp = device->thp;
	struct sim_thp_channel *channel;
	size_t i, kept = 0;

	if (thp == NULL)
		return;
	channel = sim_thp_channel(device, thp->active);
	for (i = 0; i < device->outbox_count; i++) {
		struct sim_outgoing *out = &device->outbox[i];

		if (out->debug) {
			device->outbox[kept++] = *out;
			continue;
		}
		/* Pairing and credential phase answers go out in session 0, as the firmware's. */
		if (channel != NULL && channel->phase >= SIM_THP_TP0)
			sim_thp_send_application(device, channel,
						 channel->phase == SIM_THP_OPEN ? thp->session : 0,
						 out->type, out->payload, out->length);
		sim_outgoing_free(out);
	}
	device->outbox_count = kept;
}
