/*
 * main() for a fuzz target outside libFuzzer (every build but
 * --enable-fuzzing): LLVMFuzzerTestOneInput runs once on every file of the
 * target's seed corpus and regressions,
 *
 *     $abs_top_srcdir/tests/fuzz/corpus/NAME        (must hold inputs)
 *     $abs_top_srcdir/tests/fuzz/regressions/NAME   (may be absent)
 *
 * or on the files and directories named on the command line. A finding
 * aborts, which fails the test; so `make check` replays every input that
 * once crashed, and the ASan build replays them under the sanitizers.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#ifndef FUZZ_TARGET_NAME
#error "FUZZ_TARGET_NAME names the target's corpus directory"
#endif

/* Larger inputs than libFuzzer would make are a mistake in the corpus. */
#define INPUT_MAX (1024 * 1024)

/* Read a whole file into a buffer of exactly its size (ASan sees over-reads). */
static uint8_t *read_input(const char *path, size_t *size)
{
	FILE *file = fopen(path, "rb");
	uint8_t *data = NULL;
	long length;

	if (file == NULL)
		return NULL;
	if (fseek(file, 0, SEEK_END) == 0 && (length = ftell(file)) >= 0 && length <= INPUT_MAX &&
	    fseek(file, 0, SEEK_SET) == 0) {
		data = malloc(length > 0 ? (size_t)length : 1);
		if (data != NULL && fread(data, 1, (size_t)length, file) != (size_t)length) {
			free(data);
			data = NULL;
		}
		*size = (size_t)length;
	}
	fclose(file);
	return data;
}

static int run_file(const char *path)
{
	size_t size = 0;
	uint8_t *data = read_input(path, &size);

	if (data == NULL) {
		fprintf(stderr, "%s: cannot read (or larger than %d bytes)\n", path, INPUT_MAX);
		return -1;
	}
	fprintf(stderr, "running %s (%zu bytes)\n", path, size);
	LLVMFuzzerTestOneInput(data, size);
	free(data);
	return 1;
}

static int skip_hidden(const struct dirent *entry)
{
	return entry->d_name[0] != '.';
}

/* Every file of a directory, in name order; -1 when it cannot be read. */
static int run_directory(const char *path)
{
	struct dirent **entries;
	int count = scandir(path, &entries, skip_hidden, alphasort);
	int ran = 0, i;

	if (count < 0)
		return -1;
	for (i = 0; i < count; i++) {
		char file[4096];
		int result;

		snprintf(file, sizeof(file), "%s/%s", path, entries[i]->d_name);
		result = ran >= 0 ? run_file(file) : 0;
		ran = result < 0 ? -1 : ran + result;
		free(entries[i]);
	}
	free(entries);
	return ran;
}

static int run_path(const char *path)
{
	struct stat info;

	if (stat(path, &info) != 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	return S_ISDIR(info.st_mode) ? run_directory(path) : run_file(path);
}

/* The target's own corpus (required) and regressions (optional). */
static int run_own_inputs(void)
{
	const char *top = getenv("abs_top_srcdir");
	char corpus[4096], regressions[4096];
	struct stat info;
	int seeds, replays = 0;

	if (top == NULL) {
		fprintf(stderr, "set abs_top_srcdir (make check does), or name inputs\n");
		return EXIT_FAILURE;
	}
	snprintf(corpus, sizeof(corpus), "%s/tests/fuzz/corpus/%s", top, FUZZ_TARGET_NAME);
	snprintf(regressions, sizeof(regressions), "%s/tests/fuzz/regressions/%s", top,
		 FUZZ_TARGET_NAME);
	seeds = run_directory(corpus);
	if (seeds <= 0) {
		fprintf(stderr, "%s: no seed inputs there\n", corpus);
		return EXIT_FAILURE;
	}
	if (stat(regressions, &info) == 0)
		replays = run_directory(regressions);
	if (replays < 0)
		return EXIT_FAILURE;
	fprintf(stderr, "fuzz_%s: %d seed inputs and %d regressions ran without a finding\n",
		FUZZ_TARGET_NAME, seeds, replays);
	return EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
	int i, ran = 0, result;

	LLVMFuzzerInitialize(&argc, &argv);
	if (argc < 2)
		return run_own_inputs();
	for (i = 1; i < argc; i++) {
		result = run_path(argv[i]);
		if (result < 0)
			return EXIT_FAILURE;
		ran += result;
	}
	fprintf(stderr, "fuzz_%s: %d inputs ran without a finding\n", FUZZ_TARGET_NAME, ran);
	return EXIT_SUCCESS;
}
