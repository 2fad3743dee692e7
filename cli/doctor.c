/* trezor-pkcs11 doctor: run the checks, count the problems. See doctor.h. */
#include "config.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doctor.h"

static const char usage[] =
	"usage: trezor-pkcs11 doctor [--root DIR]\n"
	"\n"
	"Check that everything the module needs is in place, and explain in plain\n"
	"words what is not: the module where ssh-agent accepts it, its p11-kit\n"
	"registration, the udev rules for USB, the Trezors (and why one cannot be\n"
	"used), the identities file, whether ssh offers its Ed25519 identities\n"
	"(OpenSSH 10.1 and later), pinentry, the key cache, whether the running\n"
	"ssh-agent reaches the desktop (pinentry, notices), and the errors logged\n"
	"lately by programs without a terminal.\n"
	"Exit status 0 only when all is well.\n"
	"\n"
	"  --root DIR   check an installation staged in DIR (make install DESTDIR=DIR)\n";

static int problems;

void doctor_ok(const char *format, ...)
{
	va_list args;

	fputs("ok       ", stdout);
	va_start(args, format);
	vprintf(format, args);
	va_end(args);
	putchar('\n');
}

void doctor_note(const char *format, ...)
{
	va_list args;

	fputs("note     ", stdout);
	va_start(args, format);
	vprintf(format, args);
	va_end(args);
	putchar('\n');
}

void doctor_problem(const char *fix, const char *format, ...)
{
	va_list args;

	problems++;
	fputs("PROBLEM  ", stdout);
	va_start(args, format);
	vprintf(format, args);
	va_end(args);
	printf("\n         %s\n", fix);
}

int cli_doctor(int argc, char **argv)
{
	char root[PATH_MAX] = "";

	if (cli_wants_help(argc, argv, usage))
		return CLI_OK;
	if (argc == 3 && strcmp(argv[1], "--root") == 0) {
		/* Canonical, so that paths under it compare as they resolve. */
		if (realpath(argv[2], root) == NULL) {
			cli_error("doctor: no directory %s", argv[2]);
			return CLI_USAGE;
		}
		if (strcmp(root, "/") == 0)
			root[0] = '\0';
	} else if (argc != 1) {
		fputs(usage, stderr);
		return CLI_USAGE;
	}
	problems = 0;
	doctor_check_module(root);
	doctor_check_p11kit(root);
	doctor_check_udev(root);
	doctor_check_devices();
	doctor_check_identities();
	doctor_check_ssh();
	doctor_check_pinentry();
	doctor_check_cache();
	doctor_check_agent();
	doctor_check_recent_errors();
	if (problems == 0)
		printf("all is well\n");
	else
		printf("%d problem%s found\n", problems, problems == 1 ? "" : "s");
	if (fflush(stdout) != 0)
		return CLI_FAILED;
	return problems == 0 ? CLI_OK : CLI_FAILED;
}
