#!/bin/sh
# Layering of the source tree. Fails when fakes/core/ includes anything of fakes/
# outside core/ (world/, servers/, sandbox/) or of the harness, or when the harness
# gains an include against its layer order (util -> transport -> target -> core ->
# cli, lower first) beyond the ones already there (listed below, printed, not
# failed). Prints the folder-level include graph of fakes/ and harness/ so that
# cycles are visible. Usage: it-layers.sh BUILD_DIR SOURCE_DIR
set -eu
src=$2
cd "$src"
fail=0

# 1. fakes/core/ is the bottom: libc, Linux uapi, libmicrohttpd, json-c, core/.
bad=$(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](world|servers|sandbox|r4hil|cli|target|transport|util)/' \
	fakes/core/*.c fakes/core/*.h || true)
quoted=$(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' fakes/core/*.c fakes/core/*.h |
	grep -vE '"core/[a-z_]+\.h"' || true)
if [ -n "$bad$quoted" ]; then
	echo "fakes/core/ includes from above core:" >&2
	printf '%s\n%s\n' "$bad" "$quoted" | sort -u | sed '/^$/d' >&2
	fail=1
else
	echo "fakes/core: includes only libc, libmicrohttpd, json-c and core/"
fi

# The harness folder that implements r4hil/$1.h (reports, or include if none).
harness_c=$(cd harness && find . -path ./include -prune -o -name '*.c' -print)
place() {
	p=$(echo "$harness_c" | grep -m1 "/$1\.c$" || true)
	p=${p#./}; p=${p%%/*}
	if [ -n "$p" ]; then echo "$p"; elif [ -f "reports/$1.c" ]; then echo reports; else echo include; fi
}

# Folder-level edges "from to" of one tree: the folder of each file, and the folder
# of each quoted include. $1: tree; $2: how to place a bare or r4hil/ header.
edges() {
	tree=$1
	find "$tree" -name '*.[ch]' | sort | while read -r f; do
		rel=${f#"$tree"/}
		case $rel in */*) from=${rel%%/*} ;; *) from=. ;; esac
		# A public header belongs to the folder of its .c file.
		[ "$from" != include ] || from=$(place "$(basename "$rel" .h)")
		sed -nE 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"([^"]+)".*/\1/p' "$f" |
		while read -r inc; do
			case $inc in
			r4hil/*)
				to=$(place "$(basename "$inc" .h)")
				[ "$tree" = harness ] || to=harness
				;;
			*/*) to=${inc%%/*} ;;
			*) to=$from ;;
			esac
			[ "$from" = "$to" ] || echo "$from $to"
		done
	done | sort | uniq -c | awk '{ print $2, $3, $1 }'
}

# A cycle shows as a pair a -> b and b -> a (or a longer loop among the edges).
graph() {
	echo "$2" | awk -v tree="$1" '
		{ e[$1 " " $2] = $3; n++ }
		END {
			print tree ": folder include graph (from -> to: #includes)"
			for (k in e) { split(k, p, " "); line = "  " p[1] " -> " p[2] ": " e[k]
				if ((p[2] " " p[1]) in e) line = line "  (cycle)"
				print line }
		}' | { read -r head; echo "$head"; sort; }
}

fakes_edges=$(edges fakes)
harness_edges=$(edges harness)
graph fakes "$fakes_edges"
graph harness "$harness_edges"

# 2. The harness's order. Edges against it that exist today are known debt: printed,
# not failed; a new one fails.
# Today: r4hil/lab.h (core/lab.c, the lab file), r4hil/clock.h, r4hil/scenario.h.
known_up="$(cat <<'KNOWN'
target -> core
transport -> core
KNOWN
)"
rank() {
	case $1 in util) echo 1 ;; transport) echo 2 ;; target) echo 3 ;; core) echo 4 ;; cli) echo 5 ;; *) echo 0 ;; esac
}
up=$(echo "$harness_edges" | while read -r from to _n; do
	[ -n "$from" ] || continue
	rf=$(rank "$from"); rt=$(rank "$to")
	[ "$rf" -gt 0 ] && [ "$rt" -gt "$rf" ] && echo "$from -> $to"
done || true)
if [ -n "$up" ]; then
	echo "harness: includes against util -> transport -> target -> core -> cli:"
	echo "$up" | while read -r e; do
		if echo "$known_up" | grep -qxF "$e"; then echo "  $e (known, not enforced)"; else echo "  $e (new)"; fi
	done
	new=$(echo "$up" | grep -vxF "$known_up" || true)
	[ -z "$new" ] || { echo "harness: new includes against the layer order:" "$new" >&2; fail=1; }
fi
[ "$fail" -eq 0 ] || { echo "it-layers: FAIL" >&2; exit 1; }
echo "it-layers: ok"
