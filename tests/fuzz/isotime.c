/*
 * libFuzzer target for ISO 8601 timestamps (util/isotime.c): no crash; an
 * accepted text formats (UTC, milliseconds) to one that parses to the same
 * instant, for years 0000-9999 (the expanded "+010000-" form is output only);
 * and any int64 formats without overrunning its 32 bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "r4hil/isotime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[128], buf[32];
	int64_t ms, again;

	if (size >= sizeof(text))
		return 0;
	if (size == sizeof(int64_t)) {
		memcpy(&ms, data, sizeof(ms));
		hil_iso_format(ms, buf);
		if (!memchr(buf, '\0', sizeof(buf)))
			abort();
	}
	memcpy(text, data, size);
	text[size] = '\0';
	if (hil_iso_parse(text, &ms))
		return 0;
	hil_iso_format(ms, buf);
	if (buf[0] == '+' || buf[0] == '-')
		return 0;
	if (hil_iso_parse(buf, &again) || again != ms)
		abort();
	return 0;
}
