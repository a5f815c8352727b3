/*
 * The timeline: everything observed during one scenario run, in time order.
 * Expectations are judged from it alone, so a saved timeline can be re-checked
 * offline.
 */
#ifndef R4HIL_TIMELINE_H
#define R4HIL_TIMELINE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct hil_event {
	int64_t t_ms;	/* since scenario start (may be negative: setup, steady state) */
	char *source;	/* "ha", "plug", "router", "harness" */
	char *subject;	/* "sensor.x", "plug", "router.boot", "mark", "gap", ... */
	char *value;	/* state string; never NULL ("" if none) */
	char *detail;	/* compact JSON text, or NULL */
};

struct hil_timeline;

/* An empty timeline; free with hil_timeline_free(). NULL with errno ENOMEM. */
struct hil_timeline *hil_timeline_new(void);

/* Free @tl and its events. NULL-safe. */
void hil_timeline_free(struct hil_timeline *tl);

/*
 * Record an event. Events may arrive out of order (HA history is fetched after
 * the other polls): the timeline stays sorted by t_ms, and events with equal
 * times keep their insertion order. Strings are copied; @value NULL is stored
 * as "", @detail_json may be NULL and must otherwise be valid JSON (stored
 * compacted). Returns 0, -EINVAL (NULL source/subject, bad JSON) or -ENOMEM.
 * Indexes of events already added may shift.
 */
int hil_timeline_add(struct hil_timeline *tl, int64_t t_ms, const char *source,
		     const char *subject, const char *value, const char *detail_json);

/* Number of events. */
size_t hil_timeline_count(const struct hil_timeline *tl);

/* Event @i in time order, or NULL if out of range. Owned by @tl; valid until the next add. */
const struct hil_event *hil_timeline_get(const struct hil_timeline *tl, size_t i);

/*
 * Record anchor @label at @t_ms: an event source "harness", subject "mark",
 * value @label. The runner marks "start", "end" and every labelled step.
 * Returns 0, -EINVAL or -ENOMEM.
 */
int hil_timeline_mark(struct hil_timeline *tl, const char *label, int64_t t_ms);

/* Time of the first mark @label into *t_ms: 0, or -ENOENT if never marked. */
int hil_timeline_mark_time(const struct hil_timeline *tl, const char *label, int64_t *t_ms);

/*
 * Record that @source ("ha", "plug", "router") could not be observed from
 * @from_ms to @to_ms (inclusive), and @why: what the lab answered ("HA
 * answered 401"; NULL if unknown, copied). Also recorded as an event at
 * @from_ms with that source, subject "gap", value the duration ("45s") and
 * detail {"from":ms,"to":ms[,"why":text]}, so that it shows in reports and
 * survives a JSONL round trip. A gap of @source that starts at @from_ms
 * already (a poller failing again since its last good poll) is extended
 * instead, keeping its first @why. Returns 0, -EINVAL (to < from) or -ENOMEM.
 */
int hil_timeline_add_gap_why(struct hil_timeline *tl, const char *source, int64_t from_ms,
			     int64_t to_ms, const char *why);

/* hil_timeline_add_gap_why() with no @why. */
int hil_timeline_add_gap(struct hil_timeline *tl, const char *source, int64_t from_ms, int64_t to_ms);

/* One observation gap; the strings are owned by the timeline. */
struct hil_gap {
	const char *source;
	int64_t from_ms, to_ms;
	const char *why; /* NULL if unknown */
};

/*
 * The next gap of @source overlapping [@from_ms, @to_ms], in the order they
 * were recorded: start with *pos = 0; returns 1 and fills *out, or 0 when
 * there is none left.
 */
int hil_timeline_gap_next(const struct hil_timeline *tl, const char *source, int64_t from_ms,
			  int64_t to_ms, size_t *pos, struct hil_gap *out);

/*
 * Whether @source has an observation gap overlapping [@from_ms, @to_ms]. If so
 * and @gap_from/@gap_to are not NULL, they get the first such gap's bounds.
 */
int hil_timeline_gap_overlaps(const struct hil_timeline *tl, const char *source, int64_t from_ms,
			      int64_t to_ms, int64_t *gap_from, int64_t *gap_to);

/*
 * Write one JSON object per line and event:
 * {"t":ms,"at":"ISO","scenario":..,"source":..,"subject":..,"value":..,"detail":{..}}
 * ("detail" only if the event has one); "at" is @epoch_ms_at_start + t.
 * Returns 0 or -errno (-EIO on a write error).
 */
int hil_timeline_write_jsonl(const struct hil_timeline *tl, FILE *f, const char *scenario,
			     int64_t epoch_ms_at_start);

/*
 * Read a file written by hil_timeline_write_jsonl(), keeping the lines of
 * @scenario (NULL: all lines). Gap events become gaps again. On success
 * returns 0 and sets *out (caller frees). On failure *out is NULL and, if @err
 * is not NULL, *err is a malloc'd "path:line: message" the caller frees;
 * returns -errno, -EINVAL for malformed content.
 */
int hil_timeline_read_jsonl(const char *path, const char *scenario, struct hil_timeline **out,
			    char **err);

#endif
