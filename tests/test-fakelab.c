/*
 * The clocks, and the fake lab seen through its real interfaces: virtual time over
 * the control endpoint, the plug's Shelly API powering the router and the ONU, the
 * router's IRQ counters over SSH.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "r4hil/clock.h"
#include "r4hil/fakelab.h"
#include "r4hil/lab.h"
#include "r4hil/plug.h"
#include "r4hil/ssh.h"
#include "testutil.h"

#define START_MS 1772442000000LL /* the fake lab's default: 2026-03-02T09:00:00Z */

static char *tmp;
static struct hil_fakelab *lab;
static struct hil_lab *desc;

static void setup(void)
{
	tmp = hil_test_tmpdir("fakelab");
	lab = hil_test_fakelab_start(tmp, &desc);
}

static void teardown(void)
{
	hil_lab_free(desc);
	hil_fakelab_stop(lab);
	hil_test_remove_tree(tmp);
}

static char *truth(void)
{
	char *text = NULL, *err = NULL;
	ck_assert_int_eq(0, hil_fakelab_truth(lab, &text, &err));
	return text;
}

START_TEST(test_clock_real_sleeps_really)
{
	struct hil_clock *c = hil_clock_real_new();
	ck_assert_str_eq("real", c->ops->name);
	int64_t t0 = hil_clock_now(c);
	ck_assert_int_gt(t0, START_MS); /* wall-clock time is later than the fake lab's epoch */
	ck_assert_int_eq(0, hil_clock_sleep_until(c, t0 + 50, NULL));
	int64_t t1 = hil_clock_now(c);
	ck_assert_int_ge(t1 - t0, 50);
	ck_assert_int_lt(t1 - t0, 1000);
	ck_assert_int_eq(0, hil_clock_sleep_until(c, t0, NULL)); /* the past: no wait */
	/* durations on CLOCK_MONOTONIC, not the wall clock NTP may step */
	struct timespec ts;
	int64_t m0 = hil_clock_mono(c);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	int64_t lag = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 - m0;
	ck_assert(lag >= 0 && lag < 100);
	ck_assert_int_eq(0, hil_clock_sleep_until(c, hil_clock_now(c) + 50, NULL));
	ck_assert_int_ge(hil_clock_mono(c) - m0, 50);
	hil_clock_free(c);
}
END_TEST

START_TEST(test_clock_virtual_moves_only_when_asked)
{
	struct hil_clock *c = hil_clock_virtual_new(lab);
	ck_assert_str_eq("virtual", c->ops->name);
	ck_assert_int_eq(START_MS, hil_clock_now(c));
	ck_assert_int_eq(START_MS, hil_clock_now(c)); /* nothing moves it but us */
	char *err = NULL;
	ck_assert_int_eq(0, hil_clock_sleep_until(c, START_MS + 150 * 1000, &err));
	ck_assert_int_eq(START_MS + 150 * 1000, hil_clock_now(c));
	ck_assert_int_eq(START_MS + 150 * 1000, hil_clock_mono(c)); /* durations in virtual time too */
	/* two cron minutes went by, at exactly their minutes */
	char *log = truth();
	ck_assert_ptr_nonnull(strstr(log, "{\"t_ms\":1772442060000,\"kind\":\"cron.run\""));
	ck_assert_ptr_nonnull(strstr(log, "{\"t_ms\":1772442120000,\"kind\":\"cron.run\""));
	ck_assert_ptr_null(strstr(log, "1772442180000"));
	free(log);
	/* the past is refused by the lab, not silently ignored */
	ck_assert_int_lt(hil_fakelab_advance(lab, START_MS, &err), 0);
	ck_assert_ptr_nonnull(strstr(err, "before now"));
	free(err);
	hil_clock_free(c);
}
END_TEST

START_TEST(test_fakelab_plug_powers_router_and_onu)
{
	char *err = NULL;
	struct hil_plug *plug = hil_plug_new(desc->plug.type, desc->plug.url, desc->plug.id, NULL, NULL, &err);
	ck_assert_ptr_nonnull(plug);
	ck_assert_int_eq(0, hil_plug_set(plug, 0, &err));
	char *log = truth();
	ck_assert_ptr_nonnull(strstr(log, "\"kind\":\"router\",\"msg\":\"power off\""));
	ck_assert_ptr_nonnull(strstr(log, "\"kind\":\"onu\",\"msg\":\"PLOAM 51 -> 0 (power off)\""));
	free(log);
	ck_assert_int_eq(0, hil_plug_set(plug, 1, &err));
	/* the router is up 70 s after power-on, the ONU registered after 240 s */
	ck_assert_int_eq(0, hil_fakelab_advance(lab, START_MS + 69 * 1000, &err));
	log = truth();
	ck_assert_ptr_null(strstr(log, "up: boot 2"));
	free(log);
	ck_assert_int_eq(0, hil_fakelab_advance(lab, START_MS + 241 * 1000, &err));
	log = truth();
	ck_assert_ptr_nonnull(strstr(log, "{\"t_ms\":1772442070000,\"kind\":\"router\",\"msg\":\"up: boot 2"));
	ck_assert_ptr_nonnull(strstr(log, "{\"t_ms\":1772442240000,\"kind\":\"onu\",\"msg\":\"PLOAM 40 -> 51 (registration)\"}"));
	free(log);
	hil_plug_free(plug);
}
END_TEST

/* The sfp1-tx-fault line of /proc/interrupts, summed over the CPU columns. */
static long long read_sfp1(struct hil_ssh *ssh)
{
	struct hil_ssh_result res = { 0 };
	char *err = NULL;
	int ret = hil_ssh_exec(ssh, "awk '/ sfp1-tx-fault$/ { print $2 + $3 + $4 + $5 }' /proc/interrupts",
			       NULL, 0, 5000, &res, &err);
	ck_assert_msg(ret == 0 && res.exit_status == 0, "ssh: %s", err ? err : res.err);
	long long n = atoll(res.out);
	hil_ssh_result_free(&res);
	free(err);
	return n;
}

START_TEST(test_fakelab_storm_counts_and_reboot_resets)
{
	char *err = NULL;
	struct hil_ssh_config sc = {
		.host = desc->router.host, .port = desc->router.port, .user = desc->router.user,
		.key_path = desc->router.key, .known_hosts = desc->router.known_hosts,
	};
	struct hil_ssh *ssh = hil_ssh_new(&sc);
	long long before = read_sfp1(ssh);
	ck_assert_int_eq(0, hil_fakelab_inject(lab, "sfp.storm", "{\"rate_per_s\":1800,\"carrier\":0}", &err));
	ck_assert_int_eq(0, hil_fakelab_advance(lab, START_MS + 10 * 1000, &err));
	ck_assert_int_eq(before + 18000, read_sfp1(ssh)); /* 10 s at 1 800/s (+0 baseline in 10 s) */
	struct hil_ssh_result res = { 0 };
	ck_assert_int_eq(0, hil_ssh_exec(ssh, "cat /sys/class/net/sfp-wan/carrier", NULL, 0, 5000, &res, &err));
	ck_assert_str_eq("0\n", res.out);
	hil_ssh_result_free(&res);
	/* a reboot from the router's own shell: a new kernel, counters from zero */
	hil_ssh_exec(ssh, "reboot", NULL, 0, 5000, &res, &err);
	hil_ssh_result_free(&res);
	free(err);
	err = NULL;
	ck_assert_int_eq(0, hil_fakelab_advance(lab, START_MS + 100 * 1000, &err));
	/* Counted from the reset at +15 s (5 s shutdown): 85 s of storm, 2 baseline. An
	 * optical storm survives the reboot: a SoC reset cannot clear it. */
	ck_assert_int_eq(85 * 1800 + 2, read_sfp1(ssh));
	ck_assert_int_eq(0, hil_fakelab_inject(lab, "sfp.storm-stop", NULL, &err));
	ck_assert_int_lt(hil_fakelab_inject(lab, "sfp.flood", NULL, &err), 0);
	ck_assert_ptr_nonnull(strstr(err, "unknown injection"));
	free(err);
	hil_ssh_free(ssh);
}
END_TEST

/* The router's programs never show the lab's secrets in their arguments (ps). */
START_TEST(test_fakelab_no_secret_in_argv)
{
	char *err = NULL;
	struct hil_ssh_config sc = {
		.host = desc->router.host, .port = desc->router.port, .user = desc->router.user,
		.key_path = desc->router.key, .known_hosts = desc->router.known_hosts,
	};
	struct hil_ssh *ssh = hil_ssh_new(&sc);
	/* three minutes of the reference overlay's cron jobs, each pushing to HA */
	ck_assert_int_eq(0, hil_fakelab_advance(lab, START_MS + 3 * 60 * 1000, &err));
	char *text = truth();
	ck_assert_msg(!strstr(text, "secret.argv"), "a reference script leaked a secret: %.200s",
		      strstr(text, "secret.argv"));
	free(text);

	/* a script that passes the token on curl's command line is caught */
	struct hil_ssh_result res = { 0 };
	ck_assert_int_eq(0, hil_ssh_exec(ssh,
					 ". /etc/bpi-r4-ha.env; echo \"$HA_TOKEN\"; curl -s -m 1 -o /dev/null "
					 "-H \"Authorization: Bearer $HA_TOKEN\" \"$HA_URL/api/\"; true",
					 NULL, 0, 5000, &res, &err));
	char token[128];
	ck_assert_int_eq(1, sscanf(res.out, "%127s", token));
	hil_ssh_result_free(&res);
	ck_assert_int_eq(0, hil_fakelab_advance(lab, START_MS + 3 * 60 * 1000 + 1000, &err));
	text = truth();
	ck_assert_ptr_nonnull(strstr(text, "router: curl ha_token in a program's arguments"));
	ck_assert_ptr_null(strstr(text, token)); /* the truth names the secret, never shows it */
	free(text);
	hil_ssh_free(ssh);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("fakelab");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_clock_real_sleeps_really);
	tcase_add_test(tc, test_clock_virtual_moves_only_when_asked);
	tcase_add_test(tc, test_fakelab_plug_powers_router_and_onu);
	tcase_add_test(tc, test_fakelab_storm_counts_and_reboot_resets);
	tcase_add_test(tc, test_fakelab_no_secret_in_argv);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return hil_test_run_suite(suite());
}
