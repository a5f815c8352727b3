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
	return hil_test_join(a, b);
}

/* The scenarios a mutant must kill, each once, in the order first named. */
static size_t distinct_scenarios(const struct hil_mutant *m, const char **out)
{
	size_t n = 0;
	for (size_t i = 0; i < m->n_kills; i++) {
		size_t j = 0;
		while (j < n && strcmp(out[j], m->kills[i].scenario))
			j++;
		if (j == n)
			out[n++] = m->kills[i].scenario;
	}
	return n;
}

/* Run the scenarios a mutant must kill in one run (two at a time), then check each kill. */
static void check_mutant(const struct hil_mutant *m, const char *tmp)
{
	char *ref_overlay = join(hil_test_source_dir(), "fixtures/overlay");
	char *out = join(tmp, m->name), *log;
	if (asprintf(&log, "%s.log", out) < 0)
		abort();
	/* the reference with the mutant's edits applied, plus its own files */
	char *sut = join(tmp, "sut"), *fixtures = join(hil_test_source_dir(), "fixtures");
	char *edited_overlay = NULL, *edited_automations = NULL, *err = NULL;
	ck_assert_msg(hil_mutant_materialize(m, fixtures, sut, &edited_overlay, &edited_automations, &err) == 0,
		      "%s", err ? err : "?");
	const char *args[64] = { "run", "--jobs", "2", "--out", out };
	size_t n = 5;
	if (m->overlay || edited_overlay)
		args[n++] = "--overlay", args[n++] = ref_overlay;
	if (edited_overlay)
		args[n++] = "--overlay", args[n++] = edited_overlay;
	if (m->overlay)
		args[n++] = "--overlay", args[n++] = m->overlay;
	if (m->automations || edited_automations)
		args[n++] = "--automations", args[n++] = m->automations ? m->automations : edited_automations;
	ck_assert_uint_le(n + m->n_kills + 1, 64);
	n += distinct_scenarios(m, args + n);
	args[n] = NULL;
	ck_assert_msg(clirun(log, args) == 1, "mutant %s: the run did not exit 1 (see %s.err)", m->name, log);
	json_object *r = clirun_results(out);
	for (size_t i = 0; i < m->n_kills; i++)
		ck_assert_msg(clirun_failed_requirement(r, m->kills[i].scenario, m->kills[i].requirement),
			      "mutant %s survived %s: no failed check for %s", m->name, m->kills[i].scenario,
			      m->kills[i].requirement);
	json_object_put(r);
	free(out);
	free(log);
	free(ref_overlay);
	free(sut), free(fixtures), free(edited_overlay), free(edited_automations);
}

/* One mutant per test process (R4HIL_MUTANT, set by CTest): they run in parallel. */
START_TEST(test_mutant_is_killed)
{
	const char *name = getenv("R4HIL_MUTANT");
	char *dir = join(hil_test_source_dir(), "tests/mutants"), *err = NULL;
	struct hil_mutant *mutants;
	size_t n;
	ck_assert_msg(hil_mutants_load(dir, &mutants, &n, &err) == 0, "%s", err ? err : "?");
	ck_assert_uint_ge(n, 7);
	size_t i = 0;
	while (i < n && strcmp(mutants[i].name, name))
		i++;
	ck_assert_msg(i < n, "no mutant %s in %s", name, dir);
	char *tmp = hil_test_tmpdir("mutants");
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
		{ "{\"overlay\": ", "mutant.json:1:13: JSON syntax error: unexpected end of file" },
		{ "{\"edits\": [{\"file\": \"../etc/passwd\", \"replace\": \"a\", \"with\": \"b\"}], "
		  "\"kills\": [{\"scenario\": \"s\", \"requirement\": \"R\"}]}", "an edit needs" },
		/* json-c kept the second list, and the first kill was never asked for */
		{ "{\"overlay\": \"o\", \"kills\": [{\"scenario\": \"s\", \"requirement\": \"R\"}], "
		  "\"kills\": [{\"scenario\": \"t\", \"requirement\": \"Q\"}]}",
		  "mutant.json:1:68: duplicate key \"kills\" (first at 1:18)" },
		/* a typo used to be ignored: the first kill below had no requirement to be killed for */
		{ "{\"overlay\": \"o\",\n \"kills\": [{\"scenario\": \"s\", \"requirement\": \"R\", \"scenario \": \"t\"}]}",
		  "mutant.json:2:50: kills[0].scenario : unknown key \"scenario \" (expected one of: scenario, requirement)" },
		{ "{\"overlay\": \"o\", \"kils\": []}",
		  "mutant.json:1:18: kils: unknown key \"kils\" (expected one of: summary, edits, overlay, automations, kills)" },
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

/* Edits apply to the current reference, keep its mode, and refuse a reference that moved on. */
START_TEST(test_mutants_edits_apply_or_say_the_reference_changed)
{
	char *tmp = hil_test_tmpdir("mutants"), *fixtures = join(tmp, "fixtures"), *mdir = join(tmp, "m");
	char *script = join(fixtures, "overlay/usr/local/bin/x.sh"), *json = join(mdir, "x/mutant.json");
	char cmd[4400];
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/overlay/usr/local/bin' '%s/x'", fixtures, mdir);
	ck_assert_int_eq(0, system(cmd));
	hil_test_write_file(script, "#!/bin/sh\nTHRESHOLD=1000\necho $THRESHOLD\n");
	ck_assert_int_eq(0, chmod(script, 0755));
	hil_test_write_file(json, "{\"edits\": [{\"file\": \"overlay/usr/local/bin/x.sh\", "
				  "\"replace\": \"THRESHOLD=1000\", \"with\": \"THRESHOLD=100000\"}], "
				  "\"kills\": [{\"scenario\": \"s\", \"requirement\": \"R\"}]}");
	struct hil_mutant *mutants;
	size_t n;
	char *err = NULL, *overlay = NULL, *automations = NULL, *sut = join(tmp, "sut");
	ck_assert_int_eq(0, hil_mutants_load(mdir, &mutants, &n, &err));
	ck_assert_int_eq(0, hil_mutant_materialize(&mutants[0], fixtures, sut, &overlay, &automations, &err));
	ck_assert_ptr_null(automations);
	char *edited = join(overlay, "usr/local/bin/x.sh"), *text = hil_test_read_file(edited);
	ck_assert_str_eq("#!/bin/sh\nTHRESHOLD=100000\necho $THRESHOLD\n", text);
	struct stat st;
	ck_assert_int_eq(0, stat(edited, &st));
	ck_assert_int_eq(0755, st.st_mode & 0777);
	free(text), free(edited), free(overlay);
	/* the reference moved on: the edit no longer applies, and it says so */
	hil_test_write_file(script, "#!/bin/sh\nTHRESHOLD=2000\n");
	ck_assert_int_eq(-EINVAL, hil_mutant_materialize(&mutants[0], fixtures, sut, &overlay, &automations, &err));
	ck_assert_msg(strstr(err, "does not apply to fixtures/overlay/usr/local/bin/x.sh"), "%s", err);
	free(err);
	hil_mutants_free(mutants, n);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	ck_assert_int_eq(0, system(cmd));
	free(tmp), free(fixtures), free(mdir), free(script), free(json), free(sut);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("mutants");
	TCase *tc = tcase_create("reader");
	tcase_add_test(tc, test_mutants_reader_refuses_bad_files);
	tcase_add_test(tc, test_mutants_edits_apply_or_say_the_reference_changed);
	suite_add_tcase(s, tc);
	if (getenv("R4HIL_MUTANT")) {
		tc = tcase_create("kill");
		tcase_set_timeout(tc, 600);
		tcase_add_test(tc, test_mutant_is_killed);
		suite_add_tcase(s, tc);
	}
	return s;
}

int main(void)
{
	return hil_test_run_suite(suite());
}
