#include "r4hil/scenario.h"
#include "r4hil/mlo.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "r4hil/duration.h"
#include "r4hil/file.h"
#include "r4hil/healthring.h"
#include "r4hil/jsondoc.h"
#include "r4hil/requirements.h"

#define MAX_DEPTH 8
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum vtype { V_STRING, V_NAME, V_NUMBER, V_INTEGER, V_BOOL, V_OBJECT, V_ARRAY, V_DURATION };

/* One row of an object schema: @only is a bitmask of expectation kinds the key applies to (0: all). */
struct rule {
	const char *key;
	enum vtype type;
	int required;
	unsigned only;
};

struct error {
	int line, col;
	size_t seq;
	char *msg;
};

struct label {
	const char *name;
	int line;
	int in_steps;
};

struct loader {
	const char *file;
	struct hil_jsondoc *doc; /* the parsed file and where each value is */
	struct hil_jsonpos_seg path[MAX_DEPTH];
	size_t depth;
	struct error *errs;
	size_t n_errs, cap_errs;
	struct label *labels;
	size_t n_labels, cap_labels;
	const char *mlo_lock_rule; /* an act "wifi" step may lock the MT7996 (MLO-SAFE) */
	struct hil_mlo_net mlo_conf[HIL_MLO_MAX_NETS]; /* the router's networks after the steps so far */
	size_t n_mlo_conf;
	int mlo_lock_line;
	int oom;
	struct hil_scenario *s;
};

static const char *const type_names[] = {
	[V_STRING] = "a string",
	[V_NAME] = "a name of [a-z0-9-]+",
	[V_NUMBER] = "a number",
	[V_INTEGER] = "an integer",
	[V_BOOL] = "true or false",
	[V_OBJECT] = "an object",
	[V_ARRAY] = "an array",
	[V_DURATION] = "a duration like \"15s\" or \"3m30s\"",
};

/* ---- error reporting ---- */

static void push_key(struct loader *ld, const char *key)
{
	assert(ld->depth < MAX_DEPTH);
	ld->path[ld->depth++] = (struct hil_jsonpos_seg){ .key = key };
}

static void push_index(struct loader *ld, size_t index)
{
	assert(ld->depth < MAX_DEPTH);
	ld->path[ld->depth++] = (struct hil_jsonpos_seg){ .index = index };
}

static void pop(struct loader *ld)
{
	assert(ld->depth > 0);
	ld->depth--;
}

static void path_string(const struct loader *ld, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ld->depth && used < len; i++) {
		if (ld->path[i].key)
			used += snprintf(buf + used, len - used, "%s%s", i ? "." : "",
					 ld->path[i].key);
		else
			used += snprintf(buf + used, len - used, "[%zu]", ld->path[i].index);
	}
}

/* Where the current path is; a path that does not exist (a missing key) reports its parent. */
static void locate(const struct loader *ld, enum hil_jsonpos_target target, int *line, int *col)
{
	size_t depth = ld->depth;

	*line = 1;
	*col = 1;
	if (!hil_jsondoc_find(ld->doc, ld->path, depth, target, line, col))
		return;
	while (depth > 0) {
		depth--;
		if (!hil_jsondoc_find(ld->doc, ld->path, depth, HIL_JSONPOS_VALUE, line, col))
			return;
	}
}

static void add_error(struct loader *ld, int line, int col, char *msg)
{
	if (!msg) {
		ld->oom = 1;
		return;
	}
	if (ld->n_errs == ld->cap_errs) {
		size_t cap = ld->cap_errs ? ld->cap_errs * 2 : 8;
		struct error *e = realloc(ld->errs, cap * sizeof(*e));

		if (!e) {
			free(msg);
			ld->oom = 1;
			return;
		}
		ld->errs = e;
		ld->cap_errs = cap;
	}
	ld->errs[ld->n_errs] = (struct error){ line, col, ld->n_errs, msg };
	ld->n_errs++;
}

__attribute__((format(printf, 3, 4)))
static void report(struct loader *ld, enum hil_jsonpos_target target, const char *fmt, ...)
{
	char where[256], *what, *msg = NULL;
	int line, col;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&what, fmt, ap) < 0)
		what = NULL;
	va_end(ap);
	if (!what) {
		ld->oom = 1;
		return;
	}
	locate(ld, target, &line, &col);
	path_string(ld, where, sizeof(where));
	if (asprintf(&msg, "%s%s%s", where, *where ? ": " : "", what) < 0)
		msg = NULL;
	free(what);
	add_error(ld, line, col, msg);
}

/* Report about member @key of the object at the current path. */
__attribute__((format(printf, 4, 5)))
static void report_member(struct loader *ld, const char *key, enum hil_jsonpos_target target,
			  const char *fmt, ...)
{
	char *what;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&what, fmt, ap) < 0)
		what = NULL;
	va_end(ap);
	if (!what) {
		ld->oom = 1;
		return;
	}
	push_key(ld, key);
	report(ld, target, "%s", what);
	pop(ld);
	free(what);
}

/* A short quote of @v for messages: "abc", 12, an object. */
static void describe_json(struct json_object *v, char *buf, size_t len)
{
	const char *text;

	switch (json_object_get_type(v)) {
	case json_type_object:
		snprintf(buf, len, "an object");
		return;
	case json_type_array:
		snprintf(buf, len, "an array");
		return;
	default:
		break;
	}
	text = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (strlen(text) > 60)
		snprintf(buf, len, "%.57s...", text);
	else
		snprintf(buf, len, "%s", text);
}

static char *dup_str(struct loader *ld, const char *s)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		ld->oom = 1;
	return d;
}

/* ---- generic schema checking ---- */

static int is_name(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
			return 0;
	return 1;
}

static int type_ok(enum vtype type, struct json_object *v)
{
	int64_t ms;

	switch (type) {
	case V_STRING:
		return json_object_is_type(v, json_type_string);
	case V_NAME:
		return json_object_is_type(v, json_type_string) && is_name(json_object_get_string(v));
	case V_NUMBER:
		return json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double);
	case V_INTEGER:
		return json_object_is_type(v, json_type_int);
	case V_BOOL:
		return json_object_is_type(v, json_type_boolean);
	case V_OBJECT:
		return json_object_is_type(v, json_type_object);
	case V_ARRAY:
		return json_object_is_type(v, json_type_array);
	case V_DURATION:
		return json_object_is_type(v, json_type_string) &&
		       !hil_duration_parse(json_object_get_string(v), &ms);
	}
	return 0;
}

static void key_list(const struct rule *rules, size_t n, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && used < len; i++)
		used += snprintf(buf + used, len - used, "%s%s", i ? ", " : "", rules[i].key);
}

/*
 * Check @obj (at the current path) against @rules and fill @vals[i] with the
 * member of rules[i], or NULL if absent or of the wrong type (already reported).
 */
static void check_object(struct loader *ld, struct json_object *obj, const struct rule *rules,
			 size_t n, struct json_object **vals)
{
	char keys[512], got[80];

	for (size_t i = 0; i < n; i++)
		vals[i] = NULL;
	json_object_object_foreach(obj, key, v) {
		size_t i;

		for (i = 0; i < n; i++)
			if (!strcmp(rules[i].key, key))
				break;
		if (i == n) {
			key_list(rules, n, keys, sizeof(keys));
			if (n)
				report_member(ld, key, HIL_JSONPOS_KEY,
					      "unknown key \"%s\" (expected one of: %s)", key, keys);
			else
				report_member(ld, key, HIL_JSONPOS_KEY,
					      "unknown key \"%s\" (expected no keys here)", key);
			continue;
		}
		if (!type_ok(rules[i].type, v)) {
			describe_json(v, got, sizeof(got));
			/* HA states are strings: "equals": 1 is a common slip */
			report_member(ld, key, HIL_JSONPOS_VALUE, "expected %s, got %s%s",
				      type_names[rules[i].type], got,
				      !strcmp(key, "equals") && !json_object_is_type(v, json_type_string) ?
				      " (states are strings: quote the value)" : "");
			continue;
		}
		vals[i] = v;
	}
	for (size_t i = 0; i < n; i++)
		if (rules[i].required && !json_object_object_get_ex(obj, rules[i].key, NULL))
			report(ld, HIL_JSONPOS_VALUE, "missing required key \"%s\"", rules[i].key);
}

static int64_t duration_of(struct json_object *v, int64_t dflt)
{
	int64_t ms = dflt;

	if (v)
		hil_duration_parse(json_object_get_string(v), &ms);
	return ms;
}

static char *string_of(struct loader *ld, struct json_object *v)
{
	return v ? dup_str(ld, json_object_get_string(v)) : NULL;
}

/* An array of strings; each element checked with @check (NULL: any string) at its index. */
static void parse_strings(struct loader *ld, const char *key, struct json_object *arr,
			  char ***out, size_t *n,
			  int (*check)(struct loader *, const char *))
{
	size_t len;

	if (!arr)
		return;
	len = json_object_array_length(arr);
	if (!len)
		return;
	*out = calloc(len, sizeof(**out));
	if (!*out) {
		ld->oom = 1;
		return;
	}
	push_key(ld, key);
	for (size_t i = 0; i < len; i++) {
		struct json_object *v = json_object_array_get_idx(arr, i);
		char got[80];

		push_index(ld, i);
		if (!json_object_is_type(v, json_type_string)) {
			describe_json(v, got, sizeof(got));
			report(ld, HIL_JSONPOS_VALUE, "expected a string, got %s", got);
		} else if (!check || !check(ld, json_object_get_string(v))) {
			(*out)[(*n)++] = dup_str(ld, json_object_get_string(v));
		}
		pop(ld);
	}
	pop(ld);
}

/* ---- conditions and time ---- */

/* router.phase: the phases of an expect-reboot step (core/reboot.c) */
static const char *const router_builtin_subjects[] = { "ssh", "boot", "reboot", "phase" };

/* router.<x>: one the harness records, or an observe.commands name (a typo must not
 * leave a condition that can never match). */
static int check_router_subject(struct loader *ld, const char *subject)
{
	if (strncmp(subject, "router.", 7) != 0)
		return 0;
	const char *name = subject + 7;
	for (size_t i = 0; i < ARRAY_SIZE(router_builtin_subjects); i++)
		if (!strcmp(name, router_builtin_subjects[i]))
			return 0;
	for (size_t i = 0; i < ld->s->n_commands; i++)
		if (!strcmp(name, ld->s->commands[i].name))
			return 0;
	report_member(ld, "subject", HIL_JSONPOS_VALUE,
		      "unknown router subject \"%s\" (expected router.ssh, router.boot, router.reboot, "
		      "router.phase or router.<name> of an observe.commands entry)", subject);
	return -EINVAL;
}

/* ring.<field>: a field of the health ring's summary, and observe.health_ring must read one. */
static int check_ring_subject(struct loader *ld, const char *subject)
{
	if (strncmp(subject, "ring.", 5) != 0)
		return 0;
	int known = 0;
	for (size_t i = 0; hil_healthring_field_name(i); i++)
		known |= !strcmp(subject + 5, hil_healthring_field_name(i));
	if (!known) {
		report_member(ld, "subject", HIL_JSONPOS_VALUE,
			      "unknown ring subject \"%s\" (expected ring.lines, ring.malformed, "
			      "ring.storms, ring.reboots or ring.tz)", subject);
		return -EINVAL;
	}
	if (!ld->s->health_ring) {
		report_member(ld, "subject", HIL_JSONPOS_VALUE,
			      "\"%s\" needs observe.health_ring (the ring's path on the router)", subject);
		return -EINVAL;
	}
	return 0;
}

static const char *const op_keys[] = { "equals", "above", "below", "at_least", "at_most" };

/* The condition keys of @obj at the current path (types already checked by a table). */
static void parse_cond(struct loader *ld, struct json_object *obj, struct hil_cond *c)
{
	struct json_object *subject = NULL, *v;
	const char *first = NULL;
	int n_ops = 0;

	if (!json_object_object_get_ex(obj, "subject", &subject))
		report(ld, HIL_JSONPOS_VALUE, "missing required key \"subject\"");
	else if (json_object_is_type(subject, json_type_string) &&
		 check_router_subject(ld, json_object_get_string(subject)) == 0 &&
		 check_ring_subject(ld, json_object_get_string(subject)) == 0)
		c->subject = dup_str(ld, json_object_get_string(subject));
	for (size_t i = 0; i < ARRAY_SIZE(op_keys); i++) {
		if (!json_object_object_get_ex(obj, op_keys[i], &v))
			continue;
		if (n_ops++) {
			report_member(ld, op_keys[i], HIL_JSONPOS_KEY,
				      "a condition takes exactly one operator, got \"%s\" and \"%s\"",
				      first, op_keys[i]);
			continue;
		}
		first = op_keys[i];
		c->op = (enum hil_cond_op)i;
		if (i == HIL_COND_EQUALS) {
			if (json_object_is_type(v, json_type_string))
				c->text = dup_str(ld, json_object_get_string(v));
		} else {
			c->number = json_object_get_double(v);
		}
	}
	if (!n_ops)
		report(ld, HIL_JSONPOS_VALUE,
		       "missing a condition operator (expected one of: equals, above, below, at_least, at_most)");
}

static const struct label *find_label(const struct loader *ld, const char *name)
{
	for (size_t i = 0; i < ld->n_labels; i++)
		if (!strcmp(ld->labels[i].name, name))
			return &ld->labels[i];
	return NULL;
}

static int is_anchor(const struct loader *ld, const char *name, size_t len)
{
	if ((len == 5 && !strncmp(name, "start", 5)) || (len == 3 && !strncmp(name, "end", 3)))
		return 1;
	for (size_t i = 0; i < ld->n_labels; i++)
		if (ld->labels[i].in_steps && strlen(ld->labels[i].name) == len &&
		    !strncmp(ld->labels[i].name, name, len))
			return 1;
	return 0;
}

/* "start", "storm+3m30s", "storm-stop-10s": labels may contain '-', so try every split. */
static int split_timeref(const struct loader *ld, const char *text, struct hil_timeref *ref,
			 size_t *anchor_len)
{
	size_t len = strlen(text);

	if (is_anchor(ld, text, len)) {
		*anchor_len = len;
		ref->offset_ms = 0;
		return 0;
	}
	for (size_t i = len; i-- > 0;) {
		int64_t ms;

		if (text[i] != '+' && text[i] != '-')
			continue;
		if (!is_anchor(ld, text, i) || hil_duration_parse(text + i + 1, &ms))
			continue;
		*anchor_len = i;
		ref->offset_ms = text[i] == '-' ? -ms : ms;
		return 0;
	}
	return -EINVAL;
}

static void parse_timeref(struct loader *ld, struct json_object *v, struct hil_timeref *ref)
{
	const char *text = json_object_get_string(v);
	size_t alen;

	if (split_timeref(ld, text, ref, &alen)) {
		report(ld, HIL_JSONPOS_VALUE,
		       "expected a time reference: \"start\", \"end\" or the label of a step in steps, "
		       "optionally +/- a duration (e.g. \"storm+3m30s\"), got \"%s\"", text);
		return;
	}
	ref->anchor = strndup(text, alen);
	if (!ref->anchor)
		ld->oom = 1;
}

enum { WIN_FROM, WIN_TO, WIN_FOR, __WIN_MAX };

static const struct rule window_rules[__WIN_MAX] = {
	[WIN_FROM] = { "from", V_STRING, 0, 0 },
	[WIN_TO] = { "to", V_STRING, 0, 0 },
	[WIN_FOR] = { "for", V_DURATION, 0, 0 },
};

static void parse_window(struct loader *ld, struct json_object *obj, struct hil_window *w)
{
	struct json_object *vals[__WIN_MAX] = { 0 };

	if (obj)
		check_object(ld, obj, window_rules, __WIN_MAX, vals);
	if (vals[WIN_FROM]) {
		push_key(ld, "from");
		parse_timeref(ld, vals[WIN_FROM], &w->from);
		pop(ld);
	} else {
		w->from.anchor = dup_str(ld, "start");
	}
	if (obj && json_object_object_get_ex(obj, "to", NULL) &&
	    json_object_object_get_ex(obj, "for", NULL)) {
		report_member(ld, "for", HIL_JSONPOS_KEY,
			      "a window takes either \"to\" or \"for\", not both");
		return;
	}
	if (vals[WIN_TO]) {
		push_key(ld, "to");
		parse_timeref(ld, vals[WIN_TO], &w->to);
		pop(ld);
		w->has_to = 1;
	} else if (vals[WIN_FOR]) {
		w->for_ms = duration_of(vals[WIN_FOR], 0);
		w->has_for = 1;
	}
}

/* ---- steps ---- */

static void check_storm(struct loader *ld, struct json_object **vals);
static void check_plug(struct loader *ld, struct json_object **vals);
static void check_page_pool(struct loader *ld, struct json_object **vals);
static int has_need(const struct hil_scenario *s, const char *need);
static void check_ssh(struct loader *ld, struct json_object **vals);
static void check_flash(struct loader *ld, struct json_object **vals);
static void check_onu_wedge(struct loader *ld, struct json_object **vals);

enum { STORM_RATE, STORM_CARRIER, STORM_DURATION, STORM_CLEARED_BY, __STORM_MAX };

static const struct rule storm_rules[__STORM_MAX] = {
	[STORM_RATE] = { "rate_per_s", V_NUMBER, 1, 0 },
	[STORM_CARRIER] = { "carrier", V_INTEGER, 1, 0 },
	[STORM_DURATION] = { "duration", V_DURATION, 0, 0 },
	[STORM_CLEARED_BY] = { "cleared_by", V_STRING, 0, 0 },
};

enum { WEDGE_STATE, WEDGE_CLEARED_BY, __WEDGE_MAX };

static const struct rule onu_wedge_rules[__WEDGE_MAX] = {
	[WEDGE_STATE] = { "state", V_INTEGER, 0, 0 },
	[WEDGE_CLEARED_BY] = { "cleared_by", V_STRING, 0, 0 },
};

enum { PLUG_ON, __PLUG_MAX };

static const struct rule plug_rules[__PLUG_MAX] = {
	[PLUG_ON] = { "on", V_BOOL, 1, 0 },
};

enum { SSH_COMMAND, SSH_EXPECT_STATUS, SSH_MAY_DISCONNECT, __SSH_MAX };

static const struct rule ssh_rules[__SSH_MAX] = {
	[SSH_COMMAND] = { "command", V_STRING, 1, 0 },
	[SSH_EXPECT_STATUS] = { "expect_status", V_INTEGER, 0, 0 },
	[SSH_MAY_DISCONNECT] = { "may_disconnect", V_BOOL, 0, 0 },
};

enum { FLASH_IMAGE, FLASH_KEEP_SETTINGS, __FLASH_MAX };

static const struct rule flash_rules[__FLASH_MAX] = {
	[FLASH_IMAGE] = { "image", V_STRING, 1, 0 },
	[FLASH_KEEP_SETTINGS] = { "keep_settings", V_BOOL, 0, 0 },
};

enum { PP_FORMAT, PP_INFLIGHT, PP_ID, PP_AGE, __PP_MAX };

static const struct rule page_pool_rules[__PP_MAX] = {
	[PP_FORMAT] = { "format", V_STRING, 0, 0 },
	[PP_INFLIGHT] = { "inflight", V_INTEGER, 0, 0 },
	[PP_ID] = { "id", V_INTEGER, 0, 0 },
	[PP_AGE] = { "age_s", V_INTEGER, 0, 0 },
};

enum { OVERLAP_ON, __OVERLAP_MAX };

static const struct rule overlap_rules[__OVERLAP_MAX] = {
	[OVERLAP_ON] = { "on", V_BOOL, 0, 0 },
};

enum { PERST_WIDTH, __PERST_MAX };

static const struct rule perst_rules[__PERST_MAX] = {
	[PERST_WIDTH] = { "width_ms", V_NUMBER, 1, 0 },
};

enum { TRAFFIC_MBPS, TRAFFIC_DURATION, __TRAFFIC_MAX };

static const struct rule traffic_rules[__TRAFFIC_MAX] = {
	[TRAFFIC_MBPS] = { "mbps", V_NUMBER, 1, 0 },
	[TRAFFIC_DURATION] = { "duration", V_DURATION, 0, 0 },
};

enum { UNDETECTED_ON, __UNDETECTED_MAX };

static const struct rule undetected_rules[__UNDETECTED_MAX] = {
	[UNDETECTED_ON] = { "on", V_BOOL, 1, 0 },
};

enum { PRESSURE_MB, PRESSURE_VICTIM, PRESSURE_KILLS, __PRESSURE_MAX };

static const struct rule pressure_rules[__PRESSURE_MAX] = {
	[PRESSURE_MB] = { "mb", V_INTEGER, 1, 0 },
	[PRESSURE_VICTIM] = { "victim", V_STRING, 0, 0 },
	[PRESSURE_KILLS] = { "kills", V_INTEGER, 0, 0 },
};

enum { WIFI_BASE, WIFI_ADD, WIFI_APPLY, __WIFI_MAX };

static const struct rule wifi_rules[__WIFI_MAX] = {
	[WIFI_BASE] = { "base", V_ARRAY, 0, 0 },
	[WIFI_ADD] = { "add", V_ARRAY, 0, 0 },
	[WIFI_APPLY] = { "apply", V_STRING, 1, 0 },
};

static void check_positive(struct loader *ld, struct json_object **vals);
static void check_pressure(struct loader *ld, struct json_object **vals);

/* lab.fault: a lab failure on purpose (fake lab only), for the harness's own robustness. */
enum { FAULT_TARGET, FAULT_MODE, __FAULT_MAX };

static const struct rule fault_rules[__FAULT_MAX] = {
	[FAULT_TARGET] = { "target", V_STRING, 1, 0 },
	[FAULT_MODE] = { "mode", V_STRING, 1, 0 },
};

static void check_fault(struct loader *ld, struct json_object **vals);

/* expect-reboot: the board goes down and comes back within a deadline (core/reboot.c). */
static const struct rule reboot_rules[2] = {
	{ "within", V_DURATION, 1, 0 },
	{ "ready_command", V_STRING, 0, 0 },
};

/* The network slice's injections (fakes/world/wan.c, sfp.c, services.c). */
static void check_sfp_wedge(struct loader *ld, struct json_object **vals);

enum { OUTAGE_DURATION, __OUTAGE_MAX };

static const struct rule outage_rules[__OUTAGE_MAX] = {
	[OUTAGE_DURATION] = { "duration", V_DURATION, 0, 0 },
};

static const struct rule delay_rules[__OUTAGE_MAX] = {
	[OUTAGE_DURATION] = { "duration", V_DURATION, 1, 0 },
};

enum { DROPS_RATE, __DROPS_MAX };

static const struct rule drops_rules[__DROPS_MAX] = {
	[DROPS_RATE] = { "rate_per_s", V_INTEGER, 1, 0 },
};

enum { KILL_RESPAWN, __KILL_MAX };

static const struct rule kill_rules[__KILL_MAX] = {
	[KILL_RESPAWN] = { "respawn", V_BOOL, 0, 0 },
};

enum { SFP_WEDGE_CLEARS_AT, __SFP_WEDGE_MAX };

static const struct rule sfp_wedge_rules[__SFP_WEDGE_MAX] = {
	[SFP_WEDGE_CLEARS_AT] = { "clears_at", V_STRING, 1, 0 },
};

#define MAX_PARAMS 4

static const struct action {
	enum hil_step_kind kind;
	const char *name;
	const struct rule *rules;
	size_t n_rules;
	void (*check)(struct loader *ld, struct json_object **vals);
} actions[] = {
	{ HIL_STEP_INJECT, "sfp.storm", storm_rules, __STORM_MAX, check_storm },
	{ HIL_STEP_INJECT, "sfp.storm-stop", NULL, 0, NULL },
	{ HIL_STEP_INJECT, "wifi.perst", perst_rules, __PERST_MAX, check_positive },
	{ HIL_STEP_INJECT, "wifi.traffic", traffic_rules, __TRAFFIC_MAX, check_positive },
	{ HIL_STEP_INJECT, "wifi.cold-undetected", undetected_rules, __UNDETECTED_MAX, NULL },
	{ HIL_STEP_INJECT, "mem.pressure", pressure_rules, __PRESSURE_MAX, check_pressure },
	{ HIL_STEP_ACT, "wifi", wifi_rules, __WIFI_MAX, NULL },
	{ HIL_STEP_INJECT, "onu.wedge", onu_wedge_rules, __WEDGE_MAX, check_onu_wedge },
	{ HIL_STEP_INJECT, "reach.lan-wedge", NULL, 0, NULL },
	{ HIL_STEP_INJECT, "lab.fault", fault_rules, __FAULT_MAX, check_fault },
	{ HIL_STEP_ACT, "expect-reboot", reboot_rules, 2, NULL },
	{ HIL_STEP_INJECT, "sfp.wedge", sfp_wedge_rules, __SFP_WEDGE_MAX, check_sfp_wedge },
	{ HIL_STEP_INJECT, "sfp.wedge-stop", NULL, 0, NULL },
	{ HIL_STEP_INJECT, "sfp.lan-zero-traffic", NULL, 0, NULL },
	{ HIL_STEP_INJECT, "sfp.lan-zero-traffic-stop", NULL, 0, NULL },
	{ HIL_STEP_INJECT, "wan.lcp-timeout", outage_rules, __OUTAGE_MAX, NULL },
	{ HIL_STEP_INJECT, "wan.pppoe-delay", delay_rules, __OUTAGE_MAX, NULL },
	{ HIL_STEP_INJECT, "wan.softnet-drops", drops_rules, __DROPS_MAX, NULL },
	{ HIL_STEP_INJECT, "services.haproxy-kill", kill_rules, __KILL_MAX, NULL },
	{ HIL_STEP_INJECT, "services.dnsmasq-kill", kill_rules, __KILL_MAX, NULL },
	{ HIL_STEP_INJECT, "kernel.hang", NULL, 0, NULL },
	{ HIL_STEP_INJECT, "kernel.page-pool-stall", page_pool_rules, __PP_MAX, check_page_pool },
	{ HIL_STEP_INJECT, "kernel.page-pool-recover", NULL, 0, NULL },
	{ HIL_STEP_INJECT, "kernel.ramoops-overlap", overlap_rules, __OVERLAP_MAX, NULL },
	{ HIL_STEP_ACT, "plug", plug_rules, __PLUG_MAX, check_plug },
	{ HIL_STEP_ACT, "ssh", ssh_rules, __SSH_MAX, check_ssh },
	{ HIL_STEP_ACT, "flash", flash_rules, __FLASH_MAX, check_flash },
};

static void check_storm(struct loader *ld, struct json_object **vals)
{
	const char *by;

	if (vals[STORM_RATE] && !(json_object_get_double(vals[STORM_RATE]) > 0))
		report_member(ld, "rate_per_s", HIL_JSONPOS_VALUE,
			      "expected a number > 0, got %s",
			      json_object_to_json_string_ext(vals[STORM_RATE], JSON_C_TO_STRING_PLAIN));
	if (vals[STORM_CARRIER]) {
		int64_t c = json_object_get_int64(vals[STORM_CARRIER]);

		if (c != 0 && c != 1)
			report_member(ld, "carrier", HIL_JSONPOS_VALUE,
				      "expected 0 or 1, got %lld", (long long)c);
	}
	if (vals[STORM_CLEARED_BY]) {
		by = json_object_get_string(vals[STORM_CLEARED_BY]);
		if (strcmp(by, "onu-power") && strcmp(by, "reboot"))
			report_member(ld, "cleared_by", HIL_JSONPOS_VALUE,
				      "expected \"onu-power\" or \"reboot\", got \"%s\"", by);
	}
}

static void check_page_pool(struct loader *ld, struct json_object **vals)
{
	if (vals[PP_FORMAT] && strcmp(json_object_get_string(vals[PP_FORMAT]), "id") &&
	    strcmp(json_object_get_string(vals[PP_FORMAT]), "old"))
		report_member(ld, "format", HIL_JSONPOS_VALUE, "expected \"id\" or \"old\", got \"%s\"",
			      json_object_get_string(vals[PP_FORMAT]));
	for (int i = PP_INFLIGHT; i <= PP_AGE; i++)
		if (vals[i] && json_object_get_int64(vals[i]) < (i == PP_ID ? 0 : 1))
			report_member(ld, page_pool_rules[i].key, HIL_JSONPOS_VALUE, "expected an integer >= %d",
				      i == PP_ID ? 0 : 1);
}

static void check_onu_wedge(struct loader *ld, struct json_object **vals)
{
	if (vals[WEDGE_STATE]) {
		int64_t st = json_object_get_int64(vals[WEDGE_STATE]);

		if (st < 10 || st > 50)
			report_member(ld, "state", HIL_JSONPOS_VALUE,
				      "expected a PLOAM state short of O5 (10..50), got %lld", (long long)st);
	}
	if (vals[WEDGE_CLEARED_BY]) {
		const char *by = json_object_get_string(vals[WEDGE_CLEARED_BY]);

		if (strcmp(by, "soft") && strcmp(by, "power"))
			report_member(ld, "cleared_by", HIL_JSONPOS_VALUE,
				      "expected \"soft\" or \"power\", got \"%s\"", by);
	}
}

static void check_fault(struct loader *ld, struct json_object **vals)
{
	static const char *const modes[][5] = {
		{ "plug", "fail", "stuck", "slow", "ok" }, { "ssh", "drop", "ok", NULL, NULL },
		{ "ha", "refuse-token", "slow", "ok", NULL },
	};
	if (!vals[FAULT_TARGET] || !vals[FAULT_MODE])
		return;
	const char *target = json_object_get_string(vals[FAULT_TARGET]);
	const char *mode = json_object_get_string(vals[FAULT_MODE]);
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++) {
		if (strcmp(modes[i][0], target))
			continue;
		char expected[64] = "";
		for (size_t j = 1; j < 5 && modes[i][j]; j++) {
			if (!strcmp(modes[i][j], mode))
				return;
			snprintf(expected + strlen(expected), sizeof(expected) - strlen(expected), "%s%s",
				 j > 1 ? "|" : "", modes[i][j]);
		}
		report_member(ld, "mode", HIL_JSONPOS_VALUE, "expected %s for target \"%s\", got \"%s\"",
			      expected, target, mode);
		return;
	}
	report_member(ld, "target", HIL_JSONPOS_VALUE, "expected \"plug\", \"ssh\" or \"ha\", got \"%s\"", target);
}

static void check_sfp_wedge(struct loader *ld, struct json_object **vals)
{
	static const char *const kinds[] = { "link", "ifup", "rebind", "none" };
	const char *kind;

	if (!vals[SFP_WEDGE_CLEARS_AT])
		return;
	kind = json_object_get_string(vals[SFP_WEDGE_CLEARS_AT]);
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kind, kinds[i]))
			return;
	report_member(ld, "clears_at", HIL_JSONPOS_VALUE,
		      "expected \"link\", \"ifup\", \"rebind\" or \"none\", got \"%s\"", kind);
}

/* Cutting the power is what a lab must allow first (lab file "permits"). */
static void check_plug(struct loader *ld, struct json_object **vals)
{
	if (vals[PLUG_ON] && !json_object_get_boolean(vals[PLUG_ON]) && !has_need(ld->s, "power"))
		report_member(ld, "on", HIL_JSONPOS_VALUE,
			      "switching the plug off cuts the router's power: the scenario needs [\"power\"]");
}

/* wifi.perst width_ms, wifi.traffic mbps: the first parameter is a number > 0. */
static void check_positive(struct loader *ld, struct json_object **vals)
{
	if (vals[0] && !(json_object_get_double(vals[0]) > 0))
		report(ld, HIL_JSONPOS_VALUE, "expected a number > 0, got %s",
		       json_object_to_json_string_ext(vals[0], JSON_C_TO_STRING_PLAIN));
}

static void check_pressure(struct loader *ld, struct json_object **vals)
{
	static const char *const victims[] = { "hostapd", "dnsmasq", "uhttpd" };
	const char *v = vals[PRESSURE_VICTIM] ? json_object_get_string(vals[PRESSURE_VICTIM]) : NULL;
	int known = !v;

	for (size_t i = 0; v && i < ARRAY_SIZE(victims); i++)
		known |= !strcmp(v, victims[i]);
	if (!known)
		report_member(ld, "victim", HIL_JSONPOS_VALUE,
			      "expected \"hostapd\", \"dnsmasq\" or \"uhttpd\", got \"%s\"", v);
	if (vals[PRESSURE_MB] && json_object_get_int64(vals[PRESSURE_MB]) <= 0)
		report_member(ld, "mb", HIL_JSONPOS_VALUE, "expected an integer > 0");
	if (vals[PRESSURE_KILLS] && (json_object_get_int64(vals[PRESSURE_KILLS]) < 1 ||
				     json_object_get_int64(vals[PRESSURE_KILLS]) > 8))
		report_member(ld, "kills", HIL_JSONPOS_VALUE, "expected 1 to 8");
}

/*
 * act "wifi" (MLO-SAFE): classify the configuration with the harness's own model of
 * 002's table, remember a step that may lock the chip, and build the router command
 * into params.command (the engine runs it over SSH like an "ssh" act).
 */
static void check_wifi(struct loader *ld, struct json_object **vals, struct hil_step *st)
{
	struct hil_mlo_net nets[HIL_MLO_MAX_NETS];
	size_t n_base = 0, n = 0, n_prev = 0;
	const char *why = NULL, *rule = NULL;
	const char *apply = vals[WIFI_APPLY] ? json_object_get_string(vals[WIFI_APPLY]) : "";

	if (strcmp(apply, "guard") && strcmp(apply, "reload") && strcmp(apply, "reboot") && strcmp(apply, "stage"))
		report_member(ld, "apply", HIL_JSONPOS_VALUE,
			      "expected \"guard\", \"reload\", \"reboot\" or \"stage\", got \"%s\"", apply);
	if (vals[WIFI_BASE] && hil_mlo_nets_parse(vals[WIFI_BASE], nets, &n, &why) < 0) {
		report_member(ld, "base", HIL_JSONPOS_VALUE, "%s", why);
		return;
	}
	n_base = n;
	if (vals[WIFI_BASE] && hil_mlo_classify(nets, n_base, &rule) != HIL_MLO_SUPPORTED) {
		report_member(ld, "base", HIL_JSONPOS_VALUE,
			      "the base configuration must be supported by 002's table, not \"%s\"", rule);
		return;
	}
	if (!vals[WIFI_BASE]) {
		/* no base: the networks earlier steps left on the router */
		memcpy(nets, ld->mlo_conf, ld->n_mlo_conf * sizeof(*nets));
		n = n_prev = ld->n_mlo_conf;
	}
	if (vals[WIFI_ADD] && hil_mlo_nets_parse(vals[WIFI_ADD], nets, &n, &why) < 0) {
		report_member(ld, "add", HIL_JSONPOS_VALUE, "%s", why);
		return;
	}
	/* what the router runs afterwards: a guard refuses what the model forbids */
	if (vals[WIFI_BASE] || strcmp(apply, "guard") || hil_mlo_classify(nets, n, &rule) == HIL_MLO_SUPPORTED) {
		memcpy(ld->mlo_conf, nets, n * sizeof(*nets));
		ld->n_mlo_conf = n;
	}
	/* a guard is the system under test: if it is wrong, it applies with wifi reload */
	if ((!strcmp(apply, "guard") || !strcmp(apply, "reload")) &&
	    hil_mlo_classify(nets, n, &rule) == HIL_MLO_LOCKS && !ld->mlo_lock_rule) {
		int col;
		ld->mlo_lock_rule = rule;
		locate(ld, HIL_JSONPOS_VALUE, &ld->mlo_lock_line, &col);
	}
	size_t first_add = vals[WIFI_BASE] ? n_base : n_prev;
	char *cmd = hil_mlo_command(nets, vals[WIFI_BASE] ? (int)n_base : -1, nets + first_add, n - first_add, apply);
	if (!cmd) {
		ld->oom = 1;
		return;
	}
	json_object_object_add(st->params, "command", json_object_new_string(cmd));
	free(cmd);
}

static void check_ssh(struct loader *ld, struct json_object **vals)
{
	if (vals[SSH_COMMAND] && !*json_object_get_string(vals[SSH_COMMAND]))
		report_member(ld, "command", HIL_JSONPOS_VALUE, "expected a non-empty command");
}

/* The image must be readable now (nothing runs on a bad file), and flashing must be permitted. */
static void check_flash(struct loader *ld, struct json_object **vals)
{
	if (!has_need(ld->s, "flash"))
		report(ld, HIL_JSONPOS_KEY, "act \"flash\" writes the router's flash: the scenario needs [\"flash\"]");
	if (!vals[FLASH_IMAGE])
		return;
	char *path = hil_scenario_path_of(ld->s, json_object_get_string(vals[FLASH_IMAGE]));
	if (!path) {
		ld->oom = 1;
		return;
	}
	if (access(path, R_OK) < 0)
		report_member(ld, "image", HIL_JSONPOS_VALUE, "cannot read \"%s\": %s", path, strerror(errno));
	free(path);
}

enum { STEP_LABEL, STEP_NOTE, STEP_WAIT, STEP_ALIGN, STEP_OFFSET, STEP_INJECT, STEP_ACT,
       STEP_PARAMS, __STEP_MAX };

static const struct rule step_rules[__STEP_MAX] = {
	[STEP_LABEL] = { "label", V_NAME, 0, 0 },
	[STEP_NOTE] = { "note", V_STRING, 0, 0 },
	[STEP_WAIT] = { "wait", V_DURATION, 0, 0 },
	[STEP_ALIGN] = { "align", V_DURATION, 0, 0 },
	[STEP_OFFSET] = { "offset", V_DURATION, 0, 0 },
	[STEP_INJECT] = { "inject", V_STRING, 0, 0 },
	[STEP_ACT] = { "act", V_STRING, 0, 0 },
	[STEP_PARAMS] = { "params", V_OBJECT, 0, 0 },
};

static const int action_keys[] = { STEP_WAIT, STEP_ALIGN, STEP_INJECT, STEP_ACT };

static void add_label(struct loader *ld, const char *name, int line, int in_steps)
{
	const struct label *prev = find_label(ld, name);

	if (prev) {
		report_member(ld, "label", HIL_JSONPOS_VALUE,
			      "duplicate label \"%s\" (first used on line %d)", name, prev->line);
		return;
	}
	if (ld->n_labels == ld->cap_labels) {
		size_t cap = ld->cap_labels ? ld->cap_labels * 2 : 8;
		struct label *l = realloc(ld->labels, cap * sizeof(*l));

		if (!l) {
			ld->oom = 1;
			return;
		}
		ld->labels = l;
		ld->cap_labels = cap;
	}
	ld->labels[ld->n_labels++] = (struct label){ name, line, in_steps };
}

static void parse_params(struct loader *ld, struct hil_step *st, struct json_object *step_obj,
			 struct json_object *kind_val, const char *what)
{
	const char *name = json_object_get_string(kind_val);
	struct json_object *params = NULL, *vals[MAX_PARAMS];
	const struct action *a = NULL;
	char names[1024];
	size_t used = 0;

	names[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(actions); i++) {
		if (actions[i].kind != st->kind)
			continue;
		if (!strcmp(actions[i].name, name))
			a = &actions[i];
		if (used < sizeof(names))
			used += snprintf(names + used, sizeof(names) - used, "%s%s",
					 used ? ", " : "", actions[i].name);
	}
	st->name = dup_str(ld, name);
	json_object_object_get_ex(step_obj, "params", &params);
	if (!a) {
		report_member(ld, what, HIL_JSONPOS_VALUE, "unknown %s \"%s\" (expected one of: %s)",
			      what, name, names);
		return;
	}
	if (params && !json_object_is_type(params, json_type_object))
		return;
	push_key(ld, "params");
	if (params) {
		check_object(ld, params, a->rules, a->n_rules, vals);
	} else {
		for (size_t i = 0; i < a->n_rules; i++)
			if (a->rules[i].required)
				report(ld, HIL_JSONPOS_VALUE,
				       "missing required key \"%s\" for %s \"%s\"",
				       a->rules[i].key, what, name);
	}
	if (params && a->check)
		a->check(ld, vals);
	if (params && a->kind == HIL_STEP_ACT && !strcmp(a->name, "wifi"))
		check_wifi(ld, vals, st);
	pop(ld);
}

static void parse_step(struct loader *ld, struct json_object *obj, struct hil_step *st, int in_steps)
{
	struct json_object *vals[__STEP_MAX];
	const char *present[ARRAY_SIZE(action_keys)];
	size_t n_present = 0;
	int line, col;

	locate(ld, HIL_JSONPOS_VALUE, &line, &col);
	st->line = line;
	check_object(ld, obj, step_rules, __STEP_MAX, vals);
	st->label = string_of(ld, vals[STEP_LABEL]);
	st->note = string_of(ld, vals[STEP_NOTE]);
	if (st->label)
		add_label(ld, st->label, line, in_steps);
	if (vals[STEP_PARAMS])
		st->params = json_object_get(vals[STEP_PARAMS]);
	else
		st->params = json_object_new_object();
	if (!st->params)
		ld->oom = 1;

	for (size_t i = 0; i < ARRAY_SIZE(action_keys); i++)
		if (json_object_object_get_ex(obj, step_rules[action_keys[i]].key, NULL))
			present[n_present++] = step_rules[action_keys[i]].key;
	if (n_present == 0) {
		report(ld, HIL_JSONPOS_VALUE,
		       "a step needs exactly one of \"wait\", \"align\", \"inject\", \"act\", got none");
		return;
	}
	if (n_present > 1) {
		report_member(ld, present[1], HIL_JSONPOS_KEY,
			      "a step needs exactly one of \"wait\", \"align\", \"inject\", \"act\", got \"%s\" and \"%s\"",
			      present[0], present[1]);
		return;
	}
	if (json_object_object_get_ex(obj, "offset", NULL) &&
	    !json_object_object_get_ex(obj, "align", NULL))
		report_member(ld, "offset", HIL_JSONPOS_KEY, "\"offset\" only applies to an \"align\" step");
	if (json_object_object_get_ex(obj, "params", NULL) &&
	    !json_object_object_get_ex(obj, "inject", NULL) &&
	    !json_object_object_get_ex(obj, "act", NULL))
		report_member(ld, "params", HIL_JSONPOS_KEY,
			      "\"params\" only applies to an \"inject\" or \"act\" step");

	if (json_object_object_get_ex(obj, "wait", NULL)) {
		st->kind = HIL_STEP_WAIT;
		st->duration_ms = duration_of(vals[STEP_WAIT], 0);
	} else if (json_object_object_get_ex(obj, "align", NULL)) {
		st->kind = HIL_STEP_ALIGN;
		st->duration_ms = duration_of(vals[STEP_ALIGN], 0);
		st->offset_ms = duration_of(vals[STEP_OFFSET], 0);
		if (vals[STEP_ALIGN] && st->duration_ms <= 0)
			report_member(ld, "align", HIL_JSONPOS_VALUE,
				      "expected a period > 0, got \"%s\"",
				      json_object_get_string(vals[STEP_ALIGN]));
	} else if (vals[STEP_INJECT]) {
		st->kind = HIL_STEP_INJECT;
		parse_params(ld, st, obj, vals[STEP_INJECT], "inject");
	} else if (vals[STEP_ACT]) {
		st->kind = HIL_STEP_ACT;
		parse_params(ld, st, obj, vals[STEP_ACT], "act");
	}
}

static void parse_steps(struct loader *ld, const char *key, struct json_object *arr,
			struct hil_step **out, size_t *n, int in_steps)
{
	size_t len;

	if (!arr || !(len = json_object_array_length(arr)))
		return;
	*out = calloc(len, sizeof(**out));
	if (!*out) {
		ld->oom = 1;
		return;
	}
	*n = len;
	push_key(ld, key);
	for (size_t i = 0; i < len; i++) {
		struct json_object *v = json_object_array_get_idx(arr, i);
		char got[80];

		push_index(ld, i);
		if (json_object_is_type(v, json_type_object)) {
			parse_step(ld, v, &(*out)[i], in_steps);
		} else {
			describe_json(v, got, sizeof(got));
			report(ld, HIL_JSONPOS_VALUE, "expected a step object, got %s", got);
			(*out)[i].params = json_object_new_object();
		}
		pop(ld);
	}
	pop(ld);
}

/* ---- expectations ---- */

#define KIND(k) (1u << (k))
#define COND_KINDS (KIND(HIL_EXPECT_VALUE) | KIND(HIL_EXPECT_EVENT) | KIND(HIL_EXPECT_NEVER) | \
		    KIND(HIL_EXPECT_SUSTAINED))
#define BOUND_KINDS (KIND(HIL_EXPECT_SUSTAINED) | KIND(HIL_EXPECT_RECOVERY))

enum { EXP_ID, EXP_REQUIREMENT, EXP_KIND, EXP_WINDOW, EXP_WHY, EXP_SUBJECT, EXP_EQUALS, EXP_ABOVE,
       EXP_BELOW, EXP_AT_LEAST, EXP_AT_MOST, EXP_MIN, EXP_MAX, EXP_FROM, EXP_TO, __EXP_MAX };

static const struct rule expect_rules[__EXP_MAX] = {
	[EXP_ID] = { "id", V_NAME, 1, 0 },
	[EXP_REQUIREMENT] = { "requirement", V_STRING, 1, 0 },
	[EXP_KIND] = { "kind", V_STRING, 1, 0 },
	[EXP_WINDOW] = { "window", V_OBJECT, 0, 0 },
	[EXP_WHY] = { "why", V_STRING, 0, 0 },
	[EXP_SUBJECT] = { "subject", V_STRING, 0, COND_KINDS },
	[EXP_EQUALS] = { "equals", V_STRING, 0, COND_KINDS },
	[EXP_ABOVE] = { "above", V_NUMBER, 0, COND_KINDS },
	[EXP_BELOW] = { "below", V_NUMBER, 0, COND_KINDS },
	[EXP_AT_LEAST] = { "at_least", V_NUMBER, 0, COND_KINDS },
	[EXP_AT_MOST] = { "at_most", V_NUMBER, 0, COND_KINDS },
	[EXP_MIN] = { "min", V_DURATION, 0, BOUND_KINDS },
	[EXP_MAX] = { "max", V_DURATION, 0, BOUND_KINDS },
	[EXP_FROM] = { "from", V_OBJECT, 0, KIND(HIL_EXPECT_RECOVERY) },
	[EXP_TO] = { "to", V_OBJECT, 0, KIND(HIL_EXPECT_RECOVERY) },
};

enum { COND_SUBJECT, COND_EQUALS, COND_ABOVE, COND_BELOW, COND_AT_LEAST, COND_AT_MOST, __COND_MAX };

static const struct rule cond_rules[__COND_MAX] = {
	[COND_SUBJECT] = { "subject", V_STRING, 0, 0 },
	[COND_EQUALS] = { "equals", V_STRING, 0, 0 },
	[COND_ABOVE] = { "above", V_NUMBER, 0, 0 },
	[COND_BELOW] = { "below", V_NUMBER, 0, 0 },
	[COND_AT_LEAST] = { "at_least", V_NUMBER, 0, 0 },
	[COND_AT_MOST] = { "at_most", V_NUMBER, 0, 0 },
};

static const char *const kind_keys[] = {
	[HIL_EXPECT_VALUE] = "value",
	[HIL_EXPECT_EVENT] = "event",
	[HIL_EXPECT_NEVER] = "never",
	[HIL_EXPECT_SUSTAINED] = "sustained",
	[HIL_EXPECT_RECOVERY] = "recovery",
};

static int has_requirement(const struct hil_scenario *s, const char *id)
{
	for (size_t i = 0; i < s->n_requirements; i++)
		if (!strcmp(s->requirements[i], id))
			return 1;
	return 0;
}

static void requirement_list(const struct hil_scenario *s, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < s->n_requirements && used < len; i++)
		used += snprintf(buf + used, len - used, "%s%s", i ? ", " : "", s->requirements[i]);
}

static void parse_sub_cond(struct loader *ld, const char *key, struct json_object *obj,
			   struct hil_cond *c)
{
	struct json_object *vals[__COND_MAX];

	push_key(ld, key);
	check_object(ld, obj, cond_rules, __COND_MAX, vals);
	parse_cond(ld, obj, c);
	pop(ld);
}

static void parse_expect(struct loader *ld, struct json_object *obj, struct hil_expect *e,
			 size_t index)
{
	struct json_object *vals[__EXP_MAX];
	const char *kind;
	char list[256];
	size_t k;
	int line, col;

	locate(ld, HIL_JSONPOS_VALUE, &line, &col);
	e->line = line;
	check_object(ld, obj, expect_rules, __EXP_MAX, vals);
	e->id = string_of(ld, vals[EXP_ID]);
	e->requirement = string_of(ld, vals[EXP_REQUIREMENT]);
	e->why = string_of(ld, vals[EXP_WHY]);
	if (e->id) {
		for (size_t i = 0; i < index; i++) {
			if (ld->s->expects[i].id && !strcmp(ld->s->expects[i].id, e->id)) {
				report_member(ld, "id", HIL_JSONPOS_VALUE,
					      "duplicate expectation id \"%s\" (first used on line %d)",
					      e->id, ld->s->expects[i].line);
				break;
			}
		}
	}
	if (e->requirement && !has_requirement(ld->s, e->requirement)) {
		requirement_list(ld->s, list, sizeof(list));
		report_member(ld, "requirement", HIL_JSONPOS_VALUE,
			      "requirement \"%s\" is not in this scenario's requirements (%s)",
			      e->requirement, list);
	}
	push_key(ld, "window");
	parse_window(ld, vals[EXP_WINDOW], &e->window);
	pop(ld);

	if (!vals[EXP_KIND])
		return;
	kind = json_object_get_string(vals[EXP_KIND]);
	for (k = 0; k < ARRAY_SIZE(kind_keys); k++)
		if (!strcmp(kind_keys[k], kind))
			break;
	if (k == ARRAY_SIZE(kind_keys)) {
		report_member(ld, "kind", HIL_JSONPOS_VALUE,
			      "unknown kind \"%s\" (expected one of: value, event, never, sustained, recovery)",
			      kind);
		return;
	}
	e->kind = (enum hil_expect_kind)k;
	for (size_t i = 0; i < __EXP_MAX; i++)
		if (expect_rules[i].only && !(expect_rules[i].only & KIND(k)) &&
		    json_object_object_get_ex(obj, expect_rules[i].key, NULL))
			report_member(ld, expect_rules[i].key, HIL_JSONPOS_KEY,
				      "key \"%s\" does not apply to kind \"%s\"",
				      expect_rules[i].key, kind);

	if (e->kind != HIL_EXPECT_RECOVERY)
		parse_cond(ld, obj, &e->cond);
	e->has_min = vals[EXP_MIN] != NULL;
	e->has_max = vals[EXP_MAX] != NULL;
	e->min_ms = duration_of(vals[EXP_MIN], 0);
	e->max_ms = duration_of(vals[EXP_MAX], 0);
	if (e->kind == HIL_EXPECT_SUSTAINED && !json_object_object_get_ex(obj, "min", NULL))
		report(ld, HIL_JSONPOS_VALUE, "missing required key \"min\" for kind \"sustained\"");
	if (e->kind == HIL_EXPECT_RECOVERY) {
		static const char *const need[] = { "from", "to", "max" };

		for (size_t i = 0; i < ARRAY_SIZE(need); i++)
			if (!json_object_object_get_ex(obj, need[i], NULL))
				report(ld, HIL_JSONPOS_VALUE,
				       "missing required key \"%s\" for kind \"recovery\"", need[i]);
		if (vals[EXP_FROM])
			parse_sub_cond(ld, "from", vals[EXP_FROM], &e->from);
		if (vals[EXP_TO])
			parse_sub_cond(ld, "to", vals[EXP_TO], &e->to);
	}
	if ((k == HIL_EXPECT_SUSTAINED || k == HIL_EXPECT_RECOVERY) && e->has_min && e->has_max &&
	    e->min_ms > e->max_ms)
		report_member(ld, "min", HIL_JSONPOS_VALUE, "min \"%s\" is longer than max \"%s\"",
			      json_object_get_string(vals[EXP_MIN]),
			      json_object_get_string(vals[EXP_MAX]));
}

static void parse_expects(struct loader *ld, struct json_object *arr)
{
	struct hil_scenario *s = ld->s;
	size_t len;

	if (!arr || !(len = json_object_array_length(arr)))
		return;
	s->expects = calloc(len, sizeof(*s->expects));
	if (!s->expects) {
		ld->oom = 1;
		return;
	}
	s->n_expects = len;
	push_key(ld, "expect");
	for (size_t i = 0; i < len; i++) {
		struct json_object *v = json_object_array_get_idx(arr, i);
		char got[80];

		push_index(ld, i);
		if (json_object_is_type(v, json_type_object)) {
			parse_expect(ld, v, &s->expects[i], i);
		} else {
			describe_json(v, got, sizeof(got));
			report(ld, HIL_JSONPOS_VALUE, "expected an expectation object, got %s", got);
		}
		pop(ld);
	}
	pop(ld);
}

/* ---- steady state, observe, top level ---- */

enum { PROBE_PROBE, PROBE_SUBJECT, PROBE_EQUALS, PROBE_ABOVE, PROBE_BELOW, PROBE_AT_LEAST,
       PROBE_AT_MOST, __PROBE_MAX };

static const struct rule probe_rules[__PROBE_MAX] = {
	[PROBE_PROBE] = { "probe", V_STRING, 1, 0 },
	[PROBE_SUBJECT] = { "subject", V_STRING, 0, 0 },
	[PROBE_EQUALS] = { "equals", V_STRING, 0, 0 },
	[PROBE_ABOVE] = { "above", V_NUMBER, 0, 0 },
	[PROBE_BELOW] = { "below", V_NUMBER, 0, 0 },
	[PROBE_AT_LEAST] = { "at_least", V_NUMBER, 0, 0 },
	[PROBE_AT_MOST] = { "at_most", V_NUMBER, 0, 0 },
};

static const char *const probe_names[] = {
	[HIL_PROBE_ROUTER_UP] = "router-up",
	[HIL_PROBE_PLUG_ON] = "plug-on",
	[HIL_PROBE_STATE] = "state",
};

static void parse_probe(struct loader *ld, struct json_object *obj, struct hil_probe *p)
{
	struct json_object *vals[__PROBE_MAX];
	const char *name;
	size_t k;

	check_object(ld, obj, probe_rules, __PROBE_MAX, vals);
	if (!vals[PROBE_PROBE])
		return;
	name = json_object_get_string(vals[PROBE_PROBE]);
	for (k = 0; k < ARRAY_SIZE(probe_names); k++)
		if (!strcmp(probe_names[k], name))
			break;
	if (k == ARRAY_SIZE(probe_names)) {
		report_member(ld, "probe", HIL_JSONPOS_VALUE,
			      "unknown probe \"%s\" (expected one of: router-up, plug-on, state)", name);
		return;
	}
	p->kind = (enum hil_probe_kind)k;
	if (p->kind == HIL_PROBE_STATE) {
		parse_cond(ld, obj, &p->cond);
		return;
	}
	for (size_t i = PROBE_SUBJECT; i < __PROBE_MAX; i++)
		if (json_object_object_get_ex(obj, probe_rules[i].key, NULL))
			report_member(ld, probe_rules[i].key, HIL_JSONPOS_KEY,
				      "probe \"%s\" takes no condition, only \"state\" does", name);
}

enum { STEADY_SETTLE, STEADY_REQUIREMENT, STEADY_PROBES, __STEADY_MAX };

static const struct rule steady_rules[__STEADY_MAX] = {
	[STEADY_SETTLE] = { "settle", V_DURATION, 0, 0 },
	[STEADY_REQUIREMENT] = { "requirement", V_STRING, 1, 0 },
	[STEADY_PROBES] = { "probes", V_ARRAY, 1, 0 },
};

static void parse_steady(struct loader *ld, struct json_object *obj)
{
	struct hil_steady *st = &ld->s->steady;
	struct json_object *vals[__STEADY_MAX];
	char list[256];
	size_t len;

	st->settle_ms = 5 * 60 * 1000;
	if (!obj)
		return;
	st->present = 1;
	push_key(ld, "steady_state");
	check_object(ld, obj, steady_rules, __STEADY_MAX, vals);
	st->settle_ms = duration_of(vals[STEADY_SETTLE], st->settle_ms);
	st->requirement = string_of(ld, vals[STEADY_REQUIREMENT]);
	if (st->requirement && !has_requirement(ld->s, st->requirement)) {
		requirement_list(ld->s, list, sizeof(list));
		report_member(ld, "requirement", HIL_JSONPOS_VALUE,
			      "requirement \"%s\" is not in this scenario's requirements (%s)",
			      st->requirement, list);
	}
	if (vals[STEADY_PROBES] && (len = json_object_array_length(vals[STEADY_PROBES]))) {
		st->probes = calloc(len, sizeof(*st->probes));
		if (!st->probes) {
			ld->oom = 1;
			pop(ld);
			return;
		}
		st->n_probes = len;
		push_key(ld, "probes");
		for (size_t i = 0; i < len; i++) {
			struct json_object *v = json_object_array_get_idx(vals[STEADY_PROBES], i);
			char got[80];

			push_index(ld, i);
			if (json_object_is_type(v, json_type_object)) {
				parse_probe(ld, v, &st->probes[i]);
			} else {
				describe_json(v, got, sizeof(got));
				report(ld, HIL_JSONPOS_VALUE, "expected a probe object, got %s", got);
			}
			pop(ld);
		}
		pop(ld);
	}
	pop(ld);
}

enum { OBS_PERIOD, OBS_ENTITIES, OBS_COMMANDS, OBS_HEALTH_RING, __OBS_MAX };

static const struct rule observe_rules[__OBS_MAX] = {
	[OBS_PERIOD] = { "period", V_DURATION, 0, 0 },
	[OBS_ENTITIES] = { "entities", V_ARRAY, 0, 0 },
	[OBS_COMMANDS] = { "commands", V_ARRAY, 0, 0 },
	[OBS_HEALTH_RING] = { "health_ring", V_STRING, 0, 0 },
};

enum { CMD_NAME, CMD_COMMAND, __CMD_MAX };

static const struct rule command_rules[__CMD_MAX] = {
	[CMD_NAME] = { "name", V_STRING, 1, 0 },
	[CMD_COMMAND] = { "command", V_STRING, 1, 0 },
};

static int command_name_ok(struct loader *ld, const char *name)
{
	if (!*name || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-_") != strlen(name)) {
		report_member(ld, "name", HIL_JSONPOS_VALUE, "expected a name of [a-z0-9_-]+, got \"%s\"", name);
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(router_builtin_subjects); i++)
		if (!strcmp(name, router_builtin_subjects[i])) {
			report_member(ld, "name", HIL_JSONPOS_VALUE,
				      "\"%s\" is taken: router.%s is recorded by the harness itself", name, name);
			return 0;
		}
	for (size_t i = 0; i < ld->s->n_commands; i++)
		if (ld->s->commands[i].name && !strcmp(ld->s->commands[i].name, name)) {
			report_member(ld, "name", HIL_JSONPOS_VALUE, "duplicate command name \"%s\"", name);
			return 0;
		}
	return 1;
}

static void parse_commands(struct loader *ld, struct json_object *arr)
{
	struct hil_scenario *s = ld->s;
	size_t len = arr ? json_object_array_length(arr) : 0;

	if (!len)
		return;
	s->commands = calloc(len, sizeof(*s->commands));
	if (!s->commands) {
		ld->oom = 1;
		return;
	}
	push_key(ld, "commands");
	for (size_t i = 0; i < len; i++) {
		struct json_object *v = json_object_array_get_idx(arr, i), *vals[__CMD_MAX];
		char got[80];

		push_index(ld, i);
		if (!json_object_is_type(v, json_type_object)) {
			describe_json(v, got, sizeof(got));
			report(ld, HIL_JSONPOS_VALUE, "expected a command object {\"name\", \"command\"}, got %s", got);
		} else {
			check_object(ld, v, command_rules, __CMD_MAX, vals);
			if (vals[CMD_NAME] && vals[CMD_COMMAND] &&
			    command_name_ok(ld, json_object_get_string(vals[CMD_NAME]))) {
				s->commands[s->n_commands].name = string_of(ld, vals[CMD_NAME]);
				s->commands[s->n_commands++].command = string_of(ld, vals[CMD_COMMAND]);
			}
		}
		pop(ld);
	}
	pop(ld);
}

/* observe.health_ring: an absolute path of plain characters (it goes into a shell command). */
static void parse_health_ring(struct loader *ld, struct json_object *v)
{
	struct hil_scenario *s = ld->s;
	const char *path = v ? json_object_get_string(v) : NULL;

	if (!path)
		return;
	if (path[0] != '/' || strspn(path, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				       "0123456789._+-/") != strlen(path)) {
		report_member(ld, "health_ring", HIL_JSONPOS_VALUE,
			      "expected an absolute path of [A-Za-z0-9._+/-], got \"%s\"", path);
		return;
	}
	s->health_ring = dup_str(ld, path);
}

static void parse_observe(struct loader *ld, struct json_object *obj)
{
	struct hil_scenario *s = ld->s;
	struct json_object *vals[__OBS_MAX];

	s->observe_period_ms = 10 * 1000;
	if (!obj)
		return;
	push_key(ld, "observe");
	check_object(ld, obj, observe_rules, __OBS_MAX, vals);
	s->observe_period_ms = duration_of(vals[OBS_PERIOD], s->observe_period_ms);
	if (vals[OBS_PERIOD] && s->observe_period_ms <= 0)
		report_member(ld, "period", HIL_JSONPOS_VALUE, "expected a period > 0, got \"%s\"",
			      json_object_get_string(vals[OBS_PERIOD]));
	parse_strings(ld, "entities", vals[OBS_ENTITIES], &s->entities, &s->n_entities, NULL);
	parse_commands(ld, vals[OBS_COMMANDS]);
	parse_health_ring(ld, vals[OBS_HEALTH_RING]);
	pop(ld);
}

static int check_requirement_id(struct loader *ld, const char *id)
{
	if (hil_requirement_title(id))
		return 0;
	report(ld, HIL_JSONPOS_VALUE, "unknown requirement \"%s\" (not an ID in REQUIREMENTS.md)", id);
	return -EINVAL;
}

static int check_need(struct loader *ld, const char *need)
{
	static const char *const needs[] = { "power", "panic", "mlo-lock", "gpio", "flash" };

	for (size_t i = 0; i < ARRAY_SIZE(needs); i++)
		if (!strcmp(needs[i], need))
			return 0;
	report(ld, HIL_JSONPOS_VALUE,
	       "unknown need \"%s\" (expected one of: power, panic, mlo-lock, gpio, flash)", need);
	return -EINVAL;
}

enum { TOP_FORMAT, TOP_NAME, TOP_SUMMARY, TOP_REQUIREMENTS, TOP_NEEDS, TOP_OBSERVE, TOP_SETUP,
       TOP_STEADY, TOP_STEPS, TOP_EXPECT, TOP_TEARDOWN, __TOP_MAX };

static const struct rule top_rules[__TOP_MAX] = {
	[TOP_FORMAT] = { "format", V_STRING, 1, 0 },
	[TOP_NAME] = { "name", V_NAME, 1, 0 },
	[TOP_SUMMARY] = { "summary", V_STRING, 1, 0 },
	[TOP_REQUIREMENTS] = { "requirements", V_ARRAY, 1, 0 },
	[TOP_NEEDS] = { "needs", V_ARRAY, 0, 0 },
	[TOP_OBSERVE] = { "observe", V_OBJECT, 0, 0 },
	[TOP_SETUP] = { "setup", V_ARRAY, 0, 0 },
	[TOP_STEADY] = { "steady_state", V_OBJECT, 0, 0 },
	[TOP_STEPS] = { "steps", V_ARRAY, 1, 0 },
	[TOP_EXPECT] = { "expect", V_ARRAY, 1, 0 },
	[TOP_TEARDOWN] = { "teardown", V_ARRAY, 0, 0 },
};

static int has_need(const struct hil_scenario *s, const char *need)
{
	for (size_t i = 0; i < s->n_needs; i++)
		if (!strcmp(s->needs[i], need))
			return 1;
	return 0;
}

static int append_teardown(struct loader *ld, enum hil_step_kind kind, const char *name,
			   json_object *params, int64_t ms)
{
	struct hil_scenario *s = ld->s;
	struct hil_step *t = realloc(s->teardown, (s->n_teardown + 1) * sizeof(*t));

	if (!t) {
		json_object_put(params);
		ld->oom = 1;
		return -ENOMEM;
	}
	s->teardown = t;
	t = &s->teardown[s->n_teardown++];
	memset(t, 0, sizeof(*t));
	t->kind = kind;
	t->duration_ms = ms;
	t->name = name ? strdup(name) : NULL;
	t->params = params ? params : json_object_new_object();
	t->note = strdup("MLO-SAFE: recovery power-off scheduled by the harness");
	if ((name && !t->name) || !t->params || !t->note)
		ld->oom = 1;
	return 0;
}

/*
 * MLO-SAFE: a scenario that may send a combination the harness's model says locks
 * the MT7996 must say so (needs "mlo-lock", which the lab must permit), and then
 * gets the recovery power-off (>= 15 min unpowered) appended to its teardown.
 */
static void mlo_safe(struct loader *ld)
{
	json_object *off, *on;

	if (!ld->mlo_lock_rule)
		return;
	if (!has_need(ld->s, "mlo-lock")) {
		char *msg = NULL;

		if (asprintf(&msg, "this step may send \"%s\", which locks the MT7996 until a "
			     "15-minute power-off: the scenario needs [\"mlo-lock\"] (MLO-SAFE)",
			     ld->mlo_lock_rule) < 0)
			msg = NULL;
		add_error(ld, ld->mlo_lock_line, 1, msg);
		return;
	}
	off = json_object_new_object();
	on = json_object_new_object();
	json_object_object_add(off, "on", json_object_new_boolean(0));
	json_object_object_add(on, "on", json_object_new_boolean(1));
	append_teardown(ld, HIL_STEP_ACT, "plug", off, 0);
	append_teardown(ld, HIL_STEP_WAIT, NULL, NULL, HIL_MLO_RECOVERY_OFF_MS);
	append_teardown(ld, HIL_STEP_ACT, "plug", on, 0);
	append_teardown(ld, HIL_STEP_WAIT, NULL, NULL, HIL_MLO_RECOVERY_BOOT_MS);
}

static void parse_top(struct loader *ld, struct json_object *root)
{
	struct hil_scenario *s = ld->s;
	struct json_object *vals[__TOP_MAX];

	check_object(ld, root, top_rules, __TOP_MAX, vals);
	if (vals[TOP_FORMAT] && strcmp(json_object_get_string(vals[TOP_FORMAT]), HIL_SCENARIO_FORMAT))
		report_member(ld, "format", HIL_JSONPOS_VALUE, "expected \"%s\", got \"%s\"",
			      HIL_SCENARIO_FORMAT, json_object_get_string(vals[TOP_FORMAT]));
	s->name = string_of(ld, vals[TOP_NAME]);
	s->summary = string_of(ld, vals[TOP_SUMMARY]);
	parse_strings(ld, "requirements", vals[TOP_REQUIREMENTS], &s->requirements,
		      &s->n_requirements, check_requirement_id);
	if (vals[TOP_REQUIREMENTS] && !json_object_array_length(vals[TOP_REQUIREMENTS]))
		report_member(ld, "requirements", HIL_JSONPOS_VALUE,
			      "expected at least one requirement ID");
	parse_strings(ld, "needs", vals[TOP_NEEDS], &s->needs, &s->n_needs, check_need);
	parse_observe(ld, vals[TOP_OBSERVE]);
	/* steps before expect: time references need the step labels */
	parse_steps(ld, "setup", vals[TOP_SETUP], &s->setup, &s->n_setup, 0);
	parse_steps(ld, "steps", vals[TOP_STEPS], &s->steps, &s->n_steps, 1);
	parse_steps(ld, "teardown", vals[TOP_TEARDOWN], &s->teardown, &s->n_teardown, 0);
	parse_steady(ld, vals[TOP_STEADY]);
	parse_expects(ld, vals[TOP_EXPECT]);
	mlo_safe(ld);
}

/* ---- entry points ---- */

char *hil_scenario_path_of(const struct hil_scenario *s, const char *path)
{
	if (path[0] == '/' || !s->path || !strchr(s->path, '/'))
		return strdup(path);
	char *out = NULL;
	int dir_len = (int)(strrchr(s->path, '/') - s->path);
	if (asprintf(&out, "%.*s/%s", dir_len, s->path, path) < 0)
		out = NULL;
	return out;
}

static int cmp_errors(const void *a, const void *b)
{
	const struct error *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static char *join_errors(struct loader *ld)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	if (!mem)
		return NULL;
	qsort(ld->errs, ld->n_errs, sizeof(*ld->errs), cmp_errors);
	for (size_t i = 0; i < ld->n_errs; i++)
		fprintf(mem, "%s:%d:%d: %s\n", ld->file, ld->errs[i].line, ld->errs[i].col,
			ld->errs[i].msg);
	if (fclose(mem)) {
		free(text);
		return NULL;
	}
	return text;
}

/* Parse @text strictly into ld->doc; a refusal is the file's only error. */
static struct json_object *parse_json(struct loader *ld, const char *text, size_t len)
{
	struct hil_jsondoc_error err;

	ld->doc = hil_jsondoc_parse(text, len, &err);
	if (!ld->doc) {
		if (errno == ENOMEM)
			ld->oom = 1;
		else
			add_error(ld, err.line, err.col, strdup(err.msg));
		return NULL;
	}
	return hil_jsondoc_root(ld->doc);
}

static void free_cond(struct hil_cond *c)
{
	free(c->subject);
	free(c->text);
}

static void free_steps(struct hil_step *steps, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(steps[i].label);
		free(steps[i].note);
		free(steps[i].name);
		json_object_put(steps[i].params);
	}
	free(steps);
}

static void free_strings(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void hil_scenario_free(struct hil_scenario *s)
{
	if (!s)
		return;
	free(s->path);
	free(s->name);
	free(s->summary);
	free_strings(s->requirements, s->n_requirements);
	free_strings(s->needs, s->n_needs);
	free_strings(s->entities, s->n_entities);
	for (size_t i = 0; i < s->n_commands; i++) {
		free(s->commands[i].name);
		free(s->commands[i].command);
	}
	free(s->commands);
	free(s->health_ring);
	free_steps(s->setup, s->n_setup);
	free_steps(s->steps, s->n_steps);
	free_steps(s->teardown, s->n_teardown);
	free(s->steady.requirement);
	for (size_t i = 0; i < s->steady.n_probes; i++)
		free_cond(&s->steady.probes[i].cond);
	free(s->steady.probes);
	for (size_t i = 0; i < s->n_expects; i++) {
		struct hil_expect *e = &s->expects[i];

		free(e->id);
		free(e->requirement);
		free(e->why);
		free(e->window.from.anchor);
		free(e->window.to.anchor);
		free_cond(&e->cond);
		free_cond(&e->from);
		free_cond(&e->to);
	}
	free(s->expects);
	free(s);
}

int hil_scenario_load(const char *path, struct hil_scenario **out, char **errors)
{
	struct loader ld = { .file = path };
	struct json_object *root = NULL;
	char *text = NULL;
	size_t len = 0;
	int ret;

	*out = NULL;
	if (errors)
		*errors = NULL;
	ret = hil_file_read_max(path, &text, &len, HIL_FILE_MAX_INPUT);
	if (ret) {
		if (errors && asprintf(errors, "%s: failed to read: %s\n", path, strerror(-ret)) < 0)
			*errors = NULL;
		return ret;
	}
	root = parse_json(&ld, text, len);
	if (!root)
		goto done;
	if (!json_object_is_type(root, json_type_object)) {
		add_error(&ld, 1, 1, strdup("expected a scenario object at the top level"));
		goto done;
	}
	ld.s = calloc(1, sizeof(*ld.s));
	if (!ld.s) {
		ld.oom = 1;
		goto done;
	}
	ld.s->path = dup_str(&ld, path);
	parse_top(&ld, root);
done:
	if (ld.oom) {
		ret = -ENOMEM;
	} else if (ld.n_errs) {
		ret = -EINVAL;
		if (errors) {
			*errors = join_errors(&ld);
			if (!*errors)
				ret = -ENOMEM;
		}
	}
	if (ret)
		hil_scenario_free(ld.s);
	else
		*out = ld.s;
	for (size_t i = 0; i < ld.n_errs; i++)
		free(ld.errs[i].msg);
	free(ld.errs);
	free(ld.labels);
	hil_jsondoc_free(ld.doc);
	free(text);
	return ret;
}
