/*
 * Taking turns with a device that answers whoever wrote to it last: the
 * Trezor emulator (and the simulator) on UDP. Two programs that talk to it
 * at once take each other's answers: B's GetFeatures in the middle of A's
 * signature gets A's SignedIdentity, and A hears nothing. USB needs none of
 * this (a program claims the device for itself).
 *
 * So the user's programs share a lock file per device path, and each holds
 * it (flock) for a whole conversation: a request with its button presses,
 * PIN and passphrase. A second program waits its turn.
 *
 * The file also names the session the last conversation left active on
 * the device: a program whose session is another one resumes its own first
 * (the device has one active session for everyone: after B's Initialize,
 * A's next request would otherwise run in B's wallet).
 *
 * ${XDG_RUNTIME_DIR}/trezor-pkcs11/, else the cache directory
 * (cache_files.h); the file is DEVICE-PATH-IN-HEX.lock, mode 0600.
 */
#ifndef TREZOR_PKCS11_SHARED_LOCK_H
#define TREZOR_PKCS11_SHARED_LOCK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHARED_LOCK_SESSION_MAX 64

struct shared_lock;

enum shared_lock_result {
	SHARED_LOCK_TAKEN,
	SHARED_LOCK_BUSY,               /* another program kept it past the wait */
	SHARED_LOCK_CANCELLED,          /* cancel was raised while waiting */
};

/* The lock of this device path; NULL when there is nowhere to keep it. */
struct shared_lock *shared_lock_open(const char *device_path);

/* Wait up to wait_ms (0: do not wait) for our turn; cancel may be NULL. */
enum shared_lock_result shared_lock_take(struct shared_lock *lock, int wait_ms,
					 const atomic_bool *cancel);
void shared_lock_give(struct shared_lock *lock);

/* While taken: is `id` the session the last conversation left active? */
bool shared_lock_session_is(struct shared_lock *lock, const uint8_t *id, size_t length);

/* While taken: note `id` as the session left active now. */
void shared_lock_note_session(struct shared_lock *lock, const uint8_t *id, size_t length);

/* Close this process's descriptor (C_Finalize, and after fork()). */
void shared_lock_close(struct shared_lock *lock);

#endif
