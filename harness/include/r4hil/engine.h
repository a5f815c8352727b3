/*
 * The run loop of one scenario:
 *
 *   setup -> steady state (else error) -> steps, observers polling -> steady state
 *   again (else fail) -> expectations over the timeline -> teardown (always)
 *
 * The engine only talks to the target's interfaces and its clock, so the same code
 * runs on virtual time against the fake lab and on wall-clock time in a real lab.
 */
#ifndef R4HIL_ENGINE_H
#define R4HIL_ENGINE_H

#include <signal.h>
#include <stdint.h>

struct hil_scenario;
struct hil_scenario_result;
struct hil_target;
struct hil_timeline;

/* What the engine is doing, for a progress line. Any member may be NULL. */
struct hil_progress_info {
	const char *scenario;
	const char *phase;       /* "setup", "steady-state", "steps", "recovery", "teardown" */
	const char *step;        /* e.g. "wait 12m", "inject sfp.storm" */
	int64_t t_ms;            /* time since the scenario began */
	const char *waiting_for; /* e.g. "switch.internet off", "steady state" */
};

struct hil_progress {
	void (*update)(void *ctx, const struct hil_progress_info *info);
	void *ctx;
};

/*
 * Run @sc against @target. Fills @result (caller-initialised, see report.h) and
 * returns the timeline (caller frees), with *origin = epoch ms of its t = 0.
 * @stop, when set (Ctrl-C), ends the steps early; teardown still runs and the
 * scenario is an error. @progress may be NULL.
 */
struct hil_timeline *hil_engine_run(const struct hil_scenario *sc, struct hil_target *target,
				    const struct hil_progress *progress, volatile sig_atomic_t *stop,
				    struct hil_scenario_result *result, int64_t *origin);

#endif
