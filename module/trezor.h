/*
 * Conversations with one Trezor: Initialize -> Features, GetPublicKey and
 * SignIdentity, with the requests a device may interpose (ButtonRequest,
 * PinMatrixRequest, PassphraseRequest) and its Failures.
 *
 * A device is never trusted: every reply is checked against the protocol's
 * limits, every public key must be a key of its curve (a point on P-256, or
 * an Ed25519 key of large order), every signature is verified before it is
 * handed out. Every read has a timeout.
 *
 * One thread at a time per trezor_device; callers serialise.
 */
#ifndef TREZOR_PKCS11_TREZOR_H
#define TREZOR_PKCS11_TREZOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "curve.h"
#include "ec.h"
#include "identity.h"
#include "transport.h"

#define TREZOR_ERROR_MAX 512
#define TREZOR_TEXT_MAX 64              /* vendor, device id, label, model */
#define TREZOR_SESSION_ID_MAX 64
#define TREZOR_VISUAL_MAX 255           /* challenge_visual on a Trezor One */
#define TREZOR_PIN_MAX 50               /* PinMatrixAck.pin */
#define TREZOR_PASSPHRASE_MAX 50        /* PassphraseAck.passphrase, in bytes */
#define TREZOR_CODE_SIZE 6              /* THP pairing: the code a person types */
#define TREZOR_CODE_TYPED_MAX 16        /* what they may type for it ("123 456") */
/* SignIdentity.challenge_hidden on a Trezor One: 512 bytes, 256 before
 * firmware 1.12.1 (HACKING 5.5). */
#define TREZOR_CHALLENGE_MAX 512
#define TREZOR_CHALLENGE_MAX_OLD 256

/* Time for replies that need no person, and for those that do. */
#define TREZOR_REPLY_TIMEOUT_MS 30000
#define TREZOR_CONFIRM_TIMEOUT_MS 120000

enum trezor_status {
	TREZOR_OK = 0,
	TREZOR_ERR_TIMEOUT,             /* the device did not answer in time */
	TREZOR_ERR_NOT_CONFIRMED,       /* nobody pressed the button in time */
	TREZOR_ERR_GONE,                /* the device went away */
	TREZOR_ERR_TRANSPORT,           /* another I/O failure */
	TREZOR_ERR_PROTOCOL,            /* a malformed or unexpected reply */
	TREZOR_ERR_FAILURE,             /* a Failure not listed below; see failure_code */
	TREZOR_ERR_CANCELLED,           /* refused or cancelled on the device */
	TREZOR_ERR_PIN_INVALID,
	TREZOR_ERR_NEEDS_INPUT,         /* asked for a PIN or passphrase nobody can give */
	TREZOR_ERR_KEY_MISMATCH,        /* signed with another key than the identity's */
	TREZOR_ERR_BAD_SIGNATURE,       /* the signature does not verify */
	TREZOR_ERR_BOOTLOADER,
	TREZOR_ERR_NOT_INITIALIZED,
	TREZOR_ERR_NEEDS_THP,           /* Safe 7: the newer host protocol only */
	TREZOR_ERR_INVALID_SESSION,     /* no session (any more): Initialize starts one */
	TREZOR_ERR_ARGUMENT,            /* the caller asked for something impossible */
	TREZOR_ERR_ABORTED,             /* the transport's cancel flag was raised */
	TREZOR_ERR_NO_MEMORY,
	TREZOR_ERR_WRONG_CODE,          /* THP pairing: not the code the device showed */
	TREZOR_ERR_RESET,               /* THP: the device dropped the channel */
};

/* How this computer is paired with a device that speaks THP (a Safe 7). */
enum trezor_pairing {
	TREZOR_PAIRING_NONE,            /* codec v1: no pairing */
	TREZOR_PAIRING_UNPAIRED,        /* THP, not paired (yet) */
	TREZOR_PAIRING_CONFIRM,         /* paired; a new connection may need a press */
	TREZOR_PAIRING_AUTOCONNECT,     /* paired; connects without asking */
};

struct trezor_features {
	char vendor[TREZOR_TEXT_MAX + 1];
	uint32_t major_version, minor_version, patch_version;
	bool bootloader_mode;
	char device_id[TREZOR_TEXT_MAX + 1];
	bool pin_protection;
	bool passphrase_protection;
	/* A locked core device leaves passphrase_protection out of Features. */
	bool passphrase_protection_known;
	char label[TREZOR_TEXT_MAX + 1];
	bool initialized;
	bool unlocked;                  /* true also when the firmware does not say */
	char model[TREZOR_TEXT_MAX + 1];
	char internal_model[TREZOR_TEXT_MAX + 1];
	bool passphrase_entry;          /* capability: passphrase typed on the device */
	bool passphrase_always_on_device;
	uint8_t session_id[TREZOR_SESSION_ID_MAX];
	size_t session_id_len;
	enum trezor_pairing pairing;    /* not from Features: how the link was made */
};

/* What a ButtonRequest has the person do at the device. */
enum trezor_wait {
	TREZOR_WAIT_CONFIRM,            /* confirm the request itself */
	TREZOR_WAIT_PIN,                /* type the PIN on the device's screen */
	TREZOR_WAIT_PASSPHRASE,         /* type the passphrase on the device's screen */
	TREZOR_WAIT_HIDDEN_WALLET,      /* confirm opening a passphrase's wallet */
	TREZOR_WAIT_PAIRING,            /* THP: allow pairing with this computer */
	TREZOR_WAIT_CONNECTION,         /* THP: allow this computer to connect */
	TREZOR_WAIT_AUTOCONNECT,        /* THP: allow it to connect without asking */
};

/* What the person was asked during the last call (trezor_device.asked). */
#define TREZOR_ASKED_CONFIRM 1u         /* pressed to confirm the request */
#define TREZOR_ASKED_PIN 2u
#define TREZOR_ASKED_PASSPHRASE 4u

/*
 * What the device may ask of a person in the middle of a call. Any callback
 * may be NULL: the device's request is then refused (TREZOR_ERR_NEEDS_INPUT).
 * A callback that fails sets `error` and returns TREZOR_ERR_CANCELLED (the
 * person said no) or TREZOR_ERR_NEEDS_INPUT (nobody can be asked).
 */
struct trezor_prompts {
	void *context;
	/* The device now waits for the person at its screen. */
	void (*button)(void *context, enum trezor_wait wait);
	/* A Trezor One shows its PIN matrix: the positions typed, into pin. */
	enum trezor_status (*pin)(void *context, char pin[TREZOR_PIN_MAX + 1],
				  char *error, size_t error_size);
	/* The passphrase, into passphrase; or *on_device = true to let the
	 * person type it on a device that can take it (device_can). */
	enum trezor_status (*passphrase)(void *context, bool device_can,
					 char passphrase[TREZOR_PASSPHRASE_MAX + 1],
					 bool *on_device, char *error, size_t error_size);
	/* THP pairing: the six digits the device shows, as the person typed them. */
	enum trezor_status (*pairing_code)(void *context, char typed[TREZOR_CODE_TYPED_MAX + 1],
					   char *error, size_t error_size);
};

struct trezor_device {
	struct transport *transport;
	struct trezor_features features;
	const struct trezor_prompts *prompts;
	int reply_timeout_ms;
	int confirm_timeout_ms;
	uint32_t failure_code;          /* the last Failure's code */
	unsigned asked;                 /* TREZOR_ASKED_* during the last call */
	bool passphrase_given;          /* a non-empty passphrase went out in this call */
	/* The last answer went wrong: get back in step before the next request. */
	bool out_of_step;
	unsigned resyncs;               /* makes each resynchronisation's Ping word new */
	char error[TREZOR_ERROR_MAX];   /* the last error, one line */
	uint8_t mismatched_key[KEY_POINT_MAX];
	/*
	 * The wallet chosen for this device takes a passphrase (its protection
	 * is on, as Features say or as last noted). A protocol that opens a
	 * session with its passphrase up front (THP) asks for it then.
	 */
	bool wallet_passphrase;
	/* THP: pair when the device wants it (else TREZOR_ERR_NEEDS_INPUT, said so). */
	bool allow_pairing;
	/* THP: offer to connect without asking, after pairing (the device asks). */
	bool offer_autoconnect;
};

/* Open the device at path (see transport_open). error gets one line on failure. */
enum trezor_status trezor_open(const char *path, struct trezor_device **out,
			       char *error, size_t error_size);

/* Take over an open transport. */
struct trezor_device *trezor_device_new(struct transport *transport);

/*
 * The time a person has (a button, a PIN or passphrase typed on the device).
 * It also caps the wait for replies that need no person: nobody who allows
 * a few seconds for a confirmation wants to wait longer for a device that
 * has gone quiet.
 */
void trezor_set_confirm_timeout(struct trezor_device *device, int timeout_ms);

void trezor_close(struct trezor_device *device);

/* After fork(), in the child: drop the device without talking to it (transport_forget). */
void trezor_forget(struct trezor_device *device);

/*
 * Initialize: resume the session features.session_id (when set) or start a
 * new one, and read Features. The device's session id is then in
 * features.session_id: a new one when the device did not know ours.
 * Bootloader mode and a device without seed are errors, but the features
 * read so far stay in device->features. Over THP (a Safe 7) the session is
 * one of the channel's: resumed when it may still be there, else made with
 * ThpCreateNewSession (and its passphrase, see wallet_passphrase).
 */
enum trezor_status trezor_initialize(struct trezor_device *device);

/*
 * Read Features without touching the device's session (GetFeatures), so
 * that the passphrase another program entered stays in force; the session id
 * read before is kept (GetFeatures does not carry it). Falls back to
 * Initialize on firmware without GetFeatures. Errors as trezor_initialize.
 */
enum trezor_status trezor_get_features(struct trezor_device *device);

/*
 * The public key of identity's SLIP-0013 path on the curve, silently: the
 * 65-byte uncompressed point for nist256p1, the 32-byte key for ed25519
 * (curve_key_size bytes of public_key are written).
 */
enum trezor_status trezor_get_public_key(struct trezor_device *device,
					 const struct identity *identity, enum key_curve curve,
					 uint8_t public_key[KEY_POINT_MAX]);

/*
 * The longest challenge SignIdentity takes on this device: what a Trezor
 * One takes (TREZOR_CHALLENGE_MAX, or _OLD before firmware 1.12.1); the
 * core models are held to the same, so that a key behaves alike on every
 * Trezor.
 */
size_t trezor_challenge_max(const struct trezor_features *features);

/*
 * Sign with an identity. nist256p1: the challenge is a 32-byte digest and
 * the identity a gpg:// one (the only proto that signs a given digest);
 * ed25519: the challenge is the whole message (at most TREZOR_CHALLENGE_MAX
 * bytes) and the proto ssh or gpg, which sign it as it is. The device must
 * sign with expected_key, and the signature must verify, before the 64
 * bytes are written. visual is shown on the device (may be NULL, at most
 * TREZOR_VISUAL_MAX bytes). When the device signs with another key,
 * GetPublicKey asks it for the identity's key: another key there too is
 * TREZOR_ERR_KEY_MISMATCH (another wallet), expected_key there is
 * TREZOR_ERR_PROTOCOL (the device contradicts itself).
 */
enum trezor_status trezor_sign_identity(struct trezor_device *device,
					const struct identity *identity, enum key_curve curve,
					const uint8_t expected_key[KEY_POINT_MAX],
					const uint8_t *challenge, size_t challenge_length,
					const char *visual,
					uint8_t signature[KEY_SIGNATURE_SIZE]);

/* After TREZOR_ERR_KEY_MISMATCH: the device's key for the identity now. */
const uint8_t *trezor_mismatched_key(const struct trezor_device *device);

/* Abort whatever the device is doing. */
enum trezor_status trezor_cancel(struct trezor_device *device);

/* "timeout", "cancelled", ... for logs and tests. */
const char *trezor_status_name(enum trezor_status status);

#endif
