/*
 * Source positions inside a JSON text. json-c does not track them, so the
 * scenario loader re-scans the text it already parsed to say where a
 * semantically bad value is ("file:line:column").
 */
#ifndef R4HIL_JSONPOS_H
#define R4HIL_JSONPOS_H

#include <stddef.h>

/* One step of a path: an object key, or (key == NULL) an array index. */
struct hil_jsonpos_seg {
	const char *key;
	size_t index;
};

enum hil_jsonpos_target {
	HIL_JSONPOS_VALUE, /* the value at the path */
	HIL_JSONPOS_KEY,   /* the key naming it (last segment must be a key) */
};

/*
 * Find the 1-based @line and @col of the value (or key) at @path (@n segments;
 * n == 0 is the root value) in @text, which must be valid strict JSON. A key
 * that occurs twice resolves to its last occurrence, as json-c keeps it.
 * Returns 0, -ENOENT if the path does not exist, -EINVAL if the text is not
 * well formed; @line and @col are untouched on error.
 */
int hil_jsonpos_find(const char *text, const struct hil_jsonpos_seg *path, size_t n,
		     enum hil_jsonpos_target target, int *line, int *col);

/* 1-based line and column of byte @offset of @text (clamped to its length). */
void hil_jsonpos_offset(const char *text, size_t offset, int *line, int *col);

#endif
