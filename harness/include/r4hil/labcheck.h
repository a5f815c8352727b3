/*
 * r4hil lab check: is everything in a lab file reachable and usable? Read-only:
 * TCP connects, SSH with the pinned host key and two harmless commands, HA's
 * GET /api/, a plug status read, the GPIO chip's line table.
 */
#ifndef R4HIL_LABCHECK_H
#define R4HIL_LABCHECK_H

#include <stdio.h>

struct hil_lab;

/* Run every check of @lab, print a table to @out; the number that failed. */
int hil_lab_check(const struct hil_lab *lab, FILE *out);

#endif
