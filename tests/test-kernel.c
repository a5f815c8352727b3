/*
 * The kernel model through the interfaces the harness uses (router SSH, HA's
 * REST API, the control endpoint), with the spec's numbers: panic and
 * kernel.panic (WDT-1, WDT-2), ramoops records in pstore (BOOT-1, PSTORE-1), the
 * mtk-wdt pretimeout and timeout, the page_pool lines (PP-1) and the PPPoE wedge
 * (PPPOE-1), sysupgrade -T and the push over stdin (FLASH-1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernellab.h"
#include "r4hil/plug.h"
#include "r4hil/lab.h"
#include "r4hil/ssh.h"
#include "r4hil/mutants.h"
#include "testutil.h"

#define START_MS 1772442000000LL /* the lab's epoch; the kernel booted an hour before */
#define BOOT_S 70                 /* reset -> userland */

static struct klab k;

static void teardown(void)
{
	klab_stop(&k);
}

static int truth_at(int64_t at, const char *kind, const char *msg)
{
	return klab_truth_at(&k, at, kind, msg);
}

static int truth_has(const char *text)
{
	return klab_truth_has(&k, text);
}

static void assert_state(const char *entity, const char *want)
{
	klab_assert_state(&k, entity, want);
}

START_TEST(test_kernel_identity_watchdog_and_host_safety)
{
	klab_start(&k, "kernel-id", NULL);
	char *out = klab_ok(&k, "uname -r; uname -m; uname -n; head -c 26 /proc/version");
	ck_assert_str_eq("6.12.85\naarch64\nbpi-r4\nLinux version 6.12.85 (bui", out);
	free(out);
	out = klab_ok(&k, "cd /sys/class/watchdog/watchdog0 && cat identity pretimeout_governor pretimeout timeout");
	ck_assert_str_eq("mtk-wdt\npanic\n15\n30", out); /* WDT-1 */
	free(out);
	/* the overlay's sysctl.d was applied at boot over the stock kernel's values (WDT-2) */
	out = klab_ok(&k, "sysctl -n kernel.panic kernel.panic_on_oops kernel.sysrq kernel.hung_task_panic "
			  "kernel.softlockup_panic");
	ck_assert_str_eq("10\n1\n1\n1\n1", out);
	free(out);
	/* dmesg is the model's ring, with kernel timestamps; the first boot was an hour ago */
	out = klab_ok(&k, "dmesg | head -n 1; echo c > /proc/sysrq-trigger.none 2>/dev/null; "
			  "grep -c 'OVERLAP DETECTED' /r4hil/model/dmesg || true");
	ck_assert_str_eq("[    0.000000] Booting Linux on physical CPU 0x0000000000 [0x410fd034]\n0", out);
	free(out);
	/* host safety: the router's root cannot write the host's /proc/sys (shared netns) */
	int status;
	out = klab_sh(&k, "cd /proc/sys/kernel && : >> panic", &status);
	ck_assert_int_ne(0, status);
	free(out);
	/* pstore was mounted by boot-reason.sh; a second mount is busy, as on the board */
	out = klab_sh(&k, "grep pstore /proc/mounts; mount -t pstore pstore /sys/fs/pstore 2>&1", &status);
	ck_assert_int_eq(255, status);
	ck_assert_str_eq("pstore /sys/fs/pstore pstore rw,noatime 0 0\n"
			 "mount: mounting pstore on /sys/fs/pstore failed: Device or resource busy\n",
			 out);
	free(out);
	assert_state("sensor.bpi_r4_boot_cause", "power_on");
}
END_TEST

START_TEST(test_kernel_sysrq_c_panics_dumps_and_resets_after_kernel_panic)
{
	klab_start(&k, "kernel-panic", NULL);
	klab_fire(&k, "echo c > /proc/sysrq-trigger");
	ck_assert(truth_at(START_MS, "pstore", "dmesg-ramoops-0 written"));
	klab_advance(&k, 9999);
	ck_assert(!truth_has("hardware reset"));
	klab_advance(&k, 1); /* kernel.panic = 10 */
	ck_assert(truth_at(START_MS + 10000, "router", "hardware reset: panic timeout"));
	klab_advance(&k, BOOT_S * 1000);
	/* BOOT-1: the next boot finds the dump and the previous console, archives and erases them */
	char *out = klab_ok(&k, "ls /sys/fs/pstore; ls /etc/pstore; head -n 1 /etc/pstore/dmesg-ramoops-0; "
				"grep -c 'Kernel panic - not syncing: sysrq triggered crash' /etc/pstore/dmesg-ramoops-0; "
				"tail -n 1 /etc/pstore/console-ramoops-0");
	ck_assert_str_eq("console-ramoops-0\ndmesg-ramoops-0\nPanic#1 Part1\n1\n"
			 "[ 3600.000000] Rebooting in 10 seconds..",
			 out);
	free(out);
	assert_state("sensor.bpi_r4_boot_cause", "panic");
	assert_state("sensor.bpi_r4_pstore_records", "2");
	assert_state("sensor.bpi_r4_uptime_at_capture", "3600");
	assert_state("sensor.bpi_r4_pstore_layout", "ok");
	/* HA-CRASH: the notification quotes the new values (the cause is pushed last) */
	ck_assert(truth_has("BPI-R4 crash captured (panic)"));
	ck_assert(truth_has("pstore records: 2; uptime at capture: 3600 s. Read the log: ssh root@192.168.1.254 cat"));
	/* an orderly reboot afterwards is not a crash: the records were erased */
	klab_fire(&k, "reboot");
	klab_advance(&k, (5 + BOOT_S) * 1000);
	assert_state("sensor.bpi_r4_boot_cause", "reboot");
	assert_state("sensor.bpi_r4_pstore_records", "1");
}
END_TEST

START_TEST(test_kernel_panic_zero_hangs_until_the_watchdog_bites)
{
	klab_start(&k, "kernel-panic0", NULL);
	/* the stock kernel's panic_timeout 0: panic() spins; procd's last kick was at START */
	klab_fire(&k, "sysctl -w kernel.panic=0 && echo c > /proc/sysrq-trigger");
	klab_advance(&k, 29999);
	ck_assert(!truth_has("hardware reset"));
	klab_advance(&k, 1);
	ck_assert(truth_at(START_MS + 30000, "router", "hardware reset: mtk-wdt timeout"));
}
END_TEST

START_TEST(test_kernel_hang_pretimeout_panics_then_resets)
{
	klab_start(&k, "kernel-hang", NULL);
	klab_advance(&k, 7000); /* procd kicked at START and START+5 s */
	klab_inject(&k, "kernel.hang", NULL);
	klab_advance(&k, 12999);
	ck_assert(!truth_has("kernel panic"));
	klab_advance(&k, 1); /* WDT-1: 15 s after the last kick */
	ck_assert(truth_at(START_MS + 20000, "router", "kernel panic: watchdog pretimeout event"));
	klab_advance(&k, 10000); /* kernel.panic = 10, before the 30 s hardware timeout */
	ck_assert(truth_at(START_MS + 30000, "router", "hardware reset: panic timeout"));
	klab_advance(&k, BOOT_S * 1000);
	char *out = klab_ok(&k, "grep -c 'watchdog: watchdog0: pretimeout event' /etc/pstore/dmesg-ramoops-0");
	ck_assert_str_eq("1", out);
	free(out);
	assert_state("sensor.bpi_r4_boot_cause", "panic");
}
END_TEST

START_TEST(test_kernel_page_pool_lines_every_minute_in_both_formats)
{
	klab_start(&k, "kernel-pp", NULL);
	klab_inject(&k, "kernel.page-pool-stall", "{\"id\":9,\"inflight\":1}");
	klab_advance(&k, 120000);
	char *out = klab_ok(&k, "dmesg | grep page_pool_release_retry");
	ck_assert_str_eq("[ 3600.000000] page_pool_release_retry() stalled pool shutdown: id 9, 1 inflight 60 sec\n"
			 "[ 3660.000000] page_pool_release_retry() stalled pool shutdown: id 9, 1 inflight 120 sec\n"
			 "[ 3720.000000] page_pool_release_retry() stalled pool shutdown: id 9, 1 inflight 180 sec",
			 out);
	free(out);
	/* the older kernel's format: the number is the inflight count, no id */
	klab_inject(&k, "kernel.page-pool-stall", "{\"format\":\"old\",\"inflight\":199,\"age_s\":600}");
	out = klab_ok(&k, "dmesg | grep page_pool_release_retry | tail -n 1");
	ck_assert_str_eq("[ 3720.000000] page_pool_release_retry() stalled pool shutdown 199 inflight 600 sec", out);
	free(out);
	/* drained: the lines just stop, the last one stays */
	klab_inject(&k, "kernel.page-pool-recover", NULL);
	klab_advance(&k, 180000);
	out = klab_ok(&k, "dmesg | grep -c page_pool_release_retry");
	ck_assert_str_eq("4", out);
	free(out);
	/* PP-1 on the router: the watcher saw the recovery from the line's age */
	assert_state("sensor.bpi_r4_page_pool_age", "0");
}
END_TEST

START_TEST(test_kernel_pppoe_flap_wedges_after_hours_of_stall)
{
	klab_start(&k, "kernel-wedge", NULL);
	/* an hour of stall: the flap is survived */
	klab_inject(&k, "kernel.page-pool-stall", "{\"age_s\":3600}");
	klab_inject(&k, "world.emit", "{\"event\":\"wan.pppoe-down\"}");
	ck_assert(truth_has("pppoe-wan flap survived (page_pool stall age 3600s)"));
	/* three hours: the SoC ethernet wedges, no kick, no pretimeout panic, reset at 30 s */
	klab_inject(&k, "kernel.page-pool-stall", "{\"age_s\":10800}");
	klab_advance(&k, 2000);
	klab_inject(&k, "world.emit", "{\"event\":\"wan.pppoe-down\"}");
	klab_advance(&k, 27999);
	ck_assert(!truth_has("hardware reset"));
	klab_advance(&k, 1);
	ck_assert(truth_at(START_MS + 30000, "router", "hardware reset: mtk-wdt timeout"));
	ck_assert(!truth_has("kernel panic"));
	klab_advance(&k, BOOT_S * 1000);
	/* PPPOE-1 as boot-reason.sh reports it: a reset with only the console in pstore */
	assert_state("sensor.bpi_r4_boot_cause", "reset_with_pstore");
	assert_state("sensor.bpi_r4_pstore_records", "1");
	char *out = klab_ok(&k, "ls /etc/pstore; grep -o '\"dmesg_records\":[0-9]*' /etc/last_boot.json");
	ck_assert_str_eq("console-ramoops-0\n\"dmesg_records\":0", out);
	free(out);
}
END_TEST

START_TEST(test_kernel_ramoops_overlap_gives_small_records)
{
	klab_start(&k, "kernel-overlap", NULL);
	klab_inject(&k, "kernel.ramoops-overlap", "{\"on\":true}");
	klab_fire(&k, "reboot");
	klab_advance(&k, (5 + BOOT_S) * 1000);
	char *out = klab_ok(&k, "dmesg | grep -c 'OF: reserved mem: OVERLAP DETECTED!'");
	ck_assert_str_eq("1", out);
	free(out);
	assert_state("sensor.bpi_r4_pstore_layout", "overlap"); /* PSTORE-1 */
	klab_fire(&k, "echo c > /proc/sysrq-trigger");
	klab_advance(&k, (10 + BOOT_S) * 1000);
	out = klab_ok(&k, "wc -c < /etc/pstore/dmesg-ramoops-0");
	ck_assert_int_le(atoi(out), 16384);
	ck_assert_int_gt(atoi(out), 15000);
	free(out);
	assert_state("sensor.bpi_r4_boot_cause", "panic");
}
END_TEST

START_TEST(test_kernel_power_loss_erases_ramoops)
{
	klab_start(&k, "kernel-power", NULL);
	char *err = NULL;
	struct hil_plug *plug = hil_plug_new(k.desc->plug.type, k.desc->plug.url, k.desc->plug.id, NULL, NULL, &err);
	ck_assert_ptr_nonnull(plug);
	klab_fire(&k, "echo c > /proc/sysrq-trigger");
	klab_advance(&k, 20000); /* reset at +10 s, booting */
	ck_assert_int_eq(0, hil_plug_set(plug, 0, &err));
	ck_assert_int_eq(0, hil_plug_set(plug, 1, &err));
	klab_advance(&k, BOOT_S * 1000);
	assert_state("sensor.bpi_r4_boot_cause", "power_on");
	assert_state("sensor.bpi_r4_pstore_records", "0");
	hil_plug_free(plug);
}
END_TEST

/* The overlay layer of mutant @name: its edits applied to the current fixtures. */
static char *mutant_overlay(const char *name)
{
	char *dir, *fixtures, *err = NULL, *overlay = NULL, *automations = NULL;
	struct hil_mutant *mutants;
	size_t n, i = 0;
	if (asprintf(&dir, "%s/tests/mutants", hil_test_source_dir()) < 0 ||
	    asprintf(&fixtures, "%s/fixtures", hil_test_source_dir()) < 0)
		abort();
	ck_assert_msg(hil_mutants_load(dir, &mutants, &n, &err) == 0, "%s", err);
	while (i < n && strcmp(mutants[i].name, name))
		i++;
	ck_assert_msg(i < n, "no mutant %s", name);
	char *sut = hil_test_tmpdir("mutant-sut");
	ck_assert_msg(hil_mutant_materialize(&mutants[i], fixtures, sut, &overlay, &automations, &err) == 0, "%s", err);
	ck_assert_ptr_nonnull(overlay);
	hil_mutants_free(mutants, n);
	free(automations), free(sut), free(fixtures), free(dir);
	return overlay;
}

START_TEST(test_kernel_stock_sysctls_without_the_overlay)
{
	/* WDT-2's mutant: no sysctl.d of ours, OpenWrt's kernel.panic=3 and the kernel's defaults */
	char *mut = mutant_overlay("no-panic-sysctls");
	klab_start(&k, "kernel-stock", mut);
	free(mut);
	klab_inject(&k, "kernel.hung-task", NULL);
	ck_assert(truth_has("hung task without kernel.hung_task_panic=1: no panic"));
	klab_inject(&k, "kernel.soft-lockup", NULL);
	ck_assert(truth_has("soft lockup without kernel.softlockup_panic=1: no panic"));
	klab_fire(&k, "echo c > /proc/sysrq-trigger");
	klab_advance(&k, 3000);
	ck_assert(truth_at(START_MS + 3000, "router", "hardware reset: panic timeout"));
}
END_TEST

START_TEST(test_kernel_flash_push_over_stdin_and_sysupgrade_test)
{
	klab_start(&k, "kernel-flash", NULL);
	/* a FIT image's header (FDT magic) for this board, and one for another board */
	static const char good[] = "\xd0\x0d\xfe\xed" "....description=ARM64 OpenWrt FIT\0compatible=bananapi,bpi-r4\0";
	static const char other[] = "\xd0\x0d\xfe\xed" "....compatible=bananapi,bpi-r3\0";
	char *err = NULL;
	ck_assert_msg(hil_ssh_push(k.ssh, "/tmp/sysupgrade.itb", good, sizeof(good), 10000, &err) == 0, "%s", err);
	ck_assert_msg(hil_ssh_push(k.ssh, "/tmp/other.itb", other, sizeof(other), 10000, &err) == 0, "%s", err);
	int status;
	free(klab_sh(&k, "sysupgrade -T /tmp/sysupgrade.itb", &status));
	ck_assert_int_eq(0, status);
	char *out = klab_sh(&k, "sysupgrade -T /tmp/other.itb 2>&1", &status);
	ck_assert_int_eq(1, status);
	ck_assert_ptr_nonnull(strstr(out, "Image check failed."));
	free(out);
	char *sum = klab_ok(&k, "sha256sum /tmp/sysupgrade.itb | cut -d' ' -f1");
	klab_fire(&k, "sysupgrade /tmp/sysupgrade.itb");
	char needle[160];
	snprintf(needle, sizeof(needle), "sysupgrade: image sha256 %s flashed, rebooting", sum);
	ck_assert(truth_has(needle));
	free(sum);
	ck_assert(truth_has("\"msg\":\"reboot requested\""));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("kernel");
	TCase *tc = tcase_create("model");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_kernel_identity_watchdog_and_host_safety);
	tcase_add_test(tc, test_kernel_sysrq_c_panics_dumps_and_resets_after_kernel_panic);
	tcase_add_test(tc, test_kernel_panic_zero_hangs_until_the_watchdog_bites);
	tcase_add_test(tc, test_kernel_hang_pretimeout_panics_then_resets);
	tcase_add_test(tc, test_kernel_page_pool_lines_every_minute_in_both_formats);
	tcase_add_test(tc, test_kernel_pppoe_flap_wedges_after_hours_of_stall);
	tcase_add_test(tc, test_kernel_ramoops_overlap_gives_small_records);
	tcase_add_test(tc, test_kernel_power_loss_erases_ramoops);
	tcase_add_test(tc, test_kernel_stock_sysctls_without_the_overlay);
	tcase_add_test(tc, test_kernel_flash_push_over_stdin_and_sysupgrade_test);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return hil_test_run_suite(suite());
}
