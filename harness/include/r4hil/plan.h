/*
 * The dry-run plan of a scenario: every SSH command, HTTP call, injection and
 * GPIO action the engine would send, in order, with its time. Printing it
 * contacts nothing.
 */
#ifndef R4HIL_PLAN_H
#define R4HIL_PLAN_H

#include <stdio.h>

struct hil_scenario;
struct hil_target;

/* Print the plan of @sc against @t (opened, never connected) to @f. */
void hil_plan_print(FILE *f, const struct hil_scenario *sc, const struct hil_target *t);

#endif
