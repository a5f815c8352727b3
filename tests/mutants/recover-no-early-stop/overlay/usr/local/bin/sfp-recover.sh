#!/bin/sh
# Soft-reset the WAN SFP without pulling the module (REC-1).
#   sfp-recover.sh       escalate A, B, C; stop as soon as the carrier is back
#   sfp-recover.sh 1|2|3 run that single level
# A) ip link set sfp-wan down/up   B) ifdown/ifup wan   C) unbind/bind the SFP
# platform device. Exit 0 when the carrier is up at the end, 1 when not, 2 on usage.
DEV=sfp-wan
IFACE=wan
SFP=${SFP_DEVICE:-sfp1}                  # the WAN cage (its TX_FAULT line is sfp1-tx-fault)
DRIVER=/sys/bus/platform/drivers/sfp
WAIT=${SFP_RECOVER_WAIT:-10}             # seconds to wait for the carrier after a level
SETTLE=${SFP_RECOVER_SETTLE:-1}          # seconds between the down and the up half

say() {
	echo "sfp-recover: $*"
	logger -t sfp-recover "$*" 2>/dev/null
}

carrier_up() {
	[ "$(cat /sys/class/net/$DEV/carrier 2>/dev/null)" = 1 ]
}

wait_carrier() {
	i=0
	while ! carrier_up; do
		[ "$i" -ge "$WAIT" ] && return 1
		sleep 1
		i=$((i + 1))
	done
	return 0
}

level() {
	case $1 in
	1)
		say "level A: ip link set $DEV down/up"
		ip link set "$DEV" down
		sleep "$SETTLE"
		ip link set "$DEV" up
		;;
	2)
		say "level B: ifdown/ifup $IFACE"
		ifdown "$IFACE"
		sleep "$SETTLE"
		ifup "$IFACE"
		;;
	3)
		say "level C: unbind/bind $SFP"
		echo "$SFP" > "$DRIVER/unbind"
		sleep "$SETTLE"
		echo "$SFP" > "$DRIVER/bind"
		;;
	esac
	if wait_carrier; then
		say "carrier is back after level $1"
		return 0
	fi
	say "no carrier after level $1"
	return 1
}

case ${1:-} in
1 | 2 | 3)
	level "$1"
	exit $?
	;;
'')
	if carrier_up; then
		say "carrier is up: nothing to do"
		exit 0
	fi
	for l in 1 2 3; do
		level "$l"
	done
	carrier_up && exit 0
	say "carrier still down after every level: power-cycle the ONU"
	exit 1
	;;
*)
	echo "usage: sfp-recover.sh [1|2|3]" >&2
	exit 2
	;;
esac
