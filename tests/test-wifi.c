/*
 * The MT7996 WiFi model (fakes/world/wifi.c, wifi_combo.c) through the interfaces
 * the harness uses: the router's SSH (uci, wifi, tc, dmesg, logread), the lab's
 * plug driver, the fake lab's GPIO rig (PERST#) and the control endpoint (virtual
 * time, injections, ground truth). The numbers are fakes/README.md's: the EDCCA lock
 * and its failing probe (MLO-1), 15 min without power, PERST# >= 100 ms before the
 * enumeration 4 s after a reset (PERST-1), the deauth loop above 12 Mbit/s after
 * 3 min, every 10 s (WIFI-SOAK). The labs run without the overlay's cron jobs
 * (nothing here needs them; they cost wall time every virtual minute).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernellab.h"
#include "r4hil/gpio.h"
#include "r4hil/lab.h"
#include "r4hil/plug.h"
#include "testutil.h"

#define START_MS 1772442000000LL /* the lab's epoch, 09:00:00; the kernel booted an hour before */
#define SHUTDOWN_MS 5000          /* reboot -> SoC reset */
#define ENUM_MS 4000              /* SoC reset -> PCIe enumeration, mt7996e probe */
#define BOOT_MS 70000             /* SoC reset -> userland (`wifi boot`) */
#define PROBE_FAIL_MS 123000      /* a locked semaphore: enumeration -> probe -11 */
#define DISCHARGE_MS 900000       /* 15 min without power clear the lock */
#define STALL_MS 180000           /* unshaped traffic above 12 Mbit/s -> deauth loop */
#define CYCLE_MS 10000

/* The reference config: ap_mld_1 on the three radios, iot_radio0 on radio0. */
#define REF_UP 7 /* "up": true in `wifi status`: 3 radios, ap_mld_1 under each, iot_radio0 */

#define PCI "mt7996e 0000:01:00.0: "
#define LINK_UP "mtk-pcie-gen3 11300000.pcie: PCIe link up, current link speed: Gen3 x1"
#define ENDPOINT "pci 0000:01:00.0: [14c3:7990] type 00 class 0x000280 PCIe Endpoint"
#define STA "c4:0b:cb:85:b9:3b"

static struct klab k;

static void teardown(void)
{
	klab_stop(&k);
}

/* dmesg's lines that match the extended regex @re are @want. */
static void assert_dmesg(const char *re, const char *want)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "dmesg | grep -E '%s' || true", re);
	klab_assert_sh(&k, cmd, want);
}

/* `wifi status` (ubus network.wireless status) has @up radios and interfaces up and @down not. */
static void assert_wifi(int up, int down)
{
	char want[32];
	snprintf(want, sizeof(want), "%d\n%d", up, down);
	klab_assert_sh(&k, "s=$(wifi status); echo \"$s\" | grep -c '\"up\": true'; echo \"$s\" | grep -c '\"up\": false'; true",
		       want);
}

/* The driver's failing probe, enumeration at kernel time @e s (002's timings). */
static char *failed_probe(long e)
{
	char *s;
	if (asprintf(&s,
		     "[%5ld.000000] " PCI "Message 00000007 (seq 12) timeout\n"
		     "[%5ld.000000] " PCI "Message 00000007 (seq 13) timeout\n"
		     "[%5ld.000000] " PCI "Failed to start patch\n"
		     "[%5ld.000000] " PCI "Failed to release patch semaphore\n"
		     "[%5ld.000000] " PCI "probe with driver mt7996e failed with error -11",
		     e + 20, e + 40, e + 61, e + 122, e + 123) < 0)
		abort();
	return s;
}

#define PROBE_RE "Message 00000007|patch|error -11"

/* MLO-1's trigger: a second legacy AP on radio0, which is in the MLO group, by `wifi reload`. */
static void add_guest_and_reload(void)
{
	free(klab_ok(&k, "uci set wireless.guest0=wifi-iface && uci set wireless.guest0.device=radio0 && "
			 "uci set wireless.guest0.mode=ap && uci set wireless.guest0.ssid=guest && "
			 "uci commit wireless && wifi reload"));
}

/* Back to the reference config (committed: what the next boot applies). */
static void remove_guest(void)
{
	free(klab_ok(&k, "uci delete wireless.guest0 && uci commit wireless"));
}

/* Lock the semaphore, repair the config and reboot: returns the virtual time of the SoC reset. */
static int64_t lock_then_reboot(void)
{
	add_guest_and_reload();
	remove_guest();
	klab_fire(&k, "reboot");
	klab_advance(&k, SHUTDOWN_MS);
	return klab_now(&k);
}

/* The lab's plug (router and ONU power), through the harness's plug driver. */
static void plug(int on)
{
	char *err = NULL;
	struct hil_plug *p = hil_plug_new(k.desc->plug.type, k.desc->plug.url, k.desc->plug.id, NULL, NULL, &err);
	ck_assert_msg(p != NULL, "plug: %s", err);
	ck_assert_msg(hil_plug_set(p, on, &err) == 0, "plug %s: %s", on ? "on" : "off", err);
	hil_plug_free(p);
}

/* PERST# through the lab's GPIO rig, as a scenario's gpio step drives it. */
static void perst(int64_t width_ms)
{
	char *err = NULL;
	struct hil_gpio *g = hil_gpio_open(k.desc, k.lab, &err);
	ck_assert_msg(g != NULL, "gpio: %s", err);
	ck_assert_msg(g->ops->pulse(g, HIL_GPIO_PERST, width_ms, &err) == 0, "PERST#: %s", err);
	hil_gpio_free(g);
}

/* The SoC reset at @reset (now at or after the enumeration): the probe succeeded and
 * the reference config is up after the boot, with none of a failing probe's lines
 * (the first two would be there by then, at +20 and +40 s). */
static void assert_probe_ok_and_wifi_up(int64_t reset)
{
	ck_assert(klab_truth_at(&k, reset + ENUM_MS, "wifi.card", "probe ok"));
	klab_advance(&k, reset + BOOT_MS - klab_now(&k));
	ck_assert(klab_truth_at(&k, reset + BOOT_MS, "wifi.up", "boot: 2 interfaces configured"));
	assert_wifi(REF_UP, 0);
	assert_dmesg(PROBE_RE, "");
}

START_TEST(test_wifi_supported_combinations_come_up_without_semaphore_errors)
{
	klab_start_without_cron(&k, "wifi-combo");
	assert_wifi(REF_UP, 0);
	/* MLO-2: one extra legacy AP per radio of the MLO group is fine, even by reload */
	free(klab_ok(&k, "uci set wireless.guest5=wifi-iface && uci set wireless.guest5.device=radio1 && "
			 "uci set wireless.guest5.mode=ap && uci commit wireless && wifi reload"));
	assert_wifi(REF_UP + 1, 0);
	/* a non-MLO 6 GHz STA fails alone, as hostapd reports it; the chip is fine */
	free(klab_ok(&k, "uci set wireless.sta6=wifi-iface && uci set wireless.sta6.device=radio2 && "
			 "uci set wireless.sta6.mode=sta && uci commit wireless && wifi reload"));
	assert_wifi(REF_UP + 1, 1);
	klab_assert_sh(&k, "wifi status | grep '\"error\"'; logread | grep DISABLED",
		       "        \"error\": \"6 GHz STA: band2 goes through the MLD path, the scan finds nothing\"\n"
		       "Mon Mar  2 09:00:00 2026 daemon.err hostapd: phy2-sta0: interface state UNINITIALIZED->DISABLED");
	/* past a failing probe's two MCU timeouts (+20, +40 s): none */
	klab_advance(&k, 41000);
	assert_dmesg(PROBE_RE "|EDCCA", "");
	ck_assert(!klab_truth_has(&k, "EDCCA"));
	assert_wifi(REF_UP + 1, 1);
}
END_TEST

START_TEST(test_wifi_boot_with_a_second_legacy_ap_on_an_mlo_radio_does_not_crash)
{
	klab_start_without_cron(&k, "wifi-boot2ap");
	/* committed, not reloaded: the next boot brings it up (MLO-3's safe path) */
	free(klab_ok(&k, "uci set wireless.guest0=wifi-iface && uci set wireless.guest0.device=radio0 && "
			 "uci set wireless.guest0.mode=ap && uci commit wireless"));
	klab_fire(&k, "reboot");
	klab_advance(&k, SHUTDOWN_MS + BOOT_MS);
	ck_assert(klab_truth_at(&k, START_MS + SHUTDOWN_MS + ENUM_MS, "wifi.card", "probe ok"));
	ck_assert(klab_truth_at(&k, START_MS + SHUTDOWN_MS + BOOT_MS, "wifi.up", "boot: 3 interfaces configured"));
	assert_wifi(REF_UP, 1); /* guest0 alone fails */
	klab_assert_sh(&k, "wifi status | grep '\"error\"'; logread | grep DISABLED",
		       "        \"error\": \"EDCCA: at most one extra AP on a radio in the MLO group\"\n"
		       "Mon Mar  2 09:01:15 2026 daemon.err hostapd: phy0-ap1: interface state UNINITIALIZED->DISABLED");
	/* the card's lines come from this boot's probe, and nothing failed */
	assert_dmesg("11300000.pcie|0000:01:00.0",
		     "[    4.000000] " LINK_UP "\n[    4.000000] " ENDPOINT "\n"
		     "[    4.000000] " PCI "assign IRQ: got 123\n"
		     "[    4.000000] " PCI "HW/SW Version: 0x8a108a10, Build Time: 20250101000000a\n"
		     "[    4.000000] " PCI "WM Firmware Version: ____000000, Build Time: 20250101000000");
	assert_dmesg(PROBE_RE "|EDCCA", "");
}
END_TEST

START_TEST(test_wifi_reload_of_a_second_legacy_ap_locks_the_semaphore_through_a_soft_reboot)
{
	klab_start_without_cron(&k, "wifi-mlo1");
	add_guest_and_reload();
	ck_assert(klab_truth_at(&k, START_MS, "wifi.card", "EDCCA crash on wifi reload: MT7996 patch semaphore locked"));
	assert_dmesg("EDCCA|chip full", "[ 3600.000000] " PCI "EDCCA: MCU not responding, chip full reset\n"
					"[ 3600.000000] " PCI "chip full reset failed");
	assert_wifi(0, 8); /* the driver re-probes: every radio pending, nothing up */
	klab_assert_sh(&k, "wifi status | grep -c '\"pending\": true'", "3");
	klab_advance(&k, 19999);
	assert_dmesg(PROBE_RE, "");
	klab_advance(&k, 1);
	assert_dmesg(PROBE_RE, "[ 3620.000000] " PCI "Message 00000007 (seq 12) timeout");
	klab_advance(&k, PROBE_FAIL_MS - 20000 - 1);
	klab_assert_sh(&k, "dmesg | grep -c 'error -11' || true", "0");
	klab_advance(&k, 1);
	/* MLO-1: exactly the spec's three lines after the MCU timeouts; WiFi dead */
	char *want = failed_probe(3600);
	assert_dmesg(PROBE_RE, want);
	free(want);
	ck_assert(klab_truth_at(&k, START_MS + PROBE_FAIL_MS, "wifi.card", "probe failed (-11): WiFi dead"));
	assert_wifi(0, 8);
	klab_assert_sh(&k, "wifi status | grep -c '\"retry_setup_failed\": true'", "3");

	/* a soft reboot with the config repaired: the lock is in the chip, not the config */
	remove_guest();
	klab_fire(&k, "reboot");
	int64_t reset = START_MS + PROBE_FAIL_MS + SHUTDOWN_MS;
	klab_advance(&k, SHUTDOWN_MS + ENUM_MS);
	ck_assert(klab_truth_at(&k, reset + ENUM_MS, "wifi.card", "probe: patch semaphore still locked"));
	klab_advance(&k, PROBE_FAIL_MS);
	ck_assert(klab_truth_at(&k, reset + BOOT_MS, "wifi.up", "boot: no MT7996 (card probing): nothing comes up"));
	ck_assert(klab_truth_at(&k, reset + ENUM_MS + PROBE_FAIL_MS, "wifi.card", "probe failed (-11): WiFi dead"));
	want = failed_probe(ENUM_MS / 1000);
	char *with_link;
	if (asprintf(&with_link, "[    4.000000] " LINK_UP "\n[    4.000000] " ENDPOINT "\n%s", want) < 0)
		abort();
	assert_dmesg(PROBE_RE "|11300000.pcie|0000:01:00.0", with_link); /* no probe success this boot */
	free(with_link);
	free(want);
	assert_wifi(0, REF_UP);
}
END_TEST

START_TEST(test_wifi_lock_survives_14_59_without_power_and_clears_at_15_00)
{
	klab_start_without_cron(&k, "wifi-power");
	add_guest_and_reload();
	remove_guest();
	plug(0);
	klab_advance(&k, DISCHARGE_MS - 1);
	plug(1);
	int64_t on = START_MS + DISCHARGE_MS - 1;
	ck_assert(klab_truth_at(&k, on, "wifi.card", "unpowered only 899s: the capacitors kept the semaphore locked"));
	klab_advance(&k, ENUM_MS);
	ck_assert(klab_truth_at(&k, on + ENUM_MS, "wifi.card", "probe: patch semaphore still locked"));

	plug(0);
	klab_advance(&k, DISCHARGE_MS);
	plug(1);
	on += ENUM_MS + DISCHARGE_MS;
	ck_assert(klab_truth_at(&k, on, "wifi.card", "unpowered 900s: capacitors discharged, MCU registers reset"));
	klab_advance(&k, ENUM_MS);
	assert_probe_ok_and_wifi_up(on);
}
END_TEST

START_TEST(test_wifi_perst_before_enumeration_clears_the_lock)
{
	klab_start_without_cron(&k, "wifi-perst");
	int64_t reset = lock_then_reboot();
	perst(99); /* shorter than T_PVPERL: nothing */
	ck_assert(klab_truth_at(&k, reset, "wifi.perst", "PERST# pulse of 99 ms: too short to reset the card"));
	klab_advance(&k, ENUM_MS - 1);
	perst(100);
	ck_assert(klab_truth_at(&k, reset + ENUM_MS - 1, "wifi.perst", "PERST# 100 ms before enumeration: MCU reset"));
	klab_advance(&k, 1);
	assert_probe_ok_and_wifi_up(reset);
}
END_TEST

START_TEST(test_wifi_perst_after_enumeration_drops_the_card_until_the_next_boot)
{
	klab_start_without_cron(&k, "wifi-perst-late");
	int64_t reset = lock_then_reboot();
	klab_advance(&k, ENUM_MS); /* enumerated: the locked probe runs */
	perst(99);
	ck_assert(klab_truth_at(&k, reset + ENUM_MS, "wifi.perst", "PERST# pulse of 99 ms: too short"));
	perst(100);
	ck_assert(klab_truth_at(&k, reset + ENUM_MS, "wifi.perst",
				"PERST# 100 ms after enumeration: MCU reset, card off the bus until reboot"));
	klab_advance(&k, BOOT_MS - ENUM_MS);
	/* the probe was cut short (no MCU timeout at +20, +40 s): the card is gone this boot */
	assert_dmesg(PROBE_RE "|link down", "[    4.000000] " PCI "PCIe link down: card reset");
	assert_wifi(0, REF_UP);
	klab_assert_sh(&k, "wifi status | grep -c '\"retry_setup_failed\": true'", "3");
	/* the MCU was reset, so the next boot probes a clean card */
	reset = klab_now(&k) + SHUTDOWN_MS;
	klab_fire(&k, "reboot");
	klab_advance(&k, SHUTDOWN_MS + ENUM_MS);
	assert_probe_ok_and_wifi_up(reset);
}
END_TEST

START_TEST(test_wifi_cold_power_on_leaves_the_card_undetected_until_perst)
{
	klab_start_without_cron(&k, "wifi-cold");
	klab_inject(&k, "wifi.cold-undetected", "{\"on\":true}");
	ck_assert(klab_truth_at(&k, START_MS, "wifi.card", "a cold power-on leaves the card undetected"));
	plug(0);
	klab_advance(&k, 10000);
	plug(1);
	int64_t reset = START_MS + 10000;
	klab_advance(&k, BOOT_MS);
	ck_assert(klab_truth_at(&k, reset + ENUM_MS, "wifi.card", "not detected on the PCIe bus"));
	ck_assert(klab_truth_at(&k, reset + BOOT_MS, "wifi.up", "boot: no MT7996 (card absent or dead)"));
	const char *undetected =
		"[    4.000000] mtk-pcie-gen3 11300000.pcie: PCIe link down, current LTSSM state: detect.quiet (0x1)";
	assert_dmesg("11300000.pcie|0000:01:00.0", undetected);
	assert_wifi(0, REF_UP);
	/* a soft reboot does not help: still undetected */
	klab_fire(&k, "reboot");
	reset += BOOT_MS + SHUTDOWN_MS;
	klab_advance(&k, SHUTDOWN_MS + BOOT_MS);
	ck_assert(klab_truth_at(&k, reset + ENUM_MS, "wifi.card", "not detected on the PCIe bus"));
	assert_dmesg("11300000.pcie|0000:01:00.0", undetected);
	/* PERST# toggled before enumeration: found and probed */
	klab_fire(&k, "reboot");
	reset += BOOT_MS + SHUTDOWN_MS;
	klab_advance(&k, SHUTDOWN_MS + 2000);
	perst(200);
	klab_advance(&k, ENUM_MS - 2000);
	assert_probe_ok_and_wifi_up(reset);
}
END_TEST

/* How many of each WIFI-SOAK signature the router shows: dmesg and logread. */
static void assert_soak_signatures(int cycles)
{
	char want[128];
	snprintf(want, sizeof(want), "%d\n%d\n%d\n%d\n%d", 2 * cycles, cycles, cycles, cycles, cycles);
	klab_assert_sh(&k, "for s in netif_stop_subqueue netif_wake_subqueue 'Rx Deauth'; do dmesg | grep -c \"$s\"; done; "
			   "for s in 'EAPOL-Key timeout' AP-STA-DISCONNECTED; do logread | grep -c \"$s\"; done; true",
		       want);
}

START_TEST(test_wifi_soak_shaped_ap_never_loops_and_the_12_mbit_boundary)
{
	klab_start_without_cron(&k, "wifi-soak-ok");
	/* the reference rc.local shaped the AP to 8 Mbit/s at boot */
	ck_assert(klab_truth_at(&k, START_MS, "wifi.tc", "AP shaping 8000 kbit\\/s"));
	klab_inject(&k, "wifi.traffic", "{\"mbps\":30}");
	ck_assert(klab_truth_at(&k, START_MS, "wifi.traffic", "30 Mbit\\/s through the AP (8 effective)"));
	klab_advance(&k, STALL_MS + CYCLE_MS);
	assert_soak_signatures(0);
	/* exactly 12 Mbit/s effective is not "above 12": no stall, however long */
	free(klab_ok(&k, "tc class replace dev phy0-ap0 parent 1: classid 1:11 htb rate 12mbit ceil 12mbit"));
	klab_advance(&k, STALL_MS + CYCLE_MS);
	assert_soak_signatures(0);
	/* 12.001 Mbit/s: the loop starts 3 min later */
	free(klab_ok(&k, "tc class replace dev phy0-ap0 parent 1: classid 1:11 htb rate 12001kbit ceil 12001kbit"));
	int64_t shaped = klab_now(&k);
	klab_advance(&k, STALL_MS - 1);
	assert_soak_signatures(0);
	klab_advance(&k, 1);
	ck_assert(klab_truth_at(&k, shaped + STALL_MS, "wifi.soak", "AP TX stalls under 30 Mbit\\/s"));
	assert_soak_signatures(1);
}
END_TEST

START_TEST(test_wifi_soak_unshaped_ap_loops_after_three_minutes_until_reload)
{
	klab_start_without_cron(&k, "wifi-soak-bad");
	free(klab_ok(&k, "tc qdisc del dev phy0-ap0 root"));
	ck_assert(klab_truth_at(&k, START_MS, "wifi.tc", "AP shaping 0 kbit\\/s"));
	klab_inject(&k, "wifi.traffic", "{\"mbps\":30,\"duration_ms\":200000}");
	klab_advance(&k, STALL_MS - 1);
	assert_soak_signatures(0);
	klab_advance(&k, 1);
	/* the first cycle, at kernel time 3600 + 180 s, through the first AP that is up */
	assert_dmesg("subqueue|Deauth", "[ 3780.000000] " PCI "ap-mld-1: netif_stop_subqueue, queue len 256\n"
					"[ 3780.000000] " PCI "ap-mld-1: netif_wake_subqueue, queue len 128\n"
					"[ 3780.000000] " PCI "ap-mld-1: netif_stop_subqueue, queue len 256\n"
					"[ 3780.000000] " PCI "ap-mld-1: Rx Deauth from " STA " reason 15");
	klab_assert_sh(&k, "logread -e " STA,
		       "Mon Mar  2 09:03:00 2026 daemon.info hostapd: ap-mld-1: STA " STA " IEEE 802.11: associated\n"
		       "Mon Mar  2 09:03:00 2026 daemon.info hostapd: ap-mld-1: STA " STA " WPA: EAPOL-Key timeout\n"
		       "Mon Mar  2 09:03:00 2026 daemon.notice hostapd: ap-mld-1: AP-STA-DISCONNECTED " STA);
	klab_advance(&k, CYCLE_MS - 1);
	assert_soak_signatures(1);
	klab_advance(&k, 1);
	assert_soak_signatures(2);
	/* the traffic ends at 200 s, the loop does not: 180 s .. 250 s, every 10 s */
	klab_advance(&k, 250000 - STALL_MS - CYCLE_MS);
	assert_soak_signatures(8);
	free(klab_ok(&k, "wifi reload"));
	ck_assert(klab_truth_at(&k, START_MS + 250000, "wifi.soak", "deauth loop ends: wifi restarted"));
	klab_advance(&k, 2 * CYCLE_MS);
	assert_soak_signatures(8);
}
END_TEST

/* One TCase per ctest test (tests/CMakeLists.txt, CK_RUN_CASE): each well under 30 s. */
static TCase *tcase(Suite *s, const char *name)
{
	TCase *tc = tcase_create(name);
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return tc;
}

static Suite *suite(void)
{
	Suite *s = suite_create("wifi");
	TCase *tc = tcase(s, "mlo");
	tcase_add_test(tc, test_wifi_supported_combinations_come_up_without_semaphore_errors);
	tcase_add_test(tc, test_wifi_boot_with_a_second_legacy_ap_on_an_mlo_radio_does_not_crash);
	tcase_add_test(tc, test_wifi_reload_of_a_second_legacy_ap_locks_the_semaphore_through_a_soft_reboot);
	tc = tcase(s, "power");
	tcase_add_test(tc, test_wifi_lock_survives_14_59_without_power_and_clears_at_15_00);
	tcase_add_test(tc, test_wifi_perst_before_enumeration_clears_the_lock);
	tcase_add_test(tc, test_wifi_perst_after_enumeration_drops_the_card_until_the_next_boot);
	tcase_add_test(tc, test_wifi_cold_power_on_leaves_the_card_undetected_until_perst);
	tc = tcase(s, "soak");
	tcase_add_test(tc, test_wifi_soak_shaped_ap_never_loops_and_the_12_mbit_boundary);
	tcase_add_test(tc, test_wifi_soak_unshaped_ap_loops_after_three_minutes_until_reload);
	return s;
}

int main(void)
{
	return hil_test_run_suite(suite());
}
