/*
 * Reachability of the router as Home Assistant sees it: HA's ping integration
 * pings the router's LAN address (192.168.1.254) and shows
 * binary_sensor.192_168_1_254 "on" while it answers, "off" while it does not
 * (powered off, booting, or a wedged LAN data path: injection reach.lan-wedge).
 *
 * Timing, as HA's ping integration since 2024.1 (components/ping/coordinator.py):
 * one poll every 30 s (update_interval), 5 echo requests; the fake lab takes the
 * router's state at each poll, on whole 30 s of virtual time.
 */
#ifndef FL_REACH_H
#define FL_REACH_H

#include "core/loop.h"

struct fl_model_ops;

#define FL_REACH_SENSOR "binary_sensor.192_168_1_254"
#define FL_REACH_POLL_MS (30 * FL_SECOND)

extern const struct fl_model_ops fl_reach_model;

#endif
