/*
 * Strict JSON reader (see r4hil/jsondoc.h): recursive descent over the text,
 * building json-c objects and a hash table from (container, key or index) to
 * positions. The table is keyed by the container rather than by the value
 * because json-c represents null as a NULL pointer, which has no identity.
 */
#include "r4hil/jsondoc.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

struct pos {
	int line, col;
};

/* Where member @key (or, with key == NULL, element @index) of @parent is. */
struct slot {
	const void *parent; /* NULL: the slot is free; the document itself for the root */
	char *key;
	size_t index;
	struct pos key_pos, val_pos;
};

struct hil_jsondoc {
	struct json_object *root;
	struct slot *slots;
	size_t n_slots, cap; /* cap is 0 or a power of two */
};

struct parser {
	const char *p, *end, *line_start;
	int line, depth;
	struct hil_jsondoc *doc;
	struct hil_jsondoc_error *err;
	int failed; /* 0, EINVAL or ENOMEM */
	char *buf;  /* the last string decoded, NUL-terminated */
	size_t len, buf_cap;
};

/* ---- the position table ---- */

static size_t hash_slot(const void *parent, const char *key, size_t index)
{
	uint64_t h = ((uint64_t)(uintptr_t)parent ^ index) * 0x9E3779B97F4A7C15ull;

	for (; key && *key; key++)
		h = (h ^ (unsigned char)*key) * 0x100000001B3ull;
	return (size_t)(h ^ (h >> 31));
}

static int slot_is(const struct slot *s, const void *parent, const char *key, size_t index)
{
	if (s->parent != parent)
		return 0;
	if (!key || !s->key)
		return !key && !s->key && s->index == index;
	return strcmp(s->key, key) == 0;
}

/* The slot for (@parent, @key, @index), or the free slot where it would go. */
static struct slot *probe(struct slot *slots, size_t cap, const void *parent, const char *key,
			  size_t index)
{
	size_t i = hash_slot(parent, key, index) & (cap - 1);

	while (slots[i].parent && !slot_is(&slots[i], parent, key, index))
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static const struct slot *slot_find(const struct hil_jsondoc *doc, const void *parent,
				    const char *key, size_t index)
{
	const struct slot *s;

	if (!doc->cap)
		return NULL;
	s = probe(doc->slots, doc->cap, parent, key, index);
	return s->parent ? s : NULL;
}

static int grow(struct hil_jsondoc *doc)
{
	size_t cap = doc->cap ? doc->cap * 2 : 64;
	struct slot *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < doc->cap; i++)
		if (doc->slots[i].parent)
			*probe(slots, cap, doc->slots[i].parent, doc->slots[i].key, doc->slots[i].index) =
				doc->slots[i];
	free(doc->slots);
	doc->slots = slots;
	doc->cap = cap;
	return 0;
}

/* Record a new slot; takes @key (malloc'd or NULL) in all cases. */
static int slot_add(struct hil_jsondoc *doc, const void *parent, char *key, size_t index,
		    struct pos key_pos, struct pos val_pos)
{
	if (2 * (doc->n_slots + 1) > doc->cap && grow(doc)) {
		free(key);
		return -ENOMEM;
	}
	*probe(doc->slots, doc->cap, parent, key, index) =
		(struct slot){ parent, key, index, key_pos, val_pos };
	doc->n_slots++;
	return 0;
}

/* ---- errors ---- */

static struct pos pos_at(const struct parser *ps, const char *at)
{
	return (struct pos){ ps->line, (int)(at - ps->line_start) + 1 };
}

static int vfail(struct parser *ps, struct pos where, const char *fmt, va_list ap)
{
	if (ps->failed)
		return -1;
	ps->failed = EINVAL;
	ps->err->line = where.line;
	ps->err->col = where.col;
	vsnprintf(ps->err->msg, sizeof(ps->err->msg), fmt, ap);
	return -1;
}

/* Record the first error, at @where; returns -1. */
__attribute__((format(printf, 3, 4)))
static int fail_pos(struct parser *ps, struct pos where, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(ps, where, fmt, ap);
	va_end(ap);
	return -1;
}

/* The same at @at, which must be on the current line. */
__attribute__((format(printf, 3, 4)))
static int fail(struct parser *ps, const char *at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(ps, pos_at(ps, at), fmt, ap);
	va_end(ap);
	return -1;
}

static int oom(struct parser *ps)
{
	if (!ps->failed) {
		fail(ps, ps->p, "out of memory");
		ps->failed = ENOMEM;
	}
	return -1;
}

/* What is wrong with the character at @at, where something else was @expected. */
static int unexpected(struct parser *ps, const char *at, const char *expected)
{
	unsigned char c;

	if (at == ps->end)
		return fail(ps, at, "JSON syntax error: unexpected end of file");
	c = (unsigned char)*at;
	if (c == '\0')
		return fail(ps, at, "the file contains a NUL byte");
	if (c == '\'')
		return fail(ps, at, "JSON syntax error: strings take double quotes, not single quotes");
	if (c == '/')
		return fail(ps, at, "JSON syntax error: JSON has no comments");
	if (expected)
		return fail(ps, at, "JSON syntax error: %s", expected);
	if (c < 0x20 || c >= 0x7f)
		return fail(ps, at, "JSON syntax error: unexpected byte 0x%02x", c);
	return fail(ps, at, "JSON syntax error: unexpected character '%c'", c);
}

/* ---- lexing ---- */

static void skip_ws(struct parser *ps)
{
	for (; ps->p < ps->end; ps->p++) {
		if (*ps->p == '\n') {
			ps->line++;
			ps->line_start = ps->p + 1;
		} else if (*ps->p != ' ' && *ps->p != '\t' && *ps->p != '\r') {
			return;
		}
	}
}

static int peek(const struct parser *ps)
{
	return ps->p < ps->end ? (unsigned char)*ps->p : -1;
}

static int put_bytes(struct parser *ps, const char *s, size_t n)
{
	if (ps->len + n + 1 > ps->buf_cap) {
		size_t cap = ps->buf_cap ? ps->buf_cap : 64;
		char *b;

		while (ps->len + n + 1 > cap)
			cap *= 2;
		b = realloc(ps->buf, cap);
		if (!b)
			return oom(ps);
		ps->buf = b;
		ps->buf_cap = cap;
	}
	memcpy(ps->buf + ps->len, s, n);
	ps->len += n;
	ps->buf[ps->len] = '\0';
	return 0;
}

static int put_utf8(struct parser *ps, uint32_t cp)
{
	char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | cp >> 12);
		b[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		b[0] = (char)(0xF0 | cp >> 18);
		b[1] = (char)(0x80 | (cp >> 12 & 0x3F));
		b[2] = (char)(0x80 | (cp >> 6 & 0x3F));
		b[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	return put_bytes(ps, b, n);
}

/* Length of the well-formed UTF-8 sequence at @s (Unicode table 3-7), 0 if none. */
static size_t utf8_len(const unsigned char *s, const unsigned char *end)
{
	unsigned char lo = 0x80, hi = 0xBF;
	size_t n;

	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		n = 2;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		n = 3;
		lo = s[0] == 0xE0 ? 0xA0 : lo; /* no overlong forms */
		hi = s[0] == 0xED ? 0x9F : hi; /* no surrogates */
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		n = 4;
		lo = s[0] == 0xF0 ? 0x90 : lo;
		hi = s[0] == 0xF4 ? 0x8F : hi; /* nothing above U+10FFFF */
	} else {
		return 0;
	}
	if ((size_t)(end - s) < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return n;
}

static int hex4(const char *s, const char *end, uint32_t *out)
{
	uint32_t v = 0;

	if (end - s < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0'
			: (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10
								   : -1;

		if (d < 0)
			return -1;
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return 0;
}

/* A \u escape at ps->p (the backslash), with its low surrogate if it needs one. */
static int unicode_escape(struct parser *ps)
{
	const char *at = ps->p;
	uint32_t cp, lo;

	if (hex4(at + 2, ps->end, &cp))
		return fail(ps, at, "JSON syntax error: \\u needs four hex digits");
	ps->p += 6;
	if (cp >= 0xDC00 && cp <= 0xDFFF)
		return fail(ps, at, "JSON syntax error: unpaired surrogate \\u%04x", (unsigned)cp);
	if (cp >= 0xD800 && cp <= 0xDBFF) {
		if (ps->end - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u' ||
		    hex4(ps->p + 2, ps->end, &lo) || lo < 0xDC00 || lo > 0xDFFF)
			return fail(ps, at, "JSON syntax error: unpaired surrogate \\u%04x", (unsigned)cp);
		cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
		ps->p += 6;
	}
	if (cp == 0)
		return fail(ps, at, "\\u0000 (NUL) is not allowed in a string");
	return put_utf8(ps, cp);
}

static int escape(struct parser *ps)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *at = ps->p, *hit;

	if (ps->end - at < 2 || !at[1])
		return unexpected(ps, at + 1, NULL);
	if (at[1] == 'u')
		return unicode_escape(ps);
	hit = strchr(from, at[1]);
	if (!hit)
		return fail(ps, at, "JSON syntax error: invalid escape in a string");
	ps->p += 2;
	return put_bytes(ps, &to[hit - from], 1);
}

/* Decode the string at ps->p (its opening quote) into ps->buf. */
static int string(struct parser *ps)
{
	ps->len = 0;
	if (put_bytes(ps, "", 0))
		return -1;
	for (ps->p++;;) {
		unsigned char c;
		size_t n;

		if (ps->p == ps->end)
			return unexpected(ps, ps->p, NULL);
		c = (unsigned char)*ps->p;
		if (c == '"') {
			ps->p++;
			return 0;
		}
		if (c == '\\') {
			if (escape(ps))
				return -1;
			continue;
		}
		if (c == '\0')
			return unexpected(ps, ps->p, NULL);
		if (c < 0x20)
			return fail(ps, ps->p, "JSON syntax error: control character 0x%02x in a string "
					       "(write it as an escape)", c);
		n = c < 0x80 ? 1 : utf8_len((const unsigned char *)ps->p, (const unsigned char *)ps->end);
		if (!n)
			return fail(ps, ps->p, "invalid UTF-8 (byte 0x%02x)", c);
		if (put_bytes(ps, ps->p, n))
			return -1;
		ps->p += n;
	}
}

/* ---- values ---- */

static int value(struct parser *ps, struct json_object **out);

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* End of the number at @s per RFC 8259 section 6, or NULL if it breaks the grammar. */
static const char *number_end(const char *s, const char *end, int *is_double)
{
	const char *q = s;

	*is_double = 0;
	if (q < end && *q == '-')
		q++;
	if (q < end && *q == '0')
		q++;
	else if (q < end && is_digit(*q))
		while (q < end && is_digit(*q))
			q++;
	else
		return NULL;
	if (q < end && *q == '.') {
		*is_double = 1;
		if (++q == end || !is_digit(*q))
			return NULL;
		while (q < end && is_digit(*q))
			q++;
	}
	if (q < end && (*q == 'e' || *q == 'E')) {
		*is_double = 1;
		if (++q < end && (*q == '+' || *q == '-'))
			q++;
		if (q == end || !is_digit(*q))
			return NULL;
		while (q < end && is_digit(*q))
			q++;
	}
	/* "01", "1x", "1.": the number runs on into something that is not JSON */
	if (q < end && (is_digit(*q) || *q == '.' || ((*q | 0x20) >= 'a' && (*q | 0x20) <= 'z')))
		return NULL;
	return q;
}

/* A number as json-c's tokener would make it: int64, uint64 above INT64_MAX, or a double keeping its text. */
static int number(struct parser *ps, struct json_object **out)
{
	const char *s = ps->p, *q;
	int is_double;

	q = number_end(s, ps->end, &is_double);
	if (!q)
		return fail(ps, s, "JSON syntax error: invalid number");
	ps->len = 0;
	if (put_bytes(ps, s, (size_t)(q - s)))
		return -1;
	errno = 0;
	if (is_double) {
		double d = strtod(ps->buf, NULL);

		if (!isfinite(d))
			return fail(ps, s, "number out of range: %.40s", ps->buf);
		*out = json_object_new_double_s(d, ps->buf);
	} else if (*s == '-') {
		long long v = strtoll(ps->buf, NULL, 10);

		if (errno == ERANGE)
			return fail(ps, s, "number out of range: %.40s", ps->buf);
		*out = json_object_new_int64(v);
	} else {
		unsigned long long v = strtoull(ps->buf, NULL, 10);

		if (errno == ERANGE)
			return fail(ps, s, "number out of range: %.40s", ps->buf);
		*out = v <= INT64_MAX ? json_object_new_int64((int64_t)v) : json_object_new_uint64(v);
	}
	ps->p = q;
	return *out ? 0 : oom(ps);
}

static int literal(struct parser *ps, struct json_object **out)
{
	const char *s = ps->p, *q = s;

	while (q < ps->end && ((*q | 0x20) >= 'a' && (*q | 0x20) <= 'z'))
		q++;
	ps->p = q;
	if (q - s == 4 && !memcmp(s, "null", 4)) {
		*out = NULL;
		return 0;
	}
	if (q - s == 4 && !memcmp(s, "true", 4))
		*out = json_object_new_boolean(1);
	else if (q - s == 5 && !memcmp(s, "false", 5))
		*out = json_object_new_boolean(0);
	else
		return fail(ps, s, "JSON syntax error: \"%.*s\" is not a JSON value", (int)(q - s > 20 ? 20 : q - s), s);
	return *out ? 0 : oom(ps);
}

/* After a member or element: 1 at the closing @close, 0 after a comma, -1 on error. */
static int separator(struct parser *ps, char close, const char *expected)
{
	struct pos comma;

	skip_ws(ps);
	if (peek(ps) == close) {
		ps->p++;
		return 1;
	}
	if (peek(ps) != ',')
		return unexpected(ps, ps->p, expected);
	comma = pos_at(ps, ps->p++);
	skip_ws(ps);
	if (peek(ps) == close)
		return fail_pos(ps, comma, "JSON syntax error: trailing comma before '%c'", close);
	return 0;
}

static int member(struct parser *ps, struct json_object *obj)
{
	struct pos key_pos = pos_at(ps, ps->p), val_pos;
	const struct slot *first;
	struct json_object *v;
	char *key;

	if (peek(ps) != '"')
		return unexpected(ps, ps->p, "quoted object property name expected");
	if (string(ps))
		return -1;
	first = slot_find(ps->doc, obj, ps->buf, 0);
	if (first)
		return fail_pos(ps, key_pos, "duplicate key \"%.80s\" (first at %d:%d)",
			    ps->buf, first->key_pos.line, first->key_pos.col);
	key = strdup(ps->buf); /* value() reuses ps->buf */
	if (!key)
		return oom(ps);
	skip_ws(ps);
	if (peek(ps) != ':') {
		free(key);
		return unexpected(ps, ps->p, "object property name separator ':' expected");
	}
	ps->p++;
	skip_ws(ps);
	val_pos = pos_at(ps, ps->p);
	if (value(ps, &v)) {
		free(key);
		return -1;
	}
	if (json_object_object_add_ex(obj, key, v, JSON_C_OBJECT_ADD_KEY_IS_NEW)) {
		json_object_put(v);
		free(key);
		return oom(ps);
	}
	return slot_add(ps->doc, obj, key, 0, key_pos, val_pos) ? oom(ps) : 0;
}

static int element(struct parser *ps, struct json_object *arr)
{
	struct pos at = pos_at(ps, ps->p);
	size_t index = json_object_array_length(arr);
	struct json_object *v;

	if (value(ps, &v))
		return -1;
	if (json_object_array_add(arr, v)) {
		json_object_put(v);
		return oom(ps);
	}
	return slot_add(ps->doc, arr, NULL, index, at, at) ? oom(ps) : 0;
}

/* An object or array at ps->p: @open, members or elements, @close. */
static int container(struct parser *ps, struct json_object **out)
{
	int is_obj = *ps->p == '{', ret;
	char close = is_obj ? '}' : ']';
	struct json_object *c;

	if (++ps->depth > HIL_JSONDOC_MAX_DEPTH)
		return fail(ps, ps->p, "JSON nested deeper than %d levels", HIL_JSONDOC_MAX_DEPTH);
	c = is_obj ? json_object_new_object() : json_object_new_array();
	if (!c)
		return oom(ps);
	ps->p++;
	skip_ws(ps);
	if (peek(ps) == close) {
		ps->p++;
		ret = 1;
	} else {
		do {
			skip_ws(ps);
			ret = is_obj ? member(ps, c) : element(ps, c);
			if (!ret)
				ret = separator(ps, close, is_obj ? "object value separator ',' expected"
								  : "array value separator ',' expected");
		} while (!ret);
	}
	ps->depth--;
	if (ret < 0) {
		json_object_put(c);
		return -1;
	}
	*out = c;
	return 0;
}

static int value(struct parser *ps, struct json_object **out)
{
	int c = peek(ps);

	*out = NULL;
	if (c == '{' || c == '[')
		return container(ps, out);
	if (c == '"') {
		if (string(ps))
			return -1;
		if (ps->len > INT_MAX)
			return fail(ps, ps->p, "string too long");
		*out = json_object_new_string_len(ps->buf, (int)ps->len);
		return *out ? 0 : oom(ps);
	}
	if (c == '-' || is_digit(c))
		return number(ps, out);
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
		return literal(ps, out);
	return unexpected(ps, ps->p, NULL);
}

/* ---- the document ---- */

struct hil_jsondoc *hil_jsondoc_parse(const char *text, size_t len, struct hil_jsondoc_error *err)
{
	struct hil_jsondoc *doc = calloc(1, sizeof(*doc));
	struct parser ps = { .p = text, .end = text + len, .line_start = text, .line = 1,
			     .doc = doc, .err = err };
	struct pos root_pos;

	if (!doc) {
		errno = ENOMEM;
		return NULL;
	}
	skip_ws(&ps);
	root_pos = pos_at(&ps, ps.p);
	if (!value(&ps, &doc->root)) {
		skip_ws(&ps);
		if (ps.p < ps.end)
			unexpected(&ps, ps.p, "unexpected text after the top-level value");
		else if (slot_add(doc, doc, NULL, 0, root_pos, root_pos))
			oom(&ps);
	}
	free(ps.buf);
	if (ps.failed) {
		hil_jsondoc_free(doc);
		errno = ps.failed;
		return NULL;
	}
	return doc;
}

struct json_object *hil_jsondoc_root(const struct hil_jsondoc *doc)
{
	return doc->root;
}

int hil_jsondoc_find(const struct hil_jsondoc *doc, const struct hil_jsonpos_seg *path, size_t n,
		     enum hil_jsonpos_target target, int *line, int *col)
{
	struct json_object *node = doc->root, *child;
	const void *parent = doc;
	const struct slot *s;

	if (target == HIL_JSONPOS_KEY && (!n || !path[n - 1].key))
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (path[i].key) {
			if (!json_object_is_type(node, json_type_object) ||
			    !json_object_object_get_ex(node, path[i].key, &child))
				return -ENOENT;
		} else {
			if (!json_object_is_type(node, json_type_array) ||
			    path[i].index >= json_object_array_length(node))
				return -ENOENT;
			child = json_object_array_get_idx(node, path[i].index);
		}
		parent = node;
		node = child;
	}
	s = slot_find(doc, parent, n ? path[n - 1].key : NULL, n ? path[n - 1].index : 0);
	if (!s)
		return -ENOENT; /* a value the loader added after parsing */
	*line = target == HIL_JSONPOS_KEY ? s->key_pos.line : s->val_pos.line;
	*col = target == HIL_JSONPOS_KEY ? s->key_pos.col : s->val_pos.col;
	return 0;
}

void hil_jsondoc_free(struct hil_jsondoc *doc)
{
	if (!doc)
		return;
	for (size_t i = 0; i < doc->cap; i++)
		free(doc->slots[i].key);
	free(doc->slots);
	json_object_put(doc->root);
	free(doc);
}
