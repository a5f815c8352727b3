/*
 * libFuzzer target for the strict JSON reader (util/jsondoc.c). Besides not
 * crashing, it checks two properties of every text it accepts: each member and
 * element has a position, and json-c's serialization of the result is itself
 * accepted (the reader never builds what strict JSON cannot say).
 * Build: cmake -B build-fuzz -DCMAKE_C_COMPILER=clang -DR4HIL_FUZZ=ON &&
 *        cmake --build build-fuzz --target fuzz-jsondoc
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "r4hil/jsondoc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every value under @node (at @path, @n deep) has a position. */
static void check_positions(const struct hil_jsondoc *doc, struct json_object *node,
			    struct hil_jsonpos_seg *path, size_t n)
{
	int line, col;

	if (hil_jsondoc_find(doc, path, n, HIL_JSONPOS_VALUE, &line, &col) || line < 1 || col < 1)
		abort();
	if (n == HIL_JSONDOC_MAX_DEPTH)
		return;
	if (json_object_is_type(node, json_type_object)) {
		json_object_object_foreach(node, key, val) {
			path[n] = (struct hil_jsonpos_seg){ .key = key };
			if (hil_jsondoc_find(doc, path, n + 1, HIL_JSONPOS_KEY, &line, &col))
				abort();
			check_positions(doc, val, path, n + 1);
		}
	} else if (json_object_is_type(node, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(node); i++) {
			path[n] = (struct hil_jsonpos_seg){ .index = i };
			check_positions(doc, json_object_array_get_idx(node, i), path, n + 1);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hil_jsonpos_seg path[HIL_JSONDOC_MAX_DEPTH];
	struct hil_jsondoc_error err;
	struct hil_jsondoc *doc = hil_jsondoc_parse((const char *)data, size, &err), *again;
	const char *out;

	if (!doc) {
		if (err.line < 1 || err.col < 1 || !memchr(err.msg, '\0', sizeof(err.msg)))
			abort();
		return 0;
	}
	check_positions(doc, hil_jsondoc_root(doc), path, 0);
	out = json_object_to_json_string_ext(hil_jsondoc_root(doc), JSON_C_TO_STRING_PLAIN);
	again = hil_jsondoc_parse(out, strlen(out), &err);
	if (!again)
		abort();
	hil_jsondoc_free(again);
	hil_jsondoc_free(doc);
	return 0;
}
