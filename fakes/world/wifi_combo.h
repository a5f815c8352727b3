/*
 * The fake MT7996's physics of a wireless configuration: which interfaces of a
 * /etc/config/wireless come up, which fail and why, and whether bringing it up with
 * a runtime `wifi reload` crashes the chip (the EDCCA crash of MLO-1).
 *
 * The configuration arrives from the `wifi` shim as JSON: {"sections": [{"name",
 * "type", "options": {"opt": "value", ...}}, ...]} (lists joined by spaces), i.e.
 * the committed /etc/config/wireless. MLO interfaces are written as the MTK SDK
 * image writes them: `config wifi-iface 'ap_mld_1'` with `option mlo '1'` and
 * `option device 'radio0 radio1 radio2'`.
 */
#ifndef FL_WIFI_COMBO_H
#define FL_WIFI_COMBO_H

#include <json-c/json.h>

#define FL_WIFI_RADIOS 3     /* radio0 2.4 GHz, radio1 5 GHz, radio2 6 GHz */
#define FL_WIFI_MAX_IFACES 32
#define FL_WIFI_MAX_AP_PER_RADIO 4 /* legacy APs per radio ("up to ~4") */

enum fl_wifi_kind { FL_WIFI_AP, FL_WIFI_STA, FL_WIFI_MLO_AP, FL_WIFI_MLO_STA };

struct fl_wifi_iface {
	char name[48];   /* UCI section */
	char ssid[64];
	enum fl_wifi_kind kind;
	unsigned radios; /* bit i: radio i */
	int wds;         /* option wds '1' (4-address bridge), or relayd */
	int repeater;    /* option role 'repeater' */
	int disabled;
};

struct fl_wifi_conf {
	char radio_name[FL_WIFI_RADIOS][32]; /* UCI section of radio i ("" if absent) */
	int radio_disabled[FL_WIFI_RADIOS];
	int n_ifaces;
	struct fl_wifi_iface iface[FL_WIFI_MAX_IFACES];
};

/* Parse the shim's JSON. 0, or -EINVAL with *why (static text). */
int fl_wifi_conf_parse(json_object *cfg, struct fl_wifi_conf *out, const char **why);

struct fl_wifi_verdict {
	int edcca;                       /* a runtime reload of this config crashes the chip */
	const char *why[FL_WIFI_MAX_IFACES]; /* NULL: the interface comes up */
};

/* What the chip does with @c (see fakes/README.md, WiFi model). */
void fl_wifi_conf_eval(const struct fl_wifi_conf *c, struct fl_wifi_verdict *v);

/* The radio band names, "2g" "5g" "6g", by index. */
extern const char *const fl_wifi_band[FL_WIFI_RADIOS];

#endif
