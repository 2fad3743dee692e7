/*
 * The simulated Trezor: the firmware's state machine from request reports to
 * reply messages, with no I/O of its own (sim_main.c moves the datagrams),
 * so tests can also drive it directly.
 *
 * It plays two firmware families (HACKING 5.8 and 5.9): the Trezor One,
 * and the core firmware of Model T, Safe 3, Safe 5 and Safe 7. A Safe 7
 * speaks only THP (sim_thp.h), answering codec v1 with Failure
 * InvalidProtocol; inside its channels the core machine serves. The parts:
 *
 *   sim_reader.c    reports -> messages, by each family's reading rules
 *   sim_device.c    this face; requests answered at once; the outbox
 *   sim_flow.c      requests that take steps: questions, the person, timers
 *   sim_requests.c  each request's steps and answers
 *   sim_seed.c      the seed step: session, passphrase, hidden wallet
 *   sim_identity.c  SignIdentity and GetECDHSessionKey: curves and protos
 *   sim_session.c   the ten sessions and their seeds
 *   sim_protect.c   PIN and lock
 *   sim_features.c  the models and their Features
 *   sim_debuglink.c the debug link's state
 *   sim_decode.c    the Trezor One's nanopb decode errors
 *   sim_keys.c, sim_sign.c, sim_bitcoin.c   keys, signatures, encodings
 *   sim_thp*.c      the Trezor Host Protocol of a Safe 7
 */
#ifndef TREZOR_SIM_DEVICE_H
#define TREZOR_SIM_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "sim_fault.h"
#include "sim_flow.h"
#include "sim_keys.h"
#include "sim_protect.h"
#include "sim_reader.h"
#include "sim_session.h"
#include "wire.h"

#define SIM_OUTBOX_MAX 64
#define SIM_DEVICE_ID_SIZE 24

enum sim_model {
	SIM_MODEL_ONE,
	SIM_MODEL_T,
	SIM_MODEL_SAFE_3,
	SIM_MODEL_SAFE_5,
	SIM_MODEL_SAFE_7,               /* speaks only THP (sim_thp.h) */
};

/* How the person at the device decides. */
enum sim_buttons {
	SIM_BUTTONS_PERSON,             /* presses at once, or after --confirm-delay */
	SIM_BUTTONS_DEBUGLINK,          /* never by itself: only DebugLinkDecision */
};

struct sim_options {
	const char *mnemonic;
	const char *label;
	enum sim_model model;
	const char *device_id;          /* NULL: derived from the mnemonic */
	unsigned version[3];            /* the firmware's version; 0.0.0: the model's */
	bool decline;                   /* the person refuses every confirmation */
	int confirm_delay_ms;           /* how long the person takes to decide */
	bool bootloader;                /* in bootloader mode: Features, nothing else */
	bool uninitialized;             /* no seed yet */
	const char *pin;                /* the PIN; NULL: none (starts unlocked) */
	const char *device_pin;         /* what the person types on a core model (default pin) */
	unsigned matrix_seed;           /* scrambles the Trezor One PIN matrix */
	bool matrix_seed_set;
	bool passphrase_protection;
	const char *device_passphrase;  /* what the person types on a core model */
	int decline_after;              /* confirm this many times, then refuse; -1 never */
	int sign_delay_ms;              /* the device's time to sign */
	int derive_delay_ms;            /* the device's time to derive a public key */
	int seed_delay_ms;              /* the time a new session's seed takes (PBKDF2) */
	int auto_lock_delay_ms;         /* idle time before it locks itself; 0: 10 minutes */
	bool debuglink;                 /* a debug build: it has a debug link */
	enum sim_buttons buttons;
	enum sim_fault_mode fault;      /* a broken device (sim_fault.h) */
	int fault_after;                /* occasions served well before the fault */
	int fault_for;                  /* occasions spoilt; 0: all */
	int verbose;                    /* log messages on stderr */
	const char *thp_secret;         /* Safe 7: its device secret's source (default: the id) */
	int thp_credential_counter;     /* Safe 7: "forget all" bumps it: old credentials fail */
};

struct sim_thp;

struct sim_device {
	struct sim_options options;
	char device_id[SIM_DEVICE_ID_SIZE + 1];
	struct sim_sessions sessions;
	struct sim_protection protect;
	struct sim_operation operation;
	struct sim_reader main_reader;
	struct sim_reader debug_reader;
	struct sim_tiny tiny;
	struct sim_inbox inbox;
	struct sim_fault fault;
	int confirmations;              /* button confirmations given so far */
	int64_t now_ms;                 /* the time of the report or tick being handled */
	int64_t idle_since_ms;          /* since then nothing happened: the auto-lock's clock */
	struct sim_outgoing outbox[SIM_OUTBOX_MAX];
	size_t outbox_count;
	struct sim_thp *thp;            /* a Safe 7's THP; NULL for the others */
};

/* "1", "T", "Safe 3", "Safe 5", "Safe 7" -> model. */
bool sim_model_from_name(const char *name, enum sim_model *model);

bool sim_device_init(struct sim_device *device, const struct sim_options *options);
void sim_device_free(struct sim_device *device);

/* The time of power-on (the clock of the tests starts at 0, trezor-sim's is monotonic). */
void sim_device_start_clock(struct sim_device *device, int64_t now_ms);

/* Does the device run the core firmware (Model T, Safe 3, Safe 5, Safe 7)? */
bool sim_device_is_core(const struct sim_device *device);

/*
 * Power off and on: every session and any question out are gone, a device
 * with a PIN is locked (a Trezor One without one unlocks itself).
 */
void sim_device_restart(struct sim_device *device);

/*
 * Does the device read anything (PINGPING included)? Not a core model left
 * at its lock screen at power-on.
 */
bool sim_device_listens(const struct sim_device *device);

/*
 * One report (WIRE_REPORT_SIZE bytes) as it arrives at time now_ms, on the
 * main interface or the debug link's; replies go to the outbox.
 */
void sim_device_receive(struct sim_device *device, bool debug, const uint8_t *report,
			int64_t now_ms);

/* A whole message on the main interface: its reports, one after the other. */
void sim_device_handle(struct sim_device *device, const struct wire_message *request,
		       int64_t now_ms);

/* The same on the debug link's interface. */
void sim_device_handle_debug(struct sim_device *device, const struct wire_message *request,
			     int64_t now_ms);

/* The auto-lock delay in force (--auto-lock-delay, else the firmware's 10 minutes). */
int sim_device_auto_lock_delay(const struct sim_device *device);

/* When the device next has something to do on its own (-1: nothing). */
int64_t sim_device_next_event(const struct sim_device *device);

/* Let time pass until now_ms: a person may decide, work may end. */
void sim_device_tick(struct sim_device *device, int64_t now_ms);

/* Empty the outbox (the caller has sent it). */
void sim_device_clear_outbox(struct sim_device *device);

/* Put a reply in the outbox, for the main interface or the debug link's. */
void sim_device_send(struct sim_device *device, uint16_t type, const ProtobufCMessage *message);
void sim_device_send_debug(struct sim_device *device, uint16_t type,
			   const ProtobufCMessage *message);

/* Move a packed message into the outbox (*out is left empty). */
void sim_device_send_outgoing(struct sim_device *device, struct sim_outgoing *out);

/*
 * A Failure with this code and text on the main interface. NULL text: a
 * Trezor One's default text for the code ("PIN invalid", ...).
 */
void sim_device_fail(struct sim_device *device, int code, const char *text);

/*
 * A core model's text for an exception that is no wire error: the
 * exception's own in a debug build (--debuglink), else "Firmware error".
 */
const char *sim_device_firmware_error(const struct sim_device *device, const char *text);

/* The protobuf-c descriptor of a request type the simulator reads, or NULL. */
const ProtobufCMessageDescriptor *sim_device_descriptor(uint16_t type);

/* A whole message read from an interface (sim_reader.c hands it over). */
void sim_device_dispatch(struct sim_device *device, bool debug, uint16_t type,
			 const uint8_t *payload, size_t length);

/* A line on stderr with -v ("trezor-sim: " and the text). */
void sim_device_log(const struct sim_device *device, const char *format, ...)
	__attribute__((format(printf, 2, 3)));

#endif
