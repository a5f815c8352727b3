/*
 * Observers: poll the lab's real interfaces and turn what changed into timeline
 * events. Home Assistant's history gives exact change times; the plug and the
 * router are sampled. A source that cannot be read leaves an observation gap in
 * the timeline, so that a flaky lab is never mistaken for a firmware failure.
 */
#ifndef R4HIL_OBSERVE_H
#define R4HIL_OBSERVE_H

#include <stddef.h>
#include <stdint.h>

struct hil_target;
struct hil_timeline;
struct hil_observer;

/*
 * Observe @entities (HA entity ids; automation.* are watched for triggers) of
 * @target into @timeline, whose t = 0 is @origin (epoch ms). Borrows everything.
 */
struct hil_observer *hil_observer_new(struct hil_target *target, struct hil_timeline *timeline,
				      int64_t origin, char *const *entities, size_t n_entities);
void hil_observer_free(struct hil_observer *obs);

/*
 * Also run @command on the router at every poll while it is up (observe.commands);
 * its stdout without trailing blanks ("exit N" if empty and failing) is recorded as
 * subject router.@name whenever it changes. A run that gets no answer while the
 * router is up is an observation gap of source "router". 0 or -ENOMEM.
 */
int hil_observer_add_command(struct hil_observer *obs, const char *name, const char *command);

/*
 * Also read the health ring at @path on the router (observe.health_ring): at every
 * poll while the router is up the harness reads it with cat, judges it itself
 * (r4hil/healthring.h) and records the summary as subjects ring.lines,
 * ring.malformed, ring.storms, ring.reboots and ring.tz, each when it changes. A
 * cat that fails (no ring) records "exit N" for each; no answer is a gap of
 * "router". 0 or -ENOMEM.
 */
int hil_observer_read_health_ring(struct hil_observer *obs, const char *path);

/* The last value recorded for router.<name> (a command's subject) or ring.<field>, NULL if none yet. */
const char *hil_observer_command_value(const struct hil_observer *obs, const char *subject);

/* Poll every source once, at the clock's current time. */
void hil_observer_poll(struct hil_observer *obs);

/* What the last poll saw: 1 yes, 0 no, -1 unknown (never read successfully). */
int hil_observer_router_up(const struct hil_observer *obs);
int hil_observer_plug_on(const struct hil_observer *obs);

/*
 * What @source ("ha", "plug") answered when its last poll failed ("HA answered
 * 401"), or NULL if that poll read it (or @source is another one). Owned by @obs.
 */
const char *hil_observer_unreadable(const struct hil_observer *obs, const char *source);

/*
 * What a lab part (@part: "HA", "plug") answered a failed request with, from
 * its -errno @ret and message @err: "HA answered 401", "plug did not answer in
 * time", "HA could not be reached (Connection refused)". No ports nor URLs, so
 * that timelines of the same run stay byte-identical. Malloc'd, NULL on ENOMEM.
 */
char *hil_observer_answer(const char *part, int ret, const char *err);

#endif
