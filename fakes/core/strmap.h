/*
 * A string-keyed map (open addressing, FNV-1a): the fake HA looks up entity ids
 * on every state change, and a linear search made loading 32 000 automations
 * quadratic. Keys are copied; values are the caller's.
 */
#ifndef FL_STRMAP_H
#define FL_STRMAP_H

#include <stddef.h>

struct fl_strmap {
	char **keys;
	void **vals;
	size_t cap, n;
};

/* The value of @key, or NULL. */
void *fl_strmap_get(const struct fl_strmap *m, const char *key);
/* Set @key to @val (replacing). 0 or -ENOMEM. */
int fl_strmap_put(struct fl_strmap *m, const char *key, void *val);
/* Free the keys, and each value with @free_val (may be NULL); the map is empty after. */
void fl_strmap_clear(struct fl_strmap *m, void (*free_val)(void *));

#endif
