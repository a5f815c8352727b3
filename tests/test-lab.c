/*
 * Lab files and lab mode: the loader's file:line:col errors and secrets by
 * reference, `r4hil lab check` against the fake lab (and a wrong host key, a
 * refused HA token, a missing GPIO chip), and `r4hil run --lab` on a fake lab's
 * lab.json and on a derived "real" lab without virtual time.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clirun.h"
#include "labfixture.h"
#include "r4hil/fakelab.h"
#include "r4hil/gpio.h"
#include "r4hil/lab.h"
#include "testutil.h"

static char *slurp(const char *rel)
{
	char *p = labfix_at(rel), *text = hil_test_read_file(p);
	ck_assert_msg(text != NULL, "cannot read %s", p);
	free(p);
	return text;
}

static const char bad_lab[] =
	"{\n"
	"  \"name\": \"bad\",\n"
	"  \"router\": {\"hots\": \"192.168.1.254\", \"port\": \"22\",\n"
	"             \"key\": \"/k\", \"known_hosts\": \"/kh\"},\n"
	"  \"ha\": {\"url\": \"http://192.168.1.2:8123\", \"token_env\": \"R4HIL_TEST_UNSET_TOKEN\"},\n"
	"  \"plug\": {\"type\": \"shelly-gen3\", \"url\": \"http://192.168.1.50\"},\n"
	"  \"gpio\": {\"chip\": \"gpiochip0\", \"lines\": {\"perst\": {\"active_low\": true}}},\n"
	"  \"permits\": [\"power\", \"reboot\"]\n"
	"}\n";

START_TEST(test_lab_load_reports_every_problem_with_its_position)
{
	char *path = labfix_at("bad.json"), *err = NULL;
	struct hil_lab *lab = NULL;
	hil_test_write_file(path, bad_lab);
	unsetenv("R4HIL_TEST_UNSET_TOKEN");
	ck_assert_int_lt(hil_lab_load(path, &lab, &err), 0);
	ck_assert_ptr_null(lab);
	char want[4400];
	const char *lines[] = {
		"3:14: router.hots: unknown key; expected one of: host, port, user, key, known_hosts\n",
		"3:13: router.host: missing; expected a string\n",
		"3:47: router.port: expected an integer from 1 to 65535\n",
		"5:57: ha.token_env: environment variable R4HIL_TEST_UNSET_TOKEN is not set\n",
		"6:20: plug.type: unknown plug type \"shelly-gen3\"",
		"7:52: gpio.lines.perst: missing offset",
		"8:24: permits[1]: expected one of power, panic, mlo-lock, gpio, flash\n",
	};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		snprintf(want, sizeof(want), "%s:%s", path, lines[i]);
		ck_assert_msg(strstr(err, want) != NULL, "missing \"%s\" in:\n%s", want, err);
	}
	free(err);
	err = NULL;
	/* a syntax error says where */
	hil_test_write_file(path, "{\n  \"name\": \"x\",\n  \"router\": {\n}\n");
	ck_assert_int_lt(hil_lab_load(path, &lab, &err), 0);
	snprintf(want, sizeof(want), "%s:5:1: JSON syntax error", path);
	ck_assert_msg(strstr(err, want) != NULL, "%s", err);
	free(err);
	free(path);
}
END_TEST

START_TEST(test_lab_secrets_by_reference)
{
	char *path = labfix_at("lab.json"), *tok = labfix_at("token"), *text, *err = NULL;
	struct hil_lab *lab = NULL;
	if (asprintf(&text,
		     "{\"name\": \"l\", \"router\": {\"host\": \"127.0.0.1\", \"key\": \"/k\", \"known_hosts\": \"/kh\"},\n"
		     " \"ha\": {\"url\": \"http://127.0.0.1:1\", \"token_file\": \"%s\"},\n"
		     " \"plug\": {\"type\": \"tasmota\", \"url\": \"http://127.0.0.1:2\", \"user\": \"admin\",\n"
		     "          \"password_env\": \"R4HIL_TEST_PLUG_PW\"}}\n", tok) < 0)
		abort();
	hil_test_write_file(path, text);
	hil_test_write_file(tok, "secret-ha-token\n");
	setenv("R4HIL_TEST_PLUG_PW", "secret-plug-pw", 1);
	/* a token file others may read is refused, at the key that names it */
	chmod(tok, 0644);
	ck_assert_int_eq(-EPERM, hil_lab_load(path, &lab, &err));
	ck_assert_ptr_nonnull(strstr(err, ":2:52: ha.token_file: "));
	ck_assert_ptr_nonnull(strstr(err, "chmod 600"));
	free(err), err = NULL;
	/* a FIFO or a directory is refused at once (a FIFO used to block the load forever) */
	ck_assert_int_eq(0, unlink(tok));
	ck_assert_int_eq(0, mkfifo(tok, 0600));
	ck_assert_int_eq(-EINVAL, hil_lab_load(path, &lab, &err));
	ck_assert_ptr_nonnull(strstr(err, "is not a regular file, expected a 0600 file holding the secret"));
	free(err), err = NULL;
	ck_assert_int_eq(0, unlink(tok));
	ck_assert_int_eq(0, mkdir(tok, 0700));
	ck_assert_int_eq(-EINVAL, hil_lab_load(path, &lab, &err));
	ck_assert_ptr_nonnull(strstr(err, "is a directory"));
	free(err), err = NULL;
	ck_assert_int_eq(0, rmdir(tok));
	hil_test_write_file(tok, "secret-ha-token\n");
	chmod(tok, 0600);
	ck_assert_msg(hil_lab_load(path, &lab, &err) == 0, "%s", err);
	ck_assert_str_eq("secret-ha-token", lab->ha.token);
	ck_assert_str_eq("secret-plug-pw", lab->plug.secret);
	ck_assert_int_eq(22, lab->router.port);
	ck_assert_str_eq("root", lab->router.user);
	ck_assert_ptr_null(strstr(lab->ha.token_source, "secret"));
	ck_assert_int_eq(0, hil_lab_is_fake(lab));
	ck_assert_int_eq(0, hil_lab_permits(lab, "power")); /* nothing unless the file says so */
	hil_lab_free(lab);
	unsetenv("R4HIL_TEST_PLUG_PW");
	free(text), free(path), free(tok);
}
END_TEST

/* Load @text as a lab file; expect it refused with "file:@where: @msg". */
static void assert_lab_error(const char *text, const char *where, const char *msg)
{
	char *path = labfix_at("strict.json"), *err = NULL, want[4400];
	struct hil_lab *lab = (void *)1;

	hil_test_write_file(path, text);
	ck_assert_int_eq(-EINVAL, hil_lab_load(path, &lab, &err));
	ck_assert_ptr_null(lab);
	snprintf(want, sizeof(want), "%s:%s: %s\n", path, where, msg);
	ck_assert_msg(err && strstr(err, want) != NULL, "want \"%s\" in:\n%s", want, err);
	free(err);
	free(path);
}

/* json-c kept the last of two equal keys: a second "host" or "permits" replaced the first unseen. */
START_TEST(test_lab_duplicate_keys_refused)
{
	assert_lab_error("{\n  \"name\": \"l\",\n"
			 "  \"router\": {\"host\": \"127.0.0.1\", \"key\": \"/k\", \"known_hosts\": \"/kh\", \"host\": \"10.0.0.1\"}\n}\n",
			 "3:70", "duplicate key \"host\" (first at 3:14)");
	assert_lab_error("{\n  \"name\": \"l\",\n"
			 "  \"router\": {\"host\": \"127.0.0.1\", \"key\": \"/k\", \"known_hosts\": \"/kh\"},\n"
			 "  \"permits\": [\"power\"],\n  \"permits\": []\n}\n",
			 "5:3", "duplicate key \"permits\" (first at 4:3)");
	/* a name, not an address: the docs require one (the host key is pinned per address) */
	assert_lab_error("{\n  \"name\": \"l\",\n  \"router\": {\"host\": \"bpi-r4.lan\", \"key\": \"/k\", \"known_hosts\": \"/kh\"}\n}\n",
			 "3:22", "router.host: expected a numeric IPv4 or IPv6 address, got \"bpi-r4.lan\"");
	assert_lab_error("{\n  \"name\": \"l\",\n  \"router\": {\"host\": \"127.0.0.1\", \"port\": 1e999}\n}\n",
			 "3:43", "number out of range: 1e999");
}
END_TEST

/* The documented example for the real lab loads once its secrets are there. */
START_TEST(test_lab_example_file_loads)
{
	char *path, *err = NULL;
	struct hil_lab *lab = NULL;
	if (asprintf(&path, "%s/lab/bpi-r4.example.json", hil_test_source_dir()) < 0)
		abort();
	setenv("R4HIL_HA_TOKEN", "x-ha", 1);
	ck_assert_msg(hil_lab_load(path, &lab, &err) == 0, "%s", err);
	ck_assert_str_eq("192.168.1.254", lab->router.host);
	ck_assert_ptr_nonnull(lab->onu.host);
	ck_assert_str_eq("gpiochip0", lab->gpio.chip);
	ck_assert(lab->gpio.tx_fault.present && lab->gpio.perst.present && lab->gpio.tx_disable.present);
	ck_assert_int_eq(1, hil_lab_permits(lab, "power"));
	ck_assert_int_eq(0, hil_lab_permits(lab, "mlo-lock"));
	ck_assert_int_eq(0, hil_lab_is_fake(lab));
	hil_lab_free(lab);
	free(path);
}
END_TEST

static void drop_control(json_object *root, void *arg)
{
	(void)arg;
	json_object_object_del(root, "control");
}

static void wrong_host_key(json_object *root, void *arg)
{
	json_object *router;
	json_object_object_get_ex(root, "router", &router);
	json_object_object_add(router, "known_hosts", json_object_new_string(arg));
}

static void add_missing_gpio(json_object *root, void *arg)
{
	(void)arg;
	drop_control(root, NULL);
	json_object_object_add(root, "gpio", json_tokener_parse(
		"{\"chip\": \"gpiochip-r4hil-missing\", \"lines\": {\"tx_fault\": {\"offset\": 5}}}"));
}

START_TEST(test_lab_check_fake_lab)
{
	char *dir = labfix_at("fl"), *out = labfix_at("check"), *file = labfix_at("lab-wrongkey.json"), *kh = labfix_at("kh");
	struct hil_fakelab *lab = labfix_start(dir, NULL);
	char *err = NULL;
	const char *ok_args[] = { "lab", "check", hil_fakelab_lab_file(lab), NULL };
	ck_assert_int_eq(0, clirun(out, ok_args));
	char *table = slurp("check.out");
	ck_assert_msg(strstr(table, "router ssh     ok    root@127.0.0.1 host key pinned; Linux") != NULL, "%s", table);
	ck_assert_ptr_nonnull(strstr(table, "ha             ok"));
	ck_assert_ptr_nonnull(strstr(table, "plug           ok    shelly-gen2: relay is on"));
	ck_assert_ptr_nonnull(strstr(table, "lab check: ok"));
	free(table);

	/* a changed host key is refused, never accepted */
	json_object *o = json_object_from_file(hil_fakelab_lab_file(lab)), *router, *port;
	json_object_object_get_ex(o, "router", &router);
	json_object_object_get_ex(router, "port", &port);
	char line[300];
	snprintf(line, sizeof(line), "[127.0.0.1]:%d ssh-ed25519 "
		 "AAAAC3NzaC1lZDI1NTE5AAAAIBGidizUc7hcs3sMluy1SpGbRVCmw7W512MBpe96KITX\n", json_object_get_int(port));
	json_object_put(o);
	hil_test_write_file(kh, line);
	labfix_derive(lab, file, wrong_host_key, kh);
	const char *bad_args[] = { "lab", "check", file, NULL };
	ck_assert_int_eq(1, clirun(out, bad_args));
	table = slurp("check.out");
	ck_assert_msg(strstr(table, "router ssh     FAIL  host key does not match the pinned known_hosts: refused") != NULL,
		      "%s", table);
	ck_assert_ptr_nonnull(strstr(table, "lab check: FAILED"));
	free(table);

	/* HA refusing the token is a failed check that says which token */
	ck_assert_int_eq(0, hil_fakelab_fault(lab, "ha", "refuse-token", &err));
	ck_assert_int_eq(1, clirun(out, ok_args));
	table = slurp("check.out");
	ck_assert_msg(strstr(table, "HTTP 401: the token (file ") != NULL, "%s", table);
	free(table);
	ck_assert_int_eq(0, hil_fakelab_fault(lab, "ha", "ok", &err));

	/* no GPIO chip on this machine: reported clearly */
	labfix_derive(lab, file, add_missing_gpio, NULL);
	ck_assert_int_eq(1, clirun(out, bad_args));
	table = slurp("check.out");
	ck_assert_msg(strstr(table, "gpio           FAIL  GPIO chip gpiochip-r4hil-missing: ") != NULL, "%s", table);
	ck_assert_ptr_nonnull(strstr(table, "real clock"));
	free(table);

	/* a bad file is bad input */
	hil_test_write_file(file, "{\"name\": 1}\n");
	ck_assert_int_eq(2, clirun(out, bad_args));
	table = slurp("check.err");
	ck_assert_ptr_nonnull(strstr(table, ":1:10: name: expected a non-empty string"));
	free(table);
	const char *usage[] = { "lab", "frobnicate", NULL };
	ck_assert_int_eq(2, clirun(out, usage));
	hil_fakelab_stop(lab);
	free(dir), free(out), free(file), free(kh);
}
END_TEST

/* libgpiod without a chip: a clear error from every action, nothing else. */
START_TEST(test_lab_gpio_libgpiod_without_chip)
{
	struct hil_lab lab = { .gpio = { .chip = "gpiochip-r4hil-missing",
					 .tx_fault = { .present = 1, .offset = 5 },
					 .perst = { .present = 1, .offset = 6, .active_low = 1 } } };
	struct hil_gpio *g = hil_gpio_libgpiod_new(&lab);
	char *err = NULL, *detail = NULL;
	struct hil_gpio_train train;
	ck_assert_str_eq("libgpiod", g->ops->name);
	ck_assert_int_eq(-ENODEV, g->ops->check(g, &detail, &err));
	ck_assert_ptr_nonnull(strstr(err, "GPIO chip gpiochip-r4hil-missing: "));
	free(err), err = NULL;
	ck_assert_int_eq(-ENODEV, g->ops->pulse_train(g, 1800, 1000, &train, &err));
	free(err), err = NULL;
	ck_assert_int_eq(-ENODEV, g->ops->pulse(g, HIL_GPIO_PERST, 100, &err));
	ck_assert_ptr_nonnull(strstr(err, "is the rig connected?"));
	free(err);
	hil_gpio_free(g);
	struct hil_lab none = { 0 };
	err = NULL;
	ck_assert_ptr_null(hil_gpio_open(&none, NULL, &err));
	ck_assert_ptr_nonnull(strstr(err, "no gpio section"));
	free(err);
}
END_TEST

static json_object *scenario_result(const char *run_rel, const char *name, const char **status, const char **error)
{
	char *run = labfix_at(run_rel);
	json_object *r = clirun_results(run), *s = clirun_scenario(r, name), *v;
	ck_assert_msg(s != NULL, "%s not in results", name);
	json_object_object_get_ex(s, "status", &v);
	*status = json_object_get_string(v);
	*error = json_object_object_get_ex(s, "error", &v) ? json_object_get_string(v) : "";
	free(run);
	return r;
}

static void no_permits(json_object *root, void *arg)
{
	(void)arg;
	json_object_object_add(root, "permits", json_object_new_array());
}

START_TEST(test_lab_run_on_lab_files)
{
	char *dir = labfix_at("fl"), *log = labfix_at("run"), *real = labfix_at("real.json"), *strict = labfix_at("strict.json");
	char *run_rel[] = { "r1", "r2", "r3", "r4" }, *out[4];
	for (int i = 0; i < 4; i++)
		out[i] = labfix_at(run_rel[i]);
	char *ssh_only = labfix_data("ssh-only.json"), *drop = labfix_data("ssh-drop.json");
	char *fails = labfix_data("plug-api-fails.json"), *cycle = labfix_data("plug-cycle.json");
	char *reboot = labfix_data("reboot.json");
	struct hil_fakelab *lab = labfix_start(dir, NULL);
	const char *status, *error;

	/* the SSH path dropped mid-scenario: noticed, reconnected, the run carries on */
	const char *a1[] = { "run", "--lab", hil_fakelab_lab_file(lab), "--out", out[0], drop, fails, reboot, NULL };
	ck_assert_int_eq(3, clirun(log, a1));
	/* an expected reboot, measured phase by phase: down, SSH back (new boot id), services back */
	json_object *rb = scenario_result("r1", "reboot", &status, &error);
	ck_assert_msg(strcmp(status, "pass") == 0, "reboot: %s %s", status, error);
	json_object_put(rb);
	char *rtl = slurp("r1/reboot/timeline.jsonl");
	ck_assert_ptr_nonnull(strstr(rtl, "\"subject\":\"router.phase\",\"value\":\"down\",\"detail\":{\"after_ms\":"));
	ck_assert_ptr_nonnull(strstr(rtl, "\"subject\":\"router.phase\",\"value\":\"ssh-back\",\"detail\":{\"after_ms\":"));
	ck_assert_ptr_nonnull(strstr(rtl, "\"value\":\"services-back\""));
	free(rtl);
	json_object *r = scenario_result("r1", "ssh-drop", &status, &error);
	ck_assert_str_eq("pass", status);
	json_object_put(r);
	/* the plug API failing is the lab's error, never a requirement failure */
	r = scenario_result("r1", "plug-api-fails", &status, &error);
	ck_assert_str_eq("error", status);
	ck_assert_ptr_nonnull(strstr(error, "failed to switch the plug off"));
	ck_assert_int_eq(0, clirun_failed_requirement(r, "plug-api-fails", "HA-STORM-DOWN"));
	json_object_put(r);

	/* a lab without a control endpoint runs on the real clock and cannot inject */
	labfix_derive(lab, real, drop_control, NULL);
	const char *a2[] = { "run", "--lab", real, "--out", out[1], ssh_only, fails, NULL };
	ck_assert_int_eq(0, clirun(log, a2));
	r = scenario_result("r2", "ssh-only", &status, &error);
	ck_assert_str_eq("pass", status);
	json_object_put(r);
	r = scenario_result("r2", "plug-api-fails", &status, &error);
	ck_assert_str_eq("skipped", status);
	ck_assert_ptr_nonnull(strstr(error, "injection lab.fault needs the fake lab"));
	json_object_put(r);
	char *tl = slurp("r2/ssh-only/timeline.jsonl"); /* wall-clock times, not 2026-03-02 */
	ck_assert_ptr_null(strstr(tl, "2026-03-02T09:"));
	free(tl);

	/* what the lab does not permit is refused, visibly */
	labfix_derive(lab, strict, no_permits, NULL);
	char *truth_before = labfix_truth(lab);
	const char *a3[] = { "run", "--lab", strict, "--out", out[2], cycle, NULL };
	ck_assert_int_eq(0, clirun(log, a3));
	r = scenario_result("r3", "plug-cycle", &status, &error);
	ck_assert_str_eq("skipped", status);
	ck_assert_str_eq("the lab does not permit \"power\"", error);
	json_object_put(r);
	char *truth = labfix_truth(lab);
	ck_assert_str_eq(truth_before, truth); /* nothing happened to the lab */
	free(truth), free(truth_before);

	/* a lab file that does not load is bad input: nothing runs */
	hil_test_write_file(strict, "{\"name\": \"x\"}\n");
	const char *a4[] = { "run", "--lab", strict, "--out", out[3], ssh_only, NULL };
	ck_assert_int_eq(2, clirun(log, a4));
	char *e = slurp("run.err");
	ck_assert_ptr_nonnull(strstr(e, "router: missing; expected an object"));
	free(e);
	hil_fakelab_stop(lab);
	for (int i = 0; i < 4; i++)
		free(out[i]);
	free(dir), free(log), free(real), free(strict), free(ssh_only), free(drop), free(fails), free(cycle), free(reboot);
}
END_TEST

static void gpio_lab(json_object *root, void *arg)
{
	add_missing_gpio(root, arg);
	json_object *permits;
	json_object_object_get_ex(root, "permits", &permits);
	json_object_array_add(permits, json_object_new_string("gpio"));
}

/* A real lab whose GPIO chip is missing: GPIO scenarios are skipped, with the reason. */
START_TEST(test_lab_run_gpio_without_chip)
{
	char *dir = labfix_at("fl"), *log = labfix_at("run"), *file = labfix_at("gpio.json"), *out = labfix_at("r"), *out2 = labfix_at("r2");
	char *storm = labfix_data("gpio-storm.json"), *ssh_only = labfix_data("ssh-only.json");
	char *unneeded = labfix_at("gpio-step.json");
	struct hil_fakelab *lab = labfix_start(dir, NULL);
	const char *status, *error;
	json_object *sc = json_object_from_file(storm);
	json_object_object_del(sc, "needs");
	json_object_object_add(sc, "name", json_object_new_string("gpio-step"));
	ck_assert_int_eq(0, json_object_to_file(unneeded, sc));
	json_object_put(sc);
	/* no gpio section: skipped */
	labfix_derive(lab, file, drop_control, NULL);
	const char *a1[] = { "run", "--lab", file, "--out", out, storm, NULL };
	ck_assert_int_eq(0, clirun(log, a1));
	json_object *r = scenario_result("r", "gpio-storm", &status, &error);
	ck_assert_str_eq("skipped", status);
	ck_assert_str_eq("needs the GPIO rig, and the lab file has no gpio section", error);
	json_object_put(r);
	/* a rig in the file but no chip on this machine: skipped, naming the chip and why */
	labfix_derive(lab, file, gpio_lab, NULL);
	char *truth_before = labfix_truth(lab);
	const char *a2[] = { "run", "--lab", file, "--out", out2, storm, unneeded, NULL };
	ck_assert_int_eq(0, clirun(log, a2));
	r = scenario_result("r2", "gpio-storm", &status, &error);
	ck_assert_str_eq("skipped", status);
	ck_assert_msg(strstr(error, "needs the GPIO rig: GPIO chip gpiochip-r4hil-missing: No such file or directory") != NULL,
		      "%s", error);
	json_object_put(r);
	/* the same from a GPIO step alone, without needs */
	r = scenario_result("r2", "gpio-step", &status, &error);
	ck_assert_str_eq("skipped", status);
	ck_assert_msg(strstr(error, "GPIO chip gpiochip-r4hil-missing: ") != NULL, "%s", error);
	json_object_put(r);
	char *truth = labfix_truth(lab);
	ck_assert_str_eq(truth_before, truth); /* refused before anything ran */
	free(truth), free(truth_before);
	/* the plan shows the GPIO action */
	const char *a3[] = { "run", "--dry-run", "--lab", file, storm, NULL };
	ck_assert_int_eq(0, clirun(log, a3));
	char *plan = slurp("run.out");
	ck_assert_msg(strstr(plan, "GPIO gpiochip-r4hil-missing: TX_FAULT (offset 5) pulse train 100/s for 1s") != NULL,
		      "%s", plan);
	free(plan);
	hil_fakelab_stop(lab);
	free(dir), free(log), free(file), free(out), free(out2), free(storm), free(ssh_only), free(unneeded);
}
END_TEST

/* The fake lab's own rig: the engine's GPIO path (pulse train, PERST# pulse) runs here too. */
START_TEST(test_lab_run_gpio_on_the_fake_rig)
{
	char *dir = labfix_at("fl"), *log = labfix_at("run"), *out = labfix_at("r");
	char *storm = labfix_data("gpio-storm.json");
	struct hil_fakelab *lab = labfix_start(dir, NULL);
	const char *args[] = { "run", "--lab", hil_fakelab_lab_file(lab), "--out", out, storm, NULL };
	ck_assert_int_eq(0, clirun(log, args));
	char *tl = slurp("r/gpio-storm/timeline.jsonl");
	ck_assert_msg(strstr(tl, "\"subject\":\"gpio.tx_fault\",\"value\":\"train\",\"detail\":"
				 "{\"pulses\":100,\"achieved_per_s\":100.0,\"late_max_us\":0}") != NULL, "%s", tl);
	free(tl);
	char *truth = labfix_truth(lab);
	ck_assert_msg(strstr(truth, "storm") != NULL, "the rig's train did not reach the world: %s", truth);
	free(truth);
	hil_fakelab_stop(lab);
	free(dir), free(log), free(out), free(storm);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("lab");
	TCase *tc = tcase_create("lab");
	tcase_add_checked_fixture(tc, labfix_setup, labfix_teardown);
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, test_lab_load_reports_every_problem_with_its_position);
	tcase_add_test(tc, test_lab_secrets_by_reference);
	tcase_add_test(tc, test_lab_duplicate_keys_refused);
	tcase_add_test(tc, test_lab_example_file_loads);
	tcase_add_test(tc, test_lab_check_fake_lab);
	tcase_add_test(tc, test_lab_gpio_libgpiod_without_chip);
	tcase_add_test(tc, test_lab_run_on_lab_files);
	tcase_add_test(tc, test_lab_run_gpio_without_chip);
	tcase_add_test(tc, test_lab_run_gpio_on_the_fake_rig);
	suite_add_tcase(s, tc);
	return hil_test_run_suite(s);
}
