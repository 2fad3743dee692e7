/*
 * What the C_* entry points of pkcs11.c dispatch to, one file per area:
 *
 *   api_slots.c     C_GetInfo, slots, tokens, mechanisms
 *   api_sessions.c  sessions, login
 *   api_objects.c   finding objects, attributes, the read-only refusals
 *   api_sign.c      signing
 *   api_random.c    random numbers (there are none: CKR_RANDOM_NO_RNG)
 *
 * Every api_* function is called with the global lock held and returns with
 * it held; those that talk to a device let go of it meanwhile (see
 * module_suspend), so they look their session up again afterwards.
 */
#ifndef TREZOR_PKCS11_API_H
#define TREZOR_PKCS11_API_H

#include "pkcs11_types.h"
#include "prompt.h"
#include "slot.h"

/* api_slots.c */
CK_RV api_get_info(CK_INFO_PTR info);
CK_RV api_get_slot_list(CK_BBOOL token_present, CK_SLOT_ID_PTR list, CK_ULONG_PTR length);
CK_RV api_get_slot_info(CK_SLOT_ID id, CK_SLOT_INFO_PTR info);
CK_RV api_get_token_info(CK_SLOT_ID id, CK_TOKEN_INFO_PTR info);
CK_RV api_get_mechanism_list(CK_SLOT_ID id, CK_MECHANISM_TYPE_PTR list, CK_ULONG_PTR length);
CK_RV api_get_mechanism_info(CK_SLOT_ID id, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR info);
CK_RV api_wait_for_slot_event(CK_FLAGS flags, CK_SLOT_ID_PTR slot);
/* The slot with this id, after discovery; NULL if there is none. */
struct slot *api_find_slot(CK_SLOT_ID id);
/* Has the slot a token? A device plugged in again is looked for first. */
bool api_token_usable(struct slot *slot);

/* api_sessions.c */
CK_RV api_open_session(CK_SLOT_ID id, CK_FLAGS flags, CK_SESSION_HANDLE_PTR handle);
CK_RV api_close_session(CK_SESSION_HANDLE handle);
CK_RV api_close_all_sessions(CK_SLOT_ID id);
CK_RV api_get_session_info(CK_SESSION_HANDLE handle, CK_SESSION_INFO_PTR info);
CK_RV api_login(CK_SESSION_HANDLE handle, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin,
		CK_ULONG pin_length);
CK_RV api_logout(CK_SESSION_HANDLE handle);

/* api_objects.c */
CK_RV api_find_objects_init(CK_SESSION_HANDLE handle, CK_ATTRIBUTE_PTR attributes,
			    CK_ULONG length);
CK_RV api_find_objects(CK_SESSION_HANDLE handle, CK_OBJECT_HANDLE_PTR objects, CK_ULONG room,
		       CK_ULONG_PTR found);
CK_RV api_find_objects_final(CK_SESSION_HANDLE handle);
CK_RV api_get_attribute_value(CK_SESSION_HANDLE handle, CK_OBJECT_HANDLE object,
			      CK_ATTRIBUTE_PTR attributes, CK_ULONG length);
CK_RV api_get_object_size(CK_SESSION_HANDLE handle, CK_OBJECT_HANDLE object, CK_ULONG_PTR size);
CK_RV api_create_object(CK_SESSION_HANDLE handle, CK_ATTRIBUTE_PTR attributes, CK_ULONG length,
			CK_OBJECT_HANDLE_PTR object);
CK_RV api_copy_object(CK_SESSION_HANDLE handle, CK_OBJECT_HANDLE object,
		      CK_ATTRIBUTE_PTR attributes, CK_ULONG length, CK_OBJECT_HANDLE_PTR copy);
CK_RV api_destroy_object(CK_SESSION_HANDLE handle, CK_OBJECT_HANDLE object);
CK_RV api_set_attribute_value(CK_SESSION_HANDLE handle, CK_OBJECT_HANDLE object,
			      CK_ATTRIBUTE_PTR attributes, CK_ULONG length);
/* Ask the device for the keys of identities [first, first + length) the
 * slot does not know yet. */
CK_RV api_fetch_keys(struct slot *slot, size_t first, size_t length);

/* Around a conversation, under the global lock: answers for the device's
 * questions (C_Login's PIN is copied in, and forgotten once used), and the
 * slot counted busy, so that discovery leaves its device alone meanwhile. */
void api_prompt_begin(struct slot *slot, const char *label,
		      struct prompt_context *prompt);
void api_prompt_end(struct slot *slot, struct prompt_context *prompt);

/* api_sign.c */
CK_RV api_sign_init(CK_SESSION_HANDLE handle, CK_MECHANISM_PTR mechanism, CK_OBJECT_HANDLE key);
CK_RV api_sign(CK_SESSION_HANDLE handle, CK_BYTE_PTR data, CK_ULONG data_length,
	       CK_BYTE_PTR signature, CK_ULONG_PTR signature_length);
CK_RV api_sign_update(CK_SESSION_HANDLE handle, CK_BYTE_PTR part, CK_ULONG part_length);
CK_RV api_sign_final(CK_SESSION_HANDLE handle, CK_BYTE_PTR signature,
		     CK_ULONG_PTR signature_length);

/* api_random.c */
CK_RV api_seed_random(CK_SESSION_HANDLE handle, CK_BYTE_PTR seed, CK_ULONG length);
CK_RV api_generate_random(CK_SESSION_HANDLE handle, CK_BYTE_PTR out, CK_ULONG length);

#endif
