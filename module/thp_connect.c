/* Opening a THP device's link for application messages. See thp_connect.h. */
#include "config.h"

#include "thp_connect.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "messages.h"
#include "thp.h"
#include "thp_credentials.h"
#include "thp_pairing.h"
#include "trezor.pb-c.h"
#include "trezor_call.h"

void thp_connect_host_name(char *name, size_t size)
{
	char host[256];

	if (gethostname(host, sizeof(host)) != 0 || host[0] == '\0')
		snprintf(host, sizeof(host), "this computer");
	host[sizeof(host) - 1] = '\0';
	snprintf(name, size, "%s", host);
}

/* A failure of the THP layers below, as the device client reports it. */
static enum trezor_status failed(struct trezor_device *device, enum thp_status status)
{
	const char *why = device->transport->error;

	switch (status) {
	case THP_OK:
		return TREZOR_OK;
	case THP_TIMEOUT:
		return trezor_fail(device, TREZOR_ERR_TIMEOUT, "the Trezor did not answer the THP "
				   "handshake in time%s%s", why[0] ? ": " : "", why);
	case THP_NO_ACK:
		return trezor_fail(device, TREZOR_ERR_TIMEOUT, "%s", why);
	case THP_GONE:
		return trezor_fail(device, TREZOR_ERR_GONE, "the Trezor went away (%s)", why);
	case THP_CANCELLED:
		return trezor_fail(device, TREZOR_ERR_ABORTED, "the wait for the Trezor was cancelled");
	case THP_PROTOCOL:
		return trezor_fail(device, TREZOR_ERR_PROTOCOL, "%s", why);
	case THP_NO_MEMORY:
		return trezor_fail(device, TREZOR_ERR_NO_MEMORY, "out of memory");
	default:
		return trezor_fail(device, TREZOR_ERR_TRANSPORT, "%s", why);
	}
}

static void notice(struct trezor_device *device, enum trezor_wait wait)
{
	if (device->prompts != NULL && device->prompts->button != NULL)
		device->prompts->button(device->prompts->context, wait);
}

/* A channel and the handshake; a locked device is asked to show its PIN pad. */
static enum trezor_status open_link(struct trezor_device *device,
				    const struct thp_credentials *credentials)
{
	struct thp_link *link = device->transport->thp;
	struct thp_candidate candidates[THP_STORED_MAX];
	enum thp_status status;
	size_t i;

	for (i = 0; i < credentials->count; i++)
		candidates[i] = credentials->stored[i].device;
	status = thp_link_open(link, credentials->host_private, candidates, credentials->count,
			       false, device->reply_timeout_ms, device->reply_timeout_ms);
	if (status == THP_LOCKED) {
		log_debug("THP: the Trezor is locked; asking it to show its PIN pad");
		notice(device, TREZOR_WAIT_PIN);
		device->asked |= TREZOR_ASKED_PIN;
		status = thp_link_open(link, credentials->host_private, candidates,
				       credentials->count, true, device->reply_timeout_ms,
				       device->confirm_timeout_ms);
	}
	explicit_bzero(candidates, sizeof(candidates));
	if (status == THP_LOCKED)       /* the PIN was cancelled on the device */
		return trezor_fail(device, TREZOR_ERR_CANCELLED,
				   "the Trezor stays locked: its PIN was not entered");
	return failed(device, status);
}

/* A credential the device accepted: ThpEndRequest, which may bring its question. */
static enum trezor_status end_credential_phase(struct trezor_device *device,
					       const struct thp_stored *stored)
{
	struct thp_link *link = device->transport->thp;
	Tz__ThpEndRequest request = TZ__THP_END_REQUEST__INIT;
	ProtobufCMessage *reply;
	enum trezor_status status;

	memcpy(link->trezor_static, stored->device.trezor_static, THP_KEY_SIZE);
	link->static_known = true;
	status = trezor_exchange(device, MSG_THP_END_REQUEST, &request.base, MSG_THP_END_RESPONSE,
				 &tz__thp_end_response__descriptor, &reply);
	if (status == TREZOR_OK) {
		protobuf_c_message_free_unpacked(reply, NULL);
		link->phase = THP_PHASE_OPEN;
		device->features.pairing = stored->autoconnect ? TREZOR_PAIRING_AUTOCONNECT
							       : TREZOR_PAIRING_CONFIRM;
		return TREZOR_OK;
	}
	thp_link_close(link);
	if (status == TREZOR_ERR_CANCELLED)
		return trezor_fail(device, status, "trezor-pkcs11 was not allowed to connect (on the "
				   "Trezor)");
	return status;
}

enum trezor_status thp_connect(struct trezor_device *device)
{
	struct thp_link *link = device->transport->thp;
	struct thp_credentials credentials;
	char error[TREZOR_ERROR_MAX];
	enum trezor_status status;
	int candidate;

	if (link->phase == THP_PHASE_OPEN)
		return TREZOR_OK;
	if (!thp_credentials_load(&credentials, error, sizeof(error)))
		return trezor_fail(device, TREZOR_ERR_TRANSPORT, "%s", error);
	device->transport->error[0] = '\0';       /* what goes wrong now, not before */
	device->out_of_step = false;    /* a new channel: nothing of the old one is on its way */
	status = open_link(device, &credentials);
	candidate = link->keys.candidate;
	if (status == TREZOR_OK && link->phase == THP_PHASE_CREDENTIAL) {
		status = end_credential_phase(device, &credentials.stored[candidate]);
	} else if (status == TREZOR_OK) {
		if (candidate >= 0) {
			log_error("the Trezor did not accept this computer's pairing (was it wiped?): "
				  "pairing again");
			thp_credentials_drop(&credentials,
					     credentials.stored[candidate].device.trezor_static);
		}
		device->features.pairing = TREZOR_PAIRING_UNPAIRED;
		if (device->allow_pairing) {
			status = thp_pair(device, &credentials);
		} else {
			thp_link_close(link);
			status = trezor_fail(device, TREZOR_ERR_NEEDS_INPUT, "this computer is not "
					     "paired with the Trezor: trezor-pkcs11 pair pairs it");
		}
	}
	thp_credentials_wipe(&credentials);
	return status;
}

void thp_connect_session_lost(struct trezor_device *device)
{
	struct thp_link *link = device->transport->thp;

	if (link != NULL)
		thp_link_session_gone(link, link->session);
}

static size_t credentials_under_id(const struct thp_credentials *credentials,
				   const char *device_id)
{
	size_t i, count = 0;

	for (i = 0; i < credentials->count; i++)
		count += strcmp(credentials->stored[i].device_id, device_id) == 0;
	return count;
}

void thp_connect_note_features(struct trezor_device *device)
{
	struct thp_link *link = device->transport->thp;
	struct thp_credentials credentials;
	const struct thp_stored *stored;

	if (link == NULL || !link->static_known || device->features.device_id[0] == '\0')
		return;
	thp_credentials_read(&credentials);
	stored = thp_credentials_find(&credentials, device->features.device_id);
	/* Only when something is to be written: the id is new, or under another key too. */
	if (stored == NULL ||
	    memcmp(stored->device.trezor_static, link->trezor_static, THP_KEY_SIZE) != 0 ||
	    credentials_under_id(&credentials, device->features.device_id) > 1)
		thp_credentials_note_device_id(&credentials, link->trezor_static,
					       device->features.device_id);
	thp_credentials_wipe(&credentials);
}
