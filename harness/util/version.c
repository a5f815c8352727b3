#include "r4hil/version.h"

const char *hil_version(void)
{
	return R4HIL_VERSION;
}
