#include "world/wan.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/util.h"
#include "core/httpd.h"
#include "world/model.h"
#include "world/modelfs.h"
#include "world/sfp.h"
#include "core/truth.h"

/* PPPoE timing (fakes/README.md): keepalive "5 1" and a netifd redial. */
#define LCP_DETECT_MS (5 * FL_SECOND)       /* 5 unanswered LCP echoes, 1 s apart */
#define PPP_ESTABLISH_MS (10 * FL_SECOND)   /* redial: discovery, LCP, CHAP, IPCP */
#define PPP_BOOT_DEFAULT_MS (40 * FL_SECOND) /* S20network -> pppoe-wan up at boot */

/* Conntrack entries with and without the uplink (LAN-only flows). */
#define CONNTRACK_WAN_UP 1800
#define CONNTRACK_WAN_DOWN 240

enum { IF_SFP_WAN, IF_PPPOE, IF_SFP_LAN, IF_LAN20, IF_LAN70, IF_BR_LAN, N_IF };

/* Traffic while an interface passes it, per second. */
struct rate {
	int64_t rx_bytes, tx_bytes, rx_packets, tx_packets;
};

struct if_desc {
	const char *name;
	const char *link;     /* "name@parent" as ip shows VLANs, else the name */
	int ifindex;
	int mtu;
	const char *mac;      /* NULL: point-to-point */
	const char *inet;     /* ip addr lines after the link line, or "" */
	struct rate busy;     /* rates while up and in use */
};

static const struct if_desc ifs[N_IF] = {
	[IF_SFP_WAN] = { "sfp-wan", "sfp-wan", 3, 1500, "02:4b:52:00:00:03", "",
			 { 1250000, 250000, 1000, 500 } },
	[IF_PPPOE] = { "pppoe-wan", "pppoe-wan", 12, 1492, NULL,
		       "    inet 31.3.128.50 peer 10.64.64.64/32 scope global pppoe-wan\n"
		       "       valid_lft forever preferred_lft forever\n"
		       "    inet " FL_WAN_VIP "/32 scope global pppoe-wan\n"
		       "       valid_lft forever preferred_lft forever\n"
		       "    inet 31.3.128.62/32 scope global pppoe-wan\n"
		       "       valid_lft forever preferred_lft forever\n",
		       { 1242000, 246000, 1000, 500 } },
	[IF_SFP_LAN] = { "sfp-lan", "sfp-lan", 4, 1500, "02:4b:52:00:00:04", "",
			 { 200000, 900000, 300, 800 } },
	[IF_LAN20] = { "sfp-lan.20", "sfp-lan.20@sfp-lan", 8, 1500, "02:4b:52:00:00:04",
		       "    inet 192.168.7.254/24 brd 192.168.7.255 scope global sfp-lan.20\n"
		       "       valid_lft forever preferred_lft forever\n",
		       { 150000, 675000, 225, 600 } },
	[IF_LAN70] = { "sfp-lan.70", "sfp-lan.70@sfp-lan", 9, 1500, "02:4b:52:00:00:04",
		       "    inet 192.168.77.254/24 brd 192.168.77.255 scope global sfp-lan.70\n"
		       "       valid_lft forever preferred_lft forever\n",
		       { 50000, 225000, 75, 200 } },
	[IF_BR_LAN] = { "br-lan", "br-lan", 10, 1500, "02:4b:52:00:00:0a",
			"    inet 192.168.1.254/24 brd 192.168.1.255 scope global br-lan\n"
			"       valid_lft forever preferred_lft forever\n",
			{ 250000, 1000000, 300, 900 } },
};

/* The ethtool features the shim knows, in `ethtool -k` order. */
static const char *const features[] = { "rx-checksumming", "tx-checksumming", "scatter-gather",
					 "tcp-segmentation-offload", "generic-segmentation-offload",
					 "generic-receive-offload" };
static const char *const feature_short[] = { "rx", "tx", "sg", "tso", "gso", "gro" };
#define N_FEATURES (sizeof(features) / sizeof(features[0]))
#define ALL_FEATURES ((1u << N_FEATURES) - 1)

struct ifstate {
	int admin_up;
	int carrier;
	int carrier_changes;
	unsigned features;    /* bit i: features[i] on */
	/* counters in thousandths, so that per-millisecond rates add up exactly */
	int64_t rx_bytes, tx_bytes, rx_packets, tx_packets;
};

enum ppp_state { PPP_DOWN, PPP_DIALING, PPP_UP };

struct wan {
	struct fl_world *w;
	const char *dir;
	struct ifstate st[N_IF];
	fl_ms synced;
	int network;          /* netifd runs (S20network) */
	int wan_ifup;         /* "wan" not taken down by ifdown */
	enum ppp_state ppp;
	uint64_t dial_timer, lcp_timer;
	int lcp_isp;          /* the pending LCP timeout is the ISP's, not a lost carrier */
	int pppoe_files;      /* pppoe-wan's sysfs directory exists */
	fl_ms isp_silent_until;
	fl_ms boot_delay;     /* S20network -> first session */
	int first_dial;       /* the next dial is the boot one */
	int steady;           /* the world's first boot: up for an hour already */
	int64_t softnet_processed, softnet_dropped; /* thousandths */
	int64_t drop_per_s;
	int sessions;
};

static struct wan *wan_of(const struct fl_world *w)
{
	return fl_world_model_state(w, "wan");
}

/* ---- counters ---- */

static struct rate if_rate(const struct wan *m, int i)
{
	static const struct rate none, padi = { 0, 60, 0, 1 };
	const struct ifstate *s = &m->st[i];
	if (!s->carrier)
		return none;
	switch (i) {
	case IF_SFP_WAN:
		return m->ppp == PPP_UP ? ifs[i].busy : padi;
	case IF_SFP_LAN:
	case IF_LAN20:
	case IF_LAN70:
		return fl_sfp_lan_zero_traffic(m->w) ? none : ifs[i].busy;
	default:
		return ifs[i].busy;
	}
}

/* Bring every counter up to now at the rates of the state that held since the last sync. */
static void sync_counters(struct wan *m)
{
	fl_ms now = fl_loop_now(fl_world_loop(m->w));
	fl_ms dt = now - m->synced;
	if (dt <= 0)
		return;
	m->synced = now;
	int64_t rx_pps = 0;
	for (int i = 0; i < N_IF; i++) {
		struct rate r = if_rate(m, i);
		struct ifstate *s = &m->st[i];
		s->rx_bytes += r.rx_bytes * dt;
		s->tx_bytes += r.tx_bytes * dt;
		s->rx_packets += r.rx_packets * dt;
		s->tx_packets += r.tx_packets * dt;
		if (i == IF_SFP_WAN || i == IF_SFP_LAN || i == IF_BR_LAN)
			rx_pps += r.rx_packets;
	}
	if (m->st[IF_SFP_WAN].carrier || m->st[IF_BR_LAN].carrier) {
		m->softnet_processed += rx_pps * dt;
		m->softnet_dropped += m->drop_per_s * dt;
	}
}

static void zero_counters(struct ifstate *s)
{
	s->rx_bytes = s->tx_bytes = s->rx_packets = s->tx_packets = 0;
}

/* ---- files ---- */

static const char *const if_files[] = {
	"statistics/rx_bytes", "statistics/tx_bytes", "statistics/rx_packets", "statistics/tx_packets",
	"statistics/rx_dropped", "statistics", "operstate", "carrier", "carrier_changes", "ifindex", "mtu", "",
};

/* pppd creates the pppoe-wan netdev with the session and removes it after. */
static void remove_pppoe_files(struct wan *m)
{
	if (!m->pppoe_files)
		return;
	char path[4096];
	for (size_t k = 0; k < sizeof(if_files) / sizeof(if_files[0]); k++) {
		snprintf(path, sizeof(path), "%s/sys/class/net/%s/%s", m->dir, ifs[IF_PPPOE].name, if_files[k]);
		if (unlink(path) < 0)
			rmdir(path);
	}
	m->pppoe_files = 0;
}

static void write_iface(struct wan *m, int i, FILE *addr, FILE *link)
{
	const struct if_desc *d = &ifs[i];
	const struct ifstate *s = &m->st[i];
	char rel[256];
	if (i == IF_PPPOE && m->ppp != PPP_UP) {
		remove_pppoe_files(m);
		return;
	}
	if (i == IF_PPPOE)
		m->pppoe_files = 1;
	static const struct {
		const char *file;
		size_t off;
	} stats[] = {
		{ "rx_bytes", offsetof(struct ifstate, rx_bytes) },
		{ "tx_bytes", offsetof(struct ifstate, tx_bytes) },
		{ "rx_packets", offsetof(struct ifstate, rx_packets) },
		{ "tx_packets", offsetof(struct ifstate, tx_packets) },
	};
	for (size_t k = 0; k < sizeof(stats) / sizeof(stats[0]); k++) {
		int64_t v = *(const int64_t *)((const char *)s + stats[k].off) / 1000;
		snprintf(rel, sizeof(rel), "sys/class/net/%s/statistics/%s", d->name, stats[k].file);
		fl_modelfs_printf(m->dir, rel, "%lld\n", (long long)v);
	}
	snprintf(rel, sizeof(rel), "sys/class/net/%s/statistics/rx_dropped", d->name);
	fl_modelfs_printf(m->dir, rel, "0\n");
	const char *op = i == IF_PPPOE ? "unknown" : s->carrier ? "up" : "down";
	if ((i == IF_LAN20 || i == IF_LAN70) && s->admin_up && !m->st[IF_SFP_LAN].carrier)
		op = "lowerlayerdown";
	snprintf(rel, sizeof(rel), "sys/class/net/%s/operstate", d->name);
	fl_modelfs_printf(m->dir, rel, "%s\n", op);
	snprintf(rel, sizeof(rel), "sys/class/net/%s/carrier", d->name);
	fl_modelfs_printf(m->dir, rel, "%d\n", s->carrier);
	snprintf(rel, sizeof(rel), "sys/class/net/%s/carrier_changes", d->name);
	fl_modelfs_printf(m->dir, rel, "%d\n", s->carrier_changes);
	snprintf(rel, sizeof(rel), "sys/class/net/%s/ifindex", d->name);
	fl_modelfs_printf(m->dir, rel, "%d\n", d->ifindex);
	snprintf(rel, sizeof(rel), "sys/class/net/%s/mtu", d->name);
	fl_modelfs_printf(m->dir, rel, "%d\n", d->mtu);

	/* the same state as `ip link` / `ip addr` print it (the ip shim filters these) */
	char flags[96];
	if (!d->mac)
		snprintf(flags, sizeof(flags), "POINTOPOINT,MULTICAST,NOARP,UP,LOWER_UP");
	else
		snprintf(flags, sizeof(flags), "%sBROADCAST,MULTICAST%s%s",
			 s->admin_up && !s->carrier ? "NO-CARRIER," : "", s->admin_up ? ",UP" : "",
			 s->carrier ? ",LOWER_UP" : "");
	const char *state = !d->mac ? "UNKNOWN" : s->carrier ? "UP" : "DOWN";
	char head[512];
	if (d->mac)
		snprintf(head, sizeof(head),
			 "%d: %s: <%s> mtu %d qdisc mq state %s qlen 1000\n"
			 "    link/ether %s brd ff:ff:ff:ff:ff:ff\n",
			 d->ifindex, d->link, flags, d->mtu, state, d->mac);
	else
		snprintf(head, sizeof(head), "%d: %s: <%s> mtu %d qdisc fq_codel state %s qlen 3\n    link/ppp \n",
			 d->ifindex, d->link, flags, d->mtu, state);
	fputs(head, link);
	fputs(head, addr);
	if (s->admin_up)
		fputs(d->inet, addr);
}

static void write_softnet(struct wan *m)
{
	/* 4 CPUs, RPS spread 40/30/20/10; 13 columns as Linux 6.x prints them */
	static const int share[4] = { 4, 3, 2, 1 };
	char text[1024];
	size_t len = 0;
	int64_t processed = m->softnet_processed / 1000, dropped = m->softnet_dropped / 1000;
	for (int cpu = 0; cpu < 4; cpu++) {
		uint32_t p = (uint32_t)(processed * share[cpu] / 10);
		uint32_t d = (uint32_t)(dropped * share[cpu] / 10);
		uint32_t squeeze = p / 20000;
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"%08x %08x %08x 00000000 00000000 00000000 00000000 00000000 "
					"00000000 %08x 00000000 00000000 %08x\n",
					p, d, squeeze, p / 50, cpu);
	}
	fl_modelfs_printf(m->dir, "proc/net/softnet_stat", "%s", text);
}

static void write_files(struct wan *m)
{
	char *addr_text = NULL, *link_text = NULL;
	size_t addr_len = 0, link_len = 0;
	FILE *addr = open_memstream(&addr_text, &addr_len);
	FILE *link = open_memstream(&link_text, &link_len);
	if (!addr || !link)
		abort();
	fputs("1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN qlen 1000\n"
	      "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n", link);
	fputs("1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN qlen 1000\n"
	      "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n"
	      "    inet 127.0.0.1/8 scope host lo\n"
	      "       valid_lft forever preferred_lft forever\n", addr);
	for (int i = 0; i < N_IF; i++)
		write_iface(m, i, addr, link);
	fclose(addr);
	fclose(link);
	fl_modelfs_printf(m->dir, "net/ip-addr", "%s", addr_text);
	fl_modelfs_printf(m->dir, "net/ip-link", "%s", link_text);
	free(addr_text);
	free(link_text);
	write_softnet(m);
	int up = fl_world_router(m->w) == FL_ROUTER_UP;
	fl_modelfs_printf(m->dir, "proc/sys/net/netfilter/nf_conntrack_count", "%d\n",
			  !up ? 0 : m->ppp == PPP_UP ? CONNTRACK_WAN_UP : CONNTRACK_WAN_DOWN);
}

/* ---- PPPoE ---- */

static void dial_done(void *arg);
static void lcp_expired(void *arg);

static void dial_in(struct wan *m, fl_ms delay)
{
	struct fl_loop *loop = fl_world_loop(m->w);
	fl_timer_cancel(loop, m->dial_timer);
	m->dial_timer = fl_timer_add(loop, fl_loop_now(loop) + delay, dial_done, m);
}

static void emit(struct wan *m, const char *event, const char *cause)
{
	json_object *params = json_object_new_object();
	json_object_object_add(params, "cause", json_object_new_string(cause));
	fl_world_emit(m->w, event, params);
	json_object_put(params);
}

/* The session ends (LCP timeout, link gone, ifdown); pppd redials unless @stay_down. */
static void session_down(struct wan *m, const char *cause, int stay_down)
{
	struct fl_loop *loop = fl_world_loop(m->w);
	fl_timer_cancel(loop, m->lcp_timer);
	m->lcp_timer = 0;
	m->lcp_isp = 0;
	if (m->ppp == PPP_UP) {
		fl_truth_log(fl_world_truth(m->w), "wan.pppoe", "pppoe-wan down: %s", cause);
		zero_counters(&m->st[IF_PPPOE]);
		m->ppp = PPP_DIALING;
		emit(m, "wan.pppoe-down", cause);
	}
	fl_timer_cancel(loop, m->dial_timer);
	m->dial_timer = 0;
	if (stay_down)
		m->ppp = PPP_DOWN;
	else if (m->ppp == PPP_DIALING && m->st[IF_SFP_WAN].carrier && m->st[IF_SFP_WAN].admin_up)
		dial_in(m, PPP_ESTABLISH_MS);
}

static void dial_done(void *arg)
{
	struct wan *m = arg;
	m->dial_timer = 0;
	sync_counters(m);
	if (m->ppp != PPP_DIALING || !m->st[IF_SFP_WAN].carrier)
		return; /* no link: dialling resumes when the carrier does */
	fl_ms now = fl_loop_now(fl_world_loop(m->w));
	if (now < m->isp_silent_until) {
		/* PADI unanswered: pppd keeps trying; the ISP answers again at silent_until */
		dial_in(m, m->isp_silent_until - now + PPP_ESTABLISH_MS);
		return;
	}
	m->ppp = PPP_UP;
	m->sessions++;
	m->first_dial = 0;
	m->st[IF_PPPOE].carrier = 1;
	zero_counters(&m->st[IF_PPPOE]);
	fl_truth_log(fl_world_truth(m->w), "wan.pppoe", "pppoe-wan up: session %d, VIP %s bound",
		     m->sessions, FL_WAN_VIP);
	emit(m, "wan.pppoe-up", "session established");
	write_files(m);
}

static void lcp_expired(void *arg)
{
	struct wan *m = arg;
	m->lcp_timer = 0;
	sync_counters(m);
	if (m->ppp != PPP_UP)
		return;
	if (m->lcp_isp)
		session_down(m, "LCP echo timeout (ISP side)", 0);
	else if (!m->st[IF_SFP_WAN].carrier)
		session_down(m, "LCP echo timeout (no carrier)", 0);
	m->lcp_isp = 0;
	write_files(m);
}

/* ---- carrier ---- */

static int wanted_carrier(const struct wan *m, int i)
{
	const struct fl_world *w = m->w;
	if (fl_world_router(w) != FL_ROUTER_UP || !m->network || !m->st[i].admin_up)
		return 0;
	switch (i) {
	case IF_SFP_WAN:
		return fl_world_wan_signal(w) && fl_sfp_link_ok(w, 1);
	case IF_PPPOE:
		return m->ppp == PPP_UP;
	case IF_SFP_LAN:
		return fl_sfp_link_ok(w, 2);
	case IF_LAN20:
	case IF_LAN70:
		return m->st[IF_SFP_LAN].admin_up && fl_sfp_link_ok(w, 2);
	default:
		return 1;
	}
}

/* Carrier follows the physical state; PPPoE reacts to the WAN link coming and going. */
static void update_carriers(struct wan *m)
{
	for (int i = 0; i < N_IF; i++) {
		int c = wanted_carrier(m, i);
		if (c != m->st[i].carrier) {
			m->st[i].carrier = c;
			m->st[i].carrier_changes++;
			if (i == IF_SFP_WAN)
				fl_truth_log(fl_world_truth(m->w), "wan.link", "sfp-wan carrier %d", c);
		}
	}
	struct fl_loop *loop = fl_world_loop(m->w);
	int car = m->st[IF_SFP_WAN].carrier;
	if (m->steady)
		return;
	if (m->ppp == PPP_UP && !car && !m->lcp_timer)
		m->lcp_timer = fl_timer_add(loop, fl_loop_now(loop) + LCP_DETECT_MS, lcp_expired, m);
	if (m->ppp == PPP_DIALING && car && !m->dial_timer)
		dial_in(m, m->first_dial ? m->boot_delay : PPP_ESTABLISH_MS);
}

static void refresh(struct wan *m)
{
	update_carriers(m);
	write_files(m);
}

/* ---- hooks ---- */

static int wan_init(struct fl_world *w, void **state, char **err)
{
	(void)err;
	struct wan *m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->w = w;
	m->dir = fl_world_model_dir(w);
	m->boot_delay = PPP_BOOT_DEFAULT_MS;
	/* the world starts in steady state: netifd up, the session established long ago */
	m->steady = 1;
	m->network = 1;
	m->wan_ifup = 1;
	m->ppp = PPP_UP;
	m->sessions = 1;
	for (int i = 0; i < N_IF; i++) {
		m->st[i].admin_up = 1;
		m->st[i].features = ALL_FEATURES;
	}
	m->synced = fl_loop_now(fl_world_loop(w));
	*state = m;
	write_files(m);
	return 0;
}

static void wan_free(void *state)
{
	free(state);
}

/* Power loss or SoC reset: a new kernel, every netdev and counter from zero. */
static void wan_reset(void *state)
{
	struct wan *m = state;
	sync_counters(m);
	struct fl_loop *loop = fl_world_loop(m->w);
	fl_timer_cancel(loop, m->dial_timer);
	fl_timer_cancel(loop, m->lcp_timer);
	m->dial_timer = m->lcp_timer = 0;
	m->steady = 0;
	m->network = 0;
	m->ppp = PPP_DOWN;
	m->isp_silent_until = 0;
	m->softnet_processed = m->softnet_dropped = 0;
	for (int i = 0; i < N_IF; i++) {
		struct ifstate *s = &m->st[i];
		zero_counters(s);
		s->admin_up = 0;
		s->carrier = 0;
		s->carrier_changes = 0;
		s->features = ALL_FEATURES; /* offloads are driver defaults again: rc.local must redo NET-1 */
	}
	write_files(m);
}

static void wan_power(void *state, int on)
{
	if (!on)
		wan_reset(state);
}

static void wan_userland(void *state)
{
	struct wan *m = state;
	if (m->steady) {
		/* an hour of traffic since the kernel started */
		m->synced = fl_world_kernel_start(m->w);
		for (int i = 0; i < N_IF; i++)
			m->st[i].carrier = wanted_carrier(m, i);
		sync_counters(m);
		m->steady = 0;
	}
	refresh(m);
}

static void wan_halt(void *state)
{
	struct wan *m = state;
	sync_counters(m);
	/* userland is gone: no pppd, no netifd (no event: this is no flap) */
	struct fl_loop *loop = fl_world_loop(m->w);
	fl_timer_cancel(loop, m->dial_timer);
	fl_timer_cancel(loop, m->lcp_timer);
	m->dial_timer = m->lcp_timer = 0;
	m->network = 0;
	m->ppp = PPP_DOWN;
	refresh(m);
}

static void wan_time(void *state)
{
	struct wan *m = state;
	sync_counters(m);
	refresh(m);
}

void fl_wan_network_start(struct fl_world *w)
{
	struct wan *m = wan_of(w);
	if (!m || m->network)
		return;
	sync_counters(m);
	m->network = 1;
	m->wan_ifup = 1;
	m->first_dial = 1;
	m->ppp = PPP_DIALING;
	for (int i = 0; i < N_IF; i++)
		m->st[i].admin_up = 1;
	fl_truth_log(fl_world_truth(w), "wan.pppoe", "netifd up: pppoe-wan dialling, first session in %llds",
		     (long long)(m->boot_delay / FL_SECOND));
	refresh(m);
}

int fl_wan_pppoe_up(const struct fl_world *w)
{
	const struct wan *m = wan_of(w);
	return m && m->ppp == PPP_UP;
}

/* ---- injections ---- */

static int64_t param_ms(json_object *params, const char *key, int64_t dflt)
{
	json_object *v;
	if (!params || !json_object_object_get_ex(params, key, &v))
		return dflt;
	return json_object_get_int64(v);
}

static int wan_inject(void *state, const char *what, json_object *params, char **err)
{
	struct wan *m = state;
	struct fl_loop *loop = fl_world_loop(m->w);
	fl_ms now = fl_loop_now(loop);
	sync_counters(m);
	if (strcmp(what, "lcp-timeout") == 0) {
		int64_t outage = param_ms(params, "duration_ms", 0);
		if (outage < 0)
			return fl_util_err(err, -EINVAL, "wan.lcp-timeout: duration must not be negative");
		/* the ISP stops answering now; pppd gives up after 5 missed echoes */
		m->isp_silent_until = now + outage;
		fl_truth_log(fl_world_truth(m->w), "wan.pppoe", "ISP stops answering LCP for %llds",
			     (long long)(outage / FL_SECOND));
		if (m->ppp == PPP_UP && outage > 0 && outage < LCP_DETECT_MS) {
			/* answered again before the fifth missed echo: pppd's count starts over */
			fl_truth_log(fl_world_truth(m->w), "wan.pppoe",
				     "LCP echoes answered again after %lldms: session kept", (long long)outage);
		} else if (m->ppp == PPP_UP) {
			fl_timer_cancel(loop, m->lcp_timer);
			m->lcp_isp = 1;
			m->lcp_timer = fl_timer_add(loop, now + LCP_DETECT_MS, lcp_expired, m);
		}
		return 0;
	}
	if (strcmp(what, "pppoe-delay") == 0) {
		int64_t d = param_ms(params, "duration_ms", -1);
		if (d < 0)
			return fl_util_err(err, -EINVAL, "wan.pppoe-delay needs a duration");
		m->boot_delay = d;
		fl_truth_log(fl_world_truth(m->w), "wan.pppoe", "from the next boot on, pppoe-wan needs %llds",
			     (long long)(d / FL_SECOND));
		return 0;
	}
	if (strcmp(what, "softnet-drops") == 0) {
		json_object *v;
		if (!params || !json_object_object_get_ex(params, "rate_per_s", &v) ||
		    json_object_get_int64(v) < 0)
			return fl_util_err(err, -EINVAL, "wan.softnet-drops needs rate_per_s >= 0");
		m->drop_per_s = json_object_get_int64(v);
		return 0;
	}
	return fl_util_err(err, -EINVAL, "unknown injection \"wan.%s\"", what);
}

/* ---- hardware requests from the shims ---- */

static int find_dev(const char *name)
{
	for (int i = 0; name && i < N_IF; i++)
		if (strcmp(ifs[i].name, name) == 0)
			return i;
	return -1;
}

static const char *str_of(json_object *body, const char *key)
{
	json_object *v;
	return body && json_object_object_get_ex(body, key, &v) ? json_object_get_string(v) : NULL;
}

static void set_admin(struct wan *m, int i, int up)
{
	struct ifstate *s = &m->st[i];
	if (s->admin_up == up)
		return;
	s->admin_up = up;
	fl_truth_log(fl_world_truth(m->w), "wan.link", "%s admin %s", ifs[i].name, up ? "up" : "down");
	if (i == IF_SFP_WAN && !up && m->ppp == PPP_UP)
		/* NETDEV_DOWN: the kernel's pppoe flushes the session at once */
		session_down(m, "sfp-wan went down", 0);
	if (i == IF_SFP_LAN) {
		m->st[IF_LAN20].admin_up = up;
		m->st[IF_LAN70].admin_up = up;
	}
}

/* `ip link set DEV up|down` */
static int hw_link(struct wan *m, json_object *body, struct fl_http_resp *resp)
{
	const char *dev = str_of(body, "dev");
	json_object *v;
	int i = find_dev(dev);
	if (i < 0 || i == IF_PPPOE || !json_object_object_get_ex(body, "up", &v)) {
		fl_http_replyf(resp, 400, "{\"message\":\"Cannot find device \\\"%s\\\"\"}", dev ? dev : "");
		return 0;
	}
	int up = json_object_get_boolean(v);
	int was = m->st[i].admin_up;
	set_admin(m, i, up);
	if (i == IF_SFP_WAN && up && !was)
		fl_sfp_wan_action(m->w, FL_SFP_LINK_BOUNCE);
	refresh(m);
	fl_http_reply(resp, 200, "{}");
	return 0;
}

/* netifd's logical interfaces and the device each one brings up. */
static const struct {
	const char *iface;
	int dev;
} logical[] = {
	{ "wan", IF_SFP_WAN }, { "lan", IF_BR_LAN }, { "sfp-lan-20", IF_LAN20 }, { "sfp-lan-70", IF_LAN70 },
};

static int hw_ifupdown(struct wan *m, json_object *body, int up, struct fl_http_resp *resp)
{
	const char *iface = str_of(body, "iface");
	int dev = -1;
	for (size_t k = 0; iface && k < sizeof(logical) / sizeof(logical[0]); k++)
		if (strcmp(logical[k].iface, iface) == 0)
			dev = logical[k].dev;
	if (dev < 0) {
		fl_http_replyf(resp, 404, "{\"message\":\"Interface %s not found\"}", iface ? iface : "");
		return 0;
	}
	if (!m->network) {
		fl_http_reply(resp, 503, "{\"message\":\"netifd is not running\"}");
		return 0;
	}
	fl_truth_log(fl_world_truth(m->w), "wan.netifd", "if%s %s", up ? "up" : "down", iface);
	if (dev != IF_SFP_WAN) {
		set_admin(m, dev, up);
	} else if (!up) {
		m->wan_ifup = 0;
		session_down(m, "ifdown wan", 1);
		set_admin(m, IF_SFP_WAN, 0); /* netifd releases the device it no longer uses */
	} else {
		m->wan_ifup = 1;
		set_admin(m, IF_SFP_WAN, 1);
		fl_sfp_wan_action(m->w, FL_SFP_IFUP);
		if (m->ppp == PPP_DOWN)
			m->ppp = PPP_DIALING;
	}
	refresh(m);
	fl_http_reply(resp, 200, "{}");
	return 0;
}

static int feature_index(const char *name)
{
	for (size_t k = 0; k < N_FEATURES; k++)
		if (strcmp(name, features[k]) == 0 || strcmp(name, feature_short[k]) == 0)
			return (int)k;
	return -1;
}

/* `ethtool -K DEV feature on|off ...`: {"dev": D, "features": {"tx": false, ...}} */
static int hw_ethtool_set(struct wan *m, json_object *body, struct fl_http_resp *resp)
{
	const char *dev = str_of(body, "dev");
	int i = find_dev(dev);
	json_object *f;
	if (i < 0 || !json_object_object_get_ex(body, "features", &f) || !json_object_is_type(f, json_type_object)) {
		fl_http_replyf(resp, 400, "{\"message\":\"Cannot get device settings: No such device\"}");
		return 0;
	}
	json_object_object_foreach(f, name, val) {
		int k = feature_index(name);
		if (k < 0) {
			fl_http_replyf(resp, 400, "{\"message\":\"unknown feature %s\"}", name);
			return 0;
		}
		if (json_object_get_boolean(val))
			m->st[i].features |= 1u << k;
		else
			m->st[i].features &= ~(1u << k);
		fl_truth_log(fl_world_truth(m->w), "wan.ethtool", "%s %s %s", dev, features[k],
			     json_object_get_boolean(val) ? "on" : "off");
	}
	fl_http_reply(resp, 200, "{}");
	return 0;
}

/* `ethtool -k DEV`, as ethtool prints it */
static int hw_ethtool_show(struct wan *m, json_object *body, struct fl_http_resp *resp)
{
	const char *dev = str_of(body, "dev");
	int i = find_dev(dev);
	if (i < 0) {
		fl_http_reply(resp, 400, "{\"message\":\"Cannot get device feature settings: No such device\"}");
		return 0;
	}
	char text[1024];
	size_t len = (size_t)snprintf(text, sizeof(text), "Features for %s:\n", dev);
	for (size_t k = 0; k < N_FEATURES; k++) {
		int on = (m->st[i].features >> k) & 1;
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s: %s\n", features[k], on ? "on" : "off");
		if (strcmp(feature_short[k], "tx") == 0)
			len += (size_t)snprintf(text + len, sizeof(text) - len,
						"\ttx-checksum-ipv4: %s\n\ttx-checksum-ipv6: %s\n",
						on ? "on" : "off", on ? "on" : "off");
	}
	fl_http_reply(resp, 200, text);
	resp->content_type = "text/plain";
	return 0;
}

static int wan_hw(void *state, const char *action, json_object *body, struct fl_http_resp *resp)
{
	struct wan *m = state;
	sync_counters(m);
	if (strcmp(action, "link") == 0)
		return hw_link(m, body, resp);
	if (strcmp(action, "ifup") == 0 || strcmp(action, "ifdown") == 0)
		return hw_ifupdown(m, body, action[2] == 'u', resp);
	if (strcmp(action, "ethtool-set") == 0)
		return hw_ethtool_set(m, body, resp);
	if (strcmp(action, "ethtool-show") == 0)
		return hw_ethtool_show(m, body, resp);
	fl_http_replyf(resp, 404, "{\"message\":\"no action %s\"}", action);
	return 0;
}

const struct fl_model_ops fl_wan_model = {
	.name = "wan",
	.init = wan_init,
	.free = wan_free,
	.power = wan_power,
	.reset = wan_reset,
	.userland = wan_userland,
	.halt = wan_halt,
	.time = wan_time,
	.inject = wan_inject,
	.hw = wan_hw,
};
