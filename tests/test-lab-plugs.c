/*
 * Every plug driver against the fake lab's implementation of its API, through
 * the lab file the fake lab writes (credentials by reference included): the
 * relay really powers the fake router off and on (ground truth), the driver
 * reads it back, wrong credentials are refused, and a failing plug API is an
 * error, never a silent success.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "r4hil/fakelab.h"
#include "r4hil/lab.h"
#include "r4hil/plug.h"
#include "r4hil/target.h"
#include "labfixture.h"
#include "testutil.h"

static struct hil_fakelab *start(const char *plug_type, struct hil_lab **desc)
{
	char *dir, *err = NULL;
	if (asprintf(&dir, "%s/lab-%s", labfix_tmp, plug_type) < 0)
		abort();
	struct hil_fakelab *lab = labfix_start(dir, plug_type);
	ck_assert_msg(hil_lab_load(hil_fakelab_lab_file(lab), desc, &err) == 0, "%s", err);
	ck_assert_str_eq(plug_type, (*desc)->plug.type);
	free(dir);
	return lab;
}

static int truth_count(struct hil_fakelab *lab, const char *needle)
{
	char *text = labfix_truth(lab);
	int n = 0;
	for (const char *p = text; (p = strstr(p, needle)); p++)
		n++;
	free(text);
	return n;
}

/* Off, read back, on, read back; the world saw both. */
static void cycle(const char *type)
{
	struct hil_lab *desc = NULL;
	struct hil_fakelab *lab = start(type, &desc);
	char *err = NULL;
	struct hil_plug *plug = hil_target_plug(desc, &err);
	ck_assert_msg(plug != NULL, "%s: %s", type, err);
	ck_assert_str_eq(type, hil_plug_type(plug));
	int on = -1;
	ck_assert_msg(hil_plug_set(plug, 0, &err) == 0, "%s off: %s", type, err);
	ck_assert_int_eq(1, truth_count(lab, "\"kind\":\"router\",\"msg\":\"power off\""));
	if (hil_plug_can_read(plug)) {
		ck_assert_msg(hil_plug_get(plug, &on, &err) == 0, "%s get: %s", type, err);
		ck_assert_int_eq(0, on);
	} else {
		ck_assert_int_eq(-EOPNOTSUPP, hil_plug_get(plug, &on, &err));
		free(err), err = NULL;
	}
	ck_assert_msg(hil_plug_set(plug, 1, &err) == 0, "%s on: %s", type, err);
	ck_assert_int_eq(1, truth_count(lab, "\"kind\":\"router\",\"msg\":\"power on\""));
	if (hil_plug_can_read(plug)) {
		ck_assert_int_eq(0, hil_plug_get(plug, &on, &err));
		ck_assert_int_eq(1, on);
	}
	/* setting what is already set is idempotent: no second power-on */
	ck_assert_int_eq(0, hil_plug_set(plug, 1, &err));
	ck_assert_int_eq(1, truth_count(lab, "\"kind\":\"router\",\"msg\":\"power on\""));

	/* a failing plug API is an error, and the relay did not move */
	ck_assert_int_eq(0, hil_fakelab_fault(lab, "plug", "fail", &err));
	int ret = hil_plug_set(plug, 0, &err);
	if (strcmp(type, "ha-switch") != 0) {
		ck_assert_msg(ret < 0, "%s: a failing plug API reported success", type);
		ck_assert_ptr_nonnull(err);
		free(err), err = NULL;
		ck_assert_int_eq(1, truth_count(lab, "\"kind\":\"router\",\"msg\":\"power off\""));
	}
	ck_assert_int_eq(0, hil_fakelab_fault(lab, "plug", "ok", &err));
	hil_plug_free(plug);
	hil_lab_free(desc);
	hil_fakelab_stop(lab);
}

START_TEST(test_lab_plug_shelly_gen2) { cycle("shelly-gen2"); }
END_TEST
START_TEST(test_lab_plug_shelly_gen1) { cycle("shelly-gen1"); }
END_TEST
START_TEST(test_lab_plug_tasmota) { cycle("tasmota"); }
END_TEST
START_TEST(test_lab_plug_hue) { cycle("hue"); }
END_TEST
START_TEST(test_lab_plug_pdudaemon) { cycle("pdudaemon"); }
END_TEST
START_TEST(test_lab_plug_ha_switch) { cycle("ha-switch"); }
END_TEST

/* Plugs with credentials refuse a wrong one, and the message does not quote it. */
START_TEST(test_lab_plug_wrong_credentials_refused)
{
	const char *types[] = { "shelly-gen1", "tasmota", "hue" };
	for (size_t i = 0; i < 3; i++) {
		struct hil_lab *desc = NULL;
		struct hil_fakelab *lab = start(types[i], &desc);
		char *err = NULL;
		struct hil_plug *plug = hil_plug_new(types[i], desc->plug.url, desc->plug.id,
						     desc->plug.user, "not-the-password-x", &err);
		ck_assert_ptr_nonnull(plug);
		ck_assert_int_eq(-EACCES, hil_plug_set(plug, 0, &err));
		ck_assert_ptr_null(strstr(err, "not-the-password-x"));
		ck_assert_int_eq(0, truth_count(lab, "power off"));
		free(err);
		hil_plug_free(plug);
		hil_lab_free(desc);
		hil_fakelab_stop(lab);
	}
}
END_TEST

/* A relay that accepts commands but does not move is caught by the read-back. */
START_TEST(test_lab_plug_stuck_relay_reads_back_wrong)
{
	struct hil_lab *desc = NULL;
	struct hil_fakelab *lab = start("shelly-gen2", &desc);
	char *err = NULL;
	struct hil_plug *plug = hil_target_plug(desc, &err);
	ck_assert_int_eq(0, hil_fakelab_fault(lab, "plug", "stuck", &err));
	ck_assert_int_eq(-EIO, hil_plug_set(plug, 0, &err));
	ck_assert_ptr_nonnull(strstr(err, "reads back on"));
	free(err);
	hil_plug_free(plug);
	hil_lab_free(desc);
	hil_fakelab_stop(lab);
}
END_TEST

static void write_script(const char *path, const char *text)
{
	hil_test_write_file(path, text);
	ck_assert_int_eq(0, chmod(path, 0700));
}

/* The command driver: argv + action, no shell in between, status read back. */
START_TEST(test_lab_plug_command)
{
	char *script, *state, *body, *pwned;
	if (asprintf(&script, "%s/plug.sh", labfix_tmp) < 0 || asprintf(&state, "%s/state", labfix_tmp) < 0 ||
	    asprintf(&pwned, "%s/pwned", labfix_tmp) < 0)
		abort();
	if (asprintf(&body,
		     "#!/bin/sh\n"
		     "# $1: state file, $2: an argument that must arrive literally, $3: action\n"
		     "[ \"$2\" = '; touch %s' ] || { echo \"mangled: $2\"; exit 3; }\n"
		     "case \"$3\" in on|off) echo \"$3\" > \"$1\";; status) cat \"$1\";; *) exit 2;; esac\n",
		     pwned) < 0)
		abort();
	write_script(script, body);
	hil_test_write_file(state, "on\n");
	char injection[300];
	snprintf(injection, sizeof(injection), "; touch %s", pwned);
	const char *argv[] = { script, state, injection, NULL };
	struct hil_plug_config cfg = { .type = "command", .argv = argv };
	char *err = NULL;
	struct hil_plug *plug = hil_plug_open(&cfg, &err);
	ck_assert_ptr_nonnull(plug);
	int on = -1;
	ck_assert_msg(hil_plug_set(plug, 0, &err) == 0, "%s", err);
	char *text = hil_test_read_file(state);
	ck_assert_str_eq("off\n", text);
	free(text);
	ck_assert_int_eq(0, hil_plug_get(plug, &on, &err));
	ck_assert_int_eq(0, on);
	ck_assert_int_eq(0, hil_plug_set(plug, 1, &err));
	ck_assert_int_eq(0, hil_plug_get(plug, &on, &err));
	ck_assert_int_eq(1, on);
	struct stat st;
	ck_assert_int_ne(0, stat(pwned, &st)); /* nothing was interpreted by a shell */
	hil_plug_free(plug);

	/* a failing command and a missing program are errors with the reason */
	hil_test_write_file(state, "broken\n");
	plug = hil_plug_open(&cfg, &err);
	ck_assert_int_eq(-EPROTO, hil_plug_get(plug, &on, &err));
	ck_assert_ptr_nonnull(strstr(err, "expected on or off"));
	free(err), err = NULL;
	hil_plug_free(plug);
	const char *missing[] = { "/nonexistent/plug-tool", NULL };
	cfg.argv = missing;
	plug = hil_plug_open(&cfg, &err);
	ck_assert_int_eq(-ENOENT, hil_plug_set(plug, 1, &err));
	free(err);
	hil_plug_free(plug);
	free(script), free(state), free(body), free(pwned);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("lab-plugs");
	TCase *tc = tcase_create("lab-plugs");
	tcase_add_checked_fixture(tc, labfix_setup, labfix_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_lab_plug_shelly_gen2);
	tcase_add_test(tc, test_lab_plug_shelly_gen1);
	tcase_add_test(tc, test_lab_plug_tasmota);
	tcase_add_test(tc, test_lab_plug_hue);
	tcase_add_test(tc, test_lab_plug_pdudaemon);
	tcase_add_test(tc, test_lab_plug_ha_switch);
	tcase_add_test(tc, test_lab_plug_wrong_credentials_refused);
	tcase_add_test(tc, test_lab_plug_stuck_relay_reads_back_wrong);
	tcase_add_test(tc, test_lab_plug_command);
	suite_add_tcase(s, tc);
	return hil_test_run_suite(s);
}
