#include "r4hil/scenario.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const op_names[] = {
	[HIL_COND_EQUALS] = "equals",
	[HIL_COND_ABOVE] = "above",
	[HIL_COND_BELOW] = "below",
	[HIL_COND_AT_LEAST] = "at_least",
	[HIL_COND_AT_MOST] = "at_most",
};

static const char *const op_symbols[] = {
	[HIL_COND_EQUALS] = "==",
	[HIL_COND_ABOVE] = ">",
	[HIL_COND_BELOW] = "<",
	[HIL_COND_AT_LEAST] = ">=",
	[HIL_COND_AT_MOST] = "<=",
};

static const char *const kind_names[] = {
	[HIL_EXPECT_VALUE] = "value",
	[HIL_EXPECT_EVENT] = "event",
	[HIL_EXPECT_NEVER] = "never",
	[HIL_EXPECT_SUSTAINED] = "sustained",
	[HIL_EXPECT_RECOVERY] = "recovery",
};

const char *hil_cond_op_name(enum hil_cond_op op)
{
	return op <= HIL_COND_AT_MOST ? op_names[op] : "?";
}

const char *hil_expect_kind_name(enum hil_expect_kind kind)
{
	return kind <= HIL_EXPECT_RECOVERY ? kind_names[kind] : "?";
}

int hil_cond_match(const struct hil_cond *c, const char *value)
{
	char *end;
	double v;

	if (!value)
		return 0;
	if (c->op == HIL_COND_EQUALS)
		return c->text && !strcmp(c->text, value);
	errno = 0;
	v = strtod(value, &end);
	if (end == value || *end || errno == ERANGE || !isfinite(v))
		return 0;
	switch (c->op) {
	case HIL_COND_ABOVE:
		return v > c->number;
	case HIL_COND_BELOW:
		return v < c->number;
	case HIL_COND_AT_LEAST:
		return v >= c->number;
	case HIL_COND_AT_MOST:
		return v <= c->number;
	default:
		return 0;
	}
}

char *hil_cond_describe(const struct hil_cond *c)
{
	const char *sym = c->op <= HIL_COND_AT_MOST ? op_symbols[c->op] : "?";
	char *out;
	int r;

	if (c->op == HIL_COND_EQUALS)
		r = asprintf(&out, "%s %s \"%s\"", c->subject ? c->subject : "?", sym,
			     c->text ? c->text : "");
	else
		r = asprintf(&out, "%s %s %.15g", c->subject ? c->subject : "?", sym, c->number);
	return r < 0 ? NULL : out;
}

int hil_subject_is_builtin(const char *subject)
{
	return !strcmp(subject, "plug") || !strcmp(subject, "step") ||
	       !strcmp(subject, "mark") || !strcmp(subject, "gap") ||
	       !strncmp(subject, "router.", 7) || !strncmp(subject, "ring.", 5) ||
	       !strncmp(subject, "inject.", 7) || !strncmp(subject, "act.", 4) ||
	       !strncmp(subject, "gpio.", 5);
}

struct strlist {
	char **v;
	size_t n, cap;
	int oom;
};

static void add_entity(struct strlist *l, const char *subject)
{
	if (!subject || l->oom || hil_subject_is_builtin(subject))
		return;
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], subject))
			return;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		char **v = realloc(l->v, cap * sizeof(*v));

		if (!v) {
			l->oom = 1;
			return;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n] = strdup(subject);
	if (!l->v[l->n])
		l->oom = 1;
	else
		l->n++;
}

char **hil_scenario_ha_entities(const struct hil_scenario *s, size_t *n)
{
	struct strlist l = { 0 };

	for (size_t i = 0; i < s->n_entities; i++)
		add_entity(&l, s->entities[i]);
	for (size_t i = 0; i < s->steady.n_probes; i++)
		if (s->steady.probes[i].kind == HIL_PROBE_STATE)
			add_entity(&l, s->steady.probes[i].cond.subject);
	for (size_t i = 0; i < s->n_expects; i++) {
		const struct hil_expect *e = &s->expects[i];

		if (e->kind == HIL_EXPECT_RECOVERY) {
			add_entity(&l, e->from.subject);
			add_entity(&l, e->to.subject);
		} else {
			add_entity(&l, e->cond.subject);
		}
	}
	if (l.oom) {
		for (size_t i = 0; i < l.n; i++)
			free(l.v[i]);
		free(l.v);
		*n = 0;
		errno = ENOMEM;
		return NULL;
	}
	*n = l.n;
	return l.v;
}
