/*
 * Log lines of the WiFi and memory models: kernel lines into the kernel's dmesg
 * ring (fl_kernel_log) and daemon lines into the model's `syslog` (logread's
 * format, virtual local time = UTC), read inside the router by dmesg and logread.
 */
#ifndef FL_WIFI_LOG_H
#define FL_WIFI_LOG_H

#include "core/loop.h"

struct fl_world;

/* A kernel line, stamped now. */
void fl_wifi_klog(struct fl_world *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A syslog line "<date> @prio @tag: text", e.g. prio "daemon.notice", tag "hostapd". */
void fl_wifi_syslog(struct fl_world *w, const char *prio, const char *tag, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
