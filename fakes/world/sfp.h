/*
 * The two SFP cages as the kernel's sfp platform driver sees them (model "sfp"):
 * sfp1 holds the WAN ONU stick, sfp2 the LAN module. The driver's
 * /sys/bus/platform/drivers/sfp/{unbind,bind} files (REC-1 level C), a wedged WAN
 * module that only a given recovery level clears (REC-1), and the GMAC1 zero-traffic
 * corruption of the LAN port (NET-2). The "sfp.storm" injections stay in world.c.
 */
#ifndef FL_SFP_H
#define FL_SFP_H

struct fl_world;

/* What a recovery action did to sfp-wan, weakest first (REC-1 levels A, B, C). */
enum fl_sfp_action { FL_SFP_LINK_BOUNCE, FL_SFP_IFUP, FL_SFP_REBIND };

/* The cage's module is bound and not wedged: its link can come up. @cage: 1 or 2. */
int fl_sfp_link_ok(const struct fl_world *w, int cage);

/* GMAC1's data path is corrupted: sfp-lan is up but moves no bytes (NET-2). */
int fl_sfp_lan_zero_traffic(const struct fl_world *w);

/* The wan model did @action on sfp-wan (link down then up, ifdown then ifup wan). */
void fl_sfp_wan_action(struct fl_world *w, enum fl_sfp_action action);

extern const struct fl_model_ops fl_sfp_model;

#endif
