/* Judging one expectation of a scenario over a recorded timeline (scenarios/README.md). */
#ifndef R4HIL_EXPECT_H
#define R4HIL_EXPECT_H

#include <stddef.h>

#include "r4hil/scenario.h"
#include "r4hil/timeline.h"

enum hil_status { HIL_PASS, HIL_FAIL, HIL_ERROR, HIL_SKIPPED };

/* "pass", "fail", "error", "skipped". Static storage. */
const char *hil_status_name(enum hil_status status);

struct hil_verdict {
	enum hil_status status;
	char *message;	   /* one sentence with the numbers and times, malloc'd */
	size_t *evidence;  /* indexes of the decisive timeline events, malloc'd (NULL if none) */
	size_t n_evidence;
};

/*
 * Evaluate @e over @tl into *out (which the caller then clears with
 * hil_verdict_clear()). Windows are resolved from the timeline's marks; a
 * window anchor that was never marked gives HIL_ERROR. A would-be HIL_FAIL
 * whose window overlaps an observation gap of the subject's source ("plug"
 * for plug, "router" for router.*, else "ha") is HIL_ERROR instead.
 * Returns 0 (whatever the verdict) or -ENOMEM; *out is zeroed first.
 */
int hil_expect_eval(const struct hil_expect *e, const struct hil_timeline *tl,
		    struct hil_verdict *out);

/* Free what @v holds and zero it. NULL-safe. */
void hil_verdict_clear(struct hil_verdict *v);

/* The source whose gaps affect @subject: "plug", "router", "harness" (inject.*, step, mark) or "ha". */
const char *hil_subject_source(const char *subject);

#endif
