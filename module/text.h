/*
 * Text that comes from outside (a device's label or Failure message, a
 * path from the environment or from Bridge) made safe to show on one line:
 * well-formed UTF-8, and nothing a terminal or a log reader could take for
 * something else.
 */
#ifndef TREZOR_PKCS11_TEXT_H
#define TREZOR_PKCS11_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The character at `text` (at most `available` bytes): how many bytes it
 * takes (1 for a byte that starts no well-formed UTF-8 sequence), and in
 * *shown whether it may be shown as it is: well-formed (no overlong form,
 * no surrogate, nothing past U+10FFFF) and not a control character (C0,
 * DEL, C1), a line or paragraph separator, or a bidi override or isolate.
 */
size_t text_next_character(const unsigned char *text, size_t available, bool *shown);

/*
 * Copy text (NULL is "") into a buffer of `size` bytes, each character
 * that may not be shown as one "?", cut between characters to fit. False
 * when it was cut.
 */
bool text_copy_shown(char *buffer, size_t size, const char *text);

#endif
