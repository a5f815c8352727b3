#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "r4hil/report.h"
#include "testutil.h"

static char *const reqs[] = { "SFP-1", "HA-STORM-DOWN" };

static struct hil_run_result *sample_run(void)
{
	struct hil_run_result *run = hil_run_result_new("/tmp/run-1", "fakelab");
	struct hil_scenario_result *sr;

	sr = hil_run_add_scenario(run, "storm-down", "A storm & a <plug> cycle.", "scenarios/storm-down.json",
				  reqs, 2);
	ck_assert_ptr_nonnull(sr);
	sr->virtual_ms = 1200000;
	sr->wall_s = 1.5;
	ck_assert_int_eq(0, hil_scenario_add_check(sr, "rate-pushed", "SFP-1", "value", HIL_PASS,
						   "sensor.rate > 100000 held at storm+2m", NULL));
	ck_assert_int_eq(0, hil_scenario_add_check(sr, "plug-off", "HA-STORM-DOWN", "sustained", HIL_FAIL,
						   "plug == \"off\" held for only 5s (allowed 10s..20s)",
						   "[{\"t\":230000,\"source\":\"plug\",\"subject\":\"plug\",\"value\":\"off\"}]"));
	ck_assert_int_eq(HIL_FAIL, sr->status);
	sr = hil_run_add_scenario(run, "mlo-lock", "Needs GPIO.", "scenarios/mlo.json", NULL, 0);
	ck_assert_int_eq(0, hil_scenario_set_error(sr, HIL_SKIPPED, "lab has no gpio rig"));
	return run;
}

START_TEST(test_report_exit_codes)
{
	struct hil_run_result *run = hil_run_result_new(NULL, "fakelab");
	struct hil_scenario_result *a, *b;

	ck_assert_int_eq(0, hil_run_exit_code(run));
	a = hil_run_add_scenario(run, "a", NULL, NULL, NULL, 0);
	hil_scenario_add_check(a, "x", "SFP-1", "value", HIL_PASS, "ok", NULL);
	hil_scenario_add_check(a, "y", "SFP-1", "value", HIL_SKIPPED, "skip", NULL);
	ck_assert_int_eq(HIL_PASS, a->status);
	ck_assert_int_eq(0, hil_run_exit_code(run));
	hil_scenario_add_check(a, "z", "SFP-1", "never", HIL_ERROR, "gap", NULL);
	ck_assert_int_eq(HIL_ERROR, a->status);
	ck_assert_int_eq(3, hil_run_exit_code(run));
	b = hil_run_add_scenario(run, "b", NULL, NULL, NULL, 0);
	hil_scenario_add_check(b, "x", "SFP-1", "value", HIL_FAIL, "no", NULL);
	/* a real failure outranks lab trouble */
	ck_assert_int_eq(1, hil_run_exit_code(run));
	ck_assert_int_eq(0, hil_scenario_set_error(&run->scenarios[1], HIL_ERROR, "steady state not reached"));
	hil_scenario_add_check(&run->scenarios[1], "w", "SFP-1", "value", HIL_FAIL, "no", NULL);
	ck_assert_int_eq(HIL_ERROR, run->scenarios[1].status);
	ck_assert_int_eq(3, hil_run_exit_code(run));
	ck_assert_int_eq(-EINVAL, hil_scenario_set_error(&run->scenarios[1], HIL_FAIL, "x"));
	hil_run_result_free(run);
	hil_run_result_free(NULL);
}
END_TEST

/* Issue 17: an SSH drop made the scenario an error but left fail [HA-STORM-DOWN] in both reports. */
START_TEST(test_report_errored_scenario_carries_no_fail)
{
	char *dir = hil_test_tmpdir("report"), *json, *junit, *text;
	struct hil_run_result *run = hil_run_result_new(dir, "fakelab");
	struct hil_scenario_result *sr = hil_run_add_scenario(run, "storm-down", NULL, NULL, reqs, 2);

	ck_assert_int_eq(0, hil_scenario_add_check(sr, "ok", "SFP-1", "value", HIL_PASS, "seen", NULL));
	ck_assert_int_eq(0, hil_scenario_add_check(sr, "plug-off", "HA-STORM-DOWN", "event", HIL_FAIL,
						   "switch.internet == \"off\" never held", NULL));
	ck_assert_int_eq(0, hil_scenario_set_error(sr, HIL_ERROR, "teardown: could not restore /etc: router not back"));
	ck_assert_int_eq(0, hil_scenario_add_check(sr, "late", "HA-STORM-DOWN", "never", HIL_FAIL, "held", NULL));
	ck_assert_int_eq(HIL_PASS, sr->checks[0].status);
	ck_assert_int_eq(HIL_ERROR, sr->checks[1].status);
	ck_assert_str_eq("not judged: the scenario is an error (teardown: could not restore /etc: router not back); "
			 "the check alone said: switch.internet == \"off\" never held", sr->checks[1].message);
	ck_assert_int_eq(HIL_ERROR, sr->checks[2].status);
	ck_assert_int_eq(3, hil_run_exit_code(run));
	ck_assert_int_ne(-1, asprintf(&json, "%s/results.json", dir));
	ck_assert_int_ne(-1, asprintf(&junit, "%s/junit.xml", dir));
	ck_assert_int_eq(0, hil_report_write_json(run, json));
	ck_assert_int_eq(0, hil_report_write_junit(run, junit));
	text = hil_test_read_file(json);
	ck_assert_msg(strstr(text, "\"status\": \"fail\"") == NULL && strstr(text, "\"status\":\"fail\"") == NULL,
		      "%s", text);
	ck_assert_msg(strstr(text, "\"status\": \"error\"") || strstr(text, "\"status\":\"error\""), "%s", text);
	free(text);
	text = hil_test_read_file(junit);
	ck_assert_msg(strstr(text, "<failure") == NULL, "%s", text);
	ck_assert_ptr_nonnull(strstr(text, "failures=\"0\""));
	free(text);
	hil_run_result_free(run);
	free(json), free(junit), free(dir);
}
END_TEST

START_TEST(test_report_json_content)
{
	char *dir = hil_test_tmpdir("report"), *path;
	struct hil_run_result *run = sample_run();
	struct json_object *root, *sc, *check;
	char *text;

	ck_assert_int_ne(-1, asprintf(&path, "%s/results.json", dir));
	ck_assert_int_eq(0, hil_report_write_json(run, path));
	text = hil_test_read_file(path);
	root = json_tokener_parse(text);
	ck_assert_ptr_nonnull(root);
	ck_assert_str_eq("fakelab", json_object_get_string(json_object_object_get(root, "lab")));
	ck_assert_int_eq(1, json_object_get_int(json_object_object_get(root, "exit_code")));
	ck_assert_int_eq(1, json_object_get_int(json_object_object_get(
		json_object_object_get(root, "counts"), "fail")));
	ck_assert_int_eq(1, json_object_get_int(json_object_object_get(
		json_object_object_get(root, "counts"), "skipped")));
	sc = json_object_array_get_idx(json_object_object_get(root, "scenarios"), 0);
	ck_assert_str_eq("storm-down", json_object_get_string(json_object_object_get(sc, "name")));
	ck_assert_str_eq("fail", json_object_get_string(json_object_object_get(sc, "status")));
	ck_assert_str_eq("A storm & a <plug> cycle.", json_object_get_string(json_object_object_get(sc, "summary")));
	ck_assert_int_eq(1200000, json_object_get_int64(json_object_object_get(sc, "virtual_ms")));
	ck_assert_str_eq("HA-STORM-DOWN", json_object_get_string(
		json_object_array_get_idx(json_object_object_get(sc, "requirements"), 1)));
	check = json_object_array_get_idx(json_object_object_get(sc, "checks"), 1);
	ck_assert_str_eq("plug-off", json_object_get_string(json_object_object_get(check, "id")));
	ck_assert_str_eq("fail", json_object_get_string(json_object_object_get(check, "status")));
	ck_assert_str_eq("carrier-down storm for 2 min: HA power-cycles the plug",
			 json_object_get_string(json_object_object_get(check, "requirement_title")));
	ck_assert_int_eq(230000, json_object_get_int(json_object_object_get(
		json_object_array_get_idx(json_object_object_get(check, "evidence"), 0), "t")));
	sc = json_object_array_get_idx(json_object_object_get(root, "scenarios"), 1);
	ck_assert_str_eq("skipped", json_object_get_string(json_object_object_get(sc, "status")));
	ck_assert_str_eq("lab has no gpio rig", json_object_get_string(json_object_object_get(sc, "error")));
	json_object_put(root);
	free(text);
	hil_run_result_free(run);
	free(path);
	free(dir);
}
END_TEST

START_TEST(test_report_junit_content_and_escaping)
{
	char *dir = hil_test_tmpdir("report"), *path, *text;
	struct hil_run_result *run = sample_run();

	ck_assert_int_ne(-1, asprintf(&path, "%s/junit.xml", dir));
	ck_assert_int_eq(0, hil_report_write_junit(run, path));
	text = hil_test_read_file(path);
	ck_assert_ptr_nonnull(strstr(text, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
				     "<testsuites name=\"r4hil\" tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"1\" time=\"1.500\">\n"));
	ck_assert_ptr_nonnull(strstr(text, "<testsuite name=\"storm-down\" tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"0\" time=\"1.500\">"));
	ck_assert_ptr_nonnull(strstr(text, "<property name=\"summary\" value=\"A storm &amp; a &lt;plug&gt; cycle.\"/>"));
	ck_assert_ptr_nonnull(strstr(text, "<testcase classname=\"r4hil.storm-down\" name=\"[SFP-1] rate-pushed\" time=\"0\"/>\n"));
	ck_assert_ptr_nonnull(strstr(text, "<testcase classname=\"r4hil.storm-down\" name=\"[HA-STORM-DOWN] plug-off\" time=\"0\">\n"
				     "      <failure message=\"plug == &quot;off&quot; held for only 5s (allowed 10s..20s)\" type=\"fail\">"
				     "plug == &quot;off&quot; held for only 5s (allowed 10s..20s)\nevidence: "
				     "[{&quot;t&quot;:230000,"));
	ck_assert_ptr_nonnull(strstr(text, "<testcase classname=\"r4hil.mlo-lock\" name=\"[scenario] scenario mlo-lock\" time=\"0\">\n"
				     "      <skipped message=\"lab has no gpio rig\"/>\n"));
	ck_assert_ptr_null(strstr(text, "<plug>"));
	free(text);
	hil_run_result_free(run);
	free(path);
	free(dir);
}
END_TEST

START_TEST(test_report_junit_strips_control_characters)
{
	char *dir = hil_test_tmpdir("report"), *path, *text;
	struct hil_run_result *run = hil_run_result_new(NULL, "lab");
	struct hil_scenario_result *sr = hil_run_add_scenario(run, "x", "s", "p", NULL, 0);

	hil_scenario_add_check(sr, "c", "SFP-1", "event", HIL_ERROR, "bell\a 'q' \x01", "[]");
	ck_assert_int_ne(-1, asprintf(&path, "%s/junit.xml", dir));
	ck_assert_int_eq(0, hil_report_write_junit(run, path));
	text = hil_test_read_file(path);
	ck_assert_ptr_nonnull(strstr(text, "<error message=\"bell? &apos;q&apos; ?\" type=\"error\">"));
	ck_assert_ptr_nonnull(strstr(text, "errors=\"1\""));
	ck_assert_int_eq(-ENOENT, hil_report_write_junit(run, "/nonexistent/dir/junit.xml"));
	free(text);
	hil_run_result_free(run);
	free(path);
	free(dir);
}
END_TEST

START_TEST(test_report_evidence_json_from_timeline)
{
	struct hil_timeline *tl = hil_timeline_new();
	size_t idx[] = { 1, 0 };
	char *json;

	hil_timeline_add(tl, 1000, "ha", "sensor.a", "1", NULL);
	hil_timeline_add(tl, 2000, "ha", "gap", "5s", "{\"from\":2000,\"to\":7000}");
	json = hil_evidence_json(tl, idx, 2);
	ck_assert_str_eq("[{\"t\":2000,\"source\":\"ha\",\"subject\":\"gap\",\"value\":\"5s\","
			 "\"detail\":{\"from\":2000,\"to\":7000}},"
			 "{\"t\":1000,\"source\":\"ha\",\"subject\":\"sensor.a\",\"value\":\"1\"}]", json);
	free(json);
	hil_timeline_free(tl);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("report");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_report_exit_codes);
	tcase_add_test(tc, test_report_errored_scenario_carries_no_fail);
	tcase_add_test(tc, test_report_json_content);
	tcase_add_test(tc, test_report_junit_content_and_escaping);
	tcase_add_test(tc, test_report_junit_strips_control_characters);
	tcase_add_test(tc, test_report_evidence_json_from_timeline);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return hil_test_run_suite(suite());
}
