#include "r4hil/jsonpos.h"

#include <errno.h>
#include <string.h>

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

/* Past the closing quote of the string starting at @p, or NULL. */
static const char *skip_string(const char *p)
{
	if (*p != '"')
		return NULL;
	for (p++; *p && *p != '"'; p++) {
		if (*p == '\\') {
			p++;
			if (!*p)
				return NULL;
		}
	}
	return *p ? p + 1 : NULL;
}

static const char *skip_value(const char *p)
{
	int depth = 0;

	p = skip_ws(p);
	do {
		if (*p == '"') {
			p = skip_string(p);
			if (!p)
				return NULL;
		} else if (*p == '{' || *p == '[') {
			depth++;
			p++;
		} else if (*p == '}' || *p == ']') {
			if (--depth < 0)
				return NULL;
			p++;
		} else if (*p == ',' || *p == ':' || *p == ' ' || *p == '\t' ||
			   *p == '\n' || *p == '\r') {
			if (!depth)
				return NULL;
			p++;
		} else if (*p) {
			/* number or literal */
			while (*p && !strchr(",:{}[]\" \t\r\n", *p))
				p++;
		} else {
			return NULL;
		}
	} while (depth > 0);
	return p;
}

/* Whether the JSON string at @p (with its quotes) decodes to @key. */
static int key_equals(const char *p, const char *key)
{
	const char *end = skip_string(p);
	size_t klen = strlen(key), i = 0;

	if (!end)
		return 0;
	for (p++; p < end - 1; p++, i++) {
		char c = *p;

		if (c == '\\') {
			p++;
			switch (*p) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'u':
				/* keys in scenarios are ASCII; give up on \u escapes */
				return 0;
			default: c = *p; break;
			}
		}
		if (i >= klen || key[i] != c)
			return 0;
	}
	return i == klen;
}

static const char *find_member(const char *p, const char *key, int want_key)
{
	const char *found = NULL;

	p = skip_ws(p);
	if (*p != '{')
		return NULL;
	p = skip_ws(p + 1);
	if (*p == '}')
		return NULL;
	for (;;) {
		const char *k = p, *v;

		p = skip_string(k);
		if (!p)
			return NULL;
		p = skip_ws(p);
		if (*p != ':')
			return NULL;
		v = skip_ws(p + 1);
		if (key_equals(k, key))
			found = want_key ? k : v;
		p = skip_value(v);
		if (!p)
			return NULL;
		p = skip_ws(p);
		if (*p == '}')
			return found;
		if (*p != ',')
			return NULL;
		p = skip_ws(p + 1);
	}
}

static const char *find_index(const char *p, size_t index)
{
	size_t i = 0;

	p = skip_ws(p);
	if (*p != '[')
		return NULL;
	p = skip_ws(p + 1);
	if (*p == ']')
		return NULL;
	for (;;) {
		if (i == index)
			return p;
		p = skip_value(p);
		if (!p)
			return NULL;
		p = skip_ws(p);
		if (*p != ',')
			return NULL;
		p = skip_ws(p + 1);
		i++;
	}
}

int hil_jsonpos_find(const char *text, const struct hil_jsonpos_seg *path, size_t n,
		     enum hil_jsonpos_target target, int *line, int *col)
{
	const char *p = skip_ws(text);

	if (target == HIL_JSONPOS_KEY && (!n || !path[n - 1].key))
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (path[i].key)
			p = find_member(p, path[i].key,
					target == HIL_JSONPOS_KEY && i == n - 1);
		else
			p = find_index(p, path[i].index);
		if (!p)
			return -ENOENT;
	}
	if (!*p)
		return -EINVAL;
	hil_jsonpos_offset(text, (size_t)(p - text), line, col);
	return 0;
}

void hil_jsonpos_offset(const char *text, size_t offset, int *line, int *col)
{
	int l = 1, c = 1;

	for (size_t i = 0; i < offset && text[i]; i++) {
		if (text[i] == '\n') {
			l++;
			c = 1;
		} else {
			c++;
		}
	}
	*line = l;
	*col = c;
}
