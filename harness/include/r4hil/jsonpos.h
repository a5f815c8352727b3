/*
 * Paths into a JSON document, as the loaders name the value they report about
 * ("steps[3].wait"). hil_jsondoc_find() (jsondoc.h) turns one into a position.
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

#endif
