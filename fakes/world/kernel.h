/*
 * The router's kernel (model "kernel"): the dmesg ring, sysctls, version, sysrq,
 * panic and ramoops/pstore, the mtk-wdt watchdog, the page_pool leak. See
 * fakes/README.md for its behaviour and numbers.
 */
#ifndef FL_KERNEL_H
#define FL_KERNEL_H

#include "world/model.h"

extern const struct fl_model_ops fl_kernel_model;

/*
 * Append one line to the router's dmesg ring, stamped "[%5lu.%06lu] " with the
 * kernel's time since boot (no trailing newline in @fmt). Dropped while the kernel
 * does not run.
 */
void fl_kernel_log(struct fl_world *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
