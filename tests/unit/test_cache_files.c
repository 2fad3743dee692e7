/*
 * The user's private files (module/cache_files.c): a file is written whole
 * or not at all, private to the user, with no temporary file left behind;
 * cache_file_create leaves a file that is already there as it is, so that
 * two programs making the same key at once agree on the first one's.
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache_files.h"
#include "helpers.h"

static char directory[512], file_path[600];

static void make_directory(void)
{
	temporary_directory("cache-files", directory, sizeof(directory));
	snprintf(file_path, sizeof(file_path), "%s/file", directory);
}

static void remove_directory(void)
{
	remove_tree(directory);
}

/* How many names the directory holds besides . and .. */
static int names_in_directory(void)
{
	DIR *dir = opendir(directory);
	struct dirent *entry;
	int names = 0;

	ck_assert_ptr_nonnull(dir);
	while ((entry = readdir(dir)) != NULL)
		if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0)
			names++;
	closedir(dir);
	return names;
}

static bool write_text(FILE *file, const void *data)
{
	return fputs(data, file) >= 0;
}

static bool fail_midway(FILE *file, const void *data)
{
	fputs(data, file);
	return false;
}

START_TEST(replace_writes_a_private_file_whole)
{
	struct stat status;

	ck_assert(cache_file_replace(file_path, write_text, "first\n"));
	ck_assert_str_eq(file_text(file_path), "first\n");
	ck_assert_int_eq(stat(file_path, &status), 0);
	ck_assert_int_eq(status.st_mode & 0777, 0600);
	ck_assert(cache_file_replace(file_path, write_text, "second\n"));
	ck_assert_str_eq(file_text(file_path), "second\n");
	ck_assert_int_eq(names_in_directory(), 1);
}
END_TEST

START_TEST(replace_that_fails_changes_nothing)
{
	ck_assert(cache_file_replace(file_path, write_text, "kept\n"));
	ck_assert(!cache_file_replace(file_path, fail_midway, "half"));
	ck_assert_str_eq(file_text(file_path), "kept\n");
	ck_assert_int_eq(names_in_directory(), 1);
}
END_TEST

START_TEST(create_writes_a_new_file)
{
	struct stat status;

	ck_assert(cache_file_create(file_path, write_text, "made\n"));
	ck_assert_str_eq(file_text(file_path), "made\n");
	ck_assert_int_eq(stat(file_path, &status), 0);
	ck_assert_int_eq(status.st_mode & 0777, 0600);
	ck_assert_int_eq(names_in_directory(), 1);
}
END_TEST

START_TEST(create_leaves_an_existing_file_alone)
{
	ck_assert(cache_file_create(file_path, write_text, "first program's\n"));
	ck_assert(!cache_file_create(file_path, write_text, "second program's\n"));
	ck_assert_str_eq(file_text(file_path), "first program's\n");
	ck_assert_int_eq(names_in_directory(), 1);
}
END_TEST

START_TEST(create_that_fails_leaves_nothing)
{
	ck_assert(!cache_file_create(file_path, fail_midway, "half"));
	ck_assert_int_eq(access(file_path, F_OK), -1);
	ck_assert_int_eq(names_in_directory(), 0);
}
END_TEST

static Suite *cache_files_suite(void)
{
	Suite *suite = suite_create("cache_files");
	TCase *tc = tcase_create("writing");

	tcase_add_checked_fixture(tc, make_directory, remove_directory);
	tcase_add_test(tc, replace_writes_a_private_file_whole);
	tcase_add_test(tc, replace_that_fails_changes_nothing);
	tcase_add_test(tc, create_writes_a_new_file);
	tcase_add_test(tc, create_leaves_an_existing_file_alone);
	tcase_add_test(tc, create_that_fails_leaves_nothing);
	suite_add_tcase(suite, tc);
	return suite;
}

int main(void)
{
	return run_suite(cache_files_suite());
}
