/*
 * The simulated Trezor: a state machine from request messages to reply
 * messages, with no I/O of its own (sim_main.c moves the reports), so tests
 * can also drive it directly.
 *
 * Requests that need a person (SignIdentity, Ping with button protection,
 * GetPublicKey with show_display) become a pending operation that advances
 * one interposed request at a time until it can be carried out.
 */
#ifndef TREZOR_SIM_DEVICE_H
#define TREZOR_SIM_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "sim_fault.h"
#include "sim_keys.h"
#include "sim_protect.h"
#include "wire.h"

#define SIM_OUTBOX_MAX 4
#define SIM_DEVICE_ID_SIZE 24

enum sim_model {
	SIM_MODEL_ONE,
	SIM_MODEL_T,
	SIM_MODEL_SAFE_3,
	SIM_MODEL_SAFE_5,
	SIM_MODEL_SAFE_7,               /* speaks only THP: refuses every v1 message */
};

struct sim_options {
	const char *mnemonic;
	const char *label;
	enum sim_model model;
	const char *device_id;          /* NULL: derived from the mnemonic */
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
	enum sim_fault_mode fault;      /* a broken device (sim_fault.h) */
	int fault_after;                /* occasions served well before the fault */
	int fault_for;                  /* occasions spoilt; 0: all */
	int verbose;                    /* log messages on stderr */
};

struct sim_outgoing {
	uint16_t type;
	size_t length;
	uint8_t *payload;
};

enum sim_pending_kind {
	SIM_PENDING_NONE,
	SIM_PENDING_SIGN_IDENTITY,
	SIM_PENDING_PING,
	SIM_PENDING_PUBLIC_KEY,
};

/* What the pending operation waits for. */
enum sim_wait {
	SIM_WAIT_NOTHING,
	SIM_WAIT_BUTTON_ACK,            /* a ButtonRequest is out */
	SIM_WAIT_PIN,                   /* a PinMatrixRequest is out */
	SIM_WAIT_PASSPHRASE,            /* a PassphraseRequest is out */
	SIM_WAIT_PERSON,                /* the person is at the device (decision_at_ms) */
	SIM_WAIT_WORK,                  /* the device computes (decision_at_ms) */
};

/* What a ButtonRequest asks the person to do. */
enum sim_task {
	SIM_TASK_CONFIRM,
	SIM_TASK_ENTER_PIN,             /* on a core model's screen */
	SIM_TASK_ENTER_PASSPHRASE,
};

struct sim_pending {
	enum sim_pending_kind kind;
	ProtobufCMessage *request;      /* the unpacked request being served */
	bool needs_confirmation;
	bool confirmed;                 /* the person pressed the button */
	bool spoilt;                    /* the fault spoils this operation's reply */
	enum sim_wait waiting;
	enum sim_task task;
	int64_t decision_at_ms;         /* when the person or the work is done */
};

struct sim_device {
	struct sim_options options;
	uint8_t seed[SIM_SEED_SIZE];
	char device_id[SIM_DEVICE_ID_SIZE + 1];
	uint8_t session_id[32];
	bool has_session;
	struct sim_protection protect;
	struct sim_pending pending;
	struct sim_fault fault;
	int64_t now_ms;                 /* the time of the request or tick being handled */
	struct sim_outgoing outbox[SIM_OUTBOX_MAX];
	size_t outbox_count;
};

/* "1", "T", "Safe 3", "Safe 5", "Safe 7" -> model. */
bool sim_model_from_name(const char *name, enum sim_model *model);

bool sim_device_init(struct sim_device *device, const struct sim_options *options);
void sim_device_free(struct sim_device *device);

/* Handle one whole request at time now_ms; replies go to the outbox. */
void sim_device_handle(struct sim_device *device, const struct wire_message *request,
		       int64_t now_ms);

/* When the device next has something to do on its own (-1: nothing). */
int64_t sim_device_next_event(const struct sim_device *device);

/* Let time pass until now_ms: a person may decide; replies go to the outbox. */
void sim_device_tick(struct sim_device *device, int64_t now_ms);

/* Empty the outbox (the caller has sent it). */
void sim_device_clear_outbox(struct sim_device *device);

/* Put a reply in the outbox (for sim_fault.c). */
void sim_device_send(struct sim_device *device, uint16_t type, const ProtobufCMessage *message);

/* Put a PublicKey of this node in the outbox. */
void sim_device_send_node(struct sim_device *device, const struct sim_node *node);

#endif
