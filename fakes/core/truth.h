/*
 * The fake lab's ground-truth log: what physically happened, at which virtual time.
 * The harness never judges the system under test from it (a real lab has no such
 * log); tests of the fake lab and of --dry-run read it.
 */
#ifndef FL_TRUTH_H
#define FL_TRUTH_H

#include <stdio.h>

#include "core/loop.h"

struct fl_truth;

/* A log that appends JSON lines to @path (truncated first). NULL with errno on failure. */
struct fl_truth *fl_truth_open(const char *path, struct fl_loop *loop);
void fl_truth_close(struct fl_truth *truth); /* NULL-safe */

/*
 * Record @kind (e.g. "power", "router.boot", "ha.automation") with a formatted
 * message, stamped with the loop's virtual time. NULL-safe on @truth.
 */
void fl_truth_log(struct fl_truth *truth, const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Path of the log file (for the control endpoint). */
const char *fl_truth_path(const struct fl_truth *truth);

#endif
