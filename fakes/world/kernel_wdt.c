/*
 * The MT7988A's watchdog as the firmware configures it (WDT-1): mtk-wdt, timeout
 * 30 s, pretimeout 15 s with the panic governor, kicked by procd every 5 s while
 * the kernel schedules. A hung kernel stops kicking: 15 s after the last kick the
 * pretimeout panics (ramoops dump, then kernel.panic), 30 s after it the hardware
 * resets the SoC whatever the kernel does. A wedged SoC (PPPOE-1) cannot even run
 * the pretimeout panic: only the 30 s reset happens, with no dmesg record.
 */
#include <stdio.h>

#include "world/kernel_internal.h"
#include "world/modelfs.h"
#include "core/truth.h"

#define WDT "sys/class/watchdog/watchdog0/"

static struct fl_loop *loop_of(const struct kernel *k)
{
	return fl_world_loop(k->w);
}

void wdt_files(struct kernel *k)
{
	fl_modelfs_printf(k->dir, WDT "identity", "mtk-wdt\n");
	fl_modelfs_printf(k->dir, WDT "timeout", "%d\n", WDT_TIMEOUT_S);
	fl_modelfs_printf(k->dir, WDT "pretimeout", "%d\n", WDT_PRETIMEOUT_S);
	fl_modelfs_printf(k->dir, WDT "pretimeout_governor", "panic\n");
	fl_modelfs_printf(k->dir, WDT "pretimeout_available_governors", "noop panic\n");
	fl_modelfs_printf(k->dir, WDT "nowayout", "0\n");
	fl_modelfs_printf(k->dir, WDT "bootstatus", "0\n"); /* mtk-wdt does not report the cause */
	fl_modelfs_printf(k->dir, WDT "state", "inactive\n");
	fl_modelfs_printf(k->dir, WDT "dev", "248:0\n");
}

/* The last kick procd gave: on its 5 s grid since boot, at or before now. */
static fl_ms last_kick(const struct kernel *k)
{
	fl_ms start = fl_world_kernel_start(k->w), now = fl_loop_now(loop_of(k));
	return start + (now - start) / WDT_KICK_MS * WDT_KICK_MS;
}

void wdt_boot(struct kernel *k)
{
	fl_modelfs_printf(k->dir, WDT "state", "active\n"); /* procd opens it at early boot */
}

void wdt_stop(struct kernel *k)
{
	fl_timer_cancel(loop_of(k), k->pretimeout_timer);
	fl_timer_cancel(loop_of(k), k->bite_timer);
	k->pretimeout_timer = k->bite_timer = 0;
	k->hung = k->wedged = 0;
}

static void pretimeout(void *arg)
{
	struct kernel *k = arg;
	k->pretimeout_timer = 0;
	if (k->panicked || k->wedged) /* already in panic(), or too sick to run it */
		return;
	kernel_log(k, "watchdog: watchdog0: pretimeout event");
	fl_world_kernel_panic(k->w, "watchdog pretimeout event");
}

static void bite(void *arg)
{
	struct kernel *k = arg;
	k->bite_timer = 0;
	fl_world_hard_reset(k->w, "mtk-wdt timeout: 30 s without a kick");
}

static void arm_bite(struct kernel *k, fl_ms kick)
{
	if (!k->bite_timer)
		k->bite_timer = fl_timer_add(loop_of(k), kick + WDT_TIMEOUT_S * FL_SECOND, bite, k);
}

void wdt_hang(struct kernel *k, int wedge, const char *why)
{
	if (k->hung || k->panicked)
		return;
	fl_ms kick = last_kick(k);
	k->hung = 1;
	k->wedged = wedge;
	k->kick_stopped = kick;
	fl_truth_log(fl_world_truth(k->w), "watchdog", "%s: no kick since %+llds; pretimeout at +15 s, reset at +30 s%s",
		     why, (long long)((kick - fl_loop_now(loop_of(k))) / 1000),
		     wedge ? " (the pretimeout panic cannot run)" : "");
	k->pretimeout_timer = fl_timer_add(loop_of(k), kick + WDT_PRETIMEOUT_S * FL_SECOND, pretimeout, k);
	arm_bite(k, kick);
}

/* panic() stops everything, procd's kicks too: the hardware resets 30 s after the last one. */
void wdt_panicked(struct kernel *k)
{
	arm_bite(k, k->hung ? k->kick_stopped : last_kick(k));
}
