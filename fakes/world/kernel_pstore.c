/*
 * Ramoops and pstore (BOOT-1, PSTORE-1, WDT-1): the 1 MiB region at 0x42f00000
 * keeps, across warm resets (not power loss), the dmesg dumps of panics (5 records
 * of 128 KiB, one per panic, zone 0 first in every boot) and the previous boot's
 * console (256 KiB). A new kernel shows them in /sys/fs/pstore once pstore is
 * mounted; removing a file there erases the record. With the DT/u-boot overlap,
 * records are 16 KiB.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"
#include "world/kernel_internal.h"
#include "world/modelfs.h"
#include "core/truth.h"

#define VIEW "sys/fs/pstore"

static struct pstore_record *find(struct kernel *k, const char *name)
{
	for (size_t i = 0; i < k->n_records; i++)
		if (strcmp(k->records[i].name, name) == 0)
			return &k->records[i];
	return NULL;
}

static void erase(struct kernel *k, size_t i)
{
	free(k->records[i].data);
	k->records[i] = k->records[--k->n_records];
}

/* Store @data under @name, replacing what the zone held. Takes @data. */
static void store(struct kernel *k, const char *name, char *data, size_t len)
{
	struct pstore_record *r = find(k, name);
	if (!r) {
		struct pstore_record *grown = realloc(k->records, (k->n_records + 1) * sizeof(*grown));
		if (!grown) {
			free(data);
			return;
		}
		k->records = grown;
		r = &k->records[k->n_records++];
		memset(r, 0, sizeof(*r));
		snprintf(r->name, sizeof(r->name), "%s", name);
	}
	free(r->data);
	r->data = data;
	r->len = len;
	r->visible = 0;
}

static void view_path(const struct kernel *k, const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "%s/" VIEW "/%s", k->dir, name);
}

static void view_clear(struct kernel *k)
{
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/" VIEW, k->dir);
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char path[4400];
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
}

/*
 * The newest lines of the ring that fit in @limit bytes after @header, each with
 * @prefix ("<6>" in dmesg dumps, nothing on the console). malloc'd, *len set.
 */
static char *ring_tail(const struct kernel *k, const char *header, const char *prefix, size_t limit,
		       size_t *len)
{
	size_t hlen = strlen(header), plen = strlen(prefix);
	size_t start = k->ring_len, used = hlen;
	while (start > 0) {
		size_t s = start - 1; /* the newline ending the previous line, or the line's last byte */
		while (s > 0 && k->ring[s - 1] != '\n')
			s--;
		size_t line = start - s;
		if (used + plen + line > limit)
			break;
		used += plen + line;
		start = s;
	}
	char *out = malloc(used + 1);
	if (!out)
		return NULL;
	memcpy(out, header, hlen);
	size_t o = hlen;
	for (size_t p = start; p < k->ring_len;) {
		char *nl = memchr(k->ring + p, '\n', k->ring_len - p);
		size_t line = nl ? (size_t)(nl - (k->ring + p)) + 1 : k->ring_len - p;
		memcpy(out + o, prefix, plen);
		memcpy(out + o + plen, k->ring + p, line);
		o += plen + line;
		p += line;
	}
	out[o] = '\0';
	*len = o;
	return out;
}

int pstore_init(struct kernel *k)
{
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/" VIEW, k->dir);
	int ret = fl_util_mkdirs(dir, 0755);
	if (!ret)
		ret = fl_modelfs_writable(k->dir, VIEW);
	pstore_mounts_file(k);
	return ret;
}

void pstore_power_lost(struct kernel *k)
{
	while (k->n_records)
		erase(k, 0);
	free(k->records);
	k->records = NULL;
	view_clear(k);
	k->pstore_mounted = 0;
	pstore_mounts_file(k);
}

/* kmsg_dump(KMSG_DUMP_PANIC): the newest log that fits one record, in the next zone. */
void pstore_dump_panic(struct kernel *k, const char *reason)
{
	size_t limit = k->overlap_now ? RAMOOPS_OVERLAP_RECORD_BYTES : RAMOOPS_RECORD_BYTES;
	char header[64], name[32];
	snprintf(header, sizeof(header), "Panic#%d Part1\n", ++k->oops_count);
	snprintf(name, sizeof(name), "dmesg-ramoops-%d", k->next_zone);
	k->next_zone = (k->next_zone + 1) % RAMOOPS_RECORDS;
	size_t len = 0;
	char *data = ring_tail(k, header, "<0>", limit, &len);
	if (!data)
		return;
	store(k, name, data, len);
	fl_truth_log(fl_world_truth(k->w), "pstore", "%s written: %zu bytes (%s)", name, len, reason);
}

/* A warm reset: what the last boot removed from the mounted view is gone; its console is kept. */
void pstore_boot(struct kernel *k, int orderly)
{
	(void)orderly;
	char path[4096];
	for (size_t i = 0; k->pstore_mounted && i < k->n_records;) {
		view_path(k, k->records[i].name, path, sizeof(path));
		struct stat st; /* the router's view: whatever it left there, not what it names */
		if (k->records[i].visible && lstat(path, &st) != 0) {
			fl_truth_log(fl_world_truth(k->w), "pstore", "%s erased by the router", k->records[i].name);
			erase(k, i);
		} else {
			i++;
		}
	}
	view_clear(k);
	k->pstore_mounted = 0;
	if (k->ring_len > 0) {
		size_t limit = k->overlap_now ? RAMOOPS_OVERLAP_CONSOLE_BYTES : RAMOOPS_CONSOLE_BYTES;
		size_t len = 0;
		char *data = ring_tail(k, "", "", limit, &len);
		if (data)
			store(k, "console-ramoops-0", data, len);
	}
	k->next_zone = 0;
}

int pstore_mount(struct kernel *k, char **msg)
{
	if (k->pstore_mounted) {
		*msg = strdup("mounting pstore on /sys/fs/pstore failed: Device or resource busy");
		return -EBUSY;
	}
	view_clear(k); /* the mount hides what the router left in the directory, links too */
	for (size_t i = 0; i < k->n_records; i++) {
		struct pstore_record *r = &k->records[i];
		char rel[64];
		snprintf(rel, sizeof(rel), VIEW "/%s", r->name);
		fl_modelfs_printf(k->dir, rel, "%.*s", (int)r->len, r->data);
		r->visible = 1;
	}
	k->pstore_mounted = 1;
	pstore_mounts_file(k);
	fl_truth_log(fl_world_truth(k->w), "pstore", "mounted: %zu records", k->n_records);
	return 0;
}

/* /proc/mounts of an OpenWrt on eMMC, with pstore once mounted. */
void pstore_mounts_file(struct kernel *k)
{
	fl_modelfs_printf(k->dir, "proc/mounts",
			  "/dev/root /rom squashfs ro,relatime,errors=continue 0 0\n"
			  "proc /proc proc rw,nosuid,nodev,noexec,noatime 0 0\n"
			  "sysfs /sys sysfs rw,nosuid,nodev,noexec,noatime 0 0\n"
			  "cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate 0 0\n"
			  "tmpfs /tmp tmpfs rw,nosuid,nodev,noatime 0 0\n"
			  "/dev/loop0 /overlay f2fs rw,lazytime,noatime,background_gc=on,discard 0 0\n"
			  "overlayfs:/overlay / overlay rw,noatime,lowerdir=/,upperdir=/overlay/upper,"
			  "workdir=/overlay/work,xino=off 0 0\n"
			  "tmpfs /dev tmpfs rw,nosuid,noexec,noatime,size=512k,mode=755 0 0\n"
			  "devpts /dev/pts devpts rw,nosuid,noexec,noatime,mode=600,ptmxmode=000 0 0\n"
			  "debugfs /sys/kernel/debug debugfs rw,noatime 0 0\n"
			  "bpf /sys/fs/bpf bpf rw,nosuid,nodev,noexec,noatime,mode=700 0 0\n"
			  "%s",
			  k->pstore_mounted ? "pstore /sys/fs/pstore pstore rw,noatime 0 0\n" : "");
}
