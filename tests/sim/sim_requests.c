/* Each request's steps and answers. See sim_requests.h. */
#include "config.h"

#include "sim_requests.h"

#include <string.h>

#include <openssl/crypto.h>

#include "messages.h"
#include "sim_bitcoin.h"
#include "sim_device.h"
#include "sim_identity.h"
#include "sim_thp.h"
#include "trezor.pb-c.h"

#define HARDENED 0x80000000u
#define SLIP25_PURPOSE (HARDENED | 10025)       /* coinjoin paths: UnlockPath first */

static const enum sim_step one_sign[] = {
	SIM_STEP_INITIALIZED, SIM_STEP_UNLOCK, SIM_STEP_CONFIRM, SIM_STEP_SEED,
	SIM_STEP_COMPUTE, SIM_STEP_REPLY, SIM_STEP_END,
};
static const enum sim_step one_public_key[] = {
	SIM_STEP_UNLOCK, SIM_STEP_INITIALIZED, SIM_STEP_CHECK, SIM_STEP_SEED,
	SIM_STEP_COMPUTE, SIM_STEP_CONFIRM, SIM_STEP_REPLY, SIM_STEP_END,
};
static const enum sim_step one_address[] = {
	SIM_STEP_INITIALIZED, SIM_STEP_UNLOCK, SIM_STEP_CHECK, SIM_STEP_SEED,
	SIM_STEP_COMPUTE, SIM_STEP_CONFIRM, SIM_STEP_REPLY, SIM_STEP_END,
};
static const enum sim_step ping[] = {
	SIM_STEP_CONFIRM, SIM_STEP_COMPUTE, SIM_STEP_REPLY, SIM_STEP_END,
};
static const enum sim_step core_sign[] = {
	SIM_STEP_UNLOCK, SIM_STEP_SEED, SIM_STEP_CONFIRM, SIM_STEP_COMPUTE, SIM_STEP_REPLY,
	SIM_STEP_END,
};
static const enum sim_step core_public_key[] = {
	SIM_STEP_UNLOCK, SIM_STEP_CHECK, SIM_STEP_SEED, SIM_STEP_COMPUTE, SIM_STEP_CONFIRM,
	SIM_STEP_REPLY, SIM_STEP_END,
};
/* THP: a question of the person, then the answer; a session: PIN, seed, Success. */
static const enum sim_step thp_question[] = {
	SIM_STEP_CONFIRM, SIM_STEP_COMPUTE, SIM_STEP_REPLY, SIM_STEP_END,
};
static const enum sim_step thp_session[] = {
	SIM_STEP_UNLOCK, SIM_STEP_SEED, SIM_STEP_COMPUTE, SIM_STEP_REPLY, SIM_STEP_END,
};
static const enum sim_step core_address[] = {
	SIM_STEP_UNLOCK, SIM_STEP_CHECK, SIM_STEP_SEED, SIM_STEP_PATH, SIM_STEP_COMPUTE,
	SIM_STEP_CONFIRM, SIM_STEP_REPLY, SIM_STEP_END,
};

const enum sim_step *sim_request_plan(const struct sim_device *device, enum sim_request kind,
				      const ProtobufCMessage *request)
{
	bool core = sim_device_is_core(device);

	(void)request;
	switch (kind) {
	case SIM_REQUEST_SIGN_IDENTITY:
	case SIM_REQUEST_ECDH:
		return core ? core_sign : one_sign;
	case SIM_REQUEST_GET_PUBLIC_KEY: return core ? core_public_key : one_public_key;
	case SIM_REQUEST_GET_ADDRESS: return core ? core_address : one_address;
	case SIM_REQUEST_THP_PAIRING:
	case SIM_REQUEST_THP_CREDENTIAL:
		return thp_question;
	case SIM_REQUEST_THP_SESSION: return thp_session;
	default: return ping;
	}
}

static ProtobufCMessage *request_of(struct sim_device *device)
{
	return device->operation.request;
}

/* ---- checks ----------------------------------------------------------------------- */

static enum sim_result fail(struct sim_device *device, Tz__FailureType code, const char *text)
{
	return sim_flow_fail(device, code, text);
}

/* The coin a request names; NULL after failing as the family does. */
static const struct sim_coin *coin_of(struct sim_device *device, const char *name, bool address)
{
	const struct sim_coin *coin = sim_coin_by_name(name);

	if (coin != NULL)
		return coin;
	if (!sim_device_is_core(device))
		fail(device, TZ__FAILURE_TYPE__Failure_DataError, "Invalid coin name");
	else if (address)
		fail(device, TZ__FAILURE_TYPE__Failure_DataError, "Unsupported coin type");
	else            /* coininfo.by_name raises a bare ValueError */
		sim_flow_fail(device, TZ__FAILURE_TYPE__Failure_FirmwareError,
			      sim_device_firmware_error(device, ""));
	return NULL;
}

static enum sim_result check_public_key(struct sim_device *device)
{
	const Tz__GetPublicKey *request = (const Tz__GetPublicKey *)request_of(device);

	if (coin_of(device, request->coin_name, false) == NULL)
		return SIM_ENDED;
	if (request->n_address_n > 0 && request->address_n[0] == SLIP25_PURPOSE)
		return fail(device, TZ__FAILURE_TYPE__Failure_DataError, "Forbidden key path");
	return SIM_DONE;
}

/* A Trezor One's fsm_checkCoinPath: forbidden, a warning, or fine. */
static enum sim_result check_address(struct sim_device *device)
{
	const Tz__GetAddress *request = (const Tz__GetAddress *)request_of(device);
	const struct sim_coin *coin;
	uint32_t script = request->has_script_type ? request->script_type : 0;

	if (device->operation.stage > 0)
		return SIM_DONE;        /* the warning was confirmed */
	if ((coin = coin_of(device, request->coin_name, true)) == NULL)
		return SIM_ENDED;
	if (sim_device_is_core(device) ||
	    sim_coin_path_matches(coin, script, request->address_n, request->n_address_n, true))
		return SIM_DONE;
	if (!sim_coin_path_matches(coin, script, request->address_n, request->n_address_n, false))
		return fail(device, TZ__FAILURE_TYPE__Failure_DataError, "Forbidden key path");
	if (!request->show_display)
		return SIM_DONE;
	return sim_flow_ask(device, SIM_SCREEN_CONFIRM,
			    TZ__BUTTON_REQUEST_TYPE__ButtonRequest_UnknownDerivationPath, NULL, 0);
}

enum sim_result sim_request_check(struct sim_device *device)
{
	switch (device->operation.kind) {
	case SIM_REQUEST_GET_PUBLIC_KEY: return check_public_key(device);
	case SIM_REQUEST_GET_ADDRESS: return check_address(device);
	default: return SIM_DONE;
	}
}

/* A core model's keychain: unknown patterns are forbidden, other script types warned of. */
enum sim_result sim_request_path(struct sim_device *device)
{
	const Tz__GetAddress *request = (const Tz__GetAddress *)request_of(device);
	const struct sim_coin *coin = sim_coin_by_name(request->coin_name);
	uint32_t script = request->has_script_type ? request->script_type : 0;

	if (device->operation.stage > 0 ||
	    sim_coin_path_matches(coin, script, request->address_n, request->n_address_n, true))
		return SIM_DONE;
	if (!sim_coin_path_matches(coin, script, request->address_n, request->n_address_n, false))
		return fail(device, TZ__FAILURE_TYPE__Failure_DataError, "Forbidden key path");
	return sim_flow_ask(device, SIM_SCREEN_CONFIRM,
			    TZ__BUTTON_REQUEST_TYPE__ButtonRequest_UnknownDerivationPath,
			    "path_warning", 1);
}

/* ---- confirmations ------------------------------------------------------------------ */

/* GetPublicKey with show_display: a Trezor One's two pages; a core model's xpub screen. */
static enum sim_result confirm_public_key(struct sim_device *device)
{
	const Tz__GetPublicKey *request = (const Tz__GetPublicKey *)request_of(device);
	int stage = device->operation.stage;

	if (!request->show_display)
		return SIM_DONE;
	if (!sim_device_is_core(device))
		return stage < 2 ? sim_flow_ask(device, SIM_SCREEN_PAGE,
						TZ__BUTTON_REQUEST_TYPE__ButtonRequest_PublicKey,
						NULL, 0)
				 : SIM_DONE;
	/* A path that is no account of the coin is warned of first. */
	if (stage == 0 && !sim_request_account_path(request->address_n, request->n_address_n))
		return sim_flow_ask(device, SIM_SCREEN_CONFIRM,
				    TZ__BUTTON_REQUEST_TYPE__ButtonRequest_UnknownDerivationPath,
				    "path_warning", 1);
	if (stage <= 1)
		return sim_flow_ask(device, SIM_SCREEN_CONFIRM,
				    TZ__BUTTON_REQUEST_TYPE__ButtonRequest_PublicKey, "show_xpub", 1);
	return SIM_DONE;
}

/* GetAddress with show_display: the address (a Trezor One: until it is confirmed). */
static enum sim_result confirm_address(struct sim_device *device)
{
	const Tz__GetAddress *request = (const Tz__GetAddress *)request_of(device);

	if (!request->show_display || device->operation.stage > 0)
		return SIM_DONE;
	return sim_flow_ask(device, sim_device_is_core(device) ? SIM_SCREEN_CONFIRM
							       : SIM_SCREEN_PAGE,
			    TZ__BUTTON_REQUEST_TYPE__ButtonRequest_Address, "show_address", 1);
}

/* One yes-or-no question, on a Trezor One as ProtectCall. */
static enum sim_result confirm_once(struct sim_device *device, uint32_t core_code,
				    const char *name, uint32_t pages)
{
	bool core = sim_device_is_core(device);

	if (device->operation.stage > 0)
		return SIM_DONE;
	return sim_flow_ask(device, SIM_SCREEN_CONFIRM,
			    core ? core_code : TZ__BUTTON_REQUEST_TYPE__ButtonRequest_ProtectCall,
			    name, pages);
}

enum sim_result sim_request_confirm(struct sim_device *device)
{
	const Tz__Ping *ping_request;

	switch (device->operation.kind) {
	case SIM_REQUEST_SIGN_IDENTITY:
		return confirm_once(device, TZ__BUTTON_REQUEST_TYPE__ButtonRequest_Other,
				    "sign_identity", 2);
	case SIM_REQUEST_ECDH:
		return confirm_once(device, TZ__BUTTON_REQUEST_TYPE__ButtonRequest_Other,
				    "confirm_address", 1);
	case SIM_REQUEST_GET_PUBLIC_KEY: return confirm_public_key(device);
	case SIM_REQUEST_GET_ADDRESS: return confirm_address(device);
	case SIM_REQUEST_THP_PAIRING:
	case SIM_REQUEST_THP_CREDENTIAL:
		return sim_thp_pairing_confirm(device);
	case SIM_REQUEST_PING:
		ping_request = (const Tz__Ping *)request_of(device);
		if (!ping_request->button_protection)
			return SIM_DONE;
		return confirm_once(device, TZ__BUTTON_REQUEST_TYPE__ButtonRequest_ProtectCall,
				    "ping", 1);
	default:
		return SIM_DONE;
	}
}

/* ---- answers ------------------------------------------------------------------------ */

static enum sim_result answer_ping(struct sim_device *device)
{
	const Tz__Ping *request = (const Tz__Ping *)request_of(device);
	Tz__Success success = TZ__SUCCESS__INIT;

	/* A core model always answers with the text, "" by default. */
	success.message = request->message;
	if (success.message == NULL && sim_device_is_core(device))
		success.message = (char *)"";
	if (!sim_outgoing_pack(&device->operation.answer, MSG_SUCCESS, &success.base))
		return fail(device, TZ__FAILURE_TYPE__Failure_FirmwareError, "Out of memory");
	return SIM_DONE;
}

/* ThpCreateNewSession: the seed is there (the seed step made it). */
static enum sim_result answer_session(struct sim_device *device)
{
	Tz__Success success = TZ__SUCCESS__INIT;

	success.message = (char *)"New session created.";
	if (!sim_outgoing_pack(&device->operation.answer, MSG_SUCCESS, &success.base))
		return fail(device, TZ__FAILURE_TYPE__Failure_FirmwareError, "Out of memory");
	return SIM_DONE;
}

/* The xpub version for a script type (the firmware's choice of SLIP-0132 magic). */
static bool xpub_version(const struct sim_coin *coin, const Tz__GetPublicKey *request,
			 uint32_t *version)
{
	uint32_t script = request->has_script_type ? request->script_type : 0;
	bool plain = request->has_ignore_xpub_magic && request->ignore_xpub_magic;

	switch (script) {
	case TZ__INPUT_SCRIPT_TYPE__SPENDADDRESS:
	case TZ__INPUT_SCRIPT_TYPE__SPENDMULTISIG:
	case TZ__INPUT_SCRIPT_TYPE__SPENDTAPROOT:
		*version = coin->xpub_magic;
		return true;
	case TZ__INPUT_SCRIPT_TYPE__SPENDP2SHWITNESS:
		*version = plain ? coin->xpub_magic : coin->xpub_magic_p2sh_segwit;
		return true;
	case TZ__INPUT_SCRIPT_TYPE__SPENDWITNESS:
		*version = plain ? coin->xpub_magic : coin->xpub_magic_segwit;
		return true;
	default:
		return false;
	}
}

static enum sim_result answer_public_key(struct sim_device *device)
{
	const Tz__GetPublicKey *request = (const Tz__GetPublicKey *)request_of(device);
	const struct sim_coin *coin = sim_coin_by_name(request->coin_name);
	enum sim_fault_mode fault = device->operation.spoilt ? device->fault.mode : SIM_FAULT_NONE;
	struct sim_node node, master;
	enum sim_curve curve;
	uint32_t version;
	bool ok;

	if (!sim_identity_curve(device, request->ecdsa_curve_name, &curve))
		return sim_identity_bad_curve(device);
	if (!sim_identity_derive(device, curve, NULL, 0, &master) ||
	    !sim_identity_derive(device, curve, request->address_n, request->n_address_n, &node)) {
		OPENSSL_cleanse(&master, sizeof(master));
		return sim_identity_bad_path(device);
	}
	if (!xpub_version(coin, request, &version)) {
		OPENSSL_cleanse(&node, sizeof(node));
		return fail(device, TZ__FAILURE_TYPE__Failure_DataError,
			    "Invalid combination of coin and script_type");
	}
	ok = sim_fault_replace_answer(fault, MSG_PUBLIC_KEY, &node, &device->operation.answer);
	if (!ok) {
		sim_fault_spoil_key(fault, node.public_key);
		ok = sim_node_answer(&node, version, sim_key_fingerprint(master.public_key),
				     &device->operation.answer);
	}
	OPENSSL_cleanse(&node, sizeof(node));
	OPENSSL_cleanse(&master, sizeof(master));
	return ok ? SIM_DONE : fail(device, TZ__FAILURE_TYPE__Failure_ProcessError,
				    "Failed to derive public key");
}

static enum sim_result answer_address(struct sim_device *device)
{
	const Tz__GetAddress *request = (const Tz__GetAddress *)request_of(device);
	const struct sim_coin *coin = sim_coin_by_name(request->coin_name);
	Tz__Address answer = TZ__ADDRESS__INIT;
	char address[SIM_ADDRESS_MAX];
	struct sim_node node;
	bool ok;

	if (request->has_multisig || (request->has_script_type && request->script_type != 0))
		return fail(device, TZ__FAILURE_TYPE__Failure_ProcessError,
			    "trezor-sim: only single-signature SPENDADDRESS addresses are simulated");
	if (!sim_identity_derive(device, SIM_CURVE_SECP256K1, request->address_n,
				 request->n_address_n, &node))
		return sim_identity_bad_path(device);
	ok = sim_p2pkh_address(coin->address_type, node.public_key, address, sizeof(address));
	OPENSSL_cleanse(&node, sizeof(node));
	answer.address = address;
	if (!ok || !sim_outgoing_pack(&device->operation.answer, MSG_ADDRESS, &answer.base))
		return fail(device, TZ__FAILURE_TYPE__Failure_DataError, "Can't encode address");
	return SIM_DONE;
}

enum sim_result sim_request_compute(struct sim_device *device)
{
	switch (device->operation.kind) {
	case SIM_REQUEST_SIGN_IDENTITY:
		return sim_identity_sign(device, (const Tz__SignIdentity *)request_of(device));
	case SIM_REQUEST_ECDH:
		return sim_identity_ecdh(device, (const Tz__GetECDHSessionKey *)request_of(device));
	case SIM_REQUEST_GET_PUBLIC_KEY: return answer_public_key(device);
	case SIM_REQUEST_GET_ADDRESS: return answer_address(device);
	case SIM_REQUEST_THP_PAIRING:
	case SIM_REQUEST_THP_CREDENTIAL:
		return sim_thp_pairing_compute(device);
	case SIM_REQUEST_THP_SESSION: return answer_session(device);
	default: return answer_ping(device);
	}
}

bool sim_request_account_path(const uint32_t *path, size_t depth)
{
	return depth == 3 && (path[0] == (HARDENED | 44) || path[0] == (HARDENED | 49) ||
			      path[0] == (HARDENED | 84) || path[0] == (HARDENED | 86)) &&
	       (path[1] & HARDENED) != 0 && (path[2] & HARDENED) != 0;
}

bool sim_node_answer(const struct sim_node *node, uint32_t version, uint32_t root_fingerprint,
		     struct sim_outgoing *out)
{
	Tz__PublicKey answer = TZ__PUBLIC_KEY__INIT;
	Tz__HDNodeType node_message = TZ__HDNODE_TYPE__INIT;
	char xpub[SIM_XPUB_MAX];

	if (!sim_node_xpub(node, version, xpub, sizeof(xpub)))
		return false;
	node_message.depth = node->depth;
	node_message.fingerprint = node->fingerprint;
	node_message.child_num = node->child_num;
	node_message.chain_code.data = (uint8_t *)node->chain_code;
	node_message.chain_code.len = sizeof(node->chain_code);
	node_message.public_key.data = (uint8_t *)node->public_key;
	node_message.public_key.len = sizeof(node->public_key);
	answer.node = &node_message;
	answer.xpub = xpub;
	answer.has_root_fingerprint = true;
	answer.root_fingerprint = root_fingerprint;
	return sim_outgoing_pack(out, MSG_PUBLIC_KEY, &answer.base);
}
