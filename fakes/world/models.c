/* The models of the fake lab, in the order their hooks run (see world/model.h). */
#include "world/model.h"

#include <stddef.h>

const struct fl_model_ops *const fl_models[] = {
	NULL,
};
