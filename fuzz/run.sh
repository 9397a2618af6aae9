#!/usr/bin/env bash
# Builds the fuzz harness, instruments it with SharpFuzz, and runs AFL++ on one target (or all of them, one after
# the other) for a bounded time; prints executions, paths, crashes and hangs, replays every crash and hang outside
# AFL++ to confirm it, and fails when one is confirmed.
#
#   fuzz/run.sh TARGET|all|ci SECONDS     e.g. nice -n 19 fuzz/run.sh mb2 480; fuzz/run.sh ci 5
#
# Targets: mb1 mb2 e820 trace shell (dotnet artifacts/fuzz/publish/mioos-fuzz.dll list); `ci` is every target
# but those the list says are left out of the short CI run. Findings go to
# artifacts/fuzz/TARGET/findings (FUZZ_OUT moves artifacts/fuzz); FUZZ_TIMEOUT_MS is AFL++'s time limit for one
# input (a hang), 5000 unless set.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -ne 2 ] || ! [[ $2 =~ ^[0-9]+$ ]]; then
  echo "usage: fuzz/run.sh TARGET|all|ci SECONDS" >&2
  exit 2
fi
target=$1 seconds=$2
out=${FUZZ_OUT:-artifacts/fuzz}
timeout_ms=${FUZZ_TIMEOUT_MS:-5000}
command -v afl-fuzz >/dev/null || { echo "fuzz: afl-fuzz not found (Debian package afl++)" >&2; exit 1; }

# AFL++ refuses to start where core dumps go to a program (core_pattern starting with '|', as in containers) or
# the CPU governor is not 'performance', unless told these do not matter; neither changes what is found here (a
# crash is an exception reported by the harness, not a core dump). The target binary is `dotnet`, which carries no
# AFL++ instrumentation of its own: the instrumented assemblies report through SharpFuzz.
export AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1 AFL_SKIP_BIN_CHECK=1
export AFL_NO_UI=1 AFL_NO_AFFINITY=1 AFL_FORKSRV_INIT_TMOUT=60000
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

echo "fuzz: building the harness"
dotnet tool restore >/dev/null
dotnet publish fuzz/MioOS.Memory.Fuzz -c Release -o "$out/publish" -v quiet -nologo >/dev/null
harness="$out/publish/mioos-fuzz.dll"

if [ "$target" = all ] || [ "$target" = ci ]; then
  targets=$(dotnet "$harness" names "$target")
else
  dotnet "$harness" instrument "$target" >/dev/null # refuses an unknown target
  targets=$target
fi

stat() { awk -F' *: *' -v k="$1" '$1 == k {print $2}' "$2"; }

status=0
for t in $targets; do
  dir="$out/$t"
  rm -rf "$dir"
  mkdir -p "$dir"
  cp -r "$out/publish" "$dir/bin"
  while read -r assembly prefixes; do
    # shellcheck disable=SC2086 # the prefixes are separate arguments
    dotnet sharpfuzz "$dir/bin/$assembly" $prefixes
  done < <(dotnet "$harness" instrument "$t")
  dotnet "$harness" seeds "$t" data "$dir/seeds" >/dev/null
  dict=()
  [ -f "fuzz/dict/$t.dict" ] && dict=(-x "fuzz/dict/$t.dict")

  echo "fuzz: $t for ${seconds}s from $(ls "$dir/seeds" | wc -l) seeds"
  afl-fuzz -i "$dir/seeds" -o "$dir/findings" -V "$seconds" -t "$timeout_ms" -m none "${dict[@]}" \
    -- dotnet "$dir/bin/mioos-fuzz.dll" "$t" >"$dir/afl.log" 2>&1 || { tail -n 30 "$dir/afl.log"; exit 1; }

  stats="$dir/findings/default/fuzzer_stats"
  crashes=$(stat saved_crashes "$stats") hangs=$(stat saved_hangs "$stats")
  echo "fuzz: $t: $(stat execs_done "$stats") executions, $(stat corpus_count "$stats") paths ($(stat corpus_found "$stats") new)," \
    "$crashes crashes, $hangs hangs, in $(stat run_time "$stats") s ($(stat execs_per_sec "$stats")/s), edge coverage $(stat bitmap_cvg "$stats")"

  # Confirm outside AFL++ with the uninstrumented build: a crash must reproduce; a hang must still be running
  # after twenty times AFL++'s limit (a loaded machine makes slow inputs look like hangs).
  for f in "$dir"/findings/default/crashes/id:*; do
    [ -e "$f" ] || continue
    dotnet "$harness" replay "$t" "$f" || status=1
  done
  for f in "$dir"/findings/default/hangs/id:*; do
    [ -e "$f" ] || continue
    if timeout $((timeout_ms * 20 / 1000)) dotnet "$harness" replay "$t" "$f" >/dev/null; then
      echo "$f: finishes outside AFL++ (slow, not a hang)"
    else
      echo "$f: hangs"
      status=1
    fi
  done
done
exit "$status"
