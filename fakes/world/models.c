/* The models of the fake lab, in the order their hooks run (see world/model.h). */
#include "world/model.h"

#include <stddef.h>

#include "world/onu.h"
#include "world/reach.h"

const struct fl_model_ops *const fl_models[] = {
	&fl_onu_model,
	&fl_reach_model,
	NULL,
};
