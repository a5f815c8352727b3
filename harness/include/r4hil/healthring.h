/*
 * The router's health ring (/etc/last_health.jsonl, HEALTH-1, HEALTH-4) judged by
 * the harness itself: one JSON object per minute, parsed with json-c, never with
 * the system under test's own forensics script.
 *
 * A line is well-formed when it is exactly one JSON object (blanks around it
 * allowed) with `ts` a string "YYYY-MM-DDTHH:MM:SS+HH:MM" (local time with its
 * UTC offset; "Z" or no offset is malformed), `wan.car` the integer 0 or 1,
 * `wan.op` a string of [a-z]+ and `irq.sfp1tx` an integer >= 0 (cumulative).
 * Other keys are not judged. Per well-formed line, as the reference
 * fixtures/overlay/usr/local/bin/health-forensics.sh does:
 *   delta = sfp1tx - sfp1tx of the previous well-formed line (0 on the first);
 *   "reboot" when the counter went down (the kernel rebooted that minute): the
 *   delta is then the new value; else "storm" when delta >= 100 000 with car 0.
 * A malformed line is counted and skipped: it is not the previous line of the next.
 */
#ifndef R4HIL_HEALTHRING_H
#define R4HIL_HEALTHRING_H

#include <stddef.h>
#include <stdint.h>

#define HIL_HEALTHRING_STORM_DELTA 100000 /* per-minute sfp1tx delta of the storm signature */
#define HIL_HEALTHRING_MAX_LINE 65536     /* a longer line is malformed (a real one is ~300 bytes) */

enum hil_healthring_flag {
	HIL_HEALTHRING_NONE,
	HIL_HEALTHRING_STORM,
	HIL_HEALTHRING_REBOOT,
};

/* One line of the ring as judged. */
struct hil_healthring_minute {
	size_t line;                  /* 1-based line number in the ring */
	const char *malformed;        /* NULL if well-formed, else why not (static text) */
	/* the rest is only set for a well-formed line */
	char ts[32];                  /* as written, local time with its offset */
	char tz[8];                   /* the offset part of ts: "+01:00" */
	int car;                      /* wan.car */
	char op[32];                  /* wan.op (a longer one is malformed) */
	int64_t sfp1tx;               /* irq.sfp1tx, cumulative */
	int64_t delta;                /* against the previous well-formed line */
	enum hil_healthring_flag flag;
};

struct hil_healthring_summary {
	size_t lines;                 /* every line, malformed ones included */
	size_t malformed;
	size_t storms;
	size_t reboots;
	char tz[8];                   /* offset of the last line, "" if none or malformed */
};

struct hil_healthring;

/* A ring judge with no line seen yet; NULL with errno ENOMEM. Free with hil_healthring_free(). */
struct hil_healthring *hil_healthring_new(void);

/* NULL-safe. */
void hil_healthring_free(struct hil_healthring *r);

/*
 * Judge the next line of the ring: @len bytes at @line, without its newline
 * (NUL bytes in it make it malformed). Fills *@m. Returns 0 for a well-formed
 * line, -EINVAL for a malformed one (m->malformed says why). json-c running out
 * of memory is indistinguishable from a parse error here and reads as malformed.
 */
int hil_healthring_add_line(struct hil_healthring *r, const char *line, size_t len,
			    struct hil_healthring_minute *m);

/*
 * Judge every line of @text (@len bytes, lines ended by '\n'; a last line without
 * one counts too, an empty tail after the last '\n' does not), calling @on_minute
 * (may be NULL) with @arg for each line in order; *m is valid during the call only.
 */
void hil_healthring_add_text(struct hil_healthring *r, const char *text, size_t len,
			    void (*on_minute)(void *arg, const struct hil_healthring_minute *m),
			    void *arg);

/*
 * Judge every line read from @fd until its end, as hil_healthring_add_text does,
 * in bounded memory: a ring of any size, or a pipe from the router, is never
 * held whole; a line longer than HIL_HEALTHRING_MAX_LINE is malformed and skipped
 * unread. 0, or -errno if reading failed (the lines before were judged).
 */
int hil_healthring_add_stream(struct hil_healthring *r, int fd,
			      void (*on_minute)(void *arg, const struct hil_healthring_minute *m),
			      void *arg);

/* The counts so far. */
void hil_healthring_summary(const struct hil_healthring *r, struct hil_healthring_summary *s);

/*
 * The summary as the scenario observer records it (subjects ring.<field>): field
 * @i (0 .. HIL_HEALTHRING_N_FIELDS - 1) is "lines", "malformed", "storms",
 * "reboots", "tz". The name is static storage, NULL past the end; the value is
 * written to @buf and returned.
 */
#define HIL_HEALTHRING_N_FIELDS 5
const char *hil_healthring_field_name(size_t i);
const char *hil_healthring_field_value(const struct hil_healthring_summary *s, size_t i, char buf[32]);

/* "storm", "reboot", or "" for HIL_HEALTHRING_NONE. Static storage. */
const char *hil_healthring_flag_name(enum hil_healthring_flag flag);

#endif
