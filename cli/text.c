/* Text from a device, made safe to print. See cli.h. */
#include "config.h"

#include <string.h>

#include "cli.h"
#include "slot.h"

void cli_printable(const char *text, char *out, size_t size)
{
	CK_UTF8CHAR field[256];
	size_t length = sizeof(field);

	/* The module's own rule for token texts: well-formed UTF-8, no controls. */
	pad_utf8_field(field, sizeof(field), text);
	while (length > 0 && field[length - 1] == ' ')
		length--;
	if (size == 0)
		return;
	if (length > size - 1)
		length = size - 1;
	memcpy(out, field, length);
	out[length] = '\0';
}
