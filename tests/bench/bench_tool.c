/*
 * bench-tool: the measuring parts of ./quickstart bench.
 *
 *   bench-tool run REPEAT COMMAND... [:: COMMAND...]
 *                                      run each COMMAND REPEAT times, taking
 *                                      turns (A B A B ...); per command one
 *                                      line: wall milliseconds min, median
 *                                      and max, median CPU milliseconds and
 *                                      median peak RSS. A command may start
 *                                      with "--clear FILE": FILE is removed
 *                                      before each of its runs, untimed (a
 *                                      cold cache). BENCH_ANY_STATUS=1
 *                                      accepts a failing exit, as
 *                                      ssh-keygen's without keys.
 *   bench-tool stats                   min, median and max of the numbers on
 *                                      stdin, one a line
 *   bench-tool ping                    PINGPING to TREZOR_PATH (udp:...), and
 *                                      wait for its PONGPONG: the simulator
 *                                      has read everything sent to it before
 *   bench-tool init REPEAT             C_Initialize + C_GetSlotList + C_Finalize
 *   bench-tool list REPEAT             C_Initialize to C_Finalize, reading every
 *                                      object as a key listing does (warm);
 *                                      both in one process, min, median and
 *                                      max milliseconds
 *   bench-tool threads THREADS TOTAL   TOTAL signatures from THREADS threads,
 *                                      C_Sign (CKM_ECDSA) with the first
 *                                      private key of the module at
 *                                      TREZOR_PKCS11_MODULE
 *   bench-tool softhsm-fill MODULE N   N P-256 key pairs on the first token
 *                                      (user PIN in BENCH_PIN)
 *
 * Results go to stdout as NAME=VALUE words, for the script to read.
 */
#include "config.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pkcs11_types.h"

#define REPEAT_MAX 100000

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *values, int count)
{
	qsort(values, (size_t)count, sizeof(*values), compare_doubles);
	return count % 2 == 1 ? values[count / 2]
			      : (values[count / 2 - 1] + values[count / 2]) / 2;
}

/* NAME_min=... NAME_median=... NAME_max=..., in milliseconds. */
static void print_spread(const char *name, double *values, int count)
{
	double middle = median(values, count);  /* sorts them */

	printf("%s_min=%.3f %s_median=%.3f %s_max=%.3f\n", name, values[0], name, middle, name,
	       values[count - 1]);
}

static double *new_times(int repeat)
{
	double *times = calloc((size_t)repeat, sizeof(double));

	if (times == NULL) {
		fprintf(stderr, "bench-tool: out of memory\n");
		exit(1);
	}
	return times;
}

static int parse_count(const char *text, int max)
{
	char *end;
	long value = strtol(text, &end, 10);

	if (*text == '\0' || *end != '\0' || value < 1 || value > max) {
		fprintf(stderr, "bench-tool: bad count \"%s\"\n", text);
		exit(2);
	}
	return (int)value;
}

static void fail(const char *what, CK_RV rv)
{
	fprintf(stderr, "bench-tool: %s failed: 0x%lx\n", what, rv);
	exit(1);
}

/* ---- run: whole processes -------------------------------------------------------- */

#define COMMANDS_MAX 4

/* The times of one command over the repeats. */
struct process_times {
	char **argv;
	const char *clear;              /* removed before each run, or NULL */
	double *wall, *cpu, *rss;
};

/* Run ARGV once, its output discarded; record its times as repeat I. */
static int run_once(struct process_times *times, int i)
{
	struct rusage usage;
	double started;
	pid_t child;
	int status;

	if (times->clear != NULL)
		unlink(times->clear);
	started = now_us();
	child = fork();
	if (child == 0) {
		if (freopen("/dev/null", "w", stdout) == NULL ||
		    freopen("/dev/null", "w", stderr) == NULL)
			_exit(126);
		execvp(times->argv[0], times->argv);
		_exit(127);
	}
	if (child < 0 || wait4(child, &status, 0, &usage) != child) {
		perror("bench-tool: run");
		return 1;
	}
	times->wall[i] = (now_us() - started) / 1000;
	times->cpu[i] = (double)(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000 +
			(double)(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000;
	times->rss[i] = (double)usage.ru_maxrss;
	if (!WIFEXITED(status) ||
	    (WEXITSTATUS(status) != 0 && getenv("BENCH_ANY_STATUS") == NULL)) {
		fprintf(stderr, "bench-tool: %s exited with %d\n", times->argv[0], status);
		return 1;
	}
	return 0;
}

/*
 * The commands are separated by "::" words. They take turns, round after
 * round, so that two commands compared are measured under the same load.
 * One line per command, in order.
 */
static int command_run(int repeat, char **words)
{
	struct process_times commands[COMMANDS_MAX];
	int command_count = 0, i, c;

	while (*words != NULL) {
		if (command_count == COMMANDS_MAX || strcmp(*words, "::") == 0) {
			fprintf(stderr, "bench-tool: at most %d commands, each non-empty\n",
				COMMANDS_MAX);
			return 2;
		}
		commands[command_count].clear = NULL;
		if (strcmp(*words, "--clear") == 0 && words[1] != NULL && words[2] != NULL) {
			commands[command_count].clear = words[1];
			words += 2;
		}
		commands[command_count].argv = words;
		commands[command_count].wall = new_times(repeat);
		commands[command_count].cpu = new_times(repeat);
		commands[command_count].rss = new_times(repeat);
		command_count++;
		while (*words != NULL && strcmp(*words, "::") != 0)
			words++;
		if (*words != NULL)
			*words++ = NULL;        /* ends this command's argv */
	}
	for (i = 0; i < repeat; i++)
		for (c = 0; c < command_count; c++)
			if (run_once(&commands[c], i) != 0)
				return 1;
	for (c = 0; c < command_count; c++) {
		double median_wall = median(commands[c].wall, repeat);

		/* median() sorted the times: the first is the least. */
		printf("wall_min=%.2f wall_median=%.2f wall_max=%.2f cpu_ms=%.2f maxrss_kb=%.0f\n",
		       commands[c].wall[0], median_wall, commands[c].wall[repeat - 1],
		       median(commands[c].cpu, repeat), median(commands[c].rss, repeat));
	}
	return 0;
}

/* ---- stats: min, median and max of numbers on stdin ------------------------------ */

static int command_stats(void)
{
	double *values = NULL, *grown, value;
	size_t length = 0, room = 0;

	while (scanf("%lf", &value) == 1) {
		if (length == room) {
			room = room == 0 ? 64 : room * 2;
			grown = realloc(values, room * sizeof(*values));
			if (grown == NULL) {
				fprintf(stderr, "bench-tool: out of memory\n");
				return 1;
			}
			values = grown;
		}
		values[length++] = value;
	}
	if (length == 0 || length > REPEAT_MAX) {
		fprintf(stderr, "bench-tool: stats wants 1 to %d numbers\n", REPEAT_MAX);
		return 2;
	}
	value = median(values, (int)length);
	printf("min=%.2f median=%.2f max=%.2f\n", values[0], value, values[length - 1]);
	free(values);
	return 0;
}

/* ---- ping: the simulator has read all that came before ----------------------------- */

static int command_ping(void)
{
	const char *path = getenv("TREZOR_PATH");
	struct sockaddr_in address = { .sin_family = AF_INET };
	struct pollfd waiting;
	char answer[16];
	int fd;

	if (path == NULL || strncmp(path, "udp:127.0.0.1:", 14) != 0) {
		fprintf(stderr, "bench-tool: ping wants TREZOR_PATH=udp:127.0.0.1:PORT\n");
		return 2;
	}
	address.sin_port = htons((uint16_t)atoi(path + 14));
	address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	waiting.fd = fd;
	waiting.events = POLLIN;
	/* Datagrams to one socket are read in the order they came. */
	if (fd < 0 || connect(fd, (struct sockaddr *)&address, sizeof(address)) != 0 ||
	    send(fd, "PINGPING", 8, 0) != 8 || poll(&waiting, 1, 5000) != 1 ||
	    recv(fd, answer, sizeof(answer), 0) != 8 || memcmp(answer, "PONGPONG", 8) != 0) {
		fprintf(stderr, "bench-tool: no PONGPONG from %s\n", path);
		return 1;
	}
	close(fd);
	return 0;
}

/* ---- the module ------------------------------------------------------------------ */

static CK_FUNCTION_LIST *load_module(const char *path)
{
	CK_RV (*get_list)(CK_FUNCTION_LIST_PTR_PTR);
	CK_FUNCTION_LIST *list = NULL;
	void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);

	if (handle == NULL) {
		fprintf(stderr, "bench-tool: %s\n", dlerror());
		exit(1);
	}
	*(void **)&get_list = dlsym(handle, "C_GetFunctionList");
	if (get_list == NULL || get_list(&list) != CKR_OK)
		fail("C_GetFunctionList", CKR_GENERAL_ERROR);
	return list;
}

static CK_FUNCTION_LIST *our_module(void)
{
	const char *path = getenv("TREZOR_PKCS11_MODULE");

	if (path == NULL) {
		fprintf(stderr, "bench-tool: TREZOR_PKCS11_MODULE is not set\n");
		exit(2);
	}
	return load_module(path);
}

static int command_init(int repeat)
{
	CK_FUNCTION_LIST *p11 = our_module();
	double *times = new_times(repeat), started;
	CK_SLOT_ID slots[8];
	CK_ULONG length;
	int i;

	for (i = 0; i < repeat; i++) {
		started = now_us();
		if (p11->C_Initialize(NULL) != CKR_OK)
			fail("C_Initialize", CKR_GENERAL_ERROR);
		length = 8;
		if (p11->C_GetSlotList(CK_FALSE, slots, &length) != CKR_OK)
			fail("C_GetSlotList", CKR_GENERAL_ERROR);
		p11->C_Finalize(NULL);
		times[i] = (now_us() - started) / 1000;
	}
	print_spread("init", times, repeat);
	return 0;
}

/* A session on the first initialised token (SoftHSM2 also shows an empty one). */
static CK_SESSION_HANDLE open_first_token(CK_FUNCTION_LIST *p11)
{
	CK_SLOT_ID slots[16];
	CK_ULONG length = 16, i;
	CK_TOKEN_INFO token;
	CK_SESSION_HANDLE session;
	CK_RV rv = p11->C_GetSlotList(CK_TRUE, slots, &length);

	if (rv != CKR_OK)
		fail("C_GetSlotList", rv);
	for (i = 0; i < length; i++) {
		if (p11->C_GetTokenInfo(slots[i], &token) != CKR_OK ||
		    !(token.flags & CKF_TOKEN_INITIALIZED))
			continue;
		rv = p11->C_OpenSession(slots[i], CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL,
					&session);
		if (rv != CKR_OK)
			fail("C_OpenSession", rv);
		return session;
	}
	fail("finding an initialised token", CKR_TOKEN_NOT_PRESENT);
	return CK_INVALID_HANDLE;
}

/* The session's first private key: what the module lists first. */
static CK_OBJECT_HANDLE first_private_key(CK_FUNCTION_LIST *p11, CK_SESSION_HANDLE session)
{
	CK_OBJECT_CLASS private_class = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE wanted = { CKA_CLASS, &private_class, sizeof(private_class) };
	CK_OBJECT_HANDLE key = CK_INVALID_HANDLE;
	CK_ULONG found = 0;
	CK_RV rv = p11->C_FindObjectsInit(session, &wanted, 1);

	if (rv == CKR_OK)
		rv = p11->C_FindObjects(session, &key, 1, &found);
	if (rv == CKR_OK)
		rv = p11->C_FindObjectsFinal(session);
	if (rv != CKR_OK || found != 1)
		fail("finding a private key", rv);
	return key;
}

static void sign_once(CK_FUNCTION_LIST *p11, CK_SESSION_HANDLE session, CK_OBJECT_HANDLE key)
{
	CK_MECHANISM ecdsa = { CKM_ECDSA, NULL, 0 };
	CK_BYTE digest[32], signature[72];
	CK_ULONG length = sizeof(signature);
	CK_RV rv;

	memset(digest, 0x5a, sizeof(digest));
	rv = p11->C_SignInit(session, &ecdsa, key);
	if (rv == CKR_OK)
		rv = p11->C_Sign(session, digest, sizeof(digest), signature, &length);
	if (rv != CKR_OK || length != 64)
		fail("C_Sign", rv);
}

/* The attributes a key listing reads of one object (a public key's point too). */
static CK_RV read_object(CK_FUNCTION_LIST *p11, CK_SESSION_HANDLE session,
			 CK_OBJECT_HANDLE object)
{
	CK_OBJECT_CLASS object_class;
	CK_BYTE id[64], label[256], params[16], point[80];
	CK_ATTRIBUTE attributes[] = {
		{ CKA_CLASS, &object_class, sizeof(object_class) },
		{ CKA_ID, id, sizeof(id) },
		{ CKA_LABEL, label, sizeof(label) },
		{ CKA_EC_PARAMS, params, sizeof(params) },
		{ CKA_EC_POINT, point, sizeof(point) },
	};
	CK_RV rv = p11->C_GetAttributeValue(session, object, attributes, 3);

	if (rv == CKR_OK && object_class == CKO_PUBLIC_KEY)
		rv = p11->C_GetAttributeValue(session, object, attributes + 3, 2);
	return rv;
}

/*
 * What ssh-keygen -D asks of the module, without ssh's own work: every
 * object, with the attributes a key listing reads. The cache must be warm.
 */
static void list_once(CK_FUNCTION_LIST *p11)
{
	CK_OBJECT_HANDLE objects[64];
	CK_ULONG found, i;
	CK_SESSION_HANDLE session;
	CK_RV rv;

	if (p11->C_Initialize(NULL) != CKR_OK)
		fail("C_Initialize", CKR_GENERAL_ERROR);
	session = open_first_token(p11);
	rv = p11->C_FindObjectsInit(session, NULL, 0);
	do {
		found = 0;
		if (rv == CKR_OK)
			rv = p11->C_FindObjects(session, objects, 64, &found);
		for (i = 0; rv == CKR_OK && i < found; i++)
			rv = read_object(p11, session, objects[i]);
	} while (rv == CKR_OK && found > 0);
	if (rv == CKR_OK)
		rv = p11->C_FindObjectsFinal(session);
	if (rv != CKR_OK)
		fail("listing the objects", rv);
	p11->C_Finalize(NULL);
}

static int command_list(int repeat)
{
	CK_FUNCTION_LIST *p11 = our_module();
	double *times = new_times(repeat), started;
	int i;

	list_once(p11);                 /* the cache is warm from here on */
	for (i = 0; i < repeat; i++) {
		started = now_us();
		list_once(p11);
		times[i] = (now_us() - started) / 1000;
	}
	print_spread("list", times, repeat);
	return 0;
}

/* ---- threads -------------------------------------------------------------------- */

struct signer {
	CK_FUNCTION_LIST *p11;
	CK_SESSION_HANDLE session;
	CK_OBJECT_HANDLE key;
	int count;
};

static void *sign_many(void *argument)
{
	struct signer *signer = argument;
	int i;

	for (i = 0; i < signer->count; i++)
		sign_once(signer->p11, signer->session, signer->key);
	return NULL;
}

static int command_threads(int threads, int total)
{
	CK_FUNCTION_LIST *p11 = our_module();
	CK_C_INITIALIZE_ARGS args = { .flags = CKF_OS_LOCKING_OK };
	struct signer signers[64];
	pthread_t ids[64];
	double started;
	int i;

	if (threads > 64 || p11->C_Initialize(&args) != CKR_OK)
		fail("C_Initialize", CKR_GENERAL_ERROR);
	for (i = 0; i < threads; i++) {
		signers[i].p11 = p11;
		signers[i].session = open_first_token(p11);
		signers[i].key = first_private_key(p11, signers[i].session);
		signers[i].count = total / threads;
	}
	sign_once(p11, signers[0].session, signers[0].key);
	started = now_us();
	for (i = 0; i < threads; i++)
		if (pthread_create(&ids[i], NULL, sign_many, &signers[i]) != 0)
			fail("pthread_create", CKR_GENERAL_ERROR);
	for (i = 0; i < threads; i++)
		pthread_join(ids[i], NULL);
	printf("signatures_per_s=%.1f\n",
	       (double)(threads * (total / threads)) / ((now_us() - started) / 1e6));
	p11->C_Finalize(NULL);
	return 0;
}

/* ---- SoftHSM2, as the software floor --------------------------------------------- */

static int command_softhsm_fill(const char *path, int keys)
{
	static const CK_BYTE prime256v1[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03,
					      0x01, 0x07 };
	CK_FUNCTION_LIST *p11 = load_module(path);
	CK_MECHANISM generate = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };
	CK_BBOOL yes = CK_TRUE;
	const char *pin = getenv("BENCH_PIN");
	CK_SESSION_HANDLE session;
	CK_OBJECT_HANDLE public_key, private_key;
	char label[32];
	CK_BYTE id[4];
	int i;
	CK_RV rv;

	if (pin == NULL || p11->C_Initialize(NULL) != CKR_OK)
		fail("C_Initialize (and BENCH_PIN)", CKR_GENERAL_ERROR);
	session = open_first_token(p11);
	rv = p11->C_Login(session, CKU_USER, (CK_UTF8CHAR_PTR)pin, strlen(pin));
	if (rv != CKR_OK)
		fail("C_Login", rv);
	for (i = 0; i < keys; i++) {
		CK_ATTRIBUTE public_template[] = {
			{ CKA_TOKEN, &yes, sizeof(yes) },
			{ CKA_VERIFY, &yes, sizeof(yes) },
			{ CKA_EC_PARAMS, (void *)prime256v1, sizeof(prime256v1) },
			{ CKA_LABEL, label, 0 },
			{ CKA_ID, id, sizeof(id) },
		};
		CK_ATTRIBUTE private_template[] = {
			{ CKA_TOKEN, &yes, sizeof(yes) },
			{ CKA_SIGN, &yes, sizeof(yes) },
			{ CKA_PRIVATE, &yes, sizeof(yes) },
			{ CKA_SENSITIVE, &yes, sizeof(yes) },
			{ CKA_LABEL, label, 0 },
			{ CKA_ID, id, sizeof(id) },
		};

		public_template[3].ulValueLen = private_template[4].ulValueLen =
			(CK_ULONG)snprintf(label, sizeof(label), "key%d@bench.example", i);
		memcpy(id, &i, sizeof(id));
		rv = p11->C_GenerateKeyPair(session, &generate, public_template, 5,
					    private_template, 6, &public_key, &private_key);
		if (rv != CKR_OK)
			fail("C_GenerateKeyPair", rv);
	}
	p11->C_Finalize(NULL);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: bench-tool run REPEAT [--clear FILE] COMMAND... [:: ...] |\n"
			"       stats | ping | init REPEAT | list REPEAT | threads THREADS TOTAL |\n"
			"       softhsm-fill MODULE N\n");
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "stats") == 0)
		return command_stats();
	if (argc == 2 && strcmp(argv[1], "ping") == 0)
		return command_ping();
	if (argc < 3)
		usage();
	if (strcmp(argv[1], "run") == 0 && argc >= 4)
		return command_run(parse_count(argv[2], REPEAT_MAX), argv + 3);
	if (strcmp(argv[1], "init") == 0)
		return command_init(parse_count(argv[2], REPEAT_MAX));
	if (strcmp(argv[1], "list") == 0)
		return command_list(parse_count(argv[2], REPEAT_MAX));
	if (strcmp(argv[1], "threads") == 0 && argc == 4)
		return command_threads(parse_count(argv[2], 64), parse_count(argv[3], REPEAT_MAX));
	if (strcmp(argv[1], "softhsm-fill") == 0 && argc == 4)
		return command_softhsm_fill(argv[2], parse_count(argv[3], REPEAT_MAX));
	usage();
	return 2;
}
