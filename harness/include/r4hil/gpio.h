/*
 * The lab's GPIO rig: PERST# of the M.2 slot and the SFP cage's TX_FAULT and
 * TX_DISABLE, behind one ops struct with two backends:
 *  - libgpiod (1.6 chardev API) on the lab host;
 *  - the fake lab, which receives the same actions as injections
 *    ("sfp.storm" {rate_per_s, duration_ms, carrier}, "wifi.perst" {width_ms}).
 *
 * A chardev line keeps its value only while it is requested, so every action
 * holds its request for the whole fault window and releases it at the end.
 */
#ifndef R4HIL_GPIO_H
#define R4HIL_GPIO_H

#include <stdint.h>

struct hil_lab;
struct hil_fakelab;
struct hil_gpio;

enum hil_gpio_line { HIL_GPIO_PERST, HIL_GPIO_TX_FAULT, HIL_GPIO_TX_DISABLE, HIL_GPIO_N_LINES };

/* What a pulse train achieved, measured on the monotonic clock. */
struct hil_gpio_train {
	long pulses;
	double achieved_per_s;
	int64_t late_max_us;  /* worst lateness of an edge against its deadline */
};

struct hil_gpio_ops {
	const char *name; /* "libgpiod" or "fakelab" */
	/* Read-only: the chip is there and each configured line exists and is free. */
	int (*check)(struct hil_gpio *g, char **detail, char **err);
	/* @rate_per_s pulses of TX_FAULT for @duration_ms on absolute deadlines. */
	int (*pulse_train)(struct hil_gpio *g, double rate_per_s, int64_t duration_ms,
			   struct hil_gpio_train *out, char **err);
	/* Assert @line for @width_ms, then deassert (PERST#: a PCIe reset). */
	int (*pulse)(struct hil_gpio *g, enum hil_gpio_line line, int64_t width_ms, char **err);
	void (*free)(struct hil_gpio *g);
};

struct hil_gpio {
	const struct hil_gpio_ops *ops;
};

/*
 * The rig of @lab (borrowed; must outlive the rig): the fake lab's backend when
 * @fakelab is given, else libgpiod on lab->gpio.chip. NULL with *err set when
 * the lab has no GPIO section.
 */
struct hil_gpio *hil_gpio_open(const struct hil_lab *lab, struct hil_fakelab *fakelab, char **err);
void hil_gpio_free(struct hil_gpio *g); /* NULL-safe */

/* The backends alone (tests). */
struct hil_gpio *hil_gpio_libgpiod_new(const struct hil_lab *lab);
struct hil_gpio *hil_gpio_fakelab_new(struct hil_fakelab *fakelab);

/* "perst", "tx_fault", "tx_disable". */
const char *hil_gpio_line_name(enum hil_gpio_line line);

#endif
