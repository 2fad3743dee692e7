/*
 * The input layouts of the targets that decode their input into calls,
 * shared with make_seeds.c, which writes seeds in them. The full
 * description of each is at the top of its target.
 */
#ifndef TREZOR_FUZZ_FORMATS_H
#define TREZOR_FUZZ_FORMATS_H

/* ---- fuzz_thp.c: byte 0 ---------------------------------------------------------- */

#define THP_FUZZ_LOCKED 0x01            /* the Trezor has a PIN */
#define THP_FUZZ_UNLOCK 0x02            /* the host asks it to show its PIN pad */

/* ---- fuzz_client.c ----------------------------------------------------------- */

/* Byte 0: the person. */
#define CLIENT_PIN(answer) ((answer) & 3)               /* 0 none, 1 given, 2 no, 3 nobody */
#define CLIENT_PASSPHRASE(answer) (((answer) & 3) << 2) /* 0 none, 1 given, 2 device, 3 no */
#define CLIENT_BUTTON_CALLBACK 0x10
#define CLIENT_FAILING_REPORT(n) (((n) & 7) << 5)        /* 0: every report is sent */

/* Byte 1: the conversations (none: all). */
#define CLIENT_INITIALIZE 0x01
#define CLIENT_GET_FEATURES 0x02
#define CLIENT_GET_PUBLIC_KEY 0x04
#define CLIENT_SIGN 0x08
#define CLIENT_CANCEL 0x10
#define CLIENT_ALL 0x1f
/* ... and the key and the signature of the Ed25519 identity instead of P-256's. */
#define CLIENT_ED25519 0x20

/* The first byte of each record, modulo CLIENT_RECORD_KINDS. */
enum client_record {
	CLIENT_SUCCESS,
	CLIENT_FAILURE,
	CLIENT_PUBLIC_KEY,
	CLIENT_FEATURES,
	CLIENT_PIN_MATRIX_REQUEST,
	CLIENT_BUTTON_REQUEST,
	CLIENT_PASSPHRASE_REQUEST,
	CLIENT_SIGNED_IDENTITY,
	CLIENT_ANY_TYPE,                /* type (BE16), then as the others */
	CLIENT_RAW_REPORT,              /* 64 bytes */
	CLIENT_READ_FAILS,              /* a byte choosing the transport status */
	CLIENT_RECORD_KINDS
};

/* ---- fuzz_pkcs11.c ----------------------------------------------------------- */

/* Byte 0. */
#define PKCS11_SEARCH 0x01
#define PKCS11_READ 0x02
#define PKCS11_NULL_WHEN_EMPTY 0x04
#define PKCS11_BAD_SESSION 0x08
#define PKCS11_ROOM(n) ((((n) - 1) & 7) << 4)         /* C_FindObjects room, 1 to 8 */

/* An attribute type byte of this value (or any past the target's list of
 * interesting types) is followed by a raw 4-byte type. */
#define PKCS11_RAW_TYPE 0xff
/* Attribute shape byte: pValue NULL, ulValueLen the low bits. */
#define PKCS11_NULL_VALUE 0x80
/* Handle byte: the next 8 bytes are the handle. */
#define PKCS11_RAW_HANDLE 0xff

#endif
