/* Names of the Trezor message types, for logs and error messages. */
#include "config.h"

#include "messages.h"

#include <stddef.h>

const char *message_type_name(unsigned type)
{
	switch (type) {
	case MSG_INITIALIZE: return "Initialize";
	case MSG_PING: return "Ping";
	case MSG_SUCCESS: return "Success";
	case MSG_FAILURE: return "Failure";
	case MSG_GET_PUBLIC_KEY: return "GetPublicKey";
	case MSG_PUBLIC_KEY: return "PublicKey";
	case MSG_FEATURES: return "Features";
	case MSG_PIN_MATRIX_REQUEST: return "PinMatrixRequest";
	case MSG_PIN_MATRIX_ACK: return "PinMatrixAck";
	case MSG_CANCEL: return "Cancel";
	case MSG_LOCK_DEVICE: return "LockDevice";
	case MSG_BUTTON_REQUEST: return "ButtonRequest";
	case MSG_BUTTON_ACK: return "ButtonAck";
	case MSG_GET_ADDRESS: return "GetAddress";
	case MSG_ADDRESS: return "Address";
	case MSG_PASSPHRASE_REQUEST: return "PassphraseRequest";
	case MSG_PASSPHRASE_ACK: return "PassphraseAck";
	case MSG_SIGN_IDENTITY: return "SignIdentity";
	case MSG_SIGNED_IDENTITY: return "SignedIdentity";
	case MSG_GET_FEATURES: return "GetFeatures";
	case MSG_GET_ECDH_SESSION_KEY: return "GetECDHSessionKey";
	case MSG_ECDH_SESSION_KEY: return "ECDHSessionKey";
	case MSG_END_SESSION: return "EndSession";
	case MSG_DEBUG_LINK_DECISION: return "DebugLinkDecision";
	case MSG_DEBUG_LINK_GET_STATE: return "DebugLinkGetState";
	case MSG_DEBUG_LINK_STATE: return "DebugLinkState";
	case MSG_THP_CREATE_NEW_SESSION: return "ThpCreateNewSession";
	case MSG_THP_PAIRING_REQUEST: return "ThpPairingRequest";
	case MSG_THP_PAIRING_REQUEST_APPROVED: return "ThpPairingRequestApproved";
	case MSG_THP_SELECT_METHOD: return "ThpSelectMethod";
	case MSG_THP_PAIRING_PREPARATIONS_FINISHED: return "ThpPairingPreparationsFinished";
	case MSG_THP_CREDENTIAL_REQUEST: return "ThpCredentialRequest";
	case MSG_THP_CREDENTIAL_RESPONSE: return "ThpCredentialResponse";
	case MSG_THP_END_REQUEST: return "ThpEndRequest";
	case MSG_THP_END_RESPONSE: return "ThpEndResponse";
	case MSG_THP_CODE_ENTRY_COMMITMENT: return "ThpCodeEntryCommitment";
	case MSG_THP_CODE_ENTRY_CHALLENGE: return "ThpCodeEntryChallenge";
	case MSG_THP_CODE_ENTRY_CPACE_TREZOR: return "ThpCodeEntryCpaceTrezor";
	case MSG_THP_CODE_ENTRY_CPACE_HOST_TAG: return "ThpCodeEntryCpaceHostTag";
	case MSG_THP_CODE_ENTRY_SECRET: return "ThpCodeEntrySecret";
	default: return NULL;
	}
}
