/* Shared by the fuzz targets. See fuzz.h. */
#include "config.h"

#include "fuzz.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Where fuzz_fail writes: a copy of stderr taken before libFuzzer may close it. */
static int report_fd = STDERR_FILENO;
/* The read end of the pipe that replaced stdout; -1 before fuzz_setup. */
static int stdout_pipe = -1;

uint8_t fuzz_take_byte(struct fuzz_input *input)
{
	uint8_t byte;

	if (input->size == 0)
		return 0;
	byte = input->data[0];
	input->data++;
	input->size--;
	return byte;
}

uint16_t fuzz_take_u16(struct fuzz_input *input)
{
	uint16_t high = fuzz_take_byte(input);

	return (uint16_t)(high << 8 | fuzz_take_byte(input));
}

uint32_t fuzz_take_u32(struct fuzz_input *input)
{
	uint32_t high = fuzz_take_u16(input);

	return high << 16 | fuzz_take_u16(input);
}

size_t fuzz_take_bytes(struct fuzz_input *input, size_t wanted, const uint8_t **bytes)
{
	size_t taken = wanted < input->size ? wanted : input->size;

	*bytes = input->data;
	input->data += taken;
	input->size -= taken;
	return taken;
}

void fuzz_fail(const char *file, int line, const char *format, ...)
{
	char text[1024];
	va_list args;
	int n;

	n = snprintf(text, sizeof(text), "FUZZ FINDING %s:%d: ", file, line);
	va_start(args, format);
	vsnprintf(text + n, sizeof(text) - (size_t)n - 1, format, args);
	va_end(args);
	strcat(text, "\n");
	if (write(report_fd, text, strlen(text)) < 0) {
		/* abort() below is the report that matters. */
	}
	abort();
}

void fuzz_setup(void)
{
	int fds[2];
	int copy = dup(STDERR_FILENO);

	if (copy >= 0) {
		fcntl(copy, F_SETFD, FD_CLOEXEC);
		report_fd = copy;
	}
	/* Non-blocking both ways: a module that writes a lot must not hang us. */
	if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0 || dup2(fds[1], STDOUT_FILENO) < 0)
		fuzz_fail(__FILE__, __LINE__, "cannot put a pipe on stdout");
	close(fds[1]);
	stdout_pipe = fds[0];
}

void fuzz_check_stdout(void)
{
	char text[64];
	ssize_t n;

	if (stdout_pipe < 0)
		return;
	fflush(stdout);         /* a printf() may still sit in stdio's buffer */
	n = read(stdout_pipe, text, sizeof(text) - 1);
	if (n > 0) {
		text[n] = '\0';
		fuzz_fail(__FILE__, __LINE__, "something was written to stdout: \"%s\"", text);
	}
}

bool fuzz_is_one_line(const char *text, size_t size)
{
	size_t i;

	for (i = 0; i < size; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == '\0')
			return true;
		if (c < 0x20 || c == 0x7f)
			return false;
	}
	return false;
}
