/*
 * The two Jinja expressions notifications need, and nothing else: in the `data:`
 * of a service call, `{{ states('sensor.x') }}` and `{{ state_attr('sensor.x',
 * 'attr') }}` render from the current states as HA renders them (an unknown
 * entity's state is "unknown", a missing attribute "None"). Every other template
 * is refused at load by the automation compiler.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "servers/ha_internal.h"

struct expr {
	char entity[256], attr[256]; /* attr empty: states() */
};

/* A quoted argument: 'x' or "x". Advances *p past it. */
static int quoted(const char **p, char *out, size_t size)
{
	const char *s = *p + strspn(*p, " ");
	char q = *s;
	if (q != '\'' && q != '"')
		return -1;
	const char *end = strchr(s + 1, q);
	if (!end || (size_t)(end - s - 1) >= size)
		return -1;
	memcpy(out, s + 1, (size_t)(end - s - 1));
	out[end - s - 1] = '\0';
	*p = end + 1;
	return 0;
}

/* Parse "states('id')" or "state_attr('id', 'attr')" between the braces. */
static int parse_expr(const char *s, size_t len, struct expr *e)
{
	char buf[600];
	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	const char *p = buf + strspn(buf, " ");
	int attr = strncmp(p, "state_attr(", 11) == 0;
	if (!attr && strncmp(p, "states(", 7) != 0)
		return -1;
	p += attr ? 11 : 7;
	e->attr[0] = '\0';
	if (quoted(&p, e->entity, sizeof(e->entity)) < 0 || !ha_entity_id_valid(e->entity))
		return -1;
	if (attr) {
		p += strspn(p, " ");
		if (*p++ != ',' || quoted(&p, e->attr, sizeof(e->attr)) < 0)
			return -1;
	}
	p += strspn(p, " ");
	if (*p++ != ')')
		return -1;
	return p[strspn(p, " ")] == '\0' ? 0 : -1;
}

/* Walk the {{ }} of @text: @emit gets the literal parts and each parsed expression. */
static int walk(const char *text, void (*emit)(void *ctx, const char *lit, size_t n, const struct expr *e),
		void *ctx)
{
	const char *p = text;
	if (strstr(text, "{%") || strstr(text, "{#"))
		return -1;
	for (const char *open; (open = strstr(p, "{{"));) {
		const char *close = strstr(open + 2, "}}");
		struct expr e;
		if (!close || parse_expr(open + 2, (size_t)(close - open - 2), &e) < 0)
			return -1;
		if (emit)
			emit(ctx, p, (size_t)(open - p), &e);
		p = close + 2;
	}
	if (emit)
		emit(ctx, p, strlen(p), NULL);
	return 0;
}

bool ha_template_supported(const char *text)
{
	return walk(text, NULL, NULL) == 0;
}

struct render {
	const struct fl_ha *ha;
	char *out;
	size_t len;
};

static void append(struct render *r, const char *s, size_t n)
{
	char *grown = realloc(r->out, r->len + n + 1);
	if (!grown)
		return;
	r->out = grown;
	memcpy(r->out + r->len, s, n);
	r->len += n;
	r->out[r->len] = '\0';
}

static void emit(void *ctx, const char *lit, size_t n, const struct expr *e)
{
	struct render *r = ctx;
	append(r, lit, n);
	if (!e)
		return;
	struct ha_state *st = ha_state_find(r->ha, e->entity);
	json_object *js = st ? ha_state_json(st) : NULL, *v = NULL, *attrs;
	if (js && !e->attr[0])
		json_object_object_get_ex(js, "state", &v);
	else if (js && json_object_object_get_ex(js, "attributes", &attrs))
		json_object_object_get_ex(attrs, e->attr, &v);
	const char *text = v ? json_object_get_string(v) : e->attr[0] ? "None" : "unknown";
	append(r, text, strlen(text));
	json_object_put(js);
}

char *ha_template_render(const struct fl_ha *ha, const char *text)
{
	struct render r = { .ha = ha, .out = strdup("") };
	if (walk(text, emit, &r) < 0) {
		free(r.out);
		return strdup(text);
	}
	return r.out;
}

void ha_template_render_json(const struct fl_ha *ha, struct json_object *obj)
{
	if (!json_object_is_type(obj, json_type_object))
		return;
	json_object_object_foreach(obj, key, val) {
		if (json_object_is_type(val, json_type_object)) {
			ha_template_render_json(ha, val);
		} else if (json_object_is_type(val, json_type_string) && strstr(json_object_get_string(val), "{{")) {
			char *s = ha_template_render(ha, json_object_get_string(val));
			json_object_object_add(obj, key, json_object_new_string(s ? s : ""));
			free(s);
		}
	}
}
