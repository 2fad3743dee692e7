/*
 * trezor-pkcs11 add [-e ed25519] IDENTITY...: append identities to the
 * identities file (the one TREZOR_PKCS11_IDENTITIES names, else the
 * user's), then print their public keys. Nothing is written unless every
 * identity is good. -e is trezor-agent's option: with ed25519 the line
 * printed is the one trezor-agent prints for the identity.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "identity.h"

static const char usage[] =
	"usage: trezor-pkcs11 add [-e ed25519|nist256p1] IDENTITY...\n"
	"\n"
	"Add each identity (like alice@example.com) to the identities file, once,\n"
	"then print its public key as an authorized_keys line. The file is\n"
	"$TREZOR_PKCS11_IDENTITIES, else ~/.config/trezor-pkcs11/identities,\n"
	"created (mode 0600) if missing. A bad identity changes nothing.\n"
	"\n"
	"  -e ed25519    trezor-agent's Ed25519 key of the identity (for OpenSSH 10.1\n"
	"                and later); the line printed is the one trezor-agent prints\n"
	"  -e nist256p1  a NIST P-256 key (the default)\n";

/* Where to write: the file the environment names, or the user's own. */
static bool target_path(char *path, size_t size)
{
	char in_use[IDENTITIES_PATH_MAX];
	bool from_environment, found = identities_file_path(in_use, sizeof(in_use),
							    &from_environment);

	if (from_environment) {
		snprintf(path, size, "%s", in_use);
		return true;
	}
	if (!identities_user_path(path, size)) {
		cli_error("no home directory to keep identities in: set HOME, or "
			  "TREZOR_PKCS11_IDENTITIES to a file");
		return false;
	}
	if (found && strcmp(in_use, path) != 0)
		cli_error("%s is new: from now on it is read instead of %s", path, in_use);
	return true;
}

/* mkdir -p for the file's directories; the last one private (0700). */
static bool make_directories(const char *file)
{
	char path[IDENTITIES_PATH_MAX];
	char *slash;

	snprintf(path, sizeof(path), "%s", file);
	for (slash = strchr(path + 1, '/'); slash != NULL; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST) {
			cli_error("cannot create %s: %s", path, strerror(errno));
			return false;
		}
		*slash = '/';
	}
	return true;
}

/* Whether the file's last byte is a newline (or the file is empty). */
static bool ends_a_line(int fd)
{
	struct stat info;
	char last = '\n';

	if (fstat(fd, &info) == 0 && info.st_size > 0 &&
	    pread(fd, &last, 1, info.st_size - 1) != 1)
		last = '\n';
	return last == '\n';
}

/* The lines to append: the identities the file does not hold yet. */
static bool new_lines(const struct identity_list *chosen, const char *path, char **text)
{
	struct identity_list present = { 0 };
	size_t i, j, used = 0, size = chosen->length * (IDENTITIES_LINE_MAX + 1) + 1;
	char display[IDENTITIES_LINE_MAX];

	if (access(path, F_OK) == 0)
		identities_read_file(path, &present);
	*text = malloc(size);
	if (*text == NULL) {
		identities_free(&present);
		cli_error("out of memory");
		return false;
	}
	(*text)[0] = '\0';
	for (i = 0; i < chosen->length; i++) {
		for (j = 0; j < present.length; j++)
			if (memcmp(present.items[j].id, chosen->items[i].id, IDENTITIES_ID_SIZE) == 0)
				break;
		key_identity_line(&chosen->items[i], display, sizeof(display));
		if (j < present.length) {
			cli_error("%s is already in %s", display, path);
			continue;
		}
		used += (size_t)snprintf(*text + used, size - used, "%s\n", display);
	}
	identities_free(&present);
	return true;
}

/*
 * add writes only into a regular file, never through a symbolic link (one
 * planted, or a dotfiles manager's, would have it write where the person
 * did not look), and never into a FIFO or device. Checked before the file is
 * read (a FIFO would block the reading) and again on the open descriptor.
 */
static bool refuse_link(const char *path)
{
	cli_error("%s is a symbolic link: add writes only to the file itself; add the line to "
		  "the file the link points to, or point TREZOR_PKCS11_IDENTITIES at it", path);
	return false;
}

static bool refuse_special(const char *path)
{
	cli_error("%s is not a regular file: add writes only to one", path);
	return false;
}

static bool writable_target(const char *path)
{
	struct stat info;

	if (lstat(path, &info) != 0)
		return true;            /* not there yet: made below */
	if (S_ISLNK(info.st_mode))
		return refuse_link(path);
	return S_ISREG(info.st_mode) || refuse_special(path);
}

static bool regular_file(int fd)
{
	struct stat info;

	return fstat(fd, &info) == 0 && S_ISREG(info.st_mode);
}

static bool append(const char *path, const char *text)
{
	const char *line;
	int fd;
	size_t length = strlen(text);
	bool ok;

	if (length == 0)
		return true;
	if (!make_directories(path))
		return false;
	/*
	 * Read and write: the last byte is read to see whether a line is open.
	 * O_NOFOLLOW and the check of the descriptor: what writable_target saw
	 * may have been swapped since. O_NONBLOCK: a FIFO must not stop us.
	 */
	fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
	if (fd < 0 && errno == ELOOP)
		return refuse_link(path);
	if (fd < 0) {
		cli_error("cannot write %s: %s", path, strerror(errno));
		return false;
	}
	if (!regular_file(fd)) {
		close(fd);
		return refuse_special(path);
	}
	ok = (ends_a_line(fd) || write(fd, "\n", 1) == 1) &&
	     write(fd, text, length) == (ssize_t)length;
	if (close(fd) != 0)
		ok = false;
	if (!ok) {
		cli_error("cannot write %s: %s", path, strerror(errno));
		return false;
	}
	for (line = text; *line != '\0'; line = strchr(line, '\n') + 1)
		cli_error("added %.*s to %s", (int)strcspn(line, "\n"), line, path);
	return true;
}

int cli_add(int argc, char **argv)
{
	struct identity_list chosen;
	char path[IDENTITIES_PATH_MAX], *text = NULL;
	const char *type;
	int result = CLI_FAILED;

	if (cli_wants_help(argc, argv, usage))
		return CLI_OK;
	if (!cli_take_key_type("add", &argc, argv, &type))
		return CLI_USAGE;
	if (argc < 2) {
		fputs(usage, stderr);
		return CLI_USAGE;
	}
	if (!cli_parse_identities(argv + 1, argc - 1, type, &chosen)) {
		identities_free(&chosen);
		return CLI_USAGE;
	}
	if (target_path(path, sizeof(path)) && writable_target(path) &&
	    new_lines(&chosen, path, &text) && append(path, text))
		result = cli_print_keys(&chosen);
	free(text);
	identities_free(&chosen);
	return result;
}
