/*
 * The WAN/PPPoE model (world/wan.c) and the SFP driver model (world/sfp.c) through
 * the interfaces the harness uses (router SSH, HA's REST API, the control
 * endpoint), with the numbers of fakes/README.md: interface counters and softnet
 * (HEALTH-1, HEALTH-3), PPPoE LCP timeouts and redials (PPPOE-1), ifdown/ifup and
 * ip link (REC-1 levels A and B), the SFP platform driver's unbind/bind and wedges
 * (REC-1 level C), ethtool offloads (NET-1), the SFP-LAN zero-traffic mode (NET-2).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernellab.h"
#include "r4hil/lab.h"
#include "r4hil/plug.h"
#include "testutil.h"

#define START_MS 1772442000000LL /* a whole minute; the kernel booted an hour before */
#define BOOT_S 70                 /* reset -> userland */

static struct klab k;

static void teardown(void)
{
	klab_stop(&k);
}

/* rx_bytes tx_bytes rx_packets tx_packets of @dev, as one line. */
static char *counters(const char *dev)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd),
		 "cd /sys/class/net/%s/statistics && echo $(cat rx_bytes tx_bytes rx_packets tx_packets)", dev);
	return klab_ok(&k, cmd);
}

static void assert_counters(const char *dev, const char *want)
{
	char *got = counters(dev);
	ck_assert_msg(strcmp(want, got) == 0, "%s counters are \"%s\", expected \"%s\"", dev, got, want);
	free(got);
}

/* pppd's netdev exists only while a session is up. */
static void assert_pppoe(const char *want)
{
	klab_assert_sh(&k, "[ -d /sys/class/net/pppoe-wan ] && echo up || echo down", want);
}

static void assert_carrier(const char *dev, const char *want)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "cat /sys/class/net/%s/carrier", dev);
	klab_assert_sh(&k, cmd, want);
}

START_TEST(test_wan_interfaces_counters_softnet_and_offloads)
{
	klab_start_without_cron(&k, "wan-counters");
	klab_assert_sh(&k, "cd /sys/class/net && for i in sfp-wan pppoe-wan sfp-lan sfp-lan.20 br-lan; do "
		       "echo $i $(cat $i/carrier $i/operstate $i/ifindex $i/mtu); done",
		       "sfp-wan 1 up 3 1500\npppoe-wan 1 unknown 12 1492\nsfp-lan 1 up 4 1500\n"
		       "sfp-lan.20 1 up 8 1500\nbr-lan 1 up 10 1500");
	/* an hour of traffic since the kernel started: 1.25 MB/s in, 250 kB/s out on sfp-wan */
	assert_counters("sfp-wan", "4500000000 900000000 3600000 1800000");
	assert_counters("pppoe-wan", "4471200000 885600000 3600000 1800000"); /* less 8 B/pkt */
	assert_counters("sfp-lan", "720000000 3240000000 1080000 2880000");
	assert_counters("sfp-lan.20", "540000000 2430000000 810000 2160000"); /* 3/4 of sfp-lan */
	assert_counters("br-lan", "900000000 3600000000 1080000 3240000");
	klab_assert_sh(&k, "cat /proc/sys/net/netfilter/nf_conntrack_count", "1800");
	/* softnet: 1 600 rx pkt/s of sfp-wan, sfp-lan and br-lan, CPU0 gets 40 % */
	klab_assert_sh(&k, "head -n 1 /proc/net/softnet_stat | cut -d' ' -f1-3", "00232800 00000000 00000073");
	klab_assert_sh(&k, "awk '{ print $13 }' /proc/net/softnet_stat | tr '\\n' ' '",
		       "00000000 00000001 00000002 00000003 ");
	/* NET-1: rc.local turned TX checksumming off on the VLANs only, the rest are driver defaults */
	klab_assert_sh(&k, "for d in sfp-lan.20 sfp-lan.70 sfp-lan sfp-wan; do "
		       "ethtool -k $d | sed -n 's/^tx-checksumming: //p'; done | tr '\\n' ' '",
		       "off off on on ");

	klab_inject(&k, "wan.softnet-drops", "{\"rate_per_s\":100}");
	klab_advance(&k, 10000);
	assert_counters("sfp-wan", "4512500000 902500000 3610000 1805000");
	assert_counters("pppoe-wan", "4483620000 888060000 3610000 1805000");
	assert_counters("sfp-lan", "722000000 3249000000 1083000 2888000");
	klab_assert_sh(&k, "head -n 2 /proc/net/softnet_stat | cut -d' ' -f1-2 | tr '\\n' ' '",
		       "00234100 00000190 001a70c0 0000012c "); /* 40/30 % of 5 776 000 and of 1 000 drops */

	/* NET-2: GMAC1's data path is corrupted: carrier stays 1, no byte moves on sfp-lan and its VLANs */
	klab_inject(&k, "sfp.lan-zero-traffic", NULL);
	klab_advance(&k, 10000);
	klab_assert_sh(&k, "cat /sys/class/net/sfp-lan/carrier /sys/class/net/sfp-lan/operstate | tr '\\n' ' '",
		       "1 up ");
	assert_counters("sfp-lan", "722000000 3249000000 1083000 2888000");
	assert_counters("sfp-lan.70", "180500000 812250000 270750 722000");
	assert_counters("sfp-wan", "4525000000 905000000 3620000 1810000");
	klab_inject(&k, "sfp.lan-zero-traffic-stop", NULL);
	klab_advance(&k, 1000);
	assert_counters("sfp-lan", "722200000 3249900000 1083300 2888800");
}
END_TEST

START_TEST(test_wan_lcp_timeout_is_a_15_s_outage)
{
	klab_start(&k, "wan-lcp", NULL);
	klab_inject(&k, "wan.lcp-timeout", NULL);
	klab_advance(&k, 4999);
	assert_pppoe("up");
	klab_advance(&k, 1); /* 5 unanswered echoes, 1 s apart */
	ck_assert(klab_truth_at(&k, START_MS + 5000, "wan.pppoe", "pppoe-wan down: LCP echo timeout (ISP side)"));
	assert_pppoe("down");
	klab_assert_sh(&k, "ip link show pppoe-wan 2>&1; cat /proc/sys/net/netfilter/nf_conntrack_count",
		       "Device \"pppoe-wan\" does not exist.\n240");
	assert_counters("sfp-wan", "4506250000 901250000 3605000 1802500");
	klab_advance(&k, 9999);
	assert_pppoe("down");
	klab_advance(&k, 1); /* pppd redials: up 10 s later */
	ck_assert(klab_truth_at(&k, START_MS + 15000, "wan.pppoe", "pppoe-wan up: session 2, VIP 31.3.128.59 bound"));
	/* meanwhile sfp-wan only carried PADIs (60 B/s out); the new netdev counts from zero */
	assert_counters("sfp-wan", "4506250000 901250600 3605000 1802510");
	assert_counters("pppoe-wan", "0 0 0 0");
	klab_assert_sh(&k, "cat /proc/sys/net/netfilter/nf_conntrack_count", "1800");
	klab_advance(&k, 1000);
	assert_counters("pppoe-wan", "1242000 246000 1000 500");

	/* the ISP silent for 90 s, 10 s before a cron minute: HA sees the session down, then up */
	klab_align_minute(&k, 50000);
	int64_t t = klab_now(&k);
	klab_inject(&k, "wan.lcp-timeout", "{\"duration_ms\":90000}");
	klab_advance(&k, 10000);
	ck_assert(klab_truth_at(&k, t + 5000, "wan.pppoe", "pppoe-wan down: LCP echo timeout (ISP side)"));
	klab_assert_state(&k, "sensor.bpi_r4_pppoe_state", "down");
	klab_advance(&k, 89999);
	assert_pppoe("down");
	klab_advance(&k, 1); /* PADIs unanswered until +90 s, then 10 s to re-establish */
	ck_assert(klab_truth_at(&k, t + 100000, "wan.pppoe", "pppoe-wan up: session 3"));
	klab_advance(&k, 30000);
	klab_assert_state(&k, "sensor.bpi_r4_pppoe_state", "up");
}
END_TEST

START_TEST(test_wan_isp_silence_shorter_than_5_echoes_is_survived)
{
	klab_start_without_cron(&k, "wan-blip");
	klab_inject(&k, "wan.lcp-timeout", "{\"duration_ms\":4000}");
	klab_advance(&k, 20000);
	ck_assert(!klab_truth_has(&k, "pppoe-wan down"));
	assert_pppoe("up");
	/* 5 s of silence is the fifth missed echo */
	klab_inject(&k, "wan.lcp-timeout", "{\"duration_ms\":5000}");
	klab_advance(&k, 5000);
	ck_assert(klab_truth_at(&k, START_MS + 25000, "wan.pppoe", "pppoe-wan down: LCP echo timeout (ISP side)"));
	klab_advance(&k, 10000);
	ck_assert(klab_truth_at(&k, START_MS + 35000, "wan.pppoe", "pppoe-wan up: session 2"));
}
END_TEST

START_TEST(test_wan_ifdown_stays_down_until_ifup_and_ip_link_down_flushes)
{
	klab_start_without_cron(&k, "wan-ifdown");
	klab_assert_sh(&k, "ifdown wan && cat /sys/class/net/sfp-wan/carrier /sys/class/net/sfp-wan/operstate && "
		       "ip link show sfp-wan | head -n 1",
		       "0\ndown\n3: sfp-wan: <BROADCAST,MULTICAST> mtu 1500 qdisc mq state DOWN qlen 1000");
	ck_assert(klab_truth_at(&k, START_MS, "wan.pppoe", "pppoe-wan down: ifdown wan"));
	assert_pppoe("down");
	/* no redial, no PADI: the counters stand still for a minute */
	klab_advance(&k, 60000);
	assert_pppoe("down");
	assert_counters("sfp-wan", "4500000000 900000000 3600000 1800000");
	klab_assert_sh(&k, "ifup wan && cat /sys/class/net/sfp-wan/carrier", "1");
	klab_advance(&k, 9999);
	assert_pppoe("down");
	klab_advance(&k, 1);
	ck_assert(klab_truth_at(&k, START_MS + 70000, "wan.pppoe", "pppoe-wan up: session 2"));

	/* sfp-wan admin down: NETDEV_DOWN flushes the session at once; up redials in 10 s */
	klab_assert_sh(&k, "ip link set sfp-wan down && ip link set sfp-wan up && cat /sys/class/net/sfp-wan/carrier",
		       "1");
	ck_assert(klab_truth_at(&k, START_MS + 70000, "wan.pppoe", "pppoe-wan down: sfp-wan went down"));
	klab_advance(&k, 10000);
	ck_assert(klab_truth_at(&k, START_MS + 80000, "wan.pppoe", "pppoe-wan up: session 3"));
	klab_assert_sh(&k, "cat /sys/class/net/sfp-wan/carrier_changes", "4");
	/* a device ip does not know, and the logical interface ifup does not know */
	int status;
	free(klab_sh(&k, "ip link set sfp-wan9 down 2>/dev/null", &status));
	ck_assert_int_eq(1, status);
	free(klab_sh(&k, "ifup wan9 2>/dev/null", &status));
	ck_assert_int_eq(1, status);
}
END_TEST

/* The sfp platform driver's directory, and its listing on one line. */
#define DRV "/sys/bus/platform/drivers/sfp"
#define LS_DRV "ls " DRV " | tr '\\n' ' '"

START_TEST(test_wan_sfp_unbind_drops_the_link_bind_reprobes)
{
	klab_start_without_cron(&k, "wan-sfp");
	klab_assert_sh(&k, LS_DRV, "bind sfp1 sfp2 uevent unbind ");
	/* a write to unbind acts before it returns, as sysfs does */
	klab_assert_sh(&k, "echo sfp1 > " DRV "/unbind && " LS_DRV, "bind sfp2 uevent unbind ");
	klab_assert_sh(&k, "cd /sys/class/net/sfp-wan && cat carrier operstate; ip link show sfp-wan | head -n 1",
		       "0\ndown\n3: sfp-wan: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc mq state DOWN qlen 1000");
	ck_assert(klab_truth_at(&k, START_MS, "wan.link", "sfp-wan carrier 0"));
	/* a lost carrier is not NETDEV_DOWN: pppd notices after 5 missed LCP echoes */
	klab_advance(&k, 4999);
	assert_pppoe("up");
	klab_advance(&k, 1);
	ck_assert(klab_truth_at(&k, START_MS + 5000, "wan.pppoe", "pppoe-wan down: LCP echo timeout (no carrier)"));
	/* no carrier, no traffic at all since the unbind, not even PADIs */
	assert_counters("sfp-wan", "4500000000 900000000 3600000 1800000");
	klab_advance(&k, 30000);
	assert_counters("sfp-wan", "4500000000 900000000 3600000 1800000");
	klab_assert_sh(&k, "echo sfp1 > " DRV "/bind && cat /sys/class/net/sfp-wan/carrier", "1");
	ck_assert(klab_truth_at(&k, START_MS + 35000, "sfp.driver", "sfp1 bound: module probed"));
	klab_advance(&k, 10000);
	ck_assert(klab_truth_at(&k, START_MS + 45000, "wan.pppoe", "pppoe-wan up: session 2"));

	/* the kernel refuses a second bind and an unknown device */
	klab_assert_sh(&k, "echo sfp1 > " DRV "/bind; echo sfp9 > " DRV "/unbind; " LS_DRV,
		       "bind sfp1 sfp2 uevent unbind ");
	ck_assert(klab_truth_at(&k, START_MS + 45000, "sfp.driver", "bind sfp1 refused: already bound"));
	ck_assert(klab_truth_at(&k, START_MS + 45000, "sfp.driver", "unbind \\\"sfp9\\\" refused: no such device"));

	/* the LAN cage: sfp-lan loses its carrier, its VLANs their lower layer; the WAN keeps going */
	klab_assert_sh(&k,
		       "echo sfp2 > " DRV "/unbind && cd /sys/class/net && "
		       "echo $(cat sfp-lan/carrier sfp-lan/operstate sfp-lan.20/operstate br-lan/operstate sfp-wan/carrier)",
		       "0 down lowerlayerdown up 1");
	/* two writes in a row to the same file are two requests */
	klab_assert_sh(&k,
		       "echo sfp2 > " DRV "/bind && echo sfp1 > " DRV "/unbind && echo sfp1 > " DRV "/bind && "
		       "echo sfp2 > " DRV "/unbind && echo sfp2 > " DRV "/bind && " LS_DRV,
		       "bind sfp1 sfp2 uevent unbind ");
	char *log = klab_truth(&k);
	ck_assert_int_eq(2, klab_count(log, "sfp1 bound: module probed"));
	ck_assert_int_eq(2, klab_count(log, "sfp2 bound: module probed"));
	free(log);
	assert_carrier("sfp-lan", "1");
	assert_pppoe("up");
}
END_TEST

START_TEST(test_wan_sfp_wedges_clear_at_their_level_reboot_or_power)
{
	klab_start_without_cron(&k, "wan-wedge");
	klab_inject(&k, "sfp.wedge", "{\"clears_at\":\"ifup\"}");
	ck_assert(klab_truth_at(&k, START_MS, "wan.link", "sfp-wan carrier 0"));
	klab_advance(&k, 5000);
	ck_assert(klab_truth_at(&k, START_MS + 5000, "wan.pppoe", "pppoe-wan down: LCP echo timeout (no carrier)"));
	/* level A does not reach an ifup wedge, level B does */
	klab_assert_sh(&k, "ip link set sfp-wan down && ip link set sfp-wan up && cat /sys/class/net/sfp-wan/carrier",
		       "0");
	klab_assert_sh(&k, "ifdown wan && ifup wan && cat /sys/class/net/sfp-wan/carrier", "1");
	ck_assert(klab_truth_at(&k, START_MS + 5000, "sfp.wedge", "sfp1 unwedged by ifdown\\/ifup wan"));
	klab_advance(&k, 10000);
	ck_assert(klab_truth_at(&k, START_MS + 15000, "wan.pppoe", "pppoe-wan up: session 2"));

	/* a SoC reset re-probes the cages: a rebind wedge is gone; a new kernel counts from zero */
	klab_inject(&k, "sfp.wedge", "{\"clears_at\":\"rebind\"}");
	klab_fire(&k, "reboot");
	klab_advance(&k, 5000);
	ck_assert(klab_truth_at(&k, START_MS + 20000, "sfp.wedge", "sfp1 unwedged by the boot's probe"));
	klab_advance(&k, BOOT_S * 1000);
	int64_t up = START_MS + 90000;
	ck_assert(klab_truth_at(&k, up, "wan.pppoe", "netifd up: pppoe-wan dialling, first session in 40s"));
	assert_carrier("sfp-wan", "1");
	assert_counters("sfp-wan", "0 0 0 0");
	/* the offloads are driver defaults again and rc.local turned TX checksumming off again (NET-1) */
	ck_assert(klab_truth_at(&k, up, "wan.ethtool", "sfp-lan.20 tx-checksumming off"));
	klab_advance(&k, 39999);
	assert_pppoe("down");
	klab_advance(&k, 1);
	ck_assert(klab_truth_at(&k, up + 40000, "wan.pppoe", "pppoe-wan up: session 3"));
	assert_counters("sfp-wan", "0 2400 0 40"); /* 40 s of PADIs */
	klab_advance(&k, 10000);
	assert_counters("sfp-wan", "12500000 2502400 10000 5040");

	/* a wedge no soft action clears survives the reboot; losing power clears it */
	klab_inject(&k, "sfp.wedge", "{\"clears_at\":\"none\"}");
	klab_fire(&k, "reboot");
	klab_advance(&k, (5 + BOOT_S + 60) * 1000);
	assert_carrier("sfp-wan", "0");
	assert_pppoe("down");
	char *err = NULL;
	struct hil_plug *plug = hil_plug_new(k.desc->plug.type, k.desc->plug.url, k.desc->plug.id, NULL, NULL, &err);
	ck_assert_ptr_nonnull(plug);
	int64_t off = klab_now(&k);
	ck_assert_int_eq(0, hil_plug_set(plug, 0, &err));
	ck_assert(klab_truth_at(&k, off, "sfp.wedge", "sfp1 unwedged by power loss"));
	ck_assert_int_eq(0, hil_plug_set(plug, 1, &err));
	hil_plug_free(plug);
	/* the ONU feeds the signal only in O5, 240 s after power-on; the boot's first session 40 s later */
	klab_advance(&k, 239999);
	assert_carrier("sfp-wan", "0");
	klab_advance(&k, 1);
	assert_carrier("sfp-wan", "1");
	klab_advance(&k, 40000);
	ck_assert(klab_truth_at(&k, off + 280000, "wan.pppoe", "pppoe-wan up: session 4"));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("wan");
	TCase *tc = tcase_create("model");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_wan_interfaces_counters_softnet_and_offloads);
	tcase_add_test(tc, test_wan_lcp_timeout_is_a_15_s_outage);
	tcase_add_test(tc, test_wan_isp_silence_shorter_than_5_echoes_is_survived);
	tcase_add_test(tc, test_wan_ifdown_stays_down_until_ifup_and_ip_link_down_flushes);
	tcase_add_test(tc, test_wan_sfp_unbind_drops_the_link_bind_reprobes);
	tcase_add_test(tc, test_wan_sfp_wedges_clear_at_their_level_reboot_or_power);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return hil_test_run_suite(suite());
}
