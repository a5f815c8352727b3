#include "r4hil/mlo.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RADIO6 (1u << 2)

static int valid_name(const char *s)
{
	if (!*s || strlen(s) >= sizeof(((struct hil_mlo_net *)0)->name))
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

static int parse_net(json_object *o, struct hil_mlo_net *net, const char **why)
{
	json_object *v;
	memset(net, 0, sizeof(*net));
	if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, "name", &v) ||
	    !valid_name(json_object_get_string(v))) {
		*why = "a network needs \"name\" ([a-z0-9_]+, < 32 characters)";
		return -EINVAL;
	}
	snprintf(net->name, sizeof(net->name), "%s", json_object_get_string(v));
	const char *mode = json_object_object_get_ex(o, "mode", &v) ? json_object_get_string(v) : "";
	if (strcmp(mode, "ap") && strcmp(mode, "sta")) {
		*why = "a network needs \"mode\": \"ap\" or \"sta\"";
		return -EINVAL;
	}
	net->sta = !strcmp(mode, "sta");
	net->mlo = json_object_object_get_ex(o, "mlo", &v) && json_object_get_boolean(v);
	net->wds = json_object_object_get_ex(o, "wds", &v) && json_object_get_boolean(v);
	const char *role = json_object_object_get_ex(o, "role", &v) ? json_object_get_string(v) : "";
	if (*role && strcmp(role, "repeater") && strcmp(role, "relayd")) {
		*why = "\"role\" is \"repeater\" or \"relayd\"";
		return -EINVAL;
	}
	net->repeater = !strcmp(role, "repeater");
	net->wds |= !strcmp(role, "relayd");
	if (!json_object_object_get_ex(o, "radios", &v) || !json_object_is_type(v, json_type_array) ||
	    !json_object_array_length(v)) {
		*why = "a network needs \"radios\": [\"radio0\", ...]";
		return -EINVAL;
	}
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		const char *r = json_object_get_string(json_object_array_get_idx(v, i));
		if (strncmp(r, "radio", 5) || r[5] < '0' || r[5] >= '0' + HIL_MLO_RADIOS || r[6]) {
			*why = "radios are \"radio0\" (2.4 GHz), \"radio1\" (5 GHz), \"radio2\" (6 GHz)";
			return -EINVAL;
		}
		net->radios |= 1u << (r[5] - '0');
	}
	if (!net->mlo && __builtin_popcount(net->radios) != 1) {
		*why = "a network without \"mlo\" has exactly one radio";
		return -EINVAL;
	}
	return 0;
}

int hil_mlo_nets_parse(json_object *arr, struct hil_mlo_net *nets, size_t *n, const char **why)
{
	if (!json_object_is_type(arr, json_type_array)) {
		*why = "expected an array of networks";
		return -EINVAL;
	}
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		if (*n == HIL_MLO_MAX_NETS) {
			*why = "too many networks (16 at most)";
			return -EINVAL;
		}
		if (parse_net(json_object_array_get_idx(arr, i), &nets[*n], why) < 0)
			return -EINVAL;
		(*n)++;
	}
	return 0;
}

/* ---- 002's table ---- */

struct groups {
	int mlo_ap, mlo_sta;
	unsigned ap_radios, all_radios;
};

static const char *mlo_group_rule(const struct hil_mlo_net *nets, size_t n, struct groups *g)
{
	memset(g, 0, sizeof(*g));
	for (size_t i = 0; i < n; i++) {
		if (!nets[i].mlo)
			continue;
		if (nets[i].sta)
			g->mlo_sta++;
		else {
			g->mlo_ap++;
			g->ap_radios |= nets[i].radios;
		}
		g->all_radios |= nets[i].radios;
	}
	if (g->mlo_ap > 1)
		return "multiple MLO AP groups (single chip, one wiphy)";
	if (g->mlo_ap && g->mlo_sta)
		return "MLO AP + MLO STA (same radios)";
	if (g->mlo_sta > 1)
		return "two MLO STA connections";
	return NULL;
}

enum hil_mlo_class hil_mlo_classify(const struct hil_mlo_net *nets, size_t n, const char **rule)
{
	struct groups g;
	int extra[HIL_MLO_RADIOS] = { 0 };
	*rule = mlo_group_rule(nets, n, &g);
	if (*rule)
		return HIL_MLO_FORBIDDEN;
	for (size_t i = 0; i < n; i++) {
		const struct hil_mlo_net *f = &nets[i];
		if (f->mlo)
			continue;
		for (int r = 0; r < HIL_MLO_RADIOS; r++)
			if ((f->radios & (1u << r)) && !f->sta && !f->wds && (g.ap_radios & (1u << r)) && ++extra[r] > 1) {
				*rule = "MLO AP + 2 or more extra APs on the same radio (EDCCA crash)";
				return HIL_MLO_LOCKS;
			}
	}
	for (size_t i = 0; i < n; i++) {
		const struct hil_mlo_net *f = &nets[i];
		if (f->mlo)
			continue;
		if (f->sta && (f->radios & RADIO6))
			*rule = "6 GHz STA (non-MLO)";
		else if (f->wds && (f->radios & g.all_radios))
			*rule = "WDS/relayd on a radio in an MLO group";
		else if (f->sta && f->repeater && (f->radios & g.all_radios))
			*rule = "repeater uplink on a radio in an MLO group";
		for (size_t j = 0; !*rule && j < n; j++)
			if (f->sta && f->repeater && !nets[j].sta && nets[j].repeater && (nets[j].radios & f->radios))
				*rule = "repeater with STA and AP on the same radio";
		if (*rule)
			return HIL_MLO_FORBIDDEN;
	}
	return HIL_MLO_SUPPORTED;
}

/* ---- the router command ---- */

static void devices(FILE *f, unsigned radios)
{
	const char *sep = "";
	for (int r = 0; r < HIL_MLO_RADIOS; r++)
		if (radios & (1u << r)) {
			fprintf(f, "%sradio%d", sep, r);
			sep = " ";
		}
}

static void net_options(FILE *f, const struct hil_mlo_net *n, const char *fmt_opt)
{
	char dev[32] = "";
	FILE *d = fmemopen(dev, sizeof(dev), "w");
	devices(d, n->radios);
	fclose(d);
	fprintf(f, fmt_opt, n->name, "mode", n->sta ? "sta" : "ap");
	fprintf(f, fmt_opt, n->name, "device", dev);
	fprintf(f, fmt_opt, n->name, "ssid", n->name);
	fprintf(f, fmt_opt, n->name, "network", n->sta ? "wwan" : "lan");
	if (n->mlo)
		fprintf(f, fmt_opt, n->name, "mlo", "1");
	if (n->wds)
		fprintf(f, fmt_opt, n->name, "wds", "1");
	if (n->repeater)
		fprintf(f, fmt_opt, n->name, "role", "repeater");
}

static void write_base(FILE *f, const struct hil_mlo_net *base, int n_base)
{
	static const char *const bands[HIL_MLO_RADIOS] = { "2g", "5g", "6g" };
	fprintf(f, "cat >/etc/config/wireless <<'R4HIL_EOF'\n");
	for (int r = 0; r < HIL_MLO_RADIOS; r++)
		fprintf(f, "\nconfig wifi-device 'radio%d'\n\toption type 'mac80211'\n\toption band '%s'\n", r, bands[r]);
	for (int i = 0; i < n_base; i++) {
		fprintf(f, "\nconfig wifi-iface '%s'\n", base[i].name);
		net_options(f, &base[i], "\toption %.0s%s '%s'\n");
	}
	fprintf(f, "R4HIL_EOF\nrm -f /tmp/.uci/wireless\nuci commit wireless\ncp /etc/config/wireless /root/wireless.base\n");
}

char *hil_mlo_command(const struct hil_mlo_net *base, int n_base, const struct hil_mlo_net *add,
		      size_t n_add, const char *apply)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return NULL;
	if (n_base >= 0)
		write_base(f, base, n_base);
	if (n_add) {
		fprintf(f, "uci batch <<'R4HIL_EOF'\n");
		for (size_t i = 0; i < n_add; i++) {
			fprintf(f, "set wireless.%s=wifi-iface\n", add[i].name);
			net_options(f, &add[i], "set wireless.%s.%s='%s'\n");
		}
		fprintf(f, "R4HIL_EOF\n");
	}
	if (!strcmp(apply, "guard"))
		fprintf(f, "/usr/local/bin/mlo-guard.sh apply\n");
	else if (!strcmp(apply, "reload"))
		fprintf(f, "uci commit wireless && wifi reload\n");
	else if (!strcmp(apply, "reboot"))
		fprintf(f, "uci commit wireless && reboot\n");
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}
