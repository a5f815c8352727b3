#!/bin/sh
# The fake router's uci (fakes/sandbox/shims/sbin/uci) under busybox, against what
# OpenWrt's uci prints and stages. Usage: it-uci.sh BUILD_DIR SOURCE_DIR
set -u
src=$2
uci_shim=$src/fakes/sandbox/shims/sbin/uci
bb=$(command -v busybox) || { echo "busybox not found" >&2; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir "$T/c"
export R4HIL_UCI_SAVEDIR="$T/s"
fails=0
checks=0

u() { "$bb" ash "$uci_shim" -c "$T/c" "$@"; }

# check NAME EXPECTED ACTUAL
check() {
	checks=$((checks + 1))
	if [ "$2" != "$3" ]; then
		fails=$((fails + 1))
		printf 'FAIL %s\n--- expected\n%s\n--- got\n%s\n' "$1" "$2" "$3"
	fi
}

reset_config() {
	rm -rf "$T/s"
	cat >"$T/c/wireless" <<'EOF'
# comment line
config wifi-device 'radio0'
	option type 'mac80211'
	option band "2g"
	list hostapd_options 'a b'
	list hostapd_options 'it'\''s'

config wifi-iface 'default_radio0'
	option device 'radio0'
	option ssid "Open \"Wrt\""  # trailing comment

config wifi-iface
	option device radio1
	option mode ap
EOF
	printf "\nconfig system\n\toption hostname 'bpi-r4'\n" >"$T/c/system"
}

reset_config
check "show package" "wireless.radio0=wifi-device
wireless.radio0.type='mac80211'
wireless.radio0.band='2g'
wireless.radio0.hostapd_options='a b' 'it'\\''s'
wireless.default_radio0=wifi-iface
wireless.default_radio0.device='radio0'
wireless.default_radio0.ssid='Open \"Wrt\"'
wireless.@wifi-iface[1]=wifi-iface
wireless.@wifi-iface[1].device='radio1'
wireless.@wifi-iface[1].mode='ap'" "$(u show wireless)"
check "show all packages, sorted" "system.@system[0]=system
system.@system[0].hostname='bpi-r4'" "$(u show | grep '^system')"
check "show option" "wireless.radio0.band='2g'" "$(u show wireless.radio0.band)"
check "get option" "2g" "$(u get wireless.radio0.band)"
check "get list: quoted only with whitespace" "'a b' it's" "$(u get wireless.radio0.hostapd_options)"
check "get section type" "wifi-device" "$(u get wireless.radio0)"
check "get anonymous by index" "ap" "$(u get 'wireless.@wifi-iface[-1].mode')"
check "get anonymous by index 0" "radio0" "$(u get 'wireless.@wifi-iface[0].device')"
check "get missing" "uci: Entry not found
1" "$(u get wireless.radio0.nope 2>&1; echo $?)"
check "get quiet" "1" "$(u -q get wireless.nope.x 2>&1; echo $?)"
check "get missing package" "uci: Entry not found
1" "$(u get nope.x 2>&1; echo $?)"
check "get index out of range" "uci: Entry not found" "$(u get 'wireless.@wifi-iface[5]' 2>&1)"
check "-X shows anonymous names" "1" \
	"$(u -X show wireless | grep -c '^wireless\.cfg[0-9a-f]\{6\}=wifi-iface$')"

# staging: nothing reaches /etc/config before commit
cp "$T/c/wireless" "$T/orig"
u set wireless.radio0.channel=36
new=$(u add wireless wifi-iface)
u set "wireless.$new.ssid=guest's net"
u set "wireless.@wifi-iface[-1].key=a=b\$c\\d"
u add_list wireless.radio0.hostapd_options=z
u del_list "wireless.radio0.hostapd_options=a b"
u delete wireless.default_radio0
u set wireless.mld0=wifi-mld
check "file untouched before commit" "" "$(cmp "$T/orig" "$T/c/wireless")"
check "add prints the new name" "1" "$(echo "$new" | grep -c '^cfg[0-9a-f]\{6\}$')"
check "changes" "wireless.radio0.channel='36'
wireless.$new='wifi-iface'
wireless.$new.ssid='guest'\\''s net'
wireless.$new.key='a=b\$c\\d'
wireless.radio0.hostapd_options+='z'
wireless.radio0.hostapd_options-='a b'
-wireless.default_radio0
wireless.mld0='wifi-mld'" "$(u changes wireless)"
check "delta file as libuci writes it" "wireless.radio0.channel='36'
+wireless.$new='wifi-iface'
wireless.$new.ssid='guest'\\''s net'
wireless.$new.key='a=b\$c\\d'
|wireless.radio0.hostapd_options='z'
~wireless.radio0.hostapd_options='a b'
-wireless.default_radio0
wireless.mld0='wifi-mld'" "$(cat "$T/s/wireless")"
check "staged view: anonymous add stays anonymous" "wireless.@wifi-iface[1]=wifi-iface
wireless.@wifi-iface[1].ssid='guest'\\''s net'
wireless.@wifi-iface[1].key='a=b\$c\\d'" "$(u show wireless | grep '@wifi-iface\[1\]')"
check "get staged value" "a=b\$c\\d" "$(u get "wireless.$new.key")"
check "changes of all packages" "$(u changes wireless)" "$(u changes)"
u commit wireless
check "commit empties the delta" "no" "$([ -e "$T/s/wireless" ] && echo yes || echo no)"
check "changes after commit" "" "$(u changes)"
check "committed file" "
config wifi-device 'radio0'
	option type 'mac80211'
	option band '2g'
	list hostapd_options 'it'\\''s'
	list hostapd_options 'z'
	option channel '36'

config wifi-iface
	option device 'radio1'
	option mode 'ap'

config wifi-iface
	option ssid 'guest'\\''s net'
	option key 'a=b\$c\\d'

config wifi-mld 'mld0'" "$(cat "$T/c/wireless")"
check "committed file ends like uci export" "0a0a" "$(tail -c 2 "$T/c/wireless" | od -An -tx1 | tr -d ' \n')"
check "committed file reads back" "a=b\$c\\d" "$(u get 'wireless.@wifi-iface[1].key')"

# revert
reset_config
u set wireless.radio0.channel=1
u set wireless.default_radio0.ssid=x
u revert wireless.radio0
check "revert one section" "wireless.default_radio0.ssid='x'" "$(u changes wireless)"
u revert wireless
check "revert package" "" "$(u changes wireless)"
check "reverted value" "Open \"Wrt\"" "$(u get wireless.default_radio0.ssid)"

# errors and edge cases
check "set option of missing section" "uci: Invalid argument
1" "$(u set wireless.nosuch.x=1 2>&1; echo $?)"
check "set bad section name" "uci: Invalid argument" "$(u set 'wireless.bad-name.x=1' 2>&1)"
check "delete missing" "uci: Entry not found
1" "$(u delete wireless.radio0.nope 2>&1; echo $?)"
u set wireless.radio0.band=
check "set empty deletes" "uci: Entry not found" "$(u get wireless.radio0.band 2>&1)"
check "set empty on missing is fine" "0" "$(u set wireless.radio0.nothing= 2>&1; echo $?)"
u add_list wireless.radio0.type=second
check "add_list turns an option into a list" "mac80211 second" "$(u get wireless.radio0.type)"
u rename wireless.default_radio0=main
check "rename section" "radio0" "$(u get wireless.main.device)"
u rename wireless.main.ssid=name
check "rename option" "wireless.main.name='Open \"Wrt\"'" "$(u show wireless.main.name)"
u reorder wireless.main=0
check "reorder" "wireless.main=wifi-iface" "$(u show wireless | head -1)"
check "unknown command" "255" "$(u frobnicate >/dev/null 2>&1; echo $?)"

# batch, as uci batch parses its input
reset_config
printf '%s\n' "set wireless.radio0.channel='149'" "add_list wireless.radio0.x=\"p q\"" \
	"set wireless.guest=wifi-iface" "set wireless.guest.ssid='it'\\''s'" "commit wireless" |
	u batch
check "batch" "149|'p q'|it's|" "$(u get wireless.radio0.channel)|$(u get wireless.radio0.x)|$(u get wireless.guest.ssid)|$(u changes)"

# a broken file is a parse error, not an empty config
printf "config wifi-device 'radio0\n" >"$T/c/broken"
check "parse error" "1" "$(u show broken >/dev/null 2>&1; echo $?)"
check "parse error message" "1" "$(u show broken 2>&1 | grep -c '^uci: Parse error')"

echo "it-uci: $checks checks, $fails failed"
[ "$fails" -eq 0 ]
