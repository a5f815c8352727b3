#!/bin/sh
# haproxy backstop for procd's respawn, every minute from cron (HAP-1): when haproxy
# has been down for >= 120 s while its VIP is up, restart it through its init script.
# Finds haproxy with pidof, never through a pidfile: haproxy is jailed, and the PID
# in /var/run/haproxy/haproxy.pid is the jail's PID 1, i.e. procd (JAIL-1).
# shellcheck source=/dev/null
. /etc/bpi-r4-ha.env
# shellcheck source=../lib/ha-push.sh
. /usr/local/lib/ha-push.sh

STATE=/tmp/haproxy-watch.state   # when haproxy was first seen down with the VIP up
DOWN_LIMIT=0                     # restart as soon as it is seen down

now=$(date +%s)
vip=$(awk '$1 == "bind" { split($2, a, ":"); print a[1]; exit }' /etc/haproxy.cfg 2>/dev/null)

vip_up() {
	[ -n "$vip" ] && ip -4 addr show 2>/dev/null | grep -q "inet ${vip}[/ ]"
}

age=0
if pidof haproxy >/dev/null; then
	state=up event=ok
	rm -f "$STATE"
elif ! vip_up; then
	# nothing can bind the VIP: not haproxy's fault, and a restart would fail
	state=down event=vip_down
	rm -f "$STATE"
else
	state=down
	since=$(cat "$STATE" 2>/dev/null)
	case $since in '' | *[!0-9]*) since=$now; echo "$now" > "$STATE" ;; esac
	age=$((now - since))
	if [ "$age" -ge "$DOWN_LIMIT" ]; then
		logger -t haproxy-watch "haproxy down for ${age}s with $vip up: restarting" 2>/dev/null
		/etc/init.d/haproxy restart
		rm -f "$STATE"
		event=restarted
		pidof haproxy >/dev/null && state=up
	else
		event=down
	fi
fi

ha_push sensor.bpi_r4_haproxy_state "$state" "{\"vip\":\"$vip\"}"
ha_push sensor.bpi_r4_haproxy_down_age "$age" '{"unit_of_measurement":"s"}'
ha_push sensor.bpi_r4_haproxy_event "$event"
exit 0
