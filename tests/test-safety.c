/*
 * Lab safety, end to end through the CLI against a fake lab: Ctrl-C during a
 * power-off leaves the plug on, a failed scenario's changes to the gate and the
 * Wi-Fi configuration are put back, --dry-run touches nothing, and no token or
 * password ever reaches an output, a log or a report.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clirun.h"
#include "labfixture.h"
#include "r4hil/fakelab.h"
#include "r4hil/lab.h"
#include "r4hil/plug.h"
#include "r4hil/ssh.h"
#include "r4hil/target.h"
#include "testutil.h"

/* r4hil with @args in the background, output to @log.out/.err. */
static pid_t start_cli(const char *log, const char *const *args)
{
	char bin[4096], out[4200], err[4200];
	const char *argv[32] = { bin };
	snprintf(bin, sizeof(bin), "%s/r4hil", hil_test_build_dir());
	snprintf(out, sizeof(out), "%s.out", log);
	snprintf(err, sizeof(err), "%s.err", log);
	for (int i = 0; args[i] && i < 30; i++)
		argv[i + 1] = args[i];
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644), e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(o, 1);
		dup2(e, 2);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	return pid;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
	nanosleep(&ts, NULL);
}

static int plug_is_on(struct hil_fakelab *lab)
{
	struct hil_lab *desc = NULL;
	char *err = NULL;
	ck_assert_msg(hil_lab_load(hil_fakelab_lab_file(lab), &desc, &err) == 0, "%s", err);
	struct hil_plug *plug = hil_target_plug(desc, &err);
	int on = -1;
	ck_assert_msg(hil_plug_get(plug, &on, &err) == 0, "%s", err);
	hil_plug_free(plug);
	hil_lab_free(desc);
	return on;
}

START_TEST(test_safety_sigint_during_power_off_leaves_the_plug_on)
{
	char *dir = labfix_at("fl"), *log = labfix_at("run"), *out = labfix_at("out"), *cycle = labfix_data("plug-cycle.json");
	struct hil_fakelab *lab = labfix_start(dir, NULL);
	const char *args[] = { "run", "--lab", hil_fakelab_lab_file(lab), "--out", out, cycle, NULL };
	pid_t pid = start_cli(log, args);
	/* wait until the harness has cut the power, then interrupt it mid-wait */
	int off = 0;
	for (int i = 0; i < 600 && !off; i++) {
		char *truth = labfix_truth(lab);
		off = strstr(truth, "\"kind\":\"router\",\"msg\":\"power off\"") != NULL;
		free(truth);
		if (!off)
			sleep_ms(20);
	}
	ck_assert_msg(off, "the scenario never switched the plug off");
	ck_assert_int_eq(0, plug_is_on(lab));
	kill(pid, SIGINT);
	int status;
	ck_assert_int_eq(pid, waitpid(pid, &status, 0));
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(3, WEXITSTATUS(status)); /* interrupted: an error, not a verdict */
	ck_assert_int_eq(1, plug_is_on(lab));
	char *truth = labfix_truth(lab);
	ck_assert_ptr_nonnull(strstr(truth, "\"kind\":\"router\",\"msg\":\"power on\""));
	free(truth);
	json_object *r = clirun_results(out), *s = clirun_scenario(r, "plug-cycle"), *v;
	json_object_object_get_ex(s, "status", &v);
	ck_assert_str_eq("error", json_object_get_string(v));
	json_object_object_get_ex(s, "error", &v);
	ck_assert_str_eq("interrupted", json_object_get_string(v));
	json_object_put(r);
	hil_fakelab_stop(lab);
	free(dir), free(log), free(out), free(cycle);
}
END_TEST

/* @cmd on the fake lab's router over SSH, as the harness reaches it; its stdout. */
static char *router_sh(struct hil_fakelab *lab, const char *cmd)
{
	struct hil_lab *desc = NULL;
	char *err = NULL;
	ck_assert_msg(hil_lab_load(hil_fakelab_lab_file(lab), &desc, &err) == 0, "%s", err);
	struct hil_target *t = hil_target_open(desc, NULL, &err);
	ck_assert_msg(t != NULL, "%s", err);
	struct hil_ssh_result res = { 0 };
	ck_assert_msg(hil_ssh_exec(t->router, cmd, NULL, 0, 10000, &res, &err) == 0, "%s", err);
	char *out = strdup(res.out ? res.out : "");
	hil_ssh_result_free(&res);
	hil_target_close(t);
	return out;
}

/* A scenario that arms the gate and edits /etc/config/wireless, then fails: both come back. */
START_TEST(test_safety_teardown_restores_gate_and_wireless)
{
	char *dir = labfix_at("fl"), *log = labfix_at("run"), *out = labfix_at("out");
	char *changes = labfix_data("changes-files.json");
	struct hil_fakelab *lab = labfix_start(dir, NULL);
	static const char state[] = "md5sum < /etc/config/wireless; cat /etc/sfp-storm-watch.reboot 2>&1 || true";
	char *before = router_sh(lab, state);
	ck_assert_msg(strstr(before, "No such file"), "the gate is armed before the test: %s", before);
	const char *args[] = { "run", "--lab", hil_fakelab_lab_file(lab), "--out", out, changes, NULL };
	ck_assert_int_eq(1, clirun(log, args));
	char *after = router_sh(lab, state);
	ck_assert_str_eq(before, after);
	free(before), free(after);
	hil_fakelab_stop(lab);
	free(dir), free(log), free(out), free(changes);
}
END_TEST

START_TEST(test_safety_dry_run_touches_nothing)
{
	char *dir = labfix_at("fl"), *log = labfix_at("plan"), *cycle = labfix_data("plug-cycle.json");
	char *drop = labfix_data("ssh-drop.json"), *reboot = labfix_data("reboot.json");
	struct hil_fakelab *lab = labfix_start(dir, NULL);
	char *before = labfix_truth(lab);
	const char *args[] = { "run", "--dry-run", "--lab", hil_fakelab_lab_file(lab), cycle, drop, "sfp-storm-carrier-down",
			       reboot, NULL };
	ck_assert_int_eq(0, clirun(log, args));
	char *after = labfix_truth(lab);
	ck_assert_str_eq(before, after); /* the ground truth saw no action at all */
	ck_assert_int_eq(1, plug_is_on(lab));
	char *plan_path = labfix_at("plan.out"), *plan = hil_test_read_file(plan_path);
	/* every call with its time */
	ck_assert_ptr_nonnull(strstr(plan, "scenario plug-cycle (lab fakelab, virtual clock)"));
	ck_assert_ptr_nonnull(strstr(plan, "t+0s         plug shelly-gen2 off: GET http://127.0.0.1:"));
	ck_assert_ptr_nonnull(strstr(plan, "t+6h         plug shelly-gen2 on: GET"));
	ck_assert_ptr_nonnull(strstr(plan, "/rpc/Switch.Set?id=0&on=false"));
	ck_assert_ptr_nonnull(strstr(plan, "SSH root@127.0.0.1:"));
	ck_assert_ptr_nonnull(strstr(plan, "inject lab.fault: POST http://127.0.0.1:"));
	ck_assert_ptr_nonnull(strstr(plan, "S+0s         inject sfp.storm: POST"));
	ck_assert_ptr_nonnull(strstr(plan, "teardown (always):"));
	/* an expected reboot: its probes and deadline; later steps timed from its end */
	ck_assert_ptr_nonnull(strstr(plan, "t+0s         expect reboot within 5m (deadline t+5m); R = when the watch ends"));
	ck_assert_ptr_nonnull(strstr(plan, "down:          TCP connect 127.0.0.1:"));
	ck_assert_ptr_nonnull(strstr(plan, "cat /proc/sys/kernel/random/boot_id until the boot id changes"));
	ck_assert_ptr_nonnull(strstr(plan, "services back: SSH root@127.0.0.1:"));
	ck_assert_ptr_nonnull(strstr(plan, "R+0s         SSH root@127.0.0.1:"));
	ck_assert_ptr_null(strstr(plan, ": ?"));
	free(plan), free(plan_path), free(before), free(after);
	hil_fakelab_stop(lab);
	free(dir), free(log), free(cycle), free(drop), free(reboot);
}
END_TEST

/* Every file under @dir (recursively) and the given extra files: none contains @secret. */
static void assert_absent(const char *dir, const char *secret)
{
	DIR *d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char path[4200];
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (de->d_type == DT_DIR) {
			assert_absent(path, secret);
			continue;
		}
		char *text = hil_test_read_file(path);
		ck_assert_msg(text && !strstr(text, secret), "a secret leaked into %s", path);
		free(text);
	}
	closedir(d);
}

static void env_secrets(json_object *root, void *arg)
{
	(void)arg;
	json_object *ha, *plug;
	json_object_object_get_ex(root, "ha", &ha);
	json_object_object_del(ha, "token_file");
	json_object_object_add(ha, "token_env", json_object_new_string("R4HIL_TEST_HA_TOKEN"));
	json_object_object_get_ex(root, "plug", &plug);
	json_object_object_del(plug, "password_file");
	json_object_object_add(plug, "password_env", json_object_new_string("R4HIL_TEST_PLUG_PASSWORD"));
}

/*
 * Known secrets through every path that reports: a passing run, a failing plug
 * (its errors quote URLs that carry the password), a refused HA token, the plan
 * and the lab check. Then grep everything written.
 */
START_TEST(test_safety_secrets_never_leak)
{
	char *dir = labfix_at("fl"), *runs = labfix_at("runs"), *file = labfix_at("runs/lab-env.json"), *log, *out;
	char *drop = labfix_data("ssh-drop.json"), *fails = labfix_data("plug-api-fails.json");
	struct hil_fakelab *lab = labfix_start(dir, "tasmota");
	char ha_path[4200], pw_path[4200];
	snprintf(ha_path, sizeof(ha_path), "%s/secrets/ha_token", dir);
	snprintf(pw_path, sizeof(pw_path), "%s/secrets/plug_password", dir);
	char *ha_token = hil_test_read_file(ha_path), *plug_pw = hil_test_read_file(pw_path);
	ha_token[strcspn(ha_token, "\n")] = '\0';
	ck_assert_int_ge(strlen(plug_pw), 16);
	setenv("R4HIL_TEST_HA_TOKEN", ha_token, 1);
	setenv("R4HIL_TEST_PLUG_PASSWORD", plug_pw, 1);
	char mk[4300];
	snprintf(mk, sizeof(mk), "mkdir -p '%s'", runs);
	ck_assert_int_eq(0, system(mk));
	labfix_derive(lab, file, env_secrets, NULL);

	out = labfix_at("runs/r1");
	log = labfix_at("runs/r1-log");
	const char *a1[] = { "run", "--lab", file, "--out", out, drop, fails, NULL };
	ck_assert_int_eq(3, clirun(log, a1));
	free(out), free(log);
	char *err = NULL;
	ck_assert_int_eq(0, hil_fakelab_fault(lab, "ha", "refuse-token", &err));
	out = labfix_at("runs/r2");
	log = labfix_at("runs/r2-log");
	const char *a2[] = { "run", "--lab", file, "--out", out, "sfp-blip", NULL };
	ck_assert_int_eq(3, clirun(log, a2)); /* HA refuses the token: the lab's error */
	free(log);
	log = labfix_at("runs/check");
	const char *a3[] = { "lab", "check", file, NULL };
	ck_assert_int_eq(1, clirun(log, a3));
	free(log);
	log = labfix_at("runs/plan");
	const char *a4[] = { "run", "--dry-run", "--lab", file, drop, fails, NULL };
	ck_assert_int_eq(0, clirun(log, a4));
	free(log);
	ck_assert_int_eq(0, hil_fakelab_fault(lab, "ha", "ok", &err));
	/* the run's error did quote the plug's URL: the grep below is not vacuous */
	char *r1 = labfix_at("runs/r1/results.json"), *results = hil_test_read_file(r1);
	ck_assert_ptr_nonnull(strstr(results, "tasmota"));
	free(results), free(r1);

	assert_absent(runs, ha_token);
	assert_absent(runs, plug_pw);
	/* nor the control token, which the run used all along */
	char ctl_path[4200];
	snprintf(ctl_path, sizeof(ctl_path), "%s/secrets/control_token", dir);
	char *ctl = hil_test_read_file(ctl_path);
	ctl[strcspn(ctl, "\n")] = '\0';
	assert_absent(runs, ctl);
	free(ctl), free(ha_token), free(plug_pw), free(out);
	hil_fakelab_stop(lab);
	free(dir), free(runs), free(file), free(drop), free(fails);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("safety");
	TCase *tc = tcase_create("safety");
	tcase_add_checked_fixture(tc, labfix_setup, labfix_teardown);
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, test_safety_sigint_during_power_off_leaves_the_plug_on);
	tcase_add_test(tc, test_safety_dry_run_touches_nothing);
	tcase_add_test(tc, test_safety_teardown_restores_gate_and_wireless);
	tcase_add_test(tc, test_safety_secrets_never_leak);
	suite_add_tcase(s, tc);
	return hil_test_run_suite(s);
}
