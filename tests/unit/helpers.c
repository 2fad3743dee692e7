/* Test helpers: the simulator as a child process, hex. See helpers.h. */
#include "config.h"

#include "helpers.h"

#include <check.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>

#include "pkcs11_types.h"

#define MAX_ARGS 32

static int read_listening_port(const char *log_path)
{
	char line[256];
	int port = 0;
	FILE *log = fopen(log_path, "r");

	if (log == NULL)
		return 0;
	while (port == 0 && fgets(line, sizeof(line), log) != NULL)
		if (sscanf(line, "listening on 127.0.0.1:%d", &port) != 1)
			port = 0;
	fclose(log);
	return port;
}

/* Run `binary --port 0 -v ARGS...` with stderr into log_path (in a child). */
static void exec_listener(const char *binary, const char *log_path, const char *const *args)
{
	const char *argv[MAX_ARGS + 5];
	int n = 0, fd = open(log_path, O_WRONLY | O_APPEND);

	if (fd < 0 || dup2(fd, STDERR_FILENO) < 0)
		_exit(126);
	argv[n++] = binary;
	argv[n++] = "--port";
	argv[n++] = "0";
	argv[n++] = "-v";
	for (; args != NULL && *args != NULL && n < MAX_ARGS + 4; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	execv(binary, (char *const *)argv);
	_exit(127);
}

/* The program named by the environment variable `variable`, started as a listener. */
static void listener_start(struct sim_process *process, const char *variable,
			   const char *const *args)
{
	const char *tmp = getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp";
	const char *binary = getenv(variable);
	struct timespec pause = { 0, 10 * 1000 * 1000 };
	int fd, tries;

	memset(process, 0, sizeof(*process));
	ck_assert_msg(binary != NULL, "%s is not set", variable);
	snprintf(process->log_path, sizeof(process->log_path), "%s/trezor-test-log-XXXXXX", tmp);
	fd = mkstemp(process->log_path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	process->pid = fork();
	ck_assert_int_ge(process->pid, 0);
	if (process->pid == 0)
		exec_listener(binary, process->log_path, args);
	for (tries = 0; tries < 500 && process->port == 0; tries++) {
		nanosleep(&pause, NULL);
		process->port = read_listening_port(process->log_path);
	}
	ck_assert_msg(process->port != 0, "%s did not start", binary);
}

void sim_process_start(struct sim_process *sim, const char *const *args)
{
	listener_start(sim, "TREZOR_SIM", args);
	snprintf(sim->path, sizeof(sim->path), "udp:127.0.0.1:%d", sim->port);
}

void bridge_process_start(struct sim_process *bridge, const struct sim_process *sim)
{
	char device[32];
	const char *args[] = { "--device", device, NULL };

	snprintf(device, sizeof(device), "1=%d", sim->port);
	listener_start(bridge, "FAKE_BRIDGE", args);
	snprintf(bridge->path, sizeof(bridge->path), "bridge:1");
	snprintf(device, sizeof(device), "127.0.0.1:%d", bridge->port);
	setenv("TREZOR_PKCS11_BRIDGE", device, 1);
}

void sim_process_kill(struct sim_process *sim)
{
	ck_assert_int_gt(sim->pid, 0);
	kill(sim->pid, SIGKILL);
	waitpid(sim->pid, NULL, 0);
	sim->pid = 0;
}

void sim_process_restart(struct sim_process *sim, const char *const *args)
{
	const char *with_port[MAX_ARGS + 1];
	char port[16];
	char identities[sizeof(sim->identities_path)], cache[sizeof(sim->cache_path)];
	int n = 0, expected = sim->port;

	for (; args != NULL && args[n] != NULL && n < MAX_ARGS - 2; n++)
		with_port[n] = args[n];
	snprintf(port, sizeof(port), "%d", sim->port);
	with_port[n++] = "--port";
	with_port[n++] = port;
	with_port[n] = NULL;
	snprintf(identities, sizeof(identities), "%s", sim->identities_path);
	snprintf(cache, sizeof(cache), "%s", sim->cache_path);
	sim->identities_path[0] = '\0';
	sim->cache_path[0] = '\0';
	sim_process_stop(sim);
	sim_process_start(sim, with_port);
	ck_assert_int_eq(sim->port, expected);
	snprintf(sim->identities_path, sizeof(sim->identities_path), "%s", identities);
	snprintf(sim->cache_path, sizeof(sim->cache_path), "%s", cache);
}

void temporary_directory(const char *name, char *out, size_t size)
{
	const char *tmp = getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp";

	ck_assert_int_lt(snprintf(out, size, "%s/%s-XXXXXX", tmp, name), (int)size);
	ck_assert_ptr_nonnull(mkdtemp(out));
}

const char *file_text(const char *path)
{
	static char text[4096];
	FILE *file = fopen(path, "r");
	size_t length;

	ck_assert_msg(file != NULL, "cannot read %s", path);
	length = fread(text, 1, sizeof(text) - 1, file);
	text[length] = '\0';
	fclose(file);
	return text;
}

void remove_tree(const char *path)
{
	char command[700];

	snprintf(command, sizeof(command), "rm -rf '%s'", path);
	if (system(command) != 0)
		fprintf(stderr, "could not remove %s\n", path);
}

void sim_process_stop(struct sim_process *sim)
{
	if (sim->pid > 0) {
		kill(sim->pid, SIGKILL);
		waitpid(sim->pid, NULL, 0);
		sim->pid = 0;
	}
	if (sim->log_path[0] != '\0')
		unlink(sim->log_path);
	sim->log_path[0] = '\0';
	if (sim->identities_path[0] != '\0')
		unlink(sim->identities_path);
	sim->identities_path[0] = '\0';
	if (sim->cache_path[0] != '\0')
		remove_tree(sim->cache_path);
	sim->cache_path[0] = '\0';
}

CK_FUNCTION_LIST *module_load(void **handle)
{
	const char *path = getenv("TREZOR_PKCS11_MODULE");
	CK_RV (*get_function_list)(CK_FUNCTION_LIST_PTR_PTR);
	CK_FUNCTION_LIST *functions = NULL;

	ck_assert_msg(path != NULL, "TREZOR_PKCS11_MODULE is not set");
	*handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	ck_assert_msg(*handle != NULL, "dlopen: %s", dlerror());
	*(void **)&get_function_list = dlsym(*handle, "C_GetFunctionList");
	ck_assert_ptr_nonnull(get_function_list);
	ck_assert_int_eq(get_function_list(&functions), CKR_OK);
	return functions;
}

CK_SESSION_HANDLE module_open_session(CK_FUNCTION_LIST *p11, CK_FLAGS flags, CK_SLOT_ID *slot)
{
	CK_SLOT_ID token_slot;
	CK_ULONG slots = 1;
	CK_SESSION_HANDLE session;

	ck_assert_uint_eq(p11->C_GetSlotList(CK_TRUE, &token_slot, &slots), CKR_OK);
	ck_assert_uint_eq(slots, 1);
	ck_assert_uint_eq(p11->C_OpenSession(token_slot, flags, NULL, NULL, &session), CKR_OK);
	if (slot != NULL)
		*slot = token_slot;
	return session;
}

void module_environment(struct sim_process *sim, const char *const *args)
{
	const char *tmp = getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp";
	static const char identities[] = "alice@example.com\nbob@example.org:2222\n";
	char identities_path[sizeof(sim->identities_path)], cache_path[sizeof(sim->cache_path)];
	int fd;

	snprintf(identities_path, sizeof(identities_path), "%s/trezor-identities-XXXXXX", tmp);
	fd = mkstemp(identities_path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, identities, sizeof(identities) - 1),
			 (ssize_t)(sizeof(identities) - 1));
	close(fd);
	temporary_directory("trezor-cache", cache_path, sizeof(cache_path));
	sim_process_start(sim, args);
	snprintf(sim->identities_path, sizeof(sim->identities_path), "%s", identities_path);
	snprintf(sim->cache_path, sizeof(sim->cache_path), "%s", cache_path);
	setenv("TREZOR_PKCS11_IDENTITIES", identities_path, 1);
	setenv("XDG_CACHE_HOME", cache_path, 1);
	setenv("XDG_RUNTIME_DIR", cache_path, 1);       /* the lock files: shared_lock.h */
	setenv("XDG_DATA_HOME", cache_path, 1);         /* THP's keys: thp_credentials.h */
	setenv("TREZOR_PATH", sim->path, 1);
}

int sim_process_count(const struct sim_process *sim, const char *text)
{
	char line[512];
	int count = 0;
	FILE *log = fopen(sim->log_path, "r");

	ck_assert_ptr_nonnull(log);
	while (fgets(line, sizeof(line), log) != NULL)
		if (strstr(line, text) != NULL)
			count++;
	fclose(log);
	return count;
}

size_t hex_to_bytes(const char *hex, unsigned char *out, size_t size)
{
	size_t length = strlen(hex), i;

	ck_assert_msg(length % 2 == 0 && length / 2 <= size, "bad hex in a test vector");
	for (i = 0; i < length / 2; i++) {
		unsigned value;

		ck_assert_int_eq(sscanf(hex + 2 * i, "%2x", &value), 1);
		out[i] = (unsigned char)value;
	}
	return length / 2;
}

void bytes_to_hex(const unsigned char *bytes, size_t length, char *out)
{
	size_t i;

	for (i = 0; i < length; i++)
		snprintf(out + 2 * i, 3, "%02x", bytes[i]);
	out[2 * length] = '\0';
}

void stderr_capture(struct stderr_capture *capture)
{
	const char *tmp = getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp";
	int fd;

	snprintf(capture->path, sizeof(capture->path), "%s/trezor-stderr-XXXXXX", tmp);
	fd = mkstemp(capture->path);
	ck_assert_int_ge(fd, 0);
	capture->saved = dup(STDERR_FILENO);
	ck_assert_int_ge(capture->saved, 0);
	ck_assert_int_ge(dup2(fd, STDERR_FILENO), 0);
	close(fd);
}

const char *stderr_captured(struct stderr_capture *capture)
{
	FILE *file;
	size_t length;

	ck_assert_int_ge(dup2(capture->saved, STDERR_FILENO), 0);
	close(capture->saved);
	file = fopen(capture->path, "r");
	ck_assert_ptr_nonnull(file);
	length = fread(capture->text, 1, sizeof(capture->text) - 1, file);
	capture->text[length] = '\0';
	fclose(file);
	unlink(capture->path);
	return capture->text;
}

int run_suite(Suite *suite)
{
	SRunner *runner = srunner_create(suite);
	const char *tmp = getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp";
	char data[512] = "";
	int failed;

	/* THP keeps a host key in the user's data directory: never the real one here. */
	if (getenv("XDG_DATA_HOME") == NULL) {
		snprintf(data, sizeof(data), "%s/trezor-test-data-XXXXXX", tmp);
		if (mkdtemp(data) == NULL) {
			perror("mkdtemp");
			exit(EXIT_FAILURE);
		}
		setenv("XDG_DATA_HOME", data, 1);
	}
	srunner_run_all(runner, CK_NORMAL);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	if (data[0] != '\0')
		remove_tree(data);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

void preload_fake_libusb(char **argv)
{
	const char *fake = getenv("FAKE_LIBUSB_LIBRARY");
	const char *preloaded = getenv("LD_PRELOAD");
	const char *asan = getenv("ASAN_OPTIONS");
	char value[2048];

	if (fake == NULL) {
		fprintf(stderr, "FAKE_LIBUSB_LIBRARY is not set\n");
		exit(EXIT_FAILURE);
	}
	if (preloaded != NULL && strstr(preloaded, fake) != NULL)
		return;
	snprintf(value, sizeof(value), "%s%s%s", fake, preloaded != NULL ? ":" : "",
		 preloaded != NULL ? preloaded : "");
	setenv("LD_PRELOAD", value, 1);
	/* The fake comes before the sanitizer runtime; tell it that is fine. */
	snprintf(value, sizeof(value), "%s%sverify_asan_link_order=0", asan != NULL ? asan : "",
		 asan != NULL ? ":" : "");
	setenv("ASAN_OPTIONS", value, 1);
	execv("/proc/self/exe", argv);
	perror("execv");
	exit(EXIT_FAILURE);
}

/* Q = r^-1 (s R - e G), R the point with x = r (+ n) and y of the given parity. */
bool ecdsa_recover(bool nist, const unsigned char digest[32], const unsigned char signature[64],
		   int recovery, unsigned char public_key[33])
{
	EC_GROUP *group = EC_GROUP_new_by_curve_name(nist ? NID_X9_62_prime256v1 : NID_secp256k1);
	const BIGNUM *order = group != NULL ? EC_GROUP_get0_order(group) : NULL;
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *r = BN_bin2bn(signature, 32, NULL), *s = BN_bin2bn(signature + 32, 32, NULL);
	BIGNUM *e = BN_bin2bn(digest, 32, NULL), *x = BN_new(), *r_inverse = BN_new();
	BIGNUM *u1 = BN_new(), *u2 = BN_new();
	EC_POINT *big_r = group != NULL ? EC_POINT_new(group) : NULL;
	EC_POINT *q = group != NULL ? EC_POINT_new(group) : NULL;
	bool ok = order != NULL && ctx != NULL && r != NULL && s != NULL && e != NULL &&
		  x != NULL && r_inverse != NULL && u1 != NULL && u2 != NULL && big_r != NULL &&
		  q != NULL && BN_copy(x, r) != NULL &&
		  ((recovery & 2) == 0 || BN_add(x, x, order) == 1) &&
		  EC_POINT_set_compressed_coordinates(group, big_r, x, recovery & 1, ctx) == 1 &&
		  BN_mod_inverse(r_inverse, r, order, ctx) != NULL &&
		  BN_mod_mul(u1, e, r_inverse, order, ctx) == 1 &&
		  BN_mod_sub(u1, order, u1, order, ctx) == 1 &&
		  BN_mod_mul(u2, s, r_inverse, order, ctx) == 1 &&
		  EC_POINT_mul(group, q, u1, big_r, u2, ctx) == 1 &&
		  EC_POINT_point2oct(group, q, POINT_CONVERSION_COMPRESSED, public_key, 33,
				     ctx) == 33;

	EC_POINT_free(big_r);
	EC_POINT_free(q);
	BN_free(r);
	BN_free(s);
	BN_free(e);
	BN_free(x);
	BN_free(r_inverse);
	BN_free(u1);
	BN_free(u2);
	BN_CTX_free(ctx);
	EC_GROUP_free(group);
	return ok;
}
