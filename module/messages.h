/*
 * Trezor message type ids (HACKING 5.2).
 *
 * The id travels in the codec v1 report header in front of the protobuf
 * payload; the payload layouts are in proto/trezor.proto.
 */
#ifndef TREZOR_PKCS11_MESSAGES_H
#define TREZOR_PKCS11_MESSAGES_H

enum message_type {
	MSG_INITIALIZE = 0,
	MSG_PING = 1,
	MSG_SUCCESS = 2,
	MSG_FAILURE = 3,
	MSG_GET_PUBLIC_KEY = 11,
	MSG_PUBLIC_KEY = 12,
	MSG_FEATURES = 17,
	MSG_PIN_MATRIX_REQUEST = 18,
	MSG_PIN_MATRIX_ACK = 19,
	MSG_CANCEL = 20,
	MSG_LOCK_DEVICE = 24,
	MSG_BUTTON_REQUEST = 26,
	MSG_BUTTON_ACK = 27,
	MSG_GET_ADDRESS = 29,
	MSG_ADDRESS = 30,
	MSG_PASSPHRASE_REQUEST = 41,
	MSG_PASSPHRASE_ACK = 42,
	MSG_SIGN_IDENTITY = 53,
	MSG_SIGNED_IDENTITY = 54,
	MSG_GET_FEATURES = 55,
	MSG_GET_ECDH_SESSION_KEY = 61,
	MSG_ECDH_SESSION_KEY = 62,
	MSG_END_SESSION = 83,
	MSG_DEBUG_LINK_DECISION = 100,
	MSG_DEBUG_LINK_GET_STATE = 101,
	MSG_DEBUG_LINK_STATE = 102,
};

/* A short English name for logs ("SignIdentity"), or NULL if unknown. */
const char *message_type_name(unsigned type);

#endif
