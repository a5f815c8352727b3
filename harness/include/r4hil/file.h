/* Whole files, read once: scenario and lab files, images, generated scenarios. */
#ifndef R4HIL_FILE_H
#define R4HIL_FILE_H

#include <stddef.h>

/*
 * Read all of @path into *@out, NUL-terminated (the length, without the NUL, in
 * *@len if not NULL). Return: 0; -errno if it cannot be opened or read
 * (-EISDIR for a directory, -EINVAL for anything else that is not a regular
 * file, such as a FIFO or /dev/zero; -ENOMEM). The caller frees *@out.
 */
int hil_file_read(const char *path, char **out, size_t *len); /* at most HIL_FILE_MAX_IMAGE */

/* Scenario and lab files are kilobytes; more is a mistake, not a test plan. */
#define HIL_FILE_MAX_INPUT ((size_t)16 << 20)
/* Firmware images fit the eMMC's partitions. */
#define HIL_FILE_MAX_IMAGE ((size_t)512 << 20)

/* As hil_file_read(), but -EFBIG ("File too large") above @max bytes, read or not. */
int hil_file_read_max(const char *path, char **out, size_t *len, size_t max);

#endif
