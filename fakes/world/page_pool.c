/*
 * The MTK page_pool teardown leak (PP-1, PPPOE-1): a pool whose pages stay in
 * flight after its netdev went away. The kernel's page_pool_release_retry() warns
 * every 60 s (DEFER_WARN_INTERVAL) with the stall's age, in the format of the
 * kernel in use:
 *   6.x:   page_pool_release_retry() stalled pool shutdown: id 9, 1 inflight 60 sec
 *   older: page_pool_release_retry() stalled pool shutdown 199 inflight 60 sec
 * (in the older one the number is the inflight count, there is no id). When the
 * pool finally drains the warnings just stop: the last line stays in dmesg.
 */
#include <errno.h>
#include <string.h>

#include "core/util.h"
#include "world/kernel_internal.h"
#include "core/truth.h"

static void warn(void *arg)
{
	struct kernel *k = arg;
	struct page_pool_stall *pp = &k->pp;
	fl_ms now = fl_loop_now(fl_world_loop(k->w));
	long long age = (long long)((now - pp->started) / 1000);
	if (pp->old_format)
		kernel_log(k, "page_pool_release_retry() stalled pool shutdown %d inflight %lld sec", pp->inflight,
			   age);
	else
		kernel_log(k, "page_pool_release_retry() stalled pool shutdown: id %d, %d inflight %lld sec", pp->id,
			   pp->inflight, age);
	pp->timer = fl_timer_add(fl_world_loop(k->w), now + PP_WARN_INTERVAL_MS, warn, k);
}

static int get_int(json_object *params, const char *key, long fallback, long min, long *out, char **err)
{
	json_object *v;
	*out = fallback;
	if (!params || !json_object_object_get_ex(params, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < min)
		return fl_util_err(err, -EINVAL, "kernel.page-pool-stall: \"%s\" must be an integer >= %ld", key, min);
	*out = (long)json_object_get_int64(v);
	return 0;
}

/*
 * params: format "id" (default) or "old", inflight (default 1), id (default 9),
 * age_s: the age on the first line, printed now (default 60: a stall that just
 * began). Earlier lines of an older stall are not back-filled into the ring.
 */
int page_pool_stall(struct kernel *k, json_object *params, char **err)
{
	long inflight, id, age;
	if (get_int(params, "inflight", 1, 1, &inflight, err) < 0 || get_int(params, "id", 9, 0, &id, err) < 0 ||
	    get_int(params, "age_s", 60, 1, &age, err) < 0)
		return -EINVAL;
	json_object *v;
	const char *format = "id";
	if (params && json_object_object_get_ex(params, "format", &v))
		format = json_object_get_string(v);
	if (strcmp(format, "id") != 0 && strcmp(format, "old") != 0)
		return fl_util_err(err, -EINVAL, "kernel.page-pool-stall: \"format\" must be \"id\" or \"old\"");
	page_pool_recover(k, NULL);
	struct page_pool_stall *pp = &k->pp;
	pp->active = 1;
	pp->old_format = strcmp(format, "old") == 0;
	pp->inflight = (int)inflight;
	pp->id = (int)id;
	pp->started = fl_loop_now(fl_world_loop(k->w)) - age * FL_SECOND;
	fl_truth_log(fl_world_truth(k->w), "page_pool", "stall: %ld inflight, %s format, age %lds now", inflight,
		     format, age);
	warn(k);
	return 0;
}

/* The pool drained (or a new kernel): the warnings stop. @why NULL: say nothing. */
void page_pool_recover(struct kernel *k, const char *why)
{
	struct page_pool_stall *pp = &k->pp;
	if (!pp->active)
		return;
	fl_timer_cancel(fl_world_loop(k->w), pp->timer);
	if (why)
		fl_truth_log(fl_world_truth(k->w), "page_pool", "stall ends after %llds: %s",
			     (long long)page_pool_age_s(k), why);
	memset(pp, 0, sizeof(*pp));
}

int64_t page_pool_age_s(const struct kernel *k)
{
	if (!k->pp.active)
		return 0;
	return (fl_loop_now(fl_world_loop(k->w)) - k->pp.started) / 1000;
}
