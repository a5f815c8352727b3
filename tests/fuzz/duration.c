/*
 * libFuzzer target for scenario durations (util/duration.c): no crash, and
 * every accepted text formats back to a text that parses to the same value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "r4hil/duration.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[256], buf[32];
	int64_t ms, again;

	if (size >= sizeof(text))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (hil_duration_parse(text, &ms))
		return 0;
	if (ms < 0 || ms > HIL_DURATION_MAX_MS)
		abort();
	hil_duration_format(ms, buf, sizeof(buf));
	if (hil_duration_parse(buf, &again) || again != ms)
		abort();
	return 0;
}
