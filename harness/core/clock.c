#include "r4hil/clock.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "r4hil/fakelab.h"
#include "transport/internal.h"

static int64_t real_now(struct hil_clock *clock)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t real_mono(struct hil_clock *clock)
{
	(void)clock;
	return hil_transport_now_ms();
}

static int real_sleep_until(struct hil_clock *clock, int64_t t, char **err)
{
	for (;;) {
		int64_t left = t - real_now(clock);
		if (left <= 0)
			return 0;
		struct timespec ts = { .tv_sec = left / 1000, .tv_nsec = (left % 1000) * 1000000 };
		/* EINTR (Ctrl-C) returns early: the engine checks its stop flag. */
		if (nanosleep(&ts, NULL) < 0 && errno == EINTR)
			return -EINTR;
	}
}

static void real_free(struct hil_clock *clock)
{
	free(clock);
}

static const struct hil_clock_ops real_ops = {
	.name = "real",
	.now = real_now,
	.mono = real_mono,
	.sleep_until = real_sleep_until,
	.free = real_free,
};

struct hil_clock *hil_clock_real_new(void)
{
	struct hil_clock *c = calloc(1, sizeof(*c));
	if (c)
		c->ops = &real_ops;
	return c;
}

struct virtual_clock {
	struct hil_clock base;
	struct hil_fakelab *lab;
};

static int64_t virtual_now(struct hil_clock *clock)
{
	struct virtual_clock *vc = (struct virtual_clock *)clock;
	int64_t now = 0;
	char *err = NULL;
	hil_fakelab_now(vc->lab, &now, &err);
	free(err);
	return now;
}

static int virtual_sleep_until(struct hil_clock *clock, int64_t t, char **err)
{
	struct virtual_clock *vc = (struct virtual_clock *)clock;
	int64_t now;
	int ret = hil_fakelab_now(vc->lab, &now, err);
	if (ret < 0 || t <= now)
		return ret;
	return hil_fakelab_advance(vc->lab, t, err);
}

static void virtual_free(struct hil_clock *clock)
{
	free(clock);
}

static const struct hil_clock_ops virtual_ops = {
	.name = "virtual",
	.now = virtual_now,
	.mono = virtual_now,
	.sleep_until = virtual_sleep_until,
	.free = virtual_free,
};

struct hil_clock *hil_clock_virtual_new(struct hil_fakelab *lab)
{
	struct virtual_clock *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->base.ops = &virtual_ops;
	c->lab = lab;
	return &c->base;
}
