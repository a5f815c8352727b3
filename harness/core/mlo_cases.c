#include "r4hil/mlo_cases.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "r4hil/mlo.h"

#define MLD3 "ap_mld_1:mlo-ap@012"
#define MLO_STA3 "sta_mld_1:mlo-sta@012"
#define SUPPORTED (-1)

/*
 * 002's "Supported network combinations", every row with each radio variant it
 * names. The supported cases run in this order, each from what the previous one
 * left on the router, so an MLO base is always brought up by the guard's reboot.
 * Forbidden cases are grouped by base; the harness brings each base up itself.
 */
const struct hil_mlo_case hil_mlo_cases[] = {
	/* ---- supported (MLO-4) ---- */
	{ "legacy-aps", "Legacy APs only (no MLO): up to ~4 per radio, wifi reload", "",
	  "a0:ap@0 b0:ap@0 c0:ap@0 d0:ap@0 a1:ap@1 b1:ap@1 c1:ap@1 d1:ap@1 a2:ap@2 b2:ap@2 c2:ap@2 d2:ap@2",
	  SUPPORTED },
	{ "ap-sta-r0", "Legacy AP + STA uplink on same radio (radio0)", "", "ap0:ap@0 wwan0:sta@0", SUPPORTED },
	{ "ap-sta-r1", "Legacy AP + STA uplink on same radio (radio1)", "", "ap1:ap@1 wwan1:sta@1", SUPPORTED },
	{ "ap-wds-r0", "Legacy AP + WDS bridge (radio0)", "", "ap0:ap@0 wds0:wds@0", SUPPORTED },
	{ "ap-wds-r1", "Legacy AP + WDS bridge (radio1)", "", "ap1:ap@1 wds1:wds@1", SUPPORTED },
	{ "repeater-r0-r1", "Repeater (STA + local AP on different radio)", "", "rsta0:rep-sta@0 rap1:rep-ap@1",
	  SUPPORTED },
	{ "repeater-r0-r2", "Repeater (STA + local AP on different radio)", "", "rsta0:rep-sta@0 rap2:rep-ap@2",
	  SUPPORTED },
	{ "repeater-r1-r0", "Repeater (STA + local AP on different radio)", "", "rsta1:rep-sta@1 rap0:rep-ap@0",
	  SUPPORTED },
	{ "repeater-r1-r2", "Repeater (STA + local AP on different radio)", "", "rsta1:rep-sta@1 rap2:rep-ap@2",
	  SUPPORTED },
	{ "mld-r01", "MLO AP (2 or 3 bands): 2G+5G, requires reboot", "", "ap_mld_1:mlo-ap@01", SUPPORTED },
	{ "mld-r12", "MLO AP (2 or 3 bands): 5G+6G, requires reboot", "", "ap_mld_1:mlo-ap@12", SUPPORTED },
	{ "mld-r12-wds-r0", "MLO AP + WDS bridge (radio0)", "ap_mld_1:mlo-ap@12", "wds0:wds@0", SUPPORTED },
	{ "mld-r12-relayd-r0", "MLO AP + L2 relayd (radio0)", "ap_mld_1:mlo-ap@12", "relay0:relayd@0", SUPPORTED },
	{ "mld-r02", "MLO AP (2 or 3 bands): 2G+6G, requires reboot", "", "ap_mld_1:mlo-ap@02", SUPPORTED },
	{ "mld-r02-wds-r1", "MLO AP + WDS bridge (radio1)", "ap_mld_1:mlo-ap@02", "wds1:wds@1", SUPPORTED },
	{ "mld-r02-relayd-r1", "MLO AP + L2 relayd (radio1)", "ap_mld_1:mlo-ap@02", "relay1:relayd@1", SUPPORTED },
	{ "mld-r012", "MLO AP (2 or 3 bands): all three, requires reboot", "", MLD3, SUPPORTED },
	{ "mld-sta-r0", "MLO AP + STA uplink (radio0): wifi reload OK", MLD3, "wwan0:sta@0", SUPPORTED },
	{ "mld-sta-r1", "MLO AP + STA uplink (radio1): wifi reload OK", MLD3, "wwan1:sta@1", SUPPORTED },
	{ "mld-ap-each", "MLO AP + legacy AP on each MLO radio: max 1 extra per radio, requires reboot", MLD3,
	  "iot0:ap@0 iot1:ap@1 iot2:ap@2", SUPPORTED },
	{ "mlo-sta", "MLO STA (all 3 bands): requires reboot", "", MLO_STA3, SUPPORTED },
	{ "mlo-sta-aps", "MLO STA + legacy APs: no EDCCA risk, MLO STA is not an AP", MLO_STA3,
	  "iot0:ap@0 guest0:ap@0 iot1:ap@1 iot2:ap@2", SUPPORTED },

	/* ---- forbidden (MLO-2), over a running MLO AP with its IoT AP ---- */
	{ "second-mld", "Multiple MLO AP groups", MLD3 " iot0:ap@0", "mld2:mlo-ap@12", HIL_MLO_RULE_TWO_MLO_AP },
	{ "mlo-sta-beside-mld", "MLO AP + MLO STA", MLD3 " iot0:ap@0", MLO_STA3, HIL_MLO_RULE_MLO_AP_AND_STA },
	{ "wds-r0-in-mld", "WDS/relayd on a radio in an MLO group", MLD3 " iot0:ap@0", "wds0:wds@0",
	  HIL_MLO_RULE_WDS_ON_MLO },
	{ "wds-r1-in-mld", "WDS/relayd on a radio in an MLO group", MLD3 " iot0:ap@0", "wds1:wds@1",
	  HIL_MLO_RULE_WDS_ON_MLO },
	{ "relayd-r1-in-mld", "WDS/relayd on a radio in an MLO group", MLD3 " iot0:ap@0", "relay1:relayd@1",
	  HIL_MLO_RULE_WDS_ON_MLO },
	{ "repeater-uplink-in-mld", "WDS / Repeater uplink on a radio that is part of an MLO group",
	  MLD3 " iot0:ap@0", "rsta0:rep-sta@0 rap1:rep-ap@1", HIL_MLO_RULE_REPEATER_ON_MLO },
	{ "sta-6g-beside-mld", "6 GHz STA (non-MLO)", MLD3 " iot0:ap@0", "sta6:sta@2", HIL_MLO_RULE_STA_6G },
	/* over a running MLO STA */
	{ "mld-beside-mlo-sta", "MLO AP when radios are already in another MLO group", MLO_STA3 " iot0:ap@0",
	  MLD3, HIL_MLO_RULE_MLO_AP_AND_STA },
	{ "second-mlo-sta", "Two MLO STA connections simultaneously", MLO_STA3 " iot0:ap@0",
	  "sta_mld_2:mlo-sta@01", HIL_MLO_RULE_TWO_MLO_STA },
	{ "wds-in-mlo-sta", "WDS/relayd on a radio in an MLO group (an MLO STA's)", MLO_STA3 " iot0:ap@0",
	  "wds0:wds@0", HIL_MLO_RULE_WDS_ON_MLO },
	{ "repeater-uplink-in-mlo-sta", "Repeater uplink on a radio in an MLO group (an MLO STA's)",
	  MLO_STA3 " iot0:ap@0", "rsta1:rep-sta@1", HIL_MLO_RULE_REPEATER_ON_MLO },
	/* over legacy APs */
	{ "repeater-same-r0", "Repeater with STA and AP on the same radio (radio0)", "iot0:ap@0 iot1:ap@1",
	  "rsta0:rep-sta@0 rap0:rep-ap@0", HIL_MLO_RULE_REPEATER_SAME },
	{ "repeater-same-r1", "Repeater with STA and AP on the same radio (radio1)", "iot0:ap@0 iot1:ap@1",
	  "rsta1:rep-sta@1 rap1:rep-ap@1", HIL_MLO_RULE_REPEATER_SAME },
	{ "sta-6g", "6 GHz STA (non-MLO): driver limitation", "iot0:ap@0 iot1:ap@1", "sta6:sta@2",
	  HIL_MLO_RULE_STA_6G },
	/* the EDCCA crash: a second extra AP on each MLO radio (needs mlo-lock) */
	{ "edcca-r0", "MLO AP + 2 or more extra APs on same radio (radio0)", MLD3 " iot0:ap@0 iot1:ap@1 iot2:ap@2",
	  "guest0:ap@0", HIL_MLO_RULE_EXTRA_APS },
	{ "edcca-r1", "MLO AP + 2 or more extra APs on same radio (radio1)", MLD3 " iot0:ap@0 iot1:ap@1 iot2:ap@2",
	  "guest1:ap@1", HIL_MLO_RULE_EXTRA_APS },
	{ "edcca-r2", "MLO AP + 2 or more extra APs on same radio (radio2)", MLD3 " iot0:ap@0 iot1:ap@1 iot2:ap@2",
	  "guest2:ap@2", HIL_MLO_RULE_EXTRA_APS },
};
const size_t hil_mlo_n_cases = sizeof(hil_mlo_cases) / sizeof(hil_mlo_cases[0]);

/* ---- the case notation ---- */

static const struct {
	const char *kind;
	struct hil_mlo_net net;
} kinds[] = {
	{ "ap", { .sta = 0 } },
	{ "sta", { .sta = 1 } },
	{ "mlo-ap", { .mlo = 1 } },
	{ "mlo-sta", { .sta = 1, .mlo = 1 } },
	{ "wds", { .sta = 1, .wds = 1 } },
	{ "relayd", { .sta = 1, .wds = 1, .relayd = 1 } },
	{ "rep-sta", { .sta = 1, .repeater = 1 } },
	{ "rep-ap", { .repeater = 1 } },
};

static int fail(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(char **err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(err, fmt, ap) < 0)
		*err = NULL;
	va_end(ap);
	return -EINVAL;
}

static int parse_one(const char *tok, struct hil_mlo_net *net)
{
	char name[32], kind[16], radios[8];
	if (sscanf(tok, "%31[a-z0-9_]:%15[a-z-]@%7[0-9]", name, kind, radios) != 3)
		return -EINVAL;
	size_t k = 0;
	while (k < sizeof(kinds) / sizeof(kinds[0]) && strcmp(kinds[k].kind, kind))
		k++;
	if (k == sizeof(kinds) / sizeof(kinds[0]))
		return -EINVAL;
	*net = kinds[k].net;
	snprintf(net->name, sizeof(net->name), "%s", name);
	for (const char *r = radios; *r; r++) {
		if (*r - '0' >= HIL_MLO_RADIOS)
			return -EINVAL;
		net->radios |= 1u << (*r - '0');
	}
	return net->mlo || __builtin_popcount(net->radios) == 1 ? 0 : -EINVAL;
}

/* Append the networks of @spec to @nets at *n. */
static int parse_spec(const char *spec, struct hil_mlo_net *nets, size_t *n, char **err)
{
	char buf[512], *save = NULL;
	snprintf(buf, sizeof(buf), "%s", spec);
	for (char *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (*n == HIL_MLO_MAX_NETS)
			return fail(err, "\"%s\": more than %d networks", spec, HIL_MLO_MAX_NETS);
		if (parse_one(tok, &nets[*n]) < 0)
			return fail(err, "\"%s\": expected name:kind@radios", tok);
		(*n)++;
	}
	return 0;
}

/* ---- one case against the model ---- */

struct combo {
	const struct hil_mlo_case *c;
	struct hil_mlo_net nets[HIL_MLO_MAX_NETS]; /* base, then add */
	size_t n_base, n;
	enum hil_mlo_class cls;
	int reboot; /* the guard must reboot (MLO-3); forbidden: would, if it wrongly accepted */
};

static int rule_index(const char *text)
{
	for (int r = 0; r < HIL_MLO_N_RULES; r++)
		if (text == hil_mlo_rule_text[r])
			return r;
	return SUPPORTED;
}

/* Parse a case and check that the model classifies it as 002's table does. */
static int combo_load(const struct hil_mlo_case *c, struct combo *co, char **err)
{
	const char *rule = NULL;
	memset(co, 0, sizeof(*co));
	co->c = c;
	if (parse_spec(c->base, co->nets, &co->n, err) < 0)
		return -EINVAL;
	co->n_base = co->n;
	if (hil_mlo_classify(co->nets, co->n_base, &rule) != HIL_MLO_SUPPORTED)
		return fail(err, "case %s: its base breaks \"%s\"", c->id, rule);
	if (parse_spec(c->add, co->nets, &co->n, err) < 0)
		return -EINVAL;
	co->cls = hil_mlo_classify(co->nets, co->n, &rule);
	if (rule_index(rule) != c->rule)
		return fail(err, "case %s (%s): 002's table says %s, the model says %s", c->id, c->row,
			    c->rule == SUPPORTED ? "supported" : hil_mlo_rule_text[c->rule],
			    rule ? rule : "supported");
	co->reboot = hil_mlo_needs_reboot(co->nets, co->n, co->n_base);
	return 0;
}

static int same_net(const struct hil_mlo_net *a, const struct hil_mlo_net *b)
{
	return !strcmp(a->name, b->name) && a->sta == b->sta && a->mlo == b->mlo && a->wds == b->wds &&
	       a->relayd == b->relayd && a->repeater == b->repeater && a->radios == b->radios;
}

/*
 * The supported cases run one after the other: a case's base must be running
 * already, and the networks it drops (its base rewrites the file) go with the
 * guard's wifi reload unless the case reboots; so a network that needed a reboot
 * is only dropped by a case that reboots too.
 */
struct running {
	struct hil_mlo_net nets[HIL_MLO_MAX_NETS];
	int rebooted[HIL_MLO_MAX_NETS];
	size_t n;
};

static int running_advance(struct running *run, const struct combo *co, char **err)
{
	for (size_t i = 0; i < co->n_base; i++) {
		size_t j = 0;
		while (j < run->n && !same_net(&run->nets[j], &co->nets[i]))
			j++;
		if (j == run->n)
			return fail(err, "case %s: its base network %s is not running after the case before",
				    co->c->id, co->nets[i].name);
	}
	for (size_t j = 0; j < run->n; j++) {
		int kept = 0;
		for (size_t i = 0; i < co->n_base; i++)
			kept |= same_net(&run->nets[j], &co->nets[i]);
		if (!kept && run->rebooted[j] && !co->reboot)
			return fail(err, "case %s drops %s, which needed a reboot, with wifi reload", co->c->id,
				    run->nets[j].name);
	}
	int rebooted[HIL_MLO_MAX_NETS] = { 0 };
	for (size_t i = 0; i < co->n; i++)
		for (size_t j = 0; j < run->n; j++)
			if (same_net(&run->nets[j], &co->nets[i]))
				rebooted[i] = run->rebooted[j];
	for (size_t i = co->n_base; i < co->n; i++)
		rebooted[i] = co->reboot;
	memcpy(run->nets, co->nets, co->n * sizeof(*co->nets));
	memcpy(run->rebooted, rebooted, sizeof(rebooted));
	run->n = co->n;
	return 0;
}

/* ---- scenario pieces ---- */

/*
 * Acts take no virtual time and windows are closed: each act's window is WINDOW
 * long, and a check is followed by WAIT_GAP so the next act's status is not in it.
 */
#define WINDOW "500ms"
#define WAIT_GAP "1s"
#define WAIT_RELOAD "10s"
#define WAIT_REBOOT "1m40s" /* shutdown 5 s + boot 70 s + PCIe and probe, seen by a 20 s observer */
#define OBSERVE_PERIOD "20s"
#define SEMAPHORE_LINES "-e 'Failed to start patch' -e 'Failed to release patch semaphore' -e 'failed with error -11'"

static json_object *nets_json(const struct hil_mlo_net *nets, size_t n)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, hil_mlo_net_json(&nets[i]));
	return a;
}

static json_object *wifi_step(const char *label, const char *apply, json_object *base, json_object *add,
			      const char *note)
{
	json_object *s = json_object_new_object(), *p = json_object_new_object();
	if (label)
		json_object_object_add(s, "label", json_object_new_string(label));
	json_object_object_add(s, "act", json_object_new_string("wifi"));
	json_object_object_add(p, "apply", json_object_new_string(apply));
	if (base)
		json_object_object_add(p, "base", base);
	if (add)
		json_object_object_add(p, "add", add);
	json_object_object_add(s, "params", p);
	if (note)
		json_object_object_add(s, "note", json_object_new_string(note));
	return s;
}

static json_object *wait_step(const char *d)
{
	json_object *s = json_object_new_object();
	json_object_object_add(s, "wait", json_object_new_string(d));
	return s;
}

static json_object *ssh_step(const char *label, const char *command)
{
	json_object *s = json_object_new_object(), *p = json_object_new_object();
	json_object_object_add(s, "label", json_object_new_string(label));
	json_object_object_add(s, "act", json_object_new_string("ssh"));
	json_object_object_add(p, "command", json_object_new_string(command));
	json_object_object_add(s, "params", p);
	return s;
}

/* Nothing staged, every network of @nets in `wifi status`, none down, no semaphore error. */
static char *up_check(const char *prefix, const struct hil_mlo_net *nets, size_t n)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return NULL;
	fprintf(f, "%s[ -z \"$(uci changes wireless)\" ] && st=$(wifi status) && ! echo \"$st\" | grep -q '\"up\": false'",
		prefix);
	for (size_t i = 0; i < n; i++)
		fprintf(f, " && echo \"$st\" | grep -q '\"section\": \"%s\"'", nets[i].name);
	fprintf(f, " && ! dmesg | grep -q " SEMAPHORE_LINES);
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}

/* An expectation on act.ssh or router.reboot in the window [@from, @from + @dur] or [@from, @to]. */
static json_object *expectation(const char *id, const char *req, const char *kind, const char *subject,
				const char *value, const char *from, const char *dur, const char *to, const char *why)
{
	json_object *e = json_object_new_object(), *w = json_object_new_object();
	json_object_object_add(e, "id", json_object_new_string(id));
	json_object_object_add(e, "requirement", json_object_new_string(req));
	json_object_object_add(e, "kind", json_object_new_string(kind));
	json_object_object_add(e, "subject", json_object_new_string(subject));
	json_object_object_add(e, "equals", json_object_new_string(value));
	json_object_object_add(w, "from", json_object_new_string(from));
	json_object_object_add(w, dur ? "for" : "to", json_object_new_string(dur ? dur : to));
	json_object_object_add(e, "window", w);
	if (why)
		json_object_object_add(e, "why", json_object_new_string(why));
	return e;
}

static void add_expect(json_object *arr, const char *id, const char *suffix, const char *req, const char *kind,
		       const char *subject, const char *value, const char *from, const char *dur, const char *to,
		       const char *why)
{
	char name[96];
	snprintf(name, sizeof(name), "%s-%s", id, suffix);
	json_object_array_add(arr, expectation(name, req, kind, subject, value, from, dur, to, why));
}

struct scenario {
	json_object *setup, *steps, *expect;
};

/* One supported case: the guard accepts, reboots or reloads as MLO-3 says, and it comes up. */
static int supported_case(struct scenario *sc, const struct combo *co)
{
	char check_label[96], note[256];
	snprintf(check_label, sizeof(check_label), "%s-up", co->c->id);
	snprintf(note, sizeof(note), "002: %s", co->c->row);
	char *check = up_check("", co->nets, co->n);
	if (!check)
		return -ENOMEM;
	json_object_array_add(sc->steps, wifi_step(co->c->id, "guard", nets_json(co->nets, co->n_base),
						   nets_json(co->nets + co->n_base, co->n - co->n_base), note));
	json_object_array_add(sc->steps, wait_step(co->reboot ? WAIT_REBOOT : WAIT_RELOAD));
	json_object_array_add(sc->steps, ssh_step(check_label, check));
	json_object_array_add(sc->steps, wait_step(WAIT_GAP));
	free(check);
	const char *id = co->c->id;
	add_expect(sc->expect, id, "accepted", "MLO-4", "event", "act.ssh", "0", id, WINDOW, NULL, NULL);
	if (co->reboot)
		add_expect(sc->expect, id, "reboots", "MLO-3", "event", "router.reboot", "soft", id, NULL, check_label,
			   "An MLO network or an AP on a radio of an MLO group: reboot, never wifi reload (002).");
	else
		add_expect(sc->expect, id, "reloads", "MLO-4", "never", "router.reboot", "soft", id, NULL, check_label,
			   "Nothing on a radio of an MLO group changes: wifi reload (002's table).");
	add_expect(sc->expect, id, "up", "MLO-4", "event", "act.ssh", "0", check_label, WINDOW, NULL,
		   "Every interface up, no patch semaphore error in dmesg.");
	return 0;
}

/* The harness brings a forbidden group's base up itself, with a reboot. */
static void forbidden_base(struct scenario *sc, const struct combo *co, int first)
{
	char note[128];
	snprintf(note, sizeof(note), "The harness brings up the base for the cases from %s with a reboot.", co->c->id);
	json_object *to = first ? sc->setup : sc->steps;
	json_object_array_add(to, wifi_step(NULL, "reboot", nets_json(co->nets, co->n_base), NULL, note));
	json_object_array_add(to, wait_step(WAIT_REBOOT));
}

/* One forbidden case: refused (exit 1), nothing committed or staged, nothing restarted. */
static int forbidden_case(struct scenario *sc, const struct combo *co)
{
	char check_label[96], note[256];
	snprintf(check_label, sizeof(check_label), "%s-kept", co->c->id);
	snprintf(note, sizeof(note), "002: %s. Breaks: %s.", co->c->row, hil_mlo_rule_text[co->c->rule]);
	char *check = up_check("cmp -s /etc/config/wireless /root/wireless.base && ", co->nets, co->n_base);
	if (!check)
		return -ENOMEM;
	json_object_array_add(sc->steps, wifi_step(co->c->id, "guard", NULL,
						   nets_json(co->nets + co->n_base, co->n - co->n_base), note));
	/* a guard that wrongly accepts applies as MLO-3 says: the check must find the router back */
	json_object_array_add(sc->steps, wait_step(co->reboot ? WAIT_REBOOT : WAIT_RELOAD));
	json_object_array_add(sc->steps, ssh_step(check_label, check));
	json_object_array_add(sc->steps, wait_step(WAIT_GAP));
	free(check);
	const char *id = co->c->id;
	add_expect(sc->expect, id, "refused", "MLO-2", "event", "act.ssh", "1", id, WINDOW, NULL,
		   "The guard exits 1 when it refuses (fixtures/README.md).");
	add_expect(sc->expect, id, "nothing-applied", "MLO-2", "event", "act.ssh", "0", check_label, WINDOW, NULL,
		   "/etc/config/wireless as before, nothing staged, the running networks still up, no semaphore error.");
	add_expect(sc->expect, id, "no-restart", "MLO-2", "never", "router.reboot", "soft", id, NULL, check_label,
		   NULL);
	return 0;
}

/* ---- the files ---- */

struct file_spec {
	const char *name, *summary, *reqs[2], *need;
	int (*wants)(const struct combo *co);
};

static int is_supported(const struct combo *co) { return co->cls == HIL_MLO_SUPPORTED; }
static int is_forbidden(const struct combo *co) { return co->cls == HIL_MLO_FORBIDDEN; }
static int is_locking(const struct combo *co) { return co->cls == HIL_MLO_LOCKS; }

static const struct file_spec file_specs[HIL_MLO_N_FILES] = {
	{ "mlo-supported.json",
	  "Generated by `r4hil gen-mlo` from 002's table (harness/core/mlo_cases.c); do not edit. Every supported "
	  "combination is staged and handed to the router's MLO guard: accepted (MLO-4), applied with a reboot when it "
	  "adds an MLO network or an AP on a radio of an MLO group and with wifi reload otherwise (MLO-3), and up with "
	  "no patch semaphore error.",
	  { "MLO-3", "MLO-4" }, NULL, is_supported },
	{ "mlo-forbidden.json",
	  "Generated by `r4hil gen-mlo` from 002's table (harness/core/mlo_cases.c); do not edit. Each combination the "
	  "table forbids, for every rule of the guard but the EDCCA one, is staged over a running configuration and "
	  "handed to the router's MLO guard: refused with exit 1, nothing committed, staged or restarted (MLO-2).",
	  { "MLO-2", NULL }, NULL, is_forbidden },
	{ "mlo-forbidden-edcca.json",
	  "Generated by `r4hil gen-mlo` from 002's table (harness/core/mlo_cases.c); do not edit. A second extra AP on "
	  "each radio of a running MLO AP, handed to the router's MLO guard: refused with nothing applied (MLO-2); a "
	  "wrong guard's wifi reload locks the chip, hence mlo-lock and the recovery power-off (MLO-SAFE).",
	  { "MLO-2", "MLO-SAFE" }, "mlo-lock", is_locking },
};

/* One top-level key per line; arrays of steps and expectations one element per line. */
static char *render(const char *name, const struct file_spec *fs, const struct scenario *sc)
{
	const int fl = JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return NULL;
	json_object *summary = json_object_new_string(fs->summary);
	fprintf(f, "{\n  \"format\": \"r4hil-scenario/1\",\n  \"name\": \"%s\",\n  \"summary\": %s,\n", name,
		json_object_to_json_string_ext(summary, fl));
	json_object_put(summary);
	fprintf(f, "  \"requirements\": [\"%s\"%s%s%s],\n", fs->reqs[0], fs->reqs[1] ? ", \"" : "",
		fs->reqs[1] ? fs->reqs[1] : "", fs->reqs[1] ? "\"" : "");
	if (fs->need)
		fprintf(f, "  \"needs\": [\"%s\"],\n", fs->need);
	fprintf(f, "  \"observe\": {\"period\": \"" OBSERVE_PERIOD "\"},\n");
	const struct {
		const char *key;
		json_object *arr;
	} parts[] = { { "setup", sc->setup }, { "steps", sc->steps }, { "expect", sc->expect } };
	for (size_t p = 0; p < 3; p++) {
		fprintf(f, "  \"%s\": [\n", parts[p].key);
		size_t n = json_object_array_length(parts[p].arr);
		for (size_t i = 0; i < n; i++)
			fprintf(f, "    %s%s\n", json_object_to_json_string_ext(json_object_array_get_idx(parts[p].arr, i), fl),
				i + 1 < n ? "," : "");
		fprintf(f, "  ]%s\n", p < 2 ? "," : "");
	}
	fprintf(f, "}\n");
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}

/* The scenario of one file: its cases in table order. */
static int build_file(const struct file_spec *fs, struct hil_mlo_file *out, unsigned *rules_seen, char **err)
{
	struct scenario sc = { json_object_new_array(), json_object_new_array(), json_object_new_array() };
	struct running run = { .n = 0 };
	struct combo co;
	const char *last_base = NULL;
	int ret = 0;
	if (fs->wants == is_supported) {
		json_object_array_add(sc.setup, wifi_step(NULL, "reboot", json_object_new_array(), NULL,
							  "Start from no networks at all, brought up with a reboot."));
		json_object_array_add(sc.setup, wait_step(WAIT_REBOOT));
	}
	for (size_t i = 0; ret == 0 && i < hil_mlo_n_cases; i++) {
		if ((ret = combo_load(&hil_mlo_cases[i], &co, err)) < 0 || !fs->wants(&co))
			continue;
		if (co.cls == HIL_MLO_SUPPORTED) {
			if ((ret = running_advance(&run, &co, err)) == 0)
				ret = supported_case(&sc, &co);
			continue;
		}
		*rules_seen |= 1u << co.c->rule;
		if (!last_base || strcmp(last_base, co.c->base))
			forbidden_base(&sc, &co, !last_base);
		last_base = co.c->base;
		ret = forbidden_case(&sc, &co);
	}
	if (ret == 0) {
		out->name = fs->name;
		char name[64];
		snprintf(name, sizeof(name), "%.*s", (int)(strlen(fs->name) - strlen(".json")), fs->name);
		if (!(out->text = render(name, fs, &sc)))
			ret = -ENOMEM;
	}
	json_object_put(sc.setup);
	json_object_put(sc.steps);
	json_object_put(sc.expect);
	return ret;
}

int hil_mlo_generate(struct hil_mlo_file files[HIL_MLO_N_FILES], char **err)
{
	unsigned rules_seen = 0;
	int ret = 0;
	*err = NULL;
	memset(files, 0, HIL_MLO_N_FILES * sizeof(*files));
	for (size_t i = 0; ret == 0 && i < HIL_MLO_N_FILES; i++)
		ret = build_file(&file_specs[i], &files[i], &rules_seen, err);
	for (int r = 0; ret == 0 && r < HIL_MLO_N_RULES; r++)
		if (!(rules_seen & (1u << r)))
			ret = fail(err, "no case breaks the model's rule \"%s\"", hil_mlo_rule_text[r]);
	if (ret < 0)
		hil_mlo_files_free(files);
	return ret;
}

void hil_mlo_files_free(struct hil_mlo_file files[HIL_MLO_N_FILES])
{
	for (size_t i = 0; i < HIL_MLO_N_FILES; i++) {
		free(files[i].text);
		files[i].text = NULL;
	}
}
