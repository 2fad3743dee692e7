/* What the conformance suite shares. See conformance.h. */
#include "config.h"

#include "conformance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct sim_process sim;
CK_FUNCTION_LIST *p11;
CK_SLOT_ID slot;
CK_SESSION_HANDLE session;
CK_MECHANISM ecdsa = { CKM_ECDSA, NULL, 0 };
CK_BYTE data_in[32] = { 1, 2, 3 };
CK_INFO info_out;

static void *library;

/* ---- fixtures ---------------------------------------------------------------- */

/* The module loaded, not initialised, a simulator to find. */
void set_up_loaded(void)
{
	module_environment(&sim, NULL);
	p11 = module_load(&library);
}

/*
 * A simulator started with `args`, the module initialised, the simulator's
 * slot found and a read-only session open on it.
 */
static void set_up_ready_with(const char *const *args)
{
	module_environment(&sim, args);
	p11 = module_load(&library);
	ck_assert_uint_eq(p11->C_Initialize(NULL), CKR_OK);
	session = module_open_session(p11, CKF_SERIAL_SESSION, &slot);
}

void set_up_ready(void)
{
	set_up_ready_with(NULL);
}

void tear_down(void)
{
	p11->C_Finalize(NULL);
	sim_process_stop(&sim);
}

void restart_with(const char *const *args)
{
	p11->C_Finalize(NULL);
	sim_process_stop(&sim);
	set_up_ready_with(args);
}

void initialize_without_device(void)
{
	char path[64];

	p11->C_Finalize(NULL);
	snprintf(path, sizeof(path), "%s", sim.path);
	sim_process_stop(&sim);
	setenv("TREZOR_PATH", path, 1);
	ck_assert_uint_eq(p11->C_Initialize(NULL), CKR_OK);
}

/* ---- helpers -------------------------------------------------------------------- */

CK_SESSION_HANDLE open_session(CK_FLAGS flags)
{
	CK_SESSION_HANDLE opened = CK_INVALID_HANDLE;

	ck_assert_uint_eq(p11->C_OpenSession(slot, flags, NULL, NULL, &opened), CKR_OK);
	ck_assert_uint_ne(opened, CK_INVALID_HANDLE);
	return opened;
}

CK_STATE state_of(CK_SESSION_HANDLE handle)
{
	CK_SESSION_INFO info;

	ck_assert_uint_eq(p11->C_GetSessionInfo(handle, &info), CKR_OK);
	return info.state;
}

int signatures_made(void)
{
	return sim_process_count(&sim, "<- SignIdentity");
}

int confirmations_asked(void)
{
	return sim_process_count(&sim, "-> ButtonRequest");
}

/* The length of the valid UTF-8 sequence at `text` (within `room` bytes), or 0. */
static size_t utf8_sequence(const CK_UTF8CHAR *text, size_t room)
{
	CK_UTF8CHAR lead = text[0];
	CK_UTF8CHAR low = 0x80, high = 0xbf;
	size_t length, i;

	if (lead < 0x80)
		return 1;
	if (lead >= 0xc2 && lead <= 0xdf)
		length = 2;
	else if (lead >= 0xe0 && lead <= 0xef)
		length = 3;
	else if (lead >= 0xf0 && lead <= 0xf4)
		length = 4;
	else
		return 0;
	if (lead == 0xe0)
		low = 0xa0;
	if (lead == 0xed)
		high = 0x9f;
	if (lead == 0xf0)
		low = 0x90;
	if (lead == 0xf4)
		high = 0x8f;
	if (length > room || text[1] < low || text[1] > high)
		return 0;
	for (i = 2; i < length; i++)
		if (text[i] < 0x80 || text[i] > 0xbf)
			return 0;
	return length;
}

void assert_text_field(const CK_UTF8CHAR *field, size_t size, const char *text)
{
	size_t i = 0, step;

	if (text != NULL) {
		ck_assert_uint_le(strlen(text), size);
		ck_assert_mem_eq(field, text, strlen(text));
		for (i = strlen(text); i < size; i++)
			ck_assert_msg(field[i] == ' ', "byte %zu is 0x%02x", i, field[i]);
	}
	for (i = 0; i < size; i += step) {
		step = utf8_sequence(field + i, size - i);
		ck_assert_msg(step > 0, "byte %zu of the field is not UTF-8", i);
		ck_assert_msg(field[i] >= 0x20 && field[i] != 0x7f, "byte %zu is a control", i);
	}
}

static int saved_stderr = -1;
static char stderr_path[512];

void capture_stderr(void)
{
	const char *tmp = getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp";
	int fd;

	snprintf(stderr_path, sizeof(stderr_path), "%s/trezor-stderr-XXXXXX", tmp);
	fd = mkstemp(stderr_path);
	ck_assert_int_ge(fd, 0);
	fflush(stderr);
	saved_stderr = dup(STDERR_FILENO);
	ck_assert_int_ge(saved_stderr, 0);
	ck_assert_int_ge(dup2(fd, STDERR_FILENO), 0);
	close(fd);
}

void captured_stderr(char *text, size_t size)
{
	FILE *file;
	size_t length;

	ck_assert_int_ge(dup2(saved_stderr, STDERR_FILENO), 0);
	close(saved_stderr);
	saved_stderr = -1;
	file = fopen(stderr_path, "r");
	ck_assert_ptr_nonnull(file);
	length = fread(text, 1, size - 1, file);
	text[length] = '\0';
	fclose(file);
	unlink(stderr_path);
}

TCase *conformance_area(Suite *suite, const char *name, void (*set_up)(void))
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, set_up, tear_down);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(suite, tc);
	return tc;
}
