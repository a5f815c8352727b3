/* ISO 8601 timestamps as the timeline and HA's REST API write them. */
#ifndef R4HIL_ISOTIME_H
#define R4HIL_ISOTIME_H

#include <stdint.h>

/*
 * Format @epoch_ms as UTC with milliseconds, "2026-01-01T00:03:10.000Z", into @buf;
 * years outside 0000-9999 in ISO 8601's expanded form ("+010000-01-01T...", "-000001-..." as in JavaScript).
 * Every int64 value has its right date.
 */
void hil_iso_format(int64_t epoch_ms, char buf[32]);

/*
 * Parse "YYYY-MM-DDTHH:MM:SS[.f{1,6}](Z|+HH:MM|-HH:MM)" (a space instead of 'T'
 * is accepted too) into milliseconds since the epoch, UTC. Fractions below a
 * millisecond are truncated. Returns 0, or -EINVAL; *epoch_ms untouched on error.
 */
int hil_iso_parse(const char *s, int64_t *epoch_ms);

#endif
