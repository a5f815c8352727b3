/* YAML -> tree of ha_node with line/column marks, on libyaml's event parser. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "servers/ha_internal.h"

#define MAX_DEPTH 64

void ha_node_free(struct ha_node *node)
{
	if (!node)
		return;
	for (size_t i = 0; i < node->n; i++)
		ha_node_free(node->items[i]);
	free(node->items);
	free(node->text);
	free(node->tag);
	free(node);
}

static struct ha_node *node_new(enum ha_node_type type, const yaml_mark_t *mark, const yaml_char_t *tag)
{
	struct ha_node *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->type = type;
	n->line = (int)mark->line + 1;
	n->column = (int)mark->column + 1;
	/* libyaml reports the resolved default tags for flow/block collections as NULL */
	if (tag && tag[0] == '!' && !(n->tag = strdup((const char *)tag))) {
		free(n);
		return NULL;
	}
	return n;
}

static int node_add(struct ha_node *parent, struct ha_node *child)
{
	struct ha_node **items = realloc(parent->items, (parent->n + 1) * sizeof(*items));
	if (!items)
		return -ENOMEM;
	parent->items = items;
	parent->items[parent->n++] = child;
	return 0;
}

/*
 * The earlier key of @map equal to @key when @key is about to become a key (an even
 * position), else NULL. HA's loader only warns about a repeated key and keeps the
 * last value; a second `alias:` or `for:` that silently replaces the first changes
 * what is tested, so r4hil refuses it.
 */
static const struct ha_node *duplicate_key(const struct ha_node *map, const struct ha_node *key)
{
	if (map->type != HA_NODE_MAP || map->n % 2 || key->type != HA_NODE_SCALAR)
		return NULL;
	for (size_t i = 0; i < map->n; i += 2)
		if (map->items[i]->type == HA_NODE_SCALAR && strcmp(map->items[i]->text, key->text) == 0)
			return map->items[i];
	return NULL;
}

static void set_err(char **err, const char *path, size_t line, size_t col, const char *what)
{
	if (err && asprintf(err, "%s:%zu:%zu: %s", path, line, col, what) < 0)
		*err = NULL;
}

struct ha_node *ha_yaml_load(const char *path, char **err)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		if (err && asprintf(err, "%s: %s", path, strerror(errno)) < 0)
			*err = NULL;
		return NULL;
	}
	yaml_parser_t parser;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);

	struct ha_node *stack[MAX_DEPTH];
	int depth = 0;
	struct ha_node *root = NULL;
	bool done = false;
	while (!done) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&parser, &ev)) {
			set_err(err, path, parser.problem_mark.line + 1, parser.problem_mark.column + 1,
				parser.problem ? parser.problem : "YAML syntax error");
			goto fail;
		}
		struct ha_node *n = NULL;
		switch (ev.type) {
		case YAML_SCALAR_EVENT:
			n = node_new(HA_NODE_SCALAR, &ev.start_mark, ev.data.scalar.tag);
			if (n) {
				n->text = strndup((const char *)ev.data.scalar.value, ev.data.scalar.length);
				n->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
			}
			break;
		case YAML_ALIAS_EVENT:
			n = node_new(HA_NODE_ALIAS, &ev.start_mark, NULL);
			if (n)
				n->text = strdup((const char *)ev.data.alias.anchor);
			break;
		case YAML_SEQUENCE_START_EVENT:
			n = node_new(HA_NODE_SEQ, &ev.start_mark, ev.data.sequence_start.tag);
			break;
		case YAML_MAPPING_START_EVENT:
			n = node_new(HA_NODE_MAP, &ev.start_mark, ev.data.mapping_start.tag);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		case YAML_DOCUMENT_START_EVENT:
			/* HA's loader (yaml.load) takes exactly one document per file */
			if (root) {
				set_err(err, path, ev.start_mark.line + 1, ev.start_mark.column + 1,
					"a second YAML document: Home Assistant expects a single document in the stream");
				yaml_event_delete(&ev);
				goto fail;
			}
			break;
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		default:
			break;
		}
		bool container = ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT;
		bool is_node = container || ev.type == YAML_SCALAR_EVENT || ev.type == YAML_ALIAS_EVENT;
		if (is_node && (!n || (n->type != HA_NODE_SEQ && n->type != HA_NODE_MAP && !n->text))) {
			ha_node_free(n);
			set_err(err, path, ev.start_mark.line + 1, ev.start_mark.column + 1, "out of memory");
			yaml_event_delete(&ev);
			goto fail;
		}
		if (is_node) {
			if (depth > 0) {
				const struct ha_node *twin = duplicate_key(stack[depth - 1], n);
				if (twin) {
					char *what = NULL;
					if (asprintf(&what, "duplicate key \"%s\" (first at line %d): Home Assistant "
						     "would keep only the last one", n->text, twin->line) < 0)
						what = NULL;
					set_err(err, path, ev.start_mark.line + 1, ev.start_mark.column + 1,
						what ? what : "duplicate key");
					free(what);
					ha_node_free(n);
					yaml_event_delete(&ev);
					goto fail;
				}
				if (node_add(stack[depth - 1], n) < 0) {
					ha_node_free(n);
					yaml_event_delete(&ev);
					goto fail;
				}
			} else if (!root) {
				root = n;
			} else {
				ha_node_free(n);
			}
			if (container) {
				if (depth == MAX_DEPTH) {
					set_err(err, path, ev.start_mark.line + 1, ev.start_mark.column + 1,
						"nested too deeply");
					yaml_event_delete(&ev);
					goto fail;
				}
				stack[depth++] = n;
			}
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	fclose(f);
	if (!root) {
		/* an empty file is an empty document, like HA's loader treats it */
		yaml_mark_t m = { 0 };
		root = node_new(HA_NODE_SEQ, &m, NULL);
	}
	return root;
fail:
	yaml_parser_delete(&parser);
	fclose(f);
	ha_node_free(root);
	return NULL;
}

struct ha_node *ha_node_get(const struct ha_node *map, const char *key)
{
	if (!map || map->type != HA_NODE_MAP)
		return NULL;
	for (size_t i = 0; i + 1 < map->n; i += 2)
		if (map->items[i]->type == HA_NODE_SCALAR && strcmp(map->items[i]->text, key) == 0)
			return map->items[i + 1];
	return NULL;
}

static struct json_object *scalar_json(const struct ha_node *node)
{
	if (node->plain && !node->tag) {
		char *end;
		errno = 0;
		long long v = strtoll(node->text, &end, 10);
		if (node->text[0] && !*end && !errno)
			return json_object_new_int64(v);
		double d = strtod(node->text, &end);
		if (node->text[0] && !*end && !errno)
			return json_object_new_double(d);
		if (strcmp(node->text, "true") == 0)
			return json_object_new_boolean(1);
		if (strcmp(node->text, "false") == 0)
			return json_object_new_boolean(0);
		if (strcmp(node->text, "null") == 0 || strcmp(node->text, "~") == 0 || !node->text[0])
			return NULL;
	}
	return json_object_new_string(node->text);
}

struct json_object *ha_node_to_json(const struct ha_node *node)
{
	if (!node)
		return NULL;
	switch (node->type) {
	case HA_NODE_SCALAR:
	case HA_NODE_ALIAS:
		return scalar_json(node);
	case HA_NODE_SEQ: {
		struct json_object *a = json_object_new_array();
		for (size_t i = 0; a && i < node->n; i++)
			json_object_array_add(a, ha_node_to_json(node->items[i]));
		return a;
	}
	case HA_NODE_MAP: {
		struct json_object *o = json_object_new_object();
		for (size_t i = 0; o && i + 1 < node->n; i += 2)
			if (node->items[i]->type == HA_NODE_SCALAR)
				json_object_object_add(o, node->items[i]->text, ha_node_to_json(node->items[i + 1]));
		return o;
	}
	}
	return NULL;
}
