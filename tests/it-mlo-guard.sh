#!/bin/sh
# The reference MLO guard (fixtures/overlay/usr/local/bin/mlo-guard.sh) under
# busybox with the fake router's uci, on the cases of MLO-2, MLO-3 and MLO-4.
# `wifi` and `reboot` are recorders. Usage: it-mlo-guard.sh BUILD_DIR SOURCE_DIR
set -u
src=$2
bb=$(command -v busybox) || { echo "busybox not found" >&2; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/c" "$T/bin"
cat >"$T/bin/uci" <<SH
#!/bin/sh
R4HIL_UCI_SAVEDIR="$T/s" exec "$bb" ash "$src/fakes/sandbox/shims/sbin/uci" -c "$T/c" "\$@"
SH
printf '#!/bin/sh\necho "wifi $*" >>"%s/calls"\n' "$T" >"$T/bin/wifi"
printf '#!/bin/sh\necho reboot >>"%s/calls"\n' "$T" >"$T/bin/reboot"
chmod +x "$T/bin/"*
export PATH="$T/bin:$PATH"
guard() { "$bb" ash "$src/fixtures/overlay/usr/local/bin/mlo-guard.sh" "$@"; }
fails=0
checks=0

fail() {
	fails=$((fails + 1))
	echo "FAIL $*"
}

radios() {
	rm -rf "$T/s" "$T/calls"
	{
		for r in 0:2g 1:5g 2:6g; do
			printf "\nconfig wifi-device 'radio%s'\n\toption band '%s'\n" "${r%%:*}" "${r#*:}"
		done
	} >"$T/c/wireless"
}

# iface NAME MODE DEVICES [OPTION=VALUE]...: a committed wifi-iface
iface() {
	printf "\nconfig wifi-iface '%s'\n\toption mode '%s'\n\toption device '%s'\n" "$1" "$2" "$3" >>"$T/c/wireless"
	shift 3
	for kv in "$@"; do
		printf "\toption %s '%s'\n" "${kv%%=*}" "${kv#*=}" >>"$T/c/wireless"
	done
}

# stage NAME MODE DEVICES [OPTION=VALUE]...: the same, as staged uci changes
stage() {
	uci set "wireless.$1=wifi-iface"
	uci set "wireless.$1.mode=$2"
	uci set "wireless.$1.device=$3"
	n=$1
	shift 3
	for kv in "$@"; do
		uci set "wireless.$n.${kv%%=*}=${kv#*=}"
	done
}

mlo_ap() { iface mld ap 'radio0 radio1 radio2' mlo=1; }

# expect_blocked CASE: apply refuses, nothing committed, staged changes reverted, no wifi/reboot
expect_blocked() {
	checks=$((checks + 1))
	cp "$T/c/wireless" "$T/before"
	out=$(guard apply 2>&1)
	rc=$?
	[ $rc -eq 1 ] || fail "$1: exit $rc, want 1 ($out)"
	echo "$out" | grep -q '^mlo-guard: refused: ' || fail "$1: no error message: $out"
	cmp -s "$T/before" "$T/c/wireless" || fail "$1: the committed config changed"
	[ -z "$(uci changes wireless)" ] || fail "$1: staged changes left behind"
	[ ! -e "$T/calls" ] || fail "$1: applied anyway: $(cat "$T/calls")"
}

# expect_applied CASE HOW: accepted, committed, applied with HOW (reboot / wifi reload)
expect_applied() {
	checks=$((checks + 1))
	out=$(guard apply 2>&1)
	rc=$?
	[ $rc -eq 0 ] || fail "$1: exit $rc, want 0 ($out)"
	[ -z "$(uci changes wireless)" ] || fail "$1: not committed"
	[ "$(cat "$T/calls" 2>/dev/null)" = "$2" ] || fail "$1: applied with '$(cat "$T/calls" 2>/dev/null)', want '$2'"
}

# MLO-2: every forbidden combination
radios; mlo_ap; iface g0 ap radio0; stage g1 ap radio0
expect_blocked "second extra AP on an MLO radio"
radios; mlo_ap; stage mld2 ap 'radio0 radio1' mlo=1
expect_blocked "second MLO AP group"
radios; iface mld ap 'radio0 radio1' mlo=1; stage mld2 ap 'radio2' mlo=1
expect_blocked "MLO AP when another MLO group exists"
radios; mlo_ap; stage msta sta 'radio0 radio1 radio2' mlo=1
expect_blocked "MLO STA with a local MLO AP"
radios; iface msta sta 'radio0 radio1 radio2' mlo=1; stage msta2 sta 'radio0 radio1 radio2' mlo=1
expect_blocked "two MLO STAs"
radios; mlo_ap; stage wds0 ap radio1 wds=1
expect_blocked "WDS on an MLO radio"
radios; mlo_ap; stage relay sta radio0 role=relayd
expect_blocked "relayd on an MLO radio"
radios; iface msta sta 'radio0 radio1 radio2' mlo=1; stage wds1 sta radio1 wds=1
expect_blocked "WDS on a radio of an MLO STA group"
radios; iface mld ap 'radio0 radio1' mlo=1; stage up sta radio1 role=repeater; stage lap ap radio2 role=repeater
expect_blocked "repeater uplink on an MLO radio"
radios; stage up sta radio1 role=repeater; stage lap ap radio1 role=repeater
expect_blocked "repeater STA and AP on the same radio"
radios; stage s6 sta radio2
expect_blocked "non-MLO 6 GHz STA"
radios; mlo_ap; iface g0 ap radio0; stage g1 ap radio0
checks=$((checks + 1))
guard check >/dev/null 2>&1
[ $? -eq 1 ] || fail "check: a forbidden change is refused"
[ -n "$(uci changes wireless)" ] || fail "check: does not touch the staged changes"

# MLO-3: an AP on a radio of the MLO group reboots, never wifi reload
radios; mlo_ap; stage g0 ap radio0
expect_applied "extra AP on an MLO radio" reboot
radios; mlo_ap; iface g0 ap radio0; uci set wireless.g0.ssid=renamed
expect_applied "changed AP on an MLO radio" reboot
radios; iface mld ap 'radio0 radio1' mlo=1; stage g2 ap radio2
expect_applied "AP on a radio outside the MLO group" "wifi reload"
checks=$((checks + 1))
[ "$(guard check 2>&1)" = "apply: reload" ] || fail "check prints the decision"

# MLO-4: supported combinations are accepted
radios; stage mld ap 'radio0 radio1' mlo=1
expect_applied "MLO AP on 2 bands" reboot
radios; stage mld ap 'radio0 radio1 radio2' mlo=1
expect_applied "MLO AP on 3 bands" reboot
radios; mlo_ap; iface g0 ap radio0; iface g1 ap radio1; stage g2 ap radio2
expect_applied "MLO AP + one legacy AP per MLO radio" reboot
radios; mlo_ap; stage up sta radio1
expect_applied "MLO AP + STA uplink on radio1" "wifi reload"
radios; iface mld ap 'radio1 radio2' mlo=1; stage w0 ap radio0 wds=1
expect_applied "MLO AP + WDS on a radio outside the group" "wifi reload"
radios; iface a1 ap radio1; iface a2 ap radio1; iface a3 ap radio1; stage a4 ap radio1
expect_applied "legacy APs only, 4 on a radio" "wifi reload"
radios; iface a0 ap radio0; stage up sta radio0
expect_applied "legacy AP + STA uplink on the same radio" "wifi reload"
radios; iface a0 ap radio1; stage w1 ap radio1 wds=1
expect_applied "legacy AP + WDS" "wifi reload"
radios; iface a0 ap radio0; iface a1 ap radio1; stage msta sta 'radio0 radio1 radio2' mlo=1
expect_applied "MLO STA + legacy APs" reboot
radios; stage up sta radio0 role=repeater; stage lap ap radio1 role=repeater
expect_applied "repeater across two radios" "wifi reload"

checks=$((checks + 1))
out=$(guard frob 2>&1)
[ $? -eq 2 ] || fail "usage: exit 2 ($out)"

echo "it-mlo-guard: $checks checks, $fails failed"
[ "$fails" -eq 0 ]
