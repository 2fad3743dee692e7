/* Finding objects, reading attributes, and refusing changes. See api.h. */
#include "config.h"

#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conversation.h"
#include "module.h"
#include "object.h"
#include "session.h"
#include "token.h"

void api_prompt_begin(struct slot *slot, const char *label,
		      struct prompt_context *prompt)
{
	slot->conversations++;
	memset(prompt, 0, sizeof(*prompt));
	prompt->label = label;
	prompt->program = module_program();
	prompt->timeout_seconds = prompt_timeout_seconds();
	snprintf(prompt->login_pin, sizeof(prompt->login_pin), "%s", slot->pin);
}

void api_prompt_end(struct slot *slot, struct prompt_context *prompt)
{
	slot->conversations--;
	if (prompt->login_pin_used)
		explicit_bzero(slot->pin, sizeof(slot->pin));
	prompt_clear(prompt);
}

CK_RV api_fetch_keys(struct slot *slot, size_t first, size_t length)
{
	struct prompt_context prompt;
	size_t *indexes = malloc((length > 0 ? length : 1) * sizeof(*indexes));
	uint8_t (*points)[KEY_POINT_MAX] = NULL;
	size_t unknown, fetched = 0, i;
	CK_RV rv = CKR_OK, resumed;

	if (indexes == NULL)
		return CKR_HOST_MEMORY;
	unknown = token_unknown_keys(slot, first, length, indexes);
	if (unknown > 0)
		points = malloc(unknown * sizeof(*points));
	if (unknown > 0 && points == NULL)
		rv = CKR_HOST_MEMORY;
	if (unknown > 0 && rv == CKR_OK) {
		/* token_identity() stays valid without the lock until C_Finalize. */
		api_prompt_begin(slot, NULL, &prompt);
		module_suspend();
		for (i = 0; i < unknown && rv == CKR_OK; i++) {
			rv = conversation_fetch_key(slot, token_identity(indexes[i]), &prompt, points[i]);
			if (rv == CKR_OK)
				fetched++;
		}
		resumed = module_resume();
		api_prompt_end(slot, &prompt);
		for (i = 0; i < fetched; i++)
			token_store_key(slot, indexes[i], points[i]);
		token_save_keys(slot, false);
		if (rv == CKR_OK)
			rv = resumed;
	}
	free(points);
	free(indexes);
	return rv;
}

/* The session and its token ready for object work. */
static CK_RV session_with_token(CK_SESSION_HANDLE handle, struct session **session)
{
	*session = session_get(handle);
	if (*session == NULL)
		return CKR_SESSION_HANDLE_INVALID;
	if (!api_token_usable((*session)->slot))
		return CKR_DEVICE_REMOVED;
	return token_prepare((*session)->slot);
}

/* Every object of the token that matches the template, in identity order. */
static CK_RV collect_matches(struct session *session, const CK_ATTRIBUTE *attributes,
			     CK_ULONG length)
{
	size_t identities = token_identities(), i, found = 0;
	struct object_view view;
	int private_key;

	session->found = malloc((identities > 0 ? 2 * identities : 1) * sizeof(*session->found));
	if (session->found == NULL)
		return CKR_HOST_MEMORY;
	for (i = 0; i < identities; i++) {
		for (private_key = 0; private_key < 2; private_key++) {
			token_object(session->slot, i, private_key, &view);
			if (object_matches(&view, attributes, length))
				session->found[found++] = object_handle(i, private_key);
		}
	}
	session->found_length = found;
	session->found_next = 0;
	session->finding = true;
	return CKR_OK;
}

CK_RV api_find_objects_init(CK_SESSION_HANDLE handle, CK_ATTRIBUTE_PTR attributes,
			    CK_ULONG length)
{
	struct session *session;
	CK_RV rv = session_with_token(handle, &session);

	if (rv != CKR_OK)
		return rv;
	if (attributes == NULL && length > 0)
		return CKR_ARGUMENTS_BAD;
	if (session->finding)
		return CKR_OPERATION_ACTIVE;
	if (template_needs_key(attributes, length)) {
		struct slot *slot = session->slot;

		rv = api_fetch_keys(slot, 0, token_identities());
		if (rv != CKR_OK)
			return rv;
		/* Another thread may have closed the session or begun a search. */
		session = session_get(handle);
		if (session == NULL)
			return CKR_SESSION_HANDLE_INVALID;
		if (session->finding)
			return CKR_OPERATION_ACTIVE;
	}
	return collect_matches(session, attributes, length);
}

CK_RV api_find_objects(CK_SESSION_HANDLE handle, CK_OBJECT_HANDLE_PTR objects, CK_ULONG room,
		       CK_ULONG_PTR found)
{
	struct session *session = session_get(handle);
	CK_ULONG given = 0;

	if (session == NULL)
		return CKR_SESSION_HANDLE_INVALID;
	if (objects == NULL || found == NULL)
		return CKR_ARGUMENTS_BAD;
	if (!session->finding)
		return CKR_OPERATION_NOT_INITIALIZED;
	while (given < room && session->found_next < session->found_length)
		objects[given++] = session->found[session->found_next++];
	*found = given;
	return CKR_OK;
}

CK_RV api_find_objects_final(CK_SESSION_HANDLE handle)
{
	struct session *session = session_get(handle);

	if (session == NULL)
		return CKR_SESSION_HANDLE_INVALID;
	if (!session->finding)
		return CKR_OPERATION_NOT_INITIALIZED;
	session_end_find(session);
	return CKR_OK;
}

/* The session (with its token) and the identity an object handle names. */
static CK_RV resolve_object(CK_SESSION_HANDLE handle, CK_OBJECT_HANDLE object,
			    struct session **session, size_t *index, bool *is_private)
{
	CK_RV rv = session_with_token(handle, session);

	if (rv != CKR_OK)
		return rv;
	if (!object_parse_handle(object, token_identities(), index, is_private))
		return CKR_OBJECT_HANDLE_INVALID;
	return CKR_OK;
}

CK_RV api_get_attribute_value(CK_SESSION_HANDLE handle, CK_OBJECT_HANDLE object,
			      CK_ATTRIBUTE_PTR attributes, CK_ULONG length)
{
	struct session *session;
	struct object_view view;
	size_t index;
	bool is_private;
	CK_RV rv = resolve_object(handle, object, &session, &index, &is_private);

	if (rv != CKR_OK)
		return rv;
	if (attributes == NULL)
		return CKR_ARGUMENTS_BAD;
	if (template_needs_key(attributes, length)) {
		rv = api_fetch_keys(session->slot, index, 1);
		if (rv != CKR_OK)
			return rv;
		/* The lock was let go: another thread may have closed the session. */
		session = session_get(handle);
		if (session == NULL)
			return CKR_SESSION_HANDLE_INVALID;
	}
	token_object(session->slot, index, is_private, &view);
	return object_get_attributes(&view, attributes, length);
}

CK_RV api_get_object_size(CK_SESSION_HANDLE handle, CK_OBJECT_HANDLE object, CK_ULONG_PTR size)
{
	struct session *session;
	size_t index;
	bool is_private;
	CK_RV rv = resolve_object(handle, object, &session, &index, &is_private);

	if (rv != CKR_OK)
		return rv;
	if (size == NULL)
		return CKR_ARGUMENTS_BAD;
	*size = CK_UNAVAILABLE_INFORMATION;     /* nothing is stored for it */
	return CKR_OK;
}

/*
 * The token's objects cannot be created, copied, destroyed or changed, in
 * any session. The token is write-protected (CKF_WRITE_PROTECTED), and
 * CKR_TOKEN_WRITE_PROTECTED "has higher priority than CKR_SESSION_READ_ONLY"
 * (v2.40 section 5.1.6), so a read-only session never answers
 * CKR_SESSION_READ_ONLY: C_CreateObject answers CKR_TOKEN_WRITE_PROTECTED
 * (a session object may be made in a read-only session, section 5.7), and
 * the keys, which say they cannot change (CKA_COPYABLE, CKA_DESTROYABLE and
 * CKA_MODIFIABLE false), answer CKR_ACTION_PROHIBITED, as section 5.7 says
 * of such objects; of two codes that apply, the standard lets the module
 * choose (section 5.1.7).
 */

CK_RV api_create_object(CK_SESSION_HANDLE handle, CK_ATTRIBUTE_PTR attributes, CK_ULONG length,
			CK_OBJECT_HANDLE_PTR object)
{
	struct session *session = session_get(handle);

	if (session == NULL)
		return CKR_SESSION_HANDLE_INVALID;
	if ((attributes == NULL && length > 0) || object == NULL)
		return CKR_ARGUMENTS_BAD;
	return CKR_TOKEN_WRITE_PROTECTED;
}

CK_RV api_copy_object(CK_SESSION_HANDLE handle, CK_OBJECT_HANDLE object,
		      CK_ATTRIBUTE_PTR attributes, CK_ULONG length, CK_OBJECT_HANDLE_PTR copy)
{
	struct session *session;
	size_t index;
	bool is_private;
	CK_RV rv = resolve_object(handle, object, &session, &index, &is_private);

	if (rv != CKR_OK)
		return rv;
	if ((attributes == NULL && length > 0) || copy == NULL)
		return CKR_ARGUMENTS_BAD;
	return CKR_ACTION_PROHIBITED;           /* CKA_COPYABLE is false */
}

CK_RV api_destroy_object(CK_SESSION_HANDLE handle, CK_OBJECT_HANDLE object)
{
	struct session *session;
	size_t index;
	bool is_private;
	CK_RV rv = resolve_object(handle, object, &session, &index, &is_private);

	if (rv != CKR_OK)
		return rv;
	return CKR_ACTION_PROHIBITED;           /* CKA_DESTROYABLE is false */
}

CK_RV api_set_attribute_value(CK_SESSION_HANDLE handle, CK_OBJECT_HANDLE object,
			      CK_ATTRIBUTE_PTR attributes, CK_ULONG length)
{
	struct session *session;
	size_t index;
	bool is_private;
	CK_RV rv = resolve_object(handle, object, &session, &index, &is_private);

	if (rv != CKR_OK)
		return rv;
	if (attributes == NULL && length > 0)
		return CKR_ARGUMENTS_BAD;
	return CKR_ACTION_PROHIBITED;           /* CKA_MODIFIABLE is false */
}
