/*
 * Fuzz target: C_FindObjectsInit and C_GetAttributeValue templates, through
 * the real module (trezor-pkcs11.so, loaded with dlopen as a program would).
 *
 * LLVMFuzzerInitialize starts the simulator (tests/sim/trezor-sim --port 0)
 * and gives the module a token with IDENTITIES identities, from a private
 * temporary directory (identities file, key cache); all of it goes at exit.
 * The module is $TREZOR_PKCS11_MODULE, else the one built beside this
 * program; the simulator $TREZOR_SIM, likewise.
 *
 * Input, decoded into what a conforming caller passes:
 *   byte 0   bit 0: search with the template; bit 1: read the template from
 *            the handles below; bit 2: an empty template is NULL rather than
 *            a real array; bit 3: read through a session handle that is not
 *            open; bits 4-6: room for C_FindObjects (1 to 8)
 *   byte 1   attributes in the template (% (ATTRIBUTES_MAX + 1)), each:
 *              type: a byte, interesting_types[byte] when in range, else
 *                    the next 4 bytes (BE) as a raw type
 *              shape: a byte; bit 7: pValue NULL with ulValueLen the low
 *                    bits (127: CK_UNAVAILABLE_INFORMATION); else pValue is
 *                    a buffer of exactly ulValueLen = the next byte, filled
 *                    with the bytes after it
 *   then     handles to read (% (HANDLES_MAX + 1)), each a byte: 0 to
 *            2 * IDENTITIES the handle itself (0 is invalid), 255 the next
 *            8 bytes raw, others handles past the last object
 *
 * Checks: the search finds exactly the objects whose attributes, read one
 * at a time, equal the template; a read of valid objects answers with a
 * code C_GetAttributeValue may give and marks what it could not return; a
 * value is never longer than its buffer and equals the value read alone;
 * invalid handles and sessions get their error codes; nothing on stdout.
 */
#include "config.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"
#include "fuzz_formats.h"
#include "pkcs11_types.h"

#define IDENTITIES 4
#define OBJECTS (2 * IDENTITIES)
#define ATTRIBUTES_MAX 12
#define HANDLES_MAX 4
#define ROOM_MAX 8              /* the most C_FindObjects is asked for at once */
#define VALUE_MAX 512           /* longer than any attribute of the module */

static const CK_ATTRIBUTE_TYPE interesting_types[] = {
	CKA_CLASS, CKA_TOKEN, CKA_PRIVATE, CKA_LABEL, CKA_ID, CKA_KEY_TYPE, CKA_EC_PARAMS,
	CKA_EC_POINT, CKA_PUBLIC_KEY_INFO, CKA_SIGN, CKA_VERIFY, CKA_SENSITIVE,
	CKA_EXTRACTABLE, CKA_VALUE, CKA_ALLOWED_MECHANISMS, CKA_START_DATE, CKA_END_DATE,
	CKA_SUBJECT, CKA_MODIFIABLE, CKA_COPYABLE, CKA_DESTROYABLE, CKA_DERIVE, CKA_LOCAL,
	CKA_KEY_GEN_MECHANISM, CKA_ALWAYS_AUTHENTICATE, CKA_ALWAYS_SENSITIVE,
	CKA_NEVER_EXTRACTABLE, CKA_ENCRYPT, CKA_DECRYPT, CKA_WRAP, CKA_UNWRAP,
	CKA_SIGN_RECOVER, CKA_VERIFY_RECOVER, CKA_TRUSTED, CKA_WRAP_WITH_TRUSTED,
	CKA_MODULUS, CKA_VENDOR_DEFINED,
};
#define INTERESTING_TYPES (sizeof(interesting_types) / sizeof(interesting_types[0]))

/* The identities, in file order: handle 2i+1 is the public key of line i.
 * The last one (made by make_long_identity) is 264 bytes: its label is cut
 * at 255. */
#define LONG_IDENTITY_PREFIX "backup@nas.lan/"
#define LONG_IDENTITY_LENGTH 264
static char long_identity[LONG_IDENTITY_LENGTH + 1];
static const char *const identity_lines[IDENTITIES] = {
	"alice@example.com",
	"bob@example.org:2222",
	"git@[2001:db8::1]:22/repositories/project",
	long_identity,
};

static struct {
	char directory[512];
	pid_t simulator;
	void *library;
	CK_FUNCTION_LIST *p11;
	CK_SESSION_HANDLE session;
} world;

/* ---- the world: a simulator, a temporary directory, the module --------- */

static const char *program_path(const char *variable, const char *built)
{
	const char *path = getenv(variable);

	return path != NULL && path[0] != '\0' ? path : built;
}

static void write_file(const char *path, const char *text)
{
	FILE *file = fopen(path, "w");

	FUZZ_CHECK(file != NULL);
	FUZZ_CHECK(fputs(text, file) >= 0);
	FUZZ_CHECK(fclose(file) == 0);
}

static void make_long_identity(void)
{
	size_t prefix = strlen(LONG_IDENTITY_PREFIX);

	memcpy(long_identity, LONG_IDENTITY_PREFIX, prefix);
	memset(long_identity + prefix, 'n', LONG_IDENTITY_LENGTH - prefix);
	long_identity[LONG_IDENTITY_LENGTH] = '\0';
}

static void write_identities(const char *path)
{
	char text[2048] = "";
	int i;

	make_long_identity();
	for (i = 0; i < IDENTITIES; i++) {
		strcat(text, identity_lines[i]);
		strcat(text, "\n");
	}
	write_file(path, text);
}

/* In the child: the simulator, its stderr in log, killed when we die. */
static void exec_simulator(const char *log)
{
	const char *binary = program_path("TREZOR_SIM", FUZZ_SIM_PATH);
	int err = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600), null = open("/dev/null", O_RDWR);

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (err < 0 || null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(null, STDOUT_FILENO) < 0 ||
	    dup2(err, STDERR_FILENO) < 0)
		_exit(126);
	execl(binary, binary, "--port", "0", (char *)NULL);
	_exit(127);
}

static int listening_port(const char *log)
{
	char line[256];
	int port = 0;
	FILE *file = fopen(log, "r");

	if (file == NULL)
		return 0;
	while (port == 0 && fgets(line, sizeof(line), file) != NULL)
		if (sscanf(line, "listening on 127.0.0.1:%d", &port) != 1)
			port = 0;
	fclose(file);
	return port;
}

static int start_simulator(const char *log)
{
	struct timespec pause = { 0, 10 * 1000 * 1000 };
	int port = 0, tries;

	world.simulator = fork();
	FUZZ_CHECK(world.simulator >= 0);
	if (world.simulator == 0)
		exec_simulator(log);
	for (tries = 0; tries < 1000 && port == 0; tries++) {
		nanosleep(&pause, NULL);
		port = listening_port(log);
	}
	if (port == 0)
		fuzz_fail(__FILE__, __LINE__, "the simulator did not start (see %s)", log);
	return port;
}

static int remove_entry(const char *path, const struct stat *info, int flag, struct FTW *ftw)
{
	(void)info;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void tear_down(void)
{
	if (world.p11 != NULL)
		world.p11->C_Finalize(NULL);
	if (world.simulator > 0) {
		kill(world.simulator, SIGKILL);
		waitpid(world.simulator, NULL, 0);
	}
	if (world.directory[0] != '\0')
		nftw(world.directory, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void load_module(void)
{
	const char *path = program_path("TREZOR_PKCS11_MODULE", FUZZ_MODULE_PATH);
	CK_RV (*get_function_list)(CK_FUNCTION_LIST_PTR_PTR);
	CK_SLOT_ID slot;
	CK_ULONG slots = 1;

	world.library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (world.library == NULL)
		fuzz_fail(__FILE__, __LINE__, "dlopen: %s", dlerror());
	*(void **)&get_function_list = dlsym(world.library, "C_GetFunctionList");
	FUZZ_CHECK(get_function_list != NULL);
	FUZZ_CHECK(get_function_list(&world.p11) == CKR_OK);
	FUZZ_CHECK(world.p11->C_Initialize(NULL) == CKR_OK);
	FUZZ_CHECK(world.p11->C_GetSlotList(CK_TRUE, &slot, &slots) == CKR_OK && slots == 1);
	FUZZ_CHECK(world.p11->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL,
					    &world.session) == CKR_OK);
}

/* The token holds every identity: a search for anything finds them all. */
static void check_token(void)
{
	CK_OBJECT_HANDLE found[OBJECTS + 1];
	CK_ULONG got = 0;

	FUZZ_CHECK(world.p11->C_FindObjectsInit(world.session, NULL, 0) == CKR_OK);
	FUZZ_CHECK(world.p11->C_FindObjects(world.session, found, OBJECTS + 1, &got) == CKR_OK);
	FUZZ_CHECK(world.p11->C_FindObjectsFinal(world.session) == CKR_OK);
	if (got != OBJECTS)
		fuzz_fail(__FILE__, __LINE__, "the token holds %lu objects, not %d", got, OBJECTS);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp";
	char path[600], device[64];

	(void)argc;
	(void)argv;
	fuzz_setup();
	snprintf(world.directory, sizeof(world.directory), "%s/trezor-fuzz-XXXXXX", tmp);
	FUZZ_CHECK(mkdtemp(world.directory) != NULL);
	atexit(tear_down);

	snprintf(path, sizeof(path), "%s/identities", world.directory);
	write_identities(path);
	setenv("TREZOR_PKCS11_IDENTITIES", path, 1);
	snprintf(path, sizeof(path), "%s/cache", world.directory);
	FUZZ_CHECK(mkdir(path, 0700) == 0);
	setenv("XDG_CACHE_HOME", path, 1);
	unsetenv("TREZOR_PASSPHRASE");

	snprintf(path, sizeof(path), "%s/simulator.log", world.directory);
	snprintf(device, sizeof(device), "udp:127.0.0.1:%d", start_simulator(path));
	setenv("TREZOR_PATH", device, 1);
	load_module();
	check_token();
	return 0;
}

/* ---- the template, decoded from the input ---------------------------------- */

struct template {
	CK_ATTRIBUTE attributes[ATTRIBUTES_MAX];
	CK_ULONG length;
	bool null_when_empty;
};

static CK_ATTRIBUTE_TYPE take_type(struct fuzz_input *input)
{
	uint8_t selector = fuzz_take_byte(input);

	if (selector < INTERESTING_TYPES)
		return interesting_types[selector];
	return fuzz_take_u32(input);
}

/* A buffer of exactly `length` bytes, so that ASan sees any overrun. */
static void *exact_buffer(const uint8_t *bytes, CK_ULONG length)
{
	uint8_t *buffer = malloc(length);

	FUZZ_CHECK(buffer != NULL || length == 0);
	if (length > 0)
		memcpy(buffer, bytes, length);
	return buffer;
}

static void take_attribute(struct fuzz_input *input, CK_ATTRIBUTE *attribute)
{
	uint8_t shape, filling[256] = { 0 };
	const uint8_t *bytes;
	size_t taken;

	attribute->type = take_type(input);
	shape = fuzz_take_byte(input);
	if (shape & PKCS11_NULL_VALUE) {
		attribute->pValue = NULL;
		attribute->ulValueLen = (shape & 0x7f) == 0x7f ? CK_UNAVAILABLE_INFORMATION
							      : (CK_ULONG)(shape & 0x7f);
		return;
	}
	attribute->ulValueLen = fuzz_take_byte(input);
	taken = fuzz_take_bytes(input, attribute->ulValueLen, &bytes);
	memcpy(filling, bytes, taken);
	attribute->pValue = exact_buffer(filling, attribute->ulValueLen);
}

/* A fresh copy: C_GetAttributeValue writes into the one it is given. */
static void copy_template(const struct template *from, struct template *to)
{
	CK_ULONG i;

	*to = *from;
	for (i = 0; i < from->length; i++)
		if (from->attributes[i].pValue != NULL)
			to->attributes[i].pValue = exact_buffer(from->attributes[i].pValue,
								from->attributes[i].ulValueLen);
}

static void free_template(struct template *template)
{
	CK_ULONG i;

	for (i = 0; i < template->length; i++)
		free(template->attributes[i].pValue);
}

static CK_ATTRIBUTE *template_array(struct template *template)
{
	return template->length == 0 && template->null_when_empty ? NULL : template->attributes;
}

static CK_OBJECT_HANDLE take_handle(struct fuzz_input *input)
{
	uint8_t selector = fuzz_take_byte(input);
	CK_ULONG high;

	if (selector <= OBJECTS)
		return selector;
	if (selector == PKCS11_RAW_HANDLE) {
		high = fuzz_take_u32(input);
		return high << 32 | fuzz_take_u32(input);
	}
	return selector;        /* past the last object */
}

static bool handle_is_valid(CK_OBJECT_HANDLE handle)
{
	return handle >= 1 && handle <= OBJECTS;
}

/* ---- the oracle: one attribute of one object, asked alone ----------------- */

/* False when the object has no value to give for this type. */
static bool value_alone(CK_OBJECT_HANDLE handle, CK_ATTRIBUTE_TYPE type,
			uint8_t out[VALUE_MAX], CK_ULONG *length)
{
	CK_ATTRIBUTE query = { type, NULL, 0 };
	CK_RV rv = world.p11->C_GetAttributeValue(world.session, handle, &query, 1);

	if (rv != CKR_OK) {
		FUZZ_CHECK(rv == CKR_ATTRIBUTE_SENSITIVE || rv == CKR_ATTRIBUTE_TYPE_INVALID);
		FUZZ_CHECK(query.ulValueLen == CK_UNAVAILABLE_INFORMATION);
		return false;
	}
	FUZZ_CHECK(query.ulValueLen <= VALUE_MAX);
	*length = query.ulValueLen;
	query.pValue = out;
	FUZZ_CHECK(world.p11->C_GetAttributeValue(world.session, handle, &query, 1) == CKR_OK);
	FUZZ_CHECK(query.ulValueLen == *length);
	return true;
}

/* A few values whose meaning the test knows. */
static void check_known_value(CK_OBJECT_HANDLE handle, CK_ATTRIBUTE_TYPE type,
			      const uint8_t *bytes, CK_ULONG length)
{
	CK_ULONG number;
	CK_OBJECT_CLASS expected_class = handle % 2 == 1 ? CKO_PUBLIC_KEY : CKO_PRIVATE_KEY;
	const char *line = identity_lines[(handle - 1) / 2];

	if (type == CKA_CLASS || type == CKA_KEY_TYPE) {
		FUZZ_CHECK(length == sizeof(number));
		memcpy(&number, bytes, sizeof(number));
		FUZZ_CHECK(number == (type == CKA_CLASS ? expected_class : CKK_EC));
	} else if (type == CKA_LABEL) {
		FUZZ_CHECK(length == (strlen(line) < 255 ? strlen(line) : 255));
		FUZZ_CHECK(memcmp(bytes, line, length) == 0);
	} else if (type == CKA_ID) {
		FUZZ_CHECK(length == 16);
	} else if (type == CKA_EC_POINT) {
		/* DER OCTET STRING of an uncompressed point: 04 41 04 X Y */
		FUZZ_CHECK(length == 67 && bytes[0] == 0x04 && bytes[1] == 0x41 &&
			   bytes[2] == 0x04);
	}
}

static bool object_matches(CK_OBJECT_HANDLE handle, const struct template *template)
{
	uint8_t bytes[VALUE_MAX];
	CK_ULONG length, i;

	for (i = 0; i < template->length; i++) {
		const CK_ATTRIBUTE *wanted = &template->attributes[i];

		if (!value_alone(handle, wanted->type, bytes, &length))
			return false;
		check_known_value(handle, wanted->type, bytes, length);
		if (length != wanted->ulValueLen)
			return false;
		if (length > 0 && wanted->pValue == NULL)
			return false;
		if (length > 0 && memcmp(wanted->pValue, bytes, length) != 0)
			return false;
	}
	return true;
}

/* ---- the calls -------------------------------------------------------------- */

static void search(const struct template *template, CK_ULONG room)
{
	CK_OBJECT_HANDLE found[ROOM_MAX];
	bool seen[OBJECTS + 1] = { false };
	CK_ULONG got, i;
	CK_OBJECT_HANDLE handle;
	struct template copy;
	CK_RV rv;

	copy_template(template, &copy);
	rv = world.p11->C_FindObjectsInit(world.session, template_array(&copy), copy.length);
	free_template(&copy);
	FUZZ_CHECK(rv == CKR_OK);
	do {
		FUZZ_CHECK(world.p11->C_FindObjects(world.session, found, room, &got) == CKR_OK);
		FUZZ_CHECK(got <= room);
		for (i = 0; i < got; i++) {
			FUZZ_CHECK(handle_is_valid(found[i]) && !seen[found[i]]);
			seen[found[i]] = true;
		}
	} while (got > 0);
	FUZZ_CHECK(world.p11->C_FindObjectsFinal(world.session) == CKR_OK);
	for (handle = 1; handle <= OBJECTS; handle++)
		FUZZ_CHECK(seen[handle] == object_matches(handle, template));
}

static void check_read(CK_OBJECT_HANDLE handle, const struct template *asked,
		       const struct template *answer, CK_RV rv)
{
	uint8_t bytes[VALUE_MAX];
	CK_ULONG length, i;
	bool all = true;

	FUZZ_CHECK(rv == CKR_OK || rv == CKR_ATTRIBUTE_SENSITIVE ||
		   rv == CKR_ATTRIBUTE_TYPE_INVALID || rv == CKR_BUFFER_TOO_SMALL);
	for (i = 0; i < answer->length; i++) {
		const CK_ATTRIBUTE *given = &answer->attributes[i];
		bool has = value_alone(handle, given->type, bytes, &length);

		if (given->ulValueLen == CK_UNAVAILABLE_INFORMATION) {
			/* Not returned: no such value, or a buffer too small for it. */
			FUZZ_CHECK(!has || (given->pValue != NULL &&
					    asked->attributes[i].ulValueLen < length));
			all = false;
			continue;
		}
		FUZZ_CHECK(has && given->ulValueLen == length);
		if (given->pValue != NULL) {
			FUZZ_CHECK(length <= asked->attributes[i].ulValueLen);
			FUZZ_CHECK(length == 0 || memcmp(given->pValue, bytes, length) == 0);
			check_known_value(handle, given->type, bytes, length);
		}
	}
	FUZZ_CHECK((rv == CKR_OK) == all);
}

static void read_attributes(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE handle,
			    const struct template *template)
{
	struct template answer;
	CK_RV rv;

	copy_template(template, &answer);
	rv = world.p11->C_GetAttributeValue(session, handle, template_array(&answer),
					    answer.length);
	if (session != world.session)
		FUZZ_CHECK(rv == CKR_SESSION_HANDLE_INVALID);
	else if (!handle_is_valid(handle))
		FUZZ_CHECK(rv == CKR_OBJECT_HANDLE_INVALID);
	else if (template_array(&answer) == NULL)
		FUZZ_CHECK(rv == CKR_ARGUMENTS_BAD);
	else
		check_read(handle, template, &answer, rv);
	free_template(&answer);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input input = { data, size };
	struct template template;
	uint8_t flags = fuzz_take_byte(&input);
	CK_SESSION_HANDLE session = flags & PKCS11_BAD_SESSION ? world.session + 1 : world.session;
	CK_ULONG room = 1 + ((flags >> 4) & (ROOM_MAX - 1));
	unsigned handles, i;

	memset(&template, 0, sizeof(template));
	template.null_when_empty = flags & PKCS11_NULL_WHEN_EMPTY;
	template.length = fuzz_take_byte(&input) % (ATTRIBUTES_MAX + 1);
	for (i = 0; i < template.length; i++)
		take_attribute(&input, &template.attributes[i]);
	handles = fuzz_take_byte(&input) % (HANDLES_MAX + 1);

	if (flags & PKCS11_SEARCH)
		search(&template, room);
	for (i = 0; i < handles; i++) {
		CK_OBJECT_HANDLE handle = take_handle(&input);

		if (flags & PKCS11_READ)
			read_attributes(session, handle, &template);
	}
	free_template(&template);
	fuzz_check_stdout();
	return 0;
}
