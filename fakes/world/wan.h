/*
 * The router's interfaces and its PPPoE uplink (model "wan"): carrier and admin
 * state of sfp-wan, sfp-lan (and its VLANs 20, 70), br-lan and pppoe-wan, their
 * counters under modelled traffic, the PPPoE session (boot, LCP timeouts, ifup /
 * ifdown), softnet and conntrack, the ethtool offloads, and the shims' view of it
 * (`ip`, `ifup`, `ifdown`, `ethtool`). Numbers are in fakes/README.md.
 */
#ifndef FL_WAN_H
#define FL_WAN_H

struct fl_world;

/* The WAN VIP the services bind (one of the ISP's /28 on pppoe-wan). */
#define FL_WAN_VIP "31.3.128.59"

/* True while pppoe-wan is up with its addresses (the VIPs are bindable). */
int fl_wan_pppoe_up(const struct fl_world *w);

/* procd runs S20network: netifd brings the interfaces up and starts dialling. */
void fl_wan_network_start(struct fl_world *w);

extern const struct fl_model_ops fl_wan_model;

#endif
