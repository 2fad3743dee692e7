/* Initialisation, the global lock, fork detection. See module.h. */
#include "config.h"

#include "module.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "discovery.h"
#include "error_log.h"
#include "lock.h"
#include "log.h"
#include "session.h"
#include "slot.h"
#include "token.h"
#include "usb.h"

#define PROGRAM_MAX 64

static struct {
	atomic_bool initialized;
	atomic_bool finalizing;
	atomic_bool cancel;             /* device waits end when raised */
	atomic_int callers;             /* calls between enter and leave */
	pid_t pid;
	struct lock *lock;
	char program[PROGRAM_MAX];
} state;

/* C_Initialize and C_Finalize themselves, against each other. */
static pthread_mutex_t life_guard = PTHREAD_MUTEX_INITIALIZER;

static void read_comm(pid_t pid, char *name, size_t size)
{
	char path[64];
	FILE *file;

	name[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%ld/comm", (long)pid);
	file = fopen(path, "re");
	if (file == NULL)
		return;
	if (fgets(name, (int)size, file) == NULL)
		name[0] = '\0';
	fclose(file);
	name[strcspn(name, "\n")] = '\0';
}

/* ssh-agent signs through its helper; the person knows the agent. */
static void find_program(void)
{
	read_comm(getpid(), state.program, sizeof(state.program));
	if (strncmp(state.program, "ssh-pkcs11-help", 15) == 0)
		read_comm(getppid(), state.program, sizeof(state.program));
	if (state.program[0] == '\0')
		snprintf(state.program, sizeof(state.program), "a program");
}

/* After fork(): the child drops the parent's state without touching locks
 * another thread may have held, and without talking to any device. */
static void forget_parent_state(void)
{
	sessions_free();
	slots_forget();
	token_free();
	discovery_reset();
	usb_forget();           /* a libusb context does not survive fork() */
	state.lock = NULL;
	atomic_store(&state.initialized, false);
	atomic_store(&state.finalizing, false);
	atomic_store(&state.callers, 0);
}

static CK_RV check_init_args(const CK_C_INITIALIZE_ARGS *args)
{
	if (args != NULL && args->pReserved != NULL) {
		log_error("C_Initialize: pReserved must be NULL "
			  "(is x-init-reserved set in a p11-kit module config?)");
		return CKR_ARGUMENTS_BAD;
	}
	/*
	 * CKF_LIBRARY_CANT_CREATE_OS_THREADS is accepted and not honoured, on
	 * purpose. The module starts no thread, but libusb_init() starts one of
	 * libusb's own (its device monitor), and USB is how a Trezor is
	 * reached. The standard's answer would be CKR_NEED_TO_CREATE_THREADS;
	 * but GnuTLS 3.8.11 (and Debian 12's) passes this flag on every
	 * C_Initialize and gives up on that answer, and turning USB off instead
	 * would hide every USB Trezor from p11tool and the other GnuTLS programs.
	 */
	return lock_configure(args);
}

CK_RV module_initialize(CK_VOID_PTR init_args)
{
	CK_RV rv;

	pthread_mutex_lock(&life_guard);
	if (atomic_load(&state.initialized) && state.pid != getpid())
		forget_parent_state();
	if (atomic_load(&state.initialized)) {
		pthread_mutex_unlock(&life_guard);
		return CKR_CRYPTOKI_ALREADY_INITIALIZED;
	}
	rv = check_init_args(init_args);
	if (rv == CKR_OK)
		rv = lock_new(&state.lock);
	if (rv == CKR_OK) {
		state.pid = getpid();
		atomic_store(&state.cancel, false);
		atomic_store(&state.finalizing, false);
		atomic_store(&state.callers, 0);
		find_program();
		error_log_install(state.program);
		atomic_store(&state.initialized, true);
	}
	pthread_mutex_unlock(&life_guard);
	return rv;
}

static bool usable_here(void)
{
	return atomic_load(&state.initialized) && !atomic_load(&state.finalizing) &&
	       state.pid == getpid();
}

CK_RV module_enter(void)
{
	atomic_fetch_add(&state.callers, 1);
	if (!usable_here()) {
		atomic_fetch_sub(&state.callers, 1);
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	}
	lock_acquire(state.lock);
	if (atomic_load(&state.finalizing)) {
		lock_release(state.lock);
		atomic_fetch_sub(&state.callers, 1);
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	}
	return CKR_OK;
}

void module_leave(void)
{
	lock_release(state.lock);
	atomic_fetch_sub(&state.callers, 1);
}

void module_suspend(void)
{
	lock_release(state.lock);
}

CK_RV module_resume(void)
{
	lock_acquire(state.lock);
	return atomic_load(&state.finalizing) ? CKR_CRYPTOKI_NOT_INITIALIZED : CKR_OK;
}

const atomic_bool *module_cancel_flag(void)
{
	return &state.cancel;
}

const char *module_program(void)
{
	return state.program;
}

/* Wait for the calls in progress to leave; device waits end within ~100 ms. */
static void wait_for_callers(void)
{
	struct timespec pause = { 0, 5 * 1000 * 1000 };

	while (atomic_load(&state.callers) > 0)
		nanosleep(&pause, NULL);
}

CK_RV module_finalize(CK_VOID_PTR reserved_arg)
{
	if (reserved_arg != NULL)
		return CKR_ARGUMENTS_BAD;
	pthread_mutex_lock(&life_guard);
	if (!usable_here()) {
		pthread_mutex_unlock(&life_guard);
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	}
	lock_acquire(state.lock);
	atomic_store(&state.finalizing, true);
	atomic_store(&state.cancel, true);
	lock_release(state.lock);
	wait_for_callers();

	lock_acquire(state.lock);
	sessions_free();
	token_save_all();
	slots_free();
	token_free();
	discovery_reset();
	usb_shutdown();
	lock_release(state.lock);
	lock_free(state.lock);
	state.lock = NULL;
	atomic_store(&state.initialized, false);
	atomic_store(&state.finalizing, false);
	pthread_mutex_unlock(&life_guard);
	return CKR_OK;
}
