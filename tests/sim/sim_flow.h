/*
 * Requests that take steps (SignIdentity, GetPublicKey, GetAddress, Ping
 * with button protection, GetECDHSessionKey): the order of their steps per
 * firmware family, the questions the device asks on the way (ButtonRequest,
 * PinMatrixRequest, PassphraseRequest), the person at the device, and the
 * time the device takes to compute.
 *
 * While a question is out, the families differ (HACKING 5.8 and 5.9): a
 * Trezor One reads only single-report Acks, Cancel and Initialize (and the
 * debug link's messages) into one slot that its prompts look at ("tiny"
 * reading, sim_reader.c) and ignores everything else; a core model reads
 * whole messages, and anything but the awaited Ack ends the request without
 * a reply and is served itself. While the device computes it reads nothing
 * (the reports wait in the inbox); a Trezor One deriving a seed ("Waking
 * up") reads tiny messages into its slot but acts on none.
 */
#ifndef TREZOR_SIM_FLOW_H
#define TREZOR_SIM_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "sim_protect.h"
#include "trezor.pb-c.h"

struct sim_device;

/* A message for the host, packed. */
struct sim_outgoing {
	uint16_t type;
	size_t length;
	uint8_t *payload;               /* malloc'd; NULL when there is none */
	bool debug;                     /* for the debug link's interface */
};

/* Pack a message into *out (which must be empty); false when out of memory. */
bool sim_outgoing_pack(struct sim_outgoing *out, uint16_t type, const ProtobufCMessage *message);
void sim_outgoing_free(struct sim_outgoing *out);

enum sim_request {
	SIM_REQUEST_NONE,
	SIM_REQUEST_SIGN_IDENTITY,
	SIM_REQUEST_GET_PUBLIC_KEY,
	SIM_REQUEST_GET_ADDRESS,
	SIM_REQUEST_PING,
	SIM_REQUEST_ECDH,
	/* THP (Safe 7): the person's questions of pairing and credentials, and a new session. */
	SIM_REQUEST_THP_PAIRING,
	SIM_REQUEST_THP_CREDENTIAL,
	SIM_REQUEST_THP_SESSION,
};

/* What a step did. */
enum sim_result {
	SIM_DONE,                       /* on to the next step */
	SIM_WAITS,                      /* a question is out, or time must pass */
	SIM_ENDED,                      /* the request is over (answered or failed) */
};

enum sim_step {
	SIM_STEP_END,                   /* the end of a plan */
	SIM_STEP_INITIALIZED,           /* the device must have a seed */
	SIM_STEP_UNLOCK,                /* the PIN, if the device is locked */
	SIM_STEP_CHECK,                 /* the request's checks before the seed (coin, path) */
	SIM_STEP_SEED,                  /* session, passphrase, hidden wallet, PBKDF2 */
	SIM_STEP_PATH,                  /* core: the keychain's path check, after the seed */
	SIM_STEP_CONFIRM,               /* the request's own questions */
	SIM_STEP_COMPUTE,               /* the answer, after the device's work time */
	SIM_STEP_REPLY,                 /* the answer goes out */
};

enum sim_wait {
	SIM_WAIT_NOTHING,
	SIM_WAIT_BUTTON_ACK,            /* a ButtonRequest is out */
	SIM_WAIT_PERSON,                /* acked: the person decides (due_ms, or the debug link) */
	SIM_WAIT_PIN,                   /* a PinMatrixRequest is out */
	SIM_WAIT_PASSPHRASE,            /* a PassphraseRequest is out */
	SIM_WAIT_WORK,                  /* the device computes until due_ms */
	SIM_WAIT_WAKING_UP,             /* a new session's seed derives until due_ms */
};

/* What a ButtonRequest puts on the screen, and so what a refusal means. */
enum sim_screen {
	SIM_SCREEN_CONFIRM,             /* yes or no: no ends the request */
	SIM_SCREEN_PAGE,                /* one of pages to confirm: no shows it again */
	SIM_SCREEN_HIDDEN_WALLET,       /* Trezor One: "Access hidden wallet?", the passphrase */
	SIM_SCREEN_PIN_ENTRY,           /* core: the person types the PIN */
	SIM_SCREEN_PASSPHRASE_ENTRY,    /* core: the person types the passphrase */
};

struct sim_question {
	enum sim_screen screen;
	uint32_t code;                  /* ButtonRequestType */
	const char *name;               /* core: the layout's name; NULL on a Trezor One */
	uint32_t pages;                 /* core: the layout's pages */
};

struct sim_operation {
	enum sim_request kind;
	ProtobufCMessage *request;      /* the unpacked request, owned */
	const enum sim_step *plan;
	size_t step;
	int stage;                      /* progress within the step */
	enum sim_wait waiting;
	struct sim_question question;
	bool acked;                     /* the ButtonAck of the question came */
	bool decided;                   /* a debug link decision came before the ack */
	bool decision;
	bool has_typed;                 /* text typed with that decision */
	char typed[SIM_PASSPHRASE_MAX + 1];
	int64_t due_ms;                 /* when the person or the work is done */
	bool spoilt;                    /* the fault mode spoils this request */
	int attempts;                   /* core: PIN entries so far */
	bool has_passphrase;            /* a passphrase was taken for the new seed */
	bool passphrase_from_host;
	bool passphrase_too_long;       /* core: over 50 bytes, refused after it is shown */
	char passphrase[SIM_PASSPHRASE_MAX + 1];
	struct sim_outgoing answer;     /* what SIM_STEP_REPLY sends */
};

/* Start a request (the device takes ownership of the unpacked message). */
void sim_flow_start(struct sim_device *device, enum sim_request kind, ProtobufCMessage *request);

/* Is a request in progress? */
bool sim_flow_busy(const struct sim_device *device);

/* Trezor One: does the device read single-report messages into its slot now? */
bool sim_flow_reads_tiny(const struct sim_device *device);

/* Does the device read nothing now (reports wait in the inbox)? */
bool sim_flow_reads_nothing(const struct sim_device *device);

/* Core: is a question out, so that any message but its Ack ends the request? */
bool sim_flow_asks(const struct sim_device *device);

/* Trezor One: a message came into the slot; the question out may take it. */
void sim_flow_poll_tiny(struct sim_device *device);

/* The type of the Ack the question out awaits, or -1 (none, or the person decides). */
int sim_flow_awaited(const struct sim_device *device);

/* Core: the awaited Ack came (any other message ends the request: sim_flow_abort). */
void sim_flow_take_ack(struct sim_device *device, const ProtobufCMessage *message);

/*
 * A DebugLinkDecision for the question out: its button (NO, or yes), or
 * its input, text typed on the device's screen. The device acts once both
 * the decision and the ButtonAck are in.
 */
void sim_flow_decide(struct sim_device *device, const Tz__DebugLinkDecision *decision);

/* End the request without a reply. */
void sim_flow_abort(struct sim_device *device);

int64_t sim_flow_next_event(const struct sim_device *device);
void sim_flow_tick(struct sim_device *device);

/* End the request with a Failure; returns SIM_ENDED for the step to pass on. */
enum sim_result sim_flow_fail(struct sim_device *device, int code, const char *text);

/*
 * Put a question for a button on the screen; returns SIM_WAITS. A yes
 * moves the step to its next stage, a no ends the request (a page is asked
 * again), as enum sim_screen says.
 */
enum sim_result sim_flow_ask(struct sim_device *device, enum sim_screen screen, uint32_t code,
			     const char *name, uint32_t pages);

#endif
