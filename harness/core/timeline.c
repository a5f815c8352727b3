#include "r4hil/timeline.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "r4hil/duration.h"
#include "r4hil/isotime.h"

struct gap {
	char *source;
	int64_t from_ms, to_ms;
	char *why;	/* what the lab answered, or NULL */
};

struct hil_timeline {
	struct hil_event *events;
	size_t n, cap;
	struct gap *gaps;
	size_t n_gaps, cap_gaps;
};

struct hil_timeline *hil_timeline_new(void)
{
	return calloc(1, sizeof(struct hil_timeline));
}

static void free_event(struct hil_event *e)
{
	free(e->source);
	free(e->subject);
	free(e->value);
	free(e->detail);
}

void hil_timeline_free(struct hil_timeline *tl)
{
	if (!tl)
		return;
	for (size_t i = 0; i < tl->n; i++)
		free_event(&tl->events[i]);
	for (size_t i = 0; i < tl->n_gaps; i++) {
		free(tl->gaps[i].source);
		free(tl->gaps[i].why);
	}
	free(tl->events);
	free(tl->gaps);
	free(tl);
}

static char *compact_json(const char *text, int *ret)
{
	struct json_object *obj;
	char *out;

	obj = json_tokener_parse(text);
	if (!obj) {
		*ret = -EINVAL;
		return NULL;
	}
	out = strdup(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
						    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(obj);
	if (!out)
		*ret = -ENOMEM;
	return out;
}

int hil_timeline_add(struct hil_timeline *tl, int64_t t_ms, const char *source,
		     const char *subject, const char *value, const char *detail_json)
{
	struct hil_event e = { .t_ms = t_ms };
	size_t lo = 0, hi = tl->n;
	int ret = -ENOMEM;

	if (!source || !subject)
		return -EINVAL;
	if (detail_json) {
		e.detail = compact_json(detail_json, &ret);
		if (!e.detail)
			return ret;
		ret = -ENOMEM;
	}
	e.source = strdup(source);
	e.subject = strdup(subject);
	e.value = strdup(value ? value : "");
	if (!e.source || !e.subject || !e.value)
		goto err;
	if (tl->n == tl->cap) {
		size_t cap = tl->cap ? tl->cap * 2 : 64;
		struct hil_event *v = realloc(tl->events, cap * sizeof(*v));

		if (!v)
			goto err;
		tl->events = v;
		tl->cap = cap;
	}
	/* upper bound: after every event at or before t_ms, so equal times keep arrival order */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (tl->events[mid].t_ms <= t_ms)
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(&tl->events[lo + 1], &tl->events[lo], (tl->n - lo) * sizeof(*tl->events));
	tl->events[lo] = e;
	tl->n++;
	return 0;
err:
	free_event(&e);
	return ret;
}

size_t hil_timeline_count(const struct hil_timeline *tl)
{
	return tl->n;
}

const struct hil_event *hil_timeline_get(const struct hil_timeline *tl, size_t i)
{
	return i < tl->n ? &tl->events[i] : NULL;
}

int hil_timeline_mark(struct hil_timeline *tl, const char *label, int64_t t_ms)
{
	if (!label)
		return -EINVAL;
	return hil_timeline_add(tl, t_ms, "harness", "mark", label, NULL);
}

int hil_timeline_mark_time(const struct hil_timeline *tl, const char *label, int64_t *t_ms)
{
	for (size_t i = 0; i < tl->n; i++) {
		const struct hil_event *e = &tl->events[i];

		if (!strcmp(e->subject, "mark") && !strcmp(e->source, "harness") &&
		    !strcmp(e->value, label)) {
			*t_ms = e->t_ms;
			return 0;
		}
	}
	return -ENOENT;
}

/* {"from":ms,"to":ms[,"why":"..."]}: the gap event's detail. Malloc'd, or NULL. */
static char *gap_detail(int64_t from_ms, int64_t to_ms, const char *why)
{
	struct json_object *o = json_object_new_object();
	char *out;

	if (!o)
		return NULL;
	json_object_object_add(o, "from", json_object_new_int64(from_ms));
	json_object_object_add(o, "to", json_object_new_int64(to_ms));
	if (why)
		json_object_object_add(o, "why", json_object_new_string(why));
	out = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return out;
}

/* The gap event recorded for @g (same source and start), or NULL. */
static struct hil_event *gap_event(struct hil_timeline *tl, const struct gap *g)
{
	for (size_t i = 0; i < tl->n; i++) {
		struct hil_event *e = &tl->events[i];

		if (e->t_ms == g->from_ms && !strcmp(e->subject, "gap") && !strcmp(e->source, g->source))
			return e;
	}
	return NULL;
}

/*
 * A poller that keeps failing reports a gap from its last good poll each time:
 * one growing gap, not a pile of nested ones.
 */
static int extend_gap(struct hil_timeline *tl, struct gap *g, int64_t to_ms)
{
	struct hil_event *e = gap_event(tl, g);
	char dur[32], *detail, *value;

	if (to_ms <= g->to_ms)
		return 0;
	detail = gap_detail(g->from_ms, to_ms, g->why);
	value = strdup(hil_duration_format(to_ms - g->from_ms, dur, sizeof(dur)));
	if (!detail || !value || !e) {
		free(detail);
		free(value);
		return e ? -ENOMEM : -ENOENT;
	}
	free(e->detail);
	free(e->value);
	e->detail = detail;
	e->value = value;
	g->to_ms = to_ms;
	return 0;
}

int hil_timeline_add_gap_why(struct hil_timeline *tl, const char *source, int64_t from_ms,
			     int64_t to_ms, const char *why)
{
	struct gap *g;
	char dur[32], *detail;
	int ret = -ENOMEM;

	if (!source || to_ms < from_ms)
		return -EINVAL;
	for (size_t i = 0; i < tl->n_gaps; i++)
		if (tl->gaps[i].from_ms == from_ms && !strcmp(tl->gaps[i].source, source))
			return extend_gap(tl, &tl->gaps[i], to_ms);
	if (tl->n_gaps == tl->cap_gaps) {
		size_t cap = tl->cap_gaps ? tl->cap_gaps * 2 : 8;
		struct gap *v = realloc(tl->gaps, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		tl->gaps = v;
		tl->cap_gaps = cap;
	}
	g = &tl->gaps[tl->n_gaps];
	*g = (struct gap){ .source = strdup(source), .from_ms = from_ms, .to_ms = to_ms,
			   .why = why ? strdup(why) : NULL };
	detail = gap_detail(from_ms, to_ms, why);
	if (g->source && (!why || g->why) && detail)
		ret = hil_timeline_add(tl, from_ms, source, "gap",
				       hil_duration_format(to_ms - from_ms, dur, sizeof(dur)), detail);
	free(detail);
	if (ret) {
		free(g->source);
		free(g->why);
		return ret;
	}
	tl->n_gaps++;
	return 0;
}

int hil_timeline_add_gap(struct hil_timeline *tl, const char *source, int64_t from_ms, int64_t to_ms)
{
	return hil_timeline_add_gap_why(tl, source, from_ms, to_ms, NULL);
}

int hil_timeline_gap_next(const struct hil_timeline *tl, const char *source, int64_t from_ms,
			  int64_t to_ms, size_t *pos, struct hil_gap *out)
{
	for (; *pos < tl->n_gaps; (*pos)++) {
		const struct gap *g = &tl->gaps[*pos];

		if (strcmp(g->source, source) || g->from_ms > to_ms || g->to_ms < from_ms)
			continue;
		*out = (struct hil_gap){ .source = g->source, .from_ms = g->from_ms,
					 .to_ms = g->to_ms, .why = g->why };
		(*pos)++;
		return 1;
	}
	return 0;
}

int hil_timeline_gap_overlaps(const struct hil_timeline *tl, const char *source, int64_t from_ms,
			      int64_t to_ms, int64_t *gap_from, int64_t *gap_to)
{
	struct hil_gap g;
	size_t pos = 0;

	if (!hil_timeline_gap_next(tl, source, from_ms, to_ms, &pos, &g))
		return 0;
	if (gap_from)
		*gap_from = g.from_ms;
	if (gap_to)
		*gap_to = g.to_ms;
	return 1;
}

int hil_timeline_write_jsonl(const struct hil_timeline *tl, FILE *f, const char *scenario,
			     int64_t epoch_ms_at_start)
{
	for (size_t i = 0; i < tl->n; i++) {
		const struct hil_event *e = &tl->events[i];
		struct json_object *o = json_object_new_object();
		char at[32];
		int ret = 0;

		if (!o)
			return -ENOMEM;
		hil_iso_format(epoch_ms_at_start + e->t_ms, at);
		json_object_object_add(o, "t", json_object_new_int64(e->t_ms));
		json_object_object_add(o, "at", json_object_new_string(at));
		json_object_object_add(o, "scenario", json_object_new_string(scenario ? scenario : ""));
		json_object_object_add(o, "source", json_object_new_string(e->source));
		json_object_object_add(o, "subject", json_object_new_string(e->subject));
		json_object_object_add(o, "value", json_object_new_string(e->value));
		if (e->detail)
			json_object_object_add(o, "detail", json_tokener_parse(e->detail));
		if (fprintf(f, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
					JSON_C_TO_STRING_NOSLASHESCAPE)) < 0)
			ret = -EIO;
		json_object_put(o);
		if (ret)
			return ret;
	}
	return fflush(f) ? -EIO : 0;
}

static int get_member(struct json_object *o, const char *key, enum json_type type,
		      struct json_object **v)
{
	return json_object_object_get_ex(o, key, v) && json_object_is_type(*v, type);
}

static int read_line(struct hil_timeline *tl, const char *line, const char *scenario,
		     const char **why)
{
	struct json_object *o = json_tokener_parse(line), *t, *source, *subject, *value, *detail, *sc;
	int ret = 0;

	*why = "not a JSON object";
	if (!o || !json_object_is_type(o, json_type_object)) {
		ret = -EINVAL;
		goto out;
	}
	if (scenario && (!get_member(o, "scenario", json_type_string, &sc) ||
			 strcmp(json_object_get_string(sc), scenario)))
		goto out;
	*why = "expected integer \"t\" and strings \"source\", \"subject\", \"value\"";
	if (!get_member(o, "t", json_type_int, &t) ||
	    !get_member(o, "source", json_type_string, &source) ||
	    !get_member(o, "subject", json_type_string, &subject) ||
	    !get_member(o, "value", json_type_string, &value)) {
		ret = -EINVAL;
		goto out;
	}
	if (!json_object_object_get_ex(o, "detail", &detail))
		detail = NULL;
	if (!strcmp(json_object_get_string(subject), "gap")) {
		struct json_object *from, *to, *gap_why;

		*why = "a gap needs \"detail\": {\"from\": ms, \"to\": ms}";
		if (!detail || !get_member(detail, "from", json_type_int, &from) ||
		    !get_member(detail, "to", json_type_int, &to)) {
			ret = -EINVAL;
			goto out;
		}
		ret = hil_timeline_add_gap_why(tl, json_object_get_string(source),
					       json_object_get_int64(from), json_object_get_int64(to),
					       get_member(detail, "why", json_type_string, &gap_why) ?
					       json_object_get_string(gap_why) : NULL);
	} else {
		ret = hil_timeline_add(tl, json_object_get_int64(t), json_object_get_string(source),
				       json_object_get_string(subject), json_object_get_string(value),
				       detail ? json_object_to_json_string_ext(detail, JSON_C_TO_STRING_PLAIN) : NULL);
	}
	*why = strerror(-ret);
out:
	json_object_put(o);
	return ret;
}

int hil_timeline_read_jsonl(const char *path, const char *scenario, struct hil_timeline **out,
			    char **err)
{
	struct hil_timeline *tl;
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int ret = 0, lineno = 0;
	const char *why = NULL;

	*out = NULL;
	if (err)
		*err = NULL;
	f = fopen(path, "r");
	if (!f) {
		ret = -errno;
		if (err && asprintf(err, "%s: failed to open: %s", path, strerror(-ret)) < 0)
			*err = NULL;
		return ret;
	}
	tl = hil_timeline_new();
	if (!tl) {
		fclose(f);
		return -ENOMEM;
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (strspn(line, " \t\r\n") == (size_t)len)
			continue;
		ret = read_line(tl, line, scenario, &why);
		if (ret)
			break;
	}
	if (!ret && ferror(f)) {
		ret = -EIO;
		why = strerror(EIO);
	}
	free(line);
	fclose(f);
	if (ret) {
		if (err && asprintf(err, "%s:%d: %s", path, lineno, why) < 0)
			*err = NULL;
		hil_timeline_free(tl);
		return ret;
	}
	*out = tl;
	return 0;
}
