/*
 * Every mutant under tests/mutants/ must make the scenarios it names fail, with
 * exit 1 and a failed check citing the named requirement. A scenario that passes
 * whatever the system under test does is worthless; this proves ours do not.
 */
#include <dirent.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clirun.h"
#include "testutil.h"

/* Run every scenario a mutant must kill, once, and check each named requirement. */
static char *join(const char *a, const char *b)
{
	char *p;
	if (asprintf(&p, "%s/%s", a, b) < 0)
		abort();
	return p;
}

/* Run every scenario a mutant must kill, once, and check each named requirement. */
static void check_mutant(const char *dir, const char *name, json_object *m, const char *tmp)
{
	json_object *kills, *overlay = NULL, *automations = NULL;
	ck_assert_msg(json_object_object_get_ex(m, "kills", &kills), "%s: mutant.json has no kills", name);
	json_object_object_get_ex(m, "overlay", &overlay);
	json_object_object_get_ex(m, "automations", &automations);
	char *ref_overlay = join(hil_test_source_dir(), "fixtures/overlay");
	char *overlay_path = overlay ? join(dir, json_object_get_string(overlay)) : NULL;
	char *auto_path = automations ? join(dir, json_object_get_string(automations)) : NULL;
	for (size_t i = 0; i < json_object_array_length(kills); i++) {
		json_object *k = json_object_array_get_idx(kills, i), *sc, *req;
		json_object_object_get_ex(k, "scenario", &sc);
		json_object_object_get_ex(k, "requirement", &req);
		const char *scenario = json_object_get_string(sc);
		char *out, *log;
		if (asprintf(&out, "%s/%s-%s", tmp, name, scenario) < 0 || asprintf(&log, "%s.log", out) < 0)
			abort();
		const char *args[16] = { "run", "--out", out };
		int n = 3;
		if (overlay_path) {
			args[n++] = "--overlay", args[n++] = ref_overlay;
			args[n++] = "--overlay", args[n++] = overlay_path;
		}
		if (auto_path)
			args[n++] = "--automations", args[n++] = auto_path;
		args[n++] = scenario;
		args[n] = NULL;
		struct stat st;
		if (stat(out, &st) != 0) /* a scenario named twice runs once */
			ck_assert_msg(clirun(log, args) == 1, "mutant %s: %s did not exit 1", name, scenario);
		json_object *r = clirun_results(out);
		ck_assert_msg(clirun_failed_requirement(r, scenario, json_object_get_string(req)),
			      "mutant %s survived %s: no failed check for %s", name, scenario,
			      json_object_get_string(req));
		json_object_put(r);
		free(out);
		free(log);
	}
	free(ref_overlay);
	free(overlay_path);
	free(auto_path);
}

START_TEST(test_mutants_every_mutant_is_killed)
{
	char *mutants = join(hil_test_source_dir(), "tests/mutants");
	DIR *d = opendir(mutants);
	ck_assert_ptr_nonnull(d);
	char *tmp = hil_test_tmpdir("mutants");
	struct dirent *de;
	int count = 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char *dir = join(mutants, de->d_name), *path = join(dir, "mutant.json");
		json_object *m = json_object_from_file(path);
		ck_assert_msg(m != NULL, "%s: unreadable", path);
		check_mutant(dir, de->d_name, m, tmp);
		json_object_put(m);
		free(dir);
		free(path);
		count++;
	}
	closedir(d);
	free(mutants);
	ck_assert_int_ge(count, 3);
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmp);
	free(tmp);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("mutants");
	TCase *tc = tcase_create("kill");
	tcase_set_timeout(tc, 900);
	tcase_add_test(tc, test_mutants_every_mutant_is_killed);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return hil_test_run_suite(suite());
}
