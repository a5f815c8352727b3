/* Private to reports/: writing a report file in one piece. */
#ifndef R4HIL_REPORTS_WRITEFILE_H
#define R4HIL_REPORTS_WRITEFILE_H

#include <stddef.h>

/* Write @len bytes of @data to @path through "@path.tmp" and rename(), so readers never see half a file. 0 or -errno. */
int hil_report_write_file(const char *path, const char *data, size_t len);

#endif
