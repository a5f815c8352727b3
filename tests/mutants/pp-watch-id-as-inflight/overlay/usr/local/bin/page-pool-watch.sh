#!/bin/sh
# MTK page_pool teardown leak watch, every minute from cron (PP-1 .. PP-3).
# The kernel repeats, every 60 s while a pool cannot shut down, one of
#   page_pool_release_retry() stalled pool shutdown: id 9, 1 inflight 60 sec
#   page_pool_release_retry() stalled pool shutdown 199 inflight 60 sec   (older)
# with the age growing. This pushes the age and the inflight count of the last
# line; at 600 s it dumps task stacks once per stall, at 1 800 s it panics only
# if the gate file says 1. When the lines stop, the stall is over: the last line
# stays in dmesg, so its age is only current while the line is recent.
# shellcheck source=/dev/null
. /etc/bpi-r4-ha.env
# shellcheck source=../lib/ha-push.sh
. /usr/local/lib/ha-push.sh

STATE=/tmp/page-pool-watch.state # tmpfs: a new kernel has no stall
GATE=/etc/page-pool-watch.reboot
DUMP_AGE=600
PANIC_AGE=1800
STALE=150 # s without a new line (2.5 warning periods): the pool drained

line=$(dmesg | grep 'page_pool_release_retry' | tail -n 1)
age=0 inflight=0 start=''
if [ -n "$line" ]; then
	stamp=$(echo "$line" | sed -n 's/^\[ *\([0-9][0-9]*\)\.[0-9]*\].*/\1/p')
	# The number before "inflight" is the count in both formats ("id N," comes first).
	inflight=$(echo "$line" | sed -n 's/.*shutdown:* *\(id \)*\([0-9][0-9]*\).*/\2/p')
	age=$(echo "$line" | sed -n 's/.* inflight \([0-9][0-9]*\) sec.*/\1/p')
	uptime=$(cut -d. -f1 /proc/uptime)
	if [ -z "$stamp" ] || [ -z "$inflight" ] || [ -z "$age" ]; then
		logger -t page-pool-watch "unparsed line: $line"
		age=0 inflight=0
	elif [ $((uptime - stamp)) -gt "$STALE" ]; then
		age=0 inflight=0 # the warnings stopped: recovered on its own
	else
		start=$((stamp - age)) # identifies the stall across its lines
	fi
fi

dumped_start=''
[ -r "$STATE" ] && read -r dumped_start < "$STATE"

ha_push sensor.bpi_r4_page_pool_age "$age" \
	'{"unit_of_measurement":"s","friendly_name":"BPI-R4 page_pool stall age"}'
ha_push sensor.bpi_r4_page_pool_inflight "$inflight" '{"friendly_name":"BPI-R4 page_pool inflight"}'

[ -n "$start" ] || exit 0

# Once per stall: the kernel's ages drift by a second or two between lines.
same_stall=0
if [ -n "$dumped_start" ]; then
	d=$((start - dumped_start))
	[ "$d" -ge -60 ] && [ "$d" -le 60 ] && same_stall=1
fi
if [ "$age" -ge "$DUMP_AGE" ] && [ "$same_stall" = 0 ]; then
	echo t > /proc/sysrq-trigger
	echo "$start" > "$STATE"
	ha_push sensor.bpi_r4_page_pool_event stacks_dumped "{\"age\":$age}"
fi

if [ "$age" -ge "$PANIC_AGE" ] && [ "$(cat "$GATE" 2>/dev/null)" = 1 ]; then
	ha_push sensor.bpi_r4_page_pool_event panic "{\"age\":$age}"
	echo c > /proc/sysrq-trigger
fi
exit 0
