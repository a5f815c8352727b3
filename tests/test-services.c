/*
 * The services model (world/services.c: procd, its respawn policy, the jailed
 * daemons) through the interfaces the harness uses (router SSH, the control
 * endpoint, the plug's API), with the numbers of fakes/README.md: S19 dnsmasq
 * before S20 network, dnsmasq failing to bind the WAN VIP until pppoe-wan is up,
 * `respawn 3600 5 5` giving up at 25 s and `3600 10 30` at 300 s (DNS-1); the
 * jail's pidfile holding procd's PID, which a signal turns into a reboot or a
 * power-off (JAIL-1); haproxy killed and restarted through its init script (HAP-1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernellab.h"
#include "r4hil/fakelab.h"
#include "r4hil/lab.h"
#include "r4hil/plug.h"
#include "testutil.h"

#define START_MS 1772442000000LL
#define BOOT_S 70     /* reset -> userland */
#define SHUTDOWN_S 5  /* `reboot` -> reset */
/* dnsmasq's start before pppoe-wan is up, as procd logs it */
#define NO_VIP "dnsmasq exited (cannot bind 31.3.128.59: pppoe-wan is not up); "

static struct klab k;

static void teardown(void)
{
	klab_stop(&k);
}

/*
 * `pidof @name` on the router once the model's jobs there (procd's starts and
 * kills) are done: its PIDs, "" when none runs.
 */
static char *pidof(const char *name)
{
	klab_advance(&k, 0);
	char cmd[64];
	snprintf(cmd, sizeof(cmd), "pidof %s || true", name);
	return klab_ok(&k, cmd);
}

static void assert_running(const char *name, int want)
{
	char *pids = pidof(name);
	ck_assert_msg((*pids != '\0') == want, "pidof %s at +%lld ms: \"%s\"", name,
		      (long long)(klab_now(&k) - START_MS), pids);
	free(pids);
}

/* @name is not running, and its init script says so as procd does (exit 1). */
static void assert_inactive(const char *name)
{
	assert_running(name, 0);
	char cmd[64];
	snprintf(cmd, sizeof(cmd), "/etc/init.d/%s running", name);
	int status;
	char *out = klab_sh(&k, cmd, &status);
	ck_assert_int_eq(1, status);
	ck_assert_str_eq("inactive\n", out);
	free(out);
}

/* The first session of the next boot comes @s after S20network. */
static void pppoe_delay(int s)
{
	char params[64];
	snprintf(params, sizeof(params), "{\"duration_ms\":%d}", s * 1000);
	klab_inject(&k, "wan.pppoe-delay", params);
}

/* `reboot` now; returns the virtual time userland (procd, rc.d) is back. */
static int64_t reboot_router(void)
{
	int64_t t = klab_now(&k);
	klab_fire(&k, "reboot");
	klab_advance(&k, (SHUTDOWN_S + BOOT_S) * 1000);
	ck_assert(klab_truth_at(&k, t + (SHUTDOWN_S + BOOT_S) * 1000, "router", "up: boot"));
	return t + (SHUTDOWN_S + BOOT_S) * 1000;
}

/* Offset of @text in the truth after @mark (-1 when either is absent). */
static long truth_pos(const char *mark, const char *text)
{
	char *log = klab_truth(&k);
	const char *m = strstr(log, mark), *p = m ? strstr(m, text) : NULL;
	long pos = p ? p - log : -1;
	free(log);
	return pos;
}

START_TEST(test_services_s19_before_s20_and_the_fixed_respawn_waits_for_pppoe)
{
	klab_start_without_cron(&k, "svc-order");
	klab_assert_sh(&k, "ls /etc/rc.d | tr '\\n' ' '", "S19dnsmasq S20network S99haproxy ");
	/* rc.local fixed dnsmasq's respawn at the lab's boot; procd reads it at the next start */
	klab_assert_sh(&k, "grep -c 'procd_set_param respawn 3600 10 30' /etc/init.d/dnsmasq", "1");
	pppoe_delay(45);
	int64_t up = reboot_router();
	ck_assert(klab_truth_at(&k, up, "services", "dnsmasq: S19dnsmasq (respawn 3600 10 30)"));
	ck_assert(klab_truth_at(&k, up, "services", NO_VIP "respawn 1\\/30 in 10s"));
	ck_assert(klab_truth_at(&k, up, "wan.pppoe", "netifd up: pppoe-wan dialling, first session in 45s"));
	ck_assert(klab_truth_at(&k, up, "services", "haproxy: S99haproxy (respawn 3600 10 30)"));
	long s19 = truth_pos("up: boot 2", "dnsmasq: S19dnsmasq"), s20 = truth_pos("up: boot 2", "netifd up"),
	     s99 = truth_pos("up: boot 2", "haproxy: S99");
	ck_assert_int_ge(s19, 0);
	ck_assert_int_lt(s19, s20);
	ck_assert_int_lt(s20, s99);
	klab_advance(&k, 40000);
	ck_assert(klab_truth_at(&k, up + 40000, "services", NO_VIP "respawn 5\\/30 in 10s"));
	klab_advance(&k, 5000);
	ck_assert(klab_truth_at(&k, up + 45000, "wan.pppoe", "pppoe-wan up"));
	klab_advance(&k, 4999);
	assert_running("dnsmasq", 0);
	klab_advance(&k, 1); /* the next respawn, 10 s after the last failure, binds the VIP */
	ck_assert(klab_truth_at(&k, up + 50000, "services", "dnsmasq running"));
	ck_assert(klab_truth_at(&k, up + 50000, "services", "haproxy running"));
	assert_running("dnsmasq", 1);
	assert_running("haproxy", 1);
}
END_TEST

START_TEST(test_services_stock_respawn_gives_up_after_5_fast_failures)
{
	klab_start_without_cron(&k, "svc-stock");
	/* OpenWrt's bare `respawn` (3600 5 5), dnsmasq started while pppoe-wan is down */
	klab_assert_sh(&k,
		       "sed -i 's/procd_set_param respawn .*/procd_set_param respawn/' /etc/init.d/dnsmasq && "
		       "/etc/init.d/dnsmasq stop && ifdown wan && /etc/init.d/dnsmasq start",
		       "");
	ck_assert(klab_truth_at(&k, START_MS, "services", "dnsmasq: start (respawn 3600 5 5)"));
	ck_assert(klab_truth_at(&k, START_MS, "services", NO_VIP "respawn 1\\/5 in 5s"));
	klab_advance(&k, 20000);
	ck_assert(klab_truth_at(&k, START_MS + 20000, "services", NO_VIP "respawn 5\\/5 in 5s"));
	ck_assert(!klab_truth_has(&k, "procd gives up"));
	klab_advance(&k, 5000); /* the sixth start fails: procd gives up 25 s after the first */
	ck_assert(klab_truth_at(&k, START_MS + 25000, "services", NO_VIP "in a crash loop, 6 crashes: procd gives up"));
	klab_advance(&k, 35000);
	klab_assert_sh(&k, "ifup wan", "");
	klab_advance(&k, 10000);
	ck_assert(klab_truth_at(&k, START_MS + 70000, "wan.pppoe", "pppoe-wan up"));
	klab_advance(&k, 60000);
	assert_inactive("dnsmasq");
	/* DNS-1's fix: a start reads the line as it is now, and binds */
	klab_assert_sh(&k,
		       "sed -i 's/procd_set_param respawn$/procd_set_param respawn 3600 10 30/' /etc/init.d/dnsmasq && "
		       "/etc/init.d/dnsmasq start && /etc/init.d/dnsmasq running",
		       "running");
	ck_assert(klab_truth_at(&k, START_MS + 130000, "services", "dnsmasq: start (respawn 3600 10 30)"));
	assert_running("dnsmasq", 1);
}
END_TEST

START_TEST(test_services_fixed_respawn_gives_up_at_300_s)
{
	klab_start_without_cron(&k, "svc-budget");
	/* pppoe-wan 295 s after S20: the 31st start, at 300 s, binds */
	pppoe_delay(295);
	int64_t up = reboot_router();
	klab_advance(&k, 299999);
	assert_running("dnsmasq", 0);
	klab_advance(&k, 1);
	ck_assert(klab_truth_at(&k, up + 300000, "services", "dnsmasq running"));
	assert_running("dnsmasq", 1);
	/* 305 s: too late, procd gave up at 300 s (30 retries x 10 s) */
	pppoe_delay(305);
	up = reboot_router();
	klab_advance(&k, 290000);
	ck_assert(klab_truth_at(&k, up + 290000, "services", NO_VIP "respawn 30\\/30 in 10s"));
	klab_advance(&k, 10000);
	ck_assert(klab_truth_at(&k, up + 300000, "services", NO_VIP "in a crash loop, 31 crashes: procd gives up"));
	klab_advance(&k, 60000);
	ck_assert(klab_truth_at(&k, up + 305000, "wan.pppoe", "pppoe-wan up"));
	assert_running("dnsmasq", 0);
}
END_TEST

START_TEST(test_services_jail1_signalling_the_pidfile_reboots_pidof_does_not)
{
	klab_start_without_cron(&k, "svc-jail");
	/* ujail: the pidfile holds the jail's PID 1, procd on the host */
	char *procd = pidof("procd");
	ck_assert_str_ne("", procd);
	char *pidfiles = klab_ok(&k, "cat /var/run/haproxy/haproxy.pid /var/run/dnsmasq/dnsmasq.pid | tr '\\n' ' '");
	char want[64];
	snprintf(want, sizeof(want), "%s %s ", procd, procd);
	ck_assert_str_eq(want, pidfiles);
	free(pidfiles);
	char *haproxy = pidof("haproxy");
	ck_assert_str_ne("", haproxy);
	ck_assert_str_ne(procd, haproxy);

	/* SIGHUP to procd is ignored */
	klab_assert_sh(&k, "kill -HUP $(cat /var/run/haproxy/haproxy.pid)", "");
	klab_wait_truth(&k, "procd got SIGHUP: ignored");
	/* the right way: pidof finds the daemon itself; the init script restarts it */
	klab_assert_sh(&k, "kill $(pidof haproxy)", "");
	assert_running("haproxy", 0);
	klab_advance(&k, 60000);
	ck_assert(!klab_truth_has(&k, "reboot requested"));
	klab_assert_sh(&k, "/etc/init.d/haproxy restart && /etc/init.d/haproxy running", "running");
	ck_assert(klab_truth_at(&k, START_MS + 60000, "services", "haproxy: restart (respawn 3600 10 30)"));
	char *again = pidof("haproxy");
	ck_assert_str_ne("", again);
	ck_assert_str_ne(haproxy, again);
	free(again);
	char *procd_after = pidof("procd");
	ck_assert_str_eq(procd, procd_after);
	free(procd_after);
	free(haproxy);
	free(procd);

	/* JAIL-1: "kill the stuck instance" through its pidfile is SIGTERM to procd: a reboot */
	int64_t t = klab_now(&k);
	klab_fire(&k, "kill $(cat /var/run/dnsmasq/dnsmasq.pid)");
	klab_wait_truth(&k, "procd got SIGTERM");
	ck_assert(klab_truth_at(&k, t, "services.procd", "procd got SIGTERM: shutting down to reboot"));
	klab_advance(&k, 1999);
	ck_assert(!klab_truth_has(&k, "reboot requested"));
	klab_advance(&k, 1); /* procd's shutdown: 2 s, then the board's reboot: 5 s, boot: 70 s */
	ck_assert(klab_truth_at(&k, t + 2000, "router", "reboot requested"));
	klab_advance(&k, SHUTDOWN_S * 1000);
	ck_assert(klab_truth_at(&k, t + 7000, "router", "reset: booting"));
	klab_advance(&k, BOOT_S * 1000);
	ck_assert(klab_truth_at(&k, t + 77000, "router", "up: boot 2"));
	klab_assert_state(&k, "sensor.bpi_r4_boot_cause", "reboot");
}
END_TEST

START_TEST(test_services_jail1_sigusr1_to_the_pidfile_powers_off_until_the_plug_cycles)
{
	klab_start_without_cron(&k, "svc-poweroff");
	klab_fire(&k, "kill -USR1 $(cat /var/run/haproxy/haproxy.pid)");
	klab_wait_truth(&k, "procd got SIGUSR1");
	ck_assert(klab_truth_at(&k, START_MS, "services.procd", "procd got SIGUSR1: shutting down to poweroff"));
	klab_advance(&k, 2000);
	ck_assert(klab_truth_at(&k, START_MS + 2000, "router", "poweroff requested: off until the plug cycles"));
	klab_advance(&k, 600000);
	ck_assert(!klab_truth_has(&k, "up: boot 2"));
	char *err = NULL;
	struct hil_plug *plug = hil_plug_new(k.desc->plug.type, k.desc->plug.url, k.desc->plug.id, NULL, NULL, &err);
	ck_assert_ptr_nonnull(plug);
	ck_assert_int_eq(0, hil_plug_set(plug, 0, &err));
	ck_assert_int_eq(0, hil_plug_set(plug, 1, &err));
	hil_plug_free(plug);
	klab_advance(&k, BOOT_S * 1000);
	ck_assert(klab_truth_at(&k, START_MS + 602000 + BOOT_S * 1000, "router", "up: boot 2"));
}
END_TEST

START_TEST(test_services_haproxy_killed_stays_down_until_its_init_script_restarts_it)
{
	klab_start_without_cron(&k, "svc-haproxy");
	/* HAP-1's case: it crashes on every respawn, procd gives up at once */
	klab_inject(&k, "services.haproxy-kill", NULL);
	assert_running("haproxy", 0);
	klab_advance(&k, 60000);
	assert_inactive("haproxy");
	klab_assert_sh(&k, "/etc/init.d/haproxy restart && /etc/init.d/haproxy running", "running");
	assert_running("haproxy", 1);
	/* a single crash procd respawns: 10 s later with 3600 10 30 */
	klab_inject(&k, "services.haproxy-kill", "{\"respawn\":true}");
	ck_assert(klab_truth_at(&k, START_MS + 60000, "services", "haproxy exited (killed); respawn 1\\/30 in 10s"));
	klab_advance(&k, 9999);
	assert_running("haproxy", 0);
	klab_advance(&k, 1);
	ck_assert(klab_truth_at(&k, START_MS + 70000, "services", "haproxy running"));
	assert_running("haproxy", 1);
	/* stop and start through the init script; a stopped service cannot be killed */
	klab_assert_sh(&k, "/etc/init.d/haproxy stop", "");
	assert_running("haproxy", 0);
	ck_assert(klab_truth_at(&k, START_MS + 70000, "services", "haproxy stopped"));
	char *err = NULL;
	ck_assert_int_ne(0, hil_fakelab_inject(k.lab, "services.haproxy-kill", NULL, &err));
	ck_assert_ptr_nonnull(strstr(err, "services.haproxy-kill: haproxy is not running (stopped)"));
	free(err);
	klab_assert_sh(&k, "/etc/init.d/haproxy start && /etc/init.d/haproxy running", "running");
	assert_running("haproxy", 1);
	assert_running("dnsmasq", 1);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("services");
	TCase *tc = tcase_create("model");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_services_s19_before_s20_and_the_fixed_respawn_waits_for_pppoe);
	tcase_add_test(tc, test_services_stock_respawn_gives_up_after_5_fast_failures);
	tcase_add_test(tc, test_services_fixed_respawn_gives_up_at_300_s);
	tcase_add_test(tc, test_services_jail1_signalling_the_pidfile_reboots_pidof_does_not);
	tcase_add_test(tc, test_services_jail1_sigusr1_to_the_pidfile_powers_off_until_the_plug_cycles);
	tcase_add_test(tc, test_services_haproxy_killed_stays_down_until_its_init_script_restarts_it);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return hil_test_run_suite(suite());
}
