/*
 * libFuzzer targets for the fake HA's YAML: fuzz-ha-yaml feeds the input as the
 * automations file (ha_yaml.c, then the automation loader), fuzz-ha-config as
 * configuration.yaml (its shell_command: section). FUZZ_HA_CONFIG picks which.
 * fl_ha_new on a fresh loop, then free: no crash or leak.
 */
#include <stdint.h>
#include <stdlib.h>

#include "core/loop.h"
#include "servers/ha.h"
#include "fuzzfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fl_loop *loop;
	struct fl_ha_config cfg = { .token = "fuzz" };
	struct fl_ha *ha;
	char *err = NULL;

	/* The YAML walk is linear, but libyaml is slow on long texts: keep runs fast. */
	if (size > 16384)
		return 0;
#ifdef FUZZ_HA_CONFIG
	cfg.configuration_path = fuzzfile_write(data, size);
#else
	cfg.automations_path = fuzzfile_write(data, size);
#endif
	loop = fl_loop_new(0);
	if (!loop)
		abort();
	ha = fl_ha_new(loop, &cfg, &err);
	if (!ha && !err)
		abort();
	fl_ha_free(ha);
	free(err);
	fl_loop_free(loop);
	return 0;
}
