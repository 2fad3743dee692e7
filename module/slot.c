/* Slots and tokens. See slot.h. */
#include "config.h"

#include "slot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

#define MANUFACTURER "SatoshiLabs"

static struct slot **slots;
static size_t slots_length;
static struct slot empty_slot = { .id = SLOT_EMPTY_ID, .empty = true };

/* ---- the table of slots ----------------------------------------------------- */

/* FNV-1a of the device id: the same id gives the same slot id every time. */
static CK_SLOT_ID slot_id_for(const char *device_id)
{
	uint32_t hash = 2166136261u;
	const unsigned char *p;
	CK_SLOT_ID id;
	size_t i;
	bool taken;

	for (p = (const unsigned char *)device_id; *p != '\0'; p++)
		hash = (hash ^ *p) * 16777619u;
	id = (hash & 0x7fffffffu) | 1u;         /* never SLOT_EMPTY_ID */
	do {                                    /* two devices with one id: next free */
		taken = false;
		for (i = 0; i < slots_length; i++)
			if (slots[i]->id == id)
				taken = true;
		if (taken)
			id = (id + 2) & 0x7fffffffu;
	} while (taken);
	return id;
}

bool slot_add(struct trezor_device *device, const char *path, bool announced)
{
	struct slot *slot = calloc(1, sizeof(*slot));
	struct slot **grown = realloc(slots, (slots_length + 1) * sizeof(*slots));

	if (grown != NULL)
		slots = grown;
	if (slot == NULL || grown == NULL || lock_new(&slot->device_lock) != CKR_OK) {
		free(slot);
		return false;
	}
	slot->device = device;
	slot->features = device->features;
	slot->id = slot_id_for(device->features.device_id);
	slot->announced = announced;
	snprintf(slot->path, sizeof(slot->path), "%s", path);
	slots[slots_length++] = slot;
	return true;
}

void slot_attach(struct slot *slot, struct trezor_device *device, const char *path)
{
	struct trezor_device *stale;

	/* The conversation side takes it in under the device lock (take_device). */
	stale = atomic_exchange(&slot->replacement, device);
	trezor_close(stale);
	slot->features = device->features;
	snprintf(slot->path, sizeof(slot->path), "%s", path);
	atomic_store(&slot->removed, false);
}

void slot_mark_removed(struct slot *slot)
{
	atomic_store(&slot->removed, true);
}

size_t slots_count(void)
{
	return slots_length;
}

struct slot *slot_at(size_t index)
{
	return slots[index];
}

struct slot *slot_find_device(const char *device_id)
{
	size_t i;

	for (i = 0; i < slots_length; i++)
		if (strcmp(slots[i]->features.device_id, device_id) == 0)
			return slots[i];
	return NULL;
}

struct slot *slot_find_path(const char *path)
{
	size_t i;

	for (i = 0; i < slots_length; i++)
		if (slot_has_token(slots[i]) && strcmp(slots[i]->path, path) == 0)
			return slots[i];
	return NULL;
}

struct slot *slots_take_event(void)
{
	size_t i;

	for (i = 0; i < slots_length; i++) {
		if (slots[i]->announced != slot_has_token(slots[i])) {
			slots[i]->announced = !slots[i]->announced;
			return slots[i];
		}
	}
	return NULL;
}

size_t slots_list(bool with_token_only, struct slot **out, size_t room)
{
	size_t i, listed = 0;

	for (i = 0; i < slots_length; i++) {
		if (with_token_only && !slot_has_token(slots[i]))
			continue;
		if (listed < room)
			out[listed] = slots[i];
		listed++;
	}
	if (listed == 0 && !with_token_only) {
		if (room > 0)
			out[0] = &empty_slot;
		listed = 1;
	}
	return listed;
}

struct slot *slot_by_id(CK_SLOT_ID id)
{
	size_t i;

	for (i = 0; i < slots_length; i++)
		if (slots[i]->id == id)
			return slots[i];
	return id == SLOT_EMPTY_ID && slots_length == 0 ? &empty_slot : NULL;
}

bool slot_has_token(const struct slot *slot)
{
	return !slot->empty && !atomic_load(&slot->removed);
}

/* ---- info ----------------------------------------------------------------- */

/*
 * Labels, models and serial numbers come from the device, paths from the
 * environment or from Bridge: none is trusted to be the UTF-8 the standard
 * asks for. What may not be shown as it is (text.h) becomes '?'.
 */
void pad_utf8_field(CK_UTF8CHAR *field, size_t size, const char *text)
{
	const unsigned char *in = (const unsigned char *)text;
	size_t length = strlen(text), read = 0, used = 0, step;
	bool shown;

	memset(field, ' ', size);
	while (read < length) {
		step = text_next_character(in + read, length - read, &shown);
		if (used + (shown ? step : 1) > size)
			break;          /* never half a character */
		if (shown)
			memcpy(field + used, in + read, step);
		else
			field[used] = '?';
		used += shown ? step : 1;
		read += step;
	}
}

/* "Trezor One", "Trezor Model T", "Trezor Safe 3", ... */
static void model_name(const struct trezor_features *features, char *name, size_t size)
{
	const char *model = features->model;

	if (strcmp(model, "1") == 0)
		snprintf(name, size, "Trezor One");
	else if (strcmp(model, "T") == 0)
		snprintf(name, size, "Trezor Model T");
	else
		snprintf(name, size, "Trezor %s", model[0] != '\0' ? model : "(unknown model)");
}

static CK_VERSION version_of(uint32_t major, uint32_t minor)
{
	CK_VERSION version = { (CK_BYTE)(major > 255 ? 255 : major),
			       (CK_BYTE)(minor > 255 ? 255 : minor) };

	return version;
}

void slot_get_info(const struct slot *slot, CK_SLOT_INFO *info)
{
	char description[256], name[80];

	memset(info, 0, sizeof(*info));
	if (slot->empty) {
		snprintf(description, sizeof(description), "Trezor (no device attached)");
	} else {
		model_name(&slot->features, name, sizeof(name));
		snprintf(description, sizeof(description), "%s at %s", name, slot->path);
	}
	pad_utf8_field(info->slotDescription, sizeof(info->slotDescription), description);
	pad_utf8_field(info->manufacturerID, sizeof(info->manufacturerID), MANUFACTURER);
	info->flags = CKF_REMOVABLE_DEVICE | CKF_HW_SLOT;
	if (slot_has_token(slot)) {
		info->flags |= CKF_TOKEN_PRESENT;
		info->firmwareVersion = version_of(slot->features.major_version,
						   slot->features.minor_version);
	}
}

void slot_get_token_info(const struct slot *slot, CK_ULONG sessions, CK_ULONG rw_sessions,
			 CK_TOKEN_INFO *info)
{
	const struct trezor_features *features = &slot->features;
	char name[80];

	memset(info, 0, sizeof(*info));
	model_name(features, name, sizeof(name));
	pad_utf8_field(info->label, sizeof(info->label), features->label[0] ? features->label : name);
	pad_utf8_field(info->manufacturerID, sizeof(info->manufacturerID), MANUFACTURER);
	pad_utf8_field(info->model, sizeof(info->model), name);
	pad_utf8_field(info->serialNumber, sizeof(info->serialNumber), features->device_id);
	pad_utf8_field(info->utcTime, sizeof(info->utcTime), "");
	/*
	 * Never CKF_LOGIN_REQUIRED: the device asks for PIN and passphrase itself,
	 * when it signs. CKF_PROTECTED_AUTHENTICATION_PATH tells callers that no
	 * PIN has to pass through them, so they do not prompt for one (ssh would,
	 * for a token without keys). CKF_WRITE_PROTECTED: no object can be
	 * created, changed or destroyed (CKR_TOKEN_WRITE_PROTECTED and
	 * CKR_ACTION_PROHIBITED), which callers may as well know beforehand;
	 * read-write sessions still open, as OpenSSH asks for one.
	 */
	info->flags = CKF_TOKEN_INITIALIZED | CKF_PROTECTED_AUTHENTICATION_PATH |
		      CKF_WRITE_PROTECTED;
	if (features->pin_protection)
		info->flags |= CKF_USER_PIN_INITIALIZED;
	info->ulMaxSessionCount = CK_EFFECTIVELY_INFINITE;
	info->ulSessionCount = sessions;
	info->ulMaxRwSessionCount = CK_EFFECTIVELY_INFINITE;
	info->ulRwSessionCount = rw_sessions;
	info->ulMaxPinLen = SLOT_PIN_MAX;
	info->ulMinPinLen = 1;
	info->ulTotalPublicMemory = CK_UNAVAILABLE_INFORMATION;
	info->ulFreePublicMemory = CK_UNAVAILABLE_INFORMATION;
	info->ulTotalPrivateMemory = CK_UNAVAILABLE_INFORMATION;
	info->ulFreePrivateMemory = CK_UNAVAILABLE_INFORMATION;
	info->hardwareVersion = version_of(features->major_version, 0);
	info->firmwareVersion = version_of(features->major_version, features->minor_version);
}

CK_RV slot_prepare_keys(struct slot *slot, size_t identities)
{
	if (slot->keys_length == identities)
		return CKR_OK;
	free(slot->keys);
	slot->keys = calloc(identities > 0 ? identities : 1, sizeof(*slot->keys));
	slot->keys_length = slot->keys != NULL ? identities : 0;
	return slot->keys != NULL ? CKR_OK : CKR_HOST_MEMORY;
}

/* ---- teardown --------------------------------------------------------------- */

/*
 * C_Finalize closes each device; a forked child forgets them (nothing said
 * to a device or Bridge, nothing released that the parent still uses), and
 * leaves the locks be, as another thread of the parent may have held them.
 */
static void free_slot(struct slot *slot, bool in_child)
{
	void (*drop)(struct trezor_device *) = in_child ? trezor_forget : trezor_close;

	drop(slot->device);
	drop(atomic_exchange(&slot->replacement, NULL));
	if (!in_child)
		lock_free(slot->device_lock);
	free(slot->keys);
	explicit_bzero(slot->pin, sizeof(slot->pin));
	free(slot);
}

static void drop_all(bool in_child)
{
	size_t i;

	for (i = 0; i < slots_length; i++)
		free_slot(slots[i], in_child);
	free(slots);
	slots = NULL;
	slots_length = 0;
	empty_slot.logged_in = false;
	explicit_bzero(empty_slot.pin, sizeof(empty_slot.pin));
}

void slots_free(void)
{
	drop_all(false);
}

void slots_forget(void)
{
	drop_all(true);
}
