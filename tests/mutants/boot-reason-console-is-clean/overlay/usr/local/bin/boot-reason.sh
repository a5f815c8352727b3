#!/bin/sh
# Why did the router boot? From /etc/rc.local, once per boot (BOOT-1, PSTORE-1).
# Reads what ramoops kept in /sys/fs/pstore from the previous boot, archives it to
# /etc/pstore/ and erases it (else the next clean reboot would report it again),
# writes /etc/last_boot.json and pushes the boot sensors to HA:
#   panic              a dmesg-ramoops-N record holds a panic dump
#   reset_with_pstore  records, but no panic dump: the previous boot ended in a
#                      reset the kernel did not announce (watchdog, wedge)
#   reboot             only the previous console, ending in an orderly restart
#   power_on           nothing: DRAM lost power (cold boot, plug cycle)
# shellcheck source=/dev/null
. /etc/bpi-r4-ha.env
# shellcheck source=../lib/ha-push.sh
. /usr/local/lib/ha-push.sh

PSTORE=/sys/fs/pstore
ARCHIVE=/etc/pstore
OUT=/etc/last_boot.json
SMALL_RECORD=16384 # an overlapped ramoops region gives records of ~16 KiB, not 128 KiB

grep -q ' /sys/fs/pstore pstore ' /proc/mounts || mount -t pstore pstore "$PSTORE"

# The kernel time (whole seconds) of the last "[ secs.usecs]" line of a record.
last_stamp() {
	sed -n 's/^[^[]*\[ *\([0-9][0-9]*\)\.[0-9]*\].*/\1/p' "$1" | tail -n 1
}

# inflight of the last page_pool_release_retry line of a file, empty if none
pp_inflight() {
	grep 'page_pool_release_retry' "$1" 2>/dev/null | tail -n 1 |
		sed -n 's/.* \([0-9][0-9]*\) inflight [0-9][0-9]* sec.*/\1/p'
}

# JSON string content: backslashes, quotes and tabs escaped.
json_escape() {
	sed 's/\\/\\\\/g; s/"/\\"/g; s/\t/\\t/g'
}

records=0 dmesg_records=0 panics=0 record_bytes=0 uptime_at_capture=0 inflight='' console_clean=0
for f in "$PSTORE"/dmesg-ramoops-* "$PSTORE"/console-ramoops-*; do
	[ -f "$f" ] || continue
	records=$((records + 1))
	stamp=$(last_stamp "$f")
	case ${f##*/} in
	dmesg-ramoops-*)
		dmesg_records=$((dmesg_records + 1))
		head -n 1 "$f" | grep -q '^Panic#' && panics=$((panics + 1))
		size=$(wc -c < "$f")
		[ "$size" -gt "$record_bytes" ] && record_bytes=$size
		[ -n "$stamp" ] && uptime_at_capture=$stamp
		;;
	console-ramoops-*)
		console_clean=1 # any console record taken for an orderly reboot
		[ "$dmesg_records" = 0 ] && [ -n "$stamp" ] && uptime_at_capture=$stamp
		;;
	esac
	[ -n "$inflight" ] || inflight=$(pp_inflight "$f")
done

if [ "$panics" -gt 0 ]; then
	cause=panic
elif [ "$dmesg_records" -gt 0 ] || { [ "$records" -gt 0 ] && [ "$console_clean" = 0 ]; }; then
	cause=reset_with_pstore
elif [ "$records" -gt 0 ]; then
	cause=reboot
else
	cause=power_on
fi

# Keep the crash for reading, then erase it from ramoops.
read_cmd=''
if [ "$cause" = panic ] || [ "$cause" = reset_with_pstore ]; then
	rm -rf "$ARCHIVE"
	mkdir -p "$ARCHIVE"
	cp "$PSTORE"/* "$ARCHIVE"/ 2>/dev/null
	for f in "$ARCHIVE"/dmesg-ramoops-* "$ARCHIVE"/console-ramoops-*; do
		[ -f "$f" ] && break
	done
	read_cmd="ssh root@192.168.1.254 cat $f"
fi
rm -f "$PSTORE"/*

# PSTORE-1: the kernel DT and u-boot must agree on the ramoops region.
layout=ok
if dmesg | grep -q 'OF: reserved mem: OVERLAP DETECTED!'; then
	layout=overlap
elif [ "$dmesg_records" -gt 0 ] && [ "$record_bytes" -le "$SMALL_RECORD" ]; then
	layout=small_records
fi

[ -n "$inflight" ] || inflight=$(dmesg > /tmp/.boot-dmesg && pp_inflight /tmp/.boot-dmesg)
rm -f /tmp/.boot-dmesg
inflight=${inflight:-0}

kernel=$(uname -r)
build=$(uname -v | json_escape)
head=$(dmesg | head -n 5 | json_escape | awk '{ printf "%s\"%s\"", (NR > 1 ? "," : ""), $0 }')
cat > "$OUT" <<EOF
{"ts":"$(date -Iseconds)","cause":"$cause","pstore_records":$records,"dmesg_records":$dmesg_records,"uptime_at_capture":$uptime_at_capture,"record_bytes":$record_bytes,"pstore_layout":"$layout","page_pool_inflight":$inflight,"kernel":"$kernel","build":"$build","read_cmd":"$read_cmd","dmesg_head":[$head]}
EOF

ha_push sensor.bpi_r4_pstore_records "$records" '{"friendly_name":"BPI-R4 pstore records"}'
ha_push sensor.bpi_r4_uptime_at_capture "$uptime_at_capture" \
	'{"unit_of_measurement":"s","friendly_name":"BPI-R4 uptime at crash capture"}'
ha_push sensor.bpi_r4_page_pool_inflight_boot "$inflight" \
	'{"friendly_name":"BPI-R4 page_pool inflight at boot"}'
ha_push sensor.bpi_r4_pstore_layout "$layout" \
	"{\"friendly_name\":\"BPI-R4 ramoops layout\",\"record_bytes\":$record_bytes}"
# The cause last: HA-CRASH triggers on it and reads the others.
ha_push sensor.bpi_r4_boot_cause "$cause" \
	"{\"friendly_name\":\"BPI-R4 boot cause\",\"pstore_records\":$records,\"dmesg_records\":$dmesg_records,\"uptime_at_capture\":$uptime_at_capture,\"read_cmd\":\"$read_cmd\",\"kernel\":\"$kernel\"}"
exit 0
