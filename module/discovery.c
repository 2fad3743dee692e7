/* Finding devices; hot-plug. See discovery.h. */
#include "config.h"

#include "discovery.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "endpoint_owner.h"
#include "lock.h"
#include "log.h"
#include "module.h"
#include "prompt.h"
#include "slot.h"
#include "usb.h"

#define EMULATOR_PORT 21324
#define EMULATOR_PATH "udp:127.0.0.1:21324"
#define BRIDGE_PORT 21325
#define EMULATOR_PROBE_MS 40            /* an absent emulator must cost nothing */
#define BRIDGE_PROBE_MS 500
#define PATHS_MAX 16
#define REPORTED_MAX 32
#define MESSAGE_MAX sizeof(((struct discovery_problem *)0)->message)

struct candidate {
	char path[TRANSPORT_PATH_MAX];
	int probe_ms;
	bool quiet;                     /* a speculative look: failure is not news */
};

struct candidates {
	struct candidate items[PATHS_MAX + USB_DEVICES_MAX + BRIDGE_DEVICES_MAX + 1];
	size_t length;
	bool usb_busy;                  /* a USB Trezor is held by another program */
};

static bool refreshed;
static bool discovery_pairing = true;
static bool discovery_offer_autoconnect = true;

/* What was said about each path, so that it is said once. */
static struct {
	char path[TRANSPORT_PATH_MAX];
	char message[MESSAGE_MAX];
} reported[REPORTED_MAX];
static size_t reported_length;

static void report_once(const char *path, const char *message)
{
	size_t i;

	for (i = 0; i < reported_length; i++) {
		if (strcmp(reported[i].path, path) == 0) {
			if (strcmp(reported[i].message, message) == 0)
				return;
			break;
		}
	}
	if (i == reported_length && reported_length < REPORTED_MAX)
		reported_length++;
	if (i < REPORTED_MAX) {
		snprintf(reported[i].path, sizeof(reported[i].path), "%s", path);
		snprintf(reported[i].message, sizeof(reported[i].message), "%s", message);
	}
	log_error("%s", message);
}

/* A device works again: forget what was said about its path. */
static void clear_report(const char *path)
{
	size_t i;

	for (i = 0; i < reported_length; i++)
		if (strcmp(reported[i].path, path) == 0)
			reported[i].message[0] = '\0';
}

static void add_candidate(struct candidates *list, const char *path, int probe_ms, bool quiet)
{
	struct candidate *c;

	if (list->length == sizeof(list->items) / sizeof(list->items[0]))
		return;
	c = &list->items[list->length++];
	snprintf(c->path, sizeof(c->path), "%s", path);
	c->probe_ms = probe_ms;
	c->quiet = quiet;
}

/* "webusb" and "hid" alone mean the first such device attached now. */
static bool resolve_first(const char *kind, char *path, size_t size)
{
	struct usb_candidate attached[USB_DEVICES_MAX];
	size_t found = usb_list(attached, USB_DEVICES_MAX), i;

	for (i = 0; i < found; i++) {
		if (strcmp(usb_kind_name(attached[i].kind), kind) == 0) {
			snprintf(path, size, "%s", attached[i].path);
			return true;
		}
	}
	return false;
}

static void configured_candidates(const char *variable, struct candidates *list)
{
	char paths[PATHS_MAX * TRANSPORT_PATH_MAX], *path, *next, resolved[TRANSPORT_PATH_MAX];
	char message[MESSAGE_MAX];

	if (strlen(variable) >= sizeof(paths)) {
		report_once("TREZOR_PATH", "TREZOR_PATH is too long");
		return;
	}
	snprintf(paths, sizeof(paths), "%s", variable);
	for (path = paths; path != NULL; path = next) {
		next = strchr(path, ',');
		if (next != NULL)
			*next++ = '\0';
		path += strspn(path, " ");
		path[strcspn(path, " ")] = '\0';
		if (path[0] == '\0')
			continue;
		if (strcmp(path, "webusb") == 0 || strcmp(path, "hid") == 0) {
			if (!resolve_first(path, resolved, sizeof(resolved))) {
				snprintf(message, sizeof(message), "no Trezor at %s: none is attached", path);
				report_once(path, message);
				continue;
			}
			path = resolved;
		}
		if (strncmp(path, "bridge:", 7) == 0 && bridge_address_bad(message, sizeof(message))) {
			report_once("TREZOR_PKCS11_BRIDGE", message);
			continue;
		}
		/* Named by the user: its Features are asked at once, and their
		 * answer is the only sign of life needed (no PINGPING first). */
		add_candidate(list, path, TRANSPORT_NO_PROBE, false);
	}
}

/*
 * An endpoint nobody named (the emulator's port, Bridge's): used only when
 * the user or root listens there (endpoint_owner.h); anyone else's is
 * refused in one line that says how to trust it. Returns who listens.
 */
static enum endpoint_owner check_endpoint(bool udp, uint16_t port, const char *what,
					  const char *fix)
{
	char error[TRANSPORT_ERROR_MAX], owner[64], message[MESSAGE_MAX], where[32];
	enum endpoint_owner found;
	uid_t uid;

	snprintf(where, sizeof(where), "%s:127.0.0.1:%u", udp ? "udp" : "tcp", (unsigned)port);
	found = endpoint_owner_of(udp, port, &uid, error, sizeof(error));
	switch (found) {
	case ENDPOINT_NOBODY:
	case ENDPOINT_OURS:
		clear_report(where);
		return found;
	case ENDPOINT_FOREIGN:
		endpoint_owner_name(uid, owner, sizeof(owner));
		snprintf(message, sizeof(message), "%s 127.0.0.1:%u (%s) belongs to %s, not to you: "
			 "nothing is sent there; if it is yours, %s", what, (unsigned)port,
			 udp ? "UDP" : "TCP", owner, fix);
		break;
	case ENDPOINT_UNKNOWN:
		snprintf(message, sizeof(message), "%s 127.0.0.1:%u: cannot tell who listens there "
			 "(%s), so nothing is sent there; if it is yours, %s", what, (unsigned)port,
			 error, fix);
		break;
	}
	report_once(where, message);
	return found;
}

static void automatic_candidates(struct candidates *list)
{
	struct usb_candidate attached[USB_DEVICES_MAX];
	size_t found = usb_list(attached, USB_DEVICES_MAX), i;

	for (i = 0; i < found; i++)
		add_candidate(list, attached[i].path, 0, false);
	if (check_endpoint(true, EMULATOR_PORT, "the emulator's port",
			   "set TREZOR_PATH=" EMULATOR_PATH) == ENDPOINT_OURS)
		add_candidate(list, EMULATOR_PATH, EMULATOR_PROBE_MS, true);
}

/* ---- opening one candidate --------------------------------------------------- */

/* Initialise a device and give it a slot: its own, or a new one. */
static void adopt(struct trezor_device *device, const char *path)
{
	struct slot *known = slot_find_device(device->features.device_id);

	clear_report("none");
	if (known == NULL) {
		/* Devices found by the first look are there from the start: no event. */
		if (!slot_add(device, path, !refreshed))
			trezor_close(device);
		return;
	}
	if (slot_has_token(known)) {
		/* The same device by another way (USB and Bridge): keep the first. */
		trezor_close(device);
		return;
	}
	slot_attach(known, device, path);
}

/*
 * The first look at a device: its Features. A Safe 7 is connected first
 * (THP), and the person may be asked then: to pair it (its code typed into
 * pinentry), to allow the connection, its PIN if it is locked.
 */
static enum trezor_status read_features(struct trezor_device *device)
{
	enum transport_status turn = transport_begin(device->transport,
						     device->confirm_timeout_ms);
	struct prompt_context context = { .timeout_seconds = prompt_timeout_seconds(),
					  .program = module_program() };
	struct trezor_prompts prompts;
	enum trezor_status status;

	if (turn != TRANSPORT_OK) {
		snprintf(device->error, sizeof(device->error), "%s", device->transport->error);
		return TREZOR_ERR_TRANSPORT;
	}
	prompt_callbacks(&prompts, &context);
	device->prompts = &prompts;
	device->allow_pairing = discovery_pairing;
	device->offer_autoconnect = discovery_offer_autoconnect;
	status = trezor_get_features(device);
	device->prompts = NULL;
	prompt_clear(&context);
	transport_end(device->transport);
	return status;
}

static void open_candidate(const struct candidate *c, struct candidates *list,
			   const atomic_bool *cancel)
{
	struct transport *transport;
	struct trezor_device *device;
	enum transport_status opened;
	char error[TRANSPORT_ERROR_MAX], message[MESSAGE_MAX];

	opened = transport_open(c->path, c->probe_ms, &transport, error, sizeof(error));
	if (opened != TRANSPORT_OK) {
		if (opened == TRANSPORT_BUSY)
			list->usb_busy = true;
		if (!c->quiet && (opened != TRANSPORT_BUSY || getenv("TREZOR_PATH") != NULL))
			report_once(c->path, error);
		return;
	}
	transport->cancel = cancel;
	device = trezor_device_new(transport);
	if (device == NULL) {
		transport_close(transport);
		return;
	}
	trezor_set_confirm_timeout(device, prompt_timeout_seconds() * 1000);
	/* GetFeatures, not Initialize: another program's session stays as it is;
	 * in the device's turn (another program may be in a conversation). */
	if (read_features(device) != TREZOR_OK) {
		/* Not probed, and nothing ever came back: say it as the probe would. */
		if (c->probe_ms == TRANSPORT_NO_PROBE && strncmp(c->path, "udp", 3) == 0 &&
		    !transport->answered)
			snprintf(message, sizeof(message), "nothing answers at %s", transport->path);
		else
			snprintf(message, sizeof(message), "%s: %s", c->path, device->error);
		report_once(c->path, message);
		trezor_close(device);
		return;
	}
	clear_report(c->path);
	adopt(device, c->path);
}

/* A USB Trezor is taken (Trezor Suite?): its Bridge can lend it to us. */
static void bridge_candidates(struct candidates *list)
{
	struct bridge_device devices[BRIDGE_DEVICES_MAX];
	char error[TRANSPORT_ERROR_MAX], path[TRANSPORT_PATH_MAX], message[MESSAGE_MAX];
	enum endpoint_owner owner = ENDPOINT_OURS;
	int found = -1, i;

	if (bridge_address_bad(message, sizeof(message))) {
		report_once("TREZOR_PKCS11_BRIDGE", message);
		return;
	}
	/* Bridge where nobody said it is: only the user's or root's. */
	if (getenv("TREZOR_PKCS11_BRIDGE") == NULL)
		owner = check_endpoint(false, BRIDGE_PORT, "Trezor Bridge's port",
				       "set TREZOR_PKCS11_BRIDGE=127.0.0.1:21325");
	if (owner == ENDPOINT_FOREIGN || owner == ENDPOINT_UNKNOWN)
		return;                 /* said so */
	if (owner == ENDPOINT_OURS)
		found = bridge_enumerate(devices, BRIDGE_DEVICES_MAX, BRIDGE_PROBE_MS, error,
					 sizeof(error));
	if (found < 0) {
		snprintf(message, sizeof(message), "a Trezor is in use by another program (Trezor "
			 "Suite?) and no Trezor Bridge answers: close that program, or run Bridge");
		report_once("bridge", message);
		return;
	}
	for (i = 0; i < found; i++) {
		snprintf(path, sizeof(path), "bridge:%.*s", BRIDGE_PATH_MAX - 1, devices[i].path);
		add_candidate(list, path, 0, false);
	}
}

/* ---- the refresh ----------------------------------------------------------------- */

static bool is_usb_path(const char *path)
{
	return strncmp(path, "webusb:", 7) == 0 || strncmp(path, "hid:", 4) == 0;
}

/* Slots of USB devices no longer attached are removed. */
static void note_unplugged(void)
{
	struct usb_candidate attached[USB_DEVICES_MAX];
	size_t found, i, j;
	bool present, any_usb = false;

	/* No USB slot (TREZOR_PATH names a UDP device): libusb is not even
	 * started, which costs a program a thread and a look at every device. */
	for (i = 0; i < slots_count(); i++)
		if (slot_has_token(slot_at(i)) && is_usb_path(slot_at(i)->path))
			any_usb = true;
	if (!any_usb)
		return;
	found = usb_list(attached, USB_DEVICES_MAX);
	for (i = 0; i < slots_count(); i++) {
		struct slot *slot = slot_at(i);

		if (!slot_has_token(slot) || !is_usb_path(slot->path))
			continue;
		present = false;
		for (j = 0; j < found; j++)
			if (strcmp(attached[j].path, slot->path) == 0)
				present = true;
		if (!present)
			slot_mark_removed(slot);
	}
}

/*
 * Slots of UDP devices (the emulator, the simulator) that stopped answering
 * are removed. UDP says nothing when the other side goes: each look pings
 * the device without waiting, and reads the answer to the last ping
 * (transport_check_alive), so a listing gains no wait when nothing changed.
 * A device in a conversation is left alone: the conversation notices.
 * One that answers again is attached again by open_new, to the same slot.
 */
static void note_silent(void)
{
	struct trezor_device *device;
	enum transport_status status;
	size_t i;

	for (i = 0; i < slots_count(); i++) {
		struct slot *slot = slot_at(i);

		if (!slot_has_token(slot) || strncmp(slot->path, "udp:", 4) != 0 ||
		    slot->conversations > 0)
			continue;
		/* Nobody holds the device lock now, nor takes it while we hold
		 * the global one: this cannot wait. */
		lock_acquire(slot->device_lock);
		device = atomic_load(&slot->replacement);
		if (device == NULL)
			device = slot->device;
		status = transport_check_alive(device->transport);
		lock_release(slot->device_lock);
		if (status == TRANSPORT_GONE) {
			log_debug("%s", device->transport->error);
			slot_mark_removed(slot);
		}
	}
}

static void open_new(struct candidates *list, size_t first, const atomic_bool *cancel)
{
	size_t i;

	for (i = first; i < list->length; i++)
		if (slot_find_path(list->items[i].path) == NULL)
			open_candidate(&list->items[i], list, cancel);
}

void discovery_refresh(const atomic_bool *cancel)
{
	const char *variable = getenv("TREZOR_PATH");
	struct candidates list;
	size_t before_bridge;

	memset(&list, 0, sizeof(list));
	note_unplugged();
	note_silent();
	if (variable != NULL && variable[0] != '\0')
		configured_candidates(variable, &list);
	else
		automatic_candidates(&list);
	open_new(&list, 0, cancel);
	if (list.usb_busy && (variable == NULL || variable[0] == '\0')) {
		before_bridge = list.length;
		bridge_candidates(&list);
		open_new(&list, before_bridge, cancel);
	}
	refreshed = true;
}

size_t discovery_problems(struct discovery_problem *out, size_t room)
{
	size_t i, count = 0;

	for (i = 0; i < reported_length; i++) {
		if (reported[i].message[0] == '\0')
			continue;
		if (count < room) {
			snprintf(out[count].path, sizeof(out[count].path), "%s", reported[i].path);
			snprintf(out[count].message, sizeof(out[count].message), "%s",
				 reported[i].message);
		}
		count++;
	}
	return count;
}

void discovery_report_none(void)
{
	if (slots_count() > 0 || discovery_problems(NULL, 0) > 0)
		return;
	report_once("none", "no Trezor found: plug it in and unlock it (trezor-pkcs11 list "
		    "says what the module sees)");
}

bool discovery_done(void)
{
	return refreshed;
}

void discovery_set_pairing(bool allowed, bool offer_autoconnect)
{
	discovery_pairing = allowed;
	discovery_offer_autoconnect = offer_autoconnect;
}

void discovery_reset(void)
{
	refreshed = false;
	reported_length = 0;
}
