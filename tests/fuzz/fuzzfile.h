/*
 * The loaders under fuzz take a path, so each input is written to one scratch
 * file, created once per process and rewritten in place (no file per run).
 * A regular file rather than a memfd: lab.c opens with O_NOFOLLOW, which
 * refuses /proc/self/fd/N, and fip.c wants S_ISREG. In /dev/shm when there
 * is one: ftruncate on a disk file system costs a journal write per run.
 */
#ifndef R4HIL_FUZZFILE_H
#define R4HIL_FUZZFILE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char fuzzfile_path[] = "/dev/shm/r4hil-fuzz-XXXXXX";
static int fuzzfile_fd = -1;

static void fuzzfile_remove(void)
{
	unlink(fuzzfile_path);
}

/* The path of a file holding exactly @size bytes of @data; aborts if it cannot. */
static const char *fuzzfile_write(const uint8_t *data, size_t size)
{
	if (fuzzfile_fd < 0) {
		fuzzfile_fd = mkstemp(fuzzfile_path);
		if (fuzzfile_fd < 0) {
			memcpy(fuzzfile_path, "/tmp/", 5); /* "/dev/shm/" -> "/tmp/" */
			memmove(fuzzfile_path + 5, fuzzfile_path + 9, sizeof(fuzzfile_path) - 9);
			fuzzfile_fd = mkstemp(fuzzfile_path);
		}
		if (fuzzfile_fd < 0)
			abort();
		atexit(fuzzfile_remove);
	}
	if (ftruncate(fuzzfile_fd, 0) < 0 || (size && pwrite(fuzzfile_fd, data, size, 0) != (ssize_t)size))
		abort();
	return fuzzfile_path;
}

#endif
