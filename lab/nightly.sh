#!/bin/sh
# Nightly run of the scenario catalogue on the real BPI-R4 lab.
#
#   lab/nightly.sh [-l LAB_FILE] [-o RUNS_DIR] [-k LOCK_FILE] [-- r4hil run options]
#
# Takes the board's lock (another run holding it: exit 3 at once, no waiting),
# checks the lab read-only, runs the catalogue with --lab, keeps the run
# directory RUNS_DIR/<date-time>, points RUNS_DIR/latest at it and copies its
# junit.xml to RUNS_DIR/junit.xml for CI test reports.
#
# Exit codes, for systemd and CI:
#   0  every scenario passed (skipped ones allowed)
#   1  a requirement failed
#   2  usage error or bad input (lab file, scenarios): nothing ran
#   3  the lab could not do its part (lab check failed, board locked, harness or lab error)
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
lab_file=${R4HIL_LAB:-/etc/r4hil/lab.json}
runs=${R4HIL_RUNS:-/var/lib/r4hil/runs}
lock=${R4HIL_LOCK:-/run/lock/r4hil-bpi-r4.lock}
r4hil=${R4HIL_BIN:-$top/build/r4hil}

usage() {
	sed -n '2,15s/^# \{0,1\}//p' "$0" >&2
	exit 2
}

while getopts l:o:k:h opt; do
	case $opt in
	l) lab_file=$OPTARG ;;
	o) runs=$OPTARG ;;
	k) lock=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ "${1:-}" = "--" ] && shift

[ -r "$lab_file" ] || { echo "nightly: cannot read lab file $lab_file" >&2; exit 2; }
[ -x "$r4hil" ] || { echo "nightly: no r4hil at $r4hil (build first, or set R4HIL_BIN)" >&2; exit 2; }
mkdir -p "$runs"
stamp=$(date -u +%Y%m%d-%H%M%SZ)
out="$runs/$stamp"

# One run per board: fd 9 holds the lock until this script exits.
exec 9>"$lock"
if ! flock -n 9; then
	echo "nightly: the board is locked by another run ($lock)" >&2
	exit 3
fi

mkdir -p "$out"
set +e
"$r4hil" lab check "$lab_file" >"$out/lab-check.txt" 2>&1
check=$?
set -e
cat "$out/lab-check.txt"
case $check in
0) ;;
2) exit 2 ;;
*) echo "nightly: lab check failed, not running (see $out/lab-check.txt)" >&2; exit 3 ;;
esac

set +e
"$r4hil" run --lab "$lab_file" --out "$out" "$@"
status=$?
set -e
# relative to the link's own directory: right for a relative or absolute RUNS_DIR
ln -sfn "$stamp" "$runs/latest"
# a fixed path for CI test reports (GitLab does not follow the symlink)
if [ -f "$out/junit.xml" ]; then cp "$out/junit.xml" "$runs/junit.xml"; fi
echo "nightly: exit $status, report in $out"
case $status in
0 | 1 | 2 | 3) exit "$status" ;;
*) exit 3 ;;
esac
