#!/bin/sh
# Where the time of the PMM benchmark's calls goes: `pmm-loop` (bench/MioOS.Memory.Benchmarks) sampled with perf
# (call graphs), kept only when the loop is on the stack (set-up, JIT and start-up drop out), grouped by what the
# leaf function does, and turned into ns of an average call from the loop's own median CPU ns per call.
#   bench/profile-pmm.sh EXTENTS one|two [CALLS]
# Needs perf (Debian: linux-perf) and a Release build (dotnet build bench/MioOS.Memory.Benchmarks -c Release).
# PMM_PROFILE_RAW=1 also prints the leaf functions, their shares and their groups. PMM_PROFILE_NOINLINE=1 samples
# with the JIT's inlining off (DOTNET_JitNoInline=1), so the tree's descents and updates are functions of their own
# instead of parts of their callers; the shares are then those of that slower build, scaled to the real time.
set -eu
extents=$1
op=$2
calls=${3:-2000000}
here=$(cd "$(dirname "$0")/.." && pwd)
bench=$here/bench/MioOS.Memory.Benchmarks/bin/Release/net10.0/MioOS.Memory.Benchmarks.dll
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# The ns per call from a run without the profiler (perf's sampling slows the loop): the thread's CPU time.
ns=$(dotnet "$bench" pmm-loop "$extents" "$op" "$calls" 5 | sed -n 's/.*median \([0-9.]*\) CPU ns.*/\1/p')
# W^X off and perf maps on, so perf can name JIT-compiled methods.
if [ "${PMM_PROFILE_NOINLINE:-0}" = 1 ]; then export DOTNET_JitNoInline=1; fi
DOTNET_EnableWriteXorExecute=0 DOTNET_PerfMapEnabled=1 perf record -q -F 4000 -g -o "$out/perf.data" \
    dotnet "$bench" pmm-loop "$extents" "$op" "$calls" 5 > /dev/null 2> /dev/null
perf report -i "$out/perf.data" --no-children --sort symbol -p 'PmmLoop::Loop' -x --stdio -g none 2> /dev/null \
    | grep -E '^ +[0-9.]+%' > "$out/symbols.txt"
awk -v ns="$ns" -v what="pmm-loop $extents $op" -v raw="${PMM_PROFILE_RAW:-0}" '
{
    pct = $1; sub("%", "", pct); line = $0; sub(/ +- +- +.*$/, "", line); c = "PMM logic (carve, release, classify, counters)";
    if (line ~ /PmmLoop::Loop|PmmHoles::/) c = "benchmark loop";
    else if (line ~ /AugmentedTree.*::(LowestFit|NextFit|Floor|Ceiling|Find|Neighbours)\(/) c = "tree search (LowestFit, Floor, Neighbours, Find)";
    else if (line ~ /AugmentedTree.*::(Update|Balance|Rebalance|Insert|Remove|Transplant|RotateLeft|RotateRight|SizeChanged|SizeGrew|HeightOf|Minimum)\(/) c = "tree update (Insert, Remove, Rebalance, SizeChanged, SizeGrew)";
    else if (line ~ /ExtentIndex|ExtentNode|FrameTable/) c = "extent index";
    else if (line ~ /PmmLock|LayerLock|HostedLock|Interlocked|Monitor/) c = "lock";
    else if (line ~ /MemoryWindow::/) c = "memory window";
    else if (line ~ /MioOS.Memory.Physical/) c = "PMM logic (carve, release, classify, counters)";
    else if (line ~ /\[k\]/) c = "host kernel";
    else c = "other";
    if (raw == "1") printf "%7.2f%%  %-40s %s\n", pct, c, line > "/dev/stderr";
    share[c] += pct; total += pct;
}
END {
    printf "%s: %.1f ns per call (median of the rounds, CPU time)\n", what, ns;
    for (c in share) printf "  %-64s %5.1f%%  %6.1f ns\n", c, 100 * share[c] / total, ns * share[c] / total;
}' "$out/symbols.txt" | { read -r head; echo "$head"; sort -t'%' -k1 -rn -k2; }
