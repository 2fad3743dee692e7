/* THP's Noise XX handshake, host side. See thp_handshake.h. */
#include "config.h"

#include "thp_handshake.h"

#include <string.h>

#include <openssl/crypto.h>

#include "transport.h"
#include "trezor.pb-c.h"

#define PROTOCOL_NAME "Noise_XX_25519_AESGCM_SHA256"
#define INIT_RESPONSE_SIZE (THP_KEY_SIZE + THP_KEY_SIZE + THP_TAG_SIZE + THP_TAG_SIZE)
#define COMPLETION_RESPONSE_SIZE (1 + THP_TAG_SIZE)
/* The credential wrapped in its protobuf: tag, length (two bytes at most), bytes. */
#define NOISE_PAYLOAD_MAX (3 + THP_CREDENTIAL_MAX)

/* Noise's symmetric state: the hash, the chaining key, the cipher key and its nonce. */
struct noise {
	uint8_t h[THP_HASH_SIZE];
	uint8_t ck[THP_HASH_SIZE];
	uint8_t k[THP_KEY_SIZE];
	uint64_t n;
};

static void mix_hash(struct noise *noise, const uint8_t *data, size_t length)
{
	struct thp_chunk chunks[2] = { { noise->h, sizeof(noise->h) }, { data, length } };

	thp_sha256(chunks, 2, noise->h);
}

static void mix_key(struct noise *noise, const uint8_t input[THP_KEY_SIZE])
{
	thp_hkdf(noise->ck, input, THP_KEY_SIZE, noise->ck, noise->k);
	noise->n = 0;
}

/* A DH into the chaining key; false for a low-order point (an all-zero result). */
static bool mix_dh(struct noise *noise, const uint8_t private_key[THP_KEY_SIZE],
		   const uint8_t public_key[THP_KEY_SIZE])
{
	uint8_t shared[THP_KEY_SIZE];
	bool ok = thp_x25519(private_key, public_key, shared);

	if (ok)
		mix_key(noise, shared);
	explicit_bzero(shared, sizeof(shared));
	return ok;
}

static bool encrypt_and_hash(struct noise *noise, const uint8_t *plain, size_t length,
			     uint8_t *out)
{
	if (!thp_aesgcm_encrypt(noise->k, noise->n++, noise->h, sizeof(noise->h), plain, length,
				out))
		return false;
	mix_hash(noise, out, length + THP_TAG_SIZE);
	return true;
}

static bool decrypt_and_hash(struct noise *noise, const uint8_t *cipher, size_t length,
			     uint8_t *out)
{
	if (!thp_aesgcm_decrypt(noise->k, noise->n++, noise->h, sizeof(noise->h), cipher, length,
				out))
		return false;
	mix_hash(noise, cipher, length);
	return true;
}

bool thp_static_key_matches(const uint8_t trezor_static[THP_KEY_SIZE],
			    const uint8_t trezor_ephemeral[THP_KEY_SIZE],
			    const uint8_t masked[THP_KEY_SIZE])
{
	struct thp_chunk chunks[2] = { { trezor_static, THP_KEY_SIZE },
				       { trezor_ephemeral, THP_KEY_SIZE } };
	uint8_t mask[THP_HASH_SIZE], candidate[THP_KEY_SIZE];
	bool same;

	/* The mask is used as an X25519 private key: clamping applies, as on the device. */
	thp_sha256(chunks, 2, mask);
	same = thp_x25519(mask, trezor_static, candidate) &&
	       CRYPTO_memcmp(candidate, masked, THP_KEY_SIZE) == 0;
	explicit_bzero(mask, sizeof(mask));
	return same;
}

static enum thp_status broken(struct thp_channel *channel, const char *what)
{
	transport_set_error(channel->transport, "the Trezor broke the THP handshake: %s", what);
	return THP_PROTOCOL;
}

/* The next data message must be of this kind and size (THP_PROTOCOL otherwise). */
static enum thp_status receive_exactly(struct thp_channel *channel, uint8_t kind, size_t size,
				       int timeout_ms, struct thp_data *data)
{
	enum thp_status status = thp_channel_receive(channel, data, timeout_ms);

	if (status != THP_OK)
		return status;
	if (data->kind != kind)
		return broken(channel, "a message of the wrong kind");
	if (data->length != size)
		return broken(channel, "a message of the wrong size");
	return THP_OK;
}

/* Message 1: our ephemeral key and the unlock byte, both hashed, neither encrypted. */
static enum thp_status send_initiation(struct thp_channel *channel, struct noise *noise,
				       const uint8_t ephemeral_public[THP_KEY_SIZE],
				       bool try_to_unlock, int timeout_ms)
{
	uint8_t message[THP_KEY_SIZE + 1];

	memcpy(message, ephemeral_public, THP_KEY_SIZE);
	message[THP_KEY_SIZE] = try_to_unlock ? 1 : 0;
	mix_hash(noise, message, THP_KEY_SIZE);
	mix_hash(noise, message + THP_KEY_SIZE, 1);
	return thp_channel_send(channel, THP_HANDSHAKE_INIT_REQUEST, message, sizeof(message),
				timeout_ms);
}

/* Message 2: e, ee, s (masked), es, and an empty payload that proves the key. */
static enum thp_status read_initiation_response(struct thp_channel *channel,
						struct noise *noise,
						const uint8_t ephemeral[THP_KEY_SIZE],
						int reply_timeout_ms, struct thp_session_keys *keys)
{
	struct thp_data data;
	uint8_t empty[1];
	enum thp_status status = receive_exactly(channel, THP_HANDSHAKE_INIT_RESPONSE,
						 INIT_RESPONSE_SIZE, reply_timeout_ms, &data);

	if (status != THP_OK)
		return status;
	memcpy(keys->trezor_ephemeral, data.payload, THP_KEY_SIZE);
	mix_hash(noise, keys->trezor_ephemeral, THP_KEY_SIZE);
	if (!mix_dh(noise, ephemeral, keys->trezor_ephemeral))
		return broken(channel, "a low-order ephemeral key");
	if (!decrypt_and_hash(noise, data.payload + THP_KEY_SIZE, THP_KEY_SIZE + THP_TAG_SIZE,
			      keys->trezor_masked_static))
		return broken(channel, "its static key does not decrypt");
	if (!mix_dh(noise, ephemeral, keys->trezor_masked_static))
		return broken(channel, "a low-order static key");
	if (!decrypt_and_hash(noise, data.payload + 2 * THP_KEY_SIZE + THP_TAG_SIZE, THP_TAG_SIZE,
			      empty))
		return broken(channel, "its payload does not decrypt");
	return THP_OK;
}

/* The first stored device whose static key explains the masked one, or -1. */
static int find_candidate(const struct thp_candidate *candidates, size_t count,
			  const struct thp_session_keys *keys)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (thp_static_key_matches(candidates[i].trezor_static, keys->trezor_ephemeral,
					   keys->trezor_masked_static))
			return (int)i;
	return -1;
}

/* ThpHandshakeCompletionReqNoisePayload: the credential, or nothing. */
static size_t noise_payload(const struct thp_candidate *candidate, uint8_t out[NOISE_PAYLOAD_MAX])
{
	Tz__ThpHandshakeCompletionReqNoisePayload payload =
		TZ__THP_HANDSHAKE_COMPLETION_REQ_NOISE_PAYLOAD__INIT;

	if (candidate != NULL) {
		payload.has_host_pairing_credential = true;
		payload.host_pairing_credential.data = (uint8_t *)candidate->credential;
		payload.host_pairing_credential.len = candidate->credential_length;
	}
	return protobuf_c_message_pack(&payload.base, out);
}

/* Message 3: our static key (s), se, and the credential. */
static enum thp_status send_completion(struct thp_channel *channel, struct noise *noise,
				       const uint8_t host_private[THP_KEY_SIZE],
				       const struct thp_candidate *candidate, int timeout_ms,
				       struct thp_session_keys *keys)
{
	uint8_t host_public[THP_KEY_SIZE], plain[NOISE_PAYLOAD_MAX];
	uint8_t message[THP_KEY_SIZE + THP_TAG_SIZE + NOISE_PAYLOAD_MAX + THP_TAG_SIZE];
	size_t length = noise_payload(candidate, plain);
	enum thp_status status = THP_NO_MEMORY;

	if (thp_x25519_public(host_private, host_public) &&
	    encrypt_and_hash(noise, host_public, THP_KEY_SIZE, message) &&
	    mix_dh(noise, host_private, keys->trezor_ephemeral) &&
	    encrypt_and_hash(noise, plain, length, message + THP_KEY_SIZE + THP_TAG_SIZE))
		status = thp_channel_send(channel, THP_HANDSHAKE_COMPLETION_REQUEST, message,
					  THP_KEY_SIZE + THP_TAG_SIZE + length + THP_TAG_SIZE,
					  timeout_ms);
	explicit_bzero(plain, sizeof(plain));
	return status;
}

/* Split, then message 4: the device's verdict on the credential. */
static enum thp_status read_completion_response(struct thp_channel *channel,
						struct noise *noise, int timeout_ms,
						struct thp_session_keys *keys)
{
	struct thp_data data;
	uint8_t state;
	enum thp_status status;

	thp_hkdf(noise->ck, NULL, 0, keys->key_request, keys->key_response);
	memcpy(keys->handshake_hash, noise->h, THP_HASH_SIZE);
	status = receive_exactly(channel, THP_HANDSHAKE_COMPLETION_RESPONSE,
				 COMPLETION_RESPONSE_SIZE, timeout_ms, &data);
	if (status != THP_OK)
		return status;
	if (!thp_aesgcm_decrypt(keys->key_response, 0, NULL, 0, data.payload, data.length, &state))
		return broken(channel, "its state does not decrypt");
	if (state > THP_STATE_PAIRED_AUTOCONNECT)
		return broken(channel, "an unknown pairing state");
	keys->state = (enum thp_pairing_state)state;
	keys->nonce_request = 0;
	keys->nonce_response = 1;
	return THP_OK;
}

enum thp_status thp_handshake(struct thp_channel *channel,
			      const uint8_t host_private[THP_KEY_SIZE],
			      const struct thp_candidate *candidates, size_t count,
			      bool try_to_unlock, int timeout_ms, int reply_timeout_ms,
			      struct thp_session_keys *keys)
{
	struct noise noise;
	uint8_t ephemeral[THP_KEY_SIZE], ephemeral_public[THP_KEY_SIZE];
	enum thp_status status = THP_NO_MEMORY;

	memset(keys, 0, sizeof(*keys));
	memset(&noise, 0, sizeof(noise));
	/* The name fits the hash: it is h and ck, padded with zeros. */
	memcpy(noise.h, PROTOCOL_NAME, sizeof(PROTOCOL_NAME) - 1);
	memcpy(noise.ck, noise.h, sizeof(noise.ck));
	mix_hash(&noise, channel->properties, channel->properties_length);
	if (thp_x25519_generate(ephemeral, ephemeral_public))
		status = send_initiation(channel, &noise, ephemeral_public, try_to_unlock,
					 timeout_ms);
	if (status == THP_OK)
		status = read_initiation_response(channel, &noise, ephemeral, reply_timeout_ms,
						  keys);
	if (status == THP_OK) {
		keys->candidate = find_candidate(candidates, count, keys);
		status = send_completion(channel, &noise, host_private,
					 keys->candidate >= 0 ? &candidates[keys->candidate] : NULL,
					 timeout_ms, keys);
	}
	if (status == THP_OK)
		status = read_completion_response(channel, &noise, timeout_ms, keys);
	explicit_bzero(&noise, sizeof(noise));
	explicit_bzero(ephemeral, sizeof(ephemeral));
	if (status != THP_OK)
		explicit_bzero(keys, sizeof(*keys));
	return status;
}
