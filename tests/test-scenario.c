#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "r4hil/requirements.h"
#include "r4hil/scenario.h"
#include "testutil.h"

static char *data_path(const char *name)
{
	char *p;

	ck_assert_int_ne(-1, asprintf(&p, "%s/tests/data/scenarios/%s", hil_test_source_dir(), name));
	return p;
}

/* Load @name, expect -EINVAL, and check that the errors contain "file:@where: @msg". */
static void assert_error(const char *name, const char *where, const char *msg)
{
	char *path = data_path(name), *errors = NULL, *want;
	struct hil_scenario *s = (void *)1;

	ck_assert_int_eq(-EINVAL, hil_scenario_load(path, &s, &errors));
	ck_assert_ptr_null(s);
	ck_assert_ptr_nonnull(errors);
	ck_assert_int_ne(-1, asprintf(&want, "%s:%s: %s", path, where, msg));
	ck_assert_msg(strstr(errors, want) != NULL, "want \"%s\" in:\n%s", want, errors);
	free(want);
	free(errors);
	free(path);
}

START_TEST(test_scenario_loads_good_file)
{
	char *path = data_path("good-storm-down.json"), *errors = (void *)1, **ents;
	struct hil_scenario *s = NULL;
	size_t n;

	ck_assert_int_eq(0, hil_scenario_load(path, &s, &errors));
	ck_assert_ptr_null(errors);
	ck_assert_str_eq("storm-carrier-down", s->name);
	ck_assert_uint_eq(3, s->n_requirements);
	ck_assert_str_eq("NO-CHAIN", s->requirements[2]);
	ck_assert_uint_eq(1, s->n_needs);
	ck_assert_int_eq(10000, s->observe_period_ms);
	ck_assert_uint_eq(1, s->n_setup);
	ck_assert_int_eq(HIL_STEP_ACT, s->setup[0].kind);
	ck_assert_int_eq(1, json_object_get_boolean(json_object_object_get(s->setup[0].params, "on")));

	ck_assert_int_eq(1, s->steady.present);
	ck_assert_int_eq(300000, s->steady.settle_ms);
	ck_assert_str_eq("HA-STORM-DOWN", s->steady.requirement);
	ck_assert_uint_eq(3, s->steady.n_probes);
	ck_assert_int_eq(HIL_PROBE_ROUTER_UP, s->steady.probes[0].kind);
	ck_assert_int_eq(HIL_COND_AT_MOST, s->steady.probes[2].cond.op);
	ck_assert_double_eq(10, s->steady.probes[2].cond.number);

	ck_assert_uint_eq(5, s->n_steps);
	ck_assert_int_eq(HIL_STEP_ALIGN, s->steps[0].kind);
	ck_assert_int_eq(60000, s->steps[0].duration_ms);
	ck_assert_int_eq(1000, s->steps[0].offset_ms);
	ck_assert_int_eq(21, s->steps[0].line);
	ck_assert_str_eq("storm", s->steps[1].label);
	ck_assert_str_eq("sfp.storm", s->steps[1].name);
	ck_assert_int_eq(1800, json_object_get_int(json_object_object_get(s->steps[1].params, "rate_per_s")));
	ck_assert_int_eq(HIL_STEP_WAIT, s->steps[2].kind);
	ck_assert_int_eq(900000, s->steps[2].duration_ms);
	/* params is never NULL */
	ck_assert_int_eq(0, json_object_object_length(s->steps[3].params));

	ck_assert_uint_eq(4, s->n_expects);
	ck_assert_int_eq(HIL_EXPECT_VALUE, s->expects[0].kind);
	ck_assert_str_eq("storm", s->expects[0].window.from.anchor);
	ck_assert_int_eq(1, s->expects[0].window.has_for);
	ck_assert_int_eq(180000, s->expects[0].window.for_ms);
	ck_assert_int_eq(HIL_EXPECT_SUSTAINED, s->expects[1].kind);
	ck_assert_int_eq(120000, s->expects[1].window.from.offset_ms);
	/* a label containing '-' with a negative offset */
	ck_assert_str_eq("storm-stop", s->expects[1].window.to.anchor);
	ck_assert_int_eq(-10000, s->expects[1].window.to.offset_ms);
	ck_assert_int_eq(10000, s->expects[1].min_ms);
	ck_assert_int_eq(20000, s->expects[1].max_ms);
	ck_assert_str_eq("start", s->expects[2].window.from.anchor);
	ck_assert_int_eq(0, s->expects[2].window.has_to);
	ck_assert_int_eq(HIL_EXPECT_RECOVERY, s->expects[3].kind);
	ck_assert_str_eq("automation.bpi_r4_storm_down", s->expects[3].from.subject);
	ck_assert_str_eq("1", s->expects[3].to.text);
	ck_assert_int_eq(1, s->expects[3].has_min);

	ents = hil_scenario_ha_entities(s, &n);
	ck_assert_uint_eq(4, n);
	ck_assert_str_eq("sensor.bpi_r4_heartbeat", ents[0]);
	ck_assert_str_eq("sensor.bpi_r4_wan_carrier", ents[1]);
	ck_assert_str_eq("sensor.bpi_r4_sfp1_txfault_rate", ents[2]);
	ck_assert_str_eq("automation.bpi_r4_storm_down", ents[3]);
	for (size_t i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	hil_scenario_free(s);
	hil_scenario_free(NULL);
	free(path);
}
END_TEST

START_TEST(test_scenario_observe_commands)
{
	char *path = data_path("good-commands.json"), *errors = NULL;
	struct hil_scenario *s = NULL;

	ck_assert_int_eq(0, hil_scenario_load(path, &s, &errors));
	ck_assert_uint_eq(2, s->n_commands);
	ck_assert_str_eq("gate", s->commands[0].name);
	ck_assert_str_eq("test -s /etc/last_sfp_storm.txt && echo yes || echo no", s->commands[1].command);
	ck_assert_str_eq("router.gate", s->expects[0].cond.subject);
	hil_scenario_free(s);
	free(path);

	assert_error("bad-commands.json", "9:16: observe.commands[1].name", "duplicate command name \"gate\"");
	assert_error("bad-commands.json", "10:16: observe.commands[2].name",
		     "\"boot\" is taken: router.boot is recorded by the harness itself");
	assert_error("bad-commands.json", "11:16: observe.commands[3].name", "expected a name of [a-z0-9_-]+, got \"Bad Name\"");
	assert_error("bad-commands.json", "12:7: observe.commands[4]", "missing required key \"name\"");
	assert_error("bad-commands.json", "17:72: expect[0].subject", "unknown router subject \"router.gaet\"");
}
END_TEST

START_TEST(test_scenario_missing_file)
{
	struct hil_scenario *s = NULL;
	char *errors = NULL;

	ck_assert_int_eq(-ENOENT, hil_scenario_load("/nonexistent/x.json", &s, &errors));
	ck_assert_ptr_null(s);
	ck_assert_str_eq("/nonexistent/x.json: failed to read: No such file or directory\n", errors);
	free(errors);
}
END_TEST

START_TEST(test_scenario_syntax_error_position)
{
	assert_error("bad-syntax.json", "4:2", "JSON syntax error: object value separator ',' expected");
}
END_TEST

START_TEST(test_scenario_unknown_key)
{
	assert_error("bad-unknown-key.json", "7:4",
		     "steps[0].wiat: unknown key \"wiat\" (expected one of: label, note, wait, align, offset, inject, act, params)");
}
END_TEST

START_TEST(test_scenario_wrong_types_and_formats)
{
	assert_error("bad-types.json", "2:12", "format: expected \"r4hil-scenario/1\", got \"r4hil-scenario/2\"");
	assert_error("bad-types.json", "3:10", "name: expected a name of [a-z0-9-]+, got \"Bad_Name\"");
	assert_error("bad-types.json", "4:13", "summary: expected a string, got 42");
	assert_error("bad-types.json", "18:88", "expect[1].equals: expected a string, got 1");
}
END_TEST

START_TEST(test_scenario_unknown_requirement_and_need)
{
	assert_error("bad-types.json", "5:28", "requirements[1]: unknown requirement \"SFP-9\"");
	assert_error("bad-types.json", "6:21", "needs[1]: unknown need \"laser\"");
	assert_error("bad-types.json", "17:30",
		     "expect[0].requirement: requirement \"HA-BLIP\" is not in this scenario's requirements (SFP-1)");
}
END_TEST

START_TEST(test_scenario_bad_duration)
{
	assert_error("bad-types.json", "8:12", "steps[0].wait: expected a duration like \"15s\" or \"3m30s\", got \"15 s\"");
}
END_TEST

START_TEST(test_scenario_bad_params)
{
	assert_error("bad-types.json", "9:52", "steps[1].params.rate_per_s: expected a number > 0, got -5");
	assert_error("bad-types.json", "9:67", "steps[1].params.carrier: expected 0 or 1, got 2");
	assert_error("bad-types.json", "9:84", "steps[1].params.cleared_by: expected \"onu-power\" or \"reboot\", got \"magic\"");
	assert_error("bad-types.json", "10:14", "steps[2].inject: unknown inject \"sfp.strom\" (expected one of: sfp.storm, sfp.storm-stop, ");
	assert_error("bad-types.json", "11:36", "steps[3].params.on: expected true or false, got \"yes\"");
	assert_error("bad-onu-wedge.json", "7:47",
		     "steps[0].params.state: expected a PLOAM state short of O5 (10..50), got 51");
	assert_error("bad-onu-wedge.json", "7:65",
		     "steps[0].params.cleared_by: expected \"soft\" or \"power\", got \"prayer\"");
	assert_error("bad-onu-wedge.json", "8:44", "steps[1].params.for: unknown key \"for\"");
}
END_TEST

/* What a lab must permit is declared: a plug switched off needs "power", a flash "flash". */
START_TEST(test_scenario_steps_need_declared_permissions)
{
	assert_error("bad-needs.json", "7:38",
		     "steps[0].params.on: switching the plug off cuts the router's power: the scenario needs [\"power\"]");
	assert_error("bad-needs.json", "9:22",
		     "steps[2].params: act \"flash\" writes the router's flash: the scenario needs [\"flash\"]");
}
END_TEST

START_TEST(test_scenario_step_needs_one_action)
{
	assert_error("bad-types.json", "12:18", "steps[4].act: a step needs exactly one of \"wait\", \"align\", \"inject\", \"act\", got \"wait\" and \"act\"");
	assert_error("bad-types.json", "13:3", "steps[5]: a step needs exactly one of \"wait\", \"align\", \"inject\", \"act\", got none");
}
END_TEST

START_TEST(test_scenario_duplicate_label_and_id)
{
	assert_error("bad-types.json", "14:13", "steps[6].label: duplicate label \"x\" (first used on line 13)");
	assert_error("bad-types.json", "18:10", "expect[1].id: duplicate expectation id \"a\" (first used on line 17)");
}
END_TEST

START_TEST(test_scenario_condition_operators)
{
	assert_error("bad-types.json", "17:88", "expect[0].below: a condition takes exactly one operator, got \"above\" and \"below\"");
	assert_error("bad-types.json", "20:3", "expect[3]: missing a condition operator");
}
END_TEST

START_TEST(test_scenario_kind_requirements_and_window)
{
	assert_error("bad-types.json", "18:3", "expect[1]: missing required key \"min\" for kind \"sustained\"");
	assert_error("bad-types.json", "19:3", "expect[2]: missing required key \"max\" for kind \"recovery\"");
	assert_error("bad-types.json", "19:78", "expect[2].window.from: expected a time reference: \"start\", \"end\" or the label of a step in steps, "
		     "optionally +/- a duration (e.g. \"storm+3m30s\"), got \"strom+1m\"");
	assert_error("bad-types.json", "19:103", "expect[2].window.for: a window takes either \"to\" or \"for\", not both");
}
END_TEST

START_TEST(test_scenario_missing_keys_and_probes)
{
	assert_error("bad-missing.json", "1:1", "missing required key \"summary\"");
	assert_error("bad-missing.json", "1:1", "missing required key \"steps\"");
	assert_error("bad-missing.json", "5:18", "steady_state: missing required key \"requirement\"");
	assert_error("bad-missing.json", "5:53", "steady_state.probes[0].subject: probe \"router-up\" takes no condition");
	assert_error("bad-missing.json", "5:70", "steady_state.probes[1]: missing required key \"subject\"");
}
END_TEST

START_TEST(test_scenario_errors_sorted_one_per_line)
{
	char *path = data_path("bad-types.json"), *errors = NULL, *line;
	struct hil_scenario *s = NULL;
	int prev = 0, n = 0;

	ck_assert_int_eq(-EINVAL, hil_scenario_load(path, &s, &errors));
	for (line = errors; *line; line = strchr(line, '\n') + 1) {
		int l = atoi(line + strlen(path) + 1);

		ck_assert_msg(!strncmp(line, path, strlen(path)), "line without the file: %s", line);
		ck_assert_int_ge(l, prev);
		prev = l;
		n++;
	}
	ck_assert_int_eq(25, n);
	free(errors);
	free(path);
}
END_TEST

START_TEST(test_scenario_cond_match_and_describe)
{
	struct hil_cond eq = { "switch.internet", HIL_COND_EQUALS, "off", 0 };
	struct hil_cond above = { "sensor.x", HIL_COND_ABOVE, NULL, 10000 };
	struct hil_cond at_most = { "sensor.x", HIL_COND_AT_MOST, NULL, 10 };
	char *d;

	ck_assert_int_eq(1, hil_cond_match(&eq, "off"));
	ck_assert_int_eq(0, hil_cond_match(&eq, "Off"));
	ck_assert_int_eq(0, hil_cond_match(&eq, NULL));
	ck_assert_int_eq(1, hil_cond_match(&above, "10000.5"));
	ck_assert_int_eq(0, hil_cond_match(&above, "10000"));
	ck_assert_int_eq(0, hil_cond_match(&above, "unavailable"));
	ck_assert_int_eq(0, hil_cond_match(&above, "20000abc"));
	ck_assert_int_eq(0, hil_cond_match(&above, ""));
	ck_assert_int_eq(0, hil_cond_match(&above, "inf"));
	ck_assert_int_eq(1, hil_cond_match(&at_most, "10"));
	ck_assert_int_eq(1, hil_cond_match(&at_most, "-3"));
	d = hil_cond_describe(&above);
	ck_assert_str_eq("sensor.x > 10000", d);
	free(d);
	d = hil_cond_describe(&eq);
	ck_assert_str_eq("switch.internet == \"off\"", d);
	free(d);
}
END_TEST

START_TEST(test_scenario_requirements_table)
{
	ck_assert_str_eq("sfp-txfault-watch.sh pushes the per-minute TX-fault rate", hil_requirement_title("SFP-1"));
	ck_assert_ptr_nonnull(hil_requirement_title("OOM-1"));
	ck_assert_ptr_null(hil_requirement_title("sfp-1"));
	ck_assert_ptr_null(hil_requirement_title(NULL));
	ck_assert_uint_eq(41, hil_requirement_count());
	ck_assert_str_eq("HA-STORM-DOWN", hil_requirement_get(22)->id);
	ck_assert_ptr_null(hil_requirement_get(41));
}
END_TEST

/* ---- strict JSON: what json-c let through (issue 17 item 4) ---- */

/* Lines 1-5 of a valid scenario; each test below adds lines 6.. and breaks one thing. */
#define STRICT_HEAD                                      \
	"{\n"                                            \
	"  \"format\": \"r4hil-scenario/1\",\n"          \
	"  \"name\": \"strict\",\n"                      \
	"  \"summary\": \"s\",\n"                        \
	"  \"requirements\": [\"SFP-4\"],\n"
#define STRICT_STEPS "  \"steps\": [{\"wait\": \"8m\"}],\n"
#define STRICT_EXPECT \
	"  \"expect\": [{\"id\": \"e\", \"requirement\": \"SFP-4\", \"kind\": \"never\", \"subject\": \"router.boot\", \"equals\": \"x\"}]"

/* Write @len bytes of @text as a scenario; expect -EINVAL and "file:@where: @msg" among the errors. */
static void assert_text_error(const char *text, size_t len, const char *where, const char *msg)
{
	char *dir = hil_test_tmpdir("strict"), *path = hil_test_join(dir, "s.json"), *errors = NULL, *want;
	struct hil_scenario *s = (void *)1;
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(len, fwrite(text, 1, len, f));
	ck_assert_int_eq(0, fclose(f));
	ck_assert_int_eq(-EINVAL, hil_scenario_load(path, &s, &errors));
	ck_assert_ptr_null(s);
	ck_assert_ptr_nonnull(errors);
	ck_assert_int_ne(-1, asprintf(&want, "%s:%s: %s", path, where, msg));
	ck_assert_msg(strstr(errors, want) != NULL, "want \"%s\" in:\n%s", want, errors);
	free(want);
	free(errors);
	free(path);
	hil_test_remove_tree(dir);
}

#define ASSERT_TEXT_ERROR(text, where, msg) assert_text_error(text, sizeof(text) - 1, where, msg)

START_TEST(test_scenario_strict_base_is_valid)
{
	static const char text[] = STRICT_HEAD STRICT_STEPS STRICT_EXPECT ",\n  \"teardown\": [{\"wait\": \"1s\"}]\n}\n";
	char *dir = hil_test_tmpdir("strict"), *path = hil_test_join(dir, "s.json"), *errors = NULL;
	struct hil_scenario *s = NULL;

	hil_test_write_file(path, text);
	ck_assert_msg(hil_scenario_load(path, &s, &errors) == 0, "%s", errors);
	ck_assert_uint_eq(1, s->n_expects);
	hil_scenario_free(s);
	free(path);
	hil_test_remove_tree(dir);
}
END_TEST

START_TEST(test_scenario_duplicate_top_level_key)
{
	/* a second "expect": [] used to leave the scenario with no expectations, and it passed */
	ASSERT_TEXT_ERROR(STRICT_HEAD STRICT_STEPS STRICT_EXPECT ",\n  \"expect\": []\n}\n",
			  "8:3", "duplicate key \"expect\" (first at 7:3)");
}
END_TEST

START_TEST(test_scenario_duplicate_key_in_step)
{
	ASSERT_TEXT_ERROR(STRICT_HEAD "  \"steps\": [{\"wait\": \"8m\", \"wait\": \"1s\"}],\n" STRICT_EXPECT "\n}\n",
			  "6:28", "duplicate key \"wait\" (first at 6:14)");
}
END_TEST

START_TEST(test_scenario_duplicate_teardown)
{
	ASSERT_TEXT_ERROR(STRICT_HEAD STRICT_STEPS STRICT_EXPECT ",\n"
			  "  \"teardown\": [{\"wait\": \"1s\"}],\n  \"teardown\": []\n}\n",
			  "9:3", "duplicate key \"teardown\" (first at 8:3)");
}
END_TEST

START_TEST(test_scenario_nul_refused_where_it_is)
{
	ASSERT_TEXT_ERROR("{\n  \"format\": \"r4hil-scenario/1\",\n  \"name\": \"strict\",\n  \"summary\": \"s\0x\"\n}\n",
			  "4:16", "the file contains a NUL byte");
	/* json-c turned \u0000 into a string cut short at the NUL */
	ASSERT_TEXT_ERROR("{\n  \"format\": \"r4hil-scenario/1\",\n  \"name\": \"strict\",\n  \"summary\": \"s\\u0000x\"\n}\n",
			  "4:16", "\\u0000 (NUL) is not allowed in a string");
}
END_TEST

START_TEST(test_scenario_bad_utf8_refused)
{
	/* Latin-1 "café": passed through into the XML and JSON reports, which were then invalid */
	ASSERT_TEXT_ERROR(STRICT_HEAD STRICT_STEPS STRICT_EXPECT ",\n  \"teardown\": [{\"note\": \"caf\xe9\", \"wait\": \"1s\"}]\n}\n",
			  "8:29", "invalid UTF-8 (byte 0xe9)");
}
END_TEST

START_TEST(test_scenario_non_strict_json_refused)
{
	ASSERT_TEXT_ERROR("{\n  \"format\": \"r4hil-scenario/1\",\n  'name': \"strict\"\n}\n",
			  "3:3", "JSON syntax error: strings take double quotes, not single quotes");
	ASSERT_TEXT_ERROR(STRICT_HEAD "  \"steps\": [{\"wait\": Infinity}],\n" STRICT_EXPECT "\n}\n",
			  "6:22", "JSON syntax error: \"Infinity\" is not a JSON value");
	ASSERT_TEXT_ERROR(STRICT_HEAD "  \"steps\": [{\"wait\": 1e999}],\n" STRICT_EXPECT "\n}\n",
			  "6:22", "number out of range: 1e999");
	ASSERT_TEXT_ERROR(STRICT_HEAD STRICT_STEPS STRICT_EXPECT ",\n  \"teardown\": [{\"wait\": \"1s\"},]\n}\n",
			  "8:30", "JSON syntax error: trailing comma before ']'");
}
END_TEST

START_TEST(test_scenario_deep_nesting_refused)
{
	/* root, steps, the step: 3 levels; the note's 30th '[' is the 33rd */
	ASSERT_TEXT_ERROR(STRICT_HEAD "  \"steps\": [{\"wait\": \"8m\", \"note\": "
			  "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}],\n"
			  STRICT_EXPECT "\n}\n",
			  "6:65", "JSON nested deeper than 32 levels");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("scenario");
	TCase *tc = tcase_create("scenario");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_scenario_loads_good_file);
	tcase_add_test(tc, test_scenario_missing_file);
	tcase_add_test(tc, test_scenario_observe_commands);
	tcase_add_test(tc, test_scenario_syntax_error_position);
	tcase_add_test(tc, test_scenario_unknown_key);
	tcase_add_test(tc, test_scenario_wrong_types_and_formats);
	tcase_add_test(tc, test_scenario_unknown_requirement_and_need);
	tcase_add_test(tc, test_scenario_bad_duration);
	tcase_add_test(tc, test_scenario_bad_params);
	tcase_add_test(tc, test_scenario_steps_need_declared_permissions);
	tcase_add_test(tc, test_scenario_step_needs_one_action);
	tcase_add_test(tc, test_scenario_duplicate_label_and_id);
	tcase_add_test(tc, test_scenario_condition_operators);
	tcase_add_test(tc, test_scenario_kind_requirements_and_window);
	tcase_add_test(tc, test_scenario_missing_keys_and_probes);
	tcase_add_test(tc, test_scenario_errors_sorted_one_per_line);
	tcase_add_test(tc, test_scenario_cond_match_and_describe);
	tcase_add_test(tc, test_scenario_requirements_table);
	tcase_add_test(tc, test_scenario_strict_base_is_valid);
	tcase_add_test(tc, test_scenario_duplicate_top_level_key);
	tcase_add_test(tc, test_scenario_duplicate_key_in_step);
	tcase_add_test(tc, test_scenario_duplicate_teardown);
	tcase_add_test(tc, test_scenario_nul_refused_where_it_is);
	tcase_add_test(tc, test_scenario_bad_utf8_refused);
	tcase_add_test(tc, test_scenario_non_strict_json_refused);
	tcase_add_test(tc, test_scenario_deep_nesting_refused);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return hil_test_run_suite(suite());
}
