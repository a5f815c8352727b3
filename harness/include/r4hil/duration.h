/* Durations in scenario files: "500ms", "15s", "3m30s", "1h". */
#ifndef R4HIL_DURATION_H
#define R4HIL_DURATION_H

#include <stddef.h>
#include <stdint.h>

/*
 * The longest duration a scenario may give: a year. Sums of thousands of such
 * waits and offsets on a virtual clock in epoch milliseconds stay far from
 * INT64_MAX, so no later addition can overflow into a false verdict.
 */
#define HIL_DURATION_MAX_MS (366LL * 24 * 3600 * 1000)

/*
 * Parse @text, one or more <integer><unit> parts (unit ms, s, m or h), into
 * milliseconds. Returns 0, -EINVAL for NULL, empty, signed, unitless or
 * overflowing input, -ERANGE above HIL_DURATION_MAX_MS; *ms is untouched on error.
 */
int hil_duration_parse(const char *text, int64_t *ms);

/*
 * Format @ms the way scenario files write it ("3m30s", "15s", "0s", "1h2m",
 * "250ms", "1s500ms"); negative values get a leading '-'. Writes into the
 * caller's @buf of @len bytes (32 is always enough) and returns @buf.
 */
char *hil_duration_format(int64_t ms, char *buf, size_t len);

#endif
