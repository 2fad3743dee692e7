/* trezor-sim's switches. See sim_options.h. */
#include "config.h"

#include "sim_options.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

void sim_options_usage(FILE *out)
{
	fprintf(out,
		"usage: trezor-sim [--port N] [--mnemonic \"words\"] [--label L]\n"
		"                  [--model 1|T|\"Safe 3\"|\"Safe 5\"|\"Safe 7\"] [--device-id ID]\n"
		"                  [--firmware-version X.Y.Z]\n"
		"                  [--decline] [--decline-after N] [--confirm-delay MS]\n"
		"                  [--pin PIN] [--device-pin PIN] [--matrix-seed N]\n"
		"                  [--passphrase-protection] [--device-passphrase P]\n"
		"                  [--sign-delay MS] [--derive-delay MS] [--seed-delay MS]\n"
		"                  [--auto-lock-delay MS]\n"
		"                  [--debuglink [--buttons person|debuglink]]\n"
		"                  [--bootloader] [--uninitialized]\n"
		"                  [--fault MODE [--fault-after N] [--fault-for N]]\n"
		"                  [--thp-secret WORD] [--thp-credential-counter N] [-v]\n"
		"A Trezor simulator on 127.0.0.1, UDP (--port 0 picks a free port), playing the\n"
		"firmware's state machine: Trezor One 1.14.2, core models (T, Safe 3, Safe 5)\n"
		"2.12.5 unless --firmware-version says otherwise.\n"
		"  --pin PIN          the device has this PIN: a Trezor One asks for it with its\n"
		"                     scrambled grid (--matrix-seed fixes the grid); a core model\n"
		"                     asks on its screen at power-on, before it answers anything\n"
		"  --device-pin PIN   what the person types on a core model's screen (default: the\n"
		"                     right PIN, --pin); another value plays a wrong PIN\n"
		"  --seed-delay MS    a new session's seed takes this long (PBKDF2, \"Waking up\")\n"
		"  -v                 log each message; -v -v each datagram too (<< PINGPING,\n"
		"                     >> PONGPONG, << report, >> report)\n"
		"  --auto-lock-delay MS  it locks itself after this long with nothing to do\n"
		"                     (default 10 minutes)\n"
		"  --debuglink        a debug build: a debug link on UDP port + 1 (DebugLinkGetState,\n"
		"                     DebugLinkDecision); core models' Failures carry the firmware's\n"
		"                     own exception texts instead of \"Firmware error\"\n"
		"  --buttons debuglink  only DebugLinkDecision presses buttons and types on the\n"
		"                     screen (default person: at once, or after --confirm-delay)\n"
		"  --thp-secret WORD  a Safe 7's device secret comes from WORD instead of its id:\n"
		"                     another WORD is the same device wiped (new THP keys)\n"
		"  --thp-credential-counter N  a Safe 7 that forgot all its hosts N times: the\n"
		"                     credentials it issued before are refused\n"
		"  SIGUSR1            restart: every session ends, a device with a PIN locks\n"
		"A Safe 7 speaks only THP; it prints \"pairing code: NNNNNN\" on stderr when it\n"
		"shows its pairing code.\n"
		"Faults (a broken device; HACKING, The simulator, says which occasions each spoils):\n"
		"  garbage          a report without the codec's magic instead of each message\n"
		"  bad-magic        the second report of a message lacks its '?'\n"
		"  huge-length      the header declares 4 GiB - 1 bytes (0xFFFFFFFF)\n"
		"  silence          no answer to any message (PINGPING is still answered)\n"
		"  disconnect       the first report of a message, then nothing at all\n"
		"  wrong-type       Success for a PublicKey, PublicKey for a SignedIdentity\n"
		"  off-curve        public keys (PublicKey, SignedIdentity) not on P-256;\n"
		"                   Ed25519 keys of small order (the identity point)\n"
		"  long-failure     a Failure with KiB of text, newlines and control characters\n"
		"  sig-length       a 64-byte signature (no 00 in front)\n"
		"  sig-r-zero, sig-s-zero    r or s is 0\n"
		"  sig-r-high, sig-s-high    r or s is n, the group order\n"
		"  sig-other-key    signed by another key; public_key is the right one\n"
		"  other-key        signed by another key, and public_key names it\n"
		"  endless-buttons  a ButtonRequest after every ButtonAck\n"
		"  thp-bad-crc      (Safe 7) a message with a wrong CRC\n"
		"  thp-bad-tag      (Safe 7) an encrypted message whose tag does not verify\n"
		"  thp-wrong-channel  (Safe 7) a message on another channel than the host's\n"
		"  thp-no-ack       (Safe 7) a host message neither ACKed nor read\n"
		"  thp-busy         (Safe 7) TRANSPORT_BUSY for a host message\n"
		"  thp-unallocated  (Safe 7) UNALLOCATED_CHANNEL for a host message\n"
		"  thp-bad-nonce    (Safe 7) a channel allocated with another host's nonce\n"
		"  thp-endless-handshake  (Safe 7) the handshake's request ACKed, never answered\n"
		"  thp-bad-secret   (Safe 7) pairing reveals a secret that fits no commitment\n"
		"  --fault-after N  the first N occasions are served well\n"
		"  --fault-for N    only N occasions are spoilt, then the device is healthy\n");
}

static bool parse_number(const char *text, long max, int *number)
{
	char *end;
	long value;

	if (*text < '0' || *text > '9')
		return false;
	value = strtol(text, &end, 10);
	if (*end != '\0' || value < 0 || value > max)
		return false;
	*number = (int)value;
	return true;
}

/* A Trezor PIN: 1 to 50 digits from 1 to 9 (the matrix has no 0). */
static bool valid_pin(const char *pin)
{
	size_t length = strlen(pin);

	if (length == 0 || length > SIM_PIN_MAX || strspn(pin, "123456789") != length) {
		fprintf(stderr, "trezor-sim: a PIN is 1 to %d digits from 1 to 9\n", SIM_PIN_MAX);
		return false;
	}
	return true;
}

/* "1.14.2" -> { 1, 14, 2 }; each part 0 to 255, and not all 0. */
static bool parse_version(const char *text, unsigned version[3])
{
	char *end;
	long part;
	int i;

	for (i = 0; i < 3; i++) {
		if (*text < '0' || *text > '9')
			return false;
		part = strtol(text, &end, 10);
		if (part > 255 || *end != (i < 2 ? '.' : '\0'))
			return false;
		version[i] = (unsigned)part;
		text = end + 1;
	}
	return (version[0] | version[1] | version[2]) != 0;
}

static bool parse_delay(const char *text, int *delay)
{
	if (parse_number(text, 3600000, delay))
		return true;
	fprintf(stderr, "trezor-sim: bad delay \"%s\"\n", text);
	return false;
}

static bool parse_count(const char *text, int *count)
{
	if (parse_number(text, 1000000, count))
		return true;
	fprintf(stderr, "trezor-sim: bad count \"%s\"\n", text);
	return false;
}

static const struct option long_options[] = {
	{ "port", required_argument, NULL, 'p' },
	{ "mnemonic", required_argument, NULL, 'm' },
	{ "label", required_argument, NULL, 'l' },
	{ "model", required_argument, NULL, 'M' },
	{ "device-id", required_argument, NULL, 'i' },
	{ "firmware-version", required_argument, NULL, 'V' },
	{ "decline", no_argument, NULL, 'd' },
	{ "confirm-delay", required_argument, NULL, 'c' },
	{ "decline-after", required_argument, NULL, 'D' },
	{ "pin", required_argument, NULL, 'P' },
	{ "device-pin", required_argument, NULL, 'Q' },
	{ "matrix-seed", required_argument, NULL, 'S' },
	{ "passphrase-protection", no_argument, NULL, 'A' },
	{ "device-passphrase", required_argument, NULL, 'E' },
	{ "sign-delay", required_argument, NULL, 's' },
	{ "derive-delay", required_argument, NULL, 'k' },
	{ "seed-delay", required_argument, NULL, 'w' },
	{ "auto-lock-delay", required_argument, NULL, 'a' },
	{ "debuglink", no_argument, NULL, 'L' },
	{ "buttons", required_argument, NULL, 'B' },
	{ "bootloader", no_argument, NULL, 'b' },
	{ "uninitialized", no_argument, NULL, 'u' },
	{ "fault", required_argument, NULL, 'f' },
	{ "fault-after", required_argument, NULL, 'F' },
	{ "fault-for", required_argument, NULL, 'n' },
	{ "thp-secret", required_argument, NULL, 'T' },
	{ "thp-credential-counter", required_argument, NULL, 'C' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* The switches that describe the device; false on a bad value. */
static bool device_option(int c, struct sim_options *options)
{
	int seed;

	switch (c) {
	case 'm': options->mnemonic = optarg; return true;
	case 'l': options->label = optarg; return true;
	case 'i': options->device_id = optarg; return true;
	case 'M':
		if (sim_model_from_name(optarg, &options->model))
			return true;
		fprintf(stderr, "trezor-sim: unknown model \"%s\" "
			"(1, T, \"Safe 3\", \"Safe 5\" or \"Safe 7\")\n", optarg);
		return false;
	case 'V':
		if (parse_version(optarg, options->version))
			return true;
		fprintf(stderr, "trezor-sim: bad firmware version \"%s\" (X.Y.Z)\n", optarg);
		return false;
	case 'P':
		options->pin = optarg;
		return valid_pin(optarg);
	case 'Q': options->device_pin = optarg; return true;
	case 'S':
		if (!parse_number(optarg, 0x7fffffff, &seed)) {
			fprintf(stderr, "trezor-sim: bad seed \"%s\"\n", optarg);
			return false;
		}
		options->matrix_seed = (unsigned)seed;
		options->matrix_seed_set = true;
		return true;
	case 'A': options->passphrase_protection = true; return true;
	case 'E': options->device_passphrase = optarg; return true;
	case 'b': options->bootloader = true; return true;
	case 'u': options->uninitialized = true; return true;
	case 'T': options->thp_secret = optarg; return true;
	case 'C': return parse_count(optarg, &options->thp_credential_counter);
	default: return false;
	}
}

/* The person, the timing, the debug link and the faults; false on a bad value. */
static bool behaviour_option(int c, struct sim_options *options)
{
	switch (c) {
	case 'd': options->decline = true; return true;
	case 'c': return parse_delay(optarg, &options->confirm_delay_ms);
	case 'D': return parse_count(optarg, &options->decline_after);
	case 's': return parse_delay(optarg, &options->sign_delay_ms);
	case 'k': return parse_delay(optarg, &options->derive_delay_ms);
	case 'w': return parse_delay(optarg, &options->seed_delay_ms);
	case 'a':
		if (parse_delay(optarg, &options->auto_lock_delay_ms) &&
		    options->auto_lock_delay_ms > 0)
			return true;
		fprintf(stderr, "trezor-sim: the auto-lock delay is at least 1 ms\n");
		return false;
	case 'L': options->debuglink = true; return true;
	case 'B':
		if (strcmp(optarg, "person") == 0 || strcmp(optarg, "debuglink") == 0) {
			options->buttons = optarg[0] == 'p' ? SIM_BUTTONS_PERSON
							    : SIM_BUTTONS_DEBUGLINK;
			return true;
		}
		fprintf(stderr, "trezor-sim: --buttons is person or debuglink\n");
		return false;
	case 'f':
		if (sim_fault_from_name(optarg, &options->fault))
			return true;
		fprintf(stderr, "trezor-sim: unknown fault \"%s\" (%s)\n", optarg,
			sim_fault_names());
		return false;
	case 'F': return parse_count(optarg, &options->fault_after);
	case 'n':
		if (parse_count(optarg, &options->fault_for) && options->fault_for > 0)
			return true;
		fprintf(stderr, "trezor-sim: bad count \"%s\"\n", optarg);
		return false;
	case 'v': options->verbose++; return true;
	default: return device_option(c, options);
	}
}

/* Switches that only make sense together. */
static bool consistent(const struct sim_options *options)
{
	if (options->device_pin != NULL && options->pin == NULL) {
		fprintf(stderr, "trezor-sim: --device-pin needs --pin\n");
		return false;
	}
	if ((options->fault_after > 0 || options->fault_for > 0) &&
	    options->fault == SIM_FAULT_NONE) {
		fprintf(stderr, "trezor-sim: --fault-after and --fault-for need --fault\n");
		return false;
	}
	if (options->buttons == SIM_BUTTONS_DEBUGLINK && !options->debuglink) {
		fprintf(stderr, "trezor-sim: --buttons debuglink needs --debuglink\n");
		return false;
	}
	return true;
}

int sim_options_parse(int argc, char **argv, struct sim_options *options, int *port)
{
	int c;

	while ((c = getopt_long(argc, argv, "vh", long_options, NULL)) != -1) {
		if (c == 'h') {
			sim_options_usage(stdout);
			return 1;
		}
		if (c == 'p') {
			if (!parse_number(optarg, 65534, port)) {
				fprintf(stderr, "trezor-sim: bad port \"%s\"\n", optarg);
				return 2;
			}
			continue;
		}
		if (c == '?') {
			sim_options_usage(stderr);
			return 2;
		}
		if (!behaviour_option(c, options))
			return 2;
	}
	if (optind != argc) {
		sim_options_usage(stderr);
		return 2;
	}
	return consistent(options) ? 0 : 2;
}
