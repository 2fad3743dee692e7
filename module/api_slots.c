/* The library, its slots, tokens and mechanisms. See api.h. */
#include "config.h"

#include "api.h"

#include <string.h>

#include <time.h>

#include "discovery.h"
#include "identities_file.h"
#include "mechanism.h"
#include "module.h"
#include "session.h"

#define SLOTS_MAX 64
#define EVENT_POLL_MS 250
#define CANCEL_CHECK_MS 50

CK_RV api_get_info(CK_INFO_PTR info)
{
	if (info == NULL)
		return CKR_ARGUMENTS_BAD;
	memset(info, 0, sizeof(*info));
	info->cryptokiVersion.major = 2;
	info->cryptokiVersion.minor = 40;
	pad_utf8_field(info->manufacturerID, sizeof(info->manufacturerID), "trezor-pkcs11 project");
	pad_utf8_field(info->libraryDescription, sizeof(info->libraryDescription),
		       "Trezor PKCS#11 module");
	info->libraryVersion.major = 0;
	info->libraryVersion.minor = 1;
	return CKR_OK;
}

/*
 * The PKCS#11 way of returning a list: its length when list is NULL,
 * CKR_BUFFER_TOO_SMALL (and the length needed) when it does not fit.
 */
static CK_RV return_list(const CK_ULONG *items, CK_ULONG available, CK_ULONG *list,
			 CK_ULONG_PTR length)
{
	CK_ULONG room = *length;

	*length = available;
	if (list == NULL)
		return CKR_OK;
	if (room < available)
		return CKR_BUFFER_TOO_SMALL;
	memcpy(list, items, available * sizeof(*list));
	return CKR_OK;
}

struct slot *api_find_slot(CK_SLOT_ID id)
{
	if (!discovery_done())
		discovery_refresh(module_cancel_flag());
	return slot_by_id(id);
}

bool api_token_usable(struct slot *slot)
{
	/* Gone? It may be back already (plugged in again): look once. */
	if (!slot_has_token(slot) && !slot->empty)
		discovery_refresh(module_cancel_flag());
	return slot_has_token(slot);
}

CK_RV api_get_slot_list(CK_BBOOL token_present, CK_SLOT_ID_PTR list, CK_ULONG_PTR length)
{
	struct slot *found[SLOTS_MAX];
	CK_SLOT_ID ids[SLOTS_MAX];
	size_t listed, i;

	if (length == NULL)
		return CKR_ARGUMENTS_BAD;
	/* Every listing looks again: devices come and go. */
	discovery_refresh(module_cancel_flag());
	listed = slots_list(token_present == CK_TRUE, found, SLOTS_MAX);
	/* Someone who listed identities wants keys: no Trezor is news to them. */
	if (listed == 0 && token_present == CK_TRUE && identities_configured())
		discovery_report_none();
	if (listed > SLOTS_MAX)
		listed = SLOTS_MAX;
	for (i = 0; i < listed; i++)
		ids[i] = found[i]->id;
	return return_list(ids, listed, list, length);
}

CK_RV api_get_slot_info(CK_SLOT_ID id, CK_SLOT_INFO_PTR info)
{
	struct slot *slot = api_find_slot(id);

	if (info == NULL)
		return CKR_ARGUMENTS_BAD;
	if (slot == NULL)
		return CKR_SLOT_ID_INVALID;
	slot_get_info(slot, info);
	return CKR_OK;
}

CK_RV api_get_token_info(CK_SLOT_ID id, CK_TOKEN_INFO_PTR info)
{
	struct slot *slot = api_find_slot(id);
	CK_ULONG all, rw;

	if (info == NULL)
		return CKR_ARGUMENTS_BAD;
	if (slot == NULL)
		return CKR_SLOT_ID_INVALID;
	if (!slot_has_token(slot))
		return CKR_TOKEN_NOT_PRESENT;
	sessions_count_slot(slot, &all, &rw);
	slot_get_token_info(slot, all, rw, info);
	return CKR_OK;
}

/* A slot with a token in it, or why not. */
static CK_RV token_slot(CK_SLOT_ID id, struct slot **slot)
{
	*slot = api_find_slot(id);
	if (*slot == NULL)
		return CKR_SLOT_ID_INVALID;
	return slot_has_token(*slot) ? CKR_OK : CKR_TOKEN_NOT_PRESENT;
}

CK_RV api_get_mechanism_list(CK_SLOT_ID id, CK_MECHANISM_TYPE_PTR list, CK_ULONG_PTR length)
{
	struct slot *slot;
	CK_ULONG available;
	const CK_MECHANISM_TYPE *mechanisms = mechanism_list(&available);
	CK_RV rv;

	if (length == NULL)
		return CKR_ARGUMENTS_BAD;
	rv = token_slot(id, &slot);
	if (rv != CKR_OK)
		return rv;
	return return_list(mechanisms, available, list, length);
}

CK_RV api_get_mechanism_info(CK_SLOT_ID id, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR info)
{
	struct slot *slot;
	CK_RV rv;

	if (info == NULL)
		return CKR_ARGUMENTS_BAD;
	rv = token_slot(id, &slot);
	if (rv != CKR_OK)
		return rv;
	return mechanism_info(type, info);
}

/* Sleep about EVENT_POLL_MS without the global lock; false if C_Finalize began. */
static bool pause_between_looks(void)
{
	struct timespec slice = { 0, CANCEL_CHECK_MS * 1000 * 1000 };
	int waited;

	module_suspend();
	for (waited = 0; waited < EVENT_POLL_MS && !atomic_load(module_cancel_flag());
	     waited += CANCEL_CHECK_MS)
		nanosleep(&slice, NULL);
	return module_resume() == CKR_OK;
}

/*
 * Look for devices until a token comes or goes. No thread of the module's
 * own does this: the caller's thread looks every EVENT_POLL_MS, and a
 * C_Finalize meanwhile ends the wait with CKR_CRYPTOKI_NOT_INITIALIZED.
 */
CK_RV api_wait_for_slot_event(CK_FLAGS flags, CK_SLOT_ID_PTR slot)
{
	struct slot *changed;

	if (slot == NULL)
		return CKR_ARGUMENTS_BAD;
	for (;;) {
		discovery_refresh(module_cancel_flag());
		changed = slots_take_event();
		if (changed != NULL) {
			*slot = changed->id;
			return CKR_OK;
		}
		if (flags & CKF_DONT_BLOCK)
			return CKR_NO_EVENT;
		if (!pause_between_looks())
			return CKR_CRYPTOKI_NOT_INITIALIZED;
	}
}
