/* FIP-1: the FIP scanner and `r4hil check-fip` on the good and bad fixtures and edge cases. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clirun.h"
#include "r4hil/fip.h"
#include "testutil.h"

static char *tmp;

static void setup(void)
{
	tmp = hil_test_tmpdir("fip");
}

static void teardown(void)
{
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmp);
	free(tmp);
}

static char *fixture(const char *name)
{
	char *p;
	if (asprintf(&p, "%s/fixtures/fip/%s", hil_test_source_dir(), name) < 0)
		abort();
	return p;
}

/* A FIP-headed file of @size bytes, zero but for the pattern at each of @at (or none). */
static char *make_image(const char *name, size_t size, const long *at, size_t n_at)
{
	char *p = hil_test_join(tmp, name);
	unsigned char *data = calloc(1, size);
	ck_assert_ptr_nonnull(data);
	const unsigned char magic[4] = { 0x01, 0x00, 0x64, 0xaa };
	memcpy(data, magic, 4);
	for (size_t i = 0; i < n_at; i++)
		memcpy(data + at[i], "\x00\x00\xff\x42", 4);
	FILE *f = fopen(p, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(size, fwrite(data, 1, size, f));
	fclose(f);
	free(data);
	return p;
}

START_TEST(test_fip_fixtures)
{
	struct hil_fip_report rep;
	char *err = NULL, *good = fixture("good.fip"), *bad = fixture("bad.fip");
	ck_assert_int_eq(0, hil_fip_scan(good, &rep, &err));
	ck_assert(rep.toc_ok);
	ck_assert_uint_eq(0, rep.hits);
	ck_assert(hil_fip_ok(&rep));
	ck_assert_int_eq(0, hil_fip_scan(bad, &rep, &err));
	ck_assert_uint_eq(1, rep.hits);
	ck_assert_uint_eq(0x32bc, rep.offsets[0]);
	ck_assert(!hil_fip_ok(&rep));
	free(good), free(bad);
}
END_TEST

/*
 * Matches at the start, at the end, and straddling the scanner's read blocks (the
 * first read takes 65 539 bytes, the next ones 65 536 after a 3-byte carry).
 */
START_TEST(test_fip_pattern_anywhere)
{
	const long at[] = { 4, 65537, 131073, 200000 - 4 };
	char *p = make_image("edges.fip", 200000, at, 4), *err = NULL;
	struct hil_fip_report rep;
	ck_assert_int_eq(0, hil_fip_scan(p, &rep, &err));
	ck_assert_uint_eq(4, rep.hits);
	for (size_t i = 0; i < 4; i++)
		ck_assert_uint_eq((uint64_t)at[i], rep.offsets[i]);
	free(p);
}
END_TEST

START_TEST(test_fip_size_limit_is_inclusive)
{
	char *fits = make_image("fits.fip", HIL_FIP_MAX_SIZE, NULL, 0);
	char *big = make_image("big.fip", HIL_FIP_MAX_SIZE + 1, NULL, 0), *err = NULL;
	struct hil_fip_report rep;
	ck_assert_int_eq(0, hil_fip_scan(fits, &rep, &err));
	ck_assert(hil_fip_ok(&rep));
	ck_assert_int_eq(0, hil_fip_scan(big, &rep, &err));
	ck_assert_uint_eq(HIL_FIP_MAX_SIZE + 1, rep.size);
	ck_assert(!hil_fip_ok(&rep));
	free(fits), free(big);
}
END_TEST

START_TEST(test_fip_unreadable)
{
	struct hil_fip_report rep;
	char *err = NULL;
	ck_assert_int_eq(-ENOENT, hil_fip_scan("/nonexistent/u.fip", &rep, &err));
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/u.fip"));
	free(err);
}
END_TEST

START_TEST(test_fip_cli_exit_codes)
{
	char *log, *good = fixture("good.fip"), *bad = fixture("bad.fip"), *readme;
	ck_assert_int_ne(-1, asprintf(&log, "%s/log", tmp));
	ck_assert_int_ne(-1, asprintf(&readme, "%s/README.md", hil_test_source_dir()));
	const char *pass[] = { "check-fip", good, NULL };
	const char *fail[] = { "check-fip", good, bad, NULL };
	const char *not_fip[] = { "check-fip", bad, readme, NULL };
	const char *none[] = { "check-fip", NULL };
	ck_assert_int_eq(0, clirun(log, pass));
	ck_assert_int_eq(1, clirun(log, fail));
	char *out_path, *out;
	ck_assert_int_ne(-1, asprintf(&out_path, "%s.out", log));
	out = hil_test_read_file(out_path);
	ck_assert_ptr_nonnull(strstr(out, "bad.fip: FAIL [FIP-1]"));
	ck_assert_ptr_nonnull(strstr(out, "1 occurrence at 0x32bc"));
	free(out);
	ck_assert_int_eq(2, clirun(log, not_fip));
	ck_assert_int_eq(2, clirun(log, none));
	free(out_path), free(log), free(good), free(bad), free(readme);
}
END_TEST

/* A file that only starts with the magic, or whose ToC runs off its end, is no FIP. */
START_TEST(test_fip_toc_must_be_whole)
{
	struct hil_fip_report rep;
	char *err = NULL, *magic = hil_test_join(tmp, "magic.fip"), *broken = hil_test_join(tmp, "broken.fip");
	FILE *f = fopen(magic, "wb");
	ck_assert_ptr_nonnull(f);
	fwrite("\x01\x00\x64\xaa", 1, 4, f);
	fclose(f);
	ck_assert_int_eq(0, hil_fip_scan(magic, &rep, &err));
	ck_assert(!rep.toc_ok);
	/* an entry (UUID 01.., offset 16, size 1 MiB) in a 4 KiB file */
	unsigned char img[4096] = { 0x01, 0x00, 0x64, 0xaa };
	img[16] = 1, img[32] = 16, img[42] = 0x10;
	f = fopen(broken, "wb");
	ck_assert_ptr_nonnull(f);
	fwrite(img, 1, sizeof(img), f);
	fclose(f);
	ck_assert_int_eq(0, hil_fip_scan(broken, &rep, &err));
	ck_assert(!rep.toc_ok);
	ck_assert_str_eq("a ToC entry points past the end of the file", rep.toc_problem);
	free(magic), free(broken);
}
END_TEST

/* A huge sparse file, /dev/zero, a directory and a FIFO end at once, each with its reason. */
START_TEST(test_fip_bounded_on_any_input)
{
	struct hil_fip_report rep;
	char *err = NULL, *sparse = hil_test_join(tmp, "sparse.fip"), *fifo = hil_test_join(tmp, "fifo");
	FILE *f = fopen(sparse, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(0, ftruncate(fileno(f), 10LL << 30)); /* 10 GiB of holes */
	fclose(f);
	ck_assert_int_eq(0, hil_fip_scan(sparse, &rep, &err));
	ck_assert(!rep.toc_ok);
	ck_assert_uint_eq(0, rep.scanned);
	/* with the magic: only what fits the partition is searched */
	f = fopen(sparse, "r+b");
	fwrite("\x01\x00\x64\xaa", 1, 4, f);
	fclose(f);
	ck_assert_int_eq(0, hil_fip_scan(sparse, &rep, &err));
	ck_assert(rep.toc_ok);
	ck_assert_uint_eq(HIL_FIP_MAX_SIZE, rep.scanned);
	ck_assert(!hil_fip_ok(&rep));
	ck_assert_int_eq(-EINVAL, hil_fip_scan("/dev/zero", &rep, &err));
	ck_assert_ptr_nonnull(strstr(err, "not a regular file"));
	free(err);
	ck_assert_int_eq(-EISDIR, hil_fip_scan(tmp, &rep, &err));
	ck_assert_ptr_nonnull(strstr(err, "is a directory"));
	free(err);
	ck_assert_int_eq(0, mkfifo(fifo, 0600));
	ck_assert_int_eq(-EINVAL, hil_fip_scan(fifo, &rep, &err));
	free(err);
	free(sparse), free(fifo);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("fip");
	TCase *tc = tcase_create("fip");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_fip_fixtures);
	tcase_add_test(tc, test_fip_pattern_anywhere);
	tcase_add_test(tc, test_fip_size_limit_is_inclusive);
	tcase_add_test(tc, test_fip_toc_must_be_whole);
	tcase_add_test(tc, test_fip_bounded_on_any_input);
	tcase_add_test(tc, test_fip_unreadable);
	tcase_add_test(tc, test_fip_cli_exit_codes);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return hil_test_run_suite(suite());
}
