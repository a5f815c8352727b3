/*
 * The memory model (fakes/world/mem.c) through the interfaces the harness uses:
 * `mem.pressure` on the control endpoint, the router's SSH (dmesg, pidof), HA's
 * REST API for what the reference oom-watch.sh reports (OOM-1). Numbers from
 * fakes/README.md: 3 700 MB free of 4 GB; the OOM killer takes the largest
 * resident set first (hostapd, dnsmasq, uhttpd) and kills the process for real.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernellab.h"
#include "r4hil/fakelab.h"
#include "testutil.h"

#define START_MS 1772442000000LL /* 09:00:00; the kernel booted an hour before (dmesg 3600 s) */

static struct klab k;

static void teardown(void)
{
	klab_stop(&k);
}

/* The pid of the running daemon @name (one process each). */
static long pid_of(const char *name)
{
	char cmd[64];
	snprintf(cmd, sizeof(cmd), "pidof %s", name);
	char *out = klab_ok(&k, cmd);
	long pid = strtol(out, NULL, 10);
	ck_assert_msg(pid > 1 && !strchr(out, ' '), "pidof %s: \"%s\"", name, out);
	free(out);
	return pid;
}

static void assert_gone(const char *name)
{
	char cmd[64];
	int status;
	snprintf(cmd, sizeof(cmd), "pidof %s", name);
	free(klab_sh(&k, cmd, &status));
	ck_assert_msg(status == 1, "%s is still running", name);
}

/* The kills run as jobs inside the router: wait (wall time) until dmesg has @n. */
static void wait_kills(int n)
{
	int got = -1;
	for (int i = 0; i < 100 && got != n; i++) {
		if (i)
			usleep(50000);
		char *out = klab_ok(&k, "dmesg | grep -c 'Out of memory: Killed process' || true");
		got = atoi(out);
		free(out);
	}
	ck_assert_int_eq(n, got);
}

#define OOM_RE "oom-killer|Out of memory|oom_reaper"

/* What the OOM killer sees of each daemon. */
static const char *rss_of(const char *name)
{
	if (!strcmp(name, "hostapd"))
		return "total-vm:14848kB, anon-rss:6144kB, file-rss:2048kB, shmem-rss:0kB, UID:0 pgtables:48kB";
	if (!strcmp(name, "dnsmasq"))
		return "total-vm:2752kB, anon-rss:768kB, file-rss:1024kB, shmem-rss:0kB, UID:0 pgtables:28kB";
	return "total-vm:2304kB, anon-rss:512kB, file-rss:896kB, shmem-rss:0kB, UID:0 pgtables:24kB";
}

struct kill {
	const char *name;
	long pid;
};

/* dmesg's OOM lines are exactly the kernel's three lines per kill of @kills (in
 * order, invoked by @by, at kernel time 3600 s), and each victim is really gone. */
static void assert_kills(const char *by, int n, const struct kill *kills)
{
	char *want = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&want, &len);
	for (int i = 0; i < n; i++)
		fprintf(f,
			"%s[ 3600.000000] %s invoked oom-killer: gfp_mask=0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP|"
			"__GFP_ZERO), order=0, oom_score_adj=0\n"
			"[ 3600.000000] Out of memory: Killed process %ld (%s) %s oom_score_adj:0\n"
			"[ 3600.000000] oom_reaper: reaped process %ld (%s), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB",
			i ? "\n" : "", by, kills[i].pid, kills[i].name, rss_of(kills[i].name), kills[i].pid, kills[i].name);
	fclose(f);
	klab_assert_sh(&k, "dmesg | grep -E '" OOM_RE "'", want);
	free(want);
	for (int i = 0; i < n; i++)
		assert_gone(kills[i].name);
}

START_TEST(test_mem_no_kill_up_to_the_free_memory)
{
	klab_start(&k, "mem-fits", NULL);
	long hostapd = pid_of("hostapd"), dnsmasq = pid_of("dnsmasq"), uhttpd = pid_of("uhttpd");
	klab_inject(&k, "mem.pressure", "{\"mb\":3700}");
	ck_assert(klab_truth_at(&k, START_MS, "mem.pressure", "3700 MB allocated: fits in 3700 MB free"));
	klab_advance(&k, 60000);
	klab_assert_sh(&k, "dmesg | grep -cE '" OOM_RE "' || true", "0");
	ck_assert_int_eq(hostapd, pid_of("hostapd"));
	ck_assert_int_eq(dnsmasq, pid_of("dnsmasq"));
	ck_assert_int_eq(uhttpd, pid_of("uhttpd"));
	klab_assert_state(&k, "sensor.bpi_r4_oom_kills", "0");
	/* what the model refuses */
	char *err = NULL;
	ck_assert_int_ne(0, hil_fakelab_inject(k.lab, "mem.pressure", "{\"mb\":4000,\"kills\":9}", &err));
	free(err), err = NULL;
	ck_assert_int_ne(0, hil_fakelab_inject(k.lab, "mem.pressure", "{\"mb\":4000,\"victim\":\"haproxy\"}", &err));
	free(err);
}
END_TEST

START_TEST(test_mem_oom_kills_the_largest_first_for_real)
{
	klab_start(&k, "mem-order", NULL);
	long hostapd = pid_of("hostapd"), dnsmasq = pid_of("dnsmasq"), uhttpd = pid_of("uhttpd");
	klab_inject(&k, "mem.pressure", "{\"mb\":3701,\"kills\":3}");
	wait_kills(3);
	const struct kill kills[] = { { "hostapd", hostapd }, { "dnsmasq", dnsmasq }, { "uhttpd", uhttpd } };
	assert_kills("memhog", 3, kills);
	/* OOM-1 as the reference reports it: oom-watch.sh at the next cron minute */
	klab_align_minute(&k, 5000);
	klab_assert_state(&k, "sensor.bpi_r4_oom_last_victim", "uhttpd");
	klab_assert_state(&k, "sensor.bpi_r4_oom_kills", "3");
	/* a new boot starts the daemons again, with a clean ring */
	klab_fire(&k, "reboot");
	klab_advance(&k, (5 + 70) * 1000);
	ck_assert_int_gt(pid_of("hostapd"), 1);
	ck_assert_int_gt(pid_of("uhttpd"), 1);
	klab_assert_sh(&k, "dmesg | grep -cE '" OOM_RE "' || true", "0");
}
END_TEST

START_TEST(test_mem_victim_first_and_one_already_gone_is_skipped)
{
	klab_start(&k, "mem-victim", NULL);
	long hostapd = pid_of("hostapd"), uhttpd = pid_of("uhttpd");
	klab_inject(&k, "mem.pressure", "{\"mb\":4000,\"victim\":\"uhttpd\",\"by\":\"stress-ng\"}");
	wait_kills(1);
	assert_gone("uhttpd");
	ck_assert_int_eq(hostapd, pid_of("hostapd"));
	/* the same victim again: it is gone, so the largest left goes instead */
	klab_inject(&k, "mem.pressure", "{\"mb\":4000,\"victim\":\"uhttpd\",\"by\":\"stress-ng\"}");
	wait_kills(2);
	ck_assert(klab_truth_at(&k, START_MS, "mem.oom", "uhttpd is not running: the OOM killer picks another"));
	const struct kill kills[] = { { "uhttpd", uhttpd }, { "hostapd", hostapd } };
	assert_kills("stress-ng", 2, kills);
	ck_assert_int_gt(pid_of("dnsmasq"), 1);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("mem");
	TCase *tc = tcase_create("model");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_mem_no_kill_up_to_the_free_memory);
	tcase_add_test(tc, test_mem_oom_kills_the_largest_first_for_real);
	tcase_add_test(tc, test_mem_victim_first_and_one_already_gone_is_skipped);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return hil_test_run_suite(suite());
}
