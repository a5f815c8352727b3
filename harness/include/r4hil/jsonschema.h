/*
 * Objects checked against a const rule table, once (as procd's blobmsg_parse):
 * a row { "key", type, required } per member. The checker names every unknown
 * key (a typo must not switch a check off), missing required key and value of
 * the wrong type with its path and position in the document, in the scenario
 * loader's wording ("steps[0].wiat: unknown key \"wiat\" (expected one of: ...)").
 * Checks beyond the JSON type (durations, names, ranges) stay with the loader.
 */
#ifndef R4HIL_JSONSCHEMA_H
#define R4HIL_JSONSCHEMA_H

#include <stddef.h>

#include "r4hil/jsondoc.h"
#include "r4hil/jsonpos.h"

struct json_object;

enum hil_jsonschema_type {
	HIL_JSONSCHEMA_ANY, /* any value, null included */
	HIL_JSONSCHEMA_STRING,
	HIL_JSONSCHEMA_INTEGER,
	HIL_JSONSCHEMA_NUMBER, /* an integer or a double */
	HIL_JSONSCHEMA_BOOL,
	HIL_JSONSCHEMA_OBJECT,
	HIL_JSONSCHEMA_ARRAY,
};

struct hil_jsonschema_rule {
	const char *key;
	enum hil_jsonschema_type type;
	int required;
};

/*
 * Where the checker is in a document, and where its problems go. Set @doc,
 * @report and @arg; the path starts empty (the root) and the loader moves it
 * with hil_jsonschema_push_key/_index and _pop as it descends.
 * @report gets the 1-based position, the dotted path ("kills[1].scenario",
 * "" for the root) and the message; it must not keep the strings.
 */
struct hil_jsonschema {
	const struct hil_jsondoc *doc;
	void (*report)(void *arg, int line, int col, const char *where, const char *what);
	void *arg;
	struct hil_jsonpos_seg path[HIL_JSONDOC_MAX_DEPTH + 1];
	size_t depth;
	size_t n_problems; /* reported so far */
};

/*
 * Check the object @obj at the current path against @rules (@n rows) and set
 * @vals[i] to the value of rules[i], or NULL if it is absent, null or of the
 * wrong type. A non-object @obj is one problem ("expected an object").
 * Returns the number of problems reported by this call.
 */
size_t hil_jsonschema_check(struct hil_jsonschema *sc, struct json_object *obj,
			    const struct hil_jsonschema_rule *rules, size_t n, struct json_object **vals);

/* Descend into member @key or element @index; the caller pops. Deeper than the path holds: assert. */
void hil_jsonschema_push_key(struct hil_jsonschema *sc, const char *key);
void hil_jsonschema_push_index(struct hil_jsonschema *sc, size_t index);
void hil_jsonschema_pop(struct hil_jsonschema *sc);

/*
 * Report a problem the loader found itself (a bad duration, a missing kill) at
 * the current path, @target choosing the key or the value, in the same form.
 */
__attribute__((format(printf, 3, 4)))
void hil_jsonschema_report(struct hil_jsonschema *sc, enum hil_jsonpos_target target, const char *fmt, ...);

#endif
