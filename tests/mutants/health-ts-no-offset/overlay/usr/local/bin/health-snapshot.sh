#!/bin/sh
# Per-minute health snapshot from cron (HEALTH-1 .. HEALTH-3, NET-2): one JSON line
# in a 7-day ring that survives sysupgrade, and the derived sensors pushed to HA.
# Ring timestamps are local time (HA's logbook is UTC: HEALTH-4).
# shellcheck source=/dev/null
. /etc/bpi-r4-ha.env
# shellcheck source=../lib/ha-push.sh
. /usr/local/lib/ha-push.sh

RING=/etc/last_health.jsonl
RING_MAX=10080                     # 7 days at one line per minute
STATE=/tmp/health-snapshot.state   # the previous sample's counters (tmpfs: none after a boot)

num() {
	v=$(cat "$1" 2>/dev/null)
	case $v in '' | *[!0-9]*) echo 0 ;; *) echo "$v" ;; esac
}
word() { cat "$1" 2>/dev/null || echo unknown; }

now=$(date +%s)
up=$(cut -d. -f1 /proc/uptime 2>/dev/null)

n=/sys/class/net
car=$(num $n/sfp-wan/carrier)
op=$(word $n/sfp-wan/operstate)
rxb=$(num $n/sfp-wan/statistics/rx_bytes)
txb=$(num $n/sfp-wan/statistics/tx_bytes)
rxp=$(num $n/sfp-wan/statistics/rx_packets)
txp=$(num $n/sfp-wan/statistics/tx_packets)
lan_op=$(word $n/br-lan/operstate)
lan_rxb=$(num $n/br-lan/statistics/rx_bytes)
lan_txb=$(num $n/br-lan/statistics/tx_bytes)
sl_car=$(num $n/sfp-lan/carrier)
sl_rxb=$(num $n/sfp-lan/statistics/rx_bytes)
sl_txb=$(num $n/sfp-lan/statistics/tx_bytes)
# pppd creates pppoe-wan with the session; a ppp device's operstate is "unknown"
if [ -d $n/pppoe-wan ] && [ "$(num $n/pppoe-wan/carrier)" = 1 ]; then
	pppoe=up
else
	pppoe=down
fi
p_rxb=$(num $n/pppoe-wan/statistics/rx_bytes)
p_txb=$(num $n/pppoe-wan/statistics/tx_bytes)

# softnet_stat: one line per CPU, hex: processed, dropped, time_squeeze, ...
processed=0 dropped=0 squeezed=0
while read -r p d s _; do
	processed=$((processed + 0x$p))
	dropped=$((dropped + 0x$d))
	squeezed=$((squeezed + 0x$s))
done < /proc/net/softnet_stat

# IRQ totals over every CPU column (cumulative since boot)
irq_total() {
	awk -v name="$1" '$NF == name {
		s = 0
		for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i
		print s; exit }' /proc/interrupts
}
sfp1tx=$(irq_total sfp1-tx-fault)
eth=$(irq_total 15100000.ethernet)

# page_pool: the last stall line, in either of the kernel's formats
pp=$(dmesg 2>/dev/null | grep page_pool_release_retry | tail -n 1)
pp_inflight=$(echo "$pp" | sed -n 's/.* \([0-9][0-9]*\) inflight .*/\1/p')
pp_age=$(echo "$pp" | sed -n 's/.* inflight \([0-9][0-9]*\) sec.*/\1/p')
ct=$(num /proc/sys/net/netfilter/nf_conntrack_count)

ts=$(date '+%Y-%m-%dT%H:%M:%S')  # MUTANT: local time without its offset
{
	printf '{"ts":"%s","up":%s,"wan":{"car":%s,"op":"%s","rxb":%s,"txb":%s,"rxp":%s,"txp":%s},' \
		"$ts" "${up:-0}" "$car" "$op" "$rxb" "$txb" "$rxp" "$txp"
	printf '"lan":{"op":"%s","rxb":%s,"txb":%s},"sfplan":{"car":%s,"rxb":%s,"txb":%s},' \
		"$lan_op" "$lan_rxb" "$lan_txb" "$sl_car" "$sl_rxb" "$sl_txb"
	printf '"pppoe":{"state":"%s","rxb":%s,"txb":%s},"softnet":{"processed":%s,"dropped":%s,"squeezed":%s},' \
		"$pppoe" "$p_rxb" "$p_txb" "$processed" "$dropped" "$squeezed"
	printf '"irq":{"sfp1tx":%s,"eth":%s},"pp":{"age":%s,"inflight":%s},"ct":%s}\n' \
		"${sfp1tx:-0}" "${eth:-0}" "${pp_age:-0}" "${pp_inflight:-0}" "$ct"
} >> "$RING"

# Trim only when over the cap, so that the common minute costs one append.
if [ "$(wc -l < "$RING")" -gt "$RING_MAX" ]; then
	tail -n "$RING_MAX" "$RING" > "$RING.tmp" && mv "$RING.tmp" "$RING"
fi

ha_push sensor.bpi_r4_wan_carrier "$car" '{"friendly_name":"BPI-R4 WAN carrier"}'
ha_push sensor.bpi_r4_pppoe_state "$pppoe" '{"friendly_name":"BPI-R4 PPPoE"}'
ha_push sensor.bpi_r4_heartbeat "$(date -u '+%Y-%m-%dT%H:%M:%SZ')"
ha_push sensor.bpi_r4_uptime "${up:-0}" '{"unit_of_measurement":"s"}'

# Rates need the previous sample of this boot; counters that went down mean a reboot.
prev_t='' prev_txb='' prev_txp='' prev_drop='' prev_sl=''
[ -r "$STATE" ] && read -r prev_t prev_txb prev_txp prev_drop prev_sl < "$STATE"
sl_bytes=$((sl_rxb + sl_txb))
echo "$now $txb $txp $dropped $sl_bytes" > "$STATE"
[ -n "$prev_t" ] && [ "$now" -gt "$prev_t" ] || exit 0
[ "$txb" -ge "$prev_txb" ] && [ "$dropped" -ge "$prev_drop" ] && [ "$sl_bytes" -ge "$prev_sl" ] || exit 0
dt=$((now - prev_t))
ha_push sensor.bpi_r4_wan_tx_bps $(((txb - prev_txb) * 8 / dt)) '{"unit_of_measurement":"bit/s"}'
ha_push sensor.bpi_r4_wan_tx_pps $(((txp - prev_txp) / dt)) '{"unit_of_measurement":"packets/s"}'
ha_push sensor.bpi_r4_softnet_drop_rate $(((dropped - prev_drop) * 60 / dt)) '{"unit_of_measurement":"drops/min"}'
# NET-2: GMAC1 link up but not one byte in a minute is the RSS/LRO corruption
if [ "$sl_car" = 1 ] && [ "$sl_bytes" -eq "$prev_sl" ]; then
	sl_state=zero_traffic
elif [ "$sl_car" = 1 ]; then
	sl_state=ok
else
	sl_state=no_link
fi
ha_push sensor.bpi_r4_sfp_lan_traffic "$sl_state" "{\"bytes_per_min\":$(((sl_bytes - prev_sl) * 60 / dt))}"
exit 0
