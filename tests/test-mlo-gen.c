/*
 * The MLO scenarios generated from 002's table (r4hil gen-mlo): the checked-in
 * files are exactly what the model generates, the generated files load, the CLI
 * writes and checks them, and the cases cover the table and every rule.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clirun.h"
#include "r4hil/mlo.h"
#include "r4hil/mlo_cases.h"
#include "r4hil/scenario.h"
#include "testutil.h"

static char *path_of(const char *dir, const char *name)
{
	return hil_test_join(dir, name);
}

static void generate(struct hil_mlo_file files[HIL_MLO_N_FILES])
{
	char *err = NULL;
	int ret = hil_mlo_generate(files, &err);
	ck_assert_msg(ret == 0, "generation failed: %s", err ? err : "?");
}

/* The catalogue cannot drift from the model: regenerate and compare byte for byte. */
START_TEST(test_mlo_gen_checked_in_files_are_current)
{
	struct hil_mlo_file files[HIL_MLO_N_FILES];
	generate(files);
	char *dir = path_of(hil_test_source_dir(), "scenarios");
	for (size_t i = 0; i < HIL_MLO_N_FILES; i++) {
		char *path = path_of(dir, files[i].name), *have = hil_test_read_file(path);
		ck_assert_msg(have && !strcmp(have, files[i].text),
			      "%s differs from what the model generates: run `build/r4hil gen-mlo`", path);
		free(have);
		free(path);
	}
	free(dir);
	hil_mlo_files_free(files);
}
END_TEST

START_TEST(test_mlo_gen_files_load)
{
	struct hil_mlo_file files[HIL_MLO_N_FILES];
	generate(files);
	char *tmp = hil_test_tmpdir("mlogen");
	for (size_t i = 0; i < HIL_MLO_N_FILES; i++) {
		char *path = path_of(tmp, files[i].name), *errors = NULL;
		struct hil_scenario *s = NULL;
		hil_test_write_file(path, files[i].text);
		ck_assert_msg(hil_scenario_load(path, &s, &errors) == 0, "%s: %s", files[i].name, errors);
		ck_assert_uint_gt(s->n_expects, 0);
		/* only the EDCCA cases may lock the chip; the loader schedules their recovery */
		ck_assert_uint_eq(strstr(files[i].name, "edcca") ? 4 : 0, s->n_teardown);
		hil_scenario_free(s);
		free(path);
	}
	hil_test_remove_tree(tmp);
	hil_mlo_files_free(files);
}
END_TEST

/* Every case appears as a labelled step, with its expectations. */
START_TEST(test_mlo_gen_every_case_is_a_step)
{
	struct hil_mlo_file files[HIL_MLO_N_FILES];
	generate(files);
	for (size_t c = 0; c < hil_mlo_n_cases; c++) {
		char label[96], expect[96];
		const char *suffix = hil_mlo_cases[c].rule < 0 ? "accepted" : "refused";
		snprintf(label, sizeof(label), "\"label\": \"%s\"", hil_mlo_cases[c].id);
		snprintf(expect, sizeof(expect), "\"id\": \"%s-%s\"", hil_mlo_cases[c].id, suffix);
		int found = 0;
		for (size_t i = 0; i < HIL_MLO_N_FILES; i++)
			found += strstr(files[i].text, label) && strstr(files[i].text, expect);
		ck_assert_msg(found == 1, "case %s: in %d files", hil_mlo_cases[c].id, found);
	}
	hil_mlo_files_free(files);
}
END_TEST

/* MLO-3 as the model predicts it, and the rows that need a reboot per 002. */
START_TEST(test_mlo_gen_reboot_prediction)
{
	struct hil_mlo_net nets[4];
	size_t n = 0;
	const char *why = NULL;
	json_object *a = json_tokener_parse(
		"[{\"name\":\"m\",\"mode\":\"ap\",\"mlo\":true,\"radios\":[\"radio1\",\"radio2\"]},"
		"{\"name\":\"w\",\"mode\":\"sta\",\"radios\":[\"radio0\"]},"
		"{\"name\":\"a\",\"mode\":\"ap\",\"radios\":[\"radio0\"]},"
		"{\"name\":\"b\",\"mode\":\"ap\",\"radios\":[\"radio1\"]}]");
	ck_assert_int_eq(0, hil_mlo_nets_parse(a, nets, &n, &why));
	json_object_put(a);
	ck_assert_int_eq(1, hil_mlo_needs_reboot(nets, 1, 0)); /* the MLO AP itself */
	ck_assert_int_eq(0, hil_mlo_needs_reboot(nets, 2, 1)); /* a STA uplink: reload */
	ck_assert_int_eq(0, hil_mlo_needs_reboot(nets, 3, 2)); /* an AP off the MLO radios */
	ck_assert_int_eq(1, hil_mlo_needs_reboot(nets, 4, 3)); /* an AP on an MLO radio */
	/* the JSON of a network parses back to the same network */
	json_object *o = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		json_object_array_add(o, hil_mlo_net_json(&nets[i]));
	struct hil_mlo_net back[4];
	size_t m = 0;
	ck_assert_int_eq(0, hil_mlo_nets_parse(o, back, &m, &why));
	json_object_put(o);
	ck_assert_uint_eq(n, m);
	ck_assert_int_eq(0, memcmp(nets, back, sizeof(nets)));
}
END_TEST

/* r4hil gen-mlo writes the files; --check finds a drifted one (exit 1). */
START_TEST(test_mlo_gen_cli_writes_and_checks)
{
	char *tmp = hil_test_tmpdir("mlogen-cli"), *log = path_of(tmp, "cli");
	const char *gen[] = { "gen-mlo", "--out", tmp, NULL };
	const char *check[] = { "gen-mlo", "--out", tmp, "--check", NULL };
	ck_assert_int_eq(0, clirun(log, gen));
	ck_assert_int_eq(0, clirun(log, check));
	char *path = path_of(tmp, "mlo-forbidden.json"), *text = hil_test_read_file(path);
	ck_assert_ptr_nonnull(text);
	char *edited = strstr(text, "\"equals\": \"1\""); /* a refusal expected no more */
	ck_assert_ptr_nonnull(edited);
	edited[strlen("\"equals\": \"")] = '0';
	hil_test_write_file(path, text);
	ck_assert_int_eq(1, clirun(log, check));
	char *err = path_of(tmp, "cli.err"), *msg = hil_test_read_file(err);
	ck_assert_ptr_nonnull(strstr(msg, "mlo-forbidden.json differs"));
	free(msg);
	free(err);
	free(text);
	free(path);
	free(log);
	hil_test_remove_tree(tmp);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mlo-gen");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_mlo_gen_checked_in_files_are_current);
	tcase_add_test(tc, test_mlo_gen_files_load);
	tcase_add_test(tc, test_mlo_gen_every_case_is_a_step);
	tcase_add_test(tc, test_mlo_gen_reboot_prediction);
	tcase_add_test(tc, test_mlo_gen_cli_writes_and_checks);
	suite_add_tcase(s, tc);
	return hil_test_run_suite(s);
}
