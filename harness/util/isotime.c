#include "r4hil/isotime.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Howard Hinnant's days_from_civil: no dependency on TZ or timegm's range. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Its inverse, civil_from_days, over the whole int64 range of days. */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

void hil_iso_format(int64_t epoch_ms, char buf[32])
{
	/* floor division: times before 1970 count back from the previous day */
	int64_t days = epoch_ms / 86400000, ms_of_day = epoch_ms % 86400000;
	if (ms_of_day < 0) {
		ms_of_day += 86400000;
		days -= 1;
	}
	int64_t y;
	int m, d;
	civil_from_days(days, &y, &m, &d);
	int ms = (int)(ms_of_day % 1000), sec = (int)(ms_of_day / 1000 % 60),
	    min = (int)(ms_of_day / 60000 % 60), hour = (int)(ms_of_day / 3600000);
	/* ISO 8601 expanded years as ECMAScript writes them (a sign, 6+ digits) outside 0000-9999: never a wrong date */
	if (y >= 0 && y <= 9999)
		snprintf(buf, 32, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", (int)y, m, d, hour, min, sec, ms);
	else
		snprintf(buf, 32, "%+07lld-%02d-%02dT%02d:%02d:%02d.%03dZ", (long long)y, m, d, hour, min,
			 sec, ms);
}

static int digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		char c = (*p)[i];

		if (c < '0' || c > '9')
			return -EINVAL;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int expect_char(const char **p, char c)
{
	if (**p != c)
		return -EINVAL;
	(*p)++;
	return 0;
}

static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

int hil_iso_parse(const char *s, int64_t *epoch_ms)
{
	int y, mo, d, h, mi, sec, ms = 0, oh = 0, om = 0, sign = 1;
	const char *p = s;
	int64_t t;

	if (!p)
		return -EINVAL;
	if (digits(&p, 4, &y) || expect_char(&p, '-') || digits(&p, 2, &mo) ||
	    expect_char(&p, '-') || digits(&p, 2, &d))
		return -EINVAL;
	if (*p != 'T' && *p != ' ')
		return -EINVAL;
	p++;
	if (digits(&p, 2, &h) || expect_char(&p, ':') || digits(&p, 2, &mi) ||
	    expect_char(&p, ':') || digits(&p, 2, &sec))
		return -EINVAL;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || sec > 60)
		return -EINVAL;
	if (*p == '.') {
		int n = 0;

		p++;
		while (*p >= '0' && *p <= '9') {
			if (n < 3)
				ms = ms * 10 + (*p - '0');
			n++;
			p++;
		}
		if (n == 0 || n > 6)
			return -EINVAL;
		for (; n < 3; n++)
			ms *= 10;
	}
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		p++;
		if (digits(&p, 2, &oh) || expect_char(&p, ':') || digits(&p, 2, &om) ||
		    oh > 23 || om > 59)
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	if (*p)
		return -EINVAL;
	t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	t -= sign * (oh * 3600 + om * 60);
	*epoch_ms = t * 1000 + ms;
	return 0;
}
