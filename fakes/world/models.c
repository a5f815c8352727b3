/* The models of the fake lab, in the order their hooks run (see world/model.h). */
#include "world/model.h"

#include <stddef.h>

#include "world/kernel.h"

const struct fl_model_ops *const fl_models[] = {
	&fl_kernel_model,
	NULL,
};
