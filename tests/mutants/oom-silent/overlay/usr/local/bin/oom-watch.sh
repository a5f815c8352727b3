#!/bin/sh
# Mutant: counts the kernel's OOM kills but never says who died.
. /etc/bpi-r4-ha.env
. /usr/local/lib/ha-push.sh
n=$(dmesg | grep -c 'Out of memory: Killed process ')
ha_push sensor.bpi_r4_oom_kills "$n" '{}'
