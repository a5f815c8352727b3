/*
 * The fake HA's automation engine: compiles automation YAML at load (refusing what
 * it cannot evaluate faithfully) and runs triggers, conditions and action
 * sequences in the loop's virtual time.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "servers/ha_internal.h"
#include "core/truth.h"

#define MAX_FRAMES 32

enum mode { MODE_SINGLE, MODE_RESTART, MODE_QUEUED, MODE_PARALLEL };
static const char *const mode_names[] = { "single", "restart", "queued", "parallel" };

enum trig_kind { TRIG_NUMERIC, TRIG_STATE };

struct pend {
	struct ha_trigger *t;
	size_t idx;
	uint64_t timer;
};

struct ha_trigger {
	struct ha_auto *a;     /* owning automation; NULL for a wait_for_trigger */
	struct run *waiter;    /* the run a wait_for_trigger belongs to */
	uint64_t since;        /* a wait only sees events numbered above this */
	uint64_t checked;      /* last event evaluated */
	enum trig_kind kind;
	const struct ha_node *node;
	size_t index;
	const char **entities;
	size_t n_entities;
	struct pend *pend;
	bool has_above, has_below, has_for;
	double above, below;
	const char *from, *to, *id;
	fl_ms for_ms;
};

struct frame {
	const struct ha_node *seq;
	size_t i;
};

struct run {
	struct ha_auto *a;
	struct frame stack[MAX_FRAMES];
	int depth;
	uint64_t timer;
	struct ha_trigger *waits;
	size_t n_waits;
	bool continue_on_timeout;
	bool in_shell, cancelled;
	struct run *next;
};

struct ha_auto {
	struct fl_ha *ha;
	char *entity_id;
	const char *id, *alias;
	enum mode mode;
	int max;
	fl_ms last_triggered; /* -1: never */
	const struct ha_node *conditions, *actions;
	struct ha_trigger *triggers;
	size_t n_triggers;
	struct run *runs;
	int n_runs, queued;
};

struct ha_event {
	char *entity, *old, *new;
	uint64_t no;
	struct ha_event *next;
};

/* ---------------------------------------------------------------- helpers */

struct ctx {
	struct fl_ha *ha;
	char **err;
};

static int fail(struct ctx *c, const struct ha_node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct ctx *c, const struct ha_node *n, const char *fmt, ...)
{
	if (c->err && !*c->err) {
		char *what;
		va_list ap;
		va_start(ap, fmt);
		if (vasprintf(&what, fmt, ap) < 0)
			what = NULL;
		va_end(ap);
		if (asprintf(c->err, "%s:%d:%d: %s", c->ha->automations_path, n->line, n->column,
			     what ? what : "error") < 0)
			*c->err = NULL;
		free(what);
	}
	return -EINVAL;
}

/* Either spelling of a key: `trigger` / `triggers`. */
static const struct ha_node *get2(const struct ha_node *map, const char *a, const char *b)
{
	const struct ha_node *n = ha_node_get(map, a);
	return n ? n : ha_node_get(map, b);
}

/* HA accepts a single item where it expects a list. */
static size_t list_len(const struct ha_node *n)
{
	if (!n)
		return 0;
	return n->type == HA_NODE_SEQ ? n->n : 1;
}

static const struct ha_node *list_at(const struct ha_node *n, size_t i)
{
	return n->type == HA_NODE_SEQ ? n->items[i] : n;
}

static bool is_scalar(const struct ha_node *n)
{
	return n && n->type == HA_NODE_SCALAR;
}

static int parse_number(const char *s, double *v)
{
	char *end;
	errno = 0;
	*v = strtod(s, &end);
	if (!*s || isspace((unsigned char)*s) || *end || errno || !isfinite(*v))
		return -EINVAL;
	return 0;
}

/*
 * HA takes any timedelta; virtual time in epoch ms must not overflow, and no
 * scenario waits a year: longer is refused rather than wrapped.
 */
#define MAX_DURATION_S (366.0 * 86400)

/* "15", 15.5, "00:02:00", "02:00" (H:M), {minutes: 2, seconds: 5, milliseconds: ..} */
static int parse_duration(const struct ha_node *n, fl_ms *ms)
{
	double v;
	if (is_scalar(n)) {
		if (parse_number(n->text, &v) == 0) {
			if (v < 0 || v > MAX_DURATION_S)
				return -EINVAL;
			*ms = (fl_ms)llround(v * 1000);
			return 0;
		}
		int h, m, len = 0;
		double s = 0;
		/* %6d: at most six digits, so that sscanf cannot overflow */
		if (sscanf(n->text, "%6d:%6d%n", &h, &m, &len) != 2 || h < 0 || m < 0)
			return -EINVAL;
		const char *rest = n->text + len;
		if (*rest == ':') {
			if (parse_number(rest + 1, &s) < 0 || s < 0 || s > MAX_DURATION_S)
				return -EINVAL;
		} else if (*rest) {
			return -EINVAL;
		}
		if ((double)h * 3600 + m * 60 + s > MAX_DURATION_S)
			return -EINVAL;
		*ms = ((fl_ms)h * 3600 + m * 60) * 1000 + (fl_ms)llround(s * 1000);
		return 0;
	}
	if (!n || n->type != HA_NODE_MAP || n->n == 0)
		return -EINVAL;
	static const struct { const char *key; fl_ms unit; } units[] = {
		{ "days", 86400000 }, { "hours", 3600000 }, { "minutes", 60000 },
		{ "seconds", 1000 }, { "milliseconds", 1 },
	};
	fl_ms total = 0;
	for (size_t i = 0; i + 1 < n->n; i += 2) {
		size_t u = 0;
		while (u < 5 && strcmp(n->items[i]->text, units[u].key) != 0)
			u++;
		if (u == 5 || !is_scalar(n->items[i + 1]) || parse_number(n->items[i + 1]->text, &v) < 0 || v < 0 ||
		    v * (double)units[u].unit > MAX_DURATION_S * 1000 - (double)total)
			return -EINVAL;
		total += (fl_ms)llround(v * (double)units[u].unit);
	}
	*ms = total;
	return 0;
}

/* Refuse keys outside @allowed (NULL-terminated). */
static int check_keys(struct ctx *c, const struct ha_node *map, const char *what, const char *const *allowed)
{
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		const struct ha_node *k = map->items[i];
		bool ok = false;
		for (const char *const *a = allowed; *a && !ok; a++)
			ok = is_scalar(k) && strcmp(k->text, *a) == 0;
		if (!ok)
			return fail(c, k, "%s: unsupported key '%s'", what, is_scalar(k) ? k->text : "?");
	}
	return 0;
}

/*
 * Tags and aliases anywhere, and templates outside the two a service call's data
 * may use (ha_template.c): this engine cannot evaluate them faithfully.
 */
static int check_plain_in(struct ctx *c, const struct ha_node *n, bool in_data)
{
	if (n->type == HA_NODE_ALIAS)
		return fail(c, n, "YAML aliases are not supported");
	if (n->tag)
		return fail(c, n, "YAML tag %s is not supported", n->tag);
	if (n->type == HA_NODE_SCALAR && (strstr(n->text, "{{") || strstr(n->text, "{%")) &&
	    !(in_data && ha_template_supported(n->text)))
		return fail(c, n, "templates are not supported: '%s'%s", n->text,
			    in_data ? " (only states('id') and state_attr('id', 'attr'))" : "");
	for (size_t i = 0; i < n->n; i++) {
		bool data = in_data || (n->type == HA_NODE_MAP && i % 2 == 1 && is_scalar(n->items[i - 1]) &&
					strcmp(n->items[i - 1]->text, "data") == 0);
		if (check_plain_in(c, n->items[i], data) < 0)
			return -EINVAL;
	}
	return 0;
}

static int check_plain(struct ctx *c, const struct ha_node *n)
{
	return check_plain_in(c, n, false);
}

/* entity_id: one id or a list of ids; *out points into the tree. */
static int entity_list(struct ctx *c, const struct ha_node *owner, const struct ha_node *n, const char ***out,
		       size_t *count)
{
	if (!n)
		return fail(c, owner, "missing entity_id");
	size_t len = list_len(n);
	const char **ids = calloc(len ? len : 1, sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		const struct ha_node *e = list_at(n, i);
		if (!is_scalar(e) || !ha_entity_id_valid(e->text)) {
			free(ids);
			return fail(c, e, "invalid entity id '%s'", is_scalar(e) ? e->text : "?");
		}
		ids[i] = e->text;
	}
	if (!len) {
		free(ids);
		return fail(c, n, "empty entity_id");
	}
	*out = ids;
	*count = len;
	return 0;
}

static void truth(struct fl_ha *ha, const char *kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void truth(struct fl_ha *ha, const char *kind, const char *fmt, ...)
{
	if (!ha->truth)
		return;
	char *msg;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) >= 0) {
		fl_truth_log(ha->truth, kind, "%s", msg);
		free(msg);
	}
	va_end(ap);
}

/* ---------------------------------------------------------------- triggers */

static int compile_trigger(struct ctx *c, const struct ha_node *n, struct ha_trigger *t)
{
	static const char *const numeric_keys[] = { "platform", "trigger", "entity_id", "above", "below", "for",
						    "id", NULL };
	static const char *const state_keys[] = { "platform", "trigger", "entity_id", "from", "to", "for", "id",
						  NULL };
	if (n->type != HA_NODE_MAP)
		return fail(c, n, "trigger: expected a mapping");
	const struct ha_node *plat = get2(n, "trigger", "platform");
	if (!is_scalar(plat))
		return fail(c, n, "trigger: missing platform");
	t->node = n;
	if (strcmp(plat->text, "numeric_state") == 0) {
		t->kind = TRIG_NUMERIC;
		if (check_keys(c, n, "numeric_state trigger", numeric_keys) < 0)
			return -EINVAL;
	} else if (strcmp(plat->text, "state") == 0) {
		t->kind = TRIG_STATE;
		if (check_keys(c, n, "state trigger", state_keys) < 0)
			return -EINVAL;
	} else {
		return fail(c, plat, "unsupported trigger platform '%s'", plat->text);
	}
	if (entity_list(c, n, ha_node_get(n, "entity_id"), &t->entities, &t->n_entities) < 0)
		return -EINVAL;
	t->pend = calloc(t->n_entities, sizeof(*t->pend));
	if (!t->pend)
		return -ENOMEM;
	for (size_t i = 0; i < t->n_entities; i++)
		t->pend[i] = (struct pend){ .t = t, .idx = i };
	const struct ha_node *v;
	if ((v = ha_node_get(n, "above"))) {
		if (!is_scalar(v) || parse_number(v->text, &t->above) < 0)
			return fail(c, v, "above: expected a number");
		t->has_above = true;
	}
	if ((v = ha_node_get(n, "below"))) {
		if (!is_scalar(v) || parse_number(v->text, &t->below) < 0)
			return fail(c, v, "below: expected a number");
		t->has_below = true;
	}
	if (t->kind == TRIG_NUMERIC && !t->has_above && !t->has_below)
		return fail(c, n, "numeric_state trigger: above or below is required");
	if ((v = ha_node_get(n, "from"))) {
		if (!is_scalar(v))
			return fail(c, v, "from: expected one state");
		t->from = v->text;
	}
	if ((v = ha_node_get(n, "to"))) {
		if (!is_scalar(v))
			return fail(c, v, "to: expected one state");
		t->to = v->text;
	}
	if ((v = ha_node_get(n, "for"))) {
		if (parse_duration(v, &t->for_ms) < 0)
			return fail(c, v, "for: invalid duration (seconds, HH:MM[:SS] or a dict of days..milliseconds, 0 to 366 days)");
		t->has_for = true;
	}
	if ((v = ha_node_get(n, "id"))) {
		if (!is_scalar(v))
			return fail(c, v, "id: expected a string");
		t->id = v->text;
	}
	return 0;
}

static void trigger_release(struct fl_ha *ha, struct ha_trigger *t)
{
	for (size_t i = 0; t->pend && i < t->n_entities; i++)
		if (t->pend[i].timer)
			fl_timer_cancel(ha->loop, t->pend[i].timer);
	free(t->pend);
	free(t->entities);
}

static bool numeric_match(const struct ha_trigger *t, const char *state)
{
	double v;
	if (!state || parse_number(state, &v) < 0)
		return false;
	return (!t->has_above || v > t->above) && (!t->has_below || v < t->below);
}

static void trigger_fired(struct ha_trigger *t, size_t idx);

static void pend_expired(void *arg)
{
	struct pend *p = arg;
	p->timer = 0;
	trigger_fired(p->t, p->idx);
}

/* Whether @t fires now for this change; starts or cancels `for:` timers. */
static bool trigger_check(struct fl_ha *ha, struct ha_trigger *t, const struct ha_event *ev)
{
	bool fire = false;
	if (t->checked == ev->no)
		return false; /* a rescan of the waits: this change was seen */
	t->checked = ev->no;
	for (size_t i = 0; i < t->n_entities; i++) {
		if (strcmp(t->entities[i], ev->entity) != 0)
			continue;
		struct pend *p = &t->pend[i];
		bool match, start;
		if (t->kind == TRIG_NUMERIC) {
			match = numeric_match(t, ev->new);
			start = match && !numeric_match(t, ev->old);
		} else {
			/* As HA: a trigger naming from: or to: ignores attribute-only
			 * changes; one naming neither fires on them too. */
			if (ev->old && strcmp(ev->old, ev->new) == 0 && (t->from || t->to))
				continue;
			match = (!t->from || (ev->old && strcmp(ev->old, t->from) == 0)) &&
				(!t->to || strcmp(ev->new, t->to) == 0);
			start = match;
			if (p->timer) { /* any new state restarts the clock */
				fl_timer_cancel(ha->loop, p->timer);
				p->timer = 0;
			}
		}
		if (!match && p->timer) {
			fl_timer_cancel(ha->loop, p->timer);
			p->timer = 0;
		}
		if (!start)
			continue;
		if (p->timer)
			fl_timer_cancel(ha->loop, p->timer);
		if (t->has_for)
			p->timer = fl_timer_add(ha->loop, fl_loop_now(ha->loop) + t->for_ms, pend_expired, p);
		else
			fire = true;
	}
	return fire;
}

/* ---------------------------------------------------------------- conditions */

static int compile_conditions(struct ctx *c, const struct ha_node *list);

static int compile_condition(struct ctx *c, const struct ha_node *n)
{
	static const char *const state_keys[] = { "condition", "entity_id", "state", "alias", NULL };
	static const char *const numeric_keys[] = { "condition", "entity_id", "above", "below", "alias", NULL };
	static const char *const logic_keys[] = { "condition", "conditions", "alias", NULL };
	if (n->type != HA_NODE_MAP)
		return fail(c, n, "condition: expected a mapping");
	const struct ha_node *kind = ha_node_get(n, "condition");
	if (!is_scalar(kind))
		return fail(c, n, "condition: missing condition type");
	const char **ids = NULL;
	size_t n_ids;
	const struct ha_node *v;
	double d;
	if (strcmp(kind->text, "state") == 0) {
		if (check_keys(c, n, "state condition", state_keys) < 0 ||
		    entity_list(c, n, ha_node_get(n, "entity_id"), &ids, &n_ids) < 0)
			return -EINVAL;
		free(ids);
		v = ha_node_get(n, "state");
		if (!v)
			return fail(c, n, "state condition: missing state");
		for (size_t i = 0; i < list_len(v); i++)
			if (!is_scalar(list_at(v, i)))
				return fail(c, list_at(v, i), "state: expected a state");
		return 0;
	}
	if (strcmp(kind->text, "numeric_state") == 0) {
		if (check_keys(c, n, "numeric_state condition", numeric_keys) < 0 ||
		    entity_list(c, n, ha_node_get(n, "entity_id"), &ids, &n_ids) < 0)
			return -EINVAL;
		free(ids);
		const struct ha_node *a = ha_node_get(n, "above"), *b = ha_node_get(n, "below");
		if (!a && !b)
			return fail(c, n, "numeric_state condition: above or below is required");
		if (a && (!is_scalar(a) || parse_number(a->text, &d) < 0))
			return fail(c, a, "above: expected a number");
		if (b && (!is_scalar(b) || parse_number(b->text, &d) < 0))
			return fail(c, b, "below: expected a number");
		return 0;
	}
	if (!strcmp(kind->text, "and") || !strcmp(kind->text, "or") || !strcmp(kind->text, "not")) {
		if (check_keys(c, n, "condition", logic_keys) < 0)
			return -EINVAL;
		v = ha_node_get(n, "conditions");
		if (!v)
			return fail(c, n, "%s condition: missing conditions", kind->text);
		return compile_conditions(c, v);
	}
	return fail(c, kind, "unsupported condition type '%s'", kind->text);
}

static int compile_conditions(struct ctx *c, const struct ha_node *list)
{
	for (size_t i = 0; i < list_len(list); i++)
		if (compile_condition(c, list_at(list, i)) < 0)
			return -EINVAL;
	return 0;
}

static bool eval_conditions(struct fl_ha *ha, const struct ha_node *list, bool any);

static bool eval_condition(struct fl_ha *ha, const struct ha_node *n)
{
	const char *kind = ha_node_get(n, "condition")->text;
	if (!strcmp(kind, "and"))
		return eval_conditions(ha, ha_node_get(n, "conditions"), false);
	if (!strcmp(kind, "or"))
		return eval_conditions(ha, ha_node_get(n, "conditions"), true);
	if (!strcmp(kind, "not")) /* HA's not: none of the conditions holds */
		return !eval_conditions(ha, ha_node_get(n, "conditions"), true);
	const struct ha_node *ids = ha_node_get(n, "entity_id");
	for (size_t i = 0; i < list_len(ids); i++) {
		const char *cur = fl_ha_get_state(ha, list_at(ids, i)->text);
		bool ok = false;
		if (!strcmp(kind, "state")) {
			const struct ha_node *want = ha_node_get(n, "state");
			for (size_t j = 0; cur && j < list_len(want) && !ok; j++)
				ok = strcmp(cur, list_at(want, j)->text) == 0;
		} else {
			const struct ha_node *a = ha_node_get(n, "above"), *b = ha_node_get(n, "below");
			double v, lim;
			ok = cur && parse_number(cur, &v) == 0;
			if (ok && a && parse_number(a->text, &lim) == 0)
				ok = v > lim;
			if (ok && b && parse_number(b->text, &lim) == 0)
				ok = v < lim;
		}
		if (!ok)
			return false; /* every listed entity must match */
	}
	return true;
}

static bool eval_conditions(struct fl_ha *ha, const struct ha_node *list, bool any)
{
	if (!list)
		return true;
	for (size_t i = 0; i < list_len(list); i++) {
		bool ok = eval_condition(ha, list_at(list, i));
		if (any && ok)
			return true;
		if (!any && !ok)
			return false;
	}
	return !any || list_len(list) == 0;
}

/* ---------------------------------------------------------------- actions: load-time checks */

static int compile_sequence(struct ctx *c, const struct ha_node *list);

static int split_service(const char *s, char *domain, size_t dlen, const char **service)
{
	const char *dot = strchr(s, '.');
	if (!dot || (size_t)(dot - s) >= dlen || !dot[1] || strchr(dot + 1, '.'))
		return -EINVAL;
	memcpy(domain, s, (size_t)(dot - s));
	domain[dot - s] = '\0';
	*service = dot + 1;
	return 0;
}

/* What HA's service schemas require in data: refused at load, not at run time. */
static int check_service_data(struct ctx *c, const struct ha_node *call, const char *service,
			      const struct ha_node *data)
{
	const char *need = NULL;
	if (strncmp(service, "notify.", 7) == 0 || strcmp(service, "persistent_notification.create") == 0)
		need = "message";
	else if (strcmp(service, "persistent_notification.dismiss") == 0)
		need = "notification_id";
	if (!need)
		return 0;
	const struct ha_node *v = data ? ha_node_get(data, need) : NULL;
	if (!is_scalar(v))
		return fail(c, call, "%s: data.%s is required", service, need);
	return 0;
}

static int compile_step(struct ctx *c, const struct ha_node *n)
{
	static const char *const call_keys[] = { "service", "action", "target", "data", "entity_id", "alias", NULL };
	static const char *const delay_keys[] = { "delay", "alias", NULL };
	static const char *const wait_keys[] = { "wait_for_trigger", "timeout", "continue_on_timeout", "alias",
						 NULL };
	static const char *const choose_keys[] = { "choose", "default", "alias", NULL };
	static const char *const option_keys[] = { "conditions", "condition", "sequence", "alias", NULL };
	static const char *const if_keys[] = { "if", "then", "else", "alias", NULL };
	static const char *const stop_keys[] = { "stop", "error", "alias", NULL };
	const struct ha_node *v;
	if (n->type != HA_NODE_MAP)
		return fail(c, n, "action: expected a mapping");
	if ((v = get2(n, "action", "service"))) {
		char domain[64];
		const char *service;
		if (check_keys(c, n, "service call", call_keys) < 0)
			return -EINVAL;
		if (!is_scalar(v) || split_service(v->text, domain, sizeof(domain), &service) < 0)
			return fail(c, v, "invalid service '%s'", is_scalar(v) ? v->text : "?");
		if (!ha_service_known(c->ha, domain, service))
			return fail(c, v, "unknown service '%s'", v->text);
		const struct ha_node *t = ha_node_get(n, "target"), *d = ha_node_get(n, "data");
		if (t && (t->type != HA_NODE_MAP || check_keys(c, t, "target", (const char *const[]){ "entity_id", NULL })))
			return t->type != HA_NODE_MAP ? fail(c, t, "target: expected a mapping") : -EINVAL;
		if (d && d->type != HA_NODE_MAP)
			return fail(c, d, "data: expected a mapping");
		const struct ha_node *ids = ha_node_get(n, "entity_id");
		if (!ids && t)
			ids = ha_node_get(t, "entity_id");
		if (!ids && d)
			ids = ha_node_get(d, "entity_id");
		const char **list;
		size_t count;
		if (strcmp(domain, "switch") == 0 || strcmp(domain, "light") == 0) {
			if (entity_list(c, n, ids, &list, &count) < 0)
				return -EINVAL;
			free(list);
		}
		return check_service_data(c, n, v->text, d);
	}
	if ((v = ha_node_get(n, "delay"))) {
		fl_ms ms;
		if (check_keys(c, n, "delay", delay_keys) < 0)
			return -EINVAL;
		return parse_duration(v, &ms) < 0 ? fail(c, v, "delay: invalid duration") : 0;
	}
	if ((v = ha_node_get(n, "wait_for_trigger"))) {
		fl_ms ms;
		if (check_keys(c, n, "wait_for_trigger", wait_keys) < 0)
			return -EINVAL;
		for (size_t i = 0; i < list_len(v); i++) {
			struct ha_trigger t = { 0 };
			int ret = compile_trigger(c, list_at(v, i), &t);
			trigger_release(c->ha, &t);
			if (ret < 0)
				return ret;
		}
		const struct ha_node *to = ha_node_get(n, "timeout"), *cot = ha_node_get(n, "continue_on_timeout");
		if (to && parse_duration(to, &ms) < 0)
			return fail(c, to, "timeout: invalid duration");
		if (cot && (!is_scalar(cot) || (strcmp(cot->text, "true") && strcmp(cot->text, "false"))))
			return fail(c, cot, "continue_on_timeout: expected true or false");
		return 0;
	}
	if ((v = ha_node_get(n, "choose"))) {
		if (check_keys(c, n, "choose", choose_keys) < 0)
			return -EINVAL;
		for (size_t i = 0; i < list_len(v); i++) {
			const struct ha_node *opt = list_at(v, i);
			if (opt->type != HA_NODE_MAP)
				return fail(c, opt, "choose: expected a mapping");
			if (check_keys(c, opt, "choose option", option_keys) < 0)
				return -EINVAL;
			const struct ha_node *conds = get2(opt, "conditions", "condition"),
					     *seq = ha_node_get(opt, "sequence");
			if (!conds || !seq)
				return fail(c, opt, "choose option: conditions and sequence are required");
			if (compile_conditions(c, conds) < 0 || compile_sequence(c, seq) < 0)
				return -EINVAL;
		}
		const struct ha_node *def = ha_node_get(n, "default");
		return def ? compile_sequence(c, def) : 0;
	}
	if ((v = ha_node_get(n, "if"))) {
		if (check_keys(c, n, "if", if_keys) < 0 || compile_conditions(c, v) < 0)
			return -EINVAL;
		const struct ha_node *th = ha_node_get(n, "then"), *el = ha_node_get(n, "else");
		if (!th)
			return fail(c, n, "if: then is required");
		if (compile_sequence(c, th) < 0 || (el && compile_sequence(c, el) < 0))
			return -EINVAL;
		return 0;
	}
	if ((v = ha_node_get(n, "stop")))
		return check_keys(c, n, "stop", stop_keys);
	if (ha_node_get(n, "condition"))
		return compile_condition(c, n);
	return fail(c, n->n ? n->items[0] : n, "unsupported action '%s'",
		    n->n && is_scalar(n->items[0]) ? n->items[0]->text : "?");
}

static int compile_sequence(struct ctx *c, const struct ha_node *list)
{
	for (size_t i = 0; i < list_len(list); i++)
		if (compile_step(c, list_at(list, i)) < 0)
			return -EINVAL;
	return 0;
}

/* ---------------------------------------------------------------- runs */

static void run_continue(struct run *r);
static void run_finish(struct run *r);

static void update_entity(struct ha_auto *a)
{
	struct json_object *o = json_object_new_object();
	char ts[40];
	json_object_object_add(o, "id", a->id ? json_object_new_string(a->id) : NULL);
	if (a->last_triggered >= 0) {
		ha_format_time(a->last_triggered, ts, sizeof(ts));
		json_object_object_add(o, "last_triggered", json_object_new_string(ts));
	} else {
		json_object_object_add(o, "last_triggered", NULL);
	}
	json_object_object_add(o, "mode", json_object_new_string(mode_names[a->mode]));
	json_object_object_add(o, "current", json_object_new_int(a->n_runs));
	if (a->mode == MODE_QUEUED || a->mode == MODE_PARALLEL)
		json_object_object_add(o, "max", json_object_new_int(a->max));
	json_object_object_add(o, "friendly_name", json_object_new_string(a->alias ? a->alias : a->entity_id + 11));
	ha_state_set(a->ha, a->entity_id, "on", o, NULL);
}

static void release_waits(struct run *r)
{
	struct fl_ha *ha = r->a->ha;
	for (size_t i = 0; i < r->n_waits; i++)
		trigger_release(ha, &r->waits[i]);
	ha->n_waits -= r->n_waits;
	free(r->waits);
	r->waits = NULL;
	r->n_waits = 0;
	if (r->timer) {
		fl_timer_cancel(ha->loop, r->timer);
		r->timer = 0;
	}
}

static void run_unlink(struct run *r)
{
	struct ha_auto *a = r->a;
	for (struct run **pp = &a->runs; *pp; pp = &(*pp)->next) {
		if (*pp == r) {
			*pp = r->next;
			a->n_runs--;
			return;
		}
	}
}

/* Stop a run at once (restart mode, HA shutdown); a shell command in flight frees it later. */
static void run_cancel(struct run *r)
{
	release_waits(r);
	run_unlink(r);
	if (r->in_shell)
		r->cancelled = true;
	else
		free(r);
}

static void run_start(struct ha_auto *a)
{
	struct run *r = calloc(1, sizeof(*r));
	if (!r) {
		truth(a->ha, "ha.run", "%s: out of memory", a->entity_id);
		return;
	}
	r->a = a;
	if (a->actions)
		r->stack[r->depth++] = (struct frame){ .seq = a->actions };
	struct run **pp = &a->runs;
	while (*pp)
		pp = &(*pp)->next;
	*pp = r;
	a->n_runs++;
	update_entity(a);
	run_continue(r);
}

static void run_finish(struct run *r)
{
	struct ha_auto *a = r->a;
	truth(a->ha, "ha.run", "%s: run finished", a->entity_id);
	release_waits(r);
	run_unlink(r);
	free(r);
	update_entity(a);
	if (a->queued > 0) {
		a->queued--;
		run_start(a);
	}
}

static void process_events(struct fl_ha *ha);

/* Timer and child callbacks enter the engine here: state changes they cause wait until they return. */
static void enter(struct fl_ha *ha)
{
	ha->dispatching++;
}

static void leave(struct fl_ha *ha)
{
	ha->dispatching--;
	process_events(ha);
}

static void delay_done(void *arg)
{
	struct run *r = arg;
	struct fl_ha *ha = r->a->ha;
	r->timer = 0;
	enter(ha);
	run_continue(r);
	leave(ha);
}

static void wait_timeout(void *arg)
{
	struct run *r = arg;
	struct fl_ha *ha = r->a->ha;
	r->timer = 0;
	release_waits(r);
	truth(ha, "ha.action", "%s: wait_for_trigger timed out%s", r->a->entity_id,
	      r->continue_on_timeout ? "" : ", stopping");
	enter(ha);
	if (r->continue_on_timeout)
		run_continue(r);
	else
		run_finish(r);
	leave(ha);
}

static void shell_done(void *arg, int status)
{
	struct run *r = arg;
	r->in_shell = false;
	if (r->cancelled) {
		free(r);
		return;
	}
	struct fl_ha *ha = r->a->ha;
	enter(ha);
	run_continue(r);
	leave(ha);
}

static int push(struct run *r, const struct ha_node *seq)
{
	if (r->depth == MAX_FRAMES)
		return -E2BIG;
	r->stack[r->depth++] = (struct frame){ .seq = seq };
	return 0;
}

enum step_result { STEP_NEXT, STEP_WAIT, STEP_STOP };

static enum step_result step_call(struct run *r, const struct ha_node *n, const struct ha_node *what)
{
	struct fl_ha *ha = r->a->ha;
	char domain[64];
	const char *service;
	split_service(what->text, domain, sizeof(domain), &service);
	const struct ha_node *t = ha_node_get(n, "target"), *ids = ha_node_get(n, "entity_id");
	if (!ids && t)
		ids = ha_node_get(t, "entity_id");
	struct json_object *data = ha_node_to_json(ha_node_get(n, "data"));
	if (!data)
		data = json_object_new_object();
	if (ids)
		json_object_object_add(data, "entity_id", ha_node_to_json(ids));
	ha_template_render_json(ha, data);
	truth(ha, "ha.action", "%s: call %s %s", r->a->entity_id, what->text,
	      json_object_to_json_string_ext(data, JSON_C_TO_STRING_PLAIN));
	bool async = false;
	int ret = ha_service_call(ha, domain, service, data, shell_done, r, &async);
	json_object_put(data);
	if (ret < 0) {
		truth(ha, "ha.run", "%s: %s failed (%s), run stopped", r->a->entity_id, what->text, strerror(-ret));
		return STEP_STOP;
	}
	if (async) {
		r->in_shell = true;
		return STEP_WAIT;
	}
	return STEP_NEXT;
}

static enum step_result step_wait(struct run *r, const struct ha_node *n, const struct ha_node *list)
{
	struct fl_ha *ha = r->a->ha;
	struct ctx c = { .ha = ha };
	r->waits = calloc(list_len(list), sizeof(*r->waits));
	if (!r->waits)
		return STEP_STOP;
	for (size_t i = 0; i < list_len(list); i++) {
		struct ha_trigger *t = &r->waits[i];
		r->n_waits++;
		ha->n_waits++;
		if (compile_trigger(&c, list_at(list, i), t) < 0)
			return STEP_STOP; /* checked at load: only out of memory gets here */
		t->waiter = r;
		t->index = i;
		t->since = ha->seq;
		for (size_t k = 0; k < t->n_entities; k++)
			t->pend[k].t = t;
	}
	const struct ha_node *to = ha_node_get(n, "timeout"), *cot = ha_node_get(n, "continue_on_timeout");
	r->continue_on_timeout = !cot || strcmp(cot->text, "true") == 0;
	fl_ms ms;
	if (to && parse_duration(to, &ms) == 0)
		r->timer = fl_timer_add(ha->loop, fl_loop_now(ha->loop) + ms, wait_timeout, r);
	truth(ha, "ha.action", "%s: wait_for_trigger", r->a->entity_id);
	return STEP_WAIT;
}

static enum step_result step(struct run *r, const struct ha_node *n)
{
	struct fl_ha *ha = r->a->ha;
	const char *name = r->a->entity_id;
	const struct ha_node *v;
	fl_ms ms;
	if ((v = get2(n, "action", "service")))
		return step_call(r, n, v);
	if ((v = ha_node_get(n, "delay"))) {
		parse_duration(v, &ms);
		truth(ha, "ha.action", "%s: delay %lld ms", name, (long long)ms);
		r->timer = fl_timer_add(ha->loop, fl_loop_now(ha->loop) + ms, delay_done, r);
		return STEP_WAIT;
	}
	if ((v = ha_node_get(n, "wait_for_trigger")))
		return step_wait(r, n, v);
	if ((v = ha_node_get(n, "choose"))) {
		for (size_t i = 0; i < list_len(v); i++) {
			const struct ha_node *opt = list_at(v, i);
			if (eval_conditions(ha, get2(opt, "conditions", "condition"), false)) {
				truth(ha, "ha.action", "%s: choose option %zu", name, i);
				return push(r, ha_node_get(opt, "sequence")) < 0 ? STEP_STOP : STEP_NEXT;
			}
		}
		truth(ha, "ha.action", "%s: choose default", name);
		v = ha_node_get(n, "default");
		return v && push(r, v) < 0 ? STEP_STOP : STEP_NEXT;
	}
	if ((v = ha_node_get(n, "if"))) {
		bool ok = eval_conditions(ha, v, false);
		truth(ha, "ha.action", "%s: if -> %s", name, ok ? "then" : "else");
		v = ha_node_get(n, ok ? "then" : "else");
		return v && push(r, v) < 0 ? STEP_STOP : STEP_NEXT;
	}
	if (ha_node_get(n, "stop")) {
		truth(ha, "ha.action", "%s: stop", name);
		return STEP_STOP;
	}
	bool ok = eval_condition(ha, n);
	truth(ha, "ha.action", "%s: condition %s", name, ok ? "passed" : "failed, stopping");
	return ok ? STEP_NEXT : STEP_STOP;
}

static void run_continue(struct run *r)
{
	while (r->depth > 0) {
		struct frame *f = &r->stack[r->depth - 1];
		if (f->i >= list_len(f->seq)) {
			r->depth--;
			continue;
		}
		const struct ha_node *n = list_at(f->seq, f->i++);
		enum step_result res = step(r, n);
		if (res == STEP_WAIT)
			return;
		if (res == STEP_STOP)
			break;
	}
	run_finish(r);
}

/* ---------------------------------------------------------------- firing */

static void fire_automation(struct ha_auto *a, struct ha_trigger *t, size_t idx)
{
	struct fl_ha *ha = a->ha;
	const char *ent = t->entities[idx];
	const char *cur = fl_ha_get_state(ha, ent);
	truth(ha, "ha.trigger", "%s: trigger %zu%s%s (%s) on %s = %s", a->entity_id, t->index, t->id ? " id " : "",
	      t->id ? t->id : "", t->kind == TRIG_NUMERIC ? "numeric_state" : "state", ent, cur ? cur : "?");
	if (!eval_conditions(ha, a->conditions, false)) {
		truth(ha, "ha.run", "%s: conditions not met", a->entity_id);
		return;
	}
	a->last_triggered = fl_loop_now(ha->loop);
	update_entity(a);
	if (a->n_runs > 0) {
		switch (a->mode) {
		case MODE_SINGLE:
			truth(ha, "ha.run", "%s: already running", a->entity_id);
			return;
		case MODE_RESTART:
			truth(ha, "ha.run", "%s: restarting", a->entity_id);
			while (a->runs)
				run_cancel(a->runs);
			break;
		case MODE_QUEUED:
			if (a->n_runs + a->queued >= a->max) {
				truth(ha, "ha.run", "%s: maximum number of runs exceeded", a->entity_id);
				return;
			}
			a->queued++;
			truth(ha, "ha.run", "%s: queued", a->entity_id);
			return;
		case MODE_PARALLEL:
			if (a->n_runs >= a->max) {
				truth(ha, "ha.run", "%s: maximum number of runs exceeded", a->entity_id);
				return;
			}
			break;
		}
	}
	truth(ha, "ha.run", "%s: run started", a->entity_id);
	run_start(a);
}

static void resume_wait(struct run *r, struct ha_trigger *t, size_t idx)
{
	truth(r->a->ha, "ha.action", "%s: wait_for_trigger fired on %s", r->a->entity_id, t->entities[idx]);
	release_waits(r);
	run_continue(r);
}

static void trigger_fired(struct ha_trigger *t, size_t idx)
{
	struct fl_ha *ha = t->a ? t->a->ha : t->waiter->a->ha;
	enter(ha);
	if (t->a)
		fire_automation(t->a, t, idx);
	else
		resume_wait(t->waiter, t, idx);
	leave(ha);
}

/* The automations' triggers that name one entity, in file order (ha->trigger_index). */
struct ha_trigger_list {
	struct ha_trigger **t;
	size_t n, cap;
};

static void trigger_list_free(void *arg)
{
	struct ha_trigger_list *l = arg;
	free(l->t);
	free(l);
}

/* Index @a's triggers by entity, after its triggers array is final. 0 or -ENOMEM. */
static int index_triggers(struct fl_ha *ha, struct ha_auto *a)
{
	for (size_t j = 0; j < a->n_triggers; j++) {
		struct ha_trigger *t = &a->triggers[j];
		for (size_t k = 0; k < t->n_entities; k++) {
			struct ha_trigger_list *l = fl_strmap_get(&ha->trigger_index, t->entities[k]);
			if (!l && (!(l = calloc(1, sizeof(*l))) ||
				   fl_strmap_put(&ha->trigger_index, t->entities[k], l) < 0)) {
				free(l);
				return -ENOMEM;
			}
			if (l->n && l->t[l->n - 1] == t)
				continue; /* an entity listed twice: the trigger is checked once */
			if (l->n == l->cap) {
				size_t cap = l->cap ? l->cap * 2 : 4;
				struct ha_trigger **grown = realloc(l->t, cap * sizeof(*grown));
				if (!grown)
					return -ENOMEM;
				l->t = grown;
				l->cap = cap;
			}
			l->t[l->n++] = t;
		}
	}
	return 0;
}

static void dispatch(struct fl_ha *ha, const struct ha_event *ev)
{
	/* only the triggers naming this entity, in the order of the file as before */
	const struct ha_trigger_list *l = fl_strmap_get(&ha->trigger_index, ev->entity);
	for (size_t i = 0; l && i < l->n; i++) {
		struct ha_trigger *t = l->t[i];
		if (!trigger_check(ha, t, ev))
			continue;
		for (size_t k = 0; k < t->n_entities; k++) {
			if (strcmp(t->entities[k], ev->entity) == 0) {
				fire_automation(t->a, t, k);
				break;
			}
		}
	}
	/* waits: rescan after each resume, the resumed run may have changed the set */
rescan:
	for (size_t i = 0; ha->n_waits && i < ha->n_autos; i++) {
		for (struct run *r = ha->autos[i]->runs; r; r = r->next) {
			for (size_t j = 0; j < r->n_waits; j++) {
				struct ha_trigger *t = &r->waits[j];
				if (t->since >= ev->no || !trigger_check(ha, t, ev))
					continue;
				for (size_t k = 0; k < t->n_entities; k++) {
					if (strcmp(t->entities[k], ev->entity) == 0) {
						resume_wait(r, t, k);
						goto rescan;
					}
				}
			}
		}
	}
}

static void event_free(struct ha_event *ev)
{
	free(ev->entity);
	free(ev->old);
	free(ev->new);
	free(ev);
}

static void process_events(struct fl_ha *ha)
{
	if (ha->dispatching)
		return;
	ha->dispatching++;
	while (ha->events) {
		struct ha_event *ev = ha->events;
		ha->events = ev->next;
		if (!ha->events)
			ha->events_tail = NULL;
		dispatch(ha, ev);
		event_free(ev);
	}
	ha->dispatching--;
}

void ha_automations_state_changed(struct fl_ha *ha, const char *entity, const char *old_state,
				  const char *new_state)
{
	struct ha_event *ev = calloc(1, sizeof(*ev));
	if (!ev || !(ev->entity = strdup(entity)) || !(ev->new = strdup(new_state)) ||
	    (old_state && !(ev->old = strdup(old_state)))) {
		if (ev)
			event_free(ev);
		truth(ha, "ha.run", "out of memory: state change of %s not evaluated", entity);
		return;
	}
	ev->no = ha->seq;
	if (ha->events_tail)
		ha->events_tail->next = ev;
	else
		ha->events = ev;
	ha->events_tail = ev;
	process_events(ha);
}

/* ---------------------------------------------------------------- load */

/* HA's slugify: lowercase ASCII, runs of anything else become one '_', trimmed. */
static char *slugify(const char *s)
{
	size_t len = strlen(s);
	char *out = malloc(len + 1), *o = out;
	if (!out)
		return NULL;
	bool sep = false;
	for (; *s; s++) {
		if (isalnum((unsigned char)*s)) {
			if (sep && o > out)
				*o++ = '_';
			*o++ = (char)tolower((unsigned char)*s);
			sep = false;
		} else {
			sep = true;
		}
	}
	*o = '\0';
	return out;
}

static int compile_automation(struct ctx *c, const struct ha_node *n, struct ha_auto *a)
{
	static const char *const keys[] = { "id", "alias", "description", "mode", "max", "max_exceeded",
					    "trigger", "triggers", "condition", "conditions", "action",
					    "actions", NULL };
	if (n->type != HA_NODE_MAP)
		return fail(c, n, "automation: expected a mapping");
	if (check_keys(c, n, "automation", keys) < 0 || check_plain(c, n) < 0)
		return -EINVAL;
	const struct ha_node *v;
	for (size_t i = 0; i + 1 < n->n; i += 2)
		if (!is_scalar(n->items[i + 1]) && (!strcmp(n->items[i]->text, "id") ||
						    !strcmp(n->items[i]->text, "alias") ||
						    !strcmp(n->items[i]->text, "mode")))
			return fail(c, n->items[i + 1], "%s: expected a string", n->items[i]->text);
	a->id = (v = ha_node_get(n, "id")) ? v->text : NULL;
	a->alias = (v = ha_node_get(n, "alias")) ? v->text : NULL;
	if (!a->alias && !a->id)
		return fail(c, n, "automation: alias or id is required");
	char *slug = slugify(a->alias ? a->alias : a->id);
	if (!slug)
		return -ENOMEM;
	if (!*slug) {
		free(slug);
		return fail(c, n, "automation: alias gives an empty entity id");
	}
	int ret = asprintf(&a->entity_id, "automation.%s", slug);
	free(slug);
	if (ret < 0) {
		a->entity_id = NULL;
		return -ENOMEM;
	}
	/* HA suffixes duplicates: _2, _3 ... */
	char *base = a->entity_id;
	for (int k = 2; ha_state_find(c->ha, a->entity_id); k++) {
		if (a->entity_id != base)
			free(a->entity_id);
		if (asprintf(&a->entity_id, "%s_%d", base, k) < 0) {
			a->entity_id = base;
			return -ENOMEM;
		}
	}
	if (a->entity_id != base)
		free(base);
	a->mode = MODE_SINGLE;
	a->max = 10;
	a->last_triggered = -1;
	if ((v = ha_node_get(n, "mode"))) {
		size_t m = 0;
		while (m < 4 && strcmp(v->text, mode_names[m]) != 0)
			m++;
		if (m == 4)
			return fail(c, v, "unsupported mode '%s'", v->text);
		a->mode = (enum mode)m;
	}
	if ((v = ha_node_get(n, "max"))) {
		double d;
		if (!is_scalar(v) || parse_number(v->text, &d) < 0 || d < 1 || d != floor(d))
			return fail(c, v, "max: expected a positive integer");
		a->max = (int)d;
	}
	const struct ha_node *trigs = get2(n, "triggers", "trigger");
	if (!trigs || list_len(trigs) == 0)
		return fail(c, n, "automation: triggers are required");
	a->triggers = calloc(list_len(trigs), sizeof(*a->triggers));
	if (!a->triggers)
		return -ENOMEM;
	for (size_t i = 0; i < list_len(trigs); i++) {
		struct ha_trigger *t = &a->triggers[i];
		a->n_triggers++;
		t->a = a;
		t->index = i;
		if (compile_trigger(c, list_at(trigs, i), t) < 0)
			return -EINVAL;
	}
	a->conditions = get2(n, "conditions", "condition");
	if (a->conditions && compile_conditions(c, a->conditions) < 0)
		return -EINVAL;
	a->actions = get2(n, "actions", "action");
	if (!a->actions)
		return fail(c, n, "automation: actions are required");
	if (compile_sequence(c, a->actions) < 0)
		return -EINVAL;
	update_entity(a);
	return 0;
}

int ha_automations_load(struct fl_ha *ha, char **err)
{
	struct ctx c = { .ha = ha, .err = err };
	const struct ha_node *doc = ha->auto_doc;
	if (doc->type == HA_NODE_SCALAR && (!doc->text[0] || !strcmp(doc->text, "null")))
		return 0;
	if (doc->type != HA_NODE_SEQ)
		return fail(&c, doc, "automations: expected a list");
	ha->autos = calloc(doc->n ? doc->n : 1, sizeof(*ha->autos));
	if (!ha->autos)
		return -ENOMEM;
	for (size_t i = 0; i < doc->n; i++) {
		struct ha_auto *a = calloc(1, sizeof(*a));
		if (!a)
			return -ENOMEM;
		a->ha = ha;
		ha->autos[ha->n_autos++] = a;
		int ret = compile_automation(&c, doc->items[i], a);
		if (!ret)
			ret = index_triggers(ha, a);
		if (ret < 0) {
			if (ret == -ENOMEM && err && !*err)
				*err = strdup("out of memory");
			return ret;
		}
	}
	return 0;
}

void ha_automations_free(struct fl_ha *ha)
{
	for (size_t i = 0; i < ha->n_autos; i++) {
		struct ha_auto *a = ha->autos[i];
		while (a->runs) {
			struct run *r = a->runs;
			release_waits(r);
			a->runs = r->next;
			free(r); /* orphaned shell calls never call back */
		}
		for (size_t j = 0; j < a->n_triggers; j++)
			trigger_release(ha, &a->triggers[j]);
		free(a->triggers);
		free(a->entity_id);
		free(a);
	}
	free(ha->autos);
	ha->autos = NULL;
	ha->n_autos = 0;
	fl_strmap_clear(&ha->trigger_index, trigger_list_free);
	while (ha->events) {
		struct ha_event *ev = ha->events;
		ha->events = ev->next;
		event_free(ev);
	}
	ha->events_tail = NULL;
}
