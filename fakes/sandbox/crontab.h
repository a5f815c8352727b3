/*
 * Crontab parsing as busybox crond does it: five fields (minute hour day-of-month
 * month day-of-week) with '*', '*' '/N', 'a-b', 'a-b/N', lists 'a,b,c', 3-letter
 * month and day names, day-of-week 0-7 (0 and 7 are Sunday), then the command line,
 * kept verbatim for /bin/sh -c. Comments, blank lines and environment lines
 * (KEY=value) are skipped; malformed lines are reported and skipped.
 */
#ifndef FL_CRONTAB_H
#define FL_CRONTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct fl_crontab_entry {
	uint64_t minutes; /* bit m: minute m, 0-59 */
	uint32_t hours;   /* bit h: hour h, 0-23 */
	uint32_t days;    /* bit d: day of month d, 1-31 */
	uint16_t months;  /* bit m: month m, 1-12 */
	uint8_t weekdays; /* bit d: day of week d, 0-6, Sunday 0 */
	int line;         /* 1-based line number in the file */
	char *command;
};

struct fl_crontab {
	size_t n;
	struct fl_crontab_entry *entries; /* in file order */
};

/*
 * Parse @text. *@out gets the table (free with fl_crontab_free). If @warnings is
 * non-NULL, *@warnings gets the malformed lines as malloc'd text, one
 * "line N: reason: text" line each, or NULL if there were none. Returns 0, or
 * -ENOMEM (then *@out is NULL).
 */
int fl_crontab_parse(const char *text, struct fl_crontab **out, char **warnings);

/*
 * Whether entry @i runs at the minute @local. As crond: minute, hour and month must
 * match, and day of month OR day of week (if only one of the two is restricted,
 * only that one counts).
 */
bool fl_crontab_due(const struct fl_crontab *tab, size_t i, const struct tm *local);

void fl_crontab_free(struct fl_crontab *tab); /* NULL-safe */

#endif
