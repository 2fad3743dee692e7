/*
 * The device's handshake, as the specification's "Trezor's state machine"
 * writes it out step by step (states TH1 and TH2), rather than as a Noise
 * library would: h, ck and k by hand, the static key masked with the
 * ephemeral one, and the credential checked before the pairing state is
 * sent. A locked device answers DEVICE_LOCKED, unless the host asked it to
 * unlock (try_to_unlock): then the person types the PIN first.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "sim_device.h"
#include "sim_protect.h"
#include "sim_thp.h"
#include "trezor.pb-c.h"

/* "Noise_XX_25519_AESGCM_SHA256" and four zero bytes: the hash's size. */
static const uint8_t protocol_name[32] = "Noise_XX_25519_AESGCM_SHA256";

#define INIT_REQUEST_SIZE 33
#define CREDENTIAL_PAYLOAD_MAX (128 + 16)       /* the firmware's buffer for it */

/* h = SHA-256(h || data) */
static void absorb(uint8_t h[32], const uint8_t *data, size_t length)
{
	struct thp_chunk chunks[2] = { { h, 32 }, { data, length } };

	thp_sha256(chunks, 2, h);
}

static void fail(struct sim_device *device, struct sim_thp_channel *channel, const char *why)
{
	sim_thp_close(device, channel, why);
}

/* TH1, steps 1 to 15: the initiation response. */
static void respond(struct sim_device *device, struct sim_thp_channel *channel,
		    uint8_t try_to_unlock)
{
	struct sim_thp *thp = device->thp;
	uint8_t ephemeral_public[32], shared[32], inner[32], mask[32], masked[32];
	uint8_t answer[32 + 48 + 16];
	struct thp_chunk mask_parts[2];
	bool ok;

	memcpy(channel->h, protocol_name, 32);
	absorb(channel->h, thp->properties, thp->properties_length);
	absorb(channel->h, channel->host_ephemeral, 32);
	absorb(channel->h, &try_to_unlock, 1);
	ok = thp_x25519_generate(channel->ephemeral_private, ephemeral_public);
	absorb(channel->h, ephemeral_public, 32);
	ok = ok && thp_x25519(channel->ephemeral_private, channel->host_ephemeral, shared);
	thp_hkdf(protocol_name, shared, 32, channel->ck, channel->k);
	mask_parts[0] = (struct thp_chunk){ thp->static_public, 32 };
	mask_parts[1] = (struct thp_chunk){ ephemeral_public, 32 };
	thp_sha256(mask_parts, 2, mask);
	ok = ok && thp_x25519(mask, thp->static_public, masked) &&
	     thp_aesgcm_encrypt(channel->k, 0, channel->h, 32, masked, 32, answer + 32);
	absorb(channel->h, answer + 32, 48);
	ok = ok && thp_x25519(thp->static_private, channel->host_ephemeral, inner) &&
	     thp_x25519(mask, inner, shared);
	thp_hkdf(channel->ck, shared, 32, channel->ck, channel->k);
	ok = ok && thp_aesgcm_encrypt(channel->k, 0, channel->h, 32, NULL, 0, answer + 80);
	absorb(channel->h, answer + 80, 16);
	memcpy(answer, ephemeral_public, 32);
	OPENSSL_cleanse(shared, sizeof(shared));
	OPENSSL_cleanse(inner, sizeof(inner));
	OPENSSL_cleanse(mask, sizeof(mask));
	if (!ok) {
		fail(device, channel, "closed (handshake: a low-order host key)");
		return;
	}
	channel->phase = SIM_THP_TH2;
	sim_thp_send(device, channel, 0x01, answer, sizeof(answer));
}

static void initiation(struct sim_device *device, struct sim_thp_channel *channel,
		       uint8_t control, const uint8_t *payload, size_t length)
{
	if (length != INIT_REQUEST_SIZE) {
		fail(device, channel, "closed (handshake: a request of the wrong size)");
		return;
	}
	/* An ACK bit in the first request asks for ACK piggybacking (protocol 2.1). */
	channel->piggybacking = (control & 0x08) != 0;
	memcpy(channel->host_ephemeral, payload, 32);
	channel->try_to_unlock = payload[32];
	if (sim_fault_strikes(&device->fault, SIM_OCCASION_THP_HANDSHAKE)) {
		sim_device_log(device, "fault %s", sim_fault_name(device->fault.mode));
		channel->phase = SIM_THP_TH2;   /* waits for nothing: the handshake never ends */
		channel->stalled = true;
		return;
	}
	if (sim_device_is_core(device) && !device->protect.unlocked) {
		if (!(payload[32] & 0x01)) {
			sim_thp_send_error(device, channel->id, 5);     /* DEVICE_LOCKED */
			fail(device, channel, "closed (device locked)");
			return;
		}
		channel->phase = SIM_THP_UNLOCKING;
		channel->unlock_due_ms = device->now_ms + device->options.confirm_delay_ms;
		sim_device_log(device, "THP handshake on a locked device: the person types the PIN");
		return;
	}
	respond(device, channel, payload[32]);
}

void sim_thp_handshake_unlocked(struct sim_device *device, struct sim_thp_channel *channel)
{
	if (!sim_protect_check_pin(device, sim_protect_typed_pin(device))) {
		sim_thp_send_error(device, channel->id, 5);
		fail(device, channel, "closed (the PIN typed was wrong: still locked)");
		return;
	}
	device->protect.unlocked = true;
	respond(device, channel, channel->try_to_unlock);
}

/* The credential inside the completion request's payload, if any. */
static bool credential_of(const uint8_t *payload, size_t length, uint8_t out[128],
			  size_t *credential_length)
{
	Tz__ThpHandshakeCompletionReqNoisePayload *decoded =
		tz__thp_handshake_completion_req_noise_payload__unpack(NULL, length, payload);
	bool ok = decoded != NULL;

	*credential_length = 0;
	if (ok && decoded->has_host_pairing_credential) {
		ok = decoded->host_pairing_credential.len <= 128;
		if (ok) {
			memcpy(out, decoded->host_pairing_credential.data,
			       decoded->host_pairing_credential.len);
			*credential_length = decoded->host_pairing_credential.len;
		}
	}
	if (decoded != NULL)
		tz__thp_handshake_completion_req_noise_payload__free_unpacked(decoded, NULL);
	return ok;
}

/* Another open channel of this host key: the new one will replace it (state 2). */
static bool replaces(struct sim_device *device, const struct sim_thp_channel *channel)
{
	size_t i;

	for (i = 0; i < SIM_THP_CHANNELS; i++) {
		const struct sim_thp_channel *other = &device->thp->channels[i];

		if (other != channel && other->phase == SIM_THP_OPEN &&
		    memcmp(other->host_static, channel->host_static, 32) == 0)
			return true;
	}
	return false;
}

/* TH2, steps 1 to 13: the host's static key, its credential, the pairing state. */
static void completion(struct sim_device *device, struct sim_thp_channel *channel,
		       const uint8_t *payload, size_t length)
{
	uint8_t shared[32], plain[CREDENTIAL_PAYLOAD_MAX], credential[128], answer[17], state = 0;
	size_t credential_length, inner = length - 48;
	bool ok = length >= 48 + 16 && inner <= CREDENTIAL_PAYLOAD_MAX &&
		  thp_aesgcm_decrypt(channel->k, 1, channel->h, 32, payload, 48,
				     channel->host_static);

	if (ok) {
		absorb(channel->h, payload, 48);
		ok = thp_x25519(channel->ephemeral_private, channel->host_static, shared);
		thp_hkdf(channel->ck, shared, 32, channel->ck, channel->k);
		ok = ok && thp_aesgcm_decrypt(channel->k, 0, channel->h, 32, payload + 48, inner,
					      plain) &&
		     credential_of(plain, inner - 16, credential, &credential_length);
		absorb(channel->h, payload + 48, inner);
	}
	OPENSSL_cleanse(shared, sizeof(shared));
	if (!ok) {
		fail(device, channel, "closed (handshake: the completion does not decrypt)");
		return;
	}
	device->thp->handshakes++;
	channel->credential_valid = credential_length > 0 &&
		sim_thp_check_credential(device, channel->host_static, credential,
					 credential_length, &channel->host);
	if (channel->credential_valid)
		state = replaces(device, channel) ? 2 : 1;
	thp_hkdf(channel->ck, NULL, 0, channel->key_request, channel->key_response);
	memcpy(channel->handshake_hash, channel->h, 32);
	thp_aesgcm_encrypt(channel->key_response, 0, NULL, 0, &state, 1, answer);
	channel->nonce_request = 0;
	channel->nonce_response = 1;
	channel->pairing_state = state;
	channel->phase = state == 0 ? SIM_THP_TP0 : SIM_THP_TC1;
	/* No question on connecting: an autoconnect credential, or a replaced channel. */
	channel->connection_allowed = state == 2 || (state == 1 && channel->host.autoconnect);
	sim_device_log(device, "THP handshake %04x: %s", channel->id,
		       state == 0 ? credential_length > 0 ? "credential refused, unpaired"
							  : "unpaired"
		       : state == 2 ? "paired, replacing a channel" : "paired");
	OPENSSL_cleanse(plain, sizeof(plain));
	OPENSSL_cleanse(credential, sizeof(credential));
	sim_thp_send(device, channel, 0x03, answer, sizeof(answer));
}

void sim_thp_handshake_message(struct sim_device *device, struct sim_thp_channel *channel,
			       uint8_t control, const uint8_t *payload, size_t length)
{
	uint8_t kind = control & 0xE7;

	if (kind == 0x00 && channel->phase == SIM_THP_TH1)
		initiation(device, channel, control, payload, length);
	else if (kind == 0x02 && channel->phase == SIM_THP_TH2 && !channel->stalled)
		completion(device, channel, payload, length);
	else if (!channel->stalled)
		fail(device, channel, "closed (handshake: a message out of order)");
}
