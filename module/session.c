/* Sessions and their operations. See session.h. */
#include "config.h"

#include "session.h"

#include <stdlib.h>
#include <string.h>

static struct session **sessions;
static size_t sessions_length;
static CK_SESSION_HANDLE last_handle;

CK_RV session_open(struct slot *slot, CK_FLAGS flags, CK_SESSION_HANDLE *handle)
{
	struct session *session = calloc(1, sizeof(*session));
	struct session **grown = realloc(sessions, (sessions_length + 1) * sizeof(*sessions));

	if (grown != NULL)
		sessions = grown;
	if (session == NULL || grown == NULL) {
		free(session);
		return CKR_HOST_MEMORY;
	}
	/* Handles are never reused within one C_Initialize. */
	session->handle = ++last_handle;
	session->slot = slot;
	session->flags = flags;
	sessions[sessions_length++] = session;
	*handle = session->handle;
	return CKR_OK;
}

struct session *session_get(CK_SESSION_HANDLE handle)
{
	size_t i;

	for (i = 0; i < sessions_length; i++)
		if (sessions[i]->handle == handle)
			return sessions[i];
	return NULL;
}

void session_end_find(struct session *session)
{
	free(session->found);
	session->found = NULL;
	session->found_length = 0;
	session->found_next = 0;
	session->finding = false;
}

void session_end_sign(struct session *session)
{
	sign_input_end(&session->input);
	session->signing = false;
	session->sign_updated = false;
	session->sign_busy = false;
}

static void free_session(struct session *session)
{
	session_end_find(session);
	session_end_sign(session);
	free(session);
}

static void remove_at(size_t index)
{
	free_session(sessions[index]);
	sessions[index] = sessions[--sessions_length];
}

CK_RV session_close(CK_SESSION_HANDLE handle)
{
	size_t i;

	for (i = 0; i < sessions_length; i++) {
		if (sessions[i]->handle == handle) {
			remove_at(i);
			return CKR_OK;
		}
	}
	return CKR_SESSION_HANDLE_INVALID;
}

void sessions_close_slot(const struct slot *slot)
{
	size_t i = 0;

	while (i < sessions_length) {
		if (sessions[i]->slot == slot)
			remove_at(i);
		else
			i++;
	}
}

void sessions_count_slot(const struct slot *slot, CK_ULONG *all, CK_ULONG *rw)
{
	size_t i;

	*all = 0;
	*rw = 0;
	for (i = 0; i < sessions_length; i++) {
		if (sessions[i]->slot != slot)
			continue;
		(*all)++;
		if (sessions[i]->flags & CKF_RW_SESSION)
			(*rw)++;
	}
}

CK_STATE session_state(const struct session *session)
{
	bool rw = (session->flags & CKF_RW_SESSION) != 0;

	if (session->slot->logged_in)
		return rw ? CKS_RW_USER_FUNCTIONS : CKS_RO_USER_FUNCTIONS;
	return rw ? CKS_RW_PUBLIC_SESSION : CKS_RO_PUBLIC_SESSION;
}

void sessions_free(void)
{
	while (sessions_length > 0)
		remove_at(sessions_length - 1);
	free(sessions);
	sessions = NULL;
	last_handle = 0;
}
