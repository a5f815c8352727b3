/* The models of the fake lab, in the order their hooks run (see world/model.h). */
#include "world/model.h"

#include <stddef.h>

#include "world/kernel.h"
#include "world/onu.h"
#include "world/reach.h"
#include "world/services.h"
#include "world/sfp.h"
#include "world/wan.h"

extern const struct fl_model_ops fl_wifi_model; /* world/wifi.c */
extern const struct fl_model_ops fl_mem_model;  /* world/mem.c */
extern const struct fl_model_ops fl_flash_model; /* world/flash.c */
extern const struct fl_model_ops fl_argv_watch_model; /* world/argv_watch.c */

const struct fl_model_ops *const fl_models[] = {
	&fl_flash_model, /* first: a reset after a sysupgrade re-images the rootfs before the others boot */
	&fl_kernel_model,
	&fl_onu_model,
	&fl_reach_model,
	&fl_sfp_model,
	&fl_services_model, /* before wan: procd runs S19dnsmasq before S20network */
	&fl_wan_model,
	&fl_wifi_model,
	&fl_mem_model,
	&fl_argv_watch_model, /* a check of the lab, not a model: secrets in argv */
	NULL,
};
