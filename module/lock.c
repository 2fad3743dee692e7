/* Mutexes: the application's or pthreads. See lock.h. */
#include "config.h"

#include "lock.h"

#include <pthread.h>
#include <stdlib.h>

#include "log.h"

struct lock {
	void *handle;   /* the application's mutex, or a pthread_mutex_t */
};

/* The application's callbacks, when we must use them. */
static CK_CREATEMUTEX app_create;
static CK_DESTROYMUTEX app_destroy;
static CK_LOCKMUTEX app_lock;
static CK_UNLOCKMUTEX app_unlock;

CK_RV lock_configure(const CK_C_INITIALIZE_ARGS *args)
{
	int supplied;

	app_create = NULL;
	app_destroy = NULL;
	app_lock = NULL;
	app_unlock = NULL;
	if (args == NULL)
		return CKR_OK;
	supplied = (args->CreateMutex != NULL) + (args->DestroyMutex != NULL) +
		   (args->LockMutex != NULL) + (args->UnlockMutex != NULL);
	if (supplied != 0 && supplied != 4) {
		log_error("C_Initialize: give all four mutex functions or none");
		return CKR_ARGUMENTS_BAD;
	}
	/* With CKF_OS_LOCKING_OK we may choose, and pthreads need no callbacks. */
	if (supplied == 4 && !(args->flags & CKF_OS_LOCKING_OK)) {
		app_create = args->CreateMutex;
		app_destroy = args->DestroyMutex;
		app_lock = args->LockMutex;
		app_unlock = args->UnlockMutex;
	}
	return CKR_OK;
}

CK_RV lock_new(struct lock **out)
{
	struct lock *lock = calloc(1, sizeof(*lock));
	CK_RV rv = CKR_OK;

	*out = NULL;
	if (lock == NULL)
		return CKR_HOST_MEMORY;
	if (app_create != NULL) {
		rv = app_create(&lock->handle);
	} else {
		lock->handle = malloc(sizeof(pthread_mutex_t));
		if (lock->handle == NULL)
			rv = CKR_HOST_MEMORY;
		else if (pthread_mutex_init(lock->handle, NULL) != 0)
			rv = CKR_CANT_LOCK;
	}
	if (rv != CKR_OK) {
		if (app_create == NULL)
			free(lock->handle);
		free(lock);
		return rv;
	}
	*out = lock;
	return CKR_OK;
}

void lock_free(struct lock *lock)
{
	if (lock == NULL)
		return;
	if (app_destroy != NULL) {
		app_destroy(lock->handle);
	} else {
		pthread_mutex_destroy(lock->handle);
		free(lock->handle);
	}
	free(lock);
}

void lock_acquire(struct lock *lock)
{
	if (app_lock != NULL)
		app_lock(lock->handle);
	else
		pthread_mutex_lock(lock->handle);
}

void lock_release(struct lock *lock)
{
	if (app_unlock != NULL)
		app_unlock(lock->handle);
	else
		pthread_mutex_unlock(lock->handle);
}
