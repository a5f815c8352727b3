/*
 * The fake lab's GPIO rig: the same actions, sent as injections (the fake
 * world models the line's effect, not each edge). Names and parameters are the
 * contract with fakes/world: "sfp.storm" {rate_per_s, duration_ms, carrier: 1}
 * and "wifi.perst" {width_ms}.
 */
#include "r4hil/fakelab.h"
#include "r4hil/gpio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

struct gpio_fake {
	struct hil_gpio base;
	struct hil_fakelab *lab;
};

static int fake_check(struct hil_gpio *g, char **detail, char **err)
{
	int64_t now;
	int ret = hil_fakelab_now(((struct gpio_fake *)g)->lab, &now, err);
	if (!ret && asprintf(detail, "fake lab GPIO rig (injections)") < 0)
		*detail = NULL;
	return ret;
}

static int fake_pulse_train(struct hil_gpio *g, double rate, int64_t duration_ms, struct hil_gpio_train *out,
			    char **err)
{
	char params[128];
	snprintf(params, sizeof(params), "{\"rate_per_s\":%g,\"duration_ms\":%lld,\"carrier\":1}", rate,
		 (long long)duration_ms);
	int ret = hil_fakelab_inject(((struct gpio_fake *)g)->lab, "sfp.storm", params, err);
	/* virtual time has no jitter: the model receives exactly the asked rate */
	*out = (struct hil_gpio_train){ .pulses = (long)(rate * (double)duration_ms / 1000.0),
					.achieved_per_s = ret ? 0 : rate };
	return ret;
}

static int fake_pulse(struct hil_gpio *g, enum hil_gpio_line line, int64_t width_ms, char **err)
{
	/* the MT7996's PERST# is the only pulsed line; the WiFi model resets the card */
	if (line != HIL_GPIO_PERST) {
		if (asprintf(err, "the fake lab models no pulse on %s", hil_gpio_line_name(line)) < 0)
			*err = NULL;
		return -ENOTSUP;
	}
	char params[64];
	snprintf(params, sizeof(params), "{\"width_ms\":%lld}", (long long)width_ms);
	return hil_fakelab_inject(((struct gpio_fake *)g)->lab, "wifi.perst", params, err);
}

static void fake_free(struct hil_gpio *g)
{
	free(g);
}

static const struct hil_gpio_ops fake_ops = {
	.name = "fakelab",
	.check = fake_check,
	.pulse_train = fake_pulse_train,
	.pulse = fake_pulse,
	.free = fake_free,
};

struct hil_gpio *hil_gpio_fakelab_new(struct hil_fakelab *fakelab)
{
	struct gpio_fake *g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->base.ops = &fake_ops;
	g->lab = fakelab;
	return &g->base;
}
