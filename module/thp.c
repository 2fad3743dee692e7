/* The THP link: a channel, its keys, its messages. See thp.h. */
#include "config.h"

#include "thp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "messages.h"
#include "transport.h"
#include "trezor.pb-c.h"

#define APP_HEADER 3                    /* session id, message type */
#define PLAIN_MAX (THP_PAYLOAD_MAX - THP_TAG_SIZE)

struct thp_link *thp_link_new(struct transport *transport)
{
	struct thp_link *link = calloc(1, sizeof(*link));

	if (link == NULL)
		return NULL;
	link->transport = transport;
	thp_channel_init(&link->channel, transport);
	return link;
}

void thp_link_free(struct thp_link *link)
{
	if (link == NULL)
		return;
	explicit_bzero(link, sizeof(*link));
	free(link);
}

/* The session id stays: the device client chose it, and the device may carry it over. */
void thp_link_close(struct thp_link *link)
{
	thp_channel_reset(&link->channel);
	explicit_bzero(&link->keys, sizeof(link->keys));
	memset(link->sessions, 0, sizeof(link->sessions));
	link->carried = false;
	link->static_known = false;
	link->phase = THP_PHASE_CLOSED;
}

/* ThpDeviceProperties, as far as the host cares; false when they do not parse. */
static bool read_properties(struct thp_link *link)
{
	Tz__ThpDeviceProperties *properties = tz__thp_device_properties__unpack(
		NULL, link->channel.properties_length, link->channel.properties);
	struct thp_properties *out = &link->properties;
	size_t i;

	if (properties == NULL)
		return false;
	memset(out, 0, sizeof(*out));
	snprintf(out->internal_model, sizeof(out->internal_model), "%s",
		 properties->internal_model);
	out->version_major = properties->protocol_version_major;
	out->version_minor = properties->protocol_version_minor;
	for (i = 0; i < properties->n_pairing_methods; i++)
		if (properties->pairing_methods[i] == TZ__THP_PAIRING_METHOD__ThpPairingMethod_CodeEntry)
			out->code_entry = true;
	tz__thp_device_properties__free_unpacked(properties, NULL);
	return true;
}

enum thp_status thp_link_open(struct thp_link *link, const uint8_t host_private[THP_KEY_SIZE],
			      const struct thp_candidate *candidates, size_t count,
			      bool try_to_unlock, int timeout_ms, int reply_timeout_ms)
{
	enum thp_status status;

	thp_link_close(link);
	status = thp_channel_allocate(&link->channel, timeout_ms);
	if (status == THP_OK && !read_properties(link)) {
		transport_set_error(link->transport, "the Trezor sent device properties that do "
				    "not parse");
		status = THP_PROTOCOL;
	}
	if (status == THP_OK)
		status = thp_handshake(&link->channel, host_private, candidates, count,
				       try_to_unlock, timeout_ms, reply_timeout_ms, &link->keys);
	if (status != THP_OK) {
		thp_link_close(link);
		return status;
	}
	link->opened++;
	link->phase = link->keys.state == THP_STATE_UNPAIRED ? THP_PHASE_PAIRING
							     : THP_PHASE_CREDENTIAL;
	link->carried = link->keys.state == THP_STATE_PAIRED_AUTOCONNECT;
	if (link->carried)      /* which ones, the device does not say: any may */
		memset(link->sessions, 0xff, sizeof(link->sessions));
	log_debug("THP: channel %04x open, %s", link->channel.id,
		  link->keys.state == THP_STATE_UNPAIRED ? "not paired" :
		  link->carried ? "paired, replacing our earlier channel" : "paired");
	return THP_OK;
}

/* The channel is no use any more: say why once, and start over next time. */
static enum thp_status lost(struct thp_link *link, enum thp_status status)
{
	if (status == THP_CLOSED || status == THP_NO_ACK || status == THP_PROTOCOL ||
	    status == THP_BUSY)
		thp_link_close(link);
	return status;
}

enum thp_status thp_link_send(struct thp_link *link, uint16_t type, const uint8_t *payload,
			      size_t length, int timeout_ms)
{
	uint8_t *plain, *cipher;
	enum thp_status status = THP_NO_MEMORY;

	if (link->phase == THP_PHASE_CLOSED) {
		transport_set_error(link->transport, "the THP channel is closed");
		return THP_CLOSED;
	}
	if (length > PLAIN_MAX - APP_HEADER) {
		transport_set_error(link->transport, "%s would be too long for THP",
				    message_type_name(type) ? message_type_name(type) : "a message");
		return THP_PROTOCOL;
	}
	plain = malloc(APP_HEADER + length);
	cipher = malloc(APP_HEADER + length + THP_TAG_SIZE);
	if (plain != NULL && cipher != NULL) {
		plain[0] = link->session;
		plain[1] = (uint8_t)(type >> 8);
		plain[2] = (uint8_t)type;
		if (length > 0)
			memcpy(plain + APP_HEADER, payload, length);
		if (thp_aesgcm_encrypt(link->keys.key_request, link->keys.nonce_request, NULL, 0,
				       plain, APP_HEADER + length, cipher)) {
			link->keys.nonce_request++;
			status = thp_channel_send(&link->channel, THP_ENCRYPTED, cipher,
						  APP_HEADER + length + THP_TAG_SIZE, timeout_ms);
		}
	}
	if (plain != NULL)
		explicit_bzero(plain, APP_HEADER + length);     /* a PIN or passphrase */
	free(plain);
	free(cipher);
	return lost(link, status);
}

/* Decrypt one encrypted message into *message; THP_PROTOCOL if it does not. */
static enum thp_status open_message(struct thp_link *link, const struct thp_data *data,
				    uint8_t *session, struct wire_message *message)
{
	uint8_t *plain;
	size_t length;

	if (data->kind != THP_ENCRYPTED || data->length < APP_HEADER + THP_TAG_SIZE) {
		transport_set_error(link->transport, "the Trezor sent a THP message that is not an "
				    "encrypted one");
		return THP_PROTOCOL;
	}
	length = data->length - THP_TAG_SIZE;
	plain = malloc(length);
	if (plain == NULL)
		return THP_NO_MEMORY;
	if (!thp_aesgcm_decrypt(link->keys.key_response, link->keys.nonce_response, NULL, 0,
				data->payload, data->length, plain)) {
		free(plain);
		transport_set_error(link->transport, "the Trezor sent a THP message that does not "
				    "decrypt (a bad tag)");
		return THP_PROTOCOL;
	}
	link->keys.nonce_response++;
	*session = plain[0];
	message->type = (uint16_t)(plain[1] << 8 | plain[2]);
	message->length = (uint32_t)(length - APP_HEADER);
	message->payload = NULL;
	if (message->length > 0) {
		message->payload = malloc(message->length);
		if (message->payload != NULL)
			memcpy(message->payload, plain + APP_HEADER, message->length);
	}
	explicit_bzero(plain, length);
	free(plain);
	return message->length > 0 && message->payload == NULL ? THP_NO_MEMORY : THP_OK;
}

enum thp_status thp_link_receive(struct thp_link *link, struct wire_message *message,
				 int timeout_ms)
{
	struct thp_data data;
	uint8_t session;
	enum thp_status status;

	memset(message, 0, sizeof(*message));
	if (link->phase == THP_PHASE_CLOSED) {
		transport_set_error(link->transport, "the THP channel is closed");
		return THP_CLOSED;
	}
	for (;;) {
		status = thp_channel_receive(&link->channel, &data, timeout_ms);
		if (status == THP_OK)
			status = open_message(link, &data, &session, message);
		if (status != THP_OK)
			return lost(link, status);
		/* Pairing and credential replies come in session 0, whatever was sent. */
		if (session == link->session || link->phase != THP_PHASE_OPEN)
			return THP_OK;
		log_debug("THP: dropped a message for session %u", session);
		wire_message_free(message);
	}
}

void thp_link_use_session(struct thp_link *link, uint8_t session)
{
	link->session = session;
}

bool thp_link_session_may_live(const struct thp_link *link, uint8_t id)
{
	return (link->sessions[id / 8] >> (id % 8) & 1) != 0;
}

void thp_link_session_made(struct thp_link *link, uint8_t id)
{
	link->sessions[id / 8] |= (uint8_t)(1u << (id % 8));
}

void thp_link_session_gone(struct thp_link *link, uint8_t id)
{
	link->sessions[id / 8] &= (uint8_t)~(1u << (id % 8));
}
