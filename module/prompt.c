/* PIN, passphrase and confirmation prompts. See prompt.h. */
#include "config.h"

#include "prompt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identities_file.h"
#include "log.h"
#include "pinentry.h"

static const char pin_description[] =
	"Your Trezor asks for its PIN and shows a grid of numbers.\n"
	"For each digit of your PIN, type its place in the grid, the way a number\n"
	"keypad is laid out:\n"
	"        7 8 9\n"
	"        4 5 6\n"
	"        1 2 3";

static const char code_description[] =
	"Your Trezor shows a one-time code of six digits, to pair it with\n"
	"trezor-pkcs11 on this computer. Type the code here. Pairing is done once:\n"
	"later programs connect without it.";

static const char passphrase_description[] =
	"Your Trezor asks for its passphrase. Each passphrase opens its own\n"
	"wallet, with its own keys; leave it empty for the standard wallet.";

static void notice_button(void *opaque, enum trezor_wait wait)
{
	struct prompt_context *context = opaque;
	const char *program = context->program != NULL ? context->program : "a program";
	char text[IDENTITIES_LABEL_MAX + 64];

	switch (wait) {
	case TREZOR_WAIT_PIN:
		snprintf(text, sizeof(text), "Enter your PIN on the Trezor");
		break;
	case TREZOR_WAIT_PASSPHRASE:
		snprintf(text, sizeof(text), "Enter your passphrase on the Trezor");
		break;
	case TREZOR_WAIT_HIDDEN_WALLET:
		/* Two presses: "Access hidden wallet?", then the passphrase shown. */
		snprintf(text, sizeof(text), context->hidden_wallet_asked++ % 2 == 0 ?
			 "Confirm on your Trezor: open the hidden wallet of this passphrase" :
			 "Confirm on your Trezor: the passphrase it shows is the one you meant");
		break;
	case TREZOR_WAIT_PAIRING:
		snprintf(text, sizeof(text), "Confirm on your Trezor: pair it with trezor-pkcs11 on "
			 "this computer");
		break;
	case TREZOR_WAIT_CONNECTION:
		snprintf(text, sizeof(text), "Confirm on your Trezor: let trezor-pkcs11 on this "
			 "computer connect");
		break;
	case TREZOR_WAIT_AUTOCONNECT:
		snprintf(text, sizeof(text), "Confirm on your Trezor to let trezor-pkcs11 connect "
			 "from now on without asking, or refuse to be asked at each new connection");
		break;
	case TREZOR_WAIT_CONFIRM:
		if (context->label != NULL)
			snprintf(text, sizeof(text), "Confirm on your Trezor: sign in as %s",
				 context->label);
		else
			snprintf(text, sizeof(text), "Confirm on your Trezor");
		break;
	}
	notice_show(&context->notice, program, text);
}

static enum trezor_status from_pinentry(enum pinentry_result result)
{
	switch (result) {
	case PINENTRY_OK: return TREZOR_OK;
	case PINENTRY_CANCELLED: return TREZOR_ERR_CANCELLED;
	default: return TREZOR_ERR_NEEDS_INPUT;
	}
}

static enum trezor_status ask_pin(void *opaque, char pin[TREZOR_PIN_MAX + 1], char *error,
				  size_t error_size)
{
	struct prompt_context *context = opaque;
	struct pinentry_request request = { "Trezor PIN", pin_description, "PIN:",
					    context->timeout_seconds };

	/* A PIN handed to C_Login is tried first, and only once. */
	if (context->login_pin[0] != '\0' && !context->login_pin_used) {
		context->login_pin_used = true;
		/* pkcs11-tool --login --pin 1234 means digits; the grid wants places. */
		log_error("the PIN given to C_Login goes to the Trezor One as places in its "
			  "scrambled grid (7 8 9 / 4 5 6 / 1 2 3), not as the PIN's digits: a wrong "
			  "one counts as a wrong PIN");
		snprintf(pin, TREZOR_PIN_MAX + 1, "%s", context->login_pin);
		return TREZOR_OK;
	}
	return from_pinentry(pinentry_ask(&request, pin, TREZOR_PIN_MAX + 1, error, error_size));
}

static enum trezor_status ask_passphrase(void *opaque, bool device_can,
					 char passphrase[TREZOR_PASSPHRASE_MAX + 1],
					 bool *on_device, char *error, size_t error_size)
{
	struct prompt_context *context = opaque;
	struct pinentry_request request = { "Trezor passphrase", passphrase_description,
					    "Trezor passphrase:", context->timeout_seconds };
	const char *given = getenv("TREZOR_PASSPHRASE");

	*on_device = false;
	if (given != NULL) {
		if (strlen(given) > TREZOR_PASSPHRASE_MAX) {
			snprintf(error, error_size, "TREZOR_PASSPHRASE is longer than %d bytes",
				 TREZOR_PASSPHRASE_MAX);
			return TREZOR_ERR_NEEDS_INPUT;
		}
		snprintf(passphrase, TREZOR_PASSPHRASE_MAX + 1, "%s", given);
		return TREZOR_OK;
	}
	if (device_can) {
		*on_device = true;
		return TREZOR_OK;
	}
	return from_pinentry(pinentry_ask(&request, passphrase, TREZOR_PASSPHRASE_MAX + 1, error,
					  error_size));
}

static enum trezor_status ask_code(void *opaque, char typed[TREZOR_CODE_TYPED_MAX + 1],
				   char *error, size_t error_size)
{
	struct prompt_context *context = opaque;
	struct pinentry_request request = { "Trezor pairing", code_description, "Code:",
					    context->timeout_seconds };

	return from_pinentry(pinentry_ask(&request, typed, TREZOR_CODE_TYPED_MAX + 1, error,
					  error_size));
}

int prompt_timeout_seconds(void)
{
	const char *text = getenv("TREZOR_PKCS11_CONFIRM_TIMEOUT");
	char *end;
	long seconds;

	if (text == NULL)
		return TREZOR_CONFIRM_TIMEOUT_MS / 1000;
	seconds = strtol(text, &end, 10);
	if (*text == '\0' || *end != '\0' || seconds < 1 || seconds > 3600) {
		log_error("TREZOR_PKCS11_CONFIRM_TIMEOUT must be 1 to 3600 seconds; using %d",
			  TREZOR_CONFIRM_TIMEOUT_MS / 1000);
		return TREZOR_CONFIRM_TIMEOUT_MS / 1000;
	}
	return (int)seconds;
}

void prompt_callbacks(struct trezor_prompts *prompts, struct prompt_context *context)
{
	prompts->context = context;
	prompts->button = notice_button;
	prompts->pin = ask_pin;
	prompts->passphrase = ask_passphrase;
	prompts->pairing_code = ask_code;
}

void prompt_clear(struct prompt_context *context)
{
	explicit_bzero(context->login_pin, sizeof(context->login_pin));
	notice_close(&context->notice);
}
