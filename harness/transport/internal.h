/* Helpers private to the library: the transport and target modules, and the real clock. */
#ifndef R4HIL_TRANSPORT_INTERNAL_H
#define R4HIL_TRANSPORT_INTERNAL_H

#include <stdint.h>

/* Store a formatted malloc'd message in *err if err is non-NULL (the old
 * value is overwritten, not freed: set it once per failure). */
void hil_transport_seterr(char **err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Milliseconds on CLOCK_MONOTONIC. */
int64_t hil_transport_now_ms(void);

#endif
