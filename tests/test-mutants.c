/*
 * Every mutant under tests/mutants/ must make the scenarios it names fail, with
 * exit 1 and a failed check citing the named requirement. A scenario that passes
 * whatever the system under test does is worthless; this proves ours do not.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clirun.h"
#include "r4hil/mutants.h"
#include "testutil.h"

static char *join(const char *a, const char *b)
{
	char *p;
	if (asprintf(&p, "%s/%s", a, b) < 0)
		abort();
	return p;
}

/* Run every scenario a mutant must kill, once, and check each named requirement. */
static void check_mutant(const struct hil_mutant *m, const char *tmp)
{
	char *ref_overlay = join(hil_test_source_dir(), "fixtures/overlay");
	for (size_t i = 0; i < m->n_kills; i++) {
		const char *scenario = m->kills[i].scenario, *req = m->kills[i].requirement;
		char *out, *log;
		if (asprintf(&out, "%s/%s-%s", tmp, m->name, scenario) < 0 || asprintf(&log, "%s.log", out) < 0)
			abort();
		const char *args[16] = { "run", "--out", out };
		int n = 3;
		if (m->overlay) {
			args[n++] = "--overlay", args[n++] = ref_overlay;
			args[n++] = "--overlay", args[n++] = m->overlay;
		}
		if (m->automations)
			args[n++] = "--automations", args[n++] = m->automations;
		args[n++] = scenario;
		args[n] = NULL;
		struct stat st;
		if (stat(out, &st) != 0) /* a scenario named twice runs once */
			ck_assert_msg(clirun(log, args) == 1, "mutant %s: %s did not exit 1", m->name, scenario);
		json_object *r = clirun_results(out);
		ck_assert_msg(clirun_failed_requirement(r, scenario, req), "mutant %s survived %s: no failed check for %s",
			      m->name, scenario, req);
		json_object_put(r);
		free(out);
		free(log);
	}
	free(ref_overlay);
}

START_TEST(test_mutants_every_mutant_is_killed)
{
	char *dir = join(hil_test_source_dir(), "tests/mutants"), *err = NULL;
	struct hil_mutant *mutants;
	size_t n;
	ck_assert_msg(hil_mutants_load(dir, &mutants, &n, &err) == 0, "%s", err ? err : "?");
	ck_assert_uint_ge(n, 7);
	char *tmp = hil_test_tmpdir("mutants");
	for (size_t i = 0; i < n; i++)
		check_mutant(&mutants[i], tmp);
	hil_mutants_free(mutants, n);
	free(dir);
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmp);
	free(tmp);
}
END_TEST

/* A broken mutant.json is reported with its path, never skipped. */
START_TEST(test_mutants_reader_refuses_bad_files)
{
	static const struct { const char *json, *what; } bad[] = {
		{ "{\"automations\": \"a.yaml\"}", "needs \"kills\"" },
		{ "{\"kills\": [{\"scenario\": \"s\", \"requirement\": \"R\"}]}", "needs \"overlay\" or \"automations\"" },
		{ "{\"overlay\": \"o\", \"kills\": [{\"scenario\": \"s\"}]}", "a kill needs" },
		{ "{\"overlay\": ", "mutant.json: " },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *tmp = hil_test_tmpdir("mutants"), *mdir = join(tmp, "m"), *path = join(mdir, "mutant.json");
		char *err = NULL;
		ck_assert_int_eq(0, mkdir(mdir, 0700));
		hil_test_write_file(path, bad[i].json);
		struct hil_mutant *mutants = (void *)1;
		size_t n = 1;
		ck_assert_int_eq(-EINVAL, hil_mutants_load(tmp, &mutants, &n, &err));
		ck_assert_ptr_null(mutants);
		ck_assert_msg(err && strstr(err, path) && strstr(err, bad[i].what), "case %zu: %s", i, err ? err : "(none)");
		free(err);
		unlink(path);
		rmdir(mdir);
		rmdir(tmp);
		free(path), free(mdir), free(tmp);
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("mutants");
	TCase *tc = tcase_create("reader");
	tcase_add_test(tc, test_mutants_reader_refuses_bad_files);
	suite_add_tcase(s, tc);
	tc = tcase_create("kill");
	tcase_set_timeout(tc, 900);
	tcase_add_test(tc, test_mutants_every_mutant_is_killed);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return hil_test_run_suite(suite());
}
