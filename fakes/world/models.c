/* The models of the fake lab, in the order their hooks run (see world/model.h). */
#include "world/model.h"

#include <stddef.h>

#include "world/services.h"
#include "world/sfp.h"
#include "world/wan.h"

const struct fl_model_ops *const fl_models[] = {
	&fl_sfp_model,
	&fl_services_model, /* before wan: procd runs S19dnsmasq before S20network */
	&fl_wan_model,
	NULL,
};
