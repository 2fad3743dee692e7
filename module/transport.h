/*
 * One small interface to a device: write a 64-byte report, read one with a
 * timeout, close. Backends only move reports: transport_udp.c (the emulator),
 * transport_usb.c (libusb: WebUSB and HID) and transport_bridge.c (Trezor
 * Bridge, which reassembles the reports itself). Turning reports into
 * messages is the codec's job (wire.h), done here once for every backend;
 * for a device that speaks only the Trezor Host Protocol it is THP's
 * (thp.h), over USB and UDP, behind the same two functions.
 */
#ifndef TREZOR_PKCS11_TRANSPORT_H
#define TREZOR_PKCS11_TRANSPORT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

#define TRANSPORT_PATH_MAX 128
#define TRANSPORT_ERROR_MAX 256

enum transport_status {
	TRANSPORT_OK = 0,
	TRANSPORT_TIMEOUT,      /* nothing arrived in time */
	TRANSPORT_GONE,         /* the device went away (unplugged, killed) */
	TRANSPORT_BAD_DATA,     /* what arrived is not codec v1 */
	TRANSPORT_ERROR,        /* anything else; the error text says what */
	TRANSPORT_CANCELLED,    /* the cancel flag was raised while waiting */
	TRANSPORT_BUSY,         /* another program holds the device */
	TRANSPORT_RESET,        /* THP: the device dropped the channel; open a new one */
};

struct transport;

struct transport_ops {
	enum transport_status (*write_report)(struct transport *transport,
					      const uint8_t report[WIRE_REPORT_SIZE]);
	/* Wait at most timeout_ms for one report. */
	enum transport_status (*read_report)(struct transport *transport,
					     uint8_t report[WIRE_REPORT_SIZE], int timeout_ms);
	void (*close)(struct transport *transport);
	/* After fork(), in the child: see transport_forget. */
	void (*forget)(struct transport *transport);
	/* Optional, see transport_check_alive. */
	enum transport_status (*check_alive)(struct transport *transport);
};

struct shared_lock;
struct thp_link;

struct transport {
	const struct transport_ops *ops;
	char path[TRANSPORT_PATH_MAX];          /* as TREZOR_PATH spells it */
	char error[TRANSPORT_ERROR_MAX];        /* why the last call failed */
	/* When set and raised, waits end early with TRANSPORT_CANCELLED. */
	const atomic_bool *cancel;
	/* A device the user's programs take turns with (shared_lock.h); NULL
	 * for one a program holds alone (USB, Bridge). */
	struct shared_lock *shared;
	/* The backend carries THP's packets (USB and UDP; Bridge does not). */
	bool thp_capable;
	/* Set once the device turned out to speak only THP: messages go through it. */
	struct thp_link *thp;
	/* A codec v1 message came whole: the device speaks v1 (see transport.c). */
	bool v1_heard;
	/* UDP: a datagram came back since the socket was opened. UDP tells of
	 * no absent device but by silence, so until then silence is short. */
	bool answered;
};

/* Longest a backend sleeps before looking at the cancel flag again. */
#define TRANSPORT_CANCEL_CHECK_MS 100

static inline bool transport_cancelled(const struct transport *transport)
{
	return transport->cancel != NULL && atomic_load(transport->cancel);
}

/*
 * Open the device at `path`: "udp:HOST:PORT", "webusb:BUS:ADDR" or "webusb"
 * (the first), "hid:BUS:ADDR" or "hid", "bridge:PATH". The UDP backend checks
 * that something answers within probe_timeout_ms, unless it is
 * TRANSPORT_NO_PROBE: a conversation follows at once and tells as much
 * (a device that never answers is then gone after about a second, with
 * "nothing answers at PATH"). On failure *out is NULL and error holds one
 * line saying why.
 */
#define TRANSPORT_NO_PROBE 0
enum transport_status transport_open(const char *path, int probe_timeout_ms,
				     struct transport **out,
				     char *error, size_t error_size);

void transport_close(struct transport *transport);

/*
 * After fork(), in the child: free what the transport holds and close this
 * process's own copies of its descriptors, without a word to the device or
 * to Bridge and without releasing anything the parent still uses (a USB
 * interface, a Bridge session). NULL is allowed.
 */
void transport_forget(struct transport *transport);

/*
 * Between conversations, without waiting for anything: has the device
 * stopped answering? TRANSPORT_GONE if it has, TRANSPORT_OK while it
 * answers or may still. Only the UDP backend asks (its peer can vanish
 * without a word); for the others, whose going away discovery sees by
 * other means, always TRANSPORT_OK.
 */
enum transport_status transport_check_alive(struct transport *transport);

/*
 * Around a conversation: wait up to wait_ms for the device's turn among the
 * user's programs (shared_lock.h), and give it back. TRANSPORT_OK at once
 * for a device this program holds alone; TRANSPORT_BUSY (error set) when
 * another program kept it longer; TRANSPORT_CANCELLED when the cancel flag
 * was raised.
 */
enum transport_status transport_begin(struct transport *transport, int wait_ms);
void transport_end(struct transport *transport);

/*
 * During a conversation: is `id` the session the device has active (as far
 * as the user's programs know)? True for a device this program holds
 * alone: nobody else changes it. And: note `id` as the active one.
 */
bool transport_session_is_active(struct transport *transport, const uint8_t *id,
				 size_t length);
void transport_note_session(struct transport *transport, const uint8_t *id, size_t length);

/*
 * Speak THP to this device from now on (its answer to codec v1 was
 * Failure InvalidProtocol). False when the backend cannot (error set).
 */
bool transport_enable_thp(struct transport *transport);

/* Send a whole message as reports (or, over THP, in the current session). */
enum transport_status transport_send_message(struct transport *transport, uint16_t type,
					     const uint8_t *payload, size_t length);

/*
 * Receive one whole message, waiting at most timeout_ms for all of it.
 * The caller frees it with wire_message_free().
 */
enum transport_status transport_receive_message(struct transport *transport,
						struct wire_message *message,
						int timeout_ms);

/* Set transport->error from a format. */
void transport_set_error(struct transport *transport, const char *format, ...)
	__attribute__((format(printf, 2, 3)));

/* Backends. */
enum transport_status transport_udp_open(const char *spec, int probe_timeout_ms,
					 struct transport **out,
					 char *error, size_t error_size);
enum transport_status transport_usb_open(bool hid, const char *spec, struct transport **out,
					 char *error, size_t error_size);
enum transport_status transport_bridge_open(const char *device, struct transport **out,
					    char *error, size_t error_size);

#endif
