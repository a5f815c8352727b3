/*
 * The kernel model: the dmesg ring, the sysctls under /proc/sys, the version, the
 * boot log, /proc/sysrq-trigger and panic(). Its other parts: kernel_pstore.c,
 * kernel_wdt.c, page_pool.c.
 */
#include "world/kernel.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "core/beneath.h"
#include "core/util.h"
#include "core/httpd.h"
#include "world/kernel_internal.h"
#include "world/wifi_log.h"
#include "world/world.h"
#include "world/modelfs.h"
#include "core/truth.h"

#define OSRELEASE "6.12.85"
#define KVERSION "#0 SMP Sat Feb 28 12:00:00 2026"

/* Sysctls the model knows, with the stock kernel's values at boot (before /etc/sysctl.d). */
static const struct sysctl_default {
	const char *name, *value;
} sysctls[] = {
	{ "kernel/panic", "0" },            /* CONFIG_PANIC_TIMEOUT=0: wait forever */
	{ "kernel/panic_on_oops", "0" },
	{ "kernel/sysrq", "1" },            /* CONFIG_MAGIC_SYSRQ_DEFAULT_ENABLE=0x1 */
	{ "kernel/hung_task_panic", "0" },
	{ "kernel/hung_task_timeout_secs", "120" },
	{ "kernel/softlockup_panic", "0" },
	{ "kernel/watchdog_thresh", "10" },
	{ "kernel/printk", "7\t4\t1\t7" },
};

/* ---- the dmesg ring ---- */

fl_ms kernel_since_boot(const struct kernel *k)
{
	return fl_loop_now(fl_world_loop(k->w)) - fl_world_kernel_start(k->w);
}

static void ring_write(struct kernel *k)
{
	fl_modelfs_printf(k->dir, "dmesg", "%.*s", (int)k->ring_len, k->ring ? k->ring : "");
}

/* Keep the newest KERNEL_RING_BYTES, whole lines only, as the printk ring does. */
static void ring_trim(struct kernel *k)
{
	if (k->ring_len <= KERNEL_RING_BYTES)
		return;
	size_t drop = k->ring_len - KERNEL_RING_BYTES;
	char *nl = memchr(k->ring + drop, '\n', k->ring_len - drop);
	drop = nl ? (size_t)(nl - k->ring) + 1 : k->ring_len;
	memmove(k->ring, k->ring + drop, k->ring_len - drop);
	k->ring_len -= drop;
}

static void vlog_at(struct kernel *k, fl_ms since_boot, const char *fmt, va_list ap)
{
	char *text;
	if (vasprintf(&text, fmt, ap) < 0)
		return;
	if (since_boot < 0)
		since_boot = 0;
	char *line;
	int n = asprintf(&line, "[%5lld.%06lld] %s\n", (long long)(since_boot / 1000),
			 (long long)(since_boot % 1000) * 1000, text);
	free(text);
	if (n < 0)
		return;
	char *grown = realloc(k->ring, k->ring_len + (size_t)n + 1);
	if (grown) {
		k->ring = grown;
		memcpy(k->ring + k->ring_len, line, (size_t)n + 1);
		k->ring_len += (size_t)n;
		ring_trim(k);
		ring_write(k);
	}
	free(line);
}

void kernel_log_at(struct kernel *k, fl_ms since_boot, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog_at(k, since_boot, fmt, ap);
	va_end(ap);
}

void kernel_log(struct kernel *k, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog_at(k, kernel_since_boot(k), fmt, ap);
	va_end(ap);
}

void fl_kernel_log(struct fl_world *w, const char *fmt, ...)
{
	struct kernel *k = fl_world_model_state(w, "kernel");
	if (!k || fl_world_router(w) == FL_ROUTER_OFF)
		return;
	va_list ap;
	va_start(ap, fmt);
	vlog_at(k, kernel_since_boot(k), fmt, ap);
	va_end(ap);
}

static void ring_clear(struct kernel *k)
{
	k->ring_len = 0;
	ring_write(k);
}

/* ---- sysctls ---- */

long kernel_sysctl(const struct kernel *k, const char *name, long fallback)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/proc/sys/%s", k->dir, name);
	size_t len;
	char *text = fl_util_read_file(path, &len);
	if (!text)
		return fallback;
	char *end;
	long v = strtol(text, &end, 10);
	if (end == text)
		v = fallback;
	free(text);
	return v;
}

static void sysctls_reset(struct kernel *k)
{
	for (size_t i = 0; i < sizeof(sysctls) / sizeof(sysctls[0]); i++) {
		char rel[256];
		snprintf(rel, sizeof(rel), "proc/sys/%s", sysctls[i].name);
		fl_modelfs_printf(k->dir, rel, "%s\n", sysctls[i].value);
	}
}

/* One "key = value" line of a sysctl.conf; a leading '-' only silences errors. */
static int sysctl_line(struct kernel *k, char *line)
{
	line += strspn(line, " \t");
	if (*line == '-')
		line++;
	char *eq = strchr(line, '=');
	if (!*line || *line == '#' || *line == ';' || !eq)
		return 0;
	char *key = line, *val = eq + 1, *end = eq;
	while (end > key && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*end = '\0';
	val += strspn(val, " \t");
	val[strcspn(val, "\r\n")] = '\0';
	char rel[512];
	snprintf(rel, sizeof(rel), "proc/sys/%s", key);
	for (char *c = rel + strlen("proc/sys/"); *c; c++)
		if (*c == '.')
			*c = '/';
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", k->dir, rel);
	if (access(path, F_OK) != 0)
		return 0; /* a key this model does not have: the real kernel's business */
	fl_modelfs_printf(k->dir, rel, "%s\n", val);
	return 1;
}

/* One of the router's sysctl.conf files, line by line, as `sysctl -p` reads it. */
static int sysctl_file(struct kernel *k, const char *path)
{
	char *text = fl_beneath_read_file(fl_world_rootfs(k->w), path, FL_BENEATH_READ_MAX, NULL);
	int n = 0;
	for (char *line = text, *end; line && *line; line = end) {
		end = line + strcspn(line, "\n");
		if (*end)
			*end++ = '\0';
		n += sysctl_line(k, line);
	}
	free(text);
	return n;
}

static int conf_name(const struct dirent *de)
{
	size_t n = strlen(de->d_name);
	return n > 5 && strcmp(de->d_name + n - 5, ".conf") == 0;
}

/*
 * OpenWrt's /etc/init.d/sysctl (S11, before any service such as dropbear): each
 * .conf of /etc/sysctl.d in name order, then /etc/sysctl.conf, with `sysctl -e -p`.
 * Applied by the model from the rootfs, so that nothing reaches the router first.
 */
static void sysctls_apply(struct kernel *k)
{
	char path[4400];
	/* the router's directory, resolved in its rootfs as it sees it (beneath.h) */
	int root_fd = open(fl_world_rootfs(k->w), O_PATH | O_DIRECTORY | O_CLOEXEC);
	int dir_fd = root_fd < 0 ? -1 : fl_beneath_open(root_fd, "/etc/sysctl.d", O_RDONLY | O_DIRECTORY, 0);
	struct dirent **list = NULL;
	int n = dir_fd < 0 ? -1 : scandirat(dir_fd, ".", &list, conf_name, alphasort), applied = 0;
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/etc/sysctl.d/%s", list[i]->d_name);
		applied += sysctl_file(k, path);
		free(list[i]);
	}
	free(list);
	if (dir_fd >= 0)
		close(dir_fd);
	if (root_fd >= 0)
		close(root_fd);
	applied += sysctl_file(k, "/etc/sysctl.conf");
	fl_truth_log(fl_world_truth(k->w), "kernel", "/etc/init.d/sysctl: %d settings applied, kernel.panic=%ld",
		     applied, kernel_sysctl(k, "kernel/panic", 0));
}

/* ---- version and boot log ---- */

static void version_files(struct kernel *k)
{
	fl_modelfs_printf(k->dir, "proc/version",
			  "Linux version " OSRELEASE " (builder@buildhost) (aarch64-openwrt-linux-musl-gcc "
			  "(OpenWrt GCC 14.3.0 r29812-bpi) 14.3.0, GNU ld (GNU Binutils) 2.44) " KVERSION "\n");
	fl_modelfs_printf(k->dir, "proc/sys/kernel/osrelease", "%s\n", OSRELEASE);
	fl_modelfs_printf(k->dir, "proc/sys/kernel/version", "%s\n", KVERSION);
}

/*
 * What the MT7988A's kernel prints while it boots, at its own timestamps (ms). The
 * MT7996 card's PCIe link and probe lines only for the lab's first boot (the card
 * probed long ago); after a reset the WiFi model logs them, as the probe goes.
 */
static void boot_log(struct kernel *k, int first)
{
	static const struct {
		int ms;
		const char *text;
	} lines[] = {
		{ 0, "Booting Linux on physical CPU 0x0000000000 [0x410fd034]" },
		{ 0, "Linux version " OSRELEASE " (builder@buildhost) (aarch64-openwrt-linux-musl-gcc "
		     "(OpenWrt GCC 14.3.0 r29812-bpi) 14.3.0, GNU ld (GNU Binutils) 2.44) " KVERSION },
		{ 0, "Machine model: Bananapi BPI-R4" },
		{ 0, "OF: reserved mem: 0x0000000042f00000..0x0000000042ffffff (1024 KiB) map non-reusable ramoops@42f00000" },
		{ 0, "OF: reserved mem: 0x0000000043000000..0x000000004302ffff (192 KiB) nomap non-reusable secmon@43000000" },
		{ 0, "OF: reserved mem: 0x0000000047c80000..0x0000000047d7ffff (1024 KiB) nomap non-reusable wmcpu-reserved@47c80000" },
		{ 0, "Zone ranges:" },
		{ 0, "  DMA      [mem 0x0000000040000000-0x00000000ffffffff]" },
		{ 0, "  DMA32    empty" },
		{ 0, "  Normal   [mem 0x0000000100000000-0x00000001ffffffff]" },
		{ 0, "psci: probing for conduit method from DT." },
		{ 0, "psci: PSCIv1.1 detected in firmware." },
		{ 0, "percpu: Embedded 21 pages/cpu s47528 r8192 d30296 u86016" },
		{ 0, "Detected PIPT I-cache on CPU0" },
		{ 0, "Kernel command line: console=ttyS0,115200n1 pci=pcie_bus_perf root=/dev/fit0 rootwait" },
		{ 0, "Memory: 7963452K/8388608K available (10752K kernel code, 1138K rwdata, 3456K rodata)" },
		{ 0, "SLUB: HWalign=64, Order=0-3, MinObjects=0, CPUs=4, Nodes=1" },
		{ 0, "rcu: Hierarchical RCU implementation." },
		{ 0, "GICv3: 608 SPIs implemented" },
		{ 0, "arch_timer: cp15 timer(s) running at 13.00MHz (phys)." },
		{ 1, "Console: colour dummy device 80x25" },
		{ 2, "pid_max: default: 32768 minimum: 301" },
		{ 10, "smp: Bringing up secondary CPUs ..." },
		{ 12, "CPU1: Booted secondary processor 0x0000000001 [0x410fd034]" },
		{ 14, "CPU2: Booted secondary processor 0x0000000002 [0x410fd034]" },
		{ 16, "CPU3: Booted secondary processor 0x0000000003 [0x410fd034]" },
		{ 16, "smp: Brought up 1 node, 4 CPUs" },
		{ 20, "NET: Registered PF_NETLINK/PF_ROUTE protocol family" },
		{ 90, "pstore: Using crash dump compression: deflate" },
		{ 91, "pstore: Registered ramoops as persistent store backend" },
		{ 91, "ramoops: using 0x100000@0x42f00000, ecc: 0" },
		{ 120, "mtk-wdt 1001c000.watchdog: Watchdog enabled (timeout=31 sec, nowayout=0)" },
		{ 130, "Serial: 8250/16550 driver, 3 ports, IRQ sharing disabled" },
		{ 140, "mtk_soc_eth 15100000.ethernet: generated random MAC address 02:0c:43:a1:b2:c3" },
		{ 150, "mtk_soc_eth 15100000.ethernet eth0: mediatek frame engine at 0xffffffc081100000, irq 63" },
		{ 151, "mtk_soc_eth 15100000.ethernet eth1: mediatek frame engine at 0xffffffc081100000, irq 63" },
		{ 152, "mtk_soc_eth 15100000.ethernet eth2: mediatek frame engine at 0xffffffc081100000, irq 63" },
		{ 300, "mtk-pcie-gen3 11300000.pcie: PCIe link up, current link speed: Gen3 x1" },
		{ 310, "pci 0000:01:00.0: [14c3:7990] type 00 class 0x000280 PCIe Endpoint" },
		{ 900, "sfp sfp1: Host maximum power 3.0W" },
		{ 950, "sfp sfp1: module FS XGS-SFP-ONT-MACI rev 1.0 sn FS250100001 dc 250101" },
		{ 1200, "VFS: Mounted root (squashfs filesystem) readonly on device 179:5." },
		{ 1400, "init: Console is alive" },
		{ 1500, "init: - watchdog -" },
		{ 3000, "kmodloader: loading kernel modules from /etc/modules.d/*" },
		{ 3500, "mt7996e 0000:01:00.0: assign IRQ: got 123" },
		{ 4200, "mt7996e 0000:01:00.0: HW/SW Version: 0x8a108a10, Build Time: 20250101000000a" },
		{ 4800, "mt7996e 0000:01:00.0: WM Firmware Version: ____000000, Build Time: 20250101000000" },
		{ 6000, "init: - preinit -" },
		{ 9000, "mount_root: overlay filesystem has not been fully initialized yet" },
		{ 9500, "procd: - early -" },
		{ 9600, "procd: - watchdog -" },
		{ 10500, "procd: - ubus -" },
		{ 11000, "procd: - init -" },
		{ 14000, "urandom-seed: Seeding with /etc/urandom.seed" },
		{ 16000, "br-lan: port 1(lan1) entered blocking state" },
		{ 16001, "br-lan: port 1(lan1) entered forwarding state" },
		{ 20000, "mtk_soc_eth 15100000.ethernet eth2: Link is Up - 10Gbps/Full - flow control off" },
	};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		if (!first && (strstr(lines[i].text, "11300000.pcie") || strstr(lines[i].text, "0000:01:00.0")))
			continue;
		kernel_log_at(k, lines[i].ms, "%s", lines[i].text);
		if (i == 5 && k->overlap_now)
			kernel_log_at(k, 0, "OF: reserved mem: OVERLAP DETECTED!\n"
					    "ramoops@42f00000 (0x0000000042f00000--0x0000000043000000) overlaps with "
					    "ramoops@42ff0000 (0x0000000042ff0000--0x0000000043000000)");
	}
	/* The bulk of a real boot log (~40 KiB): every pinctrl, clock and netfilter line. */
	for (int i = 0; i < 120; i++)
		kernel_log_at(k, 2000 + i * 10, "mt7988-pinctrl 1001f000.pinctrl: pin %d: gpio-func %d, "
				  "pull-%s, driving %d mA, input schmitt %s", i, i % 8, i % 3 ? "up" : "down",
			      4 + (i % 4) * 2, i % 2 ? "on" : "off");
	for (int i = 0; i < 120; i++)
		kernel_log_at(k, 7000 + i * 5, "clk: mt7988 infracfg: gate %d (infra_%03d_ck) parent topckgen, "
				  "rate %d Hz, enable count %d", i, i, 26000000 * (1 + i % 12), i % 3);
}

/* ---- sysrq ---- */

/* sysrq t: every task's state and stack, as show_state() prints them. */
static void sysrq_show_state(struct kernel *k)
{
	static const char *const tasks[] = {
		"procd", "kthreadd", "ksoftirqd/0", "ksoftirqd/1", "ksoftirqd/2", "ksoftirqd/3",
		"kworker/0:1", "kworker/1:2", "kworker/u8:3", "rcu_preempt", "migration/0", "ubusd",
		"logd", "rpcd", "netifd", "odhcpd", "dnsmasq", "dropbear", "crond", "hostapd",
		"wpa_supplicant", "uhttpd", "haproxy", "pppd", "ntpd", "irqbalance", "mt76-tx phy0",
		"napi/eth0-0", "napi/eth1-0", "sh",
	};
	kernel_log(k, "sysrq: Show State");
	for (size_t i = 0; i < sizeof(tasks) / sizeof(tasks[0]); i++) {
		kernel_log(k, "task:%-15s state:%c stack:0     pid:%-5zu tgid:%-5zu ppid:%-6d flags:0x00000008",
			   tasks[i], i % 5 == 4 ? 'D' : 'S', i + 1, i + 1, i ? 1 : 0);
		kernel_log(k, "Call trace:");
		kernel_log(k, " __switch_to+0xe4/0x140");
		kernel_log(k, " __schedule+0x2b8/0x8c0");
		kernel_log(k, " schedule+0x38/0xe0");
		kernel_log(k, " %s+0x%zx/0x2a0", i % 5 == 4 ? "io_schedule" : "schedule_hrtimeout_range_clock",
			   0x90 + i * 4);
		kernel_log(k, " do_sys_poll+0x394/0x4f0");
		kernel_log(k, " __arm64_sys_ppoll+0xac/0x110");
		kernel_log(k, " el0_svc+0x30/0xd0");
	}
}

static void sysrq(struct kernel *k, char c)
{
	struct fl_truth *truth = fl_world_truth(k->w);
	switch (c) {
	case 't':
		fl_truth_log(truth, "sysrq", "t: task stacks dumped");
		sysrq_show_state(k);
		break;
	case 'c':
		fl_truth_log(truth, "sysrq", "c: crash");
		kernel_log(k, "sysrq: Trigger a crash");
		fl_world_kernel_panic(k->w, "sysrq triggered crash");
		break;
	case 'b':
		fl_truth_log(truth, "sysrq", "b: immediate reboot");
		kernel_log(k, "sysrq: Resetting");
		fl_world_hard_reset(k->w, "sysrq b");
		break;
	case 'w':
		kernel_log(k, "sysrq: Show Blocked State");
		break;
	case 's':
		kernel_log(k, "sysrq: Emergency Sync");
		break;
	case '\n':
		break;
	default:
		kernel_log(k, "sysrq: HELP : loglevel(0-9) reboot(b) crash(c) show-all-locks(d) "
			      "terminate-all-tasks(e) memory-full-oom-kill(f) kill-all-tasks(i) thaw-filesystems(j) "
			      "sak(k) show-backtrace-all-active-cpus(l) show-memory-usage(m) nice-all-RT-tasks(n) "
			      "poweroff(o) show-registers(p) show-all-timers(q) unraw(r) sync(s) show-task-states(t) "
			      "unmount(u) show-blocked-tasks(w) dump-ftrace-buffer(z)");
		break;
	}
}

/*
 * Root's writes to /proc/sysrq-trigger always act, whatever kernel.sysrq says (it
 * gates the keyboard). Seen on every write (IN_MODIFY), emptied once acted on: the
 * writer's write() returns then (sandbox/procredir), as the real one returns after
 * the handler ran.
 */
static void on_sysrq(void *arg, int fd)
{
	struct kernel *k = arg;
	char ev[4096];
	if (read(fd, ev, sizeof(ev)) <= 0)
		return;
	char path[4096];
	snprintf(path, sizeof(path), "%s/proc/sysrq-trigger", k->dir);
	size_t len = 0;
	char *cmds = fl_util_read_file(path, &len);
	for (size_t i = 0; cmds && i < len && fl_world_router(k->w) == FL_ROUTER_UP; i++)
		sysrq(k, cmds[i]);
	free(cmds);
	if (len > 0)
		fl_modelfs_printf(k->dir, "proc/sysrq-trigger", "%s", "");
}

/* ---- panic ---- */

static void panic_timeout(void *arg)
{
	struct kernel *k = arg;
	k->panic_timer = 0;
	fl_world_hard_reset(k->w, "panic timeout (kernel.panic)");
}

/* panic(): the message and stack, the ramoops dump, then kernel.panic decides. */
void kernel_panic(struct kernel *k, const char *why)
{
	kernel_log(k, "Kernel panic - not syncing: %s", why);
	kernel_log(k, "CPU: 2 UID: 0 PID: 4242 Comm: sh Not tainted " OSRELEASE " #0");
	kernel_log(k, "Hardware name: Bananapi BPI-R4 (DT)");
	kernel_log(k, "Call trace:");
	kernel_log(k, " show_stack+0x18/0x24");
	kernel_log(k, " dump_stack_lvl+0x38/0x90");
	kernel_log(k, " panic+0x38c/0x3a0");
	kernel_log(k, "SMP: stopping secondary CPUs");
	kernel_log(k, "Kernel Offset: disabled");
	kernel_log(k, "Memory Limit: none");
	pstore_dump_panic(k, why);
	k->panicked = 1;
	long timeout = kernel_sysctl(k, "kernel/panic", 0);
	wdt_panicked(k);
	if (timeout > 0) {
		kernel_log(k, "Rebooting in %ld seconds..", timeout);
		k->panic_timer = fl_timer_add(fl_world_loop(k->w),
					      fl_loop_now(fl_world_loop(k->w)) + timeout * FL_SECOND, panic_timeout, k);
	} else if (timeout < 0) {
		k->panic_timer = fl_timer_add(fl_world_loop(k->w), fl_loop_now(fl_world_loop(k->w)),
					      panic_timeout, k);
	} else {
		/* panic_timeout 0: spin forever; only the watchdog or a power cycle ends it */
		kernel_log(k, "---[ end Kernel panic - not syncing: %s ]---", why);
	}
	fl_truth_log(fl_world_truth(k->w), "kernel", "panic: kernel.panic=%ld%s", timeout,
		     timeout == 0 ? " (hangs until the watchdog bites or power is cut)" : "");
}

/* ---- boot ---- */

static void cancel_timers(struct kernel *k)
{
	fl_timer_cancel(fl_world_loop(k->w), k->panic_timer);
	k->panic_timer = 0;
	wdt_stop(k);
	page_pool_recover(k, NULL);
}

/* A new kernel starts: what DRAM kept goes to pstore, everything else starts over. */
static void kernel_boot(struct kernel *k, int orderly, int first)
{
	cancel_timers(k);
	if (orderly)
		kernel_log(k, "reboot: Restarting system");
	pstore_boot(k, orderly);
	k->panicked = 0;
	k->oops_count = 0;
	k->overlap_now = k->overlap;
	ring_clear(k);
	fl_modelfs_printf(k->dir, "syslog", "%s", ""); /* logd's ring is RAM too */
	sysctls_reset(k);
	boot_log(k, first);
	wdt_boot(k);
	pstore_mounts_file(k);
}

/* ---- hooks ---- */

static int kernel_init(struct fl_world *w, void **state, char **err)
{
	struct kernel *k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	*state = k;
	k->w = w;
	k->dir = fl_world_model_dir(w);
	k->sysrq_watch = -1;
	version_files(k);
	sysctls_reset(k);
	int ret = 0;
	for (size_t i = 0; !ret && i < sizeof(sysctls) / sizeof(sysctls[0]); i++) {
		char rel[256];
		snprintf(rel, sizeof(rel), "proc/sys/%s", sysctls[i].name);
		ret = fl_modelfs_writable(k->dir, rel);
	}
	if (!ret)
		ret = fl_modelfs_writable(k->dir, "proc/sysrq-trigger");
	if (!ret)
		ret = pstore_init(k);
	if (ret < 0)
		return fl_util_err(err, ret, "kernel model: failed to create its files: %s", strerror(-ret));
	wdt_files(k);
	char path[4096];
	snprintf(path, sizeof(path), "%s/proc/sysrq-trigger", k->dir);
	k->sysrq_watch = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (k->sysrq_watch < 0 || inotify_add_watch(k->sysrq_watch, path, IN_MODIFY) < 0)
		return fl_util_err(err, -errno, "failed to watch %s: %s", path, strerror(errno));
	fl_fd_watch(fl_world_loop(w), k->sysrq_watch, on_sysrq, k);
	return 0;
}

static void kernel_free(void *state)
{
	struct kernel *k = state;
	cancel_timers(k);
	if (k->sysrq_watch >= 0) {
		fl_fd_unwatch(fl_world_loop(k->w), k->sysrq_watch);
		close(k->sysrq_watch);
	}
	pstore_power_lost(k);
	free(k->ring);
	free(k);
}

static void kernel_power(void *state, int on)
{
	struct kernel *k = state;
	if (on)
		return;
	cancel_timers(k);
	pstore_power_lost(k); /* DRAM loses the ramoops region */
	ring_clear(k);
}

static void kernel_reset(void *state)
{
	struct kernel *k = state;
	kernel_boot(k, fl_world_reset_cause(k->w) == FL_RESET_REBOOT, 0);
}

static void kernel_userland(void *state)
{
	struct kernel *k = state;
	if (k->ring_len == 0) /* the lab's first boot: no reset hook ran */
		kernel_boot(k, 0, 1);
	sysctls_apply(k);
}

static void kernel_panic_hook(void *state, const char *why)
{
	kernel_panic(state, why);
}

/* A D-state task or a stuck CPU: panics only if the sysctl asks (WDT-2). */
static int inject_lockup(struct kernel *k, int soft)
{
	long limit = soft ? 2 * kernel_sysctl(k, "kernel/watchdog_thresh", 10)
			  : kernel_sysctl(k, "kernel/hung_task_timeout_secs", 120);
	if (soft)
		kernel_log(k, "watchdog: BUG: soft lockup - CPU#1 stuck for %lds! [kworker/1:2:87]", limit + 2);
	else
		kernel_log(k, "INFO: task kworker/u8:3:112 blocked for more than %ld seconds.", limit);
	const char *sysctl = soft ? "kernel/softlockup_panic" : "kernel/hung_task_panic";
	if (kernel_sysctl(k, sysctl, 0) == 1)
		fl_world_kernel_panic(k->w, soft ? "softlockup: hung tasks" : "hung_task: blocked tasks");
	else
		fl_truth_log(fl_world_truth(k->w), "kernel", "%s without kernel.%s=1: no panic",
			     soft ? "soft lockup" : "hung task", sysctl + strlen("kernel/"));
	return 0;
}

static int kernel_inject(void *state, const char *what, json_object *params, char **err)
{
	struct kernel *k = state;
	if (fl_world_router(k->w) == FL_ROUTER_OFF && strcmp(what, "ramoops-overlap") != 0)
		return fl_util_err(err, -EINVAL, "kernel.%s: the router is off", what);
	if (strcmp(what, "hang") == 0) {
		wdt_hang(k, 0, "kernel.hang");
		return 0;
	}
	if (strcmp(what, "hung-task") == 0)
		return inject_lockup(k, 0);
	if (strcmp(what, "soft-lockup") == 0)
		return inject_lockup(k, 1);
	if (strcmp(what, "page-pool-stall") == 0)
		return page_pool_stall(k, params, err);
	if (strcmp(what, "page-pool-recover") == 0) {
		page_pool_recover(k, "recovered on its own");
		return 0;
	}
	if (strcmp(what, "ramoops-overlap") == 0) {
		json_object *v = NULL;
		int on = 1;
		if (params && json_object_object_get_ex(params, "on", &v)) {
			if (!json_object_is_type(v, json_type_boolean))
				return fl_util_err(err, -EINVAL, "kernel.ramoops-overlap: \"on\" must be a boolean");
			on = json_object_get_boolean(v);
		}
		k->overlap = on;
		fl_truth_log(fl_world_truth(k->w), "kernel", "ramoops layout from the next boot: %s",
			     on ? "kernel DT and u-boot overlap" : "agreed (1 MiB at 0x42f00000)");
		return 0;
	}
	return fl_util_err(err, -EINVAL, "unknown injection \"kernel.%s\"", what);
}

static int kernel_hw(void *state, const char *action, json_object *body, struct fl_http_resp *resp)
{
	struct kernel *k = state;
	if (strcmp(action, "mount-pstore") == 0) {
		char *msg = NULL;
		if (pstore_mount(k, &msg) < 0) {
			fl_http_replyf(resp, 409, "{\"message\":\"%s\"}", msg ? msg : "failed");
			free(msg);
			return 0;
		}
		fl_http_reply(resp, 200, "{\"mounted\":true}");
		return 0;
	}
	if (strcmp(action, "syslog") == 0) {
		/* logger inside the router: a line in logd's ring (the model's syslog) */
		json_object *prio = NULL, *tag = NULL, *msg = NULL;
		if (!body || !json_object_object_get_ex(body, "message", &msg)) {
			fl_http_reply(resp, 400, "{\"message\":\"syslog needs a message\"}");
			return 0;
		}
		json_object_object_get_ex(body, "prio", &prio);
		json_object_object_get_ex(body, "tag", &tag);
		fl_wifi_syslog(k->w, prio ? json_object_get_string(prio) : "user.notice",
			       tag ? json_object_get_string(tag) : "root", "%s", json_object_get_string(msg));
		fl_http_reply(resp, 200, "{\"logged\":true}");
		return 0;
	}
	if (strcmp(action, "dmesg-clear") == 0) {
		ring_clear(k);
		fl_http_reply(resp, 200, "{\"cleared\":true}");
		return 0;
	}
	fl_http_replyf(resp, 404, "{\"message\":\"no kernel action %s\"}", action);
	return 0;
}

static void kernel_event(void *state, const char *event, json_object *params)
{
	struct kernel *k = state;
	(void)params;
	if (strcmp(event, "wan.pppoe-down") != 0 || fl_world_router(k->w) != FL_ROUTER_UP)
		return;
	int64_t age = page_pool_age_s(k);
	struct fl_truth *truth = fl_world_truth(k->w);
	if (age < PP_WEDGE_AGE_S) {
		fl_truth_log(truth, "kernel", "pppoe-wan flap survived (page_pool stall age %llds)", (long long)age);
		return;
	}
	fl_truth_log(truth, "kernel", "pppoe-wan flap after a %llds page_pool stall: SoC ethernet wedged",
		     (long long)age);
	wdt_hang(k, 1, "SoC ethernet wedged");
}

const struct fl_model_ops fl_kernel_model = {
	.name = "kernel",
	.init = kernel_init,
	.free = kernel_free,
	.power = kernel_power,
	.reset = kernel_reset,
	.userland = kernel_userland,
	.panic = kernel_panic_hook,
	.inject = kernel_inject,
	.hw = kernel_hw,
	.event = kernel_event,
};
