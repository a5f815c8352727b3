#include "r4hil/duration.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	int64_t ms;
} units[] = {
	/* "ms" before "m": the longest unit name must win */
	{ "ms", 1 },
	{ "s", 1000 },
	{ "m", 60 * 1000 },
	{ "h", 60 * 60 * 1000 },
};

int hil_duration_parse(const char *text, int64_t *ms)
{
	const char *p = text;
	int64_t total = 0;

	if (!p || !*p)
		return -EINVAL;
	while (*p) {
		int64_t n = 0;
		size_t i;

		if (*p < '0' || *p > '9')
			return -EINVAL;
		while (*p >= '0' && *p <= '9') {
			if (n > (INT64_MAX - (*p - '0')) / 10)
				return -EINVAL;
			n = n * 10 + (*p - '0');
			p++;
		}
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			size_t len = strlen(units[i].name);

			if (!strncmp(p, units[i].name, len))
				break;
		}
		if (i == sizeof(units) / sizeof(units[0]))
			return -EINVAL;
		p += strlen(units[i].name);
		if (n > INT64_MAX / units[i].ms || total > INT64_MAX - n * units[i].ms)
			return -EINVAL;
		total += n * units[i].ms;
	}
	if (total > HIL_DURATION_MAX_MS)
		return -ERANGE;
	*ms = total;
	return 0;
}

char *hil_duration_format(int64_t ms, char *buf, size_t len)
{
	uint64_t v;
	size_t used = 0;
	int i;

	if (!len)
		return buf;
	buf[0] = '\0';
	if (ms == 0) {
		snprintf(buf, len, "0s");
		return buf;
	}
	if (ms < 0) {
		used += snprintf(buf, len, "-");
		v = (uint64_t)(-(ms + 1)) + 1;
	} else {
		v = (uint64_t)ms;
	}
	for (i = sizeof(units) / sizeof(units[0]) - 1; i >= 0; i--) {
		uint64_t unit = (uint64_t)units[i].ms;
		uint64_t n = v / unit;

		if (!n)
			continue;
		v -= n * unit;
		if (used < len)
			used += snprintf(buf + used, len - used, "%llu%s",
					 (unsigned long long)n, units[i].name);
	}
	return buf;
}
