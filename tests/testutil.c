#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int hil_test_run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

char *hil_test_tmpdir(const char *tag)
{
	const char *base = getenv("TMPDIR");
	char *path;
	if (asprintf(&path, "%s/r4hil-%s-XXXXXX", base ? base : "/tmp", tag) < 0)
		abort();
	ck_assert_ptr_nonnull(mkdtemp(path));
	return path;
}

void hil_test_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_msg(f != NULL, "cannot write %s", path);
	fputs(text, f);
	ck_assert_int_eq(0, fclose(f));
}

char *hil_test_read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, mem);
	fclose(f);
	fclose(mem);
	return buf;
}

const char *hil_test_build_dir(void)
{
	const char *b = getenv("R4HIL_BUILD");
	return b ? b : R4HIL_BINARY_DIR;
}

const char *hil_test_source_dir(void)
{
	return R4HIL_SOURCE_DIR;
}
