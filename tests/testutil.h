/* Helpers shared by the Check test programs. */
#ifndef R4HIL_TESTUTIL_H
#define R4HIL_TESTUTIL_H

#include <check.h>

/* Run one suite in fork mode with a per-test timeout; returns the process exit code. */
int hil_test_run_suite(Suite *s);

/* A fresh temporary directory under $TMPDIR (or /tmp); the caller frees the string. */
char *hil_test_tmpdir(const char *tag);

/* "@dir/@rel", malloc'd (the caller frees); aborts on OOM. */
char *hil_test_join(const char *dir, const char *rel);

/* Write @text to @path (created or truncated); aborts the test on failure. */
void hil_test_write_file(const char *path, const char *text);

/* The whole content of @path, NUL-terminated; NULL if unreadable. Caller frees. */
char *hil_test_read_file(const char *path);

/* Build directory (R4HIL_BUILD env, else the compiled-in one) and source directory. */
const char *hil_test_build_dir(void);
const char *hil_test_source_dir(void);

/* rm -rf @dir and free the string (NULL-safe); complains on stderr if it cannot. */
void hil_test_remove_tree(char *dir);

struct hil_fakelab;
struct hil_lab;
/*
 * Start the built r4hil-fakelab in @tmp/lab and load its lab file into *@desc;
 * aborts the test on failure. Stop with hil_fakelab_stop, free *@desc with hil_lab_free.
 */
struct hil_fakelab *hil_test_fakelab_start(const char *tmp, struct hil_lab **desc);

#endif
