/*
 * observe.commands end to end: router-side commands run over SSH on the fake lab,
 * their output recorded as router.<name> and judged by expectations and probes.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clirun.h"
#include "testutil.h"

static char *tmp;

static void setup(void)
{
	tmp = hil_test_tmpdir("obscmd");
}

static void teardown(void)
{
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmp);
	free(tmp);
}

static char *at(const char *rel)
{
	return hil_test_join(tmp, rel);
}

static char *scenario_file(void)
{
	char *p;
	if (asprintf(&p, "%s/tests/data/scenarios/good-commands.json", hil_test_source_dir()) < 0)
		abort();
	return p;
}

static const char *status_of(json_object *results, const char *scenario)
{
	json_object *s = clirun_scenario(results, scenario), *status;
	ck_assert_ptr_nonnull(s);
	ck_assert(json_object_object_get_ex(s, "status", &status));
	return json_object_get_string(status);
}

START_TEST(test_command_output_is_a_subject)
{
	char *out = at("run"), *log = at("log"), *file = scenario_file();
	const char *args[] = { "run", "--out", out, file, NULL };
	ck_assert_int_eq(0, clirun(log, args));
	json_object *r = clirun_results(out);
	ck_assert_str_eq("pass", status_of(r, "commands"));
	json_object_put(r);

	char *tl_path = at("run/commands/timeline.jsonl"), *tl = hil_test_read_file(tl_path);
	ck_assert_ptr_nonnull(tl);
	/* the steady state saw "none", the step made it "1"; the other command stayed "no" */
	const char *none = strstr(tl, "\"subject\":\"router.gate\",\"value\":\"none\"");
	const char *one = strstr(tl, "\"subject\":\"router.gate\",\"value\":\"1\"");
	ck_assert_msg(none && one && none < one, "timeline:\n%s", tl);
	ck_assert_ptr_nonnull(strstr(tl, "\"subject\":\"router.last_storm\",\"value\":\"no\""));
	free(tl), free(tl_path), free(out), free(log), free(file);
}
END_TEST

/* The same scenario with the gate's expected value wrong must fail, citing SFP-4. */
START_TEST(test_command_expectation_can_fail)
{
	char *file = scenario_file(), *text = hil_test_read_file(file);
	ck_assert_ptr_nonnull(text);
	char *pos = strstr(text, "\"subject\": \"router.gate\", \"equals\": \"1\"");
	ck_assert_ptr_nonnull(pos);
	pos[strlen("\"subject\": \"router.gate\", \"equals\": \"")] = '2';
	char *mutant = at("mutant.json"), *out = at("run"), *log = at("log");
	hil_test_write_file(mutant, text);
	const char *args[] = { "run", "--out", out, mutant, NULL };
	ck_assert_int_eq(1, clirun(log, args));
	json_object *r = clirun_results(out);
	ck_assert_str_eq("fail", status_of(r, "commands"));
	ck_assert(clirun_failed_requirement(r, "commands", "SFP-4"));
	json_object_put(r);
	free(text), free(file), free(mutant), free(out), free(log);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("observe-commands");
	TCase *tc = tcase_create("runs");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_command_output_is_a_subject);
	tcase_add_test(tc, test_command_expectation_can_fail);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return hil_test_run_suite(suite());
}
