/* The fake HA's state machine: current states with their full history, and HA's time format. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "servers/ha_internal.h"

struct ha_state *ha_state_find(const struct fl_ha *ha, const char *entity)
{
	return fl_strmap_get(&ha->state_index, entity);
}

/* HA's valid_entity_id: "domain.object_id", [a-z0-9_], no leading/trailing '_', no "__" in the domain. */
static bool slug_ok(const char *s, size_t len, bool is_domain)
{
	if (len == 0 || s[0] == '_' || s[len - 1] == '_')
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '_'))
			return false;
		if (is_domain && i > 0 && s[i] == '_' && s[i - 1] == '_')
			return false;
	}
	return true;
}

bool ha_entity_id_valid(const char *entity)
{
	const char *dot = strchr(entity, '.');
	if (!dot || strchr(dot + 1, '.'))
		return false;
	return slug_ok(entity, (size_t)(dot - entity), true) && slug_ok(dot + 1, strlen(dot + 1), false);
}

static void row_free(struct ha_row *r)
{
	free(r->state);
	json_object_put(r->attrs);
}

void ha_states_free(struct fl_ha *ha)
{
	for (size_t i = 0; i < ha->n_states; i++) {
		struct ha_state *st = ha->states[i];
		for (size_t j = 0; j < st->n_rows; j++)
			row_free(&st->rows[j]);
		free(st->rows);
		free(st->entity_id);
		free(st);
	}
	free(ha->states);
	ha->states = NULL;
	fl_strmap_clear(&ha->state_index, NULL);
	ha->n_states = ha->cap_states = 0;
}

static struct ha_state *state_add(struct fl_ha *ha, const char *entity)
{
	if (ha->n_states == ha->cap_states) {
		size_t cap = ha->cap_states ? ha->cap_states * 2 : 16;
		struct ha_state **s = realloc(ha->states, cap * sizeof(*s));
		if (!s)
			return NULL;
		ha->states = s;
		ha->cap_states = cap;
	}
	struct ha_state *st = calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	st->entity_id = strdup(entity);
	if (!st->entity_id) {
		free(st);
		return NULL;
	}
	if (fl_strmap_put(&ha->state_index, entity, st) < 0) {
		free(st->entity_id);
		free(st);
		return NULL;
	}
	ha->states[ha->n_states++] = st;
	return st;
}

int ha_state_set(struct fl_ha *ha, const char *entity, const char *state, struct json_object *attrs,
		 bool *created)
{
	if (!ha_entity_id_valid(entity) || strlen(state) > 255) {
		json_object_put(attrs);
		return -EINVAL;
	}
	struct ha_state *st = ha_state_find(ha, entity);
	struct ha_row *cur = st && st->n_rows ? &st->rows[st->n_rows - 1] : NULL;
	if (created)
		*created = !st;
	if (!attrs)
		attrs = cur ? json_object_get(cur->attrs) : json_object_new_object();
	if (!attrs)
		return -ENOMEM;
	bool state_changed = !cur || strcmp(cur->state, state) != 0;
	if (!state_changed && json_object_equal(cur->attrs, attrs)) {
		json_object_put(attrs);
		return 0;
	}
	if (!st && !(st = state_add(ha, entity))) {
		json_object_put(attrs);
		return -ENOMEM;
	}
	if (st->n_rows == st->cap_rows) {
		size_t cap = st->cap_rows ? st->cap_rows * 2 : 8;
		struct ha_row *r = realloc(st->rows, cap * sizeof(*r));
		if (!r) {
			json_object_put(attrs);
			return -ENOMEM;
		}
		st->rows = r;
		st->cap_rows = cap;
	}
	cur = st->n_rows ? &st->rows[st->n_rows - 1] : NULL;
	struct ha_row *row = &st->rows[st->n_rows];
	fl_ms now = fl_loop_now(ha->loop);
	*row = (struct ha_row){ .state = strdup(state), .attrs = attrs, .last_updated = now };
	if (!row->state) {
		json_object_put(attrs);
		return -ENOMEM;
	}
	row->last_changed = state_changed ? now : cur->last_changed;
	/* deterministic stand-in for HA's ULID context ids */
	snprintf(row->context, sizeof(row->context), "01FAKE%020llu", (unsigned long long)++ha->context_counter);
	st->n_rows++;
	st->seq = ++ha->seq;
	const char *old = cur ? cur->state : NULL;
	ha_automations_state_changed(ha, entity, old, row->state);
	return 1;
}

void ha_format_time(fl_ms t, char *buf, size_t len)
{
	time_t secs = (time_t)(t >= 0 ? t / 1000 : (t - 999) / 1000);
	int ms = (int)(t - (fl_ms)secs * 1000);
	struct tm tm;
	gmtime_r(&secs, &tm);
	char base[32];
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	/* Python's isoformat() drops a zero microsecond part; HA's JSON follows it */
	if (ms)
		snprintf(buf, len, "%s.%03d000+00:00", base, ms);
	else
		snprintf(buf, len, "%s+00:00", base);
}

int ha_parse_time(const char *s, fl_ms *t)
{
	struct tm tm = { 0 };
	int n = 0;
	if (sscanf(s, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &n) != 3 || n != 10)
		return -EINVAL;
	s += n;
	fl_ms frac = 0;
	if (*s == 'T' || *s == ' ') {
		if (sscanf(s + 1, "%2d:%2d%n", &tm.tm_hour, &tm.tm_min, &n) != 2 || n != 5)
			return -EINVAL;
		s += 1 + n;
		if (*s == ':') {
			if (sscanf(s + 1, "%2d%n", &tm.tm_sec, &n) != 1 || n != 2)
				return -EINVAL;
			s += 3;
		}
		if (*s == '.') {
			int digits = 0;
			for (s++; isdigit((unsigned char)*s); s++, digits++)
				if (digits < 3)
					frac = frac * 10 + (*s - '0');
			if (!digits)
				return -EINVAL;
			for (; digits < 3; digits++)
				frac *= 10;
		}
	}
	fl_ms off = 0;
	if (*s == 'Z') {
		s++;
	} else if (*s == '+' || *s == '-' || *s == ' ') {
		/* a '+' that was not URL-encoded arrives as a space */
		int sign = *s == '-' ? -1 : 1, hh, mm;
		if (sscanf(s + 1, "%2d:%2d%n", &hh, &mm, &n) != 2 || n != 5)
			return -EINVAL;
		off = sign * ((fl_ms)hh * 3600 + mm * 60) * 1000;
		s += 1 + n;
	}
	if (*s)
		return -EINVAL;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	time_t secs = timegm(&tm);
	*t = (fl_ms)secs * 1000 + frac - off;
	return 0;
}

static struct json_object *row_json(const char *entity, const struct ha_row *r, fl_ms clamp, bool attrs,
				    bool minimal)
{
	char lc[40], lu[40];
	ha_format_time(r->last_changed > clamp ? r->last_changed : clamp, lc, sizeof(lc));
	ha_format_time(r->last_updated > clamp ? r->last_updated : clamp, lu, sizeof(lu));
	struct json_object *o = json_object_new_object();
	if (!minimal)
		json_object_object_add(o, "entity_id", json_object_new_string(entity));
	json_object_object_add(o, "state", json_object_new_string(r->state));
	if (!minimal)
		json_object_object_add(o, "attributes", attrs ? json_object_get(r->attrs) : json_object_new_object());
	json_object_object_add(o, "last_changed", json_object_new_string(lc));
	if (!minimal)
		json_object_object_add(o, "last_updated", json_object_new_string(lu));
	return o;
}

struct json_object *ha_state_json(const struct ha_state *st)
{
	const struct ha_row *r = &st->rows[st->n_rows - 1];
	struct json_object *o = row_json(st->entity_id, r, 0, true, false);
	struct json_object *ctx = json_object_new_object();
	json_object_object_add(ctx, "id", json_object_new_string(r->context));
	json_object_object_add(ctx, "parent_id", NULL);
	json_object_object_add(ctx, "user_id", NULL);
	json_object_object_add(o, "context", ctx);
	return o;
}

/*
 * Like HA's recorder: the first row is the state at @start, stamped @start; then
 * every change in (start, end]. Significant changes are state changes only.
 */
struct json_object *ha_history(const struct fl_ha *ha, char **entities, size_t n, fl_ms start, fl_ms end,
			       int flags)
{
	struct json_object *out = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		const struct ha_state *st = ha_state_find(ha, entities[i]);
		if (!st)
			continue;
		struct json_object *list = json_object_new_array();
		size_t first = 0;
		bool have_start = false;
		for (size_t j = 0; j < st->n_rows && st->rows[j].last_updated <= start; j++) {
			first = j;
			have_start = true;
		}
		size_t rows_in = 0;
		for (size_t j = have_start ? first : 0; j < st->n_rows; j++) {
			const struct ha_row *r = &st->rows[j];
			bool is_start = have_start && j == first;
			if (!is_start && (r->last_updated <= start || r->last_updated > end))
				continue;
			if (!is_start && !(flags & HA_HIST_ALL_CHANGES) && r->last_changed != r->last_updated)
				continue;
			rows_in++;
			json_object_array_add(list, row_json(st->entity_id, r,
							     is_start ? start : 0, !(flags & HA_HIST_NO_ATTRS),
							     false));
		}
		if (flags & HA_HIST_MINIMAL) {
			size_t len = json_object_array_length(list);
			for (size_t k = 1; k + 1 < len; k++) {
				struct json_object *row = json_object_array_get_idx(list, k);
				/* minimal middle rows carry only state and last_changed */
				json_object_object_del(row, "entity_id");
				json_object_object_del(row, "attributes");
				json_object_object_del(row, "last_updated");
			}
		}
		if (rows_in)
			json_object_array_add(out, list);
		else
			json_object_put(list);
	}
	return out;
}
