#include "world/wifi_combo.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

const char *const fl_wifi_band[FL_WIFI_RADIOS] = { "2g", "5g", "6g" };

static const char *opt(json_object *sec, const char *key)
{
	json_object *opts, *v;
	if (!json_object_object_get_ex(sec, "options", &opts) || !json_object_object_get_ex(opts, key, &v))
		return "";
	return json_object_get_string(v);
}

/* A radio's index from its band (or, without one, from radioN). */
static int radio_index(json_object *sec, const char *name)
{
	const char *band = opt(sec, "band");
	for (int i = 0; i < FL_WIFI_RADIOS; i++)
		if (!strcmp(band, fl_wifi_band[i]))
			return i;
	if (!strncmp(name, "radio", 5) && name[5] >= '0' && name[5] < '0' + FL_WIFI_RADIOS && !name[6])
		return name[5] - '0';
	return -1;
}

static unsigned devices_mask(const struct fl_wifi_conf *c, const char *devices)
{
	unsigned mask = 0;
	char buf[256], *save = NULL;
	snprintf(buf, sizeof(buf), "%s", devices);
	for (char *d = strtok_r(buf, " ", &save); d; d = strtok_r(NULL, " ", &save))
		for (int i = 0; i < FL_WIFI_RADIOS; i++)
			if (c->radio_name[i][0] && !strcmp(c->radio_name[i], d))
				mask |= 1u << i;
	return mask;
}

static int parse_iface(struct fl_wifi_conf *c, json_object *sec, const char *name, const char **why)
{
	if (c->n_ifaces == FL_WIFI_MAX_IFACES) {
		*why = "too many wifi-iface sections";
		return -EINVAL;
	}
	struct fl_wifi_iface *f = &c->iface[c->n_ifaces++];
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", name);
	snprintf(f->ssid, sizeof(f->ssid), "%s", opt(sec, "ssid"));
	int mlo = !strcmp(opt(sec, "mlo"), "1");
	int sta = !strcmp(opt(sec, "mode"), "sta");
	f->kind = mlo ? (sta ? FL_WIFI_MLO_STA : FL_WIFI_MLO_AP) : (sta ? FL_WIFI_STA : FL_WIFI_AP);
	f->radios = devices_mask(c, opt(sec, "device"));
	f->wds = !strcmp(opt(sec, "wds"), "1") || !strcmp(opt(sec, "role"), "relayd");
	f->repeater = !strcmp(opt(sec, "role"), "repeater");
	f->disabled = !strcmp(opt(sec, "disabled"), "1") || !f->radios;
	return 0;
}

int fl_wifi_conf_parse(json_object *cfg, struct fl_wifi_conf *out, const char **why)
{
	json_object *secs;
	memset(out, 0, sizeof(*out));
	if (!cfg || !json_object_object_get_ex(cfg, "sections", &secs) ||
	    !json_object_is_type(secs, json_type_array)) {
		*why = "config needs \"sections\": [...]";
		return -EINVAL;
	}
	size_t n = json_object_array_length(secs);
	/* radios first: interfaces name them */
	for (size_t i = 0; i < n; i++) {
		json_object *sec = json_object_array_get_idx(secs, i), *v;
		const char *type = json_object_object_get_ex(sec, "type", &v) ? json_object_get_string(v) : "";
		const char *name = json_object_object_get_ex(sec, "name", &v) ? json_object_get_string(v) : "";
		int r = strcmp(type, "wifi-device") ? -1 : radio_index(sec, name);
		if (r < 0)
			continue;
		snprintf(out->radio_name[r], sizeof(out->radio_name[r]), "%s", name);
		out->radio_disabled[r] = !strcmp(opt(sec, "disabled"), "1");
	}
	for (size_t i = 0; i < n; i++) {
		json_object *sec = json_object_array_get_idx(secs, i), *v;
		const char *type = json_object_object_get_ex(sec, "type", &v) ? json_object_get_string(v) : "";
		const char *name = json_object_object_get_ex(sec, "name", &v) ? json_object_get_string(v) : "";
		if (!strcmp(type, "wifi-iface") && parse_iface(out, sec, name, why) < 0)
			return -EINVAL;
	}
	return 0;
}

/* ---- evaluation: one rule per failure mode of 002's table ---- */

struct eval {
	const struct fl_wifi_conf *c;
	struct fl_wifi_verdict *v;
	unsigned mlo_ap_radios;  /* radios of the MLO AP group that runs */
	unsigned mlo_any_radios; /* radios of any running MLO group (AP or STA) */
	int mlo_ap, mlo_sta;     /* index of the running MLO AP / STA, -1 if none */
};

static int live(const struct eval *e, int i)
{
	return !e->c->iface[i].disabled && !e->v->why[i];
}

static void mlo_groups(struct eval *e)
{
	for (int i = 0; i < e->c->n_ifaces; i++) {
		const struct fl_wifi_iface *f = &e->c->iface[i];
		if (f->disabled)
			continue;
		if (f->kind == FL_WIFI_MLO_AP) {
			if (e->mlo_ap >= 0)
				e->v->why[i] = "a second MLO AP group: single chip, one wiphy";
			else if (e->mlo_sta >= 0)
				e->v->why[i] = "MLO AP and MLO STA need the same radios";
			else
				e->mlo_ap = i;
		} else if (f->kind == FL_WIFI_MLO_STA) {
			if (e->mlo_sta >= 0)
				e->v->why[i] = "a second MLO STA: one wpa_supplicant instance";
			else if (e->mlo_ap >= 0)
				e->v->why[i] = "MLO STA and MLO AP need the same radios";
			else
				e->mlo_sta = i;
		}
	}
	if (e->mlo_ap >= 0)
		e->mlo_ap_radios = e->c->iface[e->mlo_ap].radios;
	e->mlo_any_radios = e->mlo_ap_radios | (e->mlo_sta >= 0 ? e->c->iface[e->mlo_sta].radios : 0);
}

/* Legacy APs: one extra per MLO radio (more: the EDCCA crash on reload), ~4 elsewhere. */
static void legacy_aps(struct eval *e)
{
	int count[FL_WIFI_RADIOS] = { 0 };
	for (int i = 0; i < e->c->n_ifaces; i++) {
		const struct fl_wifi_iface *f = &e->c->iface[i];
		if (f->disabled || f->kind != FL_WIFI_AP || f->wds)
			continue;
		for (int r = 0; r < FL_WIFI_RADIOS; r++) {
			if (!(f->radios & (1u << r)))
				continue;
			count[r]++;
			if ((e->mlo_ap_radios & (1u << r)) && count[r] > 1) {
				e->v->edcca = 1;
				e->v->why[i] = "EDCCA: at most one extra AP on a radio in the MLO group";
			} else if (count[r] > FL_WIFI_MAX_AP_PER_RADIO) {
				e->v->why[i] = "hostapd: no more BSS on this radio";
			}
		}
	}
}

static void stations(struct eval *e)
{
	for (int i = 0; i < e->c->n_ifaces; i++) {
		const struct fl_wifi_iface *f = &e->c->iface[i];
		if (f->disabled || e->v->why[i] || f->kind == FL_WIFI_MLO_AP || f->kind == FL_WIFI_MLO_STA)
			continue;
		if (f->kind == FL_WIFI_STA && (f->radios & 4u))
			e->v->why[i] = "6 GHz STA: band2 goes through the MLD path, the scan finds nothing";
		else if (f->wds && (f->radios & e->mlo_any_radios))
			e->v->why[i] = "WDS/relayd on a radio in an MLO group: not supported by the driver";
		else if (f->kind == FL_WIFI_STA && f->repeater && (f->radios & e->mlo_any_radios))
			e->v->why[i] = "repeater uplink on a radio in an MLO group: not supported by the driver";
	}
}

/* A repeater's uplink STA and its AP must be on different radios. */
static void repeaters(struct eval *e)
{
	for (int i = 0; i < e->c->n_ifaces; i++) {
		const struct fl_wifi_iface *s = &e->c->iface[i];
		if (!live(e, i) || s->kind != FL_WIFI_STA || !s->repeater)
			continue;
		for (int j = 0; j < e->c->n_ifaces; j++) {
			const struct fl_wifi_iface *a = &e->c->iface[j];
			if (j != i && live(e, j) && a->kind == FL_WIFI_AP && a->repeater && (a->radios & s->radios))
				e->v->why[i] = "repeater STA and AP on the same radio: the STA loses the channel";
		}
	}
}

void fl_wifi_conf_eval(const struct fl_wifi_conf *c, struct fl_wifi_verdict *v)
{
	memset(v, 0, sizeof(*v));
	struct eval e = { .c = c, .v = v, .mlo_ap = -1, .mlo_sta = -1 };
	mlo_groups(&e);
	legacy_aps(&e);
	stations(&e);
	repeaters(&e);
}
