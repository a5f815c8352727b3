/* Rule tables: unknown keys, missing keys and wrong types, each with its path and position. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "r4hil/jsonschema.h"
#include "testutil.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Every report as "line:col: where: what\n". */
static void collect(void *arg, int line, int col, const char *where, const char *what)
{
	char *all = *(char **)arg, *grown;

	ck_assert_int_ne(-1, asprintf(&grown, "%s%d:%d: %s: %s\n", all ? all : "", line, col, where, what));
	free(all);
	*(char **)arg = grown;
}

static const struct hil_jsonschema_rule step_rules[] = {
	{ "wait", HIL_JSONSCHEMA_STRING, 1 },
	{ "count", HIL_JSONSCHEMA_INTEGER, 0 },
	{ "ratio", HIL_JSONSCHEMA_NUMBER, 0 },
	{ "on", HIL_JSONSCHEMA_BOOL, 0 },
	{ "params", HIL_JSONSCHEMA_OBJECT, 0 },
	{ "extra", HIL_JSONSCHEMA_ANY, 0 },
};

START_TEST(test_jsonschema_reports_with_path_and_position)
{
	const char *text = "{\"steps\": [\n"
			   "  {\"wait\": \"1s\", \"count\": 2, \"ratio\": 0.5, \"on\": true, \"extra\": null},\n"
			   "  {\"wiat\": \"1s\", \"count\": 1.5, \"params\": []}\n"
			   "]}";
	struct hil_jsondoc_error err;
	struct hil_jsondoc *doc = hil_jsondoc_parse(text, strlen(text), &err);
	struct json_object *steps = json_object_object_get(hil_jsondoc_root(doc), "steps");
	struct json_object *vals[ARRAY_SIZE(step_rules)];
	char *got = NULL;
	struct hil_jsonschema sc = { .doc = doc, .report = collect, .arg = &got };

	ck_assert_ptr_nonnull(doc);
	hil_jsonschema_push_key(&sc, "steps");
	hil_jsonschema_push_index(&sc, 0);
	ck_assert_uint_eq(0, hil_jsonschema_check(&sc, json_object_array_get_idx(steps, 0), step_rules,
						   ARRAY_SIZE(step_rules), vals));
	ck_assert_str_eq("1s", json_object_get_string(vals[0]));
	ck_assert_int_eq(2, json_object_get_int(vals[1]));
	ck_assert_ptr_null(vals[4]);
	hil_jsonschema_pop(&sc);
	hil_jsonschema_push_index(&sc, 1);
	ck_assert_uint_eq(4, hil_jsonschema_check(&sc, json_object_array_get_idx(steps, 1), step_rules,
						   ARRAY_SIZE(step_rules), vals));
	ck_assert_ptr_null(vals[1]);
	hil_jsonschema_pop(&sc);
	ck_assert_str_eq("3:4: steps[1].wiat: unknown key \"wiat\" "
			 "(expected one of: wait, count, ratio, on, params, extra)\n"
			 "3:27: steps[1].count: expected an integer, got 1.5\n"
			 "3:42: steps[1].params: expected an object, got an array\n"
			 "3:3: steps[1]: missing required key \"wait\"\n",
			 got);
	free(got);
	got = NULL;
	/* not an object at all (the path is still "steps") */
	ck_assert_uint_eq(1, hil_jsonschema_check(&sc, steps, step_rules, ARRAY_SIZE(step_rules), vals));
	ck_assert_str_eq("1:11: steps: expected an object, got an array\n", got);
	ck_assert_uint_eq(5, sc.n_problems);
	free(got);
	hil_jsondoc_free(doc);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("jsonschema");
	TCase *tc = tcase_create("jsonschema");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_jsonschema_reports_with_path_and_position);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return hil_test_run_suite(suite());
}
