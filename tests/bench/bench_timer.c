/*
 * bench-timer.so: a PKCS#11 module in front of the real one, for
 * ./quickstart bench. It loads the module BENCH_MODULE names and hands
 * the program that module's functions, except that each call a program
 * makes to sign (loading, slots, sessions, objects, signing, finalising)
 * is timed: one line per call is appended to the file BENCH_TIMES,
 *
 *   FUNCTION MICROSECONDS
 *
 * "load" first, for dlopen() of the real module (its libraries included).
 * Summed, the lines are the time a program (ssh, ssh-agent's helper,
 * pkcs11-tool) spent inside the module: what the module costs it, device
 * round trips included, without the program's own work. The line is
 * written after the clock stops, so writing it is not counted.
 *
 * Functions a signing program does not call, or that wait for events
 * (C_WaitForSlotEvent), go to the real module untimed.
 */
#include "config.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pkcs11_types.h"

static CK_FUNCTION_LIST *real;
static CK_FUNCTION_LIST timed;

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

/* Append "NAME US" to BENCH_TIMES; pass the call's result on. */
static CK_RV note(const char *name, double started, CK_RV rv)
{
	double spent = now_us() - started;
	const char *path = getenv("BENCH_TIMES");
	char line[96];
	int fd, length;

	if (path == NULL)
		return rv;
	length = snprintf(line, sizeof(line), "%s %.1f\n", name, spent);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0) {
		if (write(fd, line, (size_t)length) != length)
			fprintf(stderr, "bench-timer: cannot write %s\n", path);
		close(fd);
	}
	return rv;
}

static CK_RV timed_Initialize(CK_VOID_PTR args)
{
	double started = now_us();
	return note("C_Initialize", started, real->C_Initialize(args));
}

static CK_RV timed_Finalize(CK_VOID_PTR reserved_)
{
	double started = now_us();
	return note("C_Finalize", started, real->C_Finalize(reserved_));
}

static CK_RV timed_GetInfo(CK_INFO_PTR info)
{
	double started = now_us();
	return note("C_GetInfo", started, real->C_GetInfo(info));
}

static CK_RV timed_GetSlotList(CK_BBOOL present, CK_SLOT_ID_PTR slots, CK_ULONG_PTR length)
{
	double started = now_us();
	return note("C_GetSlotList", started, real->C_GetSlotList(present, slots, length));
}

static CK_RV timed_GetSlotInfo(CK_SLOT_ID slot, CK_SLOT_INFO_PTR info)
{
	double started = now_us();
	return note("C_GetSlotInfo", started, real->C_GetSlotInfo(slot, info));
}

static CK_RV timed_GetTokenInfo(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info)
{
	double started = now_us();
	return note("C_GetTokenInfo", started, real->C_GetTokenInfo(slot, info));
}

static CK_RV timed_GetMechanismList(CK_SLOT_ID slot, CK_MECHANISM_TYPE_PTR list,
				    CK_ULONG_PTR length)
{
	double started = now_us();
	return note("C_GetMechanismList", started, real->C_GetMechanismList(slot, list, length));
}

static CK_RV timed_GetMechanismInfo(CK_SLOT_ID slot, CK_MECHANISM_TYPE type,
				    CK_MECHANISM_INFO_PTR info)
{
	double started = now_us();
	return note("C_GetMechanismInfo", started, real->C_GetMechanismInfo(slot, type, info));
}

static CK_RV timed_OpenSession(CK_SLOT_ID slot, CK_FLAGS flags, CK_VOID_PTR application,
			       CK_NOTIFY notify, CK_SESSION_HANDLE_PTR session)
{
	double started = now_us();
	return note("C_OpenSession", started,
		    real->C_OpenSession(slot, flags, application, notify, session));
}

static CK_RV timed_CloseSession(CK_SESSION_HANDLE session)
{
	double started = now_us();
	return note("C_CloseSession", started, real->C_CloseSession(session));
}

static CK_RV timed_CloseAllSessions(CK_SLOT_ID slot)
{
	double started = now_us();
	return note("C_CloseAllSessions", started, real->C_CloseAllSessions(slot));
}

static CK_RV timed_GetSessionInfo(CK_SESSION_HANDLE session, CK_SESSION_INFO_PTR info)
{
	double started = now_us();
	return note("C_GetSessionInfo", started, real->C_GetSessionInfo(session, info));
}

static CK_RV timed_Login(CK_SESSION_HANDLE session, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin,
			 CK_ULONG pin_length)
{
	double started = now_us();
	return note("C_Login", started, real->C_Login(session, user, pin, pin_length));
}

static CK_RV timed_Logout(CK_SESSION_HANDLE session)
{
	double started = now_us();
	return note("C_Logout", started, real->C_Logout(session));
}

static CK_RV timed_FindObjectsInit(CK_SESSION_HANDLE session, CK_ATTRIBUTE_PTR template_,
				   CK_ULONG length)
{
	double started = now_us();
	return note("C_FindObjectsInit", started,
		    real->C_FindObjectsInit(session, template_, length));
}

static CK_RV timed_FindObjects(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE_PTR objects,
			       CK_ULONG room, CK_ULONG_PTR found)
{
	double started = now_us();
	return note("C_FindObjects", started, real->C_FindObjects(session, objects, room, found));
}

static CK_RV timed_FindObjectsFinal(CK_SESSION_HANDLE session)
{
	double started = now_us();
	return note("C_FindObjectsFinal", started, real->C_FindObjectsFinal(session));
}

static CK_RV timed_GetAttributeValue(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object,
				     CK_ATTRIBUTE_PTR attributes, CK_ULONG length)
{
	double started = now_us();
	return note("C_GetAttributeValue", started,
		    real->C_GetAttributeValue(session, object, attributes, length));
}

static CK_RV timed_SignInit(CK_SESSION_HANDLE session, CK_MECHANISM_PTR mechanism,
			    CK_OBJECT_HANDLE key)
{
	double started = now_us();
	return note("C_SignInit", started, real->C_SignInit(session, mechanism, key));
}

static CK_RV timed_Sign(CK_SESSION_HANDLE session, CK_BYTE_PTR data, CK_ULONG data_length,
			CK_BYTE_PTR signature, CK_ULONG_PTR signature_length)
{
	double started = now_us();
	return note("C_Sign", started,
		    real->C_Sign(session, data, data_length, signature, signature_length));
}

static CK_RV timed_SignUpdate(CK_SESSION_HANDLE session, CK_BYTE_PTR part, CK_ULONG length)
{
	double started = now_us();
	return note("C_SignUpdate", started, real->C_SignUpdate(session, part, length));
}

static CK_RV timed_SignFinal(CK_SESSION_HANDLE session, CK_BYTE_PTR signature,
			     CK_ULONG_PTR signature_length)
{
	double started = now_us();
	return note("C_SignFinal", started,
		    real->C_SignFinal(session, signature, signature_length));
}

/* Load the real module once, timed, and make the timed list from its own. */
static CK_RV load_real(void)
{
	const char *path = getenv("BENCH_MODULE");
	CK_RV (*get_list)(CK_FUNCTION_LIST_PTR_PTR);
	double started = now_us();
	void *handle;
	CK_RV rv;

	if (path == NULL) {
		fprintf(stderr, "bench-timer: BENCH_MODULE is not set\n");
		return CKR_GENERAL_ERROR;
	}
	handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (handle == NULL) {
		fprintf(stderr, "bench-timer: %s\n", dlerror());
		return CKR_GENERAL_ERROR;
	}
	*(void **)&get_list = dlsym(handle, "C_GetFunctionList");
	rv = get_list != NULL ? get_list(&real) : CKR_GENERAL_ERROR;
	note("load", started, rv);
	if (rv != CKR_OK)
		return rv;
	timed = *real;
	timed.C_Initialize = timed_Initialize;
	timed.C_Finalize = timed_Finalize;
	timed.C_GetInfo = timed_GetInfo;
	timed.C_GetSlotList = timed_GetSlotList;
	timed.C_GetSlotInfo = timed_GetSlotInfo;
	timed.C_GetTokenInfo = timed_GetTokenInfo;
	timed.C_GetMechanismList = timed_GetMechanismList;
	timed.C_GetMechanismInfo = timed_GetMechanismInfo;
	timed.C_OpenSession = timed_OpenSession;
	timed.C_CloseSession = timed_CloseSession;
	timed.C_CloseAllSessions = timed_CloseAllSessions;
	timed.C_GetSessionInfo = timed_GetSessionInfo;
	timed.C_Login = timed_Login;
	timed.C_Logout = timed_Logout;
	timed.C_FindObjectsInit = timed_FindObjectsInit;
	timed.C_FindObjects = timed_FindObjects;
	timed.C_FindObjectsFinal = timed_FindObjectsFinal;
	timed.C_GetAttributeValue = timed_GetAttributeValue;
	timed.C_SignInit = timed_SignInit;
	timed.C_Sign = timed_Sign;
	timed.C_SignUpdate = timed_SignUpdate;
	timed.C_SignFinal = timed_SignFinal;
	return CKR_OK;
}

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list)
{
	CK_RV rv = CKR_OK;

	if (list == NULL)
		return CKR_ARGUMENTS_BAD;
	if (real == NULL)
		rv = load_real();
	if (rv == CKR_OK)
		*list = &timed;
	return rv;
}
