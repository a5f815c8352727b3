/*
 * The MT7996 WiFi 7 card on the BPI-R4's PCIe slot and the wireless stack above it
 * (netifd + hostapd as `wifi` drives them): probe at boot, the patch semaphore that
 * the EDCCA crash locks (MLO-1), its survival through soft reboots and short power
 * cuts, PERST# (PERST-1), and the AP's deauth loop under sustained traffic
 * (WIFI-SOAK). See fakes/README.md, "WiFi model", for the numbers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/sandbox.h"
#include "core/httpd.h"
#include "world/model.h"
#include "core/truth.h"
#include "world/wifi_combo.h"
#include "world/wifi_log.h"

#define PCIE_ENUM_MS (4 * FL_SECOND)          /* reset -> PCIe enumeration, mt7996e probe */
#define DISCHARGE_MS (15 * FL_MINUTE)         /* unpowered this long: the MCU registers reset */
#define PERST_MIN_MS 100                      /* PCIe T_PVPERL: shorter pulses do not reset */
#define SOAK_STALL_MBPS 12                    /* sustained above this, unshaped, the AP stalls */
#define SOAK_STALL_AFTER_MS (3 * FL_MINUTE)
#define SOAK_CYCLE_MS (10 * FL_SECOND)        /* one associate / EAPOL timeout / deauth cycle */
#define SOAK_STA "c4:0b:cb:85:b9:3b"
#define PCI_DEV "0000:01:00.0"

enum card { CARD_ABSENT, CARD_PROBING, CARD_OK, CARD_DEAD };

/* The driver's failing probe (002): two MCU timeouts, the patch, the semaphore, -11. */
static const struct probe_line {
	fl_ms at;
	const char *text;
} failed_probe[] = {
	{ 20 * FL_SECOND, "mt7996e " PCI_DEV ": Message 00000007 (seq 12) timeout" },
	{ 40 * FL_SECOND, "mt7996e " PCI_DEV ": Message 00000007 (seq 13) timeout" },
	{ 61 * FL_SECOND, "mt7996e " PCI_DEV ": Failed to start patch" },
	{ 122 * FL_SECOND, "mt7996e " PCI_DEV ": Failed to release patch semaphore" },
	{ 123 * FL_SECOND, "mt7996e " PCI_DEV ": probe with driver mt7996e failed with error -11" },
};
#define FAILED_PROBE_STEPS (sizeof(failed_probe) / sizeof(failed_probe[0]))

struct wifi {
	struct fl_world *w;
	/* the card */
	enum card card;
	int sem_locked;
	int board_powered;
	fl_ms off_since;
	int cold_undetected;  /* option: a cold power-on leaves the card undetected */
	int undetected;       /* the card does not enumerate (until PERST# or a cold boot without the option) */
	int perst_this_boot;  /* PERST# pulsed since the reset, before enumeration */
	uint64_t probe_timer;
	size_t probe_step;
	fl_ms probe_start;
	/* the stack */
	int have_conf;        /* a config was applied (or is pending until the probe ends) */
	struct fl_wifi_conf conf;
	struct fl_wifi_verdict verdict;
	int up;
	/* soak */
	int shaping_kbit;     /* tc htb rate on the AP, 0: none */
	double traffic_mbps;
	uint64_t traffic_end_timer, stall_timer, loop_timer;
	int deauth_loop;
	int loop_cycles;
};

static struct fl_truth *truth(struct wifi *s) { return fl_world_truth(s->w); }
static fl_ms now(struct wifi *s) { return fl_loop_now(fl_world_loop(s->w)); }

static void cancel(struct wifi *s, uint64_t *timer)
{
	fl_timer_cancel(fl_world_loop(s->w), *timer);
	*timer = 0;
}

/* ---- soak: the AP's deauth loop ---- */

static const char *ap_ifname(struct wifi *s, char *buf, size_t len);

static void loop_cycle(void *arg)
{
	struct wifi *s = arg;
	char ifn[32];
	ap_ifname(s, ifn, sizeof(ifn));
	s->loop_timer = 0;
	s->loop_cycles++;
	fl_wifi_klog(s->w, "mt7996e " PCI_DEV ": %s: netif_stop_subqueue, queue len 256", ifn);
	fl_wifi_klog(s->w, "mt7996e " PCI_DEV ": %s: netif_wake_subqueue, queue len 128", ifn);
	fl_wifi_klog(s->w, "mt7996e " PCI_DEV ": %s: netif_stop_subqueue, queue len 256", ifn);
	fl_wifi_syslog(s->w, "daemon.info", "hostapd", "%s: STA " SOAK_STA " IEEE 802.11: associated", ifn);
	fl_wifi_syslog(s->w, "daemon.info", "hostapd", "%s: STA " SOAK_STA " WPA: EAPOL-Key timeout", ifn);
	fl_wifi_klog(s->w, "mt7996e " PCI_DEV ": %s: Rx Deauth from " SOAK_STA " reason 15", ifn);
	fl_wifi_syslog(s->w, "daemon.notice", "hostapd", "%s: AP-STA-DISCONNECTED " SOAK_STA, ifn);
	s->loop_timer = fl_timer_add(fl_world_loop(s->w), now(s) + SOAK_CYCLE_MS, loop_cycle, s);
}

static void soak_stop(struct wifi *s, const char *why)
{
	cancel(s, &s->stall_timer);
	cancel(s, &s->loop_timer);
	if (s->deauth_loop)
		fl_truth_log(truth(s), "wifi.soak", "deauth loop ends: %s", why);
	s->deauth_loop = 0;
}

static void stall(void *arg)
{
	struct wifi *s = arg;
	s->stall_timer = 0;
	s->deauth_loop = 1;
	s->loop_cycles = 0;
	fl_truth_log(truth(s), "wifi.soak", "AP TX stalls under %.0f Mbit/s unshaped: deauth loop", s->traffic_mbps);
	loop_cycle(s);
}

static double effective_mbps(struct wifi *s)
{
	double m = s->traffic_mbps;
	if (s->shaping_kbit > 0 && s->shaping_kbit / 1000.0 < m)
		m = s->shaping_kbit / 1000.0;
	return m;
}

/* Arm or disarm the stall for the traffic that flows now. */
static void soak_update(struct wifi *s)
{
	int stalls = s->up && s->traffic_mbps > 0 && effective_mbps(s) > SOAK_STALL_MBPS;
	if (!stalls || s->deauth_loop) {
		cancel(s, &s->stall_timer);
		return;
	}
	if (!s->stall_timer)
		s->stall_timer = fl_timer_add(fl_world_loop(s->w), now(s) + SOAK_STALL_AFTER_MS, stall, s);
}

static void traffic_end(void *arg)
{
	struct wifi *s = arg;
	s->traffic_end_timer = 0;
	s->traffic_mbps = 0;
	fl_truth_log(truth(s), "wifi.traffic", "traffic ends");
	soak_update(s);
}

/* ---- the card ---- */

static void card_dead(struct wifi *s)
{
	s->card = CARD_DEAD;
	s->up = 0;
	soak_stop(s, "card gone");
	fl_truth_log(truth(s), "wifi.card", "probe failed (-11): WiFi dead");
}

static void probe_fail_step(void *arg)
{
	struct wifi *s = arg;
	s->probe_timer = 0;
	fl_wifi_klog(s->w, "%s", failed_probe[s->probe_step].text);
	if (++s->probe_step == FAILED_PROBE_STEPS) {
		card_dead(s);
		return;
	}
	s->probe_timer = fl_timer_add(fl_world_loop(s->w), s->probe_start + failed_probe[s->probe_step].at,
				      probe_fail_step, s);
}

static void probe_fail_start(struct wifi *s)
{
	s->card = CARD_PROBING;
	s->probe_step = 0;
	s->probe_start = now(s);
	s->probe_timer = fl_timer_add(fl_world_loop(s->w), s->probe_start + failed_probe[0].at, probe_fail_step, s);
}

static void bring_up(struct wifi *s, const char *how);

static void enumerate(void *arg)
{
	struct wifi *s = arg;
	s->probe_timer = 0;
	if (s->perst_this_boot) {
		s->sem_locked = 0;
		s->undetected = 0;
	}
	if (s->undetected) {
		fl_wifi_klog(s->w, "mtk-pcie-gen3 11300000.pcie: PCIe link down, current LTSSM state: detect.quiet (0x1)");
		fl_truth_log(truth(s), "wifi.card", "not detected on the PCIe bus");
		s->card = CARD_ABSENT;
		return;
	}
	fl_wifi_klog(s->w, "mtk-pcie-gen3 11300000.pcie: PCIe link up, current link speed: Gen3 x1");
	fl_wifi_klog(s->w, "pci " PCI_DEV ": [14c3:7990] type 00 class 0x000280 PCIe Endpoint");
	if (s->sem_locked) {
		fl_truth_log(truth(s), "wifi.card", "probe: patch semaphore still locked");
		probe_fail_start(s);
		return;
	}
	fl_wifi_klog(s->w, "mt7996e " PCI_DEV ": assign IRQ: got 123");
	fl_wifi_klog(s->w, "mt7996e " PCI_DEV ": HW/SW Version: 0x8a108a10, Build Time: 20250101000000a");
	fl_wifi_klog(s->w, "mt7996e " PCI_DEV ": WM Firmware Version: ____000000, Build Time: 20250101000000");
	s->card = CARD_OK;
	fl_truth_log(truth(s), "wifi.card", "probe ok");
	if (s->have_conf && fl_world_router(s->w) == FL_ROUTER_UP)
		bring_up(s, "boot");
}

/* EDCCA crash at runtime: the MCU hangs holding the patch semaphore; the driver's re-probe fails. */
static void edcca_crash(struct wifi *s)
{
	s->sem_locked = 1;
	s->up = 0;
	soak_stop(s, "chip crashed");
	fl_truth_log(truth(s), "wifi.card", "EDCCA crash on wifi reload: MT7996 patch semaphore locked");
	fl_wifi_klog(s->w, "mt7996e " PCI_DEV ": EDCCA: MCU not responding, chip full reset");
	fl_wifi_klog(s->w, "mt7996e " PCI_DEV ": chip full reset failed");
	probe_fail_start(s);
}

/* ---- the stack ---- */

static const char *ifname_of(const struct fl_wifi_conf *c, int i, char *buf, size_t len)
{
	const struct fl_wifi_iface *f = &c->iface[i];
	if (f->kind == FL_WIFI_MLO_AP || f->kind == FL_WIFI_MLO_STA) {
		snprintf(buf, len, f->kind == FL_WIFI_MLO_AP ? "ap-mld-1" : "sta-mld-1");
		return buf;
	}
	int radio = f->radios & 1 ? 0 : f->radios & 2 ? 1 : 2, n = 0;
	for (int j = 0; j < i; j++)
		if (c->iface[j].radios == f->radios && (c->iface[j].kind == FL_WIFI_STA) == (f->kind == FL_WIFI_STA))
			n++;
	snprintf(buf, len, "phy%d-%s%d", radio, f->kind == FL_WIFI_STA ? "sta" : "ap", n);
	return buf;
}

/* The interface soak traffic goes through: the first AP that is up. */
static const char *ap_ifname(struct wifi *s, char *buf, size_t len)
{
	snprintf(buf, len, "phy0-ap0");
	for (int i = 0; i < s->conf.n_ifaces; i++) {
		enum fl_wifi_kind k = s->conf.iface[i].kind;
		if (!s->conf.iface[i].disabled && !s->verdict.why[i] && (k == FL_WIFI_AP || k == FL_WIFI_MLO_AP))
			return ifname_of(&s->conf, i, buf, len);
	}
	return buf;
}

static void bring_up(struct wifi *s, const char *how)
{
	char ifn[32];
	s->up = 1;
	for (int i = 0; i < s->conf.n_ifaces; i++) {
		const struct fl_wifi_iface *f = &s->conf.iface[i];
		if (f->disabled)
			continue;
		ifname_of(&s->conf, i, ifn, sizeof(ifn));
		if (s->verdict.why[i]) {
			fl_wifi_syslog(s->w, "daemon.err", "hostapd", "%s: interface state UNINITIALIZED->DISABLED", ifn);
			fl_truth_log(truth(s), "wifi.iface", "%s (%s) fails: %s", f->name, ifn, s->verdict.why[i]);
		} else if (f->kind == FL_WIFI_AP || f->kind == FL_WIFI_MLO_AP) {
			fl_wifi_syslog(s->w, "daemon.notice", "hostapd", "%s: AP-ENABLED", ifn);
		} else {
			fl_wifi_syslog(s->w, "daemon.notice", "wpa_supplicant", "%s: CTRL-EVENT-CONNECTED", ifn);
		}
	}
	fl_truth_log(truth(s), "wifi.up", "%s: %d interfaces configured", how, s->conf.n_ifaces);
}

static int apply(struct wifi *s, const char *how, json_object *cfg, const char **why)
{
	struct fl_wifi_conf conf;
	if (!strcmp(how, "down")) {
		s->up = 0;
		soak_stop(s, "wifi down");
		fl_truth_log(truth(s), "wifi.down", "all radios down");
		return 0;
	}
	if (fl_wifi_conf_parse(cfg, &conf, why) < 0)
		return -EINVAL;
	int runtime = strcmp(how, "boot") != 0;
	s->conf = conf;
	s->have_conf = 1;
	fl_wifi_conf_eval(&s->conf, &s->verdict);
	soak_stop(s, "wifi restarted");
	if (s->card != CARD_OK) {
		fl_truth_log(truth(s), "wifi.up", "%s: no MT7996 (card %s): nothing comes up", how,
			     s->card == CARD_PROBING ? "probing" : "absent or dead");
		return 0;
	}
	if (runtime && s->verdict.edcca) {
		edcca_crash(s);
		return 0;
	}
	bring_up(s, how);
	soak_update(s);
	return 0;
}

/* `ubus call network.wireless status` as the wifi shim prints it. */
static json_object *status_json(struct wifi *s)
{
	json_object *root = json_object_new_object();
	char ifn[32];
	for (int r = 0; r < FL_WIFI_RADIOS; r++) {
		if (!s->conf.radio_name[r][0])
			continue;
		int radio_up = s->up && s->card == CARD_OK && !s->conf.radio_disabled[r];
		json_object *radio = json_object_new_object(), *ifaces = json_object_new_array();
		json_object_object_add(radio, "up", json_object_new_boolean(radio_up));
		json_object_object_add(radio, "pending", json_object_new_boolean(s->card == CARD_PROBING));
		json_object_object_add(radio, "autostart", json_object_new_boolean(1));
		json_object_object_add(radio, "disabled", json_object_new_boolean(s->conf.radio_disabled[r]));
		json_object_object_add(radio, "retry_setup_failed",
				       json_object_new_boolean(s->card == CARD_DEAD || s->card == CARD_ABSENT));
		json_object *rc = json_object_new_object();
		json_object_object_add(rc, "band", json_object_new_string(fl_wifi_band[r]));
		json_object_object_add(radio, "config", rc);
		for (int i = 0; i < s->conf.n_ifaces; i++) {
			const struct fl_wifi_iface *f = &s->conf.iface[i];
			if (!(f->radios & (1u << r)) || f->disabled)
				continue;
			json_object *o = json_object_new_object();
			json_object_object_add(o, "section", json_object_new_string(f->name));
			json_object_object_add(o, "ifname", json_object_new_string(ifname_of(&s->conf, i, ifn, sizeof(ifn))));
			json_object_object_add(o, "up", json_object_new_boolean(radio_up && !s->verdict.why[i]));
			if (s->verdict.why[i])
				json_object_object_add(o, "error", json_object_new_string(s->verdict.why[i]));
			json_object_array_add(ifaces, o);
		}
		json_object_object_add(radio, "interfaces", ifaces);
		json_object_object_add(root, s->conf.radio_name[r], radio);
	}
	return root;
}

/* ---- hooks ---- */

static int wifi_init(struct fl_world *w, void **state, char **err)
{
	(void)err;
	struct wifi *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->w = w;
	s->board_powered = 1;
	s->card = CARD_OK; /* the lab starts at steady state: probed long ago */
	*state = s;
	return 0;
}

static void wifi_free(void *state)
{
	free(state);
}

static void wifi_power(void *state, int on)
{
	struct wifi *s = state;
	if (on) {
		s->board_powered = 1;
		return;
	}
	s->board_powered = 0;
	s->off_since = now(s);
	s->card = CARD_ABSENT;
	s->up = 0;
	cancel(s, &s->probe_timer);
	soak_stop(s, "power off");
}

static void wifi_reset(void *state)
{
	struct wifi *s = state;
	int cold = !s->board_powered;
	cancel(s, &s->probe_timer);
	soak_stop(s, "SoC reset");
	s->card = CARD_ABSENT;
	s->up = 0;
	s->shaping_kbit = 0;
	s->perst_this_boot = 0;
	if (cold) {
		fl_ms off = now(s) - s->off_since;
		if (off >= DISCHARGE_MS && s->sem_locked) {
			s->sem_locked = 0;
			fl_truth_log(truth(s), "wifi.card", "unpowered %llds: capacitors discharged, MCU registers reset",
				     (long long)(off / 1000));
		} else if (s->sem_locked) {
			fl_truth_log(truth(s), "wifi.card", "unpowered only %llds: the capacitors kept the semaphore locked",
				     (long long)(off / 1000));
		}
		s->undetected = s->cold_undetected;
	}
	s->probe_timer = fl_timer_add(fl_world_loop(s->w), now(s) + PCIE_ENUM_MS, enumerate, s);
}

static void daemons_done(void *arg, int status)
{
	(void)arg;
	(void)status;
}

static void wifi_userland(void *state)
{
	struct wifi *s = state;
	struct fl_sandbox *sb = fl_world_sandbox(s->w);
	/* netifd brings the radios up at boot from the committed config */
	if (sb)
		fl_sandbox_run(sb, "wifi-boot", "/sbin/wifi boot", daemons_done, s);
}

static void wifi_halt(void *state)
{
	struct wifi *s = state;
	s->up = 0;
	soak_stop(s, "userland down");
}

static int param_num(json_object *params, const char *key, double *out)
{
	json_object *v;
	if (!json_object_object_get_ex(params, key, &v) ||
	    !(json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)))
		return -ENOENT;
	*out = json_object_get_double(v);
	return 0;
}

static int inject_perst(struct wifi *s, json_object *params, char **err)
{
	double width = 0;
	if (param_num(params, "width_ms", &width) < 0 || width <= 0) {
		*err = strdup("wifi.perst needs width_ms > 0");
		return -EINVAL;
	}
	if (width < PERST_MIN_MS) {
		fl_truth_log(truth(s), "wifi.perst", "PERST# pulse of %.0f ms: too short to reset the card", width);
		return 0;
	}
	if (s->probe_timer && s->card == CARD_ABSENT) {
		/* before enumeration: the card's MCU starts clean */
		s->perst_this_boot = 1;
		fl_truth_log(truth(s), "wifi.perst", "PERST# %.0f ms before enumeration: MCU reset", width);
		return 0;
	}
	/* after enumeration the reset clears the MCU but the link is gone until the next boot */
	s->sem_locked = 0;
	s->undetected = 0;
	cancel(s, &s->probe_timer);
	s->card = CARD_ABSENT;
	s->up = 0;
	soak_stop(s, "PERST#");
	fl_wifi_klog(s->w, "mt7996e " PCI_DEV ": PCIe link down: card reset");
	fl_truth_log(truth(s), "wifi.perst", "PERST# %.0f ms after enumeration: MCU reset, card off the bus until reboot", width);
	return 0;
}

static int inject_traffic(struct wifi *s, json_object *params, char **err)
{
	double mbps = 0, duration = 0;
	if (param_num(params, "mbps", &mbps) < 0 || mbps <= 0) {
		*err = strdup("wifi.traffic needs mbps > 0 (and duration_ms, optional)");
		return -EINVAL;
	}
	param_num(params, "duration_ms", &duration);
	cancel(s, &s->traffic_end_timer);
	s->traffic_mbps = mbps;
	if (duration > 0)
		s->traffic_end_timer = fl_timer_add(fl_world_loop(s->w), now(s) + (fl_ms)duration, traffic_end, s);
	fl_truth_log(truth(s), "wifi.traffic", "%.0f Mbit/s through the AP (%.0f effective)%s", mbps,
		     effective_mbps(s), s->up ? "" : ", but no AP is up");
	soak_update(s);
	return 0;
}

static int wifi_inject(void *state, const char *what, json_object *params, char **err)
{
	struct wifi *s = state;
	if (!strcmp(what, "perst"))
		return inject_perst(s, params, err);
	if (!strcmp(what, "traffic"))
		return inject_traffic(s, params, err);
	if (!strcmp(what, "cold-undetected")) {
		json_object *v;
		s->cold_undetected = !json_object_object_get_ex(params, "on", &v) || json_object_get_boolean(v);
		fl_truth_log(truth(s), "wifi.card", "a cold power-on %s the card undetected",
			     s->cold_undetected ? "leaves" : "no longer leaves");
		return 0;
	}
	if (asprintf(err, "unknown injection \"wifi.%s\" (perst, traffic, cold-undetected)", what) < 0)
		*err = NULL;
	return -EINVAL;
}

static int wifi_hw(void *state, const char *action, json_object *body, struct fl_http_resp *resp)
{
	struct wifi *s = state;
	json_object *v;
	if (!strcmp(action, "apply")) {
		const char *how = body && json_object_object_get_ex(body, "how", &v) ? json_object_get_string(v) : "";
		const char *why = NULL;
		if (strcmp(how, "boot") && strcmp(how, "reload") && strcmp(how, "up") && strcmp(how, "down")) {
			fl_http_reply(resp, 400, "{\"message\":\"how must be boot, reload, up or down\"}");
			return 0;
		}
		json_object *cfg = body && json_object_object_get_ex(body, "config", &v) ? v : NULL;
		if (apply(s, how, cfg, &why) < 0) {
			fl_http_replyf(resp, 400, "{\"message\":\"%s\"}", why);
			return 0;
		}
		fl_http_reply(resp, 200, "{\"ok\":true}");
		return 0;
	}
	if (!strcmp(action, "status")) {
		json_object *st = status_json(s);
		fl_http_reply(resp, 200, json_object_to_json_string_ext(st, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED));
		json_object_put(st);
		return 0;
	}
	if (!strcmp(action, "tc")) {
		double kbit = 0;
		param_num(body, "rate_kbit", &kbit);
		s->shaping_kbit = (int)kbit;
		fl_truth_log(truth(s), "wifi.tc", "AP shaping %d kbit/s", s->shaping_kbit);
		soak_update(s);
		fl_http_reply(resp, 200, "{\"ok\":true}");
		return 0;
	}
	fl_http_reply(resp, 404, "{\"message\":\"unknown wifi action (apply, status, tc)\"}");
	return 0;
}

const struct fl_model_ops fl_wifi_model = {
	.name = "wifi",
	.init = wifi_init,
	.free = wifi_free,
	.power = wifi_power,
	.reset = wifi_reset,
	.userland = wifi_userland,
	.halt = wifi_halt,
	.inject = wifi_inject,
	.hw = wifi_hw,
};
