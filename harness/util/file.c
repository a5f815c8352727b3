#include "r4hil/file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

int hil_file_read(const char *path, char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	char *buf = NULL, chunk[4096];
	size_t n = 0, got;
	int ret = 0;

	if (!f)
		return -errno;
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		return -EISDIR; /* a directory opens, but has no text to read */
	}
	FILE *mem = open_memstream(&buf, &n);
	if (!mem) {
		ret = -errno;
		fclose(f);
		return ret;
	}
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, got, mem);
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
