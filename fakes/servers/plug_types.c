/* The fake plug APIs by lab plug type, for r4hil-fakelab --plug. */
#include <string.h>

#include "servers/plug.h"

fl_http_handler fl_plug_handler(const char *type)
{
	static const struct {
		const char *type;
		fl_http_handler fn;
	} handlers[] = {
		{ "shelly-gen2", fl_plug_shelly_gen2_handle },
		{ "shelly-gen1", fl_plug_shelly_gen1_handle },
		{ "tasmota", fl_plug_tasmota_handle },
		{ "hue", fl_plug_hue_handle },
		{ "pdudaemon", fl_plug_pdudaemon_handle },
	};
	for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
		if (strcmp(handlers[i].type, type) == 0)
			return handlers[i].fn;
	return NULL;
}
