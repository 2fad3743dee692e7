/*
 * USB Trezors, through the module's real libusb code and a fake libusb
 * (tests/fakes/fake_libusb.c) whose devices are simulators: discovery,
 * WebUSB and HID framing, the errors a person meets, hot-plug, slot events,
 * and a device pulled out in the middle of a signature.
 */
#include "config.h"

#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "helpers.h"
#include "pkcs11_types.h"

#define MNEMONIC_OTHER "alcohol woman abuse must during monitor noble actual mixed trade " \
		       "anger aisle"
#define ALICE_PRIVATE 2
#define FIRST_SLOT 0x711f1fbUL          /* from the default simulator's device id */

static struct sim_process first, second;
static void *library;
static CK_FUNCTION_LIST *p11;
static char dir[512], devices_path[600], log_path[600], stderr_path[600];

/* ---- the fake USB bus ------------------------------------------------------------ */

/* What is plugged in: the lines of the fake's devices file (NULL ends). */
static void plug(const char *lines)
{
	char temporary[700];
	FILE *file;

	snprintf(temporary, sizeof(temporary), "%s.new", devices_path);
	file = fopen(temporary, "w");
	ck_assert_ptr_nonnull(file);
	fputs(lines, file);
	fclose(file);
	ck_assert_int_eq(rename(temporary, devices_path), 0);
}

static char *read_file(const char *path)
{
	static char text[16384];
	FILE *file = fopen(path, "r");
	size_t n = 0;

	text[0] = '\0';
	if (file == NULL)
		return text;
	n = fread(text, 1, sizeof(text) - 1, file);
	text[n] = '\0';
	fclose(file);
	return text;
}

static void set_up(void)
{
	static const char *const other[] = { "--mnemonic", MNEMONIC_OTHER, "--device-id",
					     "BBBBBBBBBBBBBBBBBBBBBBBB", "--label", "Second", NULL };

	temporary_directory("trezor-usb", dir, sizeof(dir));
	snprintf(devices_path, sizeof(devices_path), "%s/devices", dir);
	snprintf(log_path, sizeof(log_path), "%s/usb.log", dir);
	snprintf(stderr_path, sizeof(stderr_path), "%s/stderr", dir);
	setenv("FAKE_LIBUSB_DEVICES", devices_path, 1);
	setenv("FAKE_LIBUSB_LOG", log_path, 1);
	module_environment(&first, NULL);
	sim_process_start(&second, other);
	unsetenv("TREZOR_PATH");        /* look on USB (and for an emulator) */
	setenv("TREZOR_PKCS11_BRIDGE", "127.0.0.1:1", 1);  /* no Bridge answers */
	plug("");
	p11 = module_load(&library);
}

static void tear_down(void)
{
	p11->C_Finalize(NULL);
	sim_process_stop(&first);
	sim_process_stop(&second);
	remove_tree(dir);
}

/* "1 5 webusb PORT" */
static const char *line_for(int bus, int address, const char *kind, const struct sim_process *sim,
			    const char *options)
{
	static char line[128];

	snprintf(line, sizeof(line), "%d %d %s %d %s\n", bus, address, kind, sim->port,
		 options != NULL ? options : "");
	return line;
}

static CK_ULONG slots_with_token(CK_SLOT_ID *list, CK_ULONG room)
{
	CK_ULONG length = room;

	ck_assert_int_eq(p11->C_GetSlotList(CK_TRUE, list, &length), CKR_OK);
	return length;
}

/* Everything the module writes on stderr during a call goes to a file. */
static int capture_stderr(void)
{
	int saved = dup(STDERR_FILENO);
	FILE *file = fopen(stderr_path, "w");

	ck_assert_ptr_nonnull(file);
	dup2(fileno(file), STDERR_FILENO);
	fclose(file);
	return saved;
}

static const char *captured(int saved)
{
	dup2(saved, STDERR_FILENO);
	close(saved);
	return read_file(stderr_path);
}

static CK_RV sign_once(CK_SESSION_HANDLE session, CK_BYTE signature[64])
{
	CK_MECHANISM ecdsa = { CKM_ECDSA, NULL, 0 };
	CK_BYTE digest[32];
	CK_ULONG length = 64;
	int i;

	for (i = 0; i < 32; i++)
		digest[i] = (CK_BYTE)(0xa0 + i);
	ck_assert_int_eq(p11->C_SignInit(session, &ecdsa, ALICE_PRIVATE), CKR_OK);
	return p11->C_Sign(session, digest, 32, signature, &length);
}

static void assert_vector_signature(const CK_BYTE signature[64])
{
	char hex[129];

	bytes_to_hex(signature, 64, hex);
	ck_assert_str_eq(hex, "9a9c40ff057fc0378f6b607df35052c781990063783f7b4efbe979ee565e6a94"
			      "2cffe25bdfde710d9c3486f2b647007614df2af87d18847e1c64464ed4d1ef03");
}

/* ---- discovery --------------------------------------------------------------------- */

START_TEST(no_device)
{
	CK_SLOT_ID list[4];
	CK_ULONG length = 4;

	plug("1 2 other 9\n");          /* a USB device that is not a Trezor */
	ck_assert_int_eq(p11->C_Initialize(NULL), CKR_OK);
	ck_assert_uint_eq(slots_with_token(list, 4), 0);
	ck_assert_int_eq(p11->C_GetSlotList(CK_FALSE, list, &length), CKR_OK);
	ck_assert_uint_eq(length, 1);
	ck_assert_uint_eq(list[0], 0);
	ck_assert_str_eq(read_file(log_path), "");      /* nothing was opened */
}
END_TEST

START_TEST(one_webusb_device)
{
	CK_SLOT_ID list[4];
	CK_SLOT_INFO info;
	CK_SESSION_HANDLE session;
	CK_BYTE signature[64];
	char description[65];

	plug(line_for(1, 5, "webusb", &first, NULL));
	ck_assert_int_eq(p11->C_Initialize(NULL), CKR_OK);
	ck_assert_uint_eq(slots_with_token(list, 4), 1);
	ck_assert_uint_eq(list[0], FIRST_SLOT);
	ck_assert_int_eq(p11->C_GetSlotInfo(list[0], &info), CKR_OK);
	memcpy(description, info.slotDescription, 64);
	description[64] = '\0';
	ck_assert_str_eq(description, "Trezor One at webusb:1:5                                        ");
	ck_assert_int_eq(p11->C_OpenSession(list[0], CKF_SERIAL_SESSION, NULL, NULL, &session),
			 CKR_OK);
	ck_assert_int_eq(sign_once(session, signature), CKR_OK);
	assert_vector_signature(signature);
	ck_assert_int_eq(p11->C_Finalize(NULL), CKR_OK);
	/* WebUSB: no kernel driver to detach; every transfer 64 bytes. */
	ck_assert_str_eq(read_file(log_path),
			 "open 1:5\nclaim 1:5\n"
			 /* GetFeatures; Features (a Trezor One's, no session id: 4 reports) */
			 "out 1:5 64 3f2323\nin 1:5 64\nin 1:5 64\nin 1:5 64\nin 1:5 64\n"
			 /* Initialize (a new session); Features with its id (4 reports) */
			 "out 1:5 64 3f2323\nin 1:5 64\nin 1:5 64\nin 1:5 64\nin 1:5 64\n"
			 /* GetPublicKey; PublicKey (with its xpub: 4 reports) */
			 "out 1:5 64 3f2323\nin 1:5 64\nin 1:5 64\nin 1:5 64\nin 1:5 64\n"
			 /* SignIdentity in 2 reports (the second goes on with the digest
			  * bytes b8 b9 ...); ButtonRequest */
			 "out 1:5 64 3f2323\nout 1:5 64 3fb8b9\nin 1:5 64\n"
			 /* ButtonAck; SignedIdentity (2 reports) */
			 "out 1:5 64 3f2323\nin 1:5 64\nin 1:5 64\n"
			 "release 1:5\nclose 1:5\n");
}
END_TEST

START_TEST(hid_device)
{
	CK_SLOT_ID list[4];
	CK_SESSION_HANDLE session;
	CK_BYTE signature[64];
	const char *log;

	plug(line_for(2, 9, "hid", &first, NULL));
	ck_assert_int_eq(p11->C_Initialize(NULL), CKR_OK);
	ck_assert_uint_eq(slots_with_token(list, 4), 1);
	ck_assert_int_eq(p11->C_OpenSession(list[0], CKF_SERIAL_SESSION, NULL, NULL, &session),
			 CKR_OK);
	ck_assert_int_eq(sign_once(session, signature), CKR_OK);
	assert_vector_signature(signature);
	ck_assert_int_eq(p11->C_Finalize(NULL), CKR_OK);
	log = read_file(log_path);
	/* usbhid lets go of the interface first, and gets it back at the end. */
	ck_assert(strncmp(log, "open 2:9\ndetach 2:9\nclaim 2:9\nout 2:9 64 3f2323\n", 47) == 0);
	ck_assert_ptr_null(strstr(log, "bad-length"));
	ck_assert_ptr_nonnull(strstr(log, "release 2:9\nattach 2:9\nclose 2:9\n"));
}
END_TEST

START_TEST(two_devices)
{
	char lines[256];
	CK_SLOT_ID list[4];
	CK_TOKEN_INFO token;
	char label[33];

	snprintf(lines, sizeof(lines), "%s", line_for(1, 5, "webusb", &first, NULL));
	strncat(lines, line_for(1, 6, "hid", &second, NULL), sizeof(lines) - strlen(lines) - 1);
	plug(lines);
	ck_assert_int_eq(p11->C_Initialize(NULL), CKR_OK);
	ck_assert_uint_eq(slots_with_token(list, 4), 2);
	ck_assert_uint_eq(list[0], FIRST_SLOT);
	ck_assert_int_eq(p11->C_GetTokenInfo(list[1], &token), CKR_OK);
	memcpy(label, token.label, 32);
	label[32] = '\0';
	ck_assert_str_eq(label, "Second                          ");
	ck_assert_mem_eq(token.serialNumber, "BBBBBBBBBBBBBBBB", 16);
}
END_TEST

/* ---- what a person meets ------------------------------------------------------- */

static void assert_refused(const char *options, const char *expected)
{
	CK_SLOT_ID list[4];
	int saved;

	plug(line_for(1, 5, "webusb", &first, options));
	ck_assert_int_eq(p11->C_Initialize(NULL), CKR_OK);
	saved = capture_stderr();
	ck_assert_uint_eq(slots_with_token(list, 4), 0);
	ck_assert_uint_eq(slots_with_token(list, 4), 0);        /* said once, not twice */
	ck_assert_str_eq(captured(saved), expected);
	ck_assert_int_eq(p11->C_Finalize(NULL), CKR_OK);
}

START_TEST(no_permission)
{
	assert_refused("open=access", "trezor-pkcs11: no permission to use the Trezor at webusb:1:5: "
		       "install the udev rules (README, section Install), then plug it in again\n");
}
END_TEST

START_TEST(busy_without_bridge)
{
	assert_refused("claim=busy", "trezor-pkcs11: a Trezor is in use by another program (Trezor "
		       "Suite?) and no Trezor Bridge answers: close that program, or run Bridge\n");
}
END_TEST

/* The first simulator replaced by one started with `args` (same identities). */
static void restart_first(const char *const *args)
{
	char identities[sizeof(first.identities_path)];

	snprintf(identities, sizeof(identities), "%s", first.identities_path);
	first.identities_path[0] = '\0';
	sim_process_stop(&first);
	sim_process_start(&first, args);
	snprintf(first.identities_path, sizeof(first.identities_path), "%s", identities);
}

START_TEST(unusable_devices)
{
	static const char *const bootloader[] = { "--bootloader", NULL };
	static const char *const empty[] = { "--uninitialized", NULL };
	static const char *const garbage[] = { "--fault", "garbage", NULL };

	restart_first(bootloader);
	assert_refused(NULL, "trezor-pkcs11: webusb:1:5: the Trezor is in bootloader mode: unplug "
		       "it and plug it in again without touching it\n");
	restart_first(empty);
	assert_refused(NULL, "trezor-pkcs11: webusb:1:5: the Trezor has no seed yet: set it up in "
		       "Trezor Suite first\n");
	restart_first(garbage);
	assert_refused(NULL, "trezor-pkcs11: webusb:1:5: the device sent garbage: report does not "
		       "start with the codec v1 magic\n");
}
END_TEST

/*
 * A Safe 7 on USB: its answer to the first codec v1 report (Failure
 * InvalidProtocol) makes the module speak THP to it; it pairs once (the
 * test's pinentry types the code the simulator printed), and the next
 * program connects with the credential.
 */
START_TEST(safe7_speaks_thp_over_usb)
{
	static const char *const safe7[] = { "--model", "Safe 7", NULL };
	static const char start[] = "open 1:5\nclaim 1:5\nout 1:5 64 3f2323\nin 1:5 64\n"
				    "out 1:5 64 40ffff\nin 1:5 64\n";
	char pinentry[600];
	CK_SLOT_ID list[4];
	CK_SESSION_HANDLE session;
	CK_BYTE signature[64];
	const char *log;

	restart_first(safe7);
	snprintf(pinentry, sizeof(pinentry), "%s/tests/integration/fake-pinentry",
		 getenv("abs_top_srcdir"));
	setenv("TREZOR_PKCS11_PINENTRY", pinentry, 1);
	setenv("FAKE_PINENTRY_SIM_LOG", first.log_path, 1);
	plug(line_for(1, 5, "webusb", &first, NULL));
	ck_assert_int_eq(p11->C_Initialize(NULL), CKR_OK);
	ck_assert_uint_eq(slots_with_token(list, 4), 1);
	ck_assert_uint_eq(list[0], FIRST_SLOT);
	ck_assert_int_eq(p11->C_OpenSession(list[0], CKF_SERIAL_SESSION, NULL, NULL, &session),
			 CKR_OK);
	ck_assert_int_eq(sign_once(session, signature), CKR_OK);
	assert_vector_signature(signature);
	ck_assert_int_eq(p11->C_Finalize(NULL), CKR_OK);
	log = read_file(log_path);
	/* The probe (GetFeatures) and its answer, then the allocation on the broadcast channel. */
	ck_assert_msg(strncmp(log, start, sizeof(start) - 1) == 0, "%s", log);
	ck_assert_int_eq(sim_process_count(&first, "pairing code:"), 1);
	/* The next program: the credential, no pairing. */
	ck_assert_int_eq(p11->C_Initialize(NULL), CKR_OK);
	ck_assert_int_eq(p11->C_OpenSession(FIRST_SLOT, CKF_SERIAL_SESSION, NULL, NULL, &session),
			 CKR_OK);
	ck_assert_int_eq(sign_once(session, signature), CKR_OK);
	assert_vector_signature(signature);
	ck_assert_int_eq(sim_process_count(&first, "pairing code:"), 1);
	ck_assert_int_eq(sim_process_count(&first, "THP handshake"), 2);
	unsetenv("TREZOR_PKCS11_PINENTRY");
}
END_TEST

/* ---- hot-plug ---------------------------------------------------------------------- */

START_TEST(replug_keeps_slot_and_session)
{
	CK_SLOT_ID list[4];
	CK_SLOT_INFO info;
	CK_SESSION_INFO session_info;
	CK_SESSION_HANDLE session;
	CK_BYTE signature[64];

	plug(line_for(1, 5, "webusb", &first, NULL));
	ck_assert_int_eq(p11->C_Initialize(NULL), CKR_OK);
	ck_assert_uint_eq(slots_with_token(list, 4), 1);
	ck_assert_int_eq(p11->C_OpenSession(FIRST_SLOT, CKF_SERIAL_SESSION, NULL, NULL, &session),
			 CKR_OK);
	ck_assert_int_eq(sign_once(session, signature), CKR_OK);

	plug("");                                               /* unplugged */
	ck_assert_uint_eq(slots_with_token(list, 4), 0);
	ck_assert_int_eq(p11->C_GetSlotInfo(FIRST_SLOT, &info), CKR_OK);
	ck_assert_uint_eq(info.flags & CKF_TOKEN_PRESENT, 0);

	plug(line_for(1, 7, "webusb", &first, NULL));           /* back, in another port */
	/* No C_GetSlotList: signing looks for the device again by itself. */
	ck_assert_int_eq(sign_once(session, signature), CKR_OK);
	assert_vector_signature(signature);
	ck_assert_int_eq(p11->C_GetSessionInfo(session, &session_info), CKR_OK);
	ck_assert_uint_eq(session_info.slotID, FIRST_SLOT);
	ck_assert_uint_eq(slots_with_token(list, 4), 1);
	ck_assert_uint_eq(list[0], FIRST_SLOT);
	/* Features was read once per plug-in: twice in all. */
	ck_assert_int_eq(sim_process_count(&first, "<- GetFeatures"), 2);
}
END_TEST

START_TEST(another_device_in_the_same_port)
{
	CK_MECHANISM ecdsa = { CKM_ECDSA, NULL, 0 };
	CK_SLOT_ID list[4];
	CK_SESSION_HANDLE session;

	plug(line_for(1, 5, "webusb", &first, NULL));
	ck_assert_int_eq(p11->C_Initialize(NULL), CKR_OK);
	ck_assert_int_eq(p11->C_OpenSession(FIRST_SLOT, CKF_SERIAL_SESSION, NULL, NULL, &session),
			 CKR_OK);
	plug("");
	ck_assert_uint_eq(slots_with_token(list, 4), 0);
	plug(line_for(1, 5, "webusb", &second, NULL));
	ck_assert_uint_eq(slots_with_token(list, 4), 1);
	ck_assert_uint_ne(list[0], FIRST_SLOT);
	/* The old slot's session belongs to the device that left. */
	ck_assert_int_eq(p11->C_SignInit(session, &ecdsa, ALICE_PRIVATE), CKR_DEVICE_REMOVED);
}
END_TEST

START_TEST(slot_events_without_blocking)
{
	CK_SLOT_ID slot = 0, list[4];

	plug(line_for(1, 5, "webusb", &first, NULL));
	ck_assert_int_eq(p11->C_Initialize(NULL), CKR_OK);
	ck_assert_uint_eq(slots_with_token(list, 4), 1);
	ck_assert_int_eq(p11->C_WaitForSlotEvent(CKF_DONT_BLOCK, &slot, NULL), CKR_NO_EVENT);
	plug("");
	ck_assert_int_eq(p11->C_WaitForSlotEvent(CKF_DONT_BLOCK, &slot, NULL), CKR_OK);
	ck_assert_uint_eq(slot, FIRST_SLOT);
	ck_assert_int_eq(p11->C_WaitForSlotEvent(CKF_DONT_BLOCK, &slot, NULL), CKR_NO_EVENT);
	plug(line_for(1, 8, "webusb", &first, NULL));
	slot = 0;
	ck_assert_int_eq(p11->C_WaitForSlotEvent(CKF_DONT_BLOCK, &slot, NULL), CKR_OK);
	ck_assert_uint_eq(slot, FIRST_SLOT);
	ck_assert_int_eq(p11->C_WaitForSlotEvent(CKF_DONT_BLOCK, &slot, NULL), CKR_NO_EVENT);
}
END_TEST

struct later {
	int delay_ms;
	const char *lines;              /* to plug; NULL: call C_Finalize instead */
	CK_RV rv;
};

static void *do_later(void *argument)
{
	struct later *later = argument;
	struct timespec pause = { later->delay_ms / 1000, (later->delay_ms % 1000) * 1000000L };

	nanosleep(&pause, NULL);
	if (later->lines != NULL)
		plug(later->lines);
	else
		later->rv = p11->C_Finalize(NULL);
	return NULL;
}

START_TEST(slot_event_blocking)
{
	CK_SLOT_ID slot = 0;
	pthread_t thread;
	struct later plug_in = { 300, NULL, CKR_OK };
	char line[128];
	int64_t started;

	ck_assert_int_eq(p11->C_Initialize(NULL), CKR_OK);
	snprintf(line, sizeof(line), "%s", line_for(1, 5, "webusb", &first, NULL));
	plug_in.lines = line;
	ck_assert_int_eq(pthread_create(&thread, NULL, do_later, &plug_in), 0);
	started = clock_monotonic_ms();
	ck_assert_int_eq(p11->C_WaitForSlotEvent(0, &slot, NULL), CKR_OK);
	ck_assert_int_lt(clock_monotonic_ms() - started, 1500);
	ck_assert_uint_eq(slot, FIRST_SLOT);
	pthread_join(thread, NULL);
}
END_TEST

START_TEST(finalize_ends_a_wait)
{
	CK_SLOT_ID slot = 0;
	pthread_t thread;
	struct later finalize = { 300, NULL, CKR_GENERAL_ERROR };

	ck_assert_int_eq(p11->C_Initialize(NULL), CKR_OK);
	ck_assert_int_eq(pthread_create(&thread, NULL, do_later, &finalize), 0);
	ck_assert_int_eq(p11->C_WaitForSlotEvent(0, &slot, NULL), CKR_CRYPTOKI_NOT_INITIALIZED);
	pthread_join(thread, NULL);
	ck_assert_int_eq(finalize.rv, CKR_OK);
}
END_TEST

START_TEST(unplugged_mid_signature)
{
	static const char *const slow[] = { "--confirm-delay", "5000", NULL };
	CK_SLOT_ID list[4];
	CK_SESSION_HANDLE session;
	CK_BYTE signature[64];
	pthread_t thread;
	struct later unplug = { 500, "", CKR_OK };
	int64_t started;

	restart_first(slow);
	plug(line_for(1, 5, "webusb", &first, NULL));
	ck_assert_int_eq(p11->C_Initialize(NULL), CKR_OK);
	ck_assert_uint_eq(slots_with_token(list, 4), 1);
	ck_assert_int_eq(p11->C_OpenSession(list[0], CKF_SERIAL_SESSION, NULL, NULL, &session),
			 CKR_OK);
	ck_assert_int_eq(pthread_create(&thread, NULL, do_later, &unplug), 0);
	started = clock_monotonic_ms();
	ck_assert_int_eq(sign_once(session, signature), CKR_DEVICE_REMOVED);
	/* Within 2 s of the unplug (the fake notices within 50 ms). */
	ck_assert_int_lt(clock_monotonic_ms() - started, 500 + 2000);
	pthread_join(thread, NULL);
	ck_assert_uint_eq(slots_with_token(list, 4), 0);
}
END_TEST

/*
 * A child forked while the parent holds the device: the child's
 * C_Initialize drops the parent's state without a libusb call (a release
 * would act on the descriptor they share), and the parent signs on.
 */
START_TEST(forked_child_leaves_the_device_be)
{
	CK_SLOT_ID list[2];
	CK_SESSION_HANDLE session;
	CK_BYTE signature[64];
	size_t logged;
	pid_t child;
	int status;

	plug(line_for(1, 5, "webusb", &first, NULL));
	ck_assert_int_eq(p11->C_Initialize(NULL), CKR_OK);
	ck_assert_uint_eq(slots_with_token(list, 2), 1);
	ck_assert_int_eq(p11->C_OpenSession(list[0], CKF_SERIAL_SESSION, NULL, NULL, &session),
			 CKR_OK);
	ck_assert_int_eq(sign_once(session, signature), CKR_OK);
	logged = strlen(read_file(log_path));
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0)
		_exit(p11->C_Initialize(NULL) == CKR_OK && p11->C_Finalize(NULL) == CKR_OK ? 0 : 1);
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	ck_assert_str_eq(read_file(log_path) + logged, "");     /* no libusb call at all */
	ck_assert_int_eq(sign_once(session, signature), CKR_OK);
	assert_vector_signature(signature);
}
END_TEST

static Suite *usb_suite(void)
{
	Suite *suite = suite_create("pkcs11 usb");
	TCase *tc = tcase_create("usb");

	tcase_add_checked_fixture(tc, set_up, tear_down);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, no_device);
	tcase_add_test(tc, one_webusb_device);
	tcase_add_test(tc, hid_device);
	tcase_add_test(tc, two_devices);
	tcase_add_test(tc, no_permission);
	tcase_add_test(tc, busy_without_bridge);
	tcase_add_test(tc, forked_child_leaves_the_device_be);
	tcase_add_test(tc, unusable_devices);
	tcase_add_test(tc, safe7_speaks_thp_over_usb);
	tcase_add_test(tc, replug_keeps_slot_and_session);
	tcase_add_test(tc, another_device_in_the_same_port);
	tcase_add_test(tc, slot_events_without_blocking);
	tcase_add_test(tc, slot_event_blocking);
	tcase_add_test(tc, finalize_ends_a_wait);
	tcase_add_test(tc, unplugged_mid_signature);
	suite_add_tcase(suite, tc);
	return suite;
}

int main(int argc, char **argv)
{
	(void)argc;
	preload_fake_libusb(argv);
	return run_suite(usb_suite());
}
