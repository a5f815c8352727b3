/*
 * The kernel model's state, shared by its parts: kernel.c (dmesg ring, sysctls,
 * version, boot log, sysrq, panic), kernel_pstore.c (ramoops and /sys/fs/pstore),
 * kernel_wdt.c (mtk-wdt, hangs and wedges), page_pool.c (the page_pool leak).
 */
#ifndef FL_KERNEL_INTERNAL_H
#define FL_KERNEL_INTERNAL_H

#include <stdint.h>

#include "core/loop.h"
#include "world/model.h"

#define KERNEL_RING_BYTES (128 * 1024) /* CONFIG_LOG_BUF_SHIFT=17 */

/* Ramoops as the DT reserves it (PSTORE-1), and as the overlap leaves it. */
#define RAMOOPS_RECORDS 5
#define RAMOOPS_RECORD_BYTES (128 * 1024)
#define RAMOOPS_CONSOLE_BYTES (256 * 1024)
#define RAMOOPS_OVERLAP_RECORD_BYTES (16 * 1024)
#define RAMOOPS_OVERLAP_CONSOLE_BYTES (16 * 1024)

/* mtk-wdt as the BPI-R4 firmware configures it (WDT-1); procd kicks it every 5 s. */
#define WDT_TIMEOUT_S 30
#define WDT_PRETIMEOUT_S 15
#define WDT_KICK_MS (5 * FL_SECOND)

/* A pppoe-wan flap wedges the SoC ethernet once a stall is this old (PPPOE-1). */
#define PP_WEDGE_AGE_S (2 * 3600)
#define PP_WARN_INTERVAL_MS (60 * FL_SECOND) /* DEFER_WARN_INTERVAL */

struct page_pool_stall {
	int active;
	int old_format; /* "stalled pool shutdown 199 inflight" (before "id N,") */
	int id, inflight;
	fl_ms started;  /* virtual time the stall began (may be before the injection) */
	uint64_t timer;
};

/* One ramoops zone's content, as DRAM keeps it across warm resets. */
struct pstore_record {
	char name[32];  /* dmesg-ramoops-N, console-ramoops-0 */
	char *data;
	size_t len;
	int visible;    /* shown in the mounted /sys/fs/pstore (erased if removed there) */
};

struct kernel {
	struct fl_world *w;
	const char *dir; /* model dir */

	char *ring;      /* the dmesg ring: "[%5lu.%06lu] text\n" lines, oldest first */
	size_t ring_len;

	int sysrq_watch; /* inotify on proc/sysrq-trigger */

	/* pstore */
	int overlap;          /* DT and u-boot disagree: takes effect at the next boot */
	int overlap_now;      /* this boot's layout */
	int pstore_mounted;
	struct pstore_record *records;
	size_t n_records;
	int panicked;         /* this boot ended in panic(): dmesg record written */
	int next_zone;        /* dmesg-ramoops-N of the next dump */
	int oops_count;

	/* watchdog */
	int hung;             /* kernel.hang: nothing kicks the watchdog any more */
	int wedged;           /* PPPOE-1: the pretimeout panic cannot run either */
	fl_ms kick_stopped;   /* the last kick before a hang */
	uint64_t pretimeout_timer, bite_timer, panic_timer;

	struct page_pool_stall pp;
};

/* kernel.c */
void kernel_log_at(struct kernel *k, fl_ms since_boot, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void kernel_log(struct kernel *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
long kernel_sysctl(const struct kernel *k, const char *name, long fallback);
fl_ms kernel_since_boot(const struct kernel *k);
void kernel_panic(struct kernel *k, const char *why);

/* kernel_pstore.c: the ramoops store lives in the model dir's .ramoops/ (DRAM). */
int pstore_init(struct kernel *k);
void pstore_power_lost(struct kernel *k);
void pstore_dump_panic(struct kernel *k, const char *reason);
void pstore_boot(struct kernel *k, int orderly);   /* a new kernel found what DRAM kept */
int pstore_mount(struct kernel *k, char **msg);
void pstore_mounts_file(struct kernel *k);

/* kernel_wdt.c */
void wdt_files(struct kernel *k);
void wdt_boot(struct kernel *k);
void wdt_hang(struct kernel *k, int wedge, const char *why);
void wdt_stop(struct kernel *k);
void wdt_panicked(struct kernel *k);

/* page_pool.c */
int page_pool_stall(struct kernel *k, json_object *params, char **err);
void page_pool_recover(struct kernel *k, const char *why);
int64_t page_pool_age_s(const struct kernel *k);

#endif
