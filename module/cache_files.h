/*
 * The files trezor-pkcs11 keeps for a user between programs: the key cache
 * (cache.h) and the session ids (session_file.h), in
 * ${XDG_CACHE_HOME:-$HOME/.cache}/trezor-pkcs11/, a directory of mode 0700.
 *
 * Every file is read only when it is our own regular file that nobody else
 * may write, never through a symlink, and written whole to a temporary file
 * (mode 0600) that is then renamed over the old one, so that a reader never
 * sees half a file and two writers never mix their lines.
 */
#ifndef TREZOR_PKCS11_CACHE_FILES_H
#define TREZOR_PKCS11_CACHE_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Make a directory of mode 0700 if it is missing; false if it is not ours. */
bool cache_private_directory(const char *path);

/* ${XDG_CACHE_HOME:-$HOME/.cache}/trezor-pkcs11 (not created); false without a home. */
bool cache_directory_path(char *path, size_t size);

/*
 * The same directory, made (mode 0700) if missing, its mode left as it is:
 * false unless it is ours and nobody else may use it (`doctor` reports a
 * wrong mode; writing the key cache sets it right).
 */
bool cache_directory_private(char *path, size_t size);

/*
 * DIR/DEVICEID[-WALLET].SUFFIX, with anything unusual in the device id
 * hex-encoded; the directory is made first when `create`. False when there is
 * no home, the id is empty or too long, or the name does not fit.
 */
bool cache_file_path(const char *device_id, const char *wallet, const char *suffix,
		     bool create, char *path, size_t size);

/* cache_file_open's *problem when it returns NULL for a file that is there. */
#define CACHE_FILE_UNTRUSTED (-1)

/*
 * Open path for reading if it is our own private regular file. NULL with
 * *problem 0 when it does not exist; CACHE_FILE_UNTRUSTED when it is not to
 * be trusted (another owner, writable by others, a symlink, not a regular
 * file); an errno value when it cannot be opened.
 */
FILE *cache_file_open(const char *path, int *problem);

/* Write what produce() writes to path: a temporary file renamed over it. */
bool cache_file_replace(const char *path, bool (*produce)(FILE *file, const void *data),
			const void *data);

/*
 * Write what produce() writes to path unless path exists, whole or not at
 * all: false when it exists (another program was first) or on an error.
 */
bool cache_file_create(const char *path, bool (*produce)(FILE *file, const void *data),
		       const void *data);

/* length bytes from 2 * length lower-case hex digits; false on anything else. */
bool cache_parse_hex(const char *text, uint8_t *out, size_t length);

#endif
