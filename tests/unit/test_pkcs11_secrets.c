/*
 * PINs and passphrases do not outlive their use. A signature needs a PIN
 * from C_Login (wrong on purpose), then a PIN and a passphrase from
 * pinentry; while the device is still computing that signature, and again
 * after C_Logout and after C_Finalize, no piece of any of them is left in
 * the process's writable memory (heap, stacks, data), and the most verbose
 * log never shows them.
 *
 * The test must not find its own copies: it keeps the secrets in pages it
 * made read-only, and the scan reads writable mappings only. A freed heap
 * block loses its first bytes to the allocator's bookkeeping, so the scan
 * looks for any run of WINDOW bytes of a secret, and the secrets are long
 * (40 PIN digits, a 48-byte passphrase). The pinentry
 * (tests/integration/fake-pinentry) reads the passphrase from a file and
 * the PIN digits from its environment; the module only ever sees the grid
 * positions, which are the needle.
 */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "pkcs11_types.h"

#define ALICE_PRIVATE 2
#define WINDOW 12                       /* bytes of a secret that give it away */
#define STEP 4                          /* so any run of WINDOW + STEP - 1 is caught */
#define SECRET_MAX 64

/* The PIN on the device, and the grid positions given to C_Login (wrong). */
#define DEVICE_PIN "9182736459182736451827364591827364519283"
#define LOGIN_POSITIONS "7418529637418529637418529637418529637415"
#define PASSPHRASE "Zq7/wallet words nobody guesses: 8d41 & x9 ~ Qv"

struct secret {
	const char *name;
	const char *text;               /* in a read-only page */
};

/* One read-only page holding the secrets (filled before it is locked). */
struct secret_page {
	char login[SECRET_MAX];
	char positions[SECRET_MAX];     /* computed from the simulator's matrix */
	char passphrase[SECRET_MAX];
};

static struct sim_process sim;
static void *library;
static CK_FUNCTION_LIST *p11;
static char passphrase_path[512];
static struct secret_page *page;
static struct secret login_pin, pinentry_pin, passphrase;

/* ---- the scan ------------------------------------------------------------------- */

/*
 * Whether [start, end) holds WINDOW bytes of the secret at one of its STEP
 * offsets. Not instrumented: it reads memory the sanitizers call off limits.
 */
__attribute__((no_sanitize("address", "undefined")))
static const unsigned char *find_piece(const unsigned char *start, const unsigned char *end,
				       const char *secret)
{
	size_t length = strlen(secret), offset, i;
	bool starts_a_window[256] = { false };
	const unsigned char *at;

	for (offset = 0; offset + WINDOW <= length; offset += STEP)
		starts_a_window[(unsigned char)secret[offset]] = true;
	for (at = start; at + WINDOW <= end; at++) {
		if (!starts_a_window[*at])
			continue;
		for (offset = 0; offset + WINDOW <= length; offset += STEP) {
			for (i = 0; i < WINDOW && at[i] == (unsigned char)secret[offset + i]; i++)
				;
			if (i == WINDOW)
				return at;
		}
	}
	return NULL;
}

/* AddressSanitizer's shadow memory: its own bookkeeping, never a copy of data. */
static bool sanitizer_shadow(unsigned long start)
{
#ifdef __SANITIZE_ADDRESS__
	return start >= 0x7fff8000ul && start < 0x10007fff8000ul;
#else
	(void)start;
	return false;
#endif
}

/* Where in writable memory a piece of the secret is, or "" if nowhere. */
static void find_in_memory(const struct secret *secret, char *where, size_t where_size)
{
	FILE *maps = fopen("/proc/self/maps", "r");
	char line[512], perms[8], path[256];
	unsigned long start, end;
	const unsigned char *found = NULL;

	ck_assert_ptr_nonnull(maps);
	where[0] = '\0';
	while (found == NULL && fgets(line, sizeof(line), maps) != NULL) {
		path[0] = '\0';
		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %255s", &start, &end, perms, path) < 3)
			continue;
		/* Writable memory is where copies land. */
		if (perms[0] != 'r' || perms[1] != 'w' || sanitizer_shadow(start))
			continue;
		found = find_piece((const unsigned char *)start, (const unsigned char *)end,
				   secret->text);
		if (found != NULL)
			snprintf(where, where_size, "%s at %p in %lx-%lx %s", secret->name,
				 (const void *)found, start, end, path);
	}
	fclose(maps);
}

static void assert_not_in_memory(const struct secret *secret)
{
	char where[512];

	find_in_memory(secret, where, sizeof(where));
	ck_assert_msg(where[0] == '\0', "found %s", where);
}

/* ---- the secrets ------------------------------------------------------------------ */

static void make_page(void)
{
	page = mmap(NULL, sizeof(*page), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	ck_assert_ptr_ne(page, MAP_FAILED);
	snprintf(page->login, sizeof(page->login), "%s", LOGIN_POSITIONS);
	snprintf(page->passphrase, sizeof(page->passphrase), "%s", PASSPHRASE);
	login_pin = (struct secret){ "the PIN given to C_Login", page->login };
	pinentry_pin = (struct secret){ "the PIN from pinentry", page->positions };
	passphrase = (struct secret){ "the passphrase", page->passphrase };
}

static void lock_page(bool locked)
{
	ck_assert_int_eq(mprotect(page, sizeof(*page), locked ? PROT_READ
							     : PROT_READ | PROT_WRITE), 0);
}

/*
 * The positions pinentry typed for DEVICE_PIN in the last matrix the
 * simulator showed (keypad layout 7 8 9 / 4 5 6 / 1 2 3).
 */
static void pinentry_positions(void)
{
	static const char keypad[9] = { '7', '8', '9', '4', '5', '6', '1', '2', '3' };
	char line[256], cells[9] = { 0 };
	const char *digit;
	FILE *log = fopen(sim.log_path, "r");
	size_t i, cell, length = 0;

	ck_assert_ptr_nonnull(log);
	while (fgets(line, sizeof(line), log) != NULL) {
		char *text = strstr(line, "PIN matrix: ");

		if (text == NULL)
			continue;
		for (text += 12, cell = 0; *text != '\0' && cell < 9; text++)
			if (*text >= '1' && *text <= '9')
				cells[cell++] = *text;
	}
	fclose(log);
	lock_page(false);
	for (digit = DEVICE_PIN; *digit != '\0'; digit++)
		for (i = 0; i < 9; i++)
			if (cells[i] == *digit)
				page->positions[length++] = keypad[i];
	page->positions[length] = '\0';
	lock_page(true);
	ck_assert_uint_eq(length, strlen(DEVICE_PIN));
}

/* ---- fixture ---------------------------------------------------------------------- */

static void set_up(void)
{
	static const char *const args[] = { "--pin", DEVICE_PIN, "--matrix-seed", "5",
					    "--passphrase-protection", "--sign-delay", "3000",
					    NULL };
	const char *tmp = getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp";
	const char *srcdir = getenv("abs_top_srcdir");
	char pinentry[512];
	int fd;

	ck_assert_ptr_nonnull(srcdir);
	make_page();
	module_environment(&sim, args);
	snprintf(passphrase_path, sizeof(passphrase_path), "%s/trezor-passphrase-XXXXXX", tmp);
	fd = mkstemp(passphrase_path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, page->passphrase, strlen(page->passphrase)),
			 (ssize_t)strlen(page->passphrase));
	close(fd);
	lock_page(true);
	snprintf(pinentry, sizeof(pinentry), "%s/tests/integration/fake-pinentry", srcdir);
	setenv("TREZOR_PKCS11_PINENTRY", pinentry, 1);
	setenv("FAKE_PINENTRY_SIM_LOG", sim.log_path, 1);
	setenv("FAKE_PINENTRY_PIN", DEVICE_PIN, 1);
	setenv("FAKE_PINENTRY_PASSPHRASE_FILE", passphrase_path, 1);
	unsetenv("TREZOR_PASSPHRASE");
	unsetenv("MALLOC_PERTURB_");    /* it would wipe freed memory for the module */
	p11 = module_load(&library);
}

static void tear_down(void)
{
	unlink(passphrase_path);
	sim_process_stop(&sim);
	munmap(page, sizeof(*page));
}

/* ---- using the secrets -------------------------------------------------------------- */

struct signing {
	CK_SESSION_HANDLE session;
	CK_RV rv;
};

static void *sign(void *argument)
{
	struct signing *signing = argument;
	CK_MECHANISM ecdsa = { CKM_ECDSA, NULL, 0 };
	CK_BYTE digest[32], signature[64];
	CK_ULONG length = sizeof(signature);

	memset(digest, 0x33, sizeof(digest));
	signing->rv = p11->C_SignInit(signing->session, &ecdsa, ALICE_PRIVATE);
	if (signing->rv == CKR_OK)
		signing->rv = p11->C_Sign(signing->session, digest, sizeof(digest), signature,
					  &length);
	return NULL;
}

/* C_Login with the PIN, held in the clear on this stack only for the call. */
static CK_RV login(CK_SESSION_HANDLE session)
{
	CK_UTF8CHAR pin[SECRET_MAX];
	size_t length = strlen(login_pin.text);
	CK_RV rv;

	memcpy(pin, login_pin.text, length);
	rv = p11->C_Login(session, CKU_USER, pin, length);
	explicit_bzero(pin, sizeof(pin));
	return rv;
}

static void wait_for_sim(const char *text)
{
	struct timespec pause = { 0, 10 * 1000 * 1000 };
	int tries;

	for (tries = 0; tries < 1000 && sim_process_count(&sim, text) == 0; tries++)
		nanosleep(&pause, NULL);
	ck_assert_int_gt(sim_process_count(&sim, text), 0);
}

/*
 * Log in with grid positions that are wrong for the device's matrix (the
 * device says so), then sign again in a thread: pinentry gives the right
 * positions and the passphrase. While the device computes (--sign-delay),
 * `during` runs; then the session logs out.
 */
static void use_every_secret(void (*during)(void))
{
	struct signing signing = { 0 };
	pthread_t thread;

	ck_assert_int_eq(p11->C_Initialize(NULL), CKR_OK);
	signing.session = module_open_session(p11, CKF_SERIAL_SESSION, NULL);
	ck_assert_int_eq(login(signing.session), CKR_OK);
	sign(&signing);
	ck_assert_int_eq(signing.rv, CKR_PIN_INCORRECT);
	ck_assert_int_eq(pthread_create(&thread, NULL, sign, &signing), 0);
	wait_for_sim("wallet chosen (a passphrase)");
	pinentry_positions();
	if (during != NULL)
		during();
	ck_assert_int_eq(pthread_join(thread, NULL), 0);
	ck_assert_int_eq(signing.rv, CKR_OK);
	ck_assert_int_eq(p11->C_Logout(signing.session), CKR_OK);
	ck_assert_int_eq(sim_process_count(&sim, "<- PinMatrixAck"), 2);
}

static void assert_nothing_in_memory(void)
{
	assert_not_in_memory(&login_pin);
	assert_not_in_memory(&pinentry_pin);
	assert_not_in_memory(&passphrase);
}

/* The scan starts while the module waits for the signature (3 s of it). */
static void scan_while_the_device_computes(void)
{
	ck_assert_int_eq(sim_process_count(&sim, "-> SignedIdentity"), 0);
	assert_nothing_in_memory();
}

START_TEST(secrets_are_wiped)
{
	use_every_secret(scan_while_the_device_computes);
	/* After C_Logout, the module still initialised. */
	assert_nothing_in_memory();
	ck_assert_int_eq(p11->C_Finalize(NULL), CKR_OK);
	assert_nothing_in_memory();
}
END_TEST

/* The scan finds a piece of a secret that is there, so its silence means something. */
START_TEST(scan_finds_a_piece)
{
	size_t length = strlen(PASSPHRASE);
	char *copy = malloc(length), where[512];

	ck_assert_ptr_nonnull(copy);
	/* The middle of it, as a freed block would keep it. */
	memcpy(copy, passphrase.text + 16, length - 16);
	find_in_memory(&passphrase, where, sizeof(where));
	ck_assert_ptr_nonnull(strstr(where, "the passphrase at "));
	explicit_bzero(copy, length);
	free(copy);
	assert_not_in_memory(&passphrase);
}
END_TEST

/* ---- the log ------------------------------------------------------------------------ */

/* Whether WINDOW bytes of the secret, at one of its STEP offsets, are in the text as hex. */
static bool hex_in_text(const char *text, const char *secret, const char *digits)
{
	size_t length = strlen(text), secret_length = strlen(secret), offset, i, j;
	unsigned char byte;

	for (offset = 0; offset + WINDOW <= secret_length; offset += STEP) {
		for (i = 0; i + 2 * WINDOW <= length; i++) {
			for (j = 0; j < WINDOW; j++) {
				byte = (unsigned char)secret[offset + j];
				if (text[i + 2 * j] != digits[byte >> 4] ||
				    text[i + 2 * j + 1] != digits[byte & 15])
					break;
			}
			if (j == WINDOW)
				return true;
		}
	}
	return false;
}

START_TEST(verbose_log_shows_no_secret)
{
	const char *tmp = getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp";
	const struct secret *secrets[] = { &login_pin, &pinentry_pin, &passphrase };
	char log_path[512];
	static char text[1 << 16];
	ssize_t length;
	size_t i;
	int fd, saved;

	snprintf(log_path, sizeof(log_path), "%s/trezor-debug-log-XXXXXX", tmp);
	fd = mkstemp(log_path);
	ck_assert_int_ge(fd, 0);
	setenv("TREZOR_PKCS11_DEBUG", "9", 1);
	saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	use_every_secret(NULL);
	p11->C_Finalize(NULL);
	dup2(saved, STDERR_FILENO);
	close(saved);
	length = pread(fd, text, sizeof(text) - 1, 0);
	close(fd);
	unlink(log_path);
	ck_assert_int_gt(length, 0);
	text[length] = '\0';
	/* It is the verbose log: it shows the conversation, but not the sizes
	 * of the PIN and passphrase answers, which would tell their lengths. */
	ck_assert_ptr_nonnull(strstr(text, "trezor-pkcs11: -> PinMatrixAck\n"));
	ck_assert_ptr_nonnull(strstr(text, "trezor-pkcs11: -> PassphraseAck\n"));
	ck_assert_ptr_null(strstr(text, "-> PinMatrixAck ("));
	ck_assert_ptr_null(strstr(text, "-> PassphraseAck ("));
	for (i = 0; i < 3; i++) {
		const unsigned char *start = (const unsigned char *)text;

		ck_assert_msg(find_piece(start, start + length, secrets[i]->text) == NULL,
			      "the log shows %s", secrets[i]->name);
		ck_assert_msg(!hex_in_text(text, secrets[i]->text, "0123456789abcdef") &&
			      !hex_in_text(text, secrets[i]->text, "0123456789ABCDEF"),
			      "the log shows %s in hex", secrets[i]->name);
	}
	/* The static buffer held the log, not a secret; clear it for the next test. */
	explicit_bzero(text, sizeof(text));
}
END_TEST

static Suite *secrets_suite(void)
{
	Suite *suite = suite_create("pkcs11 secrets");
	TCase *tc = tcase_create("secrets");

	tcase_add_checked_fixture(tc, set_up, tear_down);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, scan_finds_a_piece);
	tcase_add_test(tc, secrets_are_wiped);
	tcase_add_test(tc, verbose_log_shows_no_secret);
	suite_add_tcase(suite, tc);
	return suite;
}

int main(void)
{
	return run_suite(secrets_suite());
}
