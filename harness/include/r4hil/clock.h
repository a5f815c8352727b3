/*
 * The engine's clock: wall-clock time in a real lab, the fake lab's virtual time
 * otherwise. The engine only ever asks "what time is it" and "let time pass until
 * T", so the same scenario code runs in both.
 */
#ifndef R4HIL_CLOCK_H
#define R4HIL_CLOCK_H

#include <stdint.h>

struct hil_clock;

struct hil_clock_ops {
	const char *name; /* "real" or "virtual" */
	/* Milliseconds since the Unix epoch. */
	int64_t (*now)(struct hil_clock *clock);
	/*
	 * Milliseconds from an arbitrary origin, never stepped: for durations.
	 * CLOCK_MONOTONIC when real (NTP may step the wall clock while a board
	 * reboots); the virtual time itself when virtual (it only moves forward,
	 * and keeps fake-lab runs deterministic).
	 */
	int64_t (*mono)(struct hil_clock *clock);
	/* Let time pass until @t (no-op if already past). 0, or -errno with *err set. */
	int (*sleep_until)(struct hil_clock *clock, int64_t t, char **err);
	void (*free)(struct hil_clock *clock);
};

struct hil_clock {
	const struct hil_clock_ops *ops;
};

struct hil_fakelab;

/* Wall-clock time; sleeps really. */
struct hil_clock *hil_clock_real_new(void);
/* The fake lab's virtual time: sleeping advances it. @lab must outlive the clock. */
struct hil_clock *hil_clock_virtual_new(struct hil_fakelab *lab);

static inline int64_t hil_clock_now(struct hil_clock *c)
{
	return c->ops->now(c);
}

static inline int64_t hil_clock_mono(struct hil_clock *c)
{
	return c->ops->mono(c);
}

static inline int hil_clock_sleep_until(struct hil_clock *c, int64_t t, char **err)
{
	return c->ops->sleep_until(c, t, err);
}

static inline void hil_clock_free(struct hil_clock *c)
{
	if (c)
		c->ops->free(c);
}

#endif
