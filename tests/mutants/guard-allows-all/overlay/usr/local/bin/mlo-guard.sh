#!/bin/sh
# Mutant: the guard of luci-app-wifimgr v1.1.1, which checked nothing: every
# staged wireless change is committed and applied with wifi reload.
[ "$1" = check ] && { echo "apply: reload"; exit 0; }
uci commit wireless
wifi reload
