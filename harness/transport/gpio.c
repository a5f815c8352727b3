/* The libgpiod 1.6 backend of the GPIO rig, and the rig's constructor. */
#include "r4hil/gpio.h"
#include "r4hil/lab.h"
#include "transport/internal.h"

#include <errno.h>
#include <gpiod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CONSUMER "r4hil"

struct gpio_libgpiod {
	struct hil_gpio base;
	const struct hil_lab *lab;
};

const char *hil_gpio_line_name(enum hil_gpio_line line)
{
	static const char *const names[] = { "perst", "tx_fault", "tx_disable" };
	return line < HIL_GPIO_N_LINES ? names[line] : "?";
}

static const struct hil_lab_gpio_line *line_cfg(const struct hil_lab *lab, enum hil_gpio_line l)
{
	return l == HIL_GPIO_PERST ? &lab->gpio.perst : l == HIL_GPIO_TX_FAULT ? &lab->gpio.tx_fault
									 : &lab->gpio.tx_disable;
}

static struct gpiod_chip *open_chip(const struct hil_lab *lab, char **err)
{
	struct gpiod_chip *chip = gpiod_chip_open_by_name(lab->gpio.chip);
	if (!chip)
		hil_transport_seterr(err, "GPIO chip %s: %s (is the rig connected? see gpiodetect)",
				     lab->gpio.chip, strerror(errno));
	return chip;
}

static int lg_check(struct hil_gpio *g, char **detail, char **err)
{
	const struct hil_lab *lab = ((struct gpio_libgpiod *)g)->lab;
	struct gpiod_chip *chip = open_chip(lab, err);
	if (!chip)
		return -ENODEV;
	unsigned n = gpiod_chip_num_lines(chip);
	int ret = 0;
	for (int l = 0; l < HIL_GPIO_N_LINES && !ret; l++) {
		const struct hil_lab_gpio_line *c = line_cfg(lab, (enum hil_gpio_line)l);
		if (!c->present)
			continue;
		struct gpiod_line *line = c->offset < n ? gpiod_chip_get_line(chip, c->offset) : NULL;
		if (!line) {
			hil_transport_seterr(err, "GPIO %s: %s offset %u: no such line (chip has %u)",
					     lab->gpio.chip, hil_gpio_line_name((enum hil_gpio_line)l), c->offset, n);
			ret = -ENOENT;
		} else if (gpiod_line_is_used(line)) {
			hil_transport_seterr(err, "GPIO %s: %s offset %u is in use by %s", lab->gpio.chip,
					     hil_gpio_line_name((enum hil_gpio_line)l), c->offset,
					     gpiod_line_consumer(line) ? gpiod_line_consumer(line) : "the kernel");
			ret = -EBUSY;
		}
	}
	if (!ret)
		hil_transport_seterr(detail, "%s (%s, %u lines)", gpiod_chip_name(chip), gpiod_chip_label(chip), n);
	gpiod_chip_close(chip);
	return ret;
}

/* Request @l as an output at its inactive level; held until gpiod_line_release. */
static struct gpiod_line *request(struct gpiod_chip *chip, const struct hil_lab *lab, enum hil_gpio_line l,
				  char **err)
{
	const struct hil_lab_gpio_line *c = line_cfg(lab, l);
	struct gpiod_line *line = c->present ? gpiod_chip_get_line(chip, c->offset) : NULL;
	int flags = c->active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0;
	if (!line || gpiod_line_request_output_flags(line, CONSUMER, flags, 0) < 0) {
		hil_transport_seterr(err, "GPIO %s: cannot request %s: %s", lab->gpio.chip, hil_gpio_line_name(l),
				     c->present ? strerror(errno) : "not in the lab file");
		return NULL;
	}
	return line;
}

/* Sleep to the absolute time @t; -EINTR if a signal (Ctrl-C, SIGTERM) came first. */
static int sleep_until(const struct timespec *t)
{
	return clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, t, NULL) == EINTR ? -EINTR : 0;
}

static void add_ns(struct timespec *t, int64_t ns)
{
	int64_t total = (int64_t)t->tv_nsec + ns;
	t->tv_sec += total / 1000000000;
	t->tv_nsec = total % 1000000000;
}

static int64_t diff_us(const struct timespec *a, const struct timespec *b)
{
	return ((int64_t)(a->tv_sec - b->tv_sec)) * 1000000 + (a->tv_nsec - b->tv_nsec) / 1000;
}

/*
 * Edges on absolute deadlines (start + k * period): a late edge does not push
 * the later ones back, so the rate holds over the window, and lateness is measured.
 */
static int lg_pulse_train(struct hil_gpio *g, double rate, int64_t duration_ms, struct hil_gpio_train *out,
			  char **err)
{
	const struct hil_lab *lab = ((struct gpio_libgpiod *)g)->lab;
	struct gpiod_chip *chip = open_chip(lab, err);
	if (!chip)
		return -ENODEV;
	struct gpiod_line *line = request(chip, lab, HIL_GPIO_TX_FAULT, err);
	if (!line) {
		gpiod_chip_close(chip);
		return -EBUSY;
	}
	int64_t half_ns = (int64_t)(1e9 / rate / 2);
	long n = (long)(rate * (double)duration_ms / 1000.0);
	struct timespec start, deadline, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	deadline = start;
	*out = (struct hil_gpio_train){ 0 };
	int ret = 0;
	/* A signal (Ctrl-C) ends the train early, with the line low: a run being
	 * stopped must not wait out a long storm. */
	for (long k = 0; k < n && ret == 0; k++) {
		for (int level = 1; level >= 0; level--) {
			int slept = sleep_until(&deadline);
			if (slept < 0 && level == 1) {
				ret = slept;
				break;
			}
			if (slept < 0)
				ret = slept; /* this pulse still ends low, then the train stops */
			clock_gettime(CLOCK_MONOTONIC, &now);
			int64_t late = diff_us(&now, &deadline);
			if (late > out->late_max_us)
				out->late_max_us = late;
			gpiod_line_set_value(line, level);
			add_ns(&deadline, half_ns);
			out->pulses += level;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	int64_t us = diff_us(&now, &start);
	out->achieved_per_s = us > 0 ? (double)out->pulses * 1e6 / (double)us : 0;
	gpiod_line_set_value(line, 0); /* never leave TX_FAULT asserted behind */
	gpiod_line_release(line);
	gpiod_chip_close(chip);
	if (ret < 0 && asprintf(err, "TX_FAULT pulse train interrupted after %ld pulses", out->pulses) < 0)
		*err = NULL;
	return ret;
}

static int lg_pulse(struct hil_gpio *g, enum hil_gpio_line l, int64_t width_ms, char **err)
{
	const struct hil_lab *lab = ((struct gpio_libgpiod *)g)->lab;
	struct gpiod_chip *chip = open_chip(lab, err);
	if (!chip)
		return -ENODEV;
	struct gpiod_line *line = request(chip, lab, l, err);
	if (!line) {
		gpiod_chip_close(chip);
		return -EBUSY;
	}
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	gpiod_line_set_value(line, 1);
	add_ns(&t, width_ms * 1000000);
	while (sleep_until(&t) < 0)
		; /* a reset pulse is short and must keep its width, even across Ctrl-C */
	gpiod_line_set_value(line, 0);
	gpiod_line_release(line);
	gpiod_chip_close(chip);
	return 0;
}

static void lg_free(struct hil_gpio *g)
{
	free(g);
}

static const struct hil_gpio_ops libgpiod_ops = {
	.name = "libgpiod",
	.check = lg_check,
	.pulse_train = lg_pulse_train,
	.pulse = lg_pulse,
	.free = lg_free,
};

struct hil_gpio *hil_gpio_libgpiod_new(const struct hil_lab *lab)
{
	struct gpio_libgpiod *g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->base.ops = &libgpiod_ops;
	g->lab = lab;
	return &g->base;
}

struct hil_gpio *hil_gpio_open(const struct hil_lab *lab, struct hil_fakelab *fakelab, char **err)
{
	if (fakelab)
		return hil_gpio_fakelab_new(fakelab);
	if (!lab->gpio.chip) {
		hil_transport_seterr(err, "the lab file has no gpio section");
		return NULL;
	}
	return hil_gpio_libgpiod_new(lab);
}

void hil_gpio_free(struct hil_gpio *g)
{
	if (g)
		g->ops->free(g);
}
