#!/bin/sh
# Mutant: blocks what it should but applies every accepted change with wifi
# reload, even an AP on a radio of the MLO group (MLO-3 wants a reboot).
# mlo-guard.sh check|apply: the MT7996 MLO guard (MLO-2, MLO-3), for the staged
# uci changes of /etc/config/wireless (`uci set/add ...` not yet committed).
#
#   check  print why the proposed configuration is refused (exit 1) or how it
#          would be applied ("apply: reboot" / "apply: reload", exit 0)
#   apply  refused: revert the staged changes, print the reasons, exit 1 (nothing
#          applied); accepted: commit, then `reboot` if the change puts or changes an
#          AP on a radio of an MLO group (or an MLO interface itself), else
#          `wifi reload`; exit 0
# Exit 2: usage or no wireless configuration. Interface: fixtures/README.md.
#
# The rules are 002's compatibility table: one MLO AP group per chip; an MLO STA
# only without a local MLO AP or another MLO STA; at most one extra (legacy) AP per
# radio of the MLO AP group (a second one crashes the chip's EDCCA and locks its
# patch semaphore until a 15-minute power-off); no WDS/relayd or repeater uplink on
# a radio of an MLO group; a repeater's STA and AP on different radios; no
# non-MLO 6 GHz STA.

usage() {
	echo "usage: mlo-guard.sh check|apply" >&2
	exit 2
}

[ $# -eq 1 ] || usage
case $1 in
check | apply) ;;
*) usage ;;
esac

if ! proposed=$(uci -q -X show wireless); then
	echo "mlo-guard: no wireless configuration" >&2
	exit 2
fi
changed=$(uci -q changes wireless | sed -n 's/^-\{0,1\}wireless\.\([A-Za-z0-9_]*\).*/\1/p' | sort -u)

# verdict: "block: reason" lines, then "apply: reboot|reload"
verdict=$(printf '%s\n' "$proposed" | awk -v changed=" $(echo "$changed" | tr '\n' ' ') " '
function unq(v) {
	gsub(/\047\\\047\047/, "\001", v)   # an escaped quote inside a value
	gsub(/\047 \047/, " ", v)           # list items
	gsub(/\047/, "", v)
	gsub(/\001/, "\047", v)
	return v
}
{
	eq = index($0, "=")
	key = substr($0, 1, eq - 1)
	val = unq(substr($0, eq + 1))
	n = split(key, k, ".")
	if (n == 2) { type[k[2]] = val; order[++ns] = k[2]; next }
	opt[k[2], k[3]] = val
}
function is_mlo(s) { return opt[s, "mlo"] == "1" }
function is_sta(s) { return opt[s, "mode"] == "sta" }
function is_wds(s) { return opt[s, "wds"] == "1" || opt[s, "role"] == "relayd" }
function on(s, r) { return index(" " opt[s, "device"] " ", " " r " ") > 0 }
function block(msg) { print "block: " msg; blocked = 1 }
END {
	for (i = 1; i <= ns; i++) {
		s = order[i]
		if (type[s] == "wifi-device" && opt[s, "band"] == "6g") radio6 = s
		if (type[s] != "wifi-iface" || opt[s, "disabled"] == "1") continue
		iface[++ni] = s
		if (is_mlo(s) && !is_sta(s)) { mlo_ap++; if (mlo_ap == 1) ap_group = s }
		if (is_mlo(s) && is_sta(s)) { mlo_sta++; if (mlo_sta == 1) sta_group = s }
	}
	if (mlo_ap > 1) block("a second MLO AP group: the MT7996 has a single wiphy")
	if (mlo_ap && mlo_sta) block("an MLO STA and a local MLO AP need the same radios")
	if (mlo_sta > 1) block("a second MLO STA: one wpa_supplicant instance per router")
	mlo_radios = (ap_group != "" ? " " opt[ap_group, "device"] " " : "") (sta_group != "" ? " " opt[sta_group, "device"] " " : "")
	for (i = 1; i <= ni; i++) {
		s = iface[i]
		if (is_mlo(s)) continue
		n = split(opt[s, "device"], devs, " ")
		for (d = 1; d <= n; d++) {
			r = devs[d]
			in_mlo = index(mlo_radios, " " r " ") > 0
			if (!is_sta(s) && !is_wds(s) && ap_group != "" && on(ap_group, r) && ++extra[r] == 2)
				block(r " is in the MLO group and already has an extra AP (EDCCA crash, chip lock)")
			if (is_wds(s) && in_mlo) block("WDS/relayd on " r ", a radio of an MLO group")
			if (is_sta(s) && opt[s, "role"] == "repeater" && in_mlo)
				block("repeater uplink on " r ", a radio of an MLO group")
			if (is_sta(s) && r == radio6) block("a 6 GHz STA without MLO is not supported")
			if (is_sta(s) && opt[s, "role"] == "repeater") rep_sta[r] = 1
			if (!is_sta(s) && opt[s, "role"] == "repeater") rep_ap[r] = 1
		}
	}
	for (r in rep_sta) if (rep_ap[r]) block("repeater STA and AP on the same radio " r)
	if (blocked) exit
	# MLO-3: an AP (or an MLO interface) changed on a radio of an MLO group reboots
	how = "reload"
	for (i = 1; i <= ni; i++) {
		s = iface[i]
		if (!index(changed, " " s " ")) continue
		if (is_mlo(s)) how = "reboot"
		n = split(opt[s, "device"], devs, " ")
		for (d = 1; d <= n; d++)
			if (!is_sta(s) && index(mlo_radios, " " devs[d] " ")) how = "reboot"
	}
	# a deleted section: its radios are unknown now, so with MLO in play reboot
	m = split(changed, ch, " ")
	for (j = 1; j <= m; j++) if (!(ch[j] in type) && mlo_radios != "") how = "reboot"
	print "apply: " how
}')

if printf '%s\n' "$verdict" | grep -q '^block: '; then
	printf '%s\n' "$verdict" | sed -n 's/^block: /mlo-guard: refused: /p' >&2
	if [ "$1" = apply ]; then
		uci revert wireless
		echo "mlo-guard: staged wireless changes reverted, nothing applied" >&2
	fi
	exit 1
fi
how=$(printf '%s\n' "$verdict" | sed -n 's/^apply: //p')
if [ "$1" = check ]; then
	echo "apply: $how"
	exit 0
fi
uci commit wireless
if false; then
	echo "mlo-guard: applied, rebooting"
	reboot
else
	echo "mlo-guard: applied with wifi reload"
	wifi reload
fi
