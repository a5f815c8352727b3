#include "world/wifi_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "world/kernel.h"
#include "world/model.h"
#include "world/modelfs.h"

void fl_wifi_klog(struct fl_world *w, const char *fmt, ...)
{
	char *text = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	fl_kernel_log(w, "%s", text);
	free(text);
}

void fl_wifi_syslog(struct fl_world *w, const char *prio, const char *tag, const char *fmt, ...)
{
	char *text = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	time_t now = (time_t)(fl_loop_now(fl_world_loop(w)) / 1000);
	struct tm tm;
	char date[40];
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a %b %e %H:%M:%S %Y", &tm);
	fl_modelfs_append(fl_world_model_dir(w), "syslog", "%s %s %s: %s\n", date, prio, tag, text);
	free(text);
}
