/*
 * FIP-1: the u-boot FIP artifact (BL31 + u-boot, flashed to the fip partition)
 * fits its 4 MiB partition and carries no trace of the old ramoops address
 * 0x42ff0000, i.e. no little-endian bytes 00 00 ff 42 anywhere.
 */
#ifndef R4HIL_FIP_H
#define R4HIL_FIP_H

#include <stddef.h>
#include <stdint.h>

#define HIL_FIP_MAX_SIZE 4194304u             /* the eMMC fip partition */
#define HIL_FIP_TOC_MAGIC 0xAA640001u         /* TF-A's FIP ToC header name */
#define HIL_FIP_MAX_OFFSETS 8                 /* offsets kept for the report */

struct hil_fip_report {
	uint64_t size;
	int toc_ok;                           /* a ToC header and entries ending in the end marker */
	const char *toc_problem;              /* why not, when !toc_ok (static) */
	uint64_t scanned;                     /* bytes searched: the file, at most the partition's size */
	size_t hits;                          /* occurrences of 00 00 ff 42 */
	uint64_t offsets[HIL_FIP_MAX_OFFSETS]; /* the first ones */
};

/*
 * Scan @path (a regular file). 0 and *@rep filled, or -errno (unreadable, a
 * directory, a device or FIFO) with *@err. The pattern is searched only in a
 * FIP, and only in its first HIL_FIP_MAX_SIZE bytes (a larger file fails anyway).
 */
int hil_fip_scan(const char *path, struct hil_fip_report *rep, char **err);

/* 1 if the report meets FIP-1 (size and pattern; the ToC is reported apart). */
int hil_fip_ok(const struct hil_fip_report *rep);

#endif
