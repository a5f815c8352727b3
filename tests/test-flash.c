/*
 * The fake router's flash (world/flash.c) through SSH and the control endpoint:
 * a sysupgrade writes the firmware image back and keeps exactly what
 * /etc/sysupgrade.conf and /lib/upgrade/keep.d/ list (HEALTH-2, FLASH-1); -n keeps
 * nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernellab.h"
#include "r4hil/ssh.h"
#include "testutil.h"

static struct klab k;

static void teardown(void)
{
	klab_stop(&k);
}

/* A FIT image's header (FDT magic) made for this board: sysupgrade -T accepts it. */
static const char image[] = "\xd0\x0d\xfe\xed" "....description=ARM64 OpenWrt FIT\0compatible=bananapi,bpi-r4\0";

/* Leave state behind that a flash must keep or lose, then flash with @flags. */
static void flash(const char *flags)
{
	char *err = NULL, cmd[128];
	free(klab_ok(&k, "echo 1 > /etc/sfp-storm-watch.reboot; echo junk > /etc/not-kept; "
			 "echo '# edited' >> /etc/init.d/dnsmasq; "
			 "printf '{\"ts\":\"kept\"}\\n' >> /etc/last_health.jsonl"));
	ck_assert_msg(hil_ssh_push(k.ssh, "/tmp/fw.itb", image, sizeof(image), 10000, &err) == 0, "%s", err);
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

static Suite *suite(void)
{
	Suite *s = suite_create("flash");
	TCase *tc = tcase_create("model");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_flash_keeps_what_sysupgrade_conf_lists);
	tcase_add_test(tc, test_flash_without_settings_keeps_nothing);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return hil_test_run_suite(suite());
}
