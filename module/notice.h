/*
 * Telling the person what the Trezor waits for, wherever they are:
 *
 *   a terminal    a line on stderr, when stderr is a terminal;
 *   SSH_ASKPASS   else, as OpenSSH tells FIDO users to touch their key: the
 *                 program $SSH_ASKPASS, run with SSH_ASKPASS_PROMPT=none and
 *                 the text as its argument, where it can show it (DISPLAY or
 *                 WAYLAND_DISPLAY is set, or SSH_ASKPASS_REQUIRE=force);
 *   the desktop   else, the desktop's notification service
 *                 (org.freedesktop.Notifications on the session bus, through
 *                 libsystemd's sd-bus).
 *
 * The notice goes away when the wait ends. A desktop that is not there, or
 * does not answer within half a second, costs that and nothing else: the
 * signature goes on. TREZOR_PKCS11_NOTICE=off leaves only the terminal's
 * line; =on shows the notice through SSH_ASKPASS or the desktop even when
 * there is a terminal too (auto, the default, is the order above).
 */
#ifndef TREZOR_PKCS11_NOTICE_H
#define TREZOR_PKCS11_NOTICE_H

#include <stdint.h>
#include <sys/types.h>

struct notice {
	pid_t askpass;                  /* the askpass showing it, or 0 */
	void *bus;                      /* the session bus of a desktop notice, or NULL */
	uint32_t desktop_id;            /* the desktop notice, or 0 */
};

/*
 * Show `text` (one line), replacing what the notice showed before; away
 * from the terminal it says which program asks ("ssh-agent: ...").
 */
void notice_show(struct notice *notice, const char *program, const char *text);

/* The wait is over: take the notice away. */
void notice_close(struct notice *notice);

#endif
