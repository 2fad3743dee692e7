/* Text from outside, safe to show. See text.h. */
#include "config.h"

#include "text.h"

#include <stdint.h>
#include <string.h>

/*
 * Characters a terminal or log reader may take for something else: C0
 * controls and DEL, the C1 controls (0x9b is CSI, like ESC [), the line and
 * paragraph separators, and the bidi overrides and isolates that reorder
 * what is shown.
 */
static bool is_deceptive(uint32_t code)
{
	return code < 0x20 || (code >= 0x7f && code <= 0x9f) ||
	       (code >= 0x2028 && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069);
}

size_t text_next_character(const unsigned char *text, size_t available, bool *shown)
{
	static const uint32_t smallest[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t length, i;
	uint32_t code;

	*shown = false;
	if (text[0] < 0x80) {
		*shown = !is_deceptive(text[0]);
		return 1;
	}
	if (text[0] >= 0xc2 && text[0] <= 0xdf)
		length = 2;
	else if (text[0] >= 0xe0 && text[0] <= 0xef)
		length = 3;
	else if (text[0] >= 0xf0 && text[0] <= 0xf4)
		length = 4;
	else
		return 1;
	if (available < length)
		return 1;
	code = text[0] & (0x7f >> length);
	for (i = 1; i < length; i++) {
		if ((text[i] & 0xc0) != 0x80)
			return 1;
		code = code << 6 | (text[i] & 0x3f);
	}
	if (code < smallest[length] || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
		return 1;
	*shown = !is_deceptive(code);
	return length;
}

bool text_copy_shown(char *buffer, size_t size, const char *text)
{
	const unsigned char *in = (const unsigned char *)(text != NULL ? text : "");
	size_t length = strlen((const char *)in), read = 0, written = 0, taken;
	bool shown;

	if (size == 0)
		return length == 0;
	while (read < length) {
		taken = text_next_character(in + read, length - read, &shown);
		if (written + (shown ? taken : 1) > size - 1)
			break;
		if (shown)
			memcpy(buffer + written, in + read, taken);
		else
			buffer[written] = '?';
		written += shown ? taken : 1;
		read += taken;
	}
	buffer[written] = '\0';
	return read == length;
}
