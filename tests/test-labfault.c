/*
 * The lab-fault matrix (issue 17): every fault knob of the fake lab, turned on
 * before the steady state, mid-step or during recovery of a short storm
 * scenario (tests/data/lab/storm-lab-fault.json) and left on, must end the
 * scenario as an error naming the lab part: never a fail, never a pass. One
 * TCase per knob, each its own ctest test (tests/CMakeLists.txt, CK_RUN_CASE);
 * the slow knobs end through the plug's and HA's broken latch (3 unanswered
 * requests) instead of a timeout per poll. The three points of a knob run at
 * once (--jobs 3), each on its own fake lab.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "clirun.h"
#include "labfixture.h"
#include "testutil.h"

static const char *const points[] = { "before", "mid", "recovery" };
#define N_POINTS (sizeof(points) / sizeof(points[0]))

/* The step list @point goes into, and the label of the step the fault follows (NULL: at the end). */
static void point_place(const char *point, const char **list, const char **after)
{
	*list = strcmp(point, "before") ? "steps" : "setup";
	*after = !strcmp(point, "before") ? NULL : point;
}

/* The template with a lab.fault step at @point, as storm-lab-fault-<point>.json in @dir. */
static char *write_case(const char *dir, const char *target, const char *mode, const char *point)
{
	char *tmpl = labfix_data("storm-lab-fault.json"), *path, name[64];
	json_object *sc = json_object_from_file(tmpl), *steps, *fault, *params;
	const char *list, *after;
	size_t at;

	ck_assert_ptr_nonnull(sc);
	snprintf(name, sizeof(name), "storm-lab-fault-%s", point);
	json_object_object_add(sc, "name", json_object_new_string(name));
	point_place(point, &list, &after);
	ck_assert(json_object_object_get_ex(sc, list, &steps));
	at = json_object_array_length(steps);
	for (size_t i = 0; after && i < json_object_array_length(steps); i++) {
		json_object *label;
		if (json_object_object_get_ex(json_object_array_get_idx(steps, i), "label", &label) &&
		    !strcmp(json_object_get_string(label), after))
			at = i + 1;
	}
	fault = json_object_new_object();
	params = json_object_new_object();
	json_object_object_add(params, "target", json_object_new_string(target));
	json_object_object_add(params, "mode", json_object_new_string(mode));
	json_object_object_add(fault, "inject", json_object_new_string("lab.fault"));
	json_object_object_add(fault, "params", params);
	/* json-c 0.16 has no insert: a new list with the fault at @at */
	json_object *with = json_object_new_array();
	for (size_t i = 0; i <= json_object_array_length(steps); i++) {
		if (i == at)
			json_object_array_add(with, fault);
		if (i < json_object_array_length(steps))
			json_object_array_add(with, json_object_get(json_object_array_get_idx(steps, i)));
	}
	json_object_object_add(sc, list, with);
	path = hil_test_join(dir, name);
	path = realloc(path, strlen(path) + sizeof(".json"));
	strcat(path, ".json");
	ck_assert_int_eq(0, json_object_to_file(path, sc));
	json_object_put(sc);
	free(tmpl);
	return path;
}

/* Everything a scenario's result says: its error and its checks' statuses and messages. */
static void scenario_text(json_object *s, char *buf, size_t len, int *n_fail)
{
	json_object *v, *checks;
	size_t n = 0;

	n += (size_t)snprintf(buf + n, len - n, "%s",
			      json_object_object_get_ex(s, "error", &v) ? json_object_get_string(v) : "");
	*n_fail = 0;
	if (!json_object_object_get_ex(s, "checks", &checks))
		return;
	for (size_t i = 0; i < json_object_array_length(checks) && n < len; i++) {
		json_object *c = json_object_array_get_idx(checks, i), *st, *msg;
		json_object_object_get_ex(c, "status", &st);
		json_object_object_get_ex(c, "message", &msg);
		*n_fail += !strcmp(json_object_get_string(st), "fail");
		n += (size_t)snprintf(buf + n, len - n, "\n%s: %s", json_object_get_string(st),
				      json_object_get_string(msg));
	}
}

/* Whether @text holds one of the '|'-separated alternatives of @part. */
static int names_part(const char *text, const char *part)
{
	char alt[256];
	for (const char *p = part; *p;) {
		size_t n = strcspn(p, "|");
		snprintf(alt, sizeof(alt), "%.*s", (int)n, p);
		if (strstr(text, alt))
			return 1;
		p += n + (p[n] == '|');
	}
	return 0;
}

/* Turn @target @mode on at each point: error every time (exit 3), never fail or pass, @part named. */
static void run_knob(const char *target, const char *mode, const char *part)
{
	char *dir = strdup(labfix_tmp), *out = hil_test_join(dir, "run"), *log = hil_test_join(dir, "log");
	char *paths[N_POINTS], *junit_path, *junit, text[16384];
	const char *args[6 + N_POINTS] = { "run", "--jobs", "3", "--out", out };
	json_object *results;

	for (size_t i = 0; i < N_POINTS; i++)
		args[5 + i] = paths[i] = write_case(dir, target, mode, points[i]);
	int code = clirun(log, args);
	results = clirun_results(out);
	for (size_t i = 0; i < N_POINTS; i++) {
		char name[64];
		int n_fail;
		json_object *s, *status;
		snprintf(name, sizeof(name), "storm-lab-fault-%s", points[i]);
		s = clirun_scenario(results, name);
		ck_assert_ptr_nonnull(s);
		json_object_object_get_ex(s, "status", &status);
		scenario_text(s, text, sizeof(text), &n_fail);
		ck_assert_msg(!strcmp(json_object_get_string(status), "error"), "%s %s %s: %s, not error:\n%s",
			      target, mode, points[i], json_object_get_string(status), text);
		ck_assert_msg(n_fail == 0, "%s %s %s: a check failed:\n%s", target, mode, points[i], text);
		ck_assert_msg(names_part(text, part), "%s %s %s: \"%s\" not named:\n%s", target, mode,
			      points[i], part, text);
	}
	ck_assert_int_eq(3, code);
	junit_path = hil_test_join(out, "junit.xml");
	junit = hil_test_read_file(junit_path);
	ck_assert_msg(strstr(junit, "<failure") == NULL, "%s", junit);
	free(junit), free(junit_path);
	json_object_put(results);
	for (size_t i = 0; i < N_POINTS; i++)
		free(paths[i]);
	free(dir), free(out), free(log);
}

START_TEST(test_labfault_ha_refuses_the_token)
{
	run_knob("ha", "refuse-token", "HA answered 401");
}
END_TEST

START_TEST(test_labfault_ha_slow)
{
	run_knob("ha", "slow", "HA did not answer in time|HA broken: ");
}
END_TEST

START_TEST(test_labfault_plug_fails)
{
	run_knob("plug", "fail", "plug");
}
END_TEST

START_TEST(test_labfault_plug_stuck)
{
	run_knob("plug", "stuck", "plug");
}
END_TEST

START_TEST(test_labfault_plug_slow)
{
	/* before the steady state its first timeout says it; later the broken latch ends the run */
	run_knob("plug", "slow", "plug did not answer in time|plug broken: shelly-gen2 plug");
}
END_TEST

START_TEST(test_labfault_ssh_drop)
{
	run_knob("ssh", "drop", "SSH");
}
END_TEST

static TCase *tcase(Suite *s, const char *name, const TTest *test)
{
	TCase *tc = tcase_create(name);
	tcase_add_checked_fixture(tc, labfix_setup, labfix_teardown);
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test);
	suite_add_tcase(s, tc);
	return tc;
}

static Suite *suite(void)
{
	Suite *s = suite_create("labfault");
	tcase(s, "ha-refuse", test_labfault_ha_refuses_the_token);
	tcase(s, "ha-slow", test_labfault_ha_slow);
	tcase(s, "plug-fail", test_labfault_plug_fails);
	tcase(s, "plug-stuck", test_labfault_plug_stuck);
	tcase(s, "plug-slow", test_labfault_plug_slow);
	tcase(s, "ssh-drop", test_labfault_ssh_drop);
	return s;
}

int main(void)
{
	return hil_test_run_suite(suite());
}
