#include "r4hil/expect.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "r4hil/duration.h"

#define MAX_EVIDENCE 16

static const char *const status_names[] = {
	[HIL_PASS] = "pass",
	[HIL_FAIL] = "fail",
	[HIL_ERROR] = "error",
	[HIL_SKIPPED] = "skipped",
};

const char *hil_status_name(enum hil_status status)
{
	return status <= HIL_SKIPPED ? status_names[status] : "?";
}

void hil_verdict_clear(struct hil_verdict *v)
{
	if (!v)
		return;
	free(v->message);
	free(v->evidence);
	memset(v, 0, sizeof(*v));
}

const char *hil_subject_source(const char *subject)
{
	if (!strcmp(subject, "plug"))
		return "plug";
	/* ring.*: the health ring, read over SSH like observe.commands */
	if (!strncmp(subject, "router.", 7) || !strncmp(subject, "ring.", 5))
		return "router";
	/* what the harness itself did: act.ssh, act.flash, gpio.tx_fault */
	if (!strncmp(subject, "inject.", 7) || !strncmp(subject, "act.", 4) || !strncmp(subject, "gpio.", 5) ||
	    !strcmp(subject, "step") || !strcmp(subject, "mark"))
		return "harness";
	return "ha";
}

struct eval {
	const struct hil_expect *e;
	const struct hil_timeline *tl;
	struct hil_verdict *out;
	const char *anchor;	/* times in messages are relative to it */
	int64_t anchor_ms;
	int64_t from, to;
	char window[160];	/* "storm..storm+3m" */
	/*
	 * Where the verdict depends on not having missed an event: a gap of the
	 * subject's source there makes it an error. None when an observed event
	 * decides it alone (a value seen in its window).
	 */
	struct need {
		const char *subject;
		int64_t from, to;
	} need[2];
	size_t n_need;
	char what[320];	/* "whether switch.internet == \"off\" ever held in window ..." */
	int oom;
};

static void need(struct eval *ev, const char *subject, int64_t from, int64_t to)
{
	if (ev->n_need < 2)
		ev->need[ev->n_need++] = (struct need){ subject, from, to };
}

/* "storm+2m50s", "start-10s", "storm" */
static const char *rel(const struct eval *ev, int64_t t, char buf[64])
{
	char d[32];
	int64_t off = t - ev->anchor_ms;

	if (!off)
		snprintf(buf, 64, "%s", ev->anchor);
	else
		snprintf(buf, 64, "%s%s%s", ev->anchor, off > 0 ? "+" : "-",
			 hil_duration_format(off > 0 ? off : -off, d, sizeof(d)));
	return buf;
}

static void add_evidence(struct eval *ev, size_t i)
{
	struct hil_verdict *v = ev->out;

	if (v->n_evidence >= MAX_EVIDENCE)
		return;
	if (!v->evidence) {
		v->evidence = calloc(MAX_EVIDENCE, sizeof(*v->evidence));
		if (!v->evidence) {
			ev->oom = 1;
			return;
		}
	}
	for (size_t k = 0; k < v->n_evidence; k++)
		if (v->evidence[k] == i)
			return;
	v->evidence[v->n_evidence++] = i;
}

__attribute__((format(printf, 3, 4)))
static void verdict(struct eval *ev, enum hil_status status, const char *fmt, ...)
{
	va_list ap;

	free(ev->out->message);
	ev->out->status = status;
	va_start(ap, fmt);
	if (vasprintf(&ev->out->message, fmt, ap) < 0) {
		ev->out->message = NULL;
		ev->oom = 1;
	}
	va_end(ap);
}

static int resolve(struct eval *ev, const struct hil_timeref *ref, int64_t *t)
{
	if (hil_timeline_mark_time(ev->tl, ref->anchor, t)) {
		verdict(ev, HIL_ERROR, "the window anchor \"%s\" was never reached (no mark in the timeline)",
			ref->anchor);
		return -ENOENT;
	}
	*t += ref->offset_ms;
	return 0;
}

static void ref_text(const struct hil_timeref *ref, char *buf, size_t len)
{
	char d[32];

	if (!ref->offset_ms)
		snprintf(buf, len, "%s", ref->anchor);
	else
		snprintf(buf, len, "%s%s%s", ref->anchor, ref->offset_ms > 0 ? "+" : "-",
			 hil_duration_format(ref->offset_ms > 0 ? ref->offset_ms : -ref->offset_ms, d,
					     sizeof(d)));
}

static int resolve_window(struct eval *ev)
{
	const struct hil_window *w = &ev->e->window;
	struct hil_timeref end = { .anchor = "end" };
	char a[64], b[64];

	if (resolve(ev, &w->from, &ev->from))
		return -ENOENT;
	ev->anchor = w->from.anchor;
	hil_timeline_mark_time(ev->tl, ev->anchor, &ev->anchor_ms);
	ref_text(&w->from, a, sizeof(a));
	if (w->has_for) {
		ev->to = ev->from + w->for_ms;
		rel(ev, ev->to, b);
	} else {
		if (resolve(ev, w->has_to ? &w->to : &end, &ev->to))
			return -ENOENT;
		ref_text(w->has_to ? &w->to : &end, b, sizeof(b));
	}
	snprintf(ev->window, sizeof(ev->window), "%s..%s", a, b);
	return 0;
}

static int is_subject(const struct hil_event *x, const char *subject)
{
	return !strcmp(x->subject, subject) && strcmp(x->subject, "gap");
}

/* Index of the last event of @subject at or before @t, or -1: the state known at @t. */
static long state_at(const struct hil_timeline *tl, const char *subject, int64_t t)
{
	long found = -1;

	for (size_t i = 0; i < hil_timeline_count(tl); i++) {
		const struct hil_event *x = hil_timeline_get(tl, i);

		if (x->t_ms > t)
			break;
		if (is_subject(x, subject))
			found = (long)i;
	}
	return found;
}

/* What the subject looked like in the window, for a failure message. */
static void seen_summary(struct eval *ev, const struct hil_cond *c, char *buf, size_t len)
{
	size_t n = 0, best = 0, last = 0;
	double best_v = 0;
	int have_num = 0;
	char t[64];

	for (size_t i = 0; i < hil_timeline_count(ev->tl); i++) {
		const struct hil_event *x = hil_timeline_get(ev->tl, i);
		char *end;
		double v;

		if (x->t_ms < ev->from || x->t_ms > ev->to || !is_subject(x, c->subject))
			continue;
		n++;
		last = i;
		v = strtod(x->value, &end);
		if (end == x->value || *end)
			continue;
		if (!have_num || (c->op == HIL_COND_ABOVE || c->op == HIL_COND_AT_LEAST ? v > best_v : v < best_v)) {
			best_v = v;
			best = i;
			have_num = 1;
		}
	}
	if (!n) {
		snprintf(buf, len, "no event of %s in the window", c->subject);
		return;
	}
	if (c->op != HIL_COND_EQUALS && have_num) {
		const struct hil_event *x = hil_timeline_get(ev->tl, best);

		snprintf(buf, len, "%s seen %s at %s, %zu event%s", c->op == HIL_COND_ABOVE ||
			 c->op == HIL_COND_AT_LEAST ? "max" : "min", x->value, rel(ev, x->t_ms, t), n,
			 n == 1 ? "" : "s");
		add_evidence(ev, best);
		return;
	}
	snprintf(buf, len, "last value \"%s\" at %s, %zu event%s",
		 hil_timeline_get(ev->tl, last)->value, rel(ev, hil_timeline_get(ev->tl, last)->t_ms, t),
		 n, n == 1 ? "" : "s");
	add_evidence(ev, last);
}

static void eval_some(struct eval *ev, char *desc)
{
	const struct hil_cond *c = &ev->e->cond;
	char seen[192], t[64];

	for (size_t i = 0; i < hil_timeline_count(ev->tl); i++) {
		const struct hil_event *x = hil_timeline_get(ev->tl, i);

		if (x->t_ms < ev->from || x->t_ms > ev->to || !is_subject(x, c->subject) ||
		    !hil_cond_match(c, x->value))
			continue;
		add_evidence(ev, i);
		verdict(ev, HIL_PASS, "%s held at %s (value %s) in window %s", desc, rel(ev, x->t_ms, t),
			x->value, ev->window);
		return;
	}
	need(ev, c->subject, ev->from, ev->to);
	snprintf(ev->what, sizeof(ev->what), "whether %s held in window %s", desc, ev->window);
	seen_summary(ev, c, seen, sizeof(seen));
	verdict(ev, HIL_FAIL, "%s never held in window %s (%s)", desc, ev->window, seen);
}

static void eval_never(struct eval *ev, char *desc)
{
	const struct hil_cond *c = &ev->e->cond;
	size_t n = 0, n_seen = 0, first = 0;
	char t[64];

	/* a hole anywhere in the window may hide the forbidden value, and a value seen
	 * next to one may be the lab's doing (a dropped link reads as the router down) */
	need(ev, c->subject, ev->from, ev->to);
	snprintf(ev->what, sizeof(ev->what), "whether %s ever held in window %s", desc, ev->window);
	for (size_t i = 0; i < hil_timeline_count(ev->tl); i++) {
		const struct hil_event *x = hil_timeline_get(ev->tl, i);

		if (x->t_ms < ev->from || x->t_ms > ev->to || !is_subject(x, c->subject))
			continue;
		n_seen++;
		if (!hil_cond_match(c, x->value))
			continue;
		if (!n++)
			first = i;
		add_evidence(ev, i);
	}
	if (!n) {
		verdict(ev, HIL_PASS, "%s never held in window %s (%zu event%s of %s seen)", desc,
			ev->window, n_seen, n_seen == 1 ? "" : "s", c->subject);
		return;
	}
	verdict(ev, HIL_FAIL, "%s held at %s (value %s), %zu time%s in window %s where it must never hold",
		desc, rel(ev, hil_timeline_get(ev->tl, first)->t_ms, t),
		hil_timeline_get(ev->tl, first)->value, n, n == 1 ? "" : "s", ev->window);
}

static void bounds_text(const struct hil_expect *e, char *buf, size_t len)
{
	char a[32], b[32];

	if (e->has_min && e->has_max)
		snprintf(buf, len, "allowed %s..%s", hil_duration_format(e->min_ms, a, sizeof(a)),
			 hil_duration_format(e->max_ms, b, sizeof(b)));
	else if (e->has_max)
		snprintf(buf, len, "allowed at most %s", hil_duration_format(e->max_ms, b, sizeof(b)));
	else
		snprintf(buf, len, "required at least %s", hil_duration_format(e->min_ms, a, sizeof(a)));
}

static int in_bounds(const struct hil_expect *e, int64_t d)
{
	return (!e->has_min || d >= e->min_ms) && (!e->has_max || d <= e->max_ms);
}

/*
 * The first stretch in the window during which @c holds: its start (at or
 * after @from) and end (the first later event that breaks it). *open is set
 * when nothing broke it before the end of the recording.
 */
static int find_stretch(struct eval *ev, const struct hil_cond *c, int64_t from, int64_t to,
			int64_t *start, int64_t *end, int *open)
{
	const struct hil_timeline *tl = ev->tl;
	long s = state_at(tl, c->subject, from);
	size_t i = 0;
	int holding = 0;

	if (s >= 0 && hil_cond_match(c, hil_timeline_get(tl, (size_t)s)->value)) {
		holding = 1;
		*start = from;
		add_evidence(ev, (size_t)s);
		i = (size_t)s + 1;
	}
	for (; i < hil_timeline_count(tl); i++) {
		const struct hil_event *x = hil_timeline_get(tl, i);

		if (!is_subject(x, c->subject) || x->t_ms < from)
			continue;
		if (!holding) {
			if (x->t_ms > to)
				return -ENOENT;
			if (hil_cond_match(c, x->value)) {
				holding = 1;
				*start = x->t_ms;
				add_evidence(ev, i);
			}
		} else if (!hil_cond_match(c, x->value)) {
			*end = x->t_ms;
			*open = 0;
			add_evidence(ev, i);
			return 0;
		}
	}
	if (!holding)
		return -ENOENT;
	/* state is known until the recording ends */
	if (hil_timeline_mark_time(tl, "end", end) || *end < *start)
		*end = to > *start ? to : *start;
	*open = 1;
	return 0;
}

static void eval_sustained(struct eval *ev, char *desc)
{
	const struct hil_expect *e = ev->e;
	int64_t start = 0, end = 0;
	int open = 0;
	char bounds[96], seen[192], t1[64], t2[64], d[32];

	bounds_text(e, bounds, sizeof(bounds));
	snprintf(ev->what, sizeof(ev->what), "how long %s held in window %s", desc, ev->window);
	if (find_stretch(ev, &e->cond, ev->from, ev->to, &start, &end, &open)) {
		need(ev, e->cond.subject, ev->from, ev->to);
		seen_summary(ev, &e->cond, seen, sizeof(seen));
		verdict(ev, HIL_FAIL, "%s never held in window %s (%s; %s)", desc, ev->window, seen,
			bounds);
		return;
	}
	hil_duration_format(end - start, d, sizeof(d));
	/* an earlier stretch, a break or the real end may hide in a gap up to the stretch's end */
	need(ev, e->cond.subject, ev->from, open && ev->to > end ? ev->to : end);
	if (in_bounds(e, end - start))
		verdict(ev, HIL_PASS, "%s held for %s%s (%s) from %s", desc, open ? "at least " : "",
			d, bounds, rel(ev, start, t1));
	else
		verdict(ev, HIL_FAIL, "%s held for %s%s (%s) from %s to %s", desc,
			open ? "at least " : "only ", d, bounds, rel(ev, start, t1),
			open ? "the end of the recording" : rel(ev, end, t2));
}

static void eval_recovery(struct eval *ev)
{
	const struct hil_expect *e = ev->e;
	char *from_desc = hil_cond_describe(&e->from), *to_desc = hil_cond_describe(&e->to);
	char bounds[96], t1[64], d[32];
	int64_t t0 = 0, start = 0, end = 0;
	int open = 0, found = 0;

	if (!from_desc || !to_desc) {
		ev->oom = 1;
		goto out;
	}
	bounds_text(e, bounds, sizeof(bounds));
	snprintf(ev->what, sizeof(ev->what), "when %s held after %s", to_desc, from_desc);
	for (size_t i = 0; i < hil_timeline_count(ev->tl); i++) {
		const struct hil_event *x = hil_timeline_get(ev->tl, i);

		if (x->t_ms < ev->from || x->t_ms > ev->to || !is_subject(x, e->from.subject) ||
		    !hil_cond_match(&e->from, x->value))
			continue;
		t0 = x->t_ms;
		found = 1;
		add_evidence(ev, i);
		break;
	}
	/* an earlier anchor event may hide in a gap before the one seen */
	need(ev, e->from.subject, ev->from, found ? t0 : ev->to);
	if (!found) {
		verdict(ev, HIL_FAIL, "no event %s in window %s: nothing to measure recovery from (%s)",
			from_desc, ev->window, bounds);
		goto out;
	}
	/* recovery may complete after the window: the window only places the anchor event */
	if (find_stretch(ev, &e->to, t0, INT64_MAX, &start, &end, &open)) {
		need(ev, e->to.subject, t0, INT64_MAX);
		verdict(ev, HIL_FAIL, "%s never held after %s at %s (%s)", to_desc, from_desc,
			rel(ev, t0, t1), bounds);
		goto out;
	}
	/* an earlier recovery may hide in a gap between the anchor and the one seen */
	need(ev, e->to.subject, t0, start);
	hil_duration_format(start - t0, d, sizeof(d));
	verdict(ev, in_bounds(e, start - t0) ? HIL_PASS : HIL_FAIL,
		"%s held %s after %s at %s (%s)", to_desc, d, from_desc, rel(ev, t0, t1), bounds);
out:
	free(from_desc);
	free(to_desc);
}

/* The gap event of @g, as evidence. */
static void add_gap_evidence(struct eval *ev, const struct hil_gap *g)
{
	for (size_t i = 0; i < hil_timeline_count(ev->tl); i++) {
		const struct hil_event *x = hil_timeline_get(ev->tl, i);

		if (!strcmp(x->subject, "gap") && !strcmp(x->source, g->source) && x->t_ms == g->from_ms)
			add_evidence(ev, i);
	}
}

/*
 * A verdict that depends on what a source could not be read for is the lab's
 * error, pass or fail alike: the message names the part and what it answered.
 */
static void judge_gaps(struct eval *ev)
{
	char t1[64], t2[64], who[96], *msg;
	struct hil_gap g;

	for (size_t k = 0; k < ev->n_need; k++) {
		const struct need *n = &ev->need[k];
		const char *source = hil_subject_source(n->subject);
		size_t pos = 0;

		if (!hil_timeline_gap_next(ev->tl, source, n->from, n->to, &pos, &g))
			continue;
		if (!g.why)
			snprintf(who, sizeof(who), "%s was not observed", source);
		if (asprintf(&msg, "%s from %s to %s; cannot tell %s (what was seen: %s)",
			     g.why ? g.why : who, rel(ev, g.from_ms, t1), rel(ev, g.to_ms, t2), ev->what,
			     ev->out->message ? ev->out->message : "") < 0) {
			ev->oom = 1;
			return;
		}
		free(ev->out->message);
		ev->out->message = msg;
		ev->out->status = HIL_ERROR;
		add_gap_evidence(ev, &g);
		return;
	}
}

int hil_expect_eval(const struct hil_expect *e, const struct hil_timeline *tl,
		    struct hil_verdict *out)
{
	struct eval ev = { .e = e, .tl = tl, .out = out };
	char *desc = NULL;

	memset(out, 0, sizeof(*out));
	if (resolve_window(&ev))
		goto out;
	if (e->kind != HIL_EXPECT_RECOVERY) {
		desc = hil_cond_describe(&e->cond);
		if (!desc) {
			ev.oom = 1;
			goto out;
		}
	}
	switch (e->kind) {
	case HIL_EXPECT_VALUE:
	case HIL_EXPECT_EVENT:
		eval_some(&ev, desc);
		break;
	case HIL_EXPECT_NEVER:
		eval_never(&ev, desc);
		break;
	case HIL_EXPECT_SUSTAINED:
		eval_sustained(&ev, desc);
		break;
	case HIL_EXPECT_RECOVERY:
		eval_recovery(&ev);
		break;
	}
	judge_gaps(&ev);
out:
	free(desc);
	if (ev.oom) {
		hil_verdict_clear(out);
		return -ENOMEM;
	}
	return 0;
}
