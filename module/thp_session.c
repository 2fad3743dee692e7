/* Sessions over THP. See thp_session.h. */
#include "config.h"

#include "thp_session.h"

#include <stdio.h>
#include <string.h>

#include "log.h"
#include "messages.h"
#include "thp.h"
#include "thp_connect.h"
#include "trezor.pb-c.h"
#include "trezor_call.h"

/* An id for a new session: not one made on this channel (each wallet keeps its own). */
static uint8_t fresh_id(const struct thp_link *link)
{
	uint8_t random = 0;
	unsigned id, i;

	thp_random(&random, sizeof(random));
	for (i = 0; i < 255; i++) {
		id = 1 + (random + i) % 255;    /* 0 stays seedless: pairing uses it */
		if (!thp_link_session_may_live(link, (uint8_t)id) || link->carried)
			return (uint8_t)id;
	}
	return (uint8_t)(1 + random % 255);
}

/* The passphrase for the new session, when the wallet takes one. */
static enum trezor_status choose_passphrase(struct trezor_device *device,
					    char passphrase[TREZOR_PASSPHRASE_MAX + 1],
					    bool *on_device, bool *asked)
{
	char error[TREZOR_ERROR_MAX] = "";
	enum trezor_status status = TREZOR_ERR_NEEDS_INPUT;

	*on_device = *asked = false;
	passphrase[0] = '\0';
	if (!device->wallet_passphrase)
		return TREZOR_OK;               /* the standard wallet: the empty passphrase */
	if (device->prompts != NULL && device->prompts->passphrase != NULL)
		status = device->prompts->passphrase(device->prompts->context,
						     device->features.passphrase_entry, passphrase,
						     on_device, error, sizeof(error));
	else
		snprintf(error, sizeof(error), "the Trezor needs a passphrase for its wallet, and "
			 "nobody can be asked");
	if (status != TREZOR_OK)
		return trezor_fail(device, status, "%s", error);
	*asked = true;
	return TREZOR_OK;
}

/* ThpCreateNewSession on the link's session id: the seed is derived there. */
static enum trezor_status create_session(struct trezor_device *device)
{
	Tz__ThpCreateNewSession request = TZ__THP_CREATE_NEW_SESSION__INIT;
	char passphrase[TREZOR_PASSPHRASE_MAX + 1];
	ProtobufCMessage *reply;
	enum trezor_status status;
	bool on_device, asked;

	status = choose_passphrase(device, passphrase, &on_device, &asked);
	if (status != TREZOR_OK)
		return status;
	if (on_device) {
		request.has_on_device = true;
		request.on_device = true;
	} else {
		request.passphrase = passphrase;
	}
	log_debug("THP: a new session %u on the Trezor: it derives the seed",
		  device->transport->thp->session);
	status = trezor_call(device, MSG_THP_CREATE_NEW_SESSION, &request.base, MSG_SUCCESS,
			     &tz__success__descriptor, &reply);
	explicit_bzero(passphrase, sizeof(passphrase));
	if (asked)
		device->asked |= TREZOR_ASKED_PASSPHRASE;
	if (status != TREZOR_OK)
		return status;
	protobuf_c_message_free_unpacked(reply, NULL);
	thp_link_session_made(device->transport->thp, device->transport->thp->session);
	return TREZOR_OK;
}

enum trezor_status thp_session_start(struct trezor_device *device)
{
	struct trezor_features *features = &device->features;
	enum trezor_status status = thp_connect(device);
	struct thp_link *link = device->transport->thp;
	uint8_t id;

	if (status != TREZOR_OK)
		return status;
	id = features->session_id_len == 1 && features->session_id[0] != 0 ? features->session_id[0]
									   : fresh_id(link);
	thp_link_use_session(link, id);
	if (!thp_link_session_may_live(link, id))
		status = create_session(device);
	if (status == TREZOR_OK)
		status = trezor_get_features(device);
	/* Kept even on failure: the session stays the wallet's once made. */
	features->session_id[0] = id;
	features->session_id_len = 1;
	return status;
}
