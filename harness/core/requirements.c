#include "r4hil/requirements.h"

#include <string.h>

/* Keep in the order and wording of REQUIREMENTS.md; scenarios may only name these. */
static const struct hil_requirement requirements[] = {
	{ "SFP-1", "sfp-txfault-watch.sh pushes the per-minute TX-fault rate" },
	{ "SFP-2", "TX-fault baseline 1-2/min, storm about 110000/min" },
	{ "SFP-3", "3 minutes of storm: sysrq t stacks saved once to /etc/last_sfp_storm.txt" },
	{ "SFP-4", "5 minutes of storm: sysrq c panic only if the reboot gate is set" },
	{ "SFP-5", "a counter reset (kernel reboot) pushes no negative or absurd rate" },
	{ "PP-1", "page-pool-watch.sh parses stall age and inflight from dmesg" },
	{ "PP-2", "page_pool stall >= 600 s: sysrq t once per stall" },
	{ "PP-3", "page_pool stall >= 1800 s with reboot gate: sysrq c" },
	{ "HEALTH-1", "health-snapshot.sh appends one JSON object per minute" },
	{ "HEALTH-2", "health ring keeps at most 10080 lines and survives sysupgrade" },
	{ "HEALTH-3", "health-snapshot.sh pushes carrier, tx, softnet, heartbeat, pppoe sensors" },
	{ "HEALTH-4", "health ring shows the storm signature and IRQ counter resets" },
	{ "HAP-1", "haproxy-watch.sh restarts haproxy down >= 120 s with the VIP up" },
	{ "REC-1", "sfp-recover.sh soft-resets the WAN SFP in three escalating levels" },
	{ "BOOT-1", "boot-reason.sh records pstore and boot cause and pushes it to HA" },
	{ "WDT-1", "mtk-wdt pretimeout panic at 15 s, reset 10 s after panic" },
	{ "WDT-2", "panic and lockup sysctls are set" },
	{ "PSTORE-1", "kernel and u-boot agree on ramoops at 0x42f00000, 1 MiB" },
	{ "FIP-1", "FIP at most 4 MiB without the old ramoops address" },
	{ "FLASH-1", "flashing over dropbear stdin, images validated and verified" },
	{ "HA-CRASH", "HA notifies a panic or pstore reset with the details" },
	{ "HA-PP", "HA escalates a page_pool stall: notify, then SSH reboot" },
	{ "HA-STORM-DOWN", "carrier-down storm for 2 min: HA power-cycles the plug" },
	{ "HA-STORM-UP", "carrier-up storm for 5 min: HA reboots the router over SSH" },
	{ "HA-BLIP", "a single-sample spike triggers no storm automation" },
	{ "HA-ONU", "ONU not O5 for 7 min: soft PON reboot, then plug cycle" },
	{ "HA-UNREACH", "router unreachable 15 min: plug cycle as last resort" },
	{ "NO-CHAIN", "a PON wedge recovers by the direct plug cycle, not a watchdog chain" },
	{ "DNS-1", "dnsmasq runs once pppoe-wan is up within 5 min of boot" },
	{ "JAIL-1", "no script signals a jailed service's pidfile PID" },
	{ "NET-1", "TX checksumming off on the SFP-LAN VLAN interfaces after boot" },
	{ "NET-2", "SFP-LAN link up with zero traffic is reported" },
	{ "PPPOE-1", "a pppoe-wan flap is survived" },
	{ "MLO-1", "a second legacy AP on an MLO radio locks the MT7996 semaphore" },
	{ "MLO-2", "the MLO guard blocks unsupported combinations" },
	{ "MLO-3", "applying an AP on an MLO radio reboots instead of wifi reload" },
	{ "MLO-4", "the supported MLO combinations are accepted" },
	{ "PERST-1", "PERST# before PCIe enumeration resets a locked MT7996" },
	{ "MLO-SAFE", "the harness never sends a locking combination unless allowed" },
	{ "WIFI-SOAK", "sustained AP traffic does not end in a disassociation loop" },
	{ "OOM-1", "OOM kills are detected and reported with the victim's name" },
};

#define N_REQUIREMENTS (sizeof(requirements) / sizeof(requirements[0]))

const char *hil_requirement_title(const char *id)
{
	if (!id)
		return NULL;
	for (size_t i = 0; i < N_REQUIREMENTS; i++)
		if (!strcmp(requirements[i].id, id))
			return requirements[i].title;
	return NULL;
}

size_t hil_requirement_count(void)
{
	return N_REQUIREMENTS;
}

const struct hil_requirement *hil_requirement_get(size_t i)
{
	return i < N_REQUIREMENTS ? &requirements[i] : NULL;
}
