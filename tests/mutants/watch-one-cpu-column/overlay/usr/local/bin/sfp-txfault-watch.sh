#!/bin/sh
# SFP1 TX_FAULT storm watch, every minute from cron (SFP-1 .. SFP-5).
# Pushes the per-minute IRQ rate of the sfp1-tx-fault line; after 3 storm minutes
# saves task stacks once; after 5, panics only if the gate file says 1.
# shellcheck source=/dev/null
. /etc/bpi-r4-ha.env
# shellcheck source=../lib/ha-push.sh
. /usr/local/lib/ha-push.sh

STATE=/tmp/sfp-txfault-watch.state  # tmpfs: gone after a reboot, like the counter
THRESHOLD=1000                      # per minute; baseline is 1-2, a storm ~110 000
GATE=/etc/sfp-storm-watch.reboot
DUMP=/etc/last_sfp_storm.txt

# Sum every CPU column of the line: the MT7988A has 4 and the IRQ may move.
count=$(awk '/ sfp1-tx-fault$/ { print $2; exit }' /proc/interrupts)  # MUTANT: CPU0's column only
now=$(date +%s)
if [ -z "$count" ]; then
	logger -t sfp-txfault-watch "no sfp1-tx-fault line in /proc/interrupts"
	exit 1
fi

prev_count='' prev_time='' storm=0 dumped=0
[ -r "$STATE" ] && read -r prev_count prev_time storm dumped < "$STATE"

# First sample since boot, or the counter went down (the kernel rebooted, SFP-5):
# this sample is the new baseline, and no rate is pushed.
if [ -z "$prev_count" ] || [ "$count" -lt "$prev_count" ] || [ "$now" -le "$prev_time" ]; then
	echo "$count $now 0 0" > "$STATE"
	exit 0
fi

# Normalise to one minute: a skipped cron minute must not double the rate.
rate=$(( (count - prev_count) * 60 / (now - prev_time) ))
if [ "$rate" -gt "$THRESHOLD" ]; then
	storm=$((storm + 1))
	event=storm
else
	storm=0
	dumped=0
	event=normal
fi
echo "$count $now $storm $dumped" > "$STATE"

ha_push sensor.bpi_r4_sfp1_txfault_rate "$rate" \
	'{"unit_of_measurement":"irq/min","friendly_name":"BPI-R4 SFP1 TX-fault rate"}'
ha_push sensor.bpi_r4_sfp1_txfault_event "$event" "{\"storm_minutes\":$storm}"

if [ "$storm" -ge 3 ] && [ "$dumped" = 0 ]; then
	echo t > /proc/sysrq-trigger
	{ date -Iseconds; echo "rate=$rate storm_minutes=$storm"; dmesg | tail -n 400; } > "$DUMP"
	echo "$count $now $storm 1" > "$STATE"
	ha_push sensor.bpi_r4_sfp1_txfault_event stacks_dumped "{\"storm_minutes\":$storm}"
fi

if [ "$storm" -ge 5 ] && [ "$(cat "$GATE" 2>/dev/null)" = 1 ]; then
	ha_push sensor.bpi_r4_sfp1_txfault_event panic "{\"storm_minutes\":$storm}"
	echo c > /proc/sysrq-trigger
fi
exit 0
