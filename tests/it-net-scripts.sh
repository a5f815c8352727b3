#!/bin/sh
# The network slice's router scripts, run inside the fake lab's router over SSH with
# the spec's numbers: the 10 081st ring line (HEALTH-2), 119 vs 120 s of haproxy down
# (HAP-1), each sfp-recover.sh level against the wedge it clears (REC-1), the rc.local
# fix applied twice (DNS-1, NET-1). Usage: it-net-scripts.sh BUILD_DIR SOURCE_DIR
# shellcheck disable=SC2016 # the single-quoted commands expand inside the router
set -eu
build=$1
tmp=$(mktemp -d)
lab=$tmp/lab
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
"$build/r4hil-fakelab" --dir "$lab" --quiet >"$tmp/fakelab.log" 2>&1 &
pid=$!
i=0
until [ -s "$lab/lab.json" ] && grep -q '"permits"' "$lab/lab.json"; do
	i=$((i + 1))
	[ $i -lt 200 ] || { echo "fake lab did not start"; cat "$tmp/fakelab.log"; exit 1; }
	sleep 0.1
done
port=$(sed -n 's/.*"port":\([0-9]*\).*/\1/p' "$lab/lab.json" | head -n 1)
control=$(sed -n '/"control"/,/}/s/.*"url":"\([^"]*\)".*/\1/p' "$lab/lab.json" | sed 's|\\/|/|g')
token=$(cat "$lab/secrets/control_token")
if [ -z "$port" ] || [ -z "$control" ]; then
	echo "cannot read lab.json"
	exit 1
fi

router() {
	ssh -q -p "$port" -i "$lab/keys/harness_ed25519" -o UserKnownHostsFile="$lab/keys/known_hosts" \
		-o BatchMode=yes root@127.0.0.1 "$@"
}
inject() {
	printf 'Authorization: Bearer %s\n' "$token" | curl -sf -H @- -d "{\"name\":\"$1\",\"params\":${2:-{\}}}" \
		"$control/control/inject" >/dev/null || { echo "inject $1 failed"; exit 1; }
}
fails=0
check() { # check NAME EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then
		echo "ok   $1"
	else
		echo "FAIL $1: expected [$2], got [$3]"
		fails=$((fails + 1))
	fi
}

# ubus: the interface as netifd reports it, and taken down and up through it.
out=$(router 'ubus call network.interface.wan status | grep -c "\"up\": true"
	ubus call network.interface.lan down; ubus call network.interface.lan status | grep -c "\"up\": true"
	ubus call network.interface.lan up; cat /sys/class/net/br-lan/operstate
	ubus call system board | sed -n "s/.*\"board_name\": \"\(.*\)\",/\1/p"
	ubus call no.such.object status 2>&1; echo "rc=$?"')
check "ubus: wan up" "1" "$(echo "$out" | sed -n 1p)"
check "ubus: lan down through netifd" "0" "$(echo "$out" | sed -n 2p)"
check "ubus: lan up again, its device too" "up" "$(echo "$out" | sed -n 3p)"
check "ubus: system board" "bananapi,bpi-r4" "$(echo "$out" | sed -n 4p)"
check "ubus: unknown object" "Command failed: Not found rc=4" "$(echo "$out" | sed -n 5,6p | tr '\n' ' ' | sed 's/ $//')"

# HEALTH-2: with 10 080 lines, the 10 081st pushes out the oldest; below the cap nothing goes.
out=$(router 'awk "BEGIN { for (i = 1; i <= 10080; i++) print \"{\\\"old\\\":\" i \"}\" }" > /etc/last_health.jsonl
	/usr/local/bin/health-snapshot.sh
	wc -l < /etc/last_health.jsonl; head -n 1 /etc/last_health.jsonl; tail -n 1 /etc/last_health.jsonl | cut -c1-7')
check "ring: 10 081st line keeps 10 080" "10080" "$(echo "$out" | sed -n 1p)"
check "ring: oldest line dropped" '{"old":2}' "$(echo "$out" | sed -n 2p)"
check "ring: newest line is the snapshot" '{"ts":"' "$(echo "$out" | sed -n 3p)"
out=$(router 'awk "BEGIN { for (i = 1; i <= 10078; i++) print \"{\\\"old\\\":\" i \"}\" }" > /etc/last_health.jsonl
	/usr/local/bin/health-snapshot.sh; wc -l < /etc/last_health.jsonl; head -n 1 /etc/last_health.jsonl')
check "ring: below the cap nothing is dropped" "10079
{\"old\":1}" "$out"

# HAP-1: down with the VIP up for 119 s: wait; for 120 s: restart. Never via the pidfile.
inject services.haproxy-kill
out=$(router 'pidof haproxy >/dev/null && echo up || echo down
	echo $(( $(date +%s) - 119 )) > /tmp/haproxy-watch.state; /usr/local/bin/haproxy-watch.sh
	pidof haproxy >/dev/null && echo up || echo down
	echo $(( $(date +%s) - 120 )) > /tmp/haproxy-watch.state; /usr/local/bin/haproxy-watch.sh
	pidof haproxy >/dev/null && echo up || echo down; [ -e /tmp/haproxy-watch.state ] && echo state || echo nostate')
check "haproxy: killed" "down" "$(echo "$out" | sed -n 1p)"
check "haproxy: 119 s is not yet 120" "down" "$(echo "$out" | sed -n 2p)"
check "haproxy: restarted at 120 s" "up" "$(echo "$out" | sed -n 3p)"
check "haproxy: age cleared after the restart" "nostate" "$(echo "$out" | sed -n 4p)"
check "haproxy-watch never reads a pidfile" "0" "$(router 'grep -c "cat .*\.pid" /usr/local/bin/haproxy-watch.sh')"

# REC-1: each level against the wedge it clears, a weaker level against it, the escalation.
recover() { router "SFP_RECOVER_WAIT=1 SFP_RECOVER_SETTLE=0 /usr/local/bin/sfp-recover.sh $1; echo rc=\$?; cat /sys/class/net/sfp-wan/carrier"; }
n=1
for kind in link ifup rebind; do
	if [ $n -gt 1 ]; then
		inject sfp.wedge "{\"clears_at\":\"$kind\"}"
		out=$(recover $((n - 1)))
		check "recover: level $((n - 1)) does not clear a $kind wedge" "rc=1 0" "$(echo "$out" | tail -n 2 | tr '\n' ' ' | sed 's/ $//')"
		inject sfp.wedge-stop
	fi
	inject sfp.wedge "{\"clears_at\":\"$kind\"}"
	out=$(recover $n)
	check "recover: level $n clears a $kind wedge" "rc=0 1" "$(echo "$out" | tail -n 2 | tr '\n' ' ' | sed 's/ $//')"
	inject sfp.wedge "{\"clears_at\":\"$kind\"}"
	out=$(recover '')
	check "recover: escalation stops at level $n for $kind" "$n" "$(echo "$out" | grep -c '^sfp-recover: level')"
	n=$((n + 1))
done
inject sfp.wedge '{"clears_at":"none"}'
out=$(recover '')
check "recover: a wedge no level clears fails" "rc=1 0" "$(echo "$out" | tail -n 2 | tr '\n' ' ' | sed 's/ $//')"
inject sfp.wedge-stop

# DNS-1, NET-1: rc.local is idempotent and leaves the VLANs without TX checksumming.
out=$(router 'sh /etc/rc.local; cp /etc/init.d/dnsmasq /tmp/once; sh /etc/rc.local
	cmp -s /tmp/once /etc/init.d/dnsmasq && echo same || echo changed
	grep -c "procd_set_param respawn 3600 10 30" /etc/init.d/dnsmasq
	for d in sfp-lan.20 sfp-lan.70; do ethtool -k $d | sed -n "s/^tx-checksumming: //p"; done | tr "\n" " "')
check "rc.local: second run changes nothing" "same" "$(echo "$out" | sed -n 1p)"
check "rc.local: one fixed respawn line" "1" "$(echo "$out" | sed -n 2p)"
check "rc.local: TX checksumming off on both VLANs" "off off " "$(echo "$out" | sed -n 3p)"

[ "$fails" -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "all network script checks passed"
