#!/bin/sh
# The main job: set up, build, and run the whole scenario catalogue against the
# built-in fake lab. Extra arguments go to `r4hil run` (e.g. --out DIR).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/bootstrap.sh" "$top/build"
# two scenarios at a time, each on its own fake lab (2 cores: bench/README.md)
exec "$top/build/r4hil" run --jobs 2 "$@"
