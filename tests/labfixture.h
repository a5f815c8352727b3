/* A fake lab for lab-mode tests, and lab files derived from its lab.json. */
#ifndef R4HIL_LABFIXTURE_H
#define R4HIL_LABFIXTURE_H

#include <json-c/json.h>

struct hil_fakelab;

/* The test's temporary directory (a checked fixture: created, then removed). */
extern char *labfix_tmp;
void labfix_setup(void);
void labfix_teardown(void);
/* @rel under labfix_tmp, malloc'd. */
char *labfix_at(const char *rel);

/* Start r4hil-fakelab in @dir with plug API @plug (NULL: its default). */
struct hil_fakelab *labfix_start(const char *dir, const char *plug);

/*
 * Write @out_path: the fake lab's lab.json changed by @edit (may be NULL), which
 * gets the parsed object to modify.
 */
void labfix_derive(struct hil_fakelab *lab, const char *out_path, void (*edit)(json_object *root, void *arg),
		   void *arg);

/* The fake lab's ground-truth log, malloc'd. */
char *labfix_truth(struct hil_fakelab *lab);

/* Source path of a file under tests/data/lab/, malloc'd. */
char *labfix_data(const char *name);

#endif
