/*
 * The reference overlay's kernel-side scripts, run by busybox inside the fake
 * router, at the spec's boundaries: page-pool-watch.sh at 599/600 s and
 * 1 799/1 800 s with the gate present and absent, once per stall, both line
 * formats (PP-1..3); sfp-txfault-watch.sh at 1 000/1 001 per minute, the 3rd and
 * 4th storm minute, the 5th with and without the gate, a counter that went down
 * (SFP-3..5). Virtual time stands still between the steps, so cron does not run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernellab.h"
#include "testutil.h"

static struct klab k;

static void setup(void)
{
	klab_start(&k, "overlay-kernel", NULL);
	klab_align_minute(&k, 10000); /* cron ran 10 s ago; nothing runs until we advance */
}

static void teardown(void)
{
	klab_stop(&k);
}

static int sysrq_count(const char *what)
{
	char *log = klab_truth(&k);
	int n = klab_count(log, what);
	free(log);
	return n;
}

static void assert_state(const char *entity, const char *want)
{
	klab_assert_state(&k, entity, want);
}

static void run(const char *script)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "/usr/local/bin/%s", script);
	free(klab_ok(&k, cmd));
}

/* A stall whose newest line, printed now, says @age_s. */
static void stall(const char *params)
{
	klab_inject(&k, "kernel.page-pool-stall", params);
}

#define STACKS "\"kind\":\"sysrq\",\"msg\":\"t: task stacks dumped\""
#define CRASH "\"kind\":\"sysrq\",\"msg\":\"c: crash\""

START_TEST(test_pp_watch_dumps_stacks_at_600_once_per_stall)
{
	stall("{\"age_s\":599}");
	run("page-pool-watch.sh");
	assert_state("sensor.bpi_r4_page_pool_age", "599");
	assert_state("sensor.bpi_r4_page_pool_inflight", "1");
	ck_assert_int_eq(0, sysrq_count(STACKS));
	stall("{\"age_s\":600}");
	run("page-pool-watch.sh");
	assert_state("sensor.bpi_r4_page_pool_age", "600");
	ck_assert_int_eq(1, sysrq_count(STACKS)); /* PP-2 */
	run("page-pool-watch.sh");
	klab_advance(&k, 120000); /* cron 50 s in: 600 s; 110 s in: the line of 660 s */
	assert_state("sensor.bpi_r4_page_pool_age", "660");
	ck_assert_int_eq(1, sysrq_count(STACKS));
	/* a new stall (after the old one drained) is dumped again */
	klab_inject(&k, "kernel.page-pool-recover", NULL);
	klab_advance(&k, 180000);
	assert_state("sensor.bpi_r4_page_pool_age", "0");
	stall("{\"age_s\":600}");
	run("page-pool-watch.sh");
	ck_assert_int_eq(2, sysrq_count(STACKS));
}
END_TEST

START_TEST(test_pp_watch_panics_at_1800_only_with_the_gate)
{
	stall("{\"age_s\":1800}");
	run("page-pool-watch.sh"); /* no gate file */
	free(klab_ok(&k, "echo 0 > /etc/page-pool-watch.reboot"));
	run("page-pool-watch.sh");
	ck_assert_int_eq(0, sysrq_count(CRASH));
	assert_state("sensor.bpi_r4_page_pool_age", "1800");
	free(klab_ok(&k, "echo 1 > /etc/page-pool-watch.reboot"));
	stall("{\"age_s\":1799}");
	run("page-pool-watch.sh");
	ck_assert_int_eq(0, sysrq_count(CRASH));
	stall("{\"age_s\":1800}");
	klab_fire(&k, "/usr/local/bin/page-pool-watch.sh");
	ck_assert_int_eq(1, sysrq_count(CRASH)); /* PP-3 */
	assert_state("sensor.bpi_r4_page_pool_event", "panic");
}
END_TEST

START_TEST(test_pp_watch_reads_both_formats)
{
	stall("{\"id\":9,\"inflight\":1,\"age_s\":60}");
	run("page-pool-watch.sh");
	assert_state("sensor.bpi_r4_page_pool_inflight", "1"); /* not the id */
	stall("{\"format\":\"old\",\"inflight\":199,\"age_s\":120}");
	run("page-pool-watch.sh");
	assert_state("sensor.bpi_r4_page_pool_inflight", "199");
	assert_state("sensor.bpi_r4_page_pool_age", "120");
}
END_TEST

/* Set the watcher's previous sample so that this minute's rate is @rate, @storm minutes in. */
static void sfp_prev(int rate, int storm, int dumped)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd),
		 "c=$(awk '/ sfp1-tx-fault$/ { print $2 + $3 + $4 + $5 }' /proc/interrupts); n=$(date +%%s); "
		 "echo \"$((c - %d)) $((n - 60)) %d %d\" > /tmp/sfp-txfault-watch.state",
		 rate, storm, dumped);
	free(klab_ok(&k, cmd));
}

START_TEST(test_sfp_watch_threshold_is_above_1000_per_minute)
{
	sfp_prev(1000, 0, 0);
	run("sfp-txfault-watch.sh");
	assert_state("sensor.bpi_r4_sfp1_txfault_rate", "1000");
	assert_state("sensor.bpi_r4_sfp1_txfault_event", "normal");
	sfp_prev(1001, 0, 0);
	run("sfp-txfault-watch.sh");
	assert_state("sensor.bpi_r4_sfp1_txfault_rate", "1001");
	assert_state("sensor.bpi_r4_sfp1_txfault_event", "storm");
}
END_TEST

START_TEST(test_sfp_watch_dumps_stacks_at_the_third_minute_once)
{
	sfp_prev(1001, 1, 0);
	run("sfp-txfault-watch.sh"); /* 2nd storm minute */
	ck_assert_int_eq(0, sysrq_count(STACKS));
	sfp_prev(1001, 2, 0);
	run("sfp-txfault-watch.sh"); /* 3rd: SFP-3 */
	ck_assert_int_eq(1, sysrq_count(STACKS));
	char *out = klab_ok(&k, "sed -n 2p /etc/last_sfp_storm.txt; grep -c 'sysrq: Show State' /etc/last_sfp_storm.txt");
	ck_assert_str_eq("rate=1001 storm_minutes=3\n1", out);
	free(out);
	assert_state("sensor.bpi_r4_sfp1_txfault_event", "stacks_dumped");
	free(klab_ok(&k, "cut -d' ' -f3,4 /tmp/sfp-txfault-watch.state > /tmp/sd"));
	sfp_prev(1001, 3, 1);
	run("sfp-txfault-watch.sh"); /* 4th: not again */
	ck_assert_int_eq(1, sysrq_count(STACKS));
	out = klab_ok(&k, "cat /tmp/sd");
	ck_assert_str_eq("3 1", out); /* the script itself remembered the dump */
	free(out);
}
END_TEST

START_TEST(test_sfp_watch_panics_at_the_fifth_minute_only_with_the_gate)
{
	sfp_prev(1001, 4, 1);
	run("sfp-txfault-watch.sh"); /* 5th minute, no gate: SFP-4 says never */
	free(klab_ok(&k, "echo 0 > /etc/sfp-storm-watch.reboot"));
	sfp_prev(1001, 4, 1);
	run("sfp-txfault-watch.sh");
	ck_assert_int_eq(0, sysrq_count(CRASH));
	free(klab_ok(&k, "echo 1 > /etc/sfp-storm-watch.reboot"));
	sfp_prev(1001, 3, 1);
	run("sfp-txfault-watch.sh"); /* 4th minute with the gate: not yet */
	ck_assert_int_eq(0, sysrq_count(CRASH));
	sfp_prev(1001, 4, 1);
	klab_fire(&k, "/usr/local/bin/sfp-txfault-watch.sh");
	ck_assert_int_eq(1, sysrq_count(CRASH));
}
END_TEST

START_TEST(test_sfp_watch_counter_reset_restarts_the_baseline)
{
	sfp_prev(12, 0, 0);
	run("sfp-txfault-watch.sh");
	assert_state("sensor.bpi_r4_sfp1_txfault_rate", "12");
	/* the counter went down (a new kernel): no rate at all, the sample is the baseline */
	sfp_prev(-500000, 4, 1);
	run("sfp-txfault-watch.sh");
	assert_state("sensor.bpi_r4_sfp1_txfault_rate", "12");
	char *out = klab_ok(&k, "c=$(awk '/ sfp1-tx-fault$/ { print $2 + $3 + $4 + $5 }' /proc/interrupts); "
				"read -r p t s d < /tmp/sfp-txfault-watch.state; "
				"[ \"$p\" = \"$c\" ] && [ \"$t\" = \"$(date +%s)\" ] && echo \"$s $d\"");
	ck_assert_str_eq("0 0", out); /* SFP-5 */
	free(out);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("overlay-kernel");
	TCase *tc = tcase_create("scripts");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_pp_watch_dumps_stacks_at_600_once_per_stall);
	tcase_add_test(tc, test_pp_watch_panics_at_1800_only_with_the_gate);
	tcase_add_test(tc, test_pp_watch_reads_both_formats);
	tcase_add_test(tc, test_sfp_watch_threshold_is_above_1000_per_minute);
	tcase_add_test(tc, test_sfp_watch_dumps_stacks_at_the_third_minute_once);
	tcase_add_test(tc, test_sfp_watch_panics_at_the_fifth_minute_only_with_the_gate);
	tcase_add_test(tc, test_sfp_watch_counter_reset_restarts_the_baseline);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return hil_test_run_suite(suite());
}
