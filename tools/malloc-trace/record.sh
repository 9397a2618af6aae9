#!/usr/bin/env bash
# Records one program's heap calls as a trace (format: data/traces/README.md):
#   tools/malloc-trace/record.sh OUT.trace.gz [-C DIR] [-e NAME=VALUE]... -- PROGRAM ARGS...
# Builds the shim (malloc-trace.c) into artifacts/malloc-trace/ if it is older than its source, runs the program
# with it preloaded (its output to stdout as usual), gzips the trace, and prints the trace's summary line to stderr.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:?usage: record.sh OUT.trace.gz [-C DIR] [-e NAME=VALUE]... -- PROGRAM ARGS...}
shift
dir=.
vars=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do
  case $1 in
    -C) dir=$2; shift 2 ;;
    -e) vars+=("$2"); shift 2 ;;
    *) echo "record.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[ "${1:-}" = -- ] || { echo "record.sh: expected -- before the program" >&2; exit 2; }
shift
shim=$root/artifacts/malloc-trace/malloc-trace.so
if [ ! -f "$shim" ] || [ "$here/malloc-trace.c" -nt "$shim" ]; then
  mkdir -p "$(dirname "$shim")"
  gcc -O2 -Wall -Wextra -Werror -shared -fPIC -fvisibility=hidden -o "$shim" "$here/malloc-trace.c"
fi
raw=$(mktemp)
trap 'rm -f "$raw"' EXIT
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
(cd "$dir" && env "${vars[@]}" MIOOS_TRACE_FILE="$raw" LD_PRELOAD="$shim" "$@")
gzip -9 -n -c "$raw" > "$out"
python3 "$here/summary.py" "$out" >&2
