/*
 * Messages on stderr, never stdout: in ssh, stdout carries the session's
 * data (scp, sftp, git); in ssh-agent's helper it is the agent's channel.
 *
 * log_error: one line a person reads, prefixed "trezor-pkcs11: "; away
 *            from a terminal it goes to the sink too (log_set_sink).
 * log_debug: only when TREZOR_PKCS11_DEBUG is set to 1 or more.
 * log_notice: a line for a person watching a terminal, without prefix; it
 *            is not written at all when stderr is not a terminal.
 * Never pass a secret (PIN, passphrase) to any of them.
 */
#ifndef TREZOR_PKCS11_LOG_H
#define TREZOR_PKCS11_LOG_H

#include <stdbool.h>

void log_error(const char *format, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *format, ...) __attribute__((format(printf, 1, 2)));
void log_notice(const char *format, ...) __attribute__((format(printf, 1, 2)));

/*
 * For the trezor-pkcs11 command's doctor, which explains problems itself:
 * while quiet, log_error and log_notice write nothing.
 */
void log_set_quiet(bool quiet);

/*
 * Where log_error also sends its message (without the prefix) when stderr
 * is not a terminal, so that it reaches a person some other way (the
 * module's journal and recent-errors file: error_log.h). NULL: nowhere.
 */
void log_set_sink(void (*sink)(const char *message));

/* True when stderr is a terminal a person may be watching. */
bool log_stderr_is_terminal(void);

#endif
