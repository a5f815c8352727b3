#include "r4hil/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int hil_file_read_max(const char *path, char **out, size_t *len, size_t max)
{
	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	char *buf = NULL, chunk[4096];
	size_t n = 0, got;
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		ret = -errno;
	else if (S_ISDIR(st.st_mode))
		ret = -EISDIR; /* a directory opens, but has no text to read */
	else if (!S_ISREG(st.st_mode))
		ret = -EINVAL; /* a FIFO or device: no end, or no writer */
	if (ret) {
		close(fd);
		return ret;
	}
	fcntl(fd, F_SETFL, 0);
	FILE *f = fdopen(fd, "rb");
	if (!f) {
		ret = -errno;
		close(fd);
		return ret;
	}
	FILE *mem = open_memstream(&buf, &n);
	if (!mem) {
		ret = -errno;
		fclose(f);
		return ret;
	}
	if ((uint64_t)st.st_size > max)
		ret = -EFBIG; /* refused before reading a byte */
	while (!ret && (got = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		fwrite(chunk, 1, got, mem);
		if (ftell(mem) > (long)max)
			ret = -EFBIG; /* a file that grew while read */
	}
	if (ferror(f))
		ret = -EIO;
	fclose(f);
	if (fclose(mem) && !ret)
		ret = -ENOMEM;
	if (ret) {
		free(buf);
		return ret;
	}
	*out = buf;
	if (len)
		*len = n;
	return 0;
}

int hil_file_read(const char *path, char **out, size_t *len)
{
	return hil_file_read_max(path, out, len, HIL_FILE_MAX_IMAGE);
}
