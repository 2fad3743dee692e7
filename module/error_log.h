/*
 * Where the module's one-line errors go when no terminal shows them (a
 * program started by the desktop, ssh-agent, git in an IDE): to the
 * journal (SYSLOG_IDENTIFIER=trezor-pkcs11), else to syslog (/dev/log) as
 * "trezor-pkcs11[PID]", as OpenSSH's own daemons log, and to a short file
 * of this user's recent errors that `trezor-pkcs11 doctor` shows:
 * ${XDG_CACHE_HOME:-$HOME/.cache}/trezor-pkcs11/errors, mode 0600, one line
 * each, "YYYY-MM-DD HH:MM:SS PROGRAM: message", the newest last, at most
 * about ERROR_LOG_KEEP lines. A line never holds a secret (log.h).
 */
#ifndef TREZOR_PKCS11_ERROR_LOG_H
#define TREZOR_PKCS11_ERROR_LOG_H

#include <stdbool.h>
#include <stddef.h>

#define ERROR_LOG_KEEP 50
#define ERROR_LOG_LINE_MAX 1200

/* Have log_error (log.h) send its lines here when stderr is no terminal. */
void error_log_install(const char *program);

/* Send one line now (what log_error does away from a terminal). */
void error_log_write(const char *program, const char *message);

/* The line, added to the file of recent errors alone (error_log_write does it too). */
void error_log_to_file(const char *program, const char *message);

/* The syslog datagram for the message, sent to the socket at `path` (tests). */
bool error_log_syslog(const char *path, const char *message);

/*
 * The last `room` lines of the user's file of recent errors, oldest first,
 * into lines[] (each ERROR_LOG_LINE_MAX); returns how many.
 */
size_t error_log_recent(char (*lines)[ERROR_LOG_LINE_MAX], size_t room);

/* The file's path; false without a home. */
bool error_log_path(char *path, size_t size);

#endif
