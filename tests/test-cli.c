/* The r4hil CLI end to end: the catalogue on the fake lab, bad input, help, determinism. */
#include <dirent.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clirun.h"
#include "r4hil/mutants.h"
#include "r4hil/scenario.h"
#include "testutil.h"

static char *tmp;

static void setup(void)
{
	tmp = hil_test_tmpdir("cli");
}

static void teardown(void)
{
	hil_test_remove_tree(tmp);
}

static char *at(const char *rel)
{
	return hil_test_join(tmp, rel);
}

static int count_lines(const char *text)
{
	int n = 0;
	for (const char *p = text; *p; p++)
		n += *p == '\n';
	return n;
}

static size_t count_catalogue(void)
{
	char *dir = NULL;
	if (asprintf(&dir, "%s/scenarios", hil_test_source_dir()) < 0)
		abort();
	DIR *d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	size_t n = 0;
	for (struct dirent *e; (e = readdir(d));) {
		size_t len = strlen(e->d_name);
		n += len > 5 && !strcmp(e->d_name + len - 5, ".json");
	}
	closedir(d);
	free(dir);
	return n;
}

START_TEST(test_cli_catalogue_passes_on_the_reference_system)
{
	char *out = at("run"), *log = at("log");
	const char *args[] = { "run", "--jobs", "2", "--out", out, NULL };
	ck_assert_int_eq(0, clirun(log, args));
	json_object *r = clirun_results(out), *all;
	ck_assert(json_object_object_get_ex(r, "scenarios", &all));
	/* every file of the catalogue ran, and passed */
	ck_assert_uint_eq(count_catalogue(), json_object_array_length(all));
	for (size_t i = 0; i < json_object_array_length(all); i++) {
		json_object *s = json_object_array_get_idx(all, i), *status, *checks, *name;
		json_object_object_get_ex(s, "name", &name);
		json_object_object_get_ex(s, "status", &status);
		ck_assert_msg(!strcmp("pass", json_object_get_string(status)), "%s: %s",
			      json_object_get_string(name), json_object_get_string(status));
		json_object_object_get_ex(s, "checks", &checks);
		ck_assert_int_ge(json_object_array_length(checks), 1);
		/* the fake lab ran clean too (under the sanitizer build it reports at exit) */
		char log_rel[256];
		snprintf(log_rel, sizeof(log_rel), "run/%s/lab/fakelab.log", json_object_get_string(name));
		char *log_path = at(log_rel), *lab_log = hil_test_read_file(log_path);
		ck_assert_ptr_nonnull(lab_log);
		ck_assert_msg(strstr(lab_log, "Sanitizer") == NULL, "%s: %s", log_path, lab_log);
		free(lab_log), free(log_path);
	}
	json_object_put(r);

	char *junit_path = at("run/junit.xml"), *tl_path = at("run/timeline.jsonl");
	char *junit = hil_test_read_file(junit_path), *tl = hil_test_read_file(tl_path);
	ck_assert_ptr_nonnull(strstr(junit, "<testsuite name=\"sfp-storm-carrier-down\""));
	ck_assert_ptr_nonnull(strstr(junit, "[HA-STORM-DOWN] plug-off-15s"));
	/* the storm-down run saw the plug cycle and the power-on reboot */
	ck_assert_ptr_nonnull(strstr(tl, "\"scenario\":\"sfp-storm-carrier-down\",\"source\":\"ha\",\"subject\":\"switch.internet\",\"value\":\"off\""));
	ck_assert_ptr_nonnull(strstr(tl, "\"subject\":\"router.reboot\",\"value\":\"power\""));
	/* the summary says where the report is */
	char *stdout_path = at("log.out");
	char *summary = hil_test_read_file(stdout_path);
	ck_assert_ptr_nonnull(strstr(summary, "report: "));
	ck_assert_ptr_nonnull(strstr(summary, "pass     sfp-blip"));
	free(summary), free(stdout_path), free(junit), free(tl), free(junit_path), free(tl_path);
	free(out), free(log);
}
END_TEST

static const char bad_scenario[] =
	"{\n"
	"  \"format\": \"r4hil-scenario/1\",\n"
	"  \"name\": \"bad\",\n"
	"  \"summary\": \"a wait that is not a duration\",\n"
	"  \"requirements\": [\"SFP-1\"],\n"
	"  \"steps\": [{\"wait\": \"2 minutes\"}],\n"
	"  \"expect\": []\n"
	"}\n";

START_TEST(test_cli_malformed_scenario_is_refused_with_its_position)
{
	char *bad = at("bad.json"), *log = at("log"), *out = at("never");
	hil_test_write_file(bad, bad_scenario);
	const char *validate[] = { "validate", bad, NULL };
	ck_assert_int_eq(2, clirun(log, validate));
	char *err_path = at("log.err");
	char *err = hil_test_read_file(err_path);
	char want[4200];
	snprintf(want, sizeof(want), "%s:6:22: ", bad);
	ck_assert_msg(strstr(err, want) != NULL, "want \"%s\" in: %s", want, err);
	ck_assert_ptr_nonnull(strstr(err, "2 minutes"));
	free(err);

	/* run refuses too, and nothing runs: no run directory */
	const char *run[] = { "run", "--out", out, bad, NULL };
	ck_assert_int_eq(2, clirun(log, run));
	ck_assert_int_ne(0, access(out, F_OK));
	err = hil_test_read_file(err_path);
	ck_assert_ptr_nonnull(strstr(err, want));
	free(err), free(err_path), free(bad), free(log), free(out);
}
END_TEST

/* A second "expect": [] used to validate with 0 expectations (and the run passed). */
START_TEST(test_cli_duplicate_expect_is_refused)
{
	static const char dup[] =
		"{\n"
		"  \"format\": \"r4hil-scenario/1\",\n"
		"  \"name\": \"dup\",\n"
		"  \"summary\": \"a second expect that empties the first\",\n"
		"  \"requirements\": [\"SFP-1\"],\n"
		"  \"steps\": [{\"wait\": \"1s\"}],\n"
		"  \"expect\": [{\"id\": \"e\", \"requirement\": \"SFP-1\", \"kind\": \"never\", \"subject\": \"router.boot\", \"equals\": \"x\"}],\n"
		"  \"expect\": []\n"
		"}\n";
	char *bad = at("dup.json"), *log = at("log"), *err_path = at("log.err"), *err, want[4200];
	const char *validate[] = { "validate", bad, NULL };

	hil_test_write_file(bad, dup);
	ck_assert_int_eq(2, clirun(log, validate));
	err = hil_test_read_file(err_path);
	snprintf(want, sizeof(want), "%s:8:3: duplicate key \"expect\" (first at 7:3)", bad);
	ck_assert_msg(strstr(err, want) != NULL, "want \"%s\" in: %s", want, err);
	free(err), free(err_path), free(bad), free(log);
}
END_TEST

START_TEST(test_cli_bad_usage_exits_2)
{
	char *log = at("log");
	const char *unknown[] = { "frobnicate", NULL };
	const char *no_overlay[] = { "run", "--overlay", "/nonexistent/overlay", NULL };
	const char *no_scenario[] = { "run", "no-such-scenario", NULL };
	const char *bad_list[] = { "list", "--bogus", NULL };
	ck_assert_int_eq(2, clirun(log, unknown));
	ck_assert_int_eq(2, clirun(log, no_overlay));
	ck_assert_int_eq(2, clirun(log, no_scenario));
	ck_assert_int_eq(2, clirun(log, bad_list));
	free(log);
}
END_TEST

/* Bad inputs are exit 2 before any lab starts: no run directory, the file and its kind named. */
static void expect_refused_input(const char *const *argv, const char *out, const char *want)
{
	char *log = at("log"), *err_path = at("log.err");
	ck_assert_int_eq(2, clirun(log, argv));
	ck_assert_int_ne(0, access(out, F_OK));
	char *err = hil_test_read_file(err_path);
	ck_assert_msg(strstr(err, want) != NULL, "want \"%s\" in: %s", want, err);
	free(err), free(err_path), free(log);
}

START_TEST(test_cli_bad_inputs_exit_2_before_anything_runs)
{
	char *out = at("never"), *yaml = at("automations.yaml"), *fifo = at("fifo"), *file = at("file");
	char *overlay = at("overlay"), *overlay_etc = at("overlay/etc"), *overlay_fifo = at("overlay/etc/pipe");
	hil_test_write_file(yaml, "- alias: a\n  trigger: [\n");
	hil_test_write_file(file, "x");
	ck_assert_int_eq(0, mkfifo(fifo, 0600));
	ck_assert_int_eq(0, mkdir(overlay, 0755));
	ck_assert_int_eq(0, mkdir(overlay_etc, 0755));
	ck_assert_int_eq(0, mkfifo(overlay_fifo, 0600));
	const char *bad_yaml[] = { "run", "--out", out, "--automations", yaml, "sfp-blip", NULL };
	expect_refused_input(bad_yaml, out, "automations.yaml:3:1: ");
	const char *dir_yaml[] = { "run", "--out", out, "--automations", tmp, "sfp-blip", NULL };
	expect_refused_input(dir_yaml, out, "is a directory, expected a YAML file");
	const char *fifo_config[] = { "run", "--out", out, "--ha-config", fifo, "sfp-blip", NULL };
	expect_refused_input(fifo_config, out, "is not a regular file, expected a YAML file");
	const char *fifo_overlay[] = { "run", "--out", out, "--overlay", overlay, "sfp-blip", NULL };
	expect_refused_input(fifo_overlay, out, "overlay/etc/pipe\" is not a regular file");
	const char *out_file[] = { "run", "--out", file, "sfp-blip", NULL };
	expect_refused_input(out_file, out, "exists and is not a directory");
	/* a scenario file of 17 MiB is refused before it is read */
	char *big = at("big.json");
	hil_test_write_file(big, "{");
	ck_assert_int_eq(0, truncate(big, 17 << 20));
	const char *big_scenario[] = { "run", "--out", out, big, NULL };
	expect_refused_input(big_scenario, out, "big.json: failed to read: File too large");
	free(big);
	free(out), free(yaml), free(fifo), free(file), free(overlay), free(overlay_etc), free(overlay_fifo);
}
END_TEST

START_TEST(test_cli_help_and_list)
{
	char *log = at("log"), *out_path = at("log.out");
	const char *cmds[] = { "run", "list", "validate" };
	for (size_t i = 0; i < 3; i++) {
		const char *args[] = { cmds[i], "--help", NULL };
		ck_assert_int_eq(0, clirun(log, args));
		char *text = hil_test_read_file(out_path);
		char want[64];
		snprintf(want, sizeof(want), "usage: r4hil %s", cmds[i]);
		ck_assert_ptr_nonnull(strstr(text, want));
		free(text);
	}
	const char *matrix[] = { "list", "--requirements", NULL };
	ck_assert_int_eq(0, clirun(log, matrix));
	char *text = hil_test_read_file(out_path);
	ck_assert_ptr_nonnull(strstr(text, "HA-BLIP"));
	ck_assert_ptr_nonnull(strstr(text, "sfp-blip"));
	ck_assert_ptr_nonnull(strstr(text, "mutants"));
	/* issue 5: every requirement of the specification is covered */
	ck_assert_msg(strstr(text, "(not covered)") == NULL, "%s", text);
	ck_assert_int_eq(42, count_lines(text)); /* the header and the 41 IDs */
	/* the mutants column counts the kills of tests/mutants/ citing the requirement */
	char *row = strstr(text, "\nNO-CHAIN ");
	ck_assert_ptr_nonnull(row);
	char *eol = strchr(row + 1, '\n');
	if (eol)
		*eol = '\0';
	ck_assert_msg(strstr(row, " 2 ") && strstr(row, "pon-wedge-no-chain"), "NO-CHAIN row: %s", row);
	free(text);
	const char *validate_all[] = { "validate", NULL };
	ck_assert_int_eq(0, clirun(log, validate_all));
	free(log), free(out_path);
}
END_TEST

/* Issue 5: every scenario is proven to fail by a mutant, and every kill names a
 * scenario of the catalogue and a requirement that scenario covers. */
START_TEST(test_cli_every_scenario_is_killed_by_a_mutant)
{
	char *mdir, *sdir, *err = NULL;
	ck_assert_int_ge(asprintf(&mdir, "%s/tests/mutants", hil_test_source_dir()), 0);
	ck_assert_int_ge(asprintf(&sdir, "%s/scenarios", hil_test_source_dir()), 0);
	struct hil_mutant *m;
	size_t n_m;
	ck_assert_msg(hil_mutants_load(mdir, &m, &n_m, &err) == 0, "%s", err ? err : "?");
	size_t *kills_seen = calloc(n_m, sizeof(*kills_seen)), n_scenarios = 0;
	DIR *d = opendir(sdir);
	ck_assert_ptr_nonnull(d);
	for (struct dirent *e; (e = readdir(d));) {
		size_t len = strlen(e->d_name);
		if (len <= 5 || strcmp(e->d_name + len - 5, ".json"))
			continue;
		char *path, *errors = NULL;
		struct hil_scenario *sc;
		ck_assert_int_ge(asprintf(&path, "%s/%s", sdir, e->d_name), 0);
		ck_assert_msg(hil_scenario_load(path, &sc, &errors) == 0, "%s", errors ? errors : path);
		size_t kills = 0;
		for (size_t i = 0; i < n_m; i++)
			for (size_t k = 0; k < m[i].n_kills; k++) {
				if (strcmp(m[i].kills[k].scenario, sc->name))
					continue;
				int covered = 0;
				for (size_t r = 0; r < sc->n_requirements; r++)
					covered |= !strcmp(sc->requirements[r], m[i].kills[k].requirement);
				ck_assert_msg(covered, "mutant %s: %s does not cover %s", m[i].name, sc->name,
					      m[i].kills[k].requirement);
				kills++, kills_seen[i]++;
			}
		ck_assert_msg(kills > 0, "scenario %s: no mutant proves it can fail", sc->name);
		n_scenarios++;
		hil_scenario_free(sc);
		free(path);
	}
	closedir(d);
	ck_assert_uint_eq(count_catalogue(), n_scenarios);
	for (size_t i = 0; i < n_m; i++)
		ck_assert_msg(kills_seen[i] == m[i].n_kills, "mutant %s names a scenario not in the catalogue", m[i].name);
	free(kills_seen);
	hil_mutants_free(m, n_m);
	free(mdir), free(sdir);
}
END_TEST

/* Virtual time: the same inputs give byte-identical timelines, also through the
 * asynchronous paths (procd's signal, a killed jail, OOM kills, two labs at a time). */
START_TEST(test_cli_same_inputs_same_timeline)
{
	static const char *const scenarios[] = { "sfp-blip", "dnsmasq-early-boot", "haproxy-down-vip-up",
						 "oom-kill-reported" };
	char *log = at("log"), *a = at("a"), *b = at("b");
	const char *run_a[] = { "run", "--jobs", "2", "--out", a, scenarios[0], scenarios[1], scenarios[2], scenarios[3], NULL };
	const char *run_b[] = { "run", "--jobs", "2", "--out", b, scenarios[0], scenarios[1], scenarios[2], scenarios[3], NULL };
	ck_assert_int_eq(0, clirun(log, run_a));
	ck_assert_int_eq(0, clirun(log, run_b));
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		char *pa, *pb;
		ck_assert_int_ge(asprintf(&pa, "%s/%s/timeline.jsonl", a, scenarios[i]), 0);
		ck_assert_int_ge(asprintf(&pb, "%s/%s/timeline.jsonl", b, scenarios[i]), 0);
		char *ta = hil_test_read_file(pa), *tb = hil_test_read_file(pb);
		ck_assert_ptr_nonnull(ta);
		ck_assert_int_gt(strlen(ta), 1000);
		ck_assert_msg(tb && !strcmp(ta, tb), "%s: the timelines differ (%s, %s)", scenarios[i], pa, pb);
		free(ta), free(tb), free(pa), free(pb);
	}
	free(a), free(b), free(log);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("cli");
	TCase *fast = tcase_create("fast");
	tcase_add_checked_fixture(fast, setup, teardown);
	tcase_set_timeout(fast, 60);
	tcase_add_test(fast, test_cli_malformed_scenario_is_refused_with_its_position);
	tcase_add_test(fast, test_cli_duplicate_expect_is_refused);
	tcase_add_test(fast, test_cli_bad_usage_exits_2);
	tcase_add_test(fast, test_cli_bad_inputs_exit_2_before_anything_runs);
	tcase_add_test(fast, test_cli_help_and_list);
	tcase_add_test(fast, test_cli_every_scenario_is_killed_by_a_mutant);
	suite_add_tcase(s, fast);
	/* the two long runs are TCases of their own: ctest runs them side by side
	 * (tests/CMakeLists.txt: test-cli-catalogue, test-cli-timeline) */
	TCase *catalogue = tcase_create("catalogue");
	tcase_add_checked_fixture(catalogue, setup, teardown);
	tcase_set_timeout(catalogue, 600);
	tcase_add_test(catalogue, test_cli_catalogue_passes_on_the_reference_system);
	suite_add_tcase(s, catalogue);
	TCase *timeline = tcase_create("timeline");
	tcase_add_checked_fixture(timeline, setup, teardown);
	tcase_set_timeout(timeline, 600);
	tcase_add_test(timeline, test_cli_same_inputs_same_timeline);
	suite_add_tcase(s, timeline);
	return s;
}

int main(void)
{
	return hil_test_run_suite(suite());
}
