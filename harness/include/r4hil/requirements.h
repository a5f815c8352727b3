/* The requirement IDs of spec/REQUIREMENTS.md, with a short title each. */
#ifndef R4HIL_REQUIREMENTS_H
#define R4HIL_REQUIREMENTS_H

#include <stddef.h>

struct hil_requirement {
	const char *id;    /* "SFP-1" */
	const char *title; /* one line */
};

/* Title of requirement @id (exact, case-sensitive), or NULL if unknown. Static storage. */
const char *hil_requirement_title(const char *id);

/* Number of known requirements. */
size_t hil_requirement_count(void);

/* Requirement @i (0 <= i < hil_requirement_count()) in spec order, or NULL. Static storage. */
const struct hil_requirement *hil_requirement_get(size_t i);

#endif
