/*
 * A strict JSON reader for the files people write: scenarios, lab files,
 * mutants. It parses the text once into the json-c objects the loaders use and
 * remembers where each member and element was, so that a loader can say
 * "file:line:col" in O(1) instead of rescanning the text for every value.
 *
 * Strict means RFC 8259 and nothing more, and a little less where a lenient
 * reading would switch checks off or pass garbage on into reports:
 *  - a key that occurs twice in one object is refused (json-c keeps the last
 *    one silently, so a second "expect": [] emptied a scenario);
 *  - text must be valid UTF-8, and no NUL byte, raw or as \u0000;
 *  - strings take double quotes only; escapes are the RFC's, \u surrogates
 *    must pair;
 *  - numbers follow the grammar and must be finite (1e999 is refused, as are
 *    integers outside int64/uint64); no Infinity, NaN, comments or trailing
 *    commas;
 *  - nesting is capped at HIL_JSONDOC_MAX_DEPTH (json-c's default depth).
 * Columns count bytes from 1 (a tab is one column), as the loaders always did.
 */
#ifndef R4HIL_JSONDOC_H
#define R4HIL_JSONDOC_H

#include <stddef.h>

#include "r4hil/jsonpos.h"

struct json_object;
struct hil_jsondoc;

#define HIL_JSONDOC_MAX_DEPTH 32

/* Why a text was refused, and where (1-based line and byte column). */
struct hil_jsondoc_error {
	int line, col;
	char msg[192];
};

/*
 * Parse @len bytes of @text (need not be NUL-terminated) as one JSON value,
 * optionally surrounded by whitespace. Returns the document, or NULL with errno
 * EINVAL (and @err filled in: "JSON syntax error: ..." for grammar errors,
 * "duplicate key \"k\" (first at L:C)" and the like for the rest) or ENOMEM.
 * Free with hil_jsondoc_free().
 */
struct hil_jsondoc *hil_jsondoc_parse(const char *text, size_t len, struct hil_jsondoc_error *err);

/*
 * The document's root value. It belongs to the document; take a reference with
 * json_object_get() to keep it, or any value in it, after hil_jsondoc_free().
 */
struct json_object *hil_jsondoc_root(const struct hil_jsondoc *doc);

/*
 * The 1-based @line and @col of the value (or the key naming it) at @path
 * (@n segments; n == 0 is the root), from the table the parse filled in:
 * O(@n), no rescan. Returns 0, or -ENOENT if the path does not exist
 * (@line and @col untouched), -EINVAL for a KEY target whose last segment is
 * not a key.
 */
int hil_jsondoc_find(const struct hil_jsondoc *doc, const struct hil_jsonpos_seg *path, size_t n,
		     enum hil_jsonpos_target target, int *line, int *col);

/* Free @doc and drop its reference to the root (NULL-safe). */
void hil_jsondoc_free(struct hil_jsondoc *doc);

#endif
