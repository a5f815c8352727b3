/*
 * The harness's model of 002's MLO compatibility table and the loader's MLO-SAFE
 * rules for `act: "wifi"` steps.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "r4hil/mlo.h"
#include "r4hil/scenario.h"
#include "testutil.h"

static enum hil_mlo_class classify(const char *json, const char **rule)
{
	struct hil_mlo_net nets[HIL_MLO_MAX_NETS];
	size_t n = 0;
	const char *why = NULL;
	json_object *arr = json_tokener_parse(json);
	ck_assert_msg(hil_mlo_nets_parse(arr, nets, &n, &why) == 0, "%s: %s", json, why);
	json_object_put(arr);
	return hil_mlo_classify(nets, n, rule);
}

#define MLD3 "{\"name\":\"m\",\"mode\":\"ap\",\"mlo\":true,\"radios\":[\"radio0\",\"radio1\",\"radio2\"]}"
#define AP(n, r) "{\"name\":\"" n "\",\"mode\":\"ap\",\"radios\":[\"" r "\"]}"

START_TEST(test_mlo_supported_rows)
{
	static const char *const ok[] = {
		"[" MLD3 "]",
		"[" MLD3 "," AP("a", "radio0") "," AP("b", "radio1") "," AP("c", "radio2") "]",
		"[" MLD3 ",{\"name\":\"s\",\"mode\":\"sta\",\"radios\":[\"radio1\"]}]",
		"[" AP("a", "radio1") "," AP("b", "radio1") "," AP("c", "radio1") "," AP("d", "radio1") "]",
		"[{\"name\":\"s\",\"mode\":\"sta\",\"mlo\":true,\"radios\":[\"radio0\",\"radio1\",\"radio2\"]}," AP("a", "radio0") "]",
		"[{\"name\":\"s\",\"mode\":\"sta\",\"role\":\"repeater\",\"radios\":[\"radio0\"]},"
		"{\"name\":\"a\",\"mode\":\"ap\",\"role\":\"repeater\",\"radios\":[\"radio1\"]}]",
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		const char *rule = NULL;
		ck_assert_msg(classify(ok[i], &rule) == HIL_MLO_SUPPORTED, "%s: %s", ok[i], rule);
	}
}
END_TEST

START_TEST(test_mlo_forbidden_rows)
{
	static const char *const bad[] = {
		"[" MLD3 ",{\"name\":\"m2\",\"mode\":\"ap\",\"mlo\":true,\"radios\":[\"radio0\",\"radio1\"]}]",
		"[" MLD3 ",{\"name\":\"s\",\"mode\":\"sta\",\"mlo\":true,\"radios\":[\"radio0\",\"radio1\",\"radio2\"]}]",
		"[{\"name\":\"s\",\"mode\":\"sta\",\"radios\":[\"radio2\"]}]",
		"[" MLD3 ",{\"name\":\"w\",\"mode\":\"ap\",\"wds\":true,\"radios\":[\"radio1\"]}]",
		"[{\"name\":\"s\",\"mode\":\"sta\",\"role\":\"repeater\",\"radios\":[\"radio1\"]},"
		"{\"name\":\"a\",\"mode\":\"ap\",\"role\":\"repeater\",\"radios\":[\"radio1\"]}]",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *rule = NULL;
		ck_assert_msg(classify(bad[i], &rule) == HIL_MLO_FORBIDDEN, "%s", bad[i]);
		ck_assert_ptr_nonnull(rule);
	}
	const char *rule = NULL;
	ck_assert_int_eq(HIL_MLO_LOCKS, classify("[" MLD3 "," AP("a", "radio0") "," AP("b", "radio0") "]", &rule));
	ck_assert_ptr_nonnull(strstr(rule, "EDCCA"));
}
END_TEST

static char *write_scenario(const char *needs, const char *apply)
{
	char *dir = hil_test_tmpdir("mlo"), *path;
	if (asprintf(&path, "%s/s.json", dir) < 0)
		abort();
	FILE *f = fopen(path, "w");
	fprintf(f, "{\"format\":\"r4hil-scenario/1\",\"name\":\"x\",\"summary\":\"x\",\"requirements\":[\"MLO-1\"],%s"
		   "\"setup\":[{\"act\":\"wifi\",\"params\":{\"apply\":\"reboot\",\"base\":[" MLD3 "," AP("a", "radio0") "]}}],"
		   "\"steps\":[{\"act\":\"wifi\",\"params\":{\"apply\":\"%s\",\"add\":[" AP("b", "radio0") "]}}],"
		   "\"expect\":[]}", needs, apply);
	fclose(f);
	free(dir);
	return path;
}

START_TEST(test_mlo_safe_needs_permission)
{
	char *path = write_scenario("", "reload"), *errors = NULL;
	struct hil_scenario *s = NULL;
	ck_assert_int_eq(-EINVAL, hil_scenario_load(path, &s, &errors));
	ck_assert_ptr_nonnull(strstr(errors, "needs [\"mlo-lock\"] (MLO-SAFE)"));
	free(errors);
	free(path);
	/* a guard may be wrong: the same for apply "guard", but not for "stage" */
	path = write_scenario("", "guard");
	ck_assert_int_eq(-EINVAL, hil_scenario_load(path, &s, &errors));
	free(errors);
	free(path);
	path = write_scenario("", "stage");
	ck_assert_int_eq(0, hil_scenario_load(path, &s, &errors));
	ck_assert_uint_eq(0, s->n_teardown);
	hil_scenario_free(s);
	free(path);
}
END_TEST

START_TEST(test_mlo_safe_schedules_recovery)
{
	char *path = write_scenario("\"needs\":[\"mlo-lock\"],", "reload"), *errors = NULL;
	struct hil_scenario *s = NULL;
	ck_assert_msg(hil_scenario_load(path, &s, &errors) == 0, "%s", errors);
	ck_assert_uint_eq(4, s->n_teardown);
	ck_assert_str_eq("plug", s->teardown[0].name);
	ck_assert_int_eq(HIL_MLO_RECOVERY_OFF_MS, s->teardown[1].duration_ms);
	ck_assert_int_ge(s->teardown[1].duration_ms, 15 * 60000);
	/* the step's command was built: staged add, then commit + wifi reload */
	json_object *cmd;
	ck_assert(json_object_object_get_ex(s->steps[0].params, "command", &cmd));
	ck_assert_ptr_nonnull(strstr(json_object_get_string(cmd), "set wireless.b.device='radio0'"));
	ck_assert_ptr_nonnull(strstr(json_object_get_string(cmd), "uci commit wireless && wifi reload"));
	hil_scenario_free(s);
	free(path);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mlo");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_mlo_supported_rows);
	tcase_add_test(tc, test_mlo_forbidden_rows);
	tcase_add_test(tc, test_mlo_safe_needs_permission);
	tcase_add_test(tc, test_mlo_safe_schedules_recovery);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
