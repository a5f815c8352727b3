#include "transport/internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void hil_transport_seterr(char **err, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (!err)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	/* *err may be uninitialised in the caller: overwrite, never free. */
	*err = msg;
}

int64_t hil_transport_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
