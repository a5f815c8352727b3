/*
 * Flashing (FLASH-1, HEALTH-2). The fake router's flash (world/flash.c) through SSH
 * and the control endpoint: a sysupgrade writes the firmware image back and keeps
 * exactly what /etc/sysupgrade.conf and /lib/upgrade/keep.d/ list; -n keeps
 * nothing. The harness's act "flash": refused at load without the "flash" need or
 * with an unreadable image; an image sysupgrade -T refuses is never flashed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clirun.h"
#include "kernellab.h"
#include "r4hil/scenario.h"
#include "r4hil/ssh.h"
#include "testutil.h"

static struct klab k;

static void teardown(void)
{
	klab_stop(&k);
}

/* A FIT image's header (FDT magic) made for this board: sysupgrade -T accepts it. */
static const char fit_image[] = "\xd0\x0d\xfe\xed" "....description=ARM64 OpenWrt FIT\0compatible=bananapi,bpi-r4\0";

/* Leave state behind that a flash must keep or lose, then flash with @flags. */
static void flash(const char *flags)
{
	char *err = NULL, cmd[128];
	free(klab_ok(&k, "echo 1 > /etc/sfp-storm-watch.reboot; echo junk > /etc/not-kept; "
			 "echo '# edited' >> /etc/init.d/dnsmasq; "
			 "printf '{\"ts\":\"kept\"}\\n' >> /etc/last_health.jsonl"));
	ck_assert_msg(hil_ssh_push(k.ssh, "/tmp/fw.itb", fit_image, sizeof(fit_image), 10000, &err) == 0, "%s", err);
	snprintf(cmd, sizeof(cmd), "sysupgrade %s /tmp/fw.itb", flags);
	klab_fire(&k, cmd);
	klab_advance(&k, 90000); /* 5 s of shutdown, 70 s of boot */
}

static char *exists(const char *path)
{
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "[ -e %s ] && echo yes || echo no", path);
	return klab_ok(&k, cmd);
}

static void assert_exists(const char *path, const char *want)
{
	char *got = exists(path);
	ck_assert_msg(!strcmp(want, got), "%s exists after the flash: %s, expected %s", path, got, want);
	free(got);
}

START_TEST(test_flash_keeps_what_sysupgrade_conf_lists)
{
	klab_start(&k, "flash-keep", NULL);
	flash("");
	char *truth = klab_truth(&k);
	ck_assert_msg(strstr(truth, "rootfs written from the image, the saved configuration restored"), "%s", truth);
	free(truth);
	/* listed in the reference's sysupgrade.conf */
	char *gate = klab_ok(&k, "cat /etc/sfp-storm-watch.reboot");
	ck_assert_str_eq("1", gate);
	free(gate);
	char *ring = klab_ok(&k, "grep -c '\"ts\":\"kept\"' /etc/last_health.jsonl");
	ck_assert_str_eq("1", ring);
	free(ring);
	assert_exists("/etc/bpi-r4-ha.env", "yes");
	/* not listed: the image's own file comes back, runtime files are gone */
	assert_exists("/etc/not-kept", "no");
	char *edited = klab_ok(&k, "grep -c '# edited' /etc/init.d/dnsmasq || true");
	ck_assert_str_eq("0", edited);
	free(edited);
	assert_exists("/sysupgrade.tgz", "no");
}
END_TEST

START_TEST(test_flash_without_settings_keeps_nothing)
{
	klab_start(&k, "flash-n", NULL);
	flash("-n");
	char *truth = klab_truth(&k);
	ck_assert_msg(strstr(truth, "rootfs written from the image, no configuration kept"), "%s", truth);
	ck_assert_msg(strstr(truth, "rebooting (settings discarded)"), "%s", truth);
	free(truth);
	assert_exists("/etc/sfp-storm-watch.reboot", "no");
	assert_exists("/etc/last_health.jsonl", "no");
	assert_exists("/etc/not-kept", "no");
	/* the image's firmware files are back: the router still reports to HA */
	assert_exists("/usr/local/bin/health-snapshot.sh", "yes");
}
END_TEST

/* ---- act "flash" ---- */

static char *tmp;

/* A scenario file in a scratch directory flashing @image (relative to it) with @needs. */
static char *flash_scenario(const char *needs, const char *image)
{
	char *path, *text;
	tmp = hil_test_tmpdir("flash-act");
	ck_assert_int_ge(asprintf(&path, "%s/flash.json", tmp), 0);
	ck_assert_int_ge(asprintf(&text,
		"{\"format\": \"r4hil-scenario/1\", \"name\": \"flash\", \"summary\": \"Flash.\",\n"
		" \"requirements\": [\"FLASH-1\"], %s\n"
		" \"steps\": [{\"label\": \"flash\", \"act\": \"flash\", \"params\": {\"image\": \"%s\"}},\n"
		"           {\"wait\": \"2m\"}],\n"
		" \"expect\": [{\"id\": \"flashed\", \"requirement\": \"FLASH-1\", \"kind\": \"event\",\n"
		"             \"subject\": \"act.flash\", \"equals\": \"flashing\"}]}\n", needs, image), 0);
	hil_test_write_file(path, text);
	free(text);
	return path;
}

static void remove_tmp(void)
{
	hil_test_remove_tree(tmp);
	tmp = NULL;
}

static void assert_load_error(const char *needs, const char *image, const char *msg)
{
	char *path = flash_scenario(needs, image), *errors = NULL;
	struct hil_scenario *s = NULL;
	ck_assert_int_eq(-EINVAL, hil_scenario_load(path, &s, &errors));
	ck_assert_msg(errors && strstr(errors, msg), "want \"%s\" in:\n%s", msg, errors ? errors : "");
	free(errors);
	free(path);
	remove_tmp();
}

START_TEST(test_flash_act_is_checked_at_load)
{
	char image[4200];
	snprintf(image, sizeof(image), "%s/fixtures/images/bpi-r4-sysupgrade.itb", hil_test_source_dir());
	assert_load_error("", image, "act \"flash\" writes the router's flash: the scenario needs [\"flash\"]");
	assert_load_error("\"needs\": [\"flash\"],", "missing.itb", "params.image: cannot read \"");
	assert_load_error("\"needs\": [\"flash\"],", "missing.itb", "/missing.itb\": No such file or directory");
}
END_TEST

/* An image for another board: sysupgrade -T refuses it, the run says so, nothing is flashed. */
START_TEST(test_flash_act_refused_image_is_not_flashed)
{
	char image[4200];
	snprintf(image, sizeof(image), "%s/fixtures/images/bpi-r3-sysupgrade.itb", hil_test_source_dir());
	char *path = flash_scenario("\"needs\": [\"flash\"],", image), *out, *log;
	ck_assert_int_ge(asprintf(&out, "%s/run", tmp), 0);
	ck_assert_int_ge(asprintf(&log, "%s/log", tmp), 0);
	const char *args[] = { "run", "--out", out, path, NULL };
	ck_assert_int_eq(1, clirun(log, args));
	json_object *r = clirun_results(out);
	ck_assert(clirun_failed_requirement(r, "flash", "FLASH-1"));
	json_object_put(r);
	char *tl_path, *truth_path;
	ck_assert_int_ge(asprintf(&tl_path, "%s/flash/timeline.jsonl", out), 0);
	ck_assert_int_ge(asprintf(&truth_path, "%s/flash/lab/truth.jsonl", out), 0);
	char *tl = hil_test_read_file(tl_path), *truth = hil_test_read_file(truth_path);
	ck_assert_msg(strstr(tl, "\"act.flash\"") && strstr(tl, "\"refused\"") &&
		      strstr(tl, "Device bananapi,bpi-r4 not supported by this image"), "%s", tl);
	ck_assert_msg(!strstr(truth, "sysupgrade: image") && !strstr(truth, "reboot requested"), "%s", truth);
	free(tl), free(truth), free(tl_path), free(truth_path);
	free(out), free(log), free(path);
	remove_tmp();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("flash");
	TCase *tc = tcase_create("model");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_flash_keeps_what_sysupgrade_conf_lists);
	tcase_add_test(tc, test_flash_without_settings_keeps_nothing);
	tcase_add_test(tc, test_flash_act_is_checked_at_load);
	tcase_add_test(tc, test_flash_act_refused_image_is_not_flashed);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return hil_test_run_suite(suite());
}
