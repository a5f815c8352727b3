#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "r4hil/fakelab.h"
#include "r4hil/lab.h"

int hil_test_run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

char *hil_test_join(const char *dir, const char *rel)
{
	char *p;
	if (asprintf(&p, "%s/%s", dir, rel) < 0)
		abort();
	return p;
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

void hil_test_remove_tree(char *dir)
{
	char *cmd;
	if (!dir)
		return;
	if (asprintf(&cmd, "rm -rf '%s'", dir) < 0 || system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	free(cmd);
	free(dir);
}

struct hil_fakelab *hil_test_fakelab_start(const char *tmp, struct hil_lab **desc)
{
	char *dir, *bin, *err = NULL;
	if (asprintf(&dir, "%s/lab", tmp) < 0 || asprintf(&bin, "%s/r4hil-fakelab", hil_test_build_dir()) < 0)
		abort();
	struct hil_fakelab_options opt = { .dir = dir, .binary = bin };
	struct hil_fakelab *lab = hil_fakelab_start(&opt, &err);
	ck_assert_msg(lab != NULL, "fake lab: %s", err);
	ck_assert_msg(hil_lab_load(hil_fakelab_lab_file(lab), desc, &err) == 0, "lab file: %s", err);
	free(dir);
	free(bin);
	return lab;
}
