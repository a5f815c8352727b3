/* Rule-table checks of JSON objects (see r4hil/jsonschema.h). */
#include "r4hil/jsonschema.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const type_names[] = {
	[HIL_JSONSCHEMA_ANY] = "a value",
	[HIL_JSONSCHEMA_STRING] = "a string",
	[HIL_JSONSCHEMA_INTEGER] = "an integer",
	[HIL_JSONSCHEMA_NUMBER] = "a number",
	[HIL_JSONSCHEMA_BOOL] = "true or false",
	[HIL_JSONSCHEMA_OBJECT] = "an object",
	[HIL_JSONSCHEMA_ARRAY] = "an array",
};

void hil_jsonschema_push_key(struct hil_jsonschema *sc, const char *key)
{
	assert(sc->depth < ARRAY_SIZE(sc->path));
	sc->path[sc->depth++] = (struct hil_jsonpos_seg){ .key = key };
}

void hil_jsonschema_push_index(struct hil_jsonschema *sc, size_t index)
{
	assert(sc->depth < ARRAY_SIZE(sc->path));
	sc->path[sc->depth++] = (struct hil_jsonpos_seg){ .index = index };
}

void hil_jsonschema_pop(struct hil_jsonschema *sc)
{
	assert(sc->depth > 0);
	sc->depth--;
}

/* Where the current path is; a path that does not exist (a missing key) reports its parent. */
static void locate(const struct hil_jsonschema *sc, enum hil_jsonpos_target target, int *line, int *col)
{
	size_t depth = sc->depth;

	*line = *col = 1;
	if (!hil_jsondoc_find(sc->doc, sc->path, depth, target, line, col))
		return;
	while (depth-- > 0)
		if (!hil_jsondoc_find(sc->doc, sc->path, depth, HIL_JSONPOS_VALUE, line, col))
			return;
}

static void path_string(const struct hil_jsonschema *sc, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sc->depth && used < len; i++) {
		if (sc->path[i].key)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? "." : "", sc->path[i].key);
		else
			used += (size_t)snprintf(buf + used, len - used, "[%zu]", sc->path[i].index);
	}
}

void hil_jsonschema_report(struct hil_jsonschema *sc, enum hil_jsonpos_target target, const char *fmt, ...)
{
	char where[256], what[512];
	int line, col;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	locate(sc, target, &line, &col);
	path_string(sc, where, sizeof(where));
	sc->n_problems++;
	sc->report(sc->arg, line, col, where, what);
}

static int type_ok(enum hil_jsonschema_type type, struct json_object *v)
{
	switch (type) {
	case HIL_JSONSCHEMA_ANY:
		return 1;
	case HIL_JSONSCHEMA_STRING:
		return json_object_is_type(v, json_type_string);
	case HIL_JSONSCHEMA_INTEGER:
		return json_object_is_type(v, json_type_int);
	case HIL_JSONSCHEMA_NUMBER:
		return json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double);
	case HIL_JSONSCHEMA_BOOL:
		return json_object_is_type(v, json_type_boolean);
	case HIL_JSONSCHEMA_OBJECT:
		return json_object_is_type(v, json_type_object);
	case HIL_JSONSCHEMA_ARRAY:
		return json_object_is_type(v, json_type_array);
	}
	return 0;
}

/* A short quote of @v for messages: "abc", 12, null, an object. */
static void describe(struct json_object *v, char *buf, size_t len)
{
	const char *text;

	if (json_object_is_type(v, json_type_object) || json_object_is_type(v, json_type_array)) {
		snprintf(buf, len, "%s", json_object_is_type(v, json_type_object) ? "an object" : "an array");
		return;
	}
	text = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (strlen(text) > 60)
		snprintf(buf, len, "%.57s...", text);
	else
		snprintf(buf, len, "%s", text);
}

static void report_unknown(struct hil_jsonschema *sc, const char *key,
			   const struct hil_jsonschema_rule *rules, size_t n)
{
	char list[512];
	size_t used = 0;

	list[0] = '\0';
	for (size_t i = 0; i < n && used < sizeof(list); i++)
		used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "", rules[i].key);
	hil_jsonschema_report(sc, HIL_JSONPOS_KEY, "unknown key \"%s\" (expected one of: %s)", key, list);
}

static const struct hil_jsonschema_rule *find_rule(const struct hil_jsonschema_rule *rules, size_t n,
						   const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(rules[i].key, key) == 0)
			return &rules[i];
	return NULL;
}

size_t hil_jsonschema_check(struct hil_jsonschema *sc, struct json_object *obj,
			    const struct hil_jsonschema_rule *rules, size_t n, struct json_object **vals)
{
	size_t before = sc->n_problems;
	char got[64];

	memset(vals, 0, n * sizeof(*vals));
	if (!json_object_is_type(obj, json_type_object)) {
		describe(obj, got, sizeof(got));
		hil_jsonschema_report(sc, HIL_JSONPOS_VALUE, "expected an object, got %s", got);
		return 1;
	}
	json_object_object_foreach(obj, key, val) {
		const struct hil_jsonschema_rule *r = find_rule(rules, n, key);

		hil_jsonschema_push_key(sc, key);
		if (!r) {
			report_unknown(sc, key, rules, n);
		} else if (!type_ok(r->type, val)) {
			describe(val, got, sizeof(got));
			hil_jsonschema_report(sc, HIL_JSONPOS_VALUE, "expected %s, got %s", type_names[r->type], got);
		} else {
			vals[r - rules] = val;
		}
		hil_jsonschema_pop(sc);
	}
	for (size_t i = 0; i < n; i++)
		if (rules[i].required && !json_object_object_get_ex(obj, rules[i].key, NULL))
			hil_jsonschema_report(sc, HIL_JSONPOS_VALUE, "missing required key \"%s\"", rules[i].key);
	return sc->n_problems - before;
}
