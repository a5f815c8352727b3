#!/bin/sh
# Wall time of the scenario catalogue on the fake lab, against the virtual time it
# covers. Usage: bench/catalogue.sh [RUNS] [JOBS] (default 3 runs, 2 jobs as
# scripts/run-catalogue.sh); prints one line per run and the median. Needs a
# built tree (scripts/bootstrap.sh).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-3}
jobs=${2:-2}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
i=1
while [ "$i" -le "$runs" ]; do
	start=$(date +%s.%N)
	"$top/build/r4hil" run --jobs "$jobs" --out "$tmp/run$i" >/dev/null 2>&1 || { echo "run $i failed" >&2; exit 1; }
	end=$(date +%s.%N)
	virtual_ms=$(grep '"virtual_ms"' "$tmp/run$i/results.json" | tr -dc '0-9\n' | awk '{s += $1} END {print s}')
	awk -v s="$start" -v e="$end" -v v="$virtual_ms" -v i="$i" \
		'BEGIN { w = e - s; printf "run %d: wall %.1f s, virtual %.1f min, speed-up %.0fx\n", i, w, v / 60000, v / 1000 / w }'
	i=$((i + 1))
done | tee "$tmp/lines"
sort -t' ' -k4 -n "$tmp/lines" | awk -v n="$runs" 'NR == int((n + 1) / 2) { print "median: " $0 }'
